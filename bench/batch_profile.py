#!/usr/bin/env python3
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a big batch task spends its time, in-process on libvirt's test driver (no daemon, no Ansible).

    bench/batch_profile.py [--luns 256] [--others 50] [--repeats 5] [--cprofile] [--top 25]

Times, medians of ``--repeats``:
- ``module``: domain_disk_lun's whole ``main()`` (argument parsing, item validation, plan, define, the
  JSON result with Ansible's no_log scrubbing) attaching ``--luns`` iSCSI LUNs to an empty domain while
  ``--others`` other domains have 8 LUNs each; and the same task again (no change);
- ``validate``: the list items' validation alone; ``plan``: the plan alone (parse, place, name, XML);
- ``lun_users``: reading the other domains to find who else uses a LUN;
- ``result``: Ansible's exit_json work on the module's result (no_log scrubbing, JSON).
``--cprofile`` prints the top functions of the second module run (imports done).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from contextlib import redirect_stdout
from unittest import mock

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "build", "collections"))

import libvirt  # noqa: E402

from ansible_collections.scsi.virt.plugins.module_utils._connection import Hypervisor  # noqa: E402
from ansible_collections.scsi.virt.plugins.module_utils._devices.disk_lun import DiskLun  # noqa: E402
from ansible_collections.scsi.virt.plugins.module_utils._fragment import DomainPlan  # noqa: E402
from ansible_collections.scsi.virt.plugins.module_utils._inuse import lun_users  # noqa: E402
from ansible_collections.scsi.virt.plugins.module_utils._lun_options import (  # noqa: E402
    disk_lun_from_item, disk_lun_spec)

URI = "test:///default"
IQN = "iqn.2026-11.io.scsi-virt:bench"
EMPTY = """<domain type='test'><name>{name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type></os><devices>{disks}</devices></domain>"""

libvirt.registerErrorHandler(lambda *_: None, None)


def lun_item(n, target=IQN):
    return {"iscsi": {"host": "127.0.0.1", "target": target, "lun": n}}


def lun_xml(n, target, slot):
    return ("<disk type='network' device='lun'><driver name='qemu' type='raw'/>"
            "<source protocol='iscsi' name='%s/%d'><host name='127.0.0.1' port='3260'/></source>"
            "<target dev='sd%s' bus='scsi'/><address type='drive' controller='0' bus='0' target='%d' unit='0'/>"
            "</disk>" % (target, n, chr(97 + slot), slot))


def run_main(args):
    """domain_disk_lun's main() as Ansible runs it (args in, JSON out); returns (seconds, result)."""
    from ansible.module_utils import _internal
    from ansible.module_utils.common import warnings
    from ansible.module_utils.testing import patch_module_args
    from ansible_collections.scsi.virt.plugins.modules import domain_disk_lun
    full = dict(args, _ansible_check_mode=False, _ansible_diff=False, _ansible_tmpdir=None)
    warnings._global_warnings.clear()
    out = io.StringIO()
    start = time.perf_counter()
    with patch_module_args(full), redirect_stdout(out), mock.patch.object(_internal, "is_controller", False):
        try:
            domain_disk_lun.main()
        except SystemExit:
            pass
    elapsed = time.perf_counter() - start
    result = json.loads(out.getvalue())
    if result.get("failed"):
        raise SystemExit("profile: the task failed: %s" % result.get("msg"))
    return elapsed, result


def fresh(conn, name, disks=""):
    try:
        conn.lookupByName(name).undefine()
    except libvirt.libvirtError:
        pass
    return conn.defineXML(EMPTY.format(name=name, disks=disks))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--luns", type=int, default=256)
    parser.add_argument("--others", type=int, default=50, help="other domains with 8 LUNs each")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    conn = libvirt.open(URI)  # keeps the test driver's state for the module's own connections
    for other in range(args.others):
        fresh(conn, "other-%02d" % other, "".join(
            lun_xml(n, IQN + "-other%d" % other, n) for n in range(8)))
    items = [lun_item(i) for i in range(1, args.luns + 1)]
    task = {"uri": URI, "domain": "batch", "luns": items}
    times = {"module (add %d)" % args.luns: [], "module (no change)": [], "validate": [], "plan": [],
             "lun_users (%d others)" % args.others: [], "lun_users, these LUNs": [], "result (exit_json)": []}
    result_size = 0
    for attempt in range(args.repeats):
        fresh(conn, "batch")
        if attempt == min(1, args.repeats - 1) and args.cprofile:  # warm: imports done
            profiler = cProfile.Profile()
            profiler.enable()
            elapsed, result = run_main(task)
            profiler.disable()
            stats = io.StringIO()
            pstats.Stats(profiler, stream=stats).sort_stats("cumulative").print_stats(args.top)
            print(stats.getvalue())
            stats = io.StringIO()
            pstats.Stats(profiler, stream=stats).sort_stats("tottime").print_stats(args.top)
            print(stats.getvalue())
        else:
            elapsed, result = run_main(task)
        times["module (add %d)" % args.luns].append(elapsed)
        result_size = len(json.dumps(result))
        times["module (no change)"].append(run_main(task)[0])
        hv = Hypervisor(URI)
        times["validate"].append(_timed(lambda: _validate(items)))
        xml_before = EMPTY.format(name="batch", disks="")
        wanted = [disk_lun_from_item(item, "luns[%d]" % i, hv, [])
                  for i, item in enumerate(_validate(items))]
        times["plan"].append(_timed(lambda: _plan(xml_before, wanted)))
        asked = {device.identity() for device in wanted}
        batch_uuid = conn.lookupByName("batch").UUIDString()
        times["lun_users (%d others)" % args.others].append(_timed(lambda: lun_users(hv, batch_uuid)))
        times["lun_users, these LUNs"].append(_timed(lambda: lun_users(hv, batch_uuid, asked)))
        times["result (exit_json)"].append(_timed(lambda: _exit_json(result)))
    for name, values in times.items():
        print("%-28s %8.4f s  (min %.4f)" % (name, statistics.median(values), min(values)))
    print("%-28s %8d bytes of JSON" % ("result size", result_size))
    print("%-28s %s" % ("summary", result.get("summary")))


def _timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _validate(items):
    from ansible_collections.scsi.virt.plugins.module_utils._domain_module import DomainDeviceModule

    class _Module:
        params = {"luns": items, "exclusive": False}
    body = DomainDeviceModule(_Module(), disk_lun_spec(), "luns", None, kinds=[DiskLun])
    return [item for _field, item in body.items()]


def _plan(xml_text, wanted):
    plan = DomainPlan(xml_text)
    for device in wanted:
        plan.ensure_present(device)
    plan.xml()
    return plan


def _exit_json(result):
    """What AnsibleModule.exit_json does with a result: no_log scrubbing, then JSON."""
    from ansible.module_utils.basic import AnsibleModule
    from ansible.module_utils.testing import patch_module_args
    with patch_module_args({}), redirect_stdout(io.StringIO()):
        module = AnsibleModule(argument_spec={})
        module.no_log_values.add("not-in-the-result")
        try:
            module.exit_json(**dict(result))
        except SystemExit:
            pass


if __name__ == "__main__":
    main()
