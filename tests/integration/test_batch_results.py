# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Batch results: a summary of every run, and for more than 64 listed items only the changed ones in the list.

Also: a run that adds or updates no LUN never reads the other domains (the in-use check has nothing to check).
On libvirt's test driver (tests/fixtures/libvirt-node.xml); guest-peer holds iSCSI LUN 8 (shareable) and 9.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.scsi.virt.plugins.module_utils import _domain_module, _inuse

IQN = "iqn.2026-11.io.scsi-virt:batch"


def lun(n, **over):
    return dict({"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": n}}, **over)


def summary(listed=0, added=0, updated=0, removed=0, unchanged=0):
    return {"listed": listed, "added": added, "updated": updated, "removed": removed, "unchanged": unchanged}


def test_small_batch_lists_every_item(test_node, run_module):
    uri, _conn = test_node
    args = {"uri": uri, "domain": "guest-off", "luns": [lun(1), lun(2)]}
    first = run_module("domain_disk_lun", args)
    assert first["summary"] == summary(listed=2, added=2), first
    assert len(first["luns"]) == 2
    again = run_module("domain_disk_lun", dict(args, luns=[lun(1), lun(2, shareable=True)]))
    assert again["summary"] == summary(listed=2, updated=1, unchanged=1), again
    assert [item.get("shareable") for item in again["luns"]] == [False, True]
    single = run_module("domain_disk_lun", dict({"uri": uri, "domain": "guest-off"}, **lun(1)), check_mode=True)
    assert single["summary"] == summary(listed=1, unchanged=1) and len(single["luns"]) == 1
    gone = run_module("domain_disk_lun", dict(args, luns=[lun(2), lun(3)], state="absent"))
    assert gone["summary"] == summary(listed=2, removed=1, unchanged=1), gone


def test_big_batch_lists_only_what_changed(test_node, run_module):
    uri, _conn = test_node
    items = [lun(n) for n in range(1, 71)]
    args = {"uri": uri, "domain": "guest-off", "luns": items}
    planned = run_module("domain_disk_lun", args, check_mode=True)
    assert planned.changed and planned["summary"] == summary(listed=70, added=70)
    first = run_module("domain_disk_lun", args)
    assert first["summary"] == summary(listed=70, added=70)
    assert len(first["luns"]) == 70 and len([c for c in first["changes"] if c["action"] == "add"]) == 71
    again = run_module("domain_disk_lun", args)
    assert not again.changed and again["summary"] == summary(listed=70, unchanged=70), again
    assert again["luns"] == [] and again["changes"] == []
    assert len(json.dumps(again)) < len(json.dumps(first)) / 3
    items[4] = lun(5, shareable=True)
    one = run_module("domain_disk_lun", args)
    assert one["summary"] == summary(listed=70, updated=1, unchanged=69), one
    assert len(one["luns"]) == 1 and one["luns"][0]["iscsi"]["target"] == IQN and one["luns"][0]["iscsi"]["lun"] == 5 and one["luns"][0]["shareable"]
    fewer = run_module("domain_disk_lun", dict(args, luns=items[:65], exclusive=True, force=True))
    assert fewer["summary"] == summary(listed=65, removed=5, unchanged=65), fewer
    assert fewer["luns"] == [] and len(fewer["changes"]) == 5


def test_hostdev_summary(test_node, run_module):
    uri, _conn = test_node
    args = {"uri": uri, "domain": "guest-off", "hostdevs": [lun(20), lun(21)]}
    first = run_module("scsi_hostdev", args)
    assert first["summary"] == summary(listed=2, added=2), first
    cleared = run_module("scsi_hostdev", {"uri": uri, "domain": "guest-off", "exclusive": True, "force": True})
    assert cleared["summary"] == summary(removed=2), cleared


def test_no_lun_added_or_updated_reads_no_other_domain(test_node, run_module, monkeypatch):
    uri, _conn = test_node
    args = {"uri": uri, "domain": "guest-off", "luns": [lun(1), lun(2)]}
    assert run_module("domain_disk_lun", args).changed

    def refuse(*_args, **_kwargs):
        raise AssertionError("lun_users called")
    monkeypatch.setattr(_domain_module, "lun_users", refuse)
    again = run_module("domain_disk_lun", args)
    assert not again.failed and not again.changed, again
    removed = run_module("domain_disk_lun", dict(args, state="absent"))
    assert removed.changed and not removed.failed, removed
    added = run_module("domain_disk_lun", args)
    assert added.failed and "lun_users called" in added["msg"], added


@pytest.mark.parametrize("identities, needles", [
    ({("iscsi", "iqn.x:y/1", "h", 3260)}, {"iqn.x:y/1"}),
    ({("volume", "pool", "Unit:0:0:1"), ("iscsi", "iqn.x:y/2", "h", 3260)}, {"unit:0:0:1", "iqn.x:y/2"}),
    ({("iscsi", "iqn.x:y/1", "h", 3260), ("wwid", "naa.6001405abcdef012")}, None),
    ({("volume", "pool", "a'b")}, None),
    (None, None),
])
def test_needles(identities, needles):
    assert _inuse._needles(identities) == needles


def test_only_domains_naming_the_lun_are_parsed(test_node, monkeypatch):
    """guest-peer holds iSCSI LUN 8 and 9 of the lab's IQN: asking about LUN 8 parses it alone."""
    from ansible_collections.scsi.virt.plugins.module_utils._connection import Hypervisor
    uri, _conn = test_node
    parsed = []
    real = _inuse.DomainDevices

    def counting(xml_text, *args):
        domain = real(xml_text, *args)
        parsed.append(domain.name)
        return domain
    monkeypatch.setattr(_inuse, "DomainDevices", counting)
    hypervisor = Hypervisor(uri)
    lab = "iqn.2026-11.io.scsi-virt:lab"
    everything = _inuse.lun_users(hypervisor)
    asked = {identity for identity in everything if identity[0] == "iscsi" and identity[1] == lab + "/8"}
    assert asked, everything
    parsed.clear()
    users = _inuse.lun_users(hypervisor, identities=asked)

    def plain(found):
        return [(name, state, device.as_dict()) for name, state, device in found]
    identity = next(iter(asked))
    assert set(users) == asked and plain(users[identity]) == plain(everything[identity])
    assert set(parsed) == {name for name, _state, _device in everything[identity]}
    parsed.clear()
    assert _inuse.lun_users(hypervisor, identities={("iscsi", "iqn.2026-11.x:none/1", "h", 3260)}) == {}
    assert parsed == []
