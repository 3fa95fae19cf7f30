# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""domain_disk_lun and scsi_hostdev on libvirt's test driver: check -> run -> check -> run.

The test driver cannot attach live nor refuse what QEMU refuses; tests/lab covers live hotplug,
what the guest sees, rollback and QEMU's refusals.
"""

from __future__ import annotations

import libvirt
import pytest

IQN = "iqn.2026-11.io.scsi-virt:lab"


def xml(conn, name):
    return conn.lookupByName(name).XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)


def four_steps(conn, run_module, module, args, domain="guest-off"):
    before = xml(conn, domain)
    check = run_module(module, args, check_mode=True, diff=True)
    assert check.changed, check
    assert xml(conn, domain) == before
    run = run_module(module, args, diff=True)
    assert run.changed and run["diff"] == check["diff"], run
    after = xml(conn, domain)
    assert after != before
    assert not run_module(module, args, check_mode=True).changed
    again = run_module(module, args)
    assert not again.changed
    assert xml(conn, domain) == after
    return run


@pytest.mark.parametrize("source, expected", [
    ({"dev": "/dev/disk/by-path/pci-0000:04:00.1-fc-0x203500a0b85ad1d7-lun-0"},
     "<source dev='/dev/disk/by-path/pci-0000:04:00.1-fc-0x203500a0b85ad1d7-lun-0'/>"),
    ({"wwn": "naa.6001405ABCDEF012"}, "<source dev='/dev/disk/by-id/wwn-0x6001405abcdef012'/>"),
    ({"pool": "fcpool", "volume": "unit:0:0:2"}, "<source pool='fcpool' volume='unit:0:0:2'/>"),
    ({"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 1, "initiator": "iqn.2026-11.io.scsi-virt:host",
                "auth": {"username": "lab", "secret_usage": "lab-chap"}}},
     "<source protocol='iscsi' name='iqn.2026-11.io.scsi-virt:lab/1'>"),
], ids=["block", "wwn", "pool-volume", "iscsi-auth"])
def test_disk_lun_sources(test_node, run_module, source, expected):
    uri, conn = test_node
    run = four_steps(conn, run_module, "domain_disk_lun", dict({"uri": uri, "domain": "guest-off"}, **source))
    text = xml(conn, "guest-off")
    assert expected in text and "device='lun'" in text and "sgio='filtered'" in text
    assert "<controller type='scsi' index='0' model='virtio-scsi'" in text
    assert "<disk type=\"" in run["diff"]["after"] and run["diff"]["before"] == ""
    assert run["luns"][0]["address"]["target"] == 0 and run["luns"][0]["target_dev"] == "sda"


def test_luns_list_in_one_rewrite_and_options_change_in_place(test_node, run_module):
    uri, conn = test_node
    luns = [{"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": n}} for n in range(1, 5)]
    run = four_steps(conn, run_module, "domain_disk_lun", {"uri": uri, "domain": "guest-off", "luns": luns,
                                                           "controller_queues": 4})
    assert [lun["address"]["target"] for lun in run["luns"]] == [0, 1, 2, 3]
    assert "<driver queues='4'/>" in xml(conn, "guest-off")
    luns[2]["shareable"] = True
    luns[3]["address"] = {"target": 9, "unit": 0}
    change = run_module("domain_disk_lun", {"uri": uri, "domain": "guest-off", "luns": luns})
    assert [c["action"] for c in change["changes"]] == ["update", "update"], change
    assert change["changes"][0]["fields"] == {"shareable": {"before": False, "after": True}}
    assert [lun["address"]["target"] for lun in change["luns"]] == [0, 1, 2, 9]
    assert not run_module("domain_disk_lun", {"uri": uri, "domain": "guest-off", "luns": luns}).changed


def test_absent_and_exclusive(test_node, run_module):
    uri, conn = test_node
    keep = {"pool": "fcpool", "volume": "unit:0:0:1"}
    run = run_module("domain_disk_lun", {"uri": uri, "domain": "guest-legacy", "luns": [keep], "exclusive": True,
                                         "address": None})
    # guest-legacy's only SCSI controller is lsilogic: the new LUN gets a virtio-scsi controller 1,
    # and its old LUN disk (not listed) goes.
    assert [c["action"] for c in run["changes"]] == ["add", "add", "remove"], run
    text = xml(conn, "guest-legacy")
    assert "wwn-0x6001405aaaaaaaa1" not in text and "volume='unit:0:0:1'" in text
    assert "model='virtio-scsi'" in text and "model='lsilogic'" in text
    gone = run_module("domain_disk_lun", dict(keep, uri=uri, domain="guest-legacy", state="absent"))
    assert gone.changed and "volume='unit:0:0:1'" not in xml(conn, "guest-legacy")
    assert not run_module("domain_disk_lun", dict(keep, uri=uri, domain="guest-legacy", state="absent")).changed


def test_running_domain_config_only_and_live_failure_is_clean(test_node, run_module):
    uri, conn = test_node
    args = {"uri": uri, "domain": "guest-run", "dev": "/dev/sdb"}
    before = xml(conn, "guest-run")
    live = run_module("domain_disk_lun", args)
    assert live.failed and "nothing was written to the persistent config" in live["msg"]
    assert xml(conn, "guest-run") == before
    config_only = run_module("domain_disk_lun", dict(args, live=False))
    assert config_only["config_changed"] and not config_only["live_changed"]


@pytest.mark.parametrize("item, expected", [
    ({"adapter": "scsi_host3", "bus": 0, "target": 2, "unit": 0},
     "<adapter name='scsi_host3'/>"),
    ({"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 2}},
     "<source protocol='iscsi' name='iqn.2026-11.io.scsi-virt:lab/2'>"),
    ({"vhost_wwpn": "5001405DF3E54061", "vhost_model": "virtio"},
     "<source protocol='vhost' wwpn='naa.5001405df3e54061'/>"),
], ids=["adapter", "iscsi", "vhost"])
def test_hostdev_kinds(test_node, run_module, item, expected):
    uri, conn = test_node
    four_steps(conn, run_module, "scsi_hostdev", dict({"uri": uri, "domain": "guest-off"}, **item))
    assert expected in xml(conn, "guest-off")


def test_hostdev_on_a_vhba_by_wwn_and_list_exclusive(test_node, run_module):
    uri, conn = test_node
    conn.nodeDeviceCreateXML("<device><parent>scsi_host1</parent><capability type='scsi_host'><capability "
                             "type='fc_host'><wwnn>5001a4a000000011</wwnn><wwpn>5001a4a000000012</wwpn>"
                             "</capability></capability></device>")
    # No LUN node devices behind the test driver's vHBA: refused, naming the LUN it looked for.
    missing = run_module("scsi_hostdev", {"uri": uri, "domain": "guest-off", "adapter_wwnn": "0x5001a4a000000011",
                                          "adapter_wwpn": "5001a4a000000012", "bus": 0, "target": 0, "unit": 0})
    assert missing.failed and "node device scsi_12_0_0_0" in missing["msg"], missing
    items = [{"adapter": "scsi_host3", "bus": 0, "target": 2, "unit": 0},
             {"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 3}}]
    assert run_module("scsi_hostdev", {"uri": uri, "domain": "guest-off", "hostdevs": items}).changed
    only = run_module("scsi_hostdev", {"uri": uri, "domain": "guest-off", "hostdevs": items[1:], "exclusive": True})
    assert [c["action"] for c in only["changes"]] == ["remove"]
    assert "scsi_host3" not in xml(conn, "guest-off")


def test_a_live_only_change_shows_in_changes_and_diff(test_node, run_module):
    """The LUN is in the persistent config but not in the running domain: only the live side changes."""
    uri, conn = test_node
    args = {"uri": uri, "domain": "guest-run", "dev": "/dev/sdb"}
    assert run_module("domain_disk_lun", dict(args, live=False))["config_changed"]
    # The test driver cannot attach live: check mode runs the same plan and reports it.
    plan = run_module("domain_disk_lun", args, check_mode=True, diff=True)
    assert plan.changed and plan["live_changed"] and not plan["config_changed"], plan
    assert {(c["action"], c["device"], c["scope"]) for c in plan["changes"]} == {
        ("add", "SCSI controller 0 (virtio-scsi)", "live"), ("add", "block LUN /dev/sdb", "live")}, plan["changes"]
    assert '<source dev="/dev/sdb"/>' in plan["diff"]["after"] and plan["diff"]["before"] == "", plan["diff"]
    assert "live" in plan["diff"]["after_header"]


TRANSIENT = """<domain type='test'><name>guest-transient</name><memory unit='KiB'>262144</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type></os><devices/></domain>"""


def test_a_transient_domain_is_changed_live_only_never_made_persistent(test_node, run_module):
    uri, conn = test_node
    dom = conn.createXML(TRANSIENT, 0)
    assert not dom.isPersistent()
    args = {"uri": uri, "domain": "guest-transient", "dev": "/dev/sdb"}
    # live: false asks for a config-only change, and a transient domain has no config: refused.
    refused = run_module("domain_disk_lun", dict(args, live=False))
    assert refused.failed and refused["msg"].startswith("live:") and "transient" in refused["msg"], refused
    assert not conn.lookupByName("guest-transient").isPersistent()
    # By default the change is live only, and the result says so.
    plan = run_module("domain_disk_lun", args, check_mode=True)
    assert plan.changed and plan["live_changed"] and not plan["config_changed"], plan
    assert any("transient" in str(w) and "live only" in str(w) for w in plan.get("warnings", [])), plan
    # (the test driver cannot attach live: the real run fails there, and still writes no config)
    run = run_module("domain_disk_lun", args)
    assert run.failed and "nothing was written to the persistent config" in run["msg"], run
    assert not conn.lookupByName("guest-transient").isPersistent()
    hostdev = run_module("scsi_hostdev", {"uri": uri, "domain": "guest-transient", "adapter": "scsi_host3",
                                          "bus": 0, "target": 2, "unit": 0, "live": False})
    assert hostdev.failed and "transient" in hostdev["msg"], hostdev
    assert not conn.lookupByName("guest-transient").isPersistent()


def _with_device(conn, name, device_xml):
    """Put a device into a domain's config the way another tool (virsh edit) would."""
    text = xml(conn, name)
    conn.defineXML(text.replace("</devices>", device_xml + "</devices>"))


