# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""domain_disk_lun's reservations, driver options, emulated mode and LUN identity on libvirt's test driver:
check -> run -> check -> run. What libvirt 9.0's QEMU driver itself accepts is proven in tests/lab."""

from __future__ import annotations

import libvirt
import pytest

from test_domain_devices import four_steps, xml  # pylint: disable=import-error

IQN = "iqn.2026-11.io.scsi-virt:lab"
WWN = "6001405abcdef012"


@pytest.mark.parametrize("options, expected", [
    ({"wwn": WWN, "reservations": {"managed": True}, "shareable": True},
     ["<reservations managed='yes'/>", "<shareable/>"]),
    ({"dev": "/dev/sdb", "reservations": {"managed": False, "source_path": "/run/qemu-pr-helper.sock"}},
     ["<reservations managed='no'>", "<source type='unix' path='/run/qemu-pr-helper.sock' mode='client'/>"]),
    ({"wwn": WWN, "error_policy": "report", "rerror_policy": "report", "cache": "none", "io": "native",
      "discard": "unmap"},
     ["cache='none'", "error_policy='report'", "rerror_policy='report'", "io='native'", "discard='unmap'"]),
    ({"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 1}, "error_policy": "enospace", "io": "io_uring",
      "cache": "writethrough"}, ["error_policy='enospace'", "io='io_uring'", "cache='writethrough'"]),
    ({"device": "disk", "wwn": WWN, "serial": "DB01-DATA", "vendor": "ACME", "product": "SCRATCH"},
     ["device='disk'", "<wwn>%s</wwn>" % WWN, "<serial>DB01-DATA</serial>", "<vendor>ACME</vendor>",
      "<product>SCRATCH</product>"]),
    ({"device": "disk", "iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 2}, "cache": "writeback",
      "discard": "unmap"}, ["device='disk'", "protocol='iscsi'", "cache='writeback'"]),
], ids=["reservations-managed", "reservations-socket", "driver-block", "driver-iscsi", "disk-mode-wwn",
        "disk-mode-iscsi"])
def test_new_options_four_steps(test_node, run_module, options, expected):
    uri, conn = test_node
    run = four_steps(conn, run_module, "domain_disk_lun", dict({"uri": uri, "domain": "guest-off"}, **options))
    text = xml(conn, "guest-off")
    for fragment in expected:
        assert fragment in text, (fragment, text)
    [lun] = run["luns"]
    assert lun["device"] == options.get("device", "lun")
    if options.get("device") == "disk":
        assert "sgio" not in text and "rawio" not in text  # libvirt refuses both on device='disk'
    else:
        assert lun["sgio"] == "filtered"


def test_options_change_in_place_and_leaving_them_out_keeps_them(test_node, run_module):
    uri, conn = test_node
    args = {"uri": uri, "domain": "guest-off", "wwn": WWN}
    socket = {"managed": False, "source_path": "/run/pr.sock"}
    four_steps(conn, run_module, "domain_disk_lun", dict(args, reservations=socket))
    managed = run_module("domain_disk_lun", dict(args, reservations={"managed": True}, cache="none"), diff=True)
    [change] = managed["changes"]
    assert change["action"] == "update"
    assert change["fields"]["reservations_managed"] == {"before": False, "after": True}
    assert change["fields"]["reservations_path"] == {"before": "/run/pr.sock", "after": None}
    assert "pr.sock" in managed["diff"]["before"] and "pr.sock" not in managed["diff"]["after"]
    text = xml(conn, "guest-off")
    assert "<reservations managed='yes'/>" in text and "pr.sock" not in text
    # Options left out are "don't care": a bare re-assert changes nothing.
    assert not run_module("domain_disk_lun", args).changed
    assert "cache='none'" in xml(conn, "guest-off")


def test_one_lun_in_any_spelling_is_one_disk(test_node, run_module, lun_tree):
    """Identity is the WWID resolved on the hypervisor (a generated /dev + /sys of real shape)."""
    uri, conn = test_node
    base = {"uri": uri, "domain": "guest-off"}
    first = four_steps(conn, run_module, "domain_disk_lun", dict(base, wwn="0x" + lun_tree["wwn_b"]))
    attached = xml(conn, "guest-off")
    for name in ("sdb", "by_path_b", "scsi_id_b", "by_id_b"):
        for check_mode in (True, False):
            again = run_module("domain_disk_lun", dict(base, dev=lun_tree[name]), check_mode=check_mode)
            assert not again.changed, (name, again)
            assert len(again["luns"]) == 1 and again["luns"][0]["dev"] == first["luns"][0]["dev"]
    assert xml(conn, "guest-off") == attached
    # An option through another spelling updates that one disk, keeping the path it was attached with.
    update = run_module("domain_disk_lun", dict(base, dev=lun_tree["by_path_b"], error_policy="report"))
    assert [c["action"] for c in update["changes"]] == ["update"]
    assert update["luns"][0]["dev"] == "/dev/disk/by-id/wwn-0x" + lun_tree["wwn_b"]
    # Another LUN is another disk; exclusive keeps the listed LUN whatever its spelling.
    other = run_module("domain_disk_lun", dict(base, dev=lun_tree["sdc"]))
    assert [c["action"] for c in other["changes"]] == ["add"]
    only = run_module("domain_disk_lun", dict(base, luns=[{"dev": lun_tree["sdb"]}], exclusive=True))
    assert [c["action"] for c in only["changes"]] == ["remove"] and "sdc" in only["changes"][0]["device"]
    # state: absent in another spelling detaches it.
    gone = run_module("domain_disk_lun", dict(base, dev=lun_tree["by_path_b"], state="absent"))
    assert [c["action"] for c in gone["changes"]] == ["remove"]
    assert "device='lun'" not in xml(conn, "guest-off")


