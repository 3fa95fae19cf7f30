# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The local (sysfs) side of multipath discovery, on a sysfs-shaped tree generated in a tmp dir: the layout the
kernel gives a dm-multipath map (block/dm-N/dm/{uuid,name}, slaves/, holders/) and an LVM volume beside it."""

from __future__ import annotations

import os

import pytest

from ansible_collections.scsi.virt.plugins.module_utils import _lun_options, _multipath
from ansible_collections.scsi.virt.plugins.module_utils._errors import ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._types import wwn_from_udev_names

WWID = "36001405abcdef0123456789abcdef012"


@pytest.fixture
def sysfs(tmp_path):
    root = tmp_path / "sys"
    devices = root / "devices"

    def disk(name, state):
        node = devices / "pseudo_0" / name
        (node / "device").mkdir(parents=True)
        (node / "device" / "state").write_text(state + "\n")
        (node / "holders").mkdir()
        return node

    def dm(name, uuid, mapname, slaves=()):
        node = devices / "virtual" / "block" / name
        (node / "dm").mkdir(parents=True)
        (node / "dm" / "uuid").write_text(uuid + "\n")
        (node / "dm" / "name").write_text(mapname + "\n")
        (node / "size").write_text("32768\n")
        (node / "slaves").mkdir()
        for slave in slaves:
            os.symlink(str(devices / "pseudo_0" / slave), node / "slaves" / slave)
            os.symlink(str(node), devices / "pseudo_0" / slave / "holders" / name)
        return node

    for name, state in (("sda", "running"), ("sdb", "offline"), ("sdc", "running"), ("sdd", "running")):
        disk(name, state)
    dm("dm-0", "LVM-abcdefgh", "vg-root", slaves=["sdd"])
    dm("dm-10", "mpath-" + WWID, "mpathb", slaves=["sdb", "sda"])
    dm("dm-2", "mpath-3600a0b80005ad1d7", "3600a0b80005ad1d7", slaves=["sdc"])
    (root / "block").mkdir()
    for node in list((devices / "pseudo_0").iterdir()) + list((devices / "virtual" / "block").iterdir()):
        os.symlink(str(node), root / "block" / node.name)
    return str(root)


def test_local_maps_group_slaves_with_states(sysfs):
    maps = _multipath.local_maps(sysfs)
    assert [(m["dm"], m["name"], m["wwid"]) for m in maps] == [
        ("dm-2", "3600a0b80005ad1d7", "3600a0b80005ad1d7"), ("dm-10", "mpathb", WWID)]
    mpathb = maps[1]
    assert mpathb["path"] == "/dev/mapper/mpathb" and mpathb["by_id"] == "/dev/disk/by-id/dm-uuid-mpath-" + WWID
    assert mpathb["paths"] == [{"block": "/dev/sda", "state": "running"}, {"block": "/dev/sdb", "state": "offline"}]
    assert mpathb["size"] == 32768 * 512


def test_map_holding_and_dm_identity(sysfs):
    assert _multipath.map_holding("sdb", sysfs) == "mpathb"
    assert _multipath.map_holding("/dev/sdc", sysfs) == "3600a0b80005ad1d7"
    assert _multipath.map_holding("sdd", sysfs) is None  # held by LVM, not multipath
    assert _multipath.dm_identity("dm-0", sysfs) == ("LVM-abcdefgh", "vg-root")
    assert _multipath.dm_identity("sda", sysfs) is None
    assert _multipath.local_maps(os.path.join(sysfs, "nothing")) == []


class LocalHypervisor:
    is_test_driver = False
    is_local = True


def test_single_path_refused_map_and_wwn_resolution(sysfs, monkeypatch, tmp_path):
    monkeypatch.setattr(_lun_options, "SYSFS", sysfs)
    dev = tmp_path / "dev"
    dev.mkdir()
    for name in ("sda", "sdd", "dm-10", "dm-0"):
        (dev / name).write_text("")
    os.symlink(str(dev / "sda"), dev / "wwn-0x6001405abcdef012")
    hypervisor = LocalHypervisor()
    with pytest.raises(ValidationError) as refused:
        _lun_options.check_multipath(hypervisor, str(dev / "sda"), "dev", False, False)
    assert str(refused.value).startswith("dev: is one path of multipath map /dev/mapper/mpathb")
    assert _lun_options.check_multipath(hypervisor, str(dev / "sda"), "dev", False, True) == str(dev / "sda")
    link = str(dev / "wwn-0x6001405abcdef012")
    assert _lun_options.check_multipath(hypervisor, link, "wwn", True, False) == "/dev/mapper/mpathb"
    assert _lun_options.check_multipath(hypervisor, str(dev / "dm-10"), "dev", False, False) == str(dev / "dm-10")
    with pytest.raises(ValidationError) as lvm:
        _lun_options.check_multipath(hypervisor, str(dev / "dm-0"), "dev", False, False)
    assert "not a dm-multipath map" in str(lvm.value) and "LVM-abcdefgh" in str(lvm.value)
    assert _lun_options.check_multipath(hypervisor, str(dev / "sdd"), "dev", False, False) == str(dev / "sdd")


@pytest.mark.parametrize("serial, links, wwn", [
    ("1Linux_scsi_debug_2000", ["/dev/disk/by-id/scsi-1Linux_scsi_debug_2000",
                                "/dev/disk/by-id/wwn-0x33333330000007D0"], "33333330000007d0"),
    ("36001405abcdef012", [], "6001405abcdef012"),
    ("1Linux_scsi_debug_2000", ["/dev/disk/by-id/wwn-0xnothex000000000"], None),
    (None, ["/dev/disk/by-id/wwn-0x6001405abcdef0123456789abcdef012"], "6001405abcdef0123456789abcdef012"),
])
def test_wwn_from_udev_names(serial, links, wwn):
    assert wwn_from_udev_names(serial, links) == wwn


def test_local_rescan_writes_scan_and_lip(tmp_path, monkeypatch):
    from ansible_collections.scsi.virt.plugins.module_utils import _rescan
    from ansible_collections.scsi.virt.plugins.module_utils._devices.nodedev import ScsiHostDevice
    for kind in ("scsi_host", "fc_host"):
        (tmp_path / "class" / kind / "host5").mkdir(parents=True)
        (tmp_path / "class" / kind / "host5" / ("scan" if kind == "scsi_host" else "issue_lip")).write_text("")
    monkeypatch.setattr(_rescan, "SYSFS", str(tmp_path))
    host = ScsiHostDevice(name="scsi_host5", host=5, fc_host=True)
    assert _rescan.rescan_local(host, issue_lip=True) == "sysfs scan after issue_lip"
    assert (tmp_path / "class/scsi_host/host5/scan").read_text() == "- - -"
    assert (tmp_path / "class/fc_host/host5/issue_lip").read_text() == "1"
    (tmp_path / "class/fc_host/host5/issue_lip").write_text("")
    assert _rescan.rescan_local(ScsiHostDevice(name="scsi_host5", host=5), issue_lip=True) == "sysfs scan"
    assert (tmp_path / "class/fc_host/host5/issue_lip").read_text() == ""