ADAPTER_HOSTDEV = """<hostdev mode='subsystem' type='scsi'{extra}><source><adapter name='scsi_host3'/>
<address bus='0' target='2' unit='0'/></source><address type='drive' controller='0' bus='0' target='0' unit='0'/>
</hostdev>"""


def test_hostdev_managed_false_clears_managed_yes(test_node, run_module):
    uri, conn = test_node
    _with_device(conn, "guest-off", "<controller type='scsi' index='0' model='virtio-scsi'/>"
                 + ADAPTER_HOSTDEV.format(extra=" managed='yes'"))
    args = {"uri": uri, "domain": "guest-off", "adapter": "scsi_host3", "bus": 0, "target": 2, "unit": 0,
            "managed": False}
    run = run_module("scsi_hostdev", args)
    assert run.changed and run["changes"][0]["fields"] == {"managed": {"before": True, "after": False}}, run
    assert "managed='yes'" not in xml(conn, "guest-off")
    assert not run_module("scsi_hostdev", args).changed


def test_hostdev_absent_sgio_equals_filtered(test_node, run_module):
    uri, conn = test_node
    _with_device(conn, "guest-off", "<controller type='scsi' index='0' model='virtio-scsi'/>"
                 + ADAPTER_HOSTDEV.format(extra=""))
    before = xml(conn, "guest-off")
    args = {"uri": uri, "domain": "guest-off", "adapter": "scsi_host3", "bus": 0, "target": 2, "unit": 0,
            "sgio": "filtered"}
    assert not run_module("scsi_hostdev", args, check_mode=True).changed
    assert not run_module("scsi_hostdev", args).changed
    assert xml(conn, "guest-off") == before


