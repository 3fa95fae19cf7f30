#!/usr/bin/env python3
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""scsi.virt side by side with virsh, virt-xml and community.libvirt, on one machine, in one run.

    bench/bench.py [--quick] [--markdown docs/benchmarks.md]

Everything runs against a real libvirtd (qemu:///system) with TCG domains that are defined but
never started, so only libvirt and the tools are timed. Figures are medians of repeated runs,
interleaved between tools. It prints figures; it never fails on a missed target.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "build", "collections"))
VENV_BIN = os.path.dirname(sys.executable)
URI = "qemu:///system"  # --uri: another libvirtd (e.g. a private one: qemu:///system?socket=...)
PREFIX = "bench-"  # --prefix: of every domain and pool the bench defines
CONFIG_DIR = "/etc/libvirt/qemu"  # --config-dir: where that libvirtd keeps domain configs (mtimes, case 3)
IQN = "iqn.2026-11.io.scsi-virt:bench"
COLLECTIONS = "%s:%s" % (os.path.join(REPO, "build", "collections"),
                         os.path.join(REPO, "bench", ".cache", "collections"))
ENV = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_PYTHON_INTERPRETER=sys.executable,
           ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
           PATH=VENV_BIN + ":" + os.environ["PATH"])

import libvirt  # noqa: E402

from ansible_collections.scsi.virt.plugins.module_utils._devices.disk_lun import DiskLun  # noqa: E402
from ansible_collections.scsi.virt.plugins.module_utils._fragment import DomainPlan  # noqa: E402
from ansible_collections.scsi.virt.plugins.module_utils._item_spec import ItemValidator  # noqa: E402
from ansible_collections.scsi.virt.plugins.module_utils._lun_options import disk_lun_spec  # noqa: E402

libvirt.registerErrorHandler(lambda *_: None, None)

EMPTY = """<domain type='qemu'><name>{name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type></os>
<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>"""

ROWS = []


def row(case, tool, seconds, ratio_to=None, target=None, met=None, note=""):
    load = open("/proc/loadavg").read().split()[0]
    ROWS.append({"case": case, "tool": tool, "seconds": seconds, "ratio": ratio_to, "target": target or "",
                 "met": met, "note": note, "load": load})
    ratio = "" if ratio_to is None else "%.2fx" % ratio_to
    verdict = "" if met is None else ("met" if met else "MISSED")
    print("%-34s %-36s %9.3f s %9s  %-22s %s %s (load %s)" % (
        case, tool, seconds, ratio, target or "", verdict, note, load), flush=True)


CPU = []  # CPU seconds (user + system, all processes) of each timed() command, in order


def timed(cmd, stdin=None):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=ENV, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if run.returncode != 0:
        # a loop's failed item may be far from the end of the output: its lines first
        failures = "".join(line[:3000] + "\n" for line in run.stdout.splitlines()
                           if line.startswith(("fatal:", "failed:")))
        raise SystemExit("bench: %s failed:\n%s%s%s" % (" ".join(cmd)[:300], failures, run.stdout[-2000:],
                                                         run.stderr[-2000:]))
    return elapsed, run.stdout


def median_of(fn, repeats):
    return statistics.median(fn() for _ in range(repeats))


def adhoc(module, args):
    if module.startswith(("scsi.virt.", "community.libvirt.")):
        args = dict(args, uri=URI)
    return ["ansible", "localhost", "-m", module] + (["-a", json.dumps(args)] if args else [])


def lun_item(n):
    return {"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": n}}


