# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsing sg_persist and the test write's output (texts recorded from the lab guests), and the PR decisions."""

from __future__ import annotations

import pytest

from ansible_collections.scsi.virt.plugins.module_utils._errors import ScsiVirtError, ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._guest import (
    find_guest_lun, parse_pr_key, parse_pr_status, parse_write_result)
from ansible_collections.scsi.virt.plugins.modules.guest_scsi_pr import would_change

HELD = ("  PR generation=0x2, 2 registered reservation keys follow:\n    0xa1\n    0xb2\n--reservation--\n"
        "  PR generation=0x2, Reservation follows:\n    Key=0xa1\n"
        "    scope: LU_SCOPE,  type: Write Exclusive, registrants only\n")
NONE = ("  PR generation=0x4, there are NO registered reservation keys\n--reservation--\n"
        "  PR generation=0x4, there is NO reservation held\n")
CONFLICT = ("rc=1\nconflicts=0:1\nerror=dd: error writing '/dev/sda': Invalid exchange\n"
            "log=[   29.153723] sd 0:0:0:3: reservation conflict\n")


def test_status_parsed():
    held = parse_pr_status(HELD)
    assert held == {"generation": 2, "keys": ["0xa1", "0xb2"], "reservation": {
        "key": "0xa1", "type": 5, "type_name": "Write Exclusive, registrants only", "scope": "LU_SCOPE"}}
    assert parse_pr_status(NONE) == {"generation": 4, "keys": [], "reservation": None}


def test_write_result():
    refused = parse_write_result(CONFLICT)
    assert refused["reservation_conflict"] and not refused["ok"] and "Invalid exchange" in refused["error"]
    assert refused["kernel_log"] == ["[   29.153723] sd 0:0:0:3: reservation conflict"]
    other = parse_write_result("rc=1\nconflicts=1:1\nerror=dd: error writing '/dev/sda': I/O error\n")
    assert not other["ok"] and not other["reservation_conflict"]
    assert parse_write_result("rc=0\nconflicts=1:1\nerror=\n") == {
        "ok": True, "reservation_conflict": False, "error": None, "kernel_log": []}


@pytest.mark.parametrize("value, expected", [("0xA1", "0xa1"), ("a1", "0xa1"), (161, "0xa1"),
                                             ("ffffffffffffffff", "0xffffffffffffffff")])
def test_keys(value, expected):
    assert parse_pr_key(value, "key") == expected


@pytest.mark.parametrize("value", ["0", "0x", "g1", "10000000000000000", True])
def test_bad_keys(value):
    with pytest.raises(ValidationError, match="^key: expected a non-zero"):
        parse_pr_key(value, "key")


def test_decisions():
    held, none = parse_pr_status(HELD), parse_pr_status(NONE)
    assert not would_change("register", "0xa1", None, 5, held) and would_change("register", "0xc3", None, 5, held)
    assert not would_change("reserve", "0xa1", None, 5, held) and would_change("reserve", "0xa1", None, 6, held)
    assert would_change("preempt", "0xa1", "0xb2", 5, held) and not would_change("preempt", "0xa1", "0xc3", 5, held)
    assert would_change("release", "0xa1", None, 5, held) and not would_change("release", "0xb2", None, 5, held)
    assert would_change("clear", "0xa1", None, 5, held) and not would_change("clear", "0xa1", None, 5, none)
    assert not would_change("status", None, None, 5, held) and not would_change("write", None, None, 5, held)


def test_find_guest_lun_by_wwn_or_address():
    devices = [{"address": "0:0:0:3", "wwn": "60000000000000000e00000000010003", "block": "sdb"},
               {"address": "0:0:0:1", "wwn": "60000000000000000e00000000010001", "block": "sda"},
               {"address": "2:0:0:0", "wwn": None, "block": None}]
    assert find_guest_lun(devices, wwn="60000000000000000e00000000010003")["block"] == "sdb"
    assert find_guest_lun(devices, address="0:0:0:1")["block"] == "sda"
    with pytest.raises(ScsiVirtError, match="no SCSI disk with wwn 60000000000000000e00000000010009"):
        find_guest_lun(devices, wwn="60000000000000000e00000000010009")
    with pytest.raises(ScsiVirtError, match="several SCSI disks"):
        find_guest_lun(devices + [dict(devices[0], address="0:0:1:3")], wwn="60000000000000000e00000000010003")
