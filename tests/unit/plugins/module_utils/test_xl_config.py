# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os

import pytest

from ansible_collections.scsi.virt.plugins.module_utils._errors import ScsiVirtError, ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._xl_config import (
    VscsiEntry, XlConfig, is_persistent, parse_pdev, parse_vdev, plan_entries)

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "fixtures", "xl")


# Made here, not stored: the repository keeps LF line endings (ansible-test sanity checks that).
CRLF = 'name = "win01"\r\nmemory = 4096\r\nvscsi = [ "/dev/disk/by-id/wwn-0x6001405aaaaaaaa9,0:0:0:0" ]\r\n'


def load(name):
    if name == "crlf.cfg":
        return CRLF
    with open(os.path.join(FIXTURES, name), newline="") as handle:
        return handle.read()


@pytest.mark.parametrize("name", ["single-line.cfg", "multi-line.cfg", "no-vscsi.cfg", "crlf.cfg"])
def test_round_trip_is_byte_identical(name):
    config = XlConfig(load(name))
    assert config.render(list(config.entries)) == config.text


def test_parse_layouts():
    single = XlConfig(load("single-line.cfg"))
    assert [e.as_dict() for e in single.entries] == [
        {"pdev": "/dev/disk/by-id/wwn-0x6001405aaaaaaaa1", "vdev": "0:0:0:0", "feature_host": False},
        {"pdev": "4:3:2:1", "vdev": "0:0:1:0", "feature_host": True}]
    assert single.domain_name() == "db01"
    multi = XlConfig(load("multi-line.cfg"))
    assert [e.pdev for e in multi.entries] == ["/dev/disk/by-path/pci-0000:04:00.1-fc-0x203500a0b85ad1d7-lun-0",
                                               "naa.5001405df3e54061:0"]
    assert multi.domain_name() == "db02"
    assert XlConfig(load("no-vscsi.cfg")).entries == []


def test_add_keeps_everything_else_and_the_layout():
    text = load("multi-line.cfg")
    config = XlConfig(text)
    new = VscsiEntry("/dev/disk/by-id/wwn-0x6001405aaaaaaaa3", "0:0:3:0")
    out = config.render(config.entries + [new])
    assert out.startswith(text[:text.index("vscsi")]) and out.endswith("]\nvif = [ 'bridge=xenbr0' ]\n")
    assert "    # the data LUN\n" in out and "    # the tape\n" in out
    assert '    "/dev/disk/by-id/wwn-0x6001405aaaaaaaa3,0:0:3:0",\n]' in out  # the file's own quote style
    reparsed = XlConfig(out)
    assert [e.vdev for e in reparsed.entries] == ["0:0:0:0", "0:0:2:0", "0:0:3:0"]


def test_remove_all_drops_the_setting_and_add_to_a_file_without_one():
    config = XlConfig(load("single-line.cfg"))
    out = config.render([])
    assert "vscsi" not in out and out.replace("\n", "") == load("single-line.cfg").replace(
        "vscsi = [ '/dev/disk/by-id/wwn-0x6001405aaaaaaaa1,0:0:0:0', '4:3:2:1,0:0:1:0,feature-host' ]\n", "").replace(
        "\n", "")
    bare = XlConfig(load("no-vscsi.cfg"))
    out = bare.render([VscsiEntry("4:3:2:1", "0:0:0:0", True)])
    assert out == load("no-vscsi.cfg") + "vscsi = [ '4:3:2:1,0:0:0:0,feature-host' ]\n"


def test_crlf_stays_crlf():
    config = XlConfig(load("crlf.cfg"))
    out = config.render([])
    assert out == 'name = "win01"\r\nmemory = 4096\r\n'


