# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One LUN, one identity: paths resolved to the WWID on a generated /dev + /sys tree of real shape."""

from __future__ import annotations

import pytest

from ansible_collections.scsi.virt.plugins.module_utils import _lun_identity
from ansible_collections.scsi.virt.plugins.module_utils._devices.disk_lun import DiskLun, DiskScsi
from ansible_collections.scsi.virt.plugins.module_utils._errors import ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._fragment import DomainPlan

WWN_B, WWN_C, WWN_MPATH = "6001405abcdef012", "6001405abcdef013", "6001405abcdef014"  # tests/conftest.py's tree
NAA_B = "naa." + WWN_B


def test_the_tree_is_the_one_of_conftest(lun_tree):
    assert (lun_tree["wwn_b"], lun_tree["wwn_c"], lun_tree["wwn_mpath"]) == (WWN_B, WWN_C, WWN_MPATH)


@pytest.mark.parametrize("name", ["sdb", "by_id_b", "scsi_id_b", "by_path_b"])
def test_every_spelling_of_one_lun_resolves_to_its_wwid(lun_tree, name):
    assert _lun_identity.resolver().wwid(lun_tree[name]) == NAA_B
    assert _lun_identity.block_identity(lun_tree[name]) == ("wwid", NAA_B)


def test_other_luns_multipath_maps_and_partitions(lun_tree):
    resolve = _lun_identity.resolver()
    assert resolve.wwid(lun_tree["sdc"]) == "naa." + WWN_C
    assert resolve.wwid(lun_tree["mpath"]) == resolve.wwid(lun_tree["dm"]) == "naa." + WWN_MPATH
    assert resolve.block_name(lun_tree["mpath"]) == "dm-3"
    # A partition is not the LUN: it keeps its path as identity (the -part1 link too).
    assert resolve.wwid(lun_tree["sdb1"]) is None and resolve.wwid(lun_tree["part_link_b"]) is None
    assert _lun_identity.block_identity("/dev/sdb1") == ("block", "/dev/sdb1")
    # Missing on this host: a wwn- link name still carries its WWN, any other path is just its name.
    assert resolve.wwid("/dev/disk/by-id/wwn-0x6001405abcdef0ff") == "naa.6001405abcdef0ff"
    assert resolve.wwid("/dev/sdz") is None


def test_a_remote_hypervisor_knows_wwn_links_by_name_only(lun_tree):
    remote = _lun_identity.LunResolver(local=False)
    assert remote.wwid(lun_tree["by_id_b"]) == NAA_B
    assert remote.wwid(lun_tree["sdb"]) is None and remote.wwid(lun_tree["by_path_b"]) is None


def test_symlink_loops_and_dangling_links_resolve_to_nothing(lun_tree, tmp_path):
    byid = tmp_path / "host" / "dev" / "disk" / "by-id"
    (byid / "loop-a").symlink_to("loop-b")
    (byid / "loop-b").symlink_to("loop-a")
    (byid / "gone").symlink_to("../../sdq")
    resolve = _lun_identity.resolver()
    assert resolve.wwid("/dev/disk/by-id/loop-a") is None and resolve.wwid("/dev/disk/by-id/gone") is None


@pytest.mark.parametrize("text, expected", [
    ("naa.6001405ABCDEF012\n", "naa.6001405abcdef012"),
    ("t10.ATA     QEMU HARDDISK                           QM00001 ", "t10.ATA QEMU HARDDISK QM00001"),
    ("eui.0025385B71B07E4A", "eui.0025385b71b07e4a"),
    ("garbage", None),
])
def test_normalize_wwid(text, expected):
    assert _lun_identity.normalize_wwid(text) == expected


@pytest.mark.parametrize("udev_id, expected", [
    ("36001405abcdef012", "naa.6001405abcdef012"), ("20025385b71b07e4a", "eui.0025385b71b07e4a"),
    ("SATA_QEMU_HARDDISK_QM00001", None), ("3", None)])
