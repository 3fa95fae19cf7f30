# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os

from ansible_collections.scsi.virt.plugins.module_utils import _discovery
from ansible_collections.scsi.virt.plugins.module_utils._types import wwn_from_udev_id


def test_host_links_and_wwid_from_a_fake_tree(tmp_path, monkeypatch):
    dev = tmp_path / "dev"
    (dev / "disk/by-path").mkdir(parents=True)
    (dev / "disk/by-id").mkdir(parents=True)
    (dev / "sdb").write_text("")
    (dev / "sdc").write_text("")
    os.symlink("../../sdb", dev / "disk/by-path/pci-0000:04:00.1-fc-0x203500a0b85ad1d7-lun-1")
    os.symlink("../../sdb", dev / "disk/by-id/wwn-0x6001405abcdef012")
    os.symlink("../../sdc", dev / "disk/by-id/wwn-0x6001405abcdef099")
    (tmp_path / "sys/block/sdb/device").mkdir(parents=True)
    (tmp_path / "sys/block/sdb/device/wwid").write_text("naa.6001405abcdef012\n")
    monkeypatch.setattr(_discovery, "DEV_DISK", str(dev / "disk"))
    monkeypatch.setattr(_discovery, "SYSFS", str(tmp_path / "sys"))
    links = _discovery.host_links("/dev/sdb")
    assert [os.path.basename(p) for p in links["by_path"]] == ["pci-0000:04:00.1-fc-0x203500a0b85ad1d7-lun-1"]
    assert [os.path.basename(p) for p in links["by_id"]] == ["wwn-0x6001405abcdef012"]
    assert _discovery.sysfs_wwid("/dev/sdb") == "naa.6001405abcdef012"
    assert _discovery.wwn_from_wwid(_discovery.sysfs_wwid("/dev/sdb")) == "6001405abcdef012"
    assert _discovery.sysfs_wwid("/dev/sdc") is None


def test_wwn_from_pool_volume_key_and_udev_serial():
    assert wwn_from_udev_id("36001405aaaaaaaa2") == "6001405aaaaaaaa2"
    assert wwn_from_udev_id("3600140500000000000000000000000AB") == "600140500000000000000000000000ab"
    assert wwn_from_udev_id("/var/lib/libvirt/images/disk1.img") is None
    assert wwn_from_udev_id("3600") is None
    # A t10 or vendor serial (no NAA designator) carries no WWN.
    assert wwn_from_udev_id("SATA_QEMU_HARDDISK_QM00001") is None
    assert wwn_from_udev_id(None) is None