def lun_xml(n, target=None):
    address = "" if target is None else ("<address type='drive' controller='0' bus='0' target='%d' unit='%d'/>"
                                         % (target % 256, target // 256))
    return ("<disk type='network' device='lun'><driver name='qemu' type='raw'/>"
            "<source protocol='iscsi' name='%s/%d'><host name='127.0.0.1' port='3260'/></source>"
            "<target dev='sd%s' bus='scsi'/>%s</disk>" % (IQN, n, _letters(n), address))


def _letters(n):
    name = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        name = chr(97 + rem) + name
    return name


class Lab:
    def __init__(self):
        self.conn = libvirt.open(URI)
        self.made = set()

    def fresh(self, name, disks=""):
        try:
            dom = self.conn.lookupByName(name)
            dom.undefine()
        except libvirt.libvirtError:
            pass
        xml = EMPTY.format(name=name).replace("</devices>", disks + "</devices>")
        self.made.add(name)
        return self.conn.defineXML(xml)

    def xml(self, name):
        return self.conn.lookupByName(name).XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)

    def cleanup(self):
        for name in self.made:
            try:
                self.conn.lookupByName(name).undefine()
            except libvirt.libvirtError:
                pass
        for pool in (PREFIX + "pool",):
            try:
                self.conn.storagePoolLookupByName(pool).undefine()
            except libvirt.libvirtError:
                pass


def count(xml):
    return xml.count("device='lun'"), xml.count("<controller type='scsi'"), xml.count("model='lsilogic'")


def case_overhead(lab, repeats):
    lab.cleanup()  # a pool left by an interrupted run
    lab.fresh(PREFIX + "1", lun_xml(1, target=0).replace("<target dev", "<target dev") +
              "<controller type='scsi' index='0' model='virtio-scsi'/>")
    lab.conn.storagePoolDefineXML("<pool type='iscsi-direct'><name>%spool</name><source><host "
                                  "name='127.0.0.1'/><device path='%s'/><initiator><iqn name='%s:host'/></initiator>"
                                  "</source></pool>" % (PREFIX, IQN, IQN))
    tasks = {
        "ping": adhoc("ping", {}),
        "domain_disk_lun (no change)": adhoc("scsi.virt.domain_disk_lun", dict(lun_item(1), domain=PREFIX + "1")),
        "scsi_hostdev (no change)": adhoc("scsi.virt.scsi_hostdev", {"domain": PREFIX + "1", "exclusive": True}),
        "vhba absent (no change)": adhoc("scsi.virt.vhba", {"wwnn": "5001a4a000000011", "wwpn": "5001a4a000000012",
                                                            "state": "absent"}),
        "scsi_pool (no change)": adhoc("scsi.virt.scsi_pool", {"name": PREFIX + "pool", "state": "present",
                                                               "type": "iscsi-direct", "source": {
                                                                   "host": "127.0.0.1", "target": IQN,
                                                                   "initiator": IQN + ":host"}}),
        "domain_scsi_info": adhoc("scsi.virt.domain_scsi_info", {"domain": PREFIX + "1"}),
        "scsi_host_info": adhoc("scsi.virt.scsi_host_info", {}),
        "community.libvirt virt list_vms": adhoc("community.libvirt.virt", {"command": "list_vms"}),
    }
    samples = {name: [] for name in tasks}
    cpu = {name: [] for name in tasks}
    for _ in range(repeats):
        for name, cmd in tasks.items():  # interleaved
            elapsed, out = timed(cmd)
            if "(no change)" in name and '"changed": true' in out:
                raise SystemExit("bench: %s changed something" % name)
            samples[name].append(elapsed)
            cpu[name].append(CPU[-1])
    # Its LUN is case 2's LUN 1: another domain holding it unshared would refuse case 2's attach.
    lab.conn.lookupByName(PREFIX + "1").undefine()
    ping = statistics.median(samples["ping"])
    ping_cpu = statistics.median(cpu["ping"])
    for name, values in samples.items():
        median = statistics.median(values)
        cpu_note = "CPU %.2f s, %.2fx ping's" % (statistics.median(cpu[name]), statistics.median(cpu[name]) / ping_cpu)
        scsi_virt = name.split()[0] in ("domain_disk_lun", "scsi_hostdev", "vhba", "scsi_pool", "domain_scsi_info",
                                        "scsi_host_info")
        row("1 per-task overhead", name, median, median / ping, "<= 1.10x ping" if scsi_virt else "",
            (median / ping <= 1.10) if scsi_virt else None, cpu_note)
    return ping


def case_batch(lab, sizes, repeats, ping, virt_xml_max):
    for n in sizes:
        results = {}
        items = [lun_item(i) for i in range(1, n + 1)]

        pings, cpus = [], {"ping": [], "scsi.virt": [], "community": []}

        def scsi_virt():
            # ping right before, so the ratio compares runs made under the same load
            pings.append(timed(adhoc("ping", {}))[0])
            cpus["ping"].append(CPU[-1])
            lab.fresh(PREFIX + "batch")
            elapsed, _ = timed(adhoc("scsi.virt.domain_disk_lun", {"domain": PREFIX + "batch", "luns": items}))
            cpus["scsi.virt"].append(CPU[-1])
            return elapsed

        results["scsi.virt (one task, luns list)"] = median_of(scsi_virt, repeats)
        final_xml = lab.xml(PREFIX + "batch")
        luns, controllers, lsilogic = count(final_xml)
        assert luns == n, (luns, n)
        with tempfile.TemporaryDirectory() as tmp:
            files = []
            for i in range(1, n + 1):
                path = os.path.join(tmp, "lun%d.xml" % i)
                with open(path, "w") as handle:
                    handle.write(lun_xml(i))
                files.append(path)

            def virsh_loop():
                lab.fresh(PREFIX + "batch")
                start = time.perf_counter()
                for path in files:
                    timed(["virsh", "-q", "-c", URI, "attach-device", PREFIX + "batch", path, "--config"])
                return time.perf_counter() - start

            def virsh_one():
                lab.fresh(PREFIX + "batch")
                script = "".join("attach-device %sbatch %s --config\n" % (PREFIX, path) for path in files)
                return timed(["virsh", "-q", "-c", URI], stdin=script)[0]

            results["virsh attach-device loop"] = median_of(virsh_loop, 1 if n > 16 else repeats)
            virsh_counts = count(lab.xml(PREFIX + "batch"))
            results["one virsh process"] = median_of(virsh_one, repeats)
            final_path = os.path.join(tmp, "final.xml")
            with open(final_path, "w") as handle:
                handle.write(final_xml)
            playbook = os.path.join(tmp, "define.yml")
            with open(playbook, "w") as handle:
                json.dump([{"hosts": "localhost", "gather_facts": False, "connection": "local", "tasks": [
                    {"community.libvirt.virt": {"command": "define", "uri": URI, "xml": "{{ lookup('file', '%s') }}"
                                                % final_path}}]}], handle)

            def community_define():
                lab.fresh(PREFIX + "batch").undefine()  # the final XML carries its own UUID
                elapsed = timed(["ansible-playbook", "-i", "localhost,", playbook])[0]
                cpus["community"].append(CPU[-1])
                return elapsed

            results["community.libvirt virt define"] = median_of(community_define, repeats)
            m = min(n, virt_xml_max)

            def virt_xml():
                lab.fresh(PREFIX + "batch")
                start = time.perf_counter()
                for i in range(1, m + 1):
                    timed(["virt-xml", "--connect", URI, PREFIX + "batch", "--add-device", "--disk",
                           "type=network,device=lun,source.protocol=iscsi,source.name=%s/%d,"
                           "source.host0.name=127.0.0.1,source.host0.port=3260,target.bus=scsi" % (IQN, i)])
                return time.perf_counter() - start

            per_call = virt_xml() / m
            virt_counts = count(lab.xml(PREFIX + "batch"))
            results["virt-xml loop" + ("" if m == n else " (%d calls timed, x%d)" % (m, n))] = per_call * n
        start = time.perf_counter()
        lab.fresh(PREFIX + "batch").undefine()
        lab.conn.defineXML(final_xml)
        results["bare libvirt-python defineXML"] = time.perf_counter() - start
        ours = results["scsi.virt (one task, luns list)"]
        ping = statistics.median(pings)  # this size's own ping runs (case 1's were made minutes before)
        notes = {"scsi.virt (one task, luns list)": "ping here %.3f s; CPU %.2fx ping's" % (
            ping, statistics.median(cpus["scsi.virt"]) / statistics.median(cpus["ping"])),
            "community.libvirt virt define": "CPU %.2fx ping's" % (
                statistics.median(cpus["community"]) / statistics.median(cpus["ping"]))}
        for tool, seconds in results.items():
            target, met = "", None
            if tool.startswith("scsi.virt") and n == 256:
                target, met = "<= 1.3x ping", seconds / ping <= 1.3
            elif n == 256 and tool.startswith("virsh attach"):
                target, met = "scsi.virt >= 7x faster", seconds / ours >= 7
            elif n == 256 and tool.startswith("virt-xml"):
                target, met = "scsi.virt >= 90x faster", seconds / ours >= 90
            elif n == 256 and tool.startswith("community"):
                target, met = "scsi.virt no slower", ours <= seconds
            row("2 batch attach N=%d" % n, tool, seconds, seconds / ping, target, met, notes.get(tool, ""))
        row("2 batch attach N=%d" % n, "controllers after scsi.virt", controllers, None, "1 virtio-scsi, 0 lsilogic",
            controllers == 1 and lsilogic == 0, "virsh: %d scsi (%d lsilogic); virt-xml (%d LUNs): %d (%d)"
            % (virsh_counts[1], virsh_counts[2], virt_counts[0], virt_counts[1], virt_counts[2]))


def case_fleet(lab, hosts, forks):
    names = ["%sfleet-%02d" % (PREFIX, i) for i in range(hosts)]
    for name in names:
        lab.fresh(name)
    with tempfile.TemporaryDirectory() as tmp:
        inventory = os.path.join(tmp, "hosts.json")
        with open(inventory, "w") as handle:
            json.dump({"all": {"hosts": {name: {"ansible_connection": "local"} for name in names}}}, handle)
        # each host its own 8 LUNs (one LUN in two guests is refused unless shareable)
        items = [{"iscsi": {"host": "127.0.0.1", "target": IQN + "-{{ inventory_hostname }}", "lun": i}}
                 for i in range(1, 9)]
        attach = os.path.join(tmp, "attach.yml")
        read = os.path.join(tmp, "read.yml")
        with open(attach, "w") as handle:
            json.dump([{"hosts": "all", "gather_facts": False, "tasks": [{"scsi.virt.domain_disk_lun": {
                "uri": URI, "domain": "{{ inventory_hostname }}", "luns": items}}]}], handle)
        with open(read, "w") as handle:
            json.dump([{"hosts": "all", "gather_facts": False, "tasks": [{"scsi.virt.domain_scsi_info": {
                "uri": URI, "domain": "{{ inventory_hostname }}"}}]}], handle)
        base = ["ansible-playbook", "-i", inventory, "-f", str(forks)]
        first, _ = timed(base + [attach])
        config_files = [os.path.join(CONFIG_DIR, "%s.xml" % name) for name in names]
        mtimes = [os.stat(path).st_mtime_ns for path in config_files]
        second, out = timed(base + [attach])
        rewritten = sum(os.stat(path).st_mtime_ns != before for path, before in zip(config_files, mtimes))
        changed_zero = all(" changed=0 " in line for line in out.splitlines() if " ok=" in line)
        reading, _ = timed(base + [read])
        finals = {name: lab.xml(name) for name in names}
        define = os.path.join(tmp, "define.yml")
        for name, xml in finals.items():
            with open(os.path.join(tmp, name + ".xml"), "w") as handle:
                handle.write(xml)
        with open(define, "w") as handle:
            json.dump([{"hosts": "all", "gather_facts": False, "tasks": [{"community.libvirt.virt": {
                "command": "define", "uri": URI,
                "xml": "{{ lookup('file', '%s/' + inventory_hostname + '.xml') }}" % tmp}}]}],
                handle)
        timed(base + [define])
        mtimes = [os.stat(path).st_mtime_ns for path in config_files]
        community, out_c = timed(base + [define])
        rewritten_c = sum(os.stat(path).st_mtime_ns != before for path, before in zip(config_files, mtimes))
        changed_c = all(" changed=0 " in line for line in out_c.splitlines() if " ok=" in line)
    case = "3 fleet %d hosts x 8 LUNs, forks %d" % (hosts, forks)
    row(case, "scsi.virt first run", first)
    row(case, "scsi.virt second run", second, second / reading, "<= 1.2x read-only", second / reading <= 1.2,
        "changed=0: %s; configs rewritten: %d" % (changed_zero, rewritten))
    row(case, "read-only domain_scsi_info run", reading)
    row(case, "community.libvirt define, 2nd run", community, community / reading, "", None,
        "changed=0: %s; configs rewritten: %d" % (changed_c, rewritten_c))


def case_engine(lab, sizes, repeats):
    times = {}
    for n in sizes:
        xml = EMPTY.format(name=PREFIX + "engine").replace(
            "</devices>", "<controller type='scsi' index='0' model='virtio-scsi'/>" +
            "".join(lun_xml(i, target=i - 1) for i in range(1, n + 1)) + "</devices>")
        wanted = [DiskLun(type="network", protocol="iscsi", iscsi_name="%s/%d" % (IQN, i), iscsi_host="127.0.0.1",
                          iscsi_port=3260, target_bus="scsi") for i in range(1, n + 1)]

        def plan():
            gc.collect()  # every run starts from a collected heap, as in a fresh module process
            start = time.perf_counter()
            domain = DomainPlan(xml)
            for device in wanted:
                domain.ensure_present(device)
            domain.diff("x")
            assert not domain.changed
            return time.perf_counter() - start

        def define():
            lab.fresh(PREFIX + "engine").undefine()
            start = time.perf_counter()
            lab.conn.defineXML(xml)
            lab.made.add(PREFIX + "engine")
            return time.perf_counter() - start

        # the small sizes take milliseconds: more runs, or one slow run moves the ratio below by 10 %
        times[n] = median_of(plan, repeats if n > 1024 else 3 * repeats)
        libvirt_define = median_of(define, repeats) if n >= 256 else None
        row("4 engine parse+compare+plan", "%d disks" % n, times[n], None,
            "< libvirt defineXML" if libvirt_define else "", (times[n] < libvirt_define) if libvirt_define else None,
            "libvirt defineXML %.3f s" % libvirt_define if libvirt_define else "")
    # The 256-LUN task's own work in-process: its items validated, then the plan adding them to an empty domain.
    spec = disk_lun_spec()
    items = [lun_item(i) for i in range(1, 257)]

    def validate():
        start = time.perf_counter()
        check = ItemValidator(spec).validate
        assert not any(check(item)[1] for item in items)
        return time.perf_counter() - start

    wanted = [DiskLun(type="network", protocol="iscsi", iscsi_name="%s/%d" % (IQN, i), iscsi_host="127.0.0.1",
                      iscsi_port=3260, target_bus="scsi", driver_name="qemu", driver_type="raw") for i in range(1, 257)]
    empty = EMPTY.format(name=PREFIX + "engine")

    def plan_add():
        gc.collect()
        start = time.perf_counter()
        domain = DomainPlan(empty)
        for device in wanted:
            domain.ensure_present(device)
        domain.xml()
        assert len(domain.changes) == 257
        return time.perf_counter() - start

    row("4 engine, the 256-LUN task", "validate 256 list items", median_of(validate, repeats))
    added = median_of(plan_add, repeats)
    row("4 engine, the 256-LUN task", "plan adding 256 LUNs (to XML)", added, None, "<= 0.03 s", added <= 0.03)
    if 256 in times and 4096 in times:
        ratio = times[4096] / times[256]
        row("4 engine scaling", "time(4096)/time(256)", ratio, None, "<= 17 (linear is 16)", ratio <= 17)


def case_guests(lab, guests, luns, repeats):
    """One hypervisor, many guests: one task looping over the guests, one task per guest, community.libvirt."""
    names = ["%sguest-%02d" % (PREFIX, i) for i in range(guests)]

    def items(guest):
        return [{"iscsi": {"host": "127.0.0.1", "target": "%s-g%d" % (IQN, guest), "lun": n}}
                for n in range(1, luns + 1)]
    with tempfile.TemporaryDirectory() as tmp:
        loop = os.path.join(tmp, "loop.yml")
        per_guest = os.path.join(tmp, "per_guest.yml")
        define = os.path.join(tmp, "define.yml")
        with open(loop, "w") as handle:
            json.dump([{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": [
                {"scsi.virt.domain_disk_lun": {"uri": URI, "domain": "{{ item.0 }}", "luns": "{{ item.1 }}"},
                 "loop": [[name, items(i)] for i, name in enumerate(names)]}]}], handle)
        with open(per_guest, "w") as handle:
            json.dump([{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": [
                {"scsi.virt.domain_disk_lun": {"uri": URI, "domain": name, "luns": items(i)}}
                for i, name in enumerate(names)]}], handle)

        def fresh_all():
            for name in names:
                lab.fresh(name)

        def run(playbook):
            fresh_all()
            return timed(["ansible-playbook", "-i", "localhost,", playbook])[0]

        results = {"scsi.virt, one task looping over the guests": [],
                   "scsi.virt, one task per guest": [], "scsi.virt loop again (no change)": [],
                   "community.libvirt define loop (final XMLs)": []}
        for attempt in range(repeats):
            results["scsi.virt, one task per guest"].append(run(per_guest))
            results["scsi.virt, one task looping over the guests"].append(run(loop))
            results["scsi.virt loop again (no change)"].append(timed(["ansible-playbook", "-i", "localhost,",
                                                                      loop])[0])
            if attempt == 0:
                for name in names:
                    with open(os.path.join(tmp, name + ".xml"), "w") as handle:
                        handle.write(lab.xml(name))
                with open(define, "w") as handle:
                    json.dump([{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": [
                        {"community.libvirt.virt": {"command": "define", "uri": URI,
                                                    "xml": "{{ lookup('file', '%s/' + item + '.xml') }}" % tmp},
                         "loop": names}]}], handle)

            def community():
                for name in names:
                    lab.conn.lookupByName(name).undefine()
                return timed(["ansible-playbook", "-i", "localhost,", define])[0]
            results["community.libvirt define loop (final XMLs)"].append(community())
        assert all(lab.xml(name).count("device='lun'") == luns for name in names)
        # Where the time goes: the module's own work for one guest, in-process (no Ansible, no new Python).
        from batch_profile import run_main  # pylint: disable=import-outside-toplevel
        task = {"uri": URI, "domain": names[0], "luns": items(0)}
        run_main(task)  # imports done once, as a module process does before its work
        lab.fresh(names[0])
        body_add = run_main(task)[0]
        body_again = statistics.median(run_main(task)[0] for _ in range(5))
    case = "6 one host, %d guests x %d LUNs" % (guests, luns)
    row(case, "module body in-process, one guest (add)", body_add, None, "", None, "no Ansible, no process start")
    row(case, "module body in-process, one guest (no change)", body_again)
    loop_time = statistics.median(results["scsi.virt, one task looping over the guests"])
    for tool, values in results.items():
        median = statistics.median(values)
        row(case, tool, median, median / loop_time, "", None, "%.3f s a guest" % (median / guests))