def test_plan_replace_remove_exclusive():
    config = XlConfig(load("single-line.cfg"))
    replace = VscsiEntry("/dev/disk/by-id/wwn-0x6001405aaaaaaaa2", "0:0:1:0")
    entries, removed, added = plan_entries(config.entries, [replace], "present", False)
    assert [e.vdev for e in removed] == ["0:0:1:0"] and added == [replace]
    assert [e.pdev for e in entries] == ["/dev/disk/by-id/wwn-0x6001405aaaaaaaa1", replace.pdev]
    same = plan_entries(config.entries, [config.entries[0]], "present", False)
    assert same[1:] == ([], [])
    exclusive = plan_entries(config.entries, [config.entries[0]], "present", True)
    assert [e.vdev for e in exclusive[0]] == ["0:0:0:0"] and [e.vdev for e in exclusive[1]] == ["0:0:1:0"]
    gone = plan_entries(config.entries, [VscsiEntry("0:0:0:0", "0:0:1:0")], "absent", False)
    assert [e.vdev for e in gone[0]] == ["0:0:0:0"]


def test_xl_command_lines():
    entry = VscsiEntry("/dev/disk/by-id/wwn-0x6001405aaaaaaaa1", "0:0:1:0", True)
    assert entry.attach_argv("db01") == ["xl", "scsi-attach", "db01", "/dev/disk/by-id/wwn-0x6001405aaaaaaaa1",
                                         "0:0:1:0,feature-host"]
    assert entry.detach_argv("db01") == ["xl", "scsi-detach", "db01", "0:0:1:0"]


@pytest.mark.parametrize("value", ["sdb", "/dev/", "/dev/sd b", "naa.123:0", "1:2:3", "/dev//x", "/dev/a'b"])
def test_bad_pdevs(value):
    with pytest.raises(ValidationError, match="^pdev: expected a dom0 device"):
        parse_pdev(value, "pdev")


@pytest.mark.parametrize("value", ["0:0:0", "a:b:c:d", "v0:0:0:0", "0:0:0:0:0", ""])
def test_bad_vdevs(value):
    with pytest.raises(ValidationError, match="^vdev: expected the guest's 'host:channel:target:lun'"):
        parse_vdev(value, "vdev")


def test_persistence():
    assert is_persistent("/dev/disk/by-id/wwn-0x1") and is_persistent("naa.5001405df3e54061:0")
    assert not is_persistent("/dev/sdb") and not is_persistent("4:3:2:1")


@pytest.mark.parametrize("text, fragment", [
    ("vscsi = [ '/dev/sdb,0:0:0:0', '/dev/sdc,0:0:0:0' ]\n", "vscsi[1].vdev: 0:0:0:0 is already used"),
    ("vscsi = [ '/dev/sdb,0:0:0:0', '/dev/sdb,0:0:1:0' ]\n", "vscsi[1].pdev: /dev/sdb is already passed"),
    ("vscsi = [ '/dev/sdb,0:0:0:0,rawio' ]\n", "vscsi[0].option: the only option is feature-host"),
    ("vscsi = [ '/dev/sdb' ]\n", "vscsi[0]: expected 'pdev,vdev[,feature-host]'"),
    ("vscsi = [ '/dev/sdb,0:0:0:0'\n", "is not closed"),
    ("vscsi = [ '/dev/sdb,0:0:0:0 ]\n", "unterminated string"),
    ("vscsi = [ foo ]\n", "unexpected 'f'"),
])
def test_bad_files(text, fragment):
    with pytest.raises(ScsiVirtError) as exc:
        XlConfig(text)
    assert exc.value.msg.startswith("path: ") and fragment in exc.value.msg


def test_duplicate_pdev_against_the_file_is_refused():
    config = XlConfig(load("single-line.cfg"))
    with pytest.raises(ValidationError, match=r"^entries\[0\].pdev: 4:3:2:1 is already passed to the guest as "
                                              r"vdev 0:0:1:0"):
        plan_entries(config.entries, [VscsiEntry("4:3:2:1", "0:0:5:0")], "present", False)