def test_a_pinned_controller_gets_virtio_scsi_controllers_below_it(test_node, run_module):
    """libvirt fills a gap below a used controller index with its default model (lsilogic on QEMU)."""
    uri, conn = test_node
    _with_device(conn, "guest-off", "<controller type='scsi' index='0' model='virtio-scsi'/>")
    args = {"uri": uri, "domain": "guest-off", "dev": "/dev/sdb",
            "address": {"controller": 2, "target": 0, "unit": 0}}
    run = run_module("domain_disk_lun", args)
    assert run.changed, run
    text = xml(conn, "guest-off")
    for index in (0, 1, 2):
        assert "<controller type='scsi' index='%d' model='virtio-scsi'" % index in text, text
    assert [c["device"] for c in run["changes"]] == [
        "SCSI controller 1 (virtio-scsi)", "SCSI controller 2 (virtio-scsi)", "block LUN /dev/sdb"]
    assert not run_module("domain_disk_lun", args).changed


VIRTIO_LUN = """<disk type='block' device='lun'><driver name='qemu' type='raw'/><source dev='/dev/sdb'/>
<target dev='vdb' bus='virtio'/><address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/></disk>"""


def test_a_lun_on_bus_virtio_is_not_half_moved_to_scsi(test_node, run_module):
    """Re-asserting it would set bus='scsi' and keep the PCI address: libvirt refuses that at define."""
    uri, conn = test_node
    _with_device(conn, "guest-off", VIRTIO_LUN)
    before = xml(conn, "guest-off")
    args = {"uri": uri, "domain": "guest-off", "dev": "/dev/sdb"}
    for check_mode in (True, False):
        result = run_module("domain_disk_lun", args, check_mode=check_mode)
        assert result.failed and "bus='virtio'" in result["msg"] and "/dev/sdb" in result["msg"], result
        assert "state: absent" in result["msg"], result
    assert xml(conn, "guest-off") == before
    # The way out the message names: remove it, then add it again (on virtio-scsi).
    assert run_module("domain_disk_lun", dict(args, state="absent")).changed
    again = run_module("domain_disk_lun", args)
    assert again.changed and again["luns"][0]["address"]["target"] is not None, again
    fragment = xml(conn, "guest-off").split("/dev/sdb")[1].split("</disk>")[0]
    assert "bus='scsi'" in fragment and "type='pci'" not in fragment