def case_lab():
    subprocess.run(["bash", os.path.join(REPO, "lab", "lab.sh"), "down"], capture_output=True, check=False)
    start = time.perf_counter()
    subprocess.run(["bash", os.path.join(REPO, "lab", "lab.sh"), "up"], capture_output=True, check=True, env=ENV)
    up = time.perf_counter() - start
    row("5 lab", "lab.sh up (packages installed)", up)
    start = time.perf_counter()
    timed(["ansible-playbook", os.path.join(REPO, "playbooks", "lab_demo.yml")])
    row("5 lab", "first demo run: attach + guest sees it", time.perf_counter() - start)
    subprocess.run(["bash", os.path.join(REPO, "lab", "lab.sh"), "down"], capture_output=True, check=False)


def main():
    global URI, PREFIX, CONFIG_DIR  # pylint: disable=global-statement
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and sizes (about 3 minutes)")
    parser.add_argument("--markdown", help="also write the table to this Markdown file")
    parser.add_argument("--skip-lab", action="store_true", help="leave out case 5 (starts and stops the lab)")
    parser.add_argument("--uri", default=URI, help="the libvirtd to use (another than qemu:///system is neither "
                        "started nor stopped by the bench)")
    parser.add_argument("--prefix", default=PREFIX, help="of the domain and pool names the bench defines")
    parser.add_argument("--config-dir", default=CONFIG_DIR, help="that libvirtd's domain config directory")
    parser.add_argument("--cases", default="1,2,3,4,5,6", help="which cases to run (comma-separated)")
    args = parser.parse_args()
    URI, PREFIX, CONFIG_DIR = args.uri, args.prefix, args.config_dir
    cases = set(args.cases.split(","))
    repeats = 3 if args.quick else 5
    started_libvirtd = URI == "qemu:///system" and subprocess.run(
        ["bash", os.path.join(REPO, "lab", "libvirtd.sh"), "status"], check=False).returncode != 0
    if started_libvirtd:
        subprocess.run(["bash", os.path.join(REPO, "lab", "libvirtd.sh"), "start"], check=True)
    subprocess.run(["bash", os.path.join(REPO, "bench", "setup.sh")], check=True)
    lab = Lab()
    libvirt_version = lab.conn.getLibVersion()
    began = time.perf_counter()
    try:
        print("%-34s %-36s %11s %9s  %-22s %s" % ("case", "tool", "median", "ratio", "target", "verdict"))
        ping = case_overhead(lab, repeats) if cases & {"1", "2"} else None
        if "2" in cases:
            case_batch(lab, [1, 16, 256] if args.quick else [1, 16, 64, 256], repeats, ping,
                       virt_xml_max=16 if args.quick else 256)
        if "3" in cases:
            case_fleet(lab, 50, 10)
        if "4" in cases:
            case_engine(lab, [16, 256, 1024, 4096] if args.quick else [16, 64, 256, 1024, 4096], repeats)
        if "6" in cases:
            case_guests(lab, 50, 8, 1)
    finally:
        lab.cleanup()
    if not args.skip_lab and "5" in cases:
        case_lab()
    total = time.perf_counter() - began
    print("bench: %.0f s in all on %s, %d cores, Python %s, libvirt %s" % (
        total, platform.platform(), os.cpu_count(), platform.python_version(), libvirt_version))
    if args.markdown:
        write_markdown(args.markdown, args.quick, total, libvirt_version)
    if started_libvirtd:
        subprocess.run(["bash", os.path.join(REPO, "lab", "libvirtd.sh"), "stop"], check=False)


def write_markdown(path, quick, total, libvirt_version):
    lines = ["# Benchmarks", "",
             "Made by `bench/bench.py%s` in %.0f s on %s, %d cores, Python %s, libvirt %d.%d.%d, "
             "ansible-core as in the venv, virt-xml 4.1.0, community.libvirt from ansible 12. Medians of %s runs; "
             "ratios are to `ansible localhost -m ping` unless the target says otherwise." % (
                 " --quick" if quick else "", total, platform.platform(), os.cpu_count(), platform.python_version(),
                 libvirt_version // 1000000, libvirt_version // 1000 % 1000, libvirt_version % 1000,
                 "3" if quick else "5"),
             "", "| case | tool | median (s) | ratio | target | verdict | note | load |",
             "|---|---|---|---|---|---|---|---|"]
    for r in ROWS:
        lines.append("| %s | %s | %.3f | %s | %s | %s | %s | %s |" % (
            r["case"], r["tool"], r["seconds"], "" if r["ratio"] is None else "%.2fx" % r["ratio"], r["target"],
            "" if r["met"] is None else ("met" if r["met"] else "**missed**"), r["note"], r["load"]))
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
