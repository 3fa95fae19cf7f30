# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The guest-side SCSI listing: the script's output format and the LUN checks."""

from __future__ import annotations

import subprocess

import pytest

from ansible_collections.scsi.virt.plugins.module_utils._errors import ScsiVirtError
from ansible_collections.scsi.virt.plugins.module_utils._guest import (
    LIST_SCRIPT, lun_problems, parse_guest_scsi, wwn_from_wwid)


def _fake_sysfs(root, address, attrs, block=None, sectors=None):
    dev = root / "sys/bus/scsi/devices" / address
    dev.mkdir(parents=True)
    for key, value in attrs.items():
        (dev / key).write_text(value + "\n")
    if block:
        (dev / "block" / block).mkdir(parents=True)
        (dev / "block" / block / "size").write_text("%d\n" % sectors)
    return dev


def test_list_script_output_parses_back(tmp_path):
    """Run the real script (sh) over a fake sysfs tree and parse what it prints."""
    disk = {"vendor": "IET     ", "model": "VIRTUAL-DISK    ", "rev": "0001", "type": "0", "state": "running",
            "wwid": "naa.60000000000000000e00000000010001"}
    _fake_sysfs(tmp_path, "0:0:0:1", disk, "sda", 131072)
    _fake_sysfs(tmp_path, "2:0:5:0", {"vendor": "QEMU", "model": "QEMU CD-ROM", "type": "5",
                                      "wwid": "t10.QEMU    QEMU CD-ROM"})
    script = LIST_SCRIPT.replace("/sys/bus", str(tmp_path / "sys/bus"))
    out = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True).stdout
    devices = {d["address"]: d for d in parse_guest_scsi(out)}
    disk = devices["0:0:0:1"]
    assert (disk["host"], disk["bus"], disk["target"], disk["lun"]) == (0, 0, 0, 1)
    assert disk["vendor"] == "IET" and disk["model"] == "VIRTUAL-DISK"
    assert disk["wwn"] == "60000000000000000e00000000010001"
    assert disk["block"] == "sda" and disk["size"] == 131072 * 512 and disk["type"] == 0
    cdrom = devices["2:0:5:0"]
    assert cdrom["wwn"] is None and cdrom["block"] is None and cdrom["size"] is None and cdrom["type"] == 5


def test_wwn_from_wwid():
    assert wwn_from_wwid("naa.6001405ABCDEF012") == "6001405abcdef012"
    assert wwn_from_wwid("t10.ATA     QEMU HARDDISK") is None
    assert wwn_from_wwid(None) is None


DEVICES = [
    {"address": "0:0:0:1", "vendor": "IET", "model": "VIRTUAL-DISK", "wwn": "60000000000000000e00000000010001",
     "size": 67108864, "readable": True},
    {"address": "0:0:1:0", "vendor": "IET", "model": "VIRTUAL-DISK", "wwn": "60000000000000000e00000000010002",
     "size": 33554432, "readable": True},
]


def test_expected_luns_found_by_wwn_in_any_spelling_or_address():
    assert lun_problems(DEVICES, [{"wwn": "naa.60000000000000000E00000000010001"},
                                  {"wwn": "0x60000000000000000e00000000010002", "vendor": "IET",
                                   "size": 33554432, "readable": True},
                                  {"address": "0:0:0:1", "min_size": 1024}]) == []


@pytest.mark.parametrize("spec, fragment", [
    ({"wwn": "60000000000000000e00000000010009"}, "is not in the guest"),
    ({"address": "0:0:9:0"}, "is not in the guest"),
    ({"wwn": "60000000000000000e00000000010001", "vendor": "LIO-ORG"}, "vendor is 'IET', expected 'LIO-ORG'"),
    ({"wwn": "60000000000000000e00000000010001", "size": 1}, "size is 67108864"),
    ({"wwn": "60000000000000000e00000000010001", "min_size": 10 ** 12}, "below"),
    ({"wwn": "60000000000000000e00000000010001", "address": "0:0:1:0"}, "is not in the guest"),
])
def test_each_mismatch_is_named(spec, fragment):
    problems = lun_problems(DEVICES, [spec])
    assert len(problems) == 1 and fragment in problems[0]
    assert "LUN" in problems[0]


def test_absent_luns_and_bad_specs():
    assert lun_problems(DEVICES, absent=[{"wwn": "60000000000000000e00000000010009"}]) == []
    assert "still in the guest" in lun_problems(DEVICES, absent=[{"address": "0:0:1:0"}])[0]
    with pytest.raises(ScsiVirtError, match=r"^expect\[0\]: each LUN needs wwn or address"):
        lun_problems(DEVICES, [{"vendor": "IET"}])
    with pytest.raises(ScsiVirtError, match=r"^absent\[0\]: each LUN needs wwn or address"):
        lun_problems(DEVICES, absent=[{}])


@pytest.mark.parametrize("expected, absent, message", [
    ([{"wwn": "12"}], None, r"^expect\[0\]\.wwn: expected a LUN WWN of 16 or 32 hex digits"),
    ([{"wwn": "60000000000000000e00000000010001"}, {"address": "0:0:1"}], None,
     r"^expect\[1\]\.address: expected a SCSI address 'host:bus:target:lun'"),
    ([{"address": "0:0:0:0", "wwm": "x"}], None,
     r"^expect\[0\]: Unsupported parameters: wwm\. Supported parameters include: address, min_size"),
    ([{"address": "0:0:0:0", "min_size": "big"}], None,
     r"^expect\[0\]: argument 'min_size' is of type str and we were unable to convert to int"),
    (None, [{"wwn": "60000000000000000e00000000010001", "vendor": "IET"}],
     r"^absent\[0\]: Unsupported parameters: vendor\. Supported parameters include: address, wwn\."),
    (None, ["0:0:0:0"], r"^absent\[0\]: expected a dict with wwn and/or address"),
])
def test_malformed_lun_specs_are_named_by_position(expected, absent, message):
    with pytest.raises(ScsiVirtError, match=message):
        lun_problems(DEVICES, expected, absent)


def test_lun_specs_match_in_any_wwn_spelling():
    assert lun_problems(DEVICES, [{"wwn": "0x60000000000000000E00000000010001", "address": " 0:0:0:1 "}]) == []
