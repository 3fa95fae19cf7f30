# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The documented sub-options of the list options whose items a module validates itself (luns, hostdevs,
entries, expect, absent) match the item spec it really uses.

ansible-test's validate-modules compares documented sub-options with the argument spec only where the argument
spec itself has ``options``; these lists are ``{type: list, elements: dict}`` there (the module checks each item),
so nothing else catches a sub-option documented wrongly or an item option left undocumented. The documentation
is read as ansible-doc renders it (doc fragments merged), which also proves that it renders.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.scsi.virt.plugins.module_utils._guest import ABSENT_SPEC, EXPECT_SPEC
from ansible_collections.scsi.virt.plugins.module_utils._lun_options import disk_lun_spec, hostdev_spec
from ansible_collections.scsi.virt.plugins.module_utils._xl_config import ENTRY_SPEC

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
COLLECTIONS = os.path.join(REPO, "build", "collections")

# (module, list option, the item spec the module validates each item with)
CASES = [
    ("domain_disk_lun", "luns", disk_lun_spec()),
    ("scsi_hostdev", "hostdevs", hostdev_spec()),
    ("xl_vscsi", "entries", ENTRY_SPEC),
    ("guest_scsi_info", "expect", EXPECT_SPEC),
    ("guest_scsi_info", "absent", ABSENT_SPEC),
]
# The input keys a result item never holds: wwn comes back as the dev it selected, an adapter chosen by WWN pair
# as its adapter name, and allow_single_path is a permission, not a property of the disk.
NEVER_RETURNED = {"wwn", "allow_single_path", "adapter_wwnn", "adapter_wwpn"}
COMPARED = ("type", "elements", "choices", "default", "required", "aliases")


@pytest.fixture(scope="module", name="docs")
def docs_fixture():
    """{module: its doc} as ``ansible-doc --json`` gives it (one run for all)."""
    names = sorted({"scsi.virt." + module for module, _option, _spec in CASES} | {"scsi.virt.domain_scsi_info"})
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS)
    ansible_doc = os.path.join(os.path.dirname(sys.executable), "ansible-doc")
    run = subprocess.run([ansible_doc, "--json", "-t", "module"] + names, capture_output=True, text=True, env=env,
                         check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    return {name.split(".")[-1]: dict(entry["doc"], RETURN=entry["return"])
            for name, entry in json.loads(run.stdout).items()}


def normalized(option, documented):
    """The compared attributes of one option (argspec or doc), with the defaults Ansible assumes filled in."""
    out = {key: option.get(key) for key in COMPARED}
    out["type"] = out["type"] or "str"
    out["required"] = bool(out["required"])
    out["aliases"] = sorted(out["aliases"] or [])
    if out["choices"] is not None:
        out["choices"] = list(out["choices"])
    if out["type"] == "list" and out["elements"] is None and not documented:
        out["elements"] = "str"
    return out


def differences(spec, doc, path):
    """Messages for each difference between an item spec and the documented sub-options, recursively."""
    problems = []
    for name in sorted(set(spec) - set(doc)):
        problems.append("%s.%s: in the item spec, not documented" % (path, name))
    for name in sorted(set(doc) - set(spec)):
        problems.append("%s.%s: documented, not in the item spec" % (path, name))
    for name in sorted(set(spec) & set(doc)):
        want, have = normalized(spec[name], False), normalized(doc[name], True)
        for key in COMPARED:
            if want[key] != have[key]:
                problems.append("%s.%s: %s is %r in the item spec, %r in the docs" % (
                    path, name, key, want[key], have[key]))
        if spec[name].get("options") or doc[name].get("suboptions"):
            problems += differences(spec[name].get("options") or {}, doc[name].get("suboptions") or {},
                                    "%s.%s" % (path, name))
    return problems


@pytest.mark.parametrize("module, option, spec", CASES, ids=["%s-%s" % (m, o) for m, o, _s in CASES])
def test_documented_suboptions_match_the_item_spec(docs, module, option, spec):
    documented = docs[module]["options"][option]
    assert documented["type"] == "list" and documented["elements"] == "dict", documented
    assert documented.get("suboptions"), "%s: %s has no documented sub-options" % (module, option)
    assert differences(spec, documented["suboptions"], option) == []


@pytest.mark.parametrize("module, option, spec", CASES[:3], ids=["%s-%s" % (m, o) for m, o, _s in CASES[:3]])
def test_the_single_item_options_are_the_list_items(docs, module, option, spec):
    """The top-level options of one item are documented as the list's sub-options (one text for both)."""
    options = docs[module]["options"]
    assert differences(spec, {name: options[name] for name in spec if name in options}, module) == []
    for name in spec:
        assert options[name]["description"] == options[option]["suboptions"][name]["description"], name


def test_a_difference_is_found():
    """The comparison itself: each kind of difference is reported."""
    spec = {"a": {"type": "int", "default": 0}, "b": {"type": "dict", "options": {"c": {"required": True}}},
            "d": {"type": "str", "choices": ["x", "y"]}, "e": {}}
    doc = {"a": {"type": "int"}, "b": {"type": "dict", "suboptions": {"c": {"type": "str"}}},
           "d": {"type": "str", "choices": ["x"]}, "f": {"type": "str"}}
    assert differences(spec, doc, "luns") == [
        "luns.e: in the item spec, not documented",
        "luns.f: documented, not in the item spec",
        "luns.a: default is 0 in the item spec, None in the docs",
        "luns.b.c: required is True in the item spec, False in the docs",
        "luns.d: choices is ['x', 'y'] in the item spec, ['x'] in the docs",
    ]


def test_the_access_options_read_the_same_in_both_lun_modules(docs):
    """sgio, rawio, shareable, readonly, address and iscsi are one text in the two fragments (DISK_LUN, HOSTDEV)."""
    shared = ("sgio", "rawio", "shareable", "readonly", "address", "iscsi")
    disk, hostdev = docs["domain_disk_lun"]["options"], docs["scsi_hostdev"]["options"]
    assert [name for name in shared if disk[name] != hostdev[name]] == []


@pytest.mark.parametrize("module, returned, spec", [
    ("domain_disk_lun", ["luns"], disk_lun_spec()),
    ("scsi_hostdev", ["hostdevs"], hostdev_spec()),
    ("xl_vscsi", ["entries"], ENTRY_SPEC),
    ("domain_scsi_info", ["domains", "luns"], dict(disk_lun_spec(), device={"type": "str"})),
    ("domain_scsi_info", ["domains", "hostdevs"], hostdev_spec()),
], ids=["domain_disk_lun", "scsi_hostdev", "xl_vscsi", "domain_scsi_info-luns", "domain_scsi_info-hostdevs"])
def test_returned_items_are_documented_as_the_input_shape(docs, module, returned, spec):
    """RETURN documents each key of a result item, and only input keys (the items are fed back as input)."""
    entry = {"contains": docs[module]["RETURN"]}
    for name in returned:
        entry = entry["contains"][name]
    keys = set(entry["contains"])
    assert keys <= set(spec), keys - set(spec)
    expected = set(spec) - NEVER_RETURNED - ({"serial", "vendor", "product"} if module == "domain_scsi_info" else set())
    assert keys == expected, (sorted(expected - keys), sorted(keys - expected))