def test_wwid_from_udev_id(udev_id, expected):
    assert _lun_identity.wwid_from_udev_id(udev_id) == expected


DOMAIN = """<domain type='kvm'><name>db01</name><devices>
<controller type='scsi' index='0' model='virtio-scsi'/>{disks}</devices></domain>"""
DISK = ("<disk type='block' device='{device}'><driver name='qemu' type='raw'/><source dev='{dev}'/>"
        "<target dev='{target}' bus='scsi'/><address type='drive' controller='0' bus='0' target='{t}' unit='0'/></disk>")


def domain(*disks):
    return DOMAIN.format(disks="".join(DISK.format(device=dv, dev=p, target="sd" + "abcdefgh"[t], t=t)
                                       for t, (dv, p) in enumerate(disks)))


def lun(dev, kind=DiskLun, **extra):
    return kind(type="block", dev=dev, target_bus="scsi", driver_name="qemu", driver_type="raw", **extra)


def test_another_spelling_of_an_attached_lun_is_the_same_disk(lun_tree):
    plan = DomainPlan(domain(("lun", lun_tree["sdb"])))
    for name in ("by_id_b", "scsi_id_b", "by_path_b", "sdb"):
        plan.ensure_present(lun(lun_tree[name]))
    assert plan.changes == []
    plan.ensure_present(lun(lun_tree["sdc"]))
    assert [c.action for c in plan.changes] == ["add"]


def test_a_lun_attached_twice_is_two_copies_absent_removes_both_present_refuses(lun_tree):
    text = domain(("lun", lun_tree["sdb"]), ("lun", lun_tree["by_path_b"]), ("lun", lun_tree["sdc"]))
    plan = DomainPlan(text)
    assert len(plan.copies(DiskLun, ("wwid", NAA_B))) == 2 and len(plan.all_of(DiskLun)) == 3
    with pytest.raises(ValidationError) as exc:
        plan.ensure_present(lun(lun_tree["by_id_b"]))
    assert "attached 2 times (sda at 0:0:0:0, sdb at 0:0:1:0)" in exc.value.msg and plan.changes == []
    plan.ensure_absent(lun(lun_tree["by_id_b"]))
    assert [c.action for c in plan.changes] == ["remove", "remove"]
    assert [d.dev for d in plan.all_of(DiskLun)] == [lun_tree["sdc"]]
    # exclusive: every copy of an unlisted LUN goes too.
    plan = DomainPlan(text)
    plan.remove_unlisted(DiskLun, {("wwid", "naa." + WWN_C)})
    assert len(plan.changes) == 2 and [d.dev for d in plan.all_of(DiskLun)] == [lun_tree["sdc"]]


def test_one_lun_is_one_disk_across_modes(lun_tree):
    plan = DomainPlan(domain(("lun", lun_tree["sdb"]), ("disk", lun_tree["sdc"])))
    with pytest.raises(ValidationError) as exc:
        plan.ensure_present(lun(lun_tree["by_id_b"], DiskScsi))
    assert exc.value.msg.startswith("device: domain 'db01' already has this LUN as block LUN /dev/sdb")
    with pytest.raises(ValidationError) as exc:
        plan.ensure_present(lun(lun_tree["sdc"]))
    assert "as emulated (device=disk) block LUN /dev/sdc" in exc.value.msg
    # absent detaches it in whichever mode it is attached.
    plan.ensure_absent(lun("/dev/disk/by-id/wwn-0x" + WWN_C))
    assert [c.action for c in plan.changes] == ["remove"] and plan.all_of(DiskScsi) == []


def test_an_update_through_another_spelling_keeps_the_attached_path(lun_tree):
    plan = DomainPlan(domain(("lun", lun_tree["by_path_b"])))
    plan.ensure_present(lun(lun_tree["sdb"], shareable=True, cache="none"))
    [change] = plan.changes
    assert change.action == "update" and set(change.fields) == {"shareable", "cache"}
    [disk] = plan.all_of(DiskLun)
    assert disk.dev == lun_tree["by_path_b"] and disk.shareable and disk.cache == "none"
