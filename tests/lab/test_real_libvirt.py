# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Against the real lab (lab/lab.sh up): libvirtd + QEMU (TCG) guest + tgtd iSCSI target.

What only real libvirt/QEMU can prove: live hotplug seen by the guest, QEMU failing to reach a LUN,
rollback of live changes, libvirt secrets, parallel writers on one domain.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.scsi.virt.plugins.module_utils import _connection
from ansible_collections.scsi.virt.plugins.module_utils._errors import ScsiVirtError

pytestmark = pytest.mark.lab

URI = "qemu:///system"
GUEST = "scsi-virt-lab"
IQN = "iqn.2026-11.io.scsi-virt:lab"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STOPPED = """<domain type='qemu'><name>{name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
</devices></domain>"""


def iscsi(lun):
    return {"host": "127.0.0.1", "target": IQN, "lun": lun}


@pytest.fixture
def stopped_domain(conn):
    import libvirt
    name = "scsi-virt-stopped"
    try:
        conn.lookupByName(name).undefine()
    except libvirt.libvirtError:
        pass
    dom = conn.defineXML(STOPPED.format(name=name))
    yield dom
    dom.undefine()


def _xml(dom, live=False):
    import libvirt
    return dom.XMLDesc(0 if live else libvirt.VIR_DOMAIN_XML_INACTIVE)


def test_check_mode_on_a_running_guest_changes_nothing_and_predicts(clean_guest, run_module):
    dom = clean_guest
    args = {"uri": URI, "domain": GUEST, "luns": [{"iscsi": iscsi(1)}, {"iscsi": iscsi(2), "readonly": True}]}
    before = (_xml(dom), _xml(dom, live=True))
    check = run_module("domain_disk_lun", args, check_mode=True, diff=True)
    assert check.changed and check["live_changed"] and check["config_changed"]
    assert (_xml(dom), _xml(dom, live=True)) == before
    assert check["diff"]["after"].count('device="lun"') == 2
    run = run_module("domain_disk_lun", args)
    assert run.changed and [lun["address"]["target"] for lun in run["luns"]] == [0, 1]
    seen = run_module("guest_scsi_info", {"uri": URI, "domain": GUEST, "wait": 20, "expect": [
        {"wwn": "60000000000000000e00000000010001"}, {"address": "0:0:1:0", "size": 33554432}]})
    assert not seen.failed, seen
    after = (_xml(dom), _xml(dom, live=True))
    again = run_module("domain_disk_lun", args, check_mode=True)
    assert not again.changed
    assert not run_module("domain_disk_lun", args).changed
    assert (_xml(dom), _xml(dom, live=True)) == after


def test_results_fed_back_change_nothing_live_or_config(clean_guest, run_module):
    """On a running guest (real libvirt and QEMU): each module's own result items, and domain_scsi_info's from the
    persistent and the live XML, given back as luns/hostdevs change neither side."""
    dom = clean_guest
    disks = run_module("domain_disk_lun", {"uri": URI, "domain": GUEST, "luns": [
        {"iscsi": iscsi(1), "address": {"target": 3, "unit": 0}, "cache": "none", "error_policy": "report"}]})
    hostdevs = run_module("scsi_hostdev", {"uri": URI, "domain": GUEST,
                                           "hostdevs": [{"iscsi": iscsi(2), "readonly": True}]})
    assert disks.changed and hostdevs.changed, (disks, hostdevs)
    before = (_xml(dom), _xml(dom, live=True))
    feeds = [("luns", disks["luns"]), ("hostdevs", hostdevs["hostdevs"])]
    for live in (False, True):
        info = run_module("domain_scsi_info", {"uri": URI, "domain": GUEST, "live": live})["domains"][0]
        feeds += [("luns", info["luns"]), ("hostdevs", info["hostdevs"])]
    for option, items in feeds:
        assert len(items) == 1, (option, items)
        module = "domain_disk_lun" if option == "luns" else "scsi_hostdev"
        again = run_module(module, {"uri": URI, "domain": GUEST, option: items, "exclusive": True})
        assert not again.failed and not again.changed, (option, items, again)
    assert (_xml(dom), _xml(dom, live=True)) == before


def test_failed_live_attach_leaves_the_config_unchanged(clean_guest, run_module):
    dom = clean_guest
    before = _xml(dom)
    # LUN 9 does not exist on the target: QEMU refuses the hotplug.
    result = run_module("domain_disk_lun", {"uri": URI, "domain": GUEST, "iscsi": iscsi(9)})
    assert result.failed and "nothing was written to the persistent config" in result["msg"], result
    assert _xml(dom) == before
    assert "lab/9" not in _xml(dom, live=True)