TWICE = """<domain type='test'><name>guest-twice</name><memory unit='KiB'>262144</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type></os><devices>
<controller type='scsi' index='0' model='virtio-scsi'/>
<disk type='block' device='lun' sgio='filtered'><driver name='qemu' type='raw'/><source dev='{a}'/>
<target dev='sda' bus='scsi'/><address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>
<disk type='block' device='lun' sgio='filtered'><driver name='qemu' type='raw'/><source dev='{b}'/>
<target dev='sdb' bus='scsi'/><address type='drive' controller='0' bus='0' target='1' unit='0'/></disk>
<disk type='block' device='lun' sgio='filtered'><driver name='qemu' type='raw'/><source dev='{c}'/>
<target dev='sdc' bus='scsi'/><address type='drive' controller='0' bus='0' target='2' unit='0'/></disk>
</devices></domain>"""


@pytest.mark.parametrize("spelled", ["by_id", "by_path"])
def test_a_lun_attached_twice_is_reported_twice_and_absent_removes_both(test_node, run_module, lun_tree, spelled):
    uri, conn = test_node
    wwn_link = "/dev/disk/by-id/wwn-0x" + lun_tree["wwn_b"]
    # Twice by the same path, or once by-id and once by-path (libvirt takes both).
    second = wwn_link if spelled == "by_id" else lun_tree["by_path_b"]
    conn.defineXML(TWICE.format(a=wwn_link, b=second, c=lun_tree["sdc"]))
    base = {"uri": uri, "domain": "guest-twice"}
    info = run_module("domain_scsi_info", base)
    assert [lun["target_dev"] for lun in info["domains"][0]["luns"]] == ["sda", "sdb", "sdc"], info
    present = run_module("domain_disk_lun", dict(base, dev=lun_tree["sdb"]))
    assert present.failed and "attached 2 times (sda at 0:0:0:0, sdb at 0:0:1:0)" in present["msg"], present
    check = run_module("domain_disk_lun", dict(base, wwn=lun_tree["wwn_b"], state="absent"), check_mode=True)
    assert [c["action"] for c in check["changes"]] == ["remove", "remove"]
    assert len(run_module("domain_scsi_info", base)["domains"][0]["luns"]) == 3
    run = run_module("domain_disk_lun", dict(base, wwn=lun_tree["wwn_b"], state="absent"))
    assert [c["action"] for c in run["changes"]] == ["remove", "remove"] and run["luns"] == []
    assert [lun["target_dev"] for lun in run_module("domain_scsi_info", base)["domains"][0]["luns"]] == ["sdc"]
    assert not run_module("domain_disk_lun", dict(base, wwn=lun_tree["wwn_b"], state="absent")).changed


def test_emulated_and_passthrough_modes_of_one_lun(test_node, run_module, lun_tree):
    uri, conn = test_node
    base = {"uri": uri, "domain": "guest-off"}
    assert run_module("domain_disk_lun", dict(base, dev=lun_tree["sdc"], device="disk", serial="S1")).changed
    other_mode = run_module("domain_disk_lun", dict(base, wwn=lun_tree["wwn_c"]))
    assert other_mode.failed and other_mode["msg"].startswith("device: domain 'guest-off' already has this LUN as "
                                                              "emulated (device=disk) block LUN /dev/sdc")
    # exclusive never detaches emulated disks (the guest's own system disk may be one) ...
    lun = run_module("domain_disk_lun", dict(base, luns=[{"wwn": lun_tree["wwn_b"]}], exclusive=True))
    assert [c["action"] for c in lun["changes"]] == ["add"] and "<serial>S1</serial>" in xml(conn, "guest-off")
    # ... and state: absent detaches a LUN in whichever mode it is attached.
    gone = run_module("domain_disk_lun", dict(base, wwn=lun_tree["wwn_c"], state="absent"))
    assert [c["action"] for c in gone["changes"]] == ["remove"] and "<serial>" not in xml(conn, "guest-off")
    domain = conn.lookupByName("guest-off").XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    assert "<source file='/var/lib/libvirt/images/guest-off.qcow2'/>" in domain


RUNNING = """<domain type='test'><name>guest-live-lun</name><memory unit='KiB'>262144</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type></os><devices><controller type='scsi' index='0' model='virtio-scsi'/>
<disk type='block' device='lun' sgio='filtered'><driver name='qemu' type='raw'/><source dev='/dev/sdb'/>
<target dev='sda' bus='scsi'/><address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>
</devices></domain>"""


@pytest.mark.parametrize("option", [{"cache": "none"}, {"io": "threads"}, {"discard": "unmap"},
                                    {"error_policy": "report"}, {"rerror_policy": "stop"}, {"readonly": True}])
def test_fields_libvirt_cannot_update_live_are_refused_before_writing(test_node, run_module, option):
    """libvirt 9.0 refuses to update them on a running guest (measured in tests/lab/test_lun_options.py)."""
    uri, conn = test_node
    dom = conn.createXML(RUNNING, 0)
    args = dict({"uri": uri, "domain": "guest-live-lun", "dev": "/dev/sdb"}, **option)
    name = list(option)[0]
    before = dom.XMLDesc(0)
    for check_mode in (True, False):
        refused = run_module("domain_disk_lun", args, check_mode=check_mode)
        assert refused.failed and refused["msg"].startswith(
            "%s: %s cannot be changed on the running domain 'guest-live-lun'" % (name, name)), refused
        assert "live: false" in refused["msg"] and dom.XMLDesc(0) == before