PLAIN_SCSI_DISK = """<controller type='scsi' index='0' model='virtio-scsi'/><disk type='file' device='disk'>
<driver name='qemu' type='qcow2'/><source file='/var/lib/libvirt/images/data.qcow2'/><target dev='sda' bus='scsi'/>
<address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>"""


def test_a_conflict_with_a_plain_scsi_disk_names_that_disk(test_node, run_module):
    uri, conn = test_node
    _with_device(conn, "guest-off", PLAIN_SCSI_DISK)
    args = {"uri": uri, "domain": "guest-off", "dev": "/dev/sdb"}
    taken = run_module("domain_disk_lun", dict(args, address={"controller": 0, "target": 0, "unit": 0}))
    assert taken.failed and taken["msg"].startswith("address:"), taken
    assert "unknown" not in taken["msg"] and "sda" in taken["msg"], taken
    assert "/var/lib/libvirt/images/data.qcow2" in taken["msg"], taken
    named = run_module("domain_disk_lun", dict(args, target_dev="sda"))
    assert named.failed and "unknown" not in named["msg"] and "data.qcow2" in named["msg"], named


@pytest.mark.parametrize("module, given, written", [
    ("domain_disk_lun", "::1", "::1"), ("domain_disk_lun", "[fd00::1]", "fd00::1"),
    ("scsi_hostdev", "[FD00:0::1]", "fd00::1"), ("scsi_hostdev", "fd00::a", "fd00::a")])
def test_an_ipv6_iscsi_portal_is_written_bare(test_node, run_module, module, given, written):
    """libvirt wants the address without brackets (it adds them itself: portal "[::1]:3260" in QEMU's args)."""
    uri, conn = test_node
    args = {"uri": uri, "domain": "guest-off", "iscsi": {"host": given, "target": IQN, "lun": 1}}
    run = four_steps(conn, run_module, module, args)
    assert "<host name='%s' port='3260'/>" % written in xml(conn, "guest-off"), xml(conn, "guest-off")
    assert not run.failed


def test_a_volume_of_a_stopped_pool_is_refused_but_can_be_removed(test_node, run_module):
    """libvirt accepts it and the guest fails to start ("storage pool ... is not active")."""
    uri, conn = test_node
    args = {"uri": uri, "domain": "guest-off", "pool": "fcpool", "volume": "unit:0:0:1"}
    assert run_module("domain_disk_lun", args).changed
    conn.storagePoolLookupByName("fcpool").destroy()
    before = xml(conn, "guest-off")
    other = dict(args, volume="unit:0:0:2")
    for check_mode in (True, False):
        refused = run_module("domain_disk_lun", other, check_mode=check_mode)
        assert refused.failed and refused["msg"].startswith("pool:"), refused
        assert "fcpool" in refused["msg"] and "unit:0:0:2" in refused["msg"] and "not active" in refused["msg"]
    assert xml(conn, "guest-off") == before
    # Removing a LUN needs no running pool.
    assert run_module("domain_disk_lun", dict(args, state="absent")).changed
    assert "unit:0:0:1" not in xml(conn, "guest-off")
