# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ItemValidator gives exactly what Ansible's ArgumentSpecValidator gives, item for item (compiled once)."""

from __future__ import annotations

import copy

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.scsi.virt.plugins.module_utils._item_spec import ItemValidator, error_messages
from ansible_collections.scsi.virt.plugins.module_utils._lun_options import disk_lun_spec, hostdev_spec

IQN = "iqn.2026-11.io.scsi-virt:lab"

# A spec with every feature the fast pass implements, at two levels.
SPEC = {
    "name": {"type": "str", "required": True},
    "count": {"type": "int", "default": 3},
    "enabled": {"type": "bool"},
    "mode": {"type": "str", "choices": ["a", "b"], "default": "a"},
    "flag": {"type": "str", "choices": ["yes", "no"]},
    "tags": {"type": "list", "elements": "str"},
    "numbers": {"type": "list", "elements": "int"},
    "raw": {"type": "dict"},
    "rows": {"type": "list", "elements": "dict", "options": {
        "key": {"type": "str", "required": True},
        "size": {"type": "int", "default": 1},
    }},
    "auth": {"type": "dict", "options": {
        "user": {"type": "str", "required": True},
        "usage": {"type": "str", "no_log": False},
        "uuid": {"type": "str", "no_log": False},
    }, "mutually_exclusive": [["usage", "uuid"]], "required_one_of": [["usage", "uuid"]]},
}

GOOD = [
    {"name": "x"},
    {"name": "x", "count": 7, "enabled": True, "mode": "b"},
    {"name": "x", "count": "12"},                      # "12" -> 12
    {"name": "x", "count": 4.0},                       # 4.0 -> 4
    {"name": "x", "count": True},                      # Ansible's int checker keeps a bool
    {"name": 17},                                      # an int given to a str option -> '17'
    {"name": "x", "enabled": "yes"},                   # -> True
    {"name": "x", "enabled": "off"},
    {"name": "x", "enabled": 0},
    {"name": "x", "flag": True},                       # str 'True' is mapped back to the choice 'yes'
    {"name": "x", "tags": ["a", 1]},
    {"name": "x", "tags": "a,b"},
    {"name": "x", "numbers": ["1", 2]},
    {"name": "x", "raw": {"any": {"thing": [1]}}},
    {"name": "x", "raw": "k=v, k2=v2"},
    {"name": "x", "rows": [{"key": "a"}, {"key": "b", "size": "2"}]},
    {"name": "x", "auth": {"user": "u", "usage": "s"}},
    {"name": "x", "auth": {"user": "u", "uuid": "s"}},
    {"name": "x", "auth": '{"user": "u", "usage": "s"}'},
    {"name": "x", "auth": None, "enabled": None},
    {"name": None},                                    # a required str given None -> '' (Ansible's choice)
]

BAD = [
    {},
    {"name": "x", "colour": "red"},
    {"name": "x", "colour": "red", "shade": 1},
    {"name": "x", "count": "three"},
    {"name": "x", "count": 1.5},
    {"name": "x", "count": None},
    {"name": "x", "enabled": "maybe"},
    {"name": "x", "enabled": None, "count": None},
    {"name": "x", "mode": "c"},
    {"name": "x", "flag": "maybe"},
    {"name": "x", "numbers": ["one"]},
    {"name": "x", "raw": "not a dict"},
    {"name": "x", "rows": [{"size": 1}]},
    {"name": "x", "rows": [{"key": "a", "extra": 1}]},
    {"name": "x", "rows": ["oops"]},
    {"name": "x", "auth": {"user": "u"}},
    {"name": "x", "auth": {"user": "u", "usage": "s", "uuid": "t"}},
    {"name": "x", "auth": {"user": "u", "usage": "s", "uuid": None}},
    {"name": "x", "auth": {"usage": "s", "bogus": 1}},
    {"name": "x", "mode": None, "count": 5},           # None to a defaulted str gives '', not a choice
    {"count": "x", "mode": "z", "colour": 1},
]


def ansible(spec, item, **checks):
    result = ArgumentSpecValidator(spec, **checks).validate(copy.deepcopy(item))
    return result.validated_parameters, error_messages(result)


@pytest.mark.parametrize("item", GOOD + BAD)
def test_same_as_ansible(item):
    validator = ItemValidator(SPEC)
    given = copy.deepcopy(item)
    got = validator.validate(given)
    assert got == ansible(SPEC, item)
    assert given == item  # the caller's item is left alone


