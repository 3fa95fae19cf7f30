# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/guest_cluster_lun's filters: each guest's item, and one drive address common to all guests."""

from __future__ import annotations

import pytest

from ansible_collections.scsi.virt.plugins.module_utils._cluster import cluster_drive_address, cluster_items
from ansible_collections.scsi.virt.plugins.module_utils._errors import ValidationError

ISCSI = {"iscsi": {"host": "192.0.2.10", "target": "iqn.2026-11.com.example:san", "lun": 3}}


def test_items_iscsi_each_guest_its_initiator():
    items = cluster_items([{"domain": "Node_1"}, {"domain": "n2", "initiator": "iqn.2026-11.x:n2"}], ISCSI,
                          "iqn.2026-11.com.example", {"controller": 0, "target": 1, "unit": 0})
    assert [i["item"]["iscsi"]["initiator"] for i in items] == ["iqn.2026-11.com.example:node-1", "iqn.2026-11.x:n2"]
    assert all(i["item"]["shareable"] and i["item"]["address"]["target"] == 1 for i in items)
    assert "initiator" not in ISCSI["iscsi"]  # the source is not changed in place


def test_items_block_with_reservations_and_names():
    items = cluster_items(["a", "b"], {"wwn": "0x6001405abcdef012"}, "iqn.x", reservations={"managed": True})
    assert items == [{"domain": d, "item": {"wwn": "0x6001405abcdef012", "shareable": True,
                                            "reservations": {"managed": True}}} for d in ("a", "b")]


@pytest.mark.parametrize("guests, source, reservations, field", [
    ([], ISCSI, None, "guest_cluster_lun_guests:"),
    ([{"name": "a"}], ISCSI, None, "guest_cluster_lun_guests[0]:"),
    (["a", "a"], ISCSI, None, "guest_cluster_lun_guests[1].domain:"),
    ([{"domain": "a", "initiator": "iqn.x:same"}, {"domain": "b", "initiator": "iqn.x:same"}], ISCSI, None,
     "guest_cluster_lun_guests[1].initiator:"),
    (["a"], {}, None, "guest_cluster_lun_source:"),
    (["a"], {"dev": "/dev/sdb", "kind": "disk"}, None, "guest_cluster_lun_source:"),
    (["a"], ISCSI, {"managed": True}, "guest_cluster_lun_reservations:"),
])
def test_items_errors_name_role_variables(guests, source, reservations, field):
    with pytest.raises(ValidationError) as err:
        cluster_items(guests, source, "iqn.x", reservations=reservations)
    assert err.value.msg.startswith(field), err.value.msg


def test_an_unknown_key_in_a_guest_keeps_ansibles_wording():
    with pytest.raises(ValidationError) as err:
        cluster_items([{"domain": "a"}, {"domain": "b", "initator": "iqn.x:b"}], ISCSI, "iqn.x")
    assert err.value.msg == ("guest_cluster_lun_guests[1]: Unsupported parameters: initator. Supported parameters "
                             "include: domain, initiator."), err.value.msg


def info(name, *addresses):
    return {"name": name, "luns": [{"address": {"controller": 0, "bus": 0, "target": t, "unit": u}}
                                   for t, u in addresses], "hostdevs": []}


def planned(name, address=None):
    if address is None:  # the check-mode run would add the LUN
        return {"item": {"domain": name}, "changes": [{"action": "add"}],
                "luns": [{"address": {"controller": 0, "bus": 0, "target": 0, "unit": 9}}]}
    return {"item": {"domain": name}, "changes": [],
            "luns": [{"address": {"controller": 0, "bus": 0, "target": address[0], "unit": address[1]}}]}


def test_first_address_free_on_all_guests():
    domains = [info("a", (0, 0), (0, 1)), info("b", (0, 2)), info("other", (0, 3))]
    assert cluster_drive_address(domains, [planned("a"), planned("b")]) == {"controller": 0, "target": 0, "unit": 3}


def test_existing_common_address_kept_and_reused_when_free():
    both = [info("a", (0, 0), (0, 5)), info("b", (0, 5))]
    assert cluster_drive_address(both, [planned("a", (0, 5)), planned("b", (0, 5))])["unit"] == 5
    # Only a has it (at 0:5) and 0:5 is free on b: keep it there rather than move it.
    one = [info("a", (0, 0), (0, 5)), info("b", (0, 0))]
    assert cluster_drive_address(one, [planned("a", (0, 5)), planned("b")])["unit"] == 5
    # a has it at 0:1, but b uses 0:1 for something else: a new common address.
    clash = [info("a", (0, 0), (0, 1)), info("b", (0, 1))]
    assert cluster_drive_address(clash, [planned("a", (0, 1)), planned("b")])["unit"] == 2


def test_unknown_guest_named():
    with pytest.raises(ValidationError, match="^guest_cluster_lun_guests: no domain named 'c'"):
        cluster_drive_address([info("a")], [planned("c")])