def test_failed_config_write_rolls_the_live_attach_back(clean_guest, run_module, monkeypatch):
    dom = clean_guest

    def broken_define(self, xml_text, name):
        raise ScsiVirtError("injected: defineXML failed")
    monkeypatch.setattr(_connection.Hypervisor, "define_domain", broken_define)
    before = _xml(dom)
    result = run_module("domain_disk_lun", {"uri": URI, "domain": GUEST, "iscsi": iscsi(1)})
    assert result.failed and "live changes were rolled back" in result["msg"], result
    assert _xml(dom) == before
    gone = run_module("guest_scsi_info", {"uri": URI, "domain": GUEST, "wait": 20,
                                          "absent": [{"wwn": "60000000000000000e00000000010001"}]})
    assert not gone.failed, gone
    assert "lab/1" not in _xml(dom, live=True)


def test_stopped_guest_gets_a_config_only_change(stopped_domain, run_module):
    result = run_module("domain_disk_lun", {"uri": URI, "domain": stopped_domain.name(), "iscsi": iscsi(1)})
    assert result.changed and result["config_changed"] and not result["live_changed"]
    assert "lab/1" in _xml(stopped_domain)
    live = run_module("domain_disk_lun", {"uri": URI, "domain": stopped_domain.name(), "iscsi": iscsi(2),
                                          "live": True})
    assert live.failed and live["msg"].startswith("live:")


def test_libvirt_rejections_are_caught_before_writing(clean_guest, run_module):
    dom = clean_guest
    before = _xml(dom)
    for args, field in (({"iscsi": iscsi(1), "sgio": "unfiltered"}, "sgio"),
                        ({"iscsi": iscsi(1), "serial": "abc"}, "serial"),
                        ({"dev": "/dev/sdzz"}, "dev"),
                        ({"dev": "/dev/null"}, "dev")):
        result = run_module("domain_disk_lun", dict(args, uri=URI, domain=GUEST))
        assert result.failed and result["msg"].startswith(field + ":"), result
    assert _xml(dom) == before


def test_eight_parallel_forks_add_eight_luns_none_lost(stopped_domain, tmp_path):
    """Eight Ansible forks each add one LUN to the same domain: the per-domain lock keeps all eight."""
    name = stopped_domain.name()
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(json.dumps({"all": {"hosts": {"fork%d" % i: {"lun": i} for i in range(1, 9)},
                                             "vars": {"ansible_connection": "local",
                                                      "ansible_python_interpreter": sys.executable}}}))
    playbook = tmp_path / "parallel.yml"
    playbook.write_text(json.dumps([{"hosts": "all", "gather_facts": False, "tasks": [{
        "scsi.virt.domain_disk_lun": {"uri": URI, "domain": name, "iscsi": {
            "host": "127.0.0.1", "target": IQN, "lun": "{{ lun }}"}}}]}]))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "build", "collections"))
    run = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", str(inventory),
                          "-f", "8", str(playbook)], capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 0, run.stdout[-3000:]
    xml = _xml(stopped_domain)
    present = [i for i in range(1, 9) if "%s/%d'" % (IQN, i) in xml]
    print("8 parallel forks: %d of 8 LUNs in the config" % len(present))
    assert present == list(range(1, 9))
    assert xml.count("<controller type='scsi'") == 1


def test_secret_password_never_shown(conn, tmp_path, stopped_domain):
    import libvirt
    password = "s3cr3t-Chap-Pass-%d" % os.getpid()
    playbook = tmp_path / "secret.yml"
    playbook.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"scsi.virt.libvirt_secret": {"uri": URI, "usage": "lab-chap", "password": password}},
        {"scsi.virt.libvirt_secret": {"uri": URI, "usage": "lab-chap", "password": password}, "register": "again"},
        {"ansible.builtin.assert": {"that": ["not again.changed"]}},
        {"scsi.virt.domain_disk_lun": {"uri": URI, "domain": stopped_domain.name(), "iscsi": {
            "host": "127.0.0.1", "target": IQN, "lun": 1,
            "auth": {"username": "lab", "secret_usage": "lab-chap"}}}},
    ]}]))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "build", "collections"),
               ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    try:
        run = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
                              "-c", "local", "-vvv", "--diff", str(playbook)],
                             capture_output=True, text=True, env=env, check=False)
        assert run.returncode == 0, run.stdout[-3000:]
        assert password not in run.stdout + run.stderr
        xml = _xml(stopped_domain)
        assert "usage='lab-chap'" in xml and password not in xml
        secret = conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_ISCSI, "lab-chap")
        assert "private='yes'" in secret.XMLDesc(0)
    finally:
        try:
            conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_ISCSI, "lab-chap").undefine()
        except libvirt.libvirtError:
            pass
