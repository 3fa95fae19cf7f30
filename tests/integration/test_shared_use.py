# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One LUN, two domains: refused unless both uses are shareable, for every source kind and hostdevs.

On libvirt's test driver (tests/fixtures/libvirt-node.xml): guest-off and guest-legacy are defined,
guest-run is running, guest-peer already holds iSCSI LUN 8 (shareable disk) and 9 (hostdev).
"""

from __future__ import annotations

import libvirt
import pytest

IQN = "iqn.2026-11.io.scsi-virt:lab"


def xml(conn, name):
    return conn.lookupByName(name).XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)


@pytest.mark.parametrize("module, source", [
    ("domain_disk_lun", {"dev": "/dev/disk/by-path/ip-192.0.2.10:3260-iscsi-iqn.2026-11.x:y-lun-4"}),
    ("domain_disk_lun", {"pool": "fcpool", "volume": "unit:0:0:2"}),
    ("domain_disk_lun", {"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 4}}),
    ("scsi_hostdev", {"adapter": "scsi_host3", "bus": 0, "target": 2, "unit": 0}),
    ("scsi_hostdev", {"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 4}}),
], ids=["block", "volume", "iscsi-disk", "adapter-hostdev", "iscsi-hostdev"])
def test_second_domain_refused_unless_both_shareable(test_node, run_module, module, source):
    uri, conn = test_node
    first = run_module(module, dict({"uri": uri, "domain": "guest-off"}, **source))
    assert first.changed, first
    before = xml(conn, "guest-legacy")
    for shareable in (None, True):
        args = dict({"uri": uri, "domain": "guest-legacy"}, **source)
        if shareable:
            args["shareable"] = True
        for check_mode in (True, False):
            refused = run_module(module, args, check_mode=check_mode)
            assert refused.failed and refused["msg"].startswith("shareable: refusing to attach"), refused
            assert "defined domain 'guest-off' already uses it" in refused["msg"], refused
            assert xml(conn, "guest-legacy") == before
    # Both shareable: a cluster LUN. The first domain's use becomes shareable, then the second attaches.
    assert run_module(module, dict({"uri": uri, "domain": "guest-off", "shareable": True}, **source)).changed
    shared = run_module(module, dict({"uri": uri, "domain": "guest-legacy", "shareable": True}, **source))
    assert shared.changed and not shared.failed, shared
    assert "<shareable/>" in xml(conn, "guest-legacy")
    # Re-asserting either side without the option keeps what is there (shareable stays; nothing refused).
    again = run_module(module, dict({"uri": uri, "domain": "guest-off"}, **source))
    assert not again.failed and not again.changed, again
    # Making one side exclusive again is refused: the other still shares it.
    exclusive = run_module(module, dict({"uri": uri, "domain": "guest-off", "shareable": False}, **source))
    assert exclusive.failed and "domain 'guest-legacy'" in exclusive["msg"], exclusive
    # Detaching is never refused.
    assert run_module(module, dict({"uri": uri, "domain": "guest-off", "state": "absent"}, **source)).changed


def test_running_domain_named_and_disk_and_hostdev_are_one_lun(test_node, run_module):
    uri, conn = test_node
    lun = {"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 5}}
    assert run_module("domain_disk_lun", dict({"uri": uri, "domain": "guest-run", "live": False}, **lun)).changed
    refused = run_module("scsi_hostdev", dict({"uri": uri, "domain": "guest-off"}, **lun))
    assert refused.failed and "running domain 'guest-run' already uses it as iscsi LUN" in refused["msg"], refused
    assert "<hostdev" not in xml(conn, "guest-off")


def test_list_names_the_item_and_other_luns_are_untouched(test_node, run_module):
    uri, conn = test_node
    before = xml(conn, "guest-off")
    items = [{"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 6}},
             {"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 8}, "shareable": True}]
    ok = run_module("domain_disk_lun", {"uri": uri, "domain": "guest-off", "luns": items})
    assert ok.changed and not ok.failed, ok  # lun 8 is shareable in guest-peer too
    items.append({"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 9}, "shareable": True})
    refused = run_module("domain_disk_lun", {"uri": uri, "domain": "guest-off", "luns": items})
    assert refused.failed and refused["msg"].startswith("luns[2].shareable:"), refused
    assert "domain 'guest-peer'" in refused["msg"] and xml(conn, "guest-off") != before
    absent = run_module("domain_disk_lun", {"uri": uri, "domain": "guest-off", "state": "absent", "luns": items})
    assert absent.changed and not absent.failed, absent
