# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.scsi.virt.plugins.filter.scsi import guest_lun_problems, lun_items, lun_query

VOLUMES = [{"name": "unit:0:0:1", "path": "/dev/disk/by-path/a", "capacity": 2 << 30},
           {"name": "unit:0:0:2", "path": "/dev/disk/by-path/b", "capacity": 1 << 20}]


def test_lun_query_selects_with_jmespath():
    assert lun_query(VOLUMES, "[?capacity > `1073741824`].path") == ["/dev/disk/by-path/a"]
    with pytest.raises(AnsibleFilterError, match="invalid expression"):
        lun_query(VOLUMES, "[?capacity >")


def test_lun_items_splits_by_kind_and_drops_the_key():
    luns = [{"dev": "/dev/sdb"}, {"kind": "hostdev", "adapter": "scsi_host3"}, {"kind": "disk", "wwn": "0x1"}]
    assert lun_items(luns, "disk") == [{"dev": "/dev/sdb"}, {"wwn": "0x1"}]
    assert lun_items(luns, "hostdev") == [{"adapter": "scsi_host3"}]
    with pytest.raises(AnsibleFilterError, match="kind must be disk or hostdev"):
        lun_items([{"kind": "tape"}], "disk")


def test_guest_lun_problems_reports_through_the_filter_error():
    assert guest_lun_problems([], [{"wwn": "6001405abcdef012"}])[0].startswith("LUN wwn 6001405abcdef012")
    with pytest.raises(AnsibleFilterError, match="needs wwn or address"):
        guest_lun_problems([], [{"vendor": "IET"}])


def test_vscsi_entries_map_the_same_lun_description_to_xen():
    from ansible_collections.scsi.virt.plugins.filter.xen import vscsi_entries
    luns = [{"wwn": "naa.6001405ABCDEF012", "address": {"target": 1, "unit": 0}},
            {"dev": "/dev/disk/by-path/x", "vdev": "0:0:2:0", "feature_host": True},
            {"pdev": "naa.5001405df3e54061:0", "vdev": "1:0:0:0"}]
    assert vscsi_entries(luns) == [
        {"pdev": "/dev/disk/by-id/wwn-0x6001405abcdef012", "vdev": "0:0:1:0", "feature_host": False},
        {"pdev": "/dev/disk/by-path/x", "vdev": "0:0:2:0", "feature_host": True},
        {"pdev": "naa.5001405df3e54061:0", "vdev": "1:0:0:0", "feature_host": False}]
    with pytest.raises(AnsibleFilterError, match=r"lun_passthrough_luns\[0\]: Xen PVSCSI needs a dom0 device"):
        vscsi_entries([{"pool": "p", "volume": "unit:0:0:1"}])
    with pytest.raises(AnsibleFilterError, match=r"lun_passthrough_luns\[0\]: give vdev"):
        vscsi_entries([{"dev": "/dev/sdb"}])


class _TaggedList(list):
    """Like the list subclasses ansible-core 2.19 passes to filters (jmespath types by class name)."""


class _TaggedStr(str):
    pass


def test_lun_query_sees_list_and_str_subclasses_as_arrays_and_strings():
    luns = _TaggedList([{"path": _TaggedStr("/dev/sdb"), "used_by": _TaggedList()},
                        {"path": "/dev/sdc", "used_by": _TaggedList([{"domain": "db01"}])}])
    assert lun_query(luns, "[?length(used_by) == `0`].path") == ["/dev/sdb"]
    assert lun_query({"luns": luns}, "luns[?starts_with(path, '/dev/sd')] | length(@)") == 2