@pytest.mark.parametrize("item", GOOD)
def test_good_items_are_valid(item):
    params, messages = ItemValidator(SPEC).validate(item)
    assert messages == []
    assert set(params) == set(SPEC)


def test_bad_items_fail_with_ansibles_words():
    validator = ItemValidator(SPEC)
    for item in BAD:
        _params, messages = validator.validate(item)
        assert messages, item
    assert validator.slow == len(BAD)
    _params, messages = validator.validate({"name": "x", "colour": "red"})
    assert messages == ["Unsupported parameters: colour. Supported parameters include: auth, count, enabled, flag, "
                        "mode, name, numbers, raw, rows, tags."]
    _params, messages = validator.validate({"name": "x", "auth": {"user": "u"}})
    assert messages == ["one of the following is required: usage, uuid found in auth"]


def test_plain_items_take_the_fast_pass():
    validator = ItemValidator(SPEC)
    for item in ({"name": "x"}, {"name": "x", "count": "2", "enabled": "yes", "rows": [{"key": "k"}]},
                 {"name": "x", "auth": {"user": "u", "uuid": "s"}}):
        assert validator.validate(item)[1] == []
    assert validator.slow == 0


def test_validated_values_are_coerced_like_ansible():
    params, _messages = ItemValidator(SPEC).validate({"name": 17, "count": "12", "enabled": "yes",
                                                      "rows": [{"key": "a", "size": "2"}]})
    assert (params["name"], params["count"], params["enabled"]) == ("17", 12, True)
    assert params["rows"] == [{"key": "a", "size": 2}]
    assert params["mode"] == "a" and params["tags"] is None


def test_top_level_checks():
    spec = {"a": {"type": "str"}, "b": {"type": "str"}}
    checks = {"mutually_exclusive": [["a", "b"]], "required_one_of": [["a", "b"]]}
    validator = ItemValidator(spec, **checks)
    for item in ({"a": "1"}, {"b": "2"}, {}, {"a": "1", "b": "2"}, {"a": None}):
        assert validator.validate(item) == ansible(spec, item, **checks)


def test_unsupported_spec_features_use_ansible_for_every_item():
    spec = {"name": {"type": "str", "aliases": ["n"]}, "secret": {"type": "str", "no_log": True}}
    validator = ItemValidator(spec)
    for item in ({"n": "x"}, {"name": "x", "secret": "s"}, {"bogus": 1}):
        assert validator.validate(item) == ansible(spec, item)
    assert validator.slow == 3


LUN_ITEMS = [
    {"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 1}},
    {"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": "2", "port": "3261"}, "shareable": "yes"},
    {"iscsi": {"host": "h", "target": IQN, "auth": {"username": "u", "secret_usage": "s"}}},
    {"iscsi": {"host": "h", "target": IQN, "auth": {"username": "u"}}},
    {"iscsi": {"host": "h", "target": IQN, "auth": {"username": "u", "secret_usage": "s", "secret_uuid": "t"}}},
    {"iscsi": {"target": IQN}},
    {"dev": "/dev/sdb", "sgio": "filtered", "address": {"target": 1, "unit": "0"}},
    {"dev": "/dev/sdb", "address": {"target": 1}},
    {"dev": "/dev/sdb", "sharable": True},
    {"dev": "/dev/sdb", "sgio": "maybe"},
    {"dev": "/dev/sdb", "reservations": {"managed": "maybe"}},
    {"dev": "/dev/sdb", "reservations": {"managed": True}, "cache": "none", "io": "native"},
    {"wwn": 6001405, "device": "disk", "serial": 12},
    {"pool": "p", "volume": "unit:0:0:1", "readonly": 1},
]


@pytest.mark.parametrize("spec", [disk_lun_spec(), hostdev_spec()], ids=["disk_lun", "hostdev"])
def test_module_specs_same_as_ansible(spec):
    validator = ItemValidator(spec)
    for item in LUN_ITEMS + [{"adapter": "scsi_host3", "bus": "0", "target": 1, "unit": 2, "managed": "no"},
                             {"vhost_wwpn": "naa.5001405df3e54061", "vhost_model": "virtio"},
                             {"vhost_model": "nope"}]:
        assert validator.validate(copy.deepcopy(item)) == ansible(spec, item), item


def test_same_as_ansible_on_a_batch():
    # Its speed is measured in bench/batch_profile.py, not here (no timed tests).
    spec = disk_lun_spec()
    items = [{"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": n}} for n in range(256)]
    validate = ItemValidator(spec).validate
    assert [validate(copy.deepcopy(item)) for item in items] == [ansible(spec, item) for item in items]
