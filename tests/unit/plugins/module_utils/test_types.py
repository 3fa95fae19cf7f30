# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.scsi.virt.plugins.module_utils._errors import ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._types import (
    DriveAddress, PciAddress, ScsiAddress, parse_block_path, parse_iqn, parse_lun_wwn, parse_object_name,
    parse_target_dev, parse_vhost_wwpn, parse_wwn, target_dev_index, target_dev_name)


@pytest.mark.parametrize("text", ["5001a4a000000001", "0x5001A4A000000001", "50:01:a4:a0:00:00:00:01",
                                  "50-01-A4-A0-00-00-00-01", " 5001a4a000000001 "])
def test_wwn_spellings_normalize(text):
    assert parse_wwn(text, "wwpn") == "5001a4a000000001"


@pytest.mark.parametrize("text", ["5001a4a", "5001a4a0000000011", "zz01a4a000000001", "", "0x", "50:01:a4",
                                  "5001a4a00000000g", "naa.5001a4a000000001"])
def test_bad_wwns_name_the_field_and_form(text):
    with pytest.raises(ValidationError) as exc:
        parse_wwn(text, "wwpn")
    assert exc.value.msg.startswith("wwpn: expected 16 hex digits") and repr(text) in exc.value.msg


def test_lun_wwn_16_or_32_digits():
    assert parse_lun_wwn("naa.6001405ABCDEF012", "wwn") == "6001405abcdef012"
    assert parse_lun_wwn("0x60000000000000000e00000000010001", "wwn") == "60000000000000000e00000000010001"
    for bad in ("6001405abcdef01", "0x6001405abcdef012aa", "t10.IET"):
        with pytest.raises(ValidationError, match="^wwn: expected a LUN WWN"):
            parse_lun_wwn(bad, "wwn")


@pytest.mark.parametrize("good", ["iqn.2026-11.io.scsi-virt:lab", "IQN.2001-04.com.Example:Storage.Disk2",
                                  "iqn.1992-01.com.example", "eui.02004567A425678D", "naa.52004567BA64678D"])
def test_iqns(good):
    assert parse_iqn(good, "iscsi.target") == good.lower()


@pytest.mark.parametrize("bad", ["iqn.26-11.io.x:y", "iqn.2026-11", "lab", "iqn.2026-11.io.x:a/b", "eui.123",
                                 "iqn.2026-11.io.x:" + "a" * 300])
def test_bad_iqns(bad):
    with pytest.raises(ValidationError, match="^iscsi.target: expected an iSCSI name"):
        parse_iqn(bad, "iscsi.target")


def test_vhost_wwpn():
    assert parse_vhost_wwpn("5001405DF3E54061", "vhost_wwpn") == "naa.5001405df3e54061"
    with pytest.raises(ValidationError, match="^vhost_wwpn:"):
        parse_vhost_wwpn("naa.5001", "vhost_wwpn")


def test_scsi_address():
    address = ScsiAddress.parse("3:0:2:1", "lun")
    assert tuple(address) == (3, 0, 2, 1) and str(address) == "3:0:2:1" and address.nodedev_name == "scsi_3_0_2_1"
    assert ScsiAddress.parse({"host": 1, "bus": 0, "target": 0, "unit": 5}, "lun").unit == 5
    for bad in ("3:0:2", "a:b:c:d", "-1:0:0:0", "1:0:0:"):
        with pytest.raises(ValidationError, match="^lun:"):
            ScsiAddress.parse(bad, "lun")


def test_drive_address_limits():
    assert DriveAddress.parse({"target": 255, "unit": 16383}, "address") == (0, 0, 255, 16383)
    assert DriveAddress.parse("1:0:2:3", "address") == (1, 0, 2, 3)
    assert DriveAddress.parse(None, "address") is None
    cases = [({"target": 0, "unit": 0, "bus": 1}, "address.bus: must be 0"),
             ({"target": 256, "unit": 0}, "address.target: expected an integer from 0 to 255"),
             ({"target": 0, "unit": 16384}, "address.unit: expected an integer from 0 to 16383"),
             ({"target": 0}, "address.unit: is required"),
             ({"target": 0, "unit": 0, "lun": 1}, "address: unknown keys ['lun']"),
             ({"target": True, "unit": 0}, "address.target: expected an integer"),
             ("0:0:0", "address: expected 'controller:bus:target:unit'")]
    for value, message in cases:
        with pytest.raises(ValidationError) as exc:
            DriveAddress.parse(value, "address")
        assert exc.value.msg.startswith(message), exc.value.msg


def test_pci_address():
    pci = PciAddress.parse("0000:00:1f.2", "pci")
    assert tuple(pci) == (0, 0, 0x1f, 2) and str(pci) == "0000:00:1f.2"
    assert PciAddress.parse("04:00.1", "pci") == (0, 4, 0, 1)
    assert pci.xml_attrs() == {"domain": "0x0000", "bus": "0x00", "slot": "0x1f", "function": "0x2"}
    for bad in ("00:zz.1", "0000:00:1f", "0000:00:20.0", "0000:00:1f.8"):
        with pytest.raises(ValidationError, match="^pci:"):
            PciAddress.parse(bad, "pci")


def test_target_dev_names_round_trip():
    assert [target_dev_name(i) for i in (0, 25, 26, 701, 702)] == ["sda", "sdz", "sdaa", "sdzz", "sdaaa"]
    assert all(target_dev_index(target_dev_name(i)) == i for i in range(2000))
    assert parse_target_dev("sdab", "target_dev") == "sdab"
    for bad in ("vdb", "sd", "sdA", "sd1"):
        with pytest.raises(ValidationError, match="^target_dev:"):
            parse_target_dev(bad, "target_dev")


@pytest.mark.parametrize("bad", ["a<b", "x'y", 'q"', "a&b", "", "a b", "x" * 256, "a/b"])
def test_object_names_refuse_xml_special_characters(bad):
    with pytest.raises(ValidationError, match="^domain:"):
        parse_object_name(bad, "domain")


def test_block_paths():
    assert parse_block_path("/dev/disk/by-id/wwn-0x6001405abcdef012", "dev").startswith("/dev/")
    for bad in ("sdb", "/tmp/x", "/dev/sd<b>", "/dev/a b", "/dev/'x"):
        with pytest.raises(ValidationError, match="^dev: expected an absolute block device path"):
            parse_block_path(bad, "dev")
