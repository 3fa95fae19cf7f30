# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""scsi_pool on libvirt's test driver.

The test driver cannot prove: a started *defined* fc_host pool creating its vHBA (it only does that
for transient pools), LUN discovery on a real HBA, autostart across a libvirtd restart. The NPIV lab covers those.
"""

from __future__ import annotations

import libvirt
import pytest

# scsi_host1 is already the source of fcpool (libvirt refuses a second pool on it), so vHBAs go on scsi_host2.
FC = {"type": "fc_host", "parent": "scsi_host2", "wwnn": "0x5001A4A000000021", "wwpn": "5001a4a000000022"}


def _pool_xml(conn, name):
    try:
        return conn.storagePoolLookupByName(name).XMLDesc(0)  # the test driver keeps one definition
    except libvirt.libvirtError:
        return None


def test_fc_host_pool_four_steps(test_node, run_module):
    uri, conn = test_node
    args = {"uri": uri, "name": "vhba_pool", "adapter": FC, "autostart": True}
    check = run_module("scsi_pool", args, check_mode=True, diff=True)
    assert check.changed and check["actions"] == ["define", "start", "autostart on"], check
    assert _pool_xml(conn, "vhba_pool") is None
    assert "wwpn=\"5001a4a000000022\"" in check["diff"]["after"]
    run = run_module("scsi_pool", args)
    assert run.changed and run["pool_status"] == {"active": True, "persistent": True}
    assert run["pool"]["state"] == "started" and run["pool"]["autostart"] is True
    assert run["pool"]["adapter"]["wwnn"] == "5001a4a000000021" and run["pool"]["adapter"]["type"] == "fc_host"
    xml = _pool_xml(conn, "vhba_pool")
    assert not run_module("scsi_pool", args, check_mode=True).changed
    assert not run_module("scsi_pool", args).changed
    assert _pool_xml(conn, "vhba_pool") == xml


def test_existing_pool_lists_lun_volumes_and_wwn_spelling_is_no_drift(test_node, run_module):
    uri, _conn = test_node
    args = {"uri": uri, "name": "fcpool", "adapter": {"type": "scsi_host", "name": "scsi_host1"}}
    result = run_module("scsi_pool", args)
    assert not result.changed, result
    assert [v["name"] for v in result["volumes"]] == ["unit:0:0:1", "unit:0:0:2"]
    assert all(v["path"].startswith("/dev/disk/by-path/") for v in result["volumes"])


def test_drift_in_adapter_is_corrected(test_node, run_module):
    uri, conn = test_node
    first = {"uri": uri, "name": "npiv", "state": "present", "adapter": FC}
    assert run_module("scsi_pool", first).changed
    args = {"uri": uri, "name": "npiv", "state": "present",
            "adapter": {"type": "fc_host", "parent_fabric_wwn": "2000000087658765", "wwnn": "5001a4a000000021",
                        "wwpn": "5001a4a000000099"}}
    result = run_module("scsi_pool", args, diff=True)
    assert result.changed and result["actions"] == ["update"]
    assert "5001a4a000000099" in result["diff"]["after"] and "5001a4a000000022" in result["diff"]["before"]
    xml = _pool_xml(conn, "npiv")
    # parent_fabric_wwn replaced parent (libvirt refuses both), the WWNN stayed.
    assert "wwpn='5001a4a000000099'" in xml and "parent_fabric_wwn='2000000087658765'" in xml
    assert "parent='scsi_host2'" not in xml and "wwnn='5001a4a000000021'" in xml
    assert not run_module("scsi_pool", args).changed


def test_redefine_running_pool_warns_and_stopped_pool_takes_new_source(test_node, run_module):
    uri, conn = test_node
    args = {"uri": uri, "name": "fcpool", "state": "present",
            "adapter": {"type": "scsi_host", "parent_address": {"unique_id": 0, "pci_address": "0000:04:00.1"}}}
    result = run_module("scsi_pool", args, check_mode=True)
    assert result.changed and result["actions"] == ["update"]
    assert any("next started" in str(w) for w in result.get("warnings", [])), result
    # (The test driver keeps no separate persistent definition of a running pool, so check the
    # rewrite itself on a stopped pool.)
    assert run_module("scsi_pool", {"uri": uri, "name": "fcpool", "state": "stopped"})["actions"] == ["stop"]
    assert run_module("scsi_pool", dict(args, state="stopped"))["actions"] == ["update"]
    xml = _pool_xml(conn, "fcpool")
    assert "parentaddr unique_id='0'" in xml and "name='scsi_host1'" not in xml
    assert not run_module("scsi_pool", dict(args, state="stopped")).changed


def test_stop_start_absent(test_node, run_module):
    uri, conn = test_node
    base = {"uri": uri, "name": "fcpool", "adapter": {"type": "scsi_host", "name": "scsi_host1"}}
    stopped = run_module("scsi_pool", dict(base, state="stopped"))
    assert stopped.changed and stopped["actions"] == ["stop"] and stopped["volumes"] == []
    assert not conn.storagePoolLookupByName("fcpool").isActive()
    started = run_module("scsi_pool", dict(base, state="started"))
    assert started.changed and started["actions"] == ["start"]
    gone = run_module("scsi_pool", {"uri": uri, "name": "fcpool", "state": "absent"})
    assert gone.changed and gone["actions"] == ["stop", "undefine"]
    assert _pool_xml(conn, "fcpool") is None
    assert not run_module("scsi_pool", {"uri": uri, "name": "fcpool", "state": "absent"}).changed


def test_iscsi_and_iscsi_direct_pools(test_node, run_module):
    uri, conn = test_node
    source = {"host": "127.0.0.1", "target": "iqn.2026-11.io.scsi-virt:lab",
              "initiator": "iqn.2026-11.io.scsi-virt:host"}
    for pool_type in ("iscsi", "iscsi-direct"):
        args = {"uri": uri, "name": "san-%s" % pool_type, "type": pool_type, "source": source, "state": "present"}
        assert run_module("scsi_pool", args).changed
        xml = _pool_xml(conn, "san-%s" % pool_type)
        assert "<device path='iqn.2026-11.io.scsi-virt:lab'/>" in xml
        assert "<iqn name='iqn.2026-11.io.scsi-virt:host'/>" in xml
        assert not run_module("scsi_pool", args).changed


def test_stop_refused_while_a_running_guest_uses_a_volume(test_node, run_module):
    uri, conn = test_node
    dom = conn.lookupByName("guest-run")
    conn.defineXML(dom.XMLDesc(0).replace(
        "<devices>", "<devices><disk type='volume' device='lun'><source pool='fcpool' volume='unit:0:0:1'/>"
                     "<target dev='sda' bus='scsi'/></disk>", 1))
    dom.destroy()
    dom.create()
    args = {"uri": uri, "name": "fcpool", "state": "absent"}
    refused = run_module("scsi_pool", args)
    assert refused.failed and "guest-run" in refused["msg"] and "force" in refused["msg"], refused
    assert conn.storagePoolLookupByName("fcpool").isActive()
    assert run_module("scsi_pool", dict(args, force=True)).changed
    assert _pool_xml(conn, "fcpool") is None


@pytest.mark.parametrize("args, field", [
    ({"adapter": {"type": "fc_host", "wwnn": "5001a4a", "wwpn": "5001a4a000000022"}}, "adapter.wwnn"),
    ({"adapter": {"type": "fc_host", "wwpn": "5001a4a000000022"}}, "adapter.wwnn"),
    ({"adapter": dict(FC, parent="scsi_host3")}, "adapter.parent"),
    ({"adapter": dict(FC, parent="scsi_host9")}, "adapter.parent"),
    ({"adapter": dict(FC, parent_wwnn="2000000012341234")}, "adapter"),
    ({"adapter": {"type": "fc_host", "wwnn": "5001a4a000000021", "wwpn": "5001a4a000000022",
                  "parent_wwnn": "2000000012341234"}}, "adapter.parent_wwpn"),
    ({"adapter": {"type": "fc_host", "name": "host3", "wwnn": "5001a4a000000021", "wwpn": "5001a4a000000022"}},
     "adapter.name"),
    ({"adapter": {"type": "scsi_host"}}, "adapter"),
    ({"adapter": {"type": "scsi_host", "name": "sda"}}, "adapter.name"),
    ({"adapter": {"type": "scsi_host", "name": "host3", "wwnn": "5001a4a000000021"}}, "adapter.wwnn"),
    ({"adapter": {"type": "scsi_host", "parent_address": {"unique_id": 3, "pci_address": "00:zz.1"}}},
     "adapter.parent_address.pci_address"),
    ({}, "adapter"),
    ({"type": "iscsi"}, "source"),
    ({"type": "iscsi", "adapter": FC}, "adapter"),
    ({"type": "iscsi", "source": {"host": "127.0.0.1", "target": "not-an-iqn"}}, "source.target"),
    ({"type": "iscsi", "source": {"host": "127.0.0.1", "target": "iqn.2026-11.io.x:y", "port": 0}}, "source.port"),
    ({"type": "iscsi-direct", "source": {"host": "127.0.0.1", "target": "iqn.2026-11.io.x:y"}}, "source.initiator"),
    ({"adapter": FC, "target_path": "/tmp/x"}, "target_path"),
    ({"adapter": FC, "name": "bad<name>"}, "name"),
    ({"adapter": FC, "name": "images"}, "type"),
])
def test_bad_input_is_refused_and_changes_nothing(test_node, run_module, args, field):
    uri, conn = test_node
    before = {p.name(): p.XMLDesc(0) for p in conn.listAllStoragePools()}
    result = run_module("scsi_pool", dict({"uri": uri, "name": "newpool"}, **args))
    assert result.failed, result
    assert result["msg"].startswith(field + ":"), result["msg"]
    assert {p.name(): p.XMLDesc(0) for p in conn.listAllStoragePools()} == before


def test_absent_port_means_3260(test_node, run_module):
    """A pool defined elsewhere without a port is the same pool as ours with port 3260 (found by the benchmark)."""
    uri, conn = test_node
    conn.storagePoolDefineXML("<pool type='iscsi-direct'><name>direct</name><source><host name='127.0.0.1'/>"
                              "<device path='iqn.2026-11.io.x:lab'/><initiator><iqn name='iqn.2026-11.io.x:h'/>"
                              "</initiator></source></pool>")
    args = {"uri": uri, "name": "direct", "type": "iscsi-direct", "state": "present",
            "source": {"host": "127.0.0.1", "target": "iqn.2026-11.io.x:lab", "initiator": "iqn.2026-11.io.x:h"}}
    assert not run_module("scsi_pool", args).changed
    assert run_module("scsi_pool", dict(args, source=dict(args["source"], port=3261))).changed


@pytest.mark.parametrize("given, written", [("::1", "::1"), ("[FD00::1]", "fd00::1")])
def test_iscsi_pool_on_an_ipv6_portal(test_node, run_module, given, written):
    uri, conn = test_node
    args = {"uri": uri, "name": "san-v6", "type": "iscsi", "state": "present",
            "source": {"host": given, "target": "iqn.2026-11.io.scsi-virt:lab"}}
    assert run_module("scsi_pool", args).changed
    assert "<host name='%s' port='3260'/>" % written in _pool_xml(conn, "san-v6")
    assert not run_module("scsi_pool", args).changed
