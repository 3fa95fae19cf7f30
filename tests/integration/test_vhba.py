# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vhba on libvirt's test driver.

The test driver cannot prove: vport counts going up/down (it reports 0), libvirt generating WWNs,
lookup by WWN through the driver, the kernel refusing a duplicate WWPN. The NPIV lab (lab/npiv) covers those.
"""

from __future__ import annotations

import libvirt
import pytest

WWNN, WWPN = "5001a4a000000011", "5001a4a000000012"


def _fc_hosts(conn):
    return sorted(d.name() for d in conn.listAllDevices(libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_FC_HOST))


def test_create_is_idempotent_and_check_mode_changes_nothing(test_node, run_module):
    uri, conn = test_node
    args = {"uri": uri, "wwnn": "0x5001A4A000000011", "wwpn": "50:01:a4:a0:00:00:00:12", "parent": "scsi_host1"}
    before = _fc_hosts(conn)
    check = run_module("vhba", args, check_mode=True, diff=True)
    assert check.changed and _fc_hosts(conn) == before
    assert "<wwpn>5001a4a000000012</wwpn>" in check["diff"]["after"]
    created = run_module("vhba", args)
    assert created.changed and created["name"] not in before
    assert (created["wwnn"], created["wwpn"], created["parent"]) == (WWNN, WWPN, "scsi_host1")
    assert _fc_hosts(conn) == sorted(before + [created["name"]])
    again = run_module("vhba", args, check_mode=True)
    assert not again.changed
    second = run_module("vhba", args)
    assert not second.changed and second["name"] == created["name"]
    assert _fc_hosts(conn) == sorted(before + [created["name"]])


@pytest.mark.parametrize("check_mode", [True, False])
def test_present_without_wwns_is_refused_not_a_new_vhba_each_run(test_node, run_module, check_mode):
    """Without a WWN pair nothing identifies the vHBA on the next run: every run would add one."""
    uri, conn = test_node
    before = _fc_hosts(conn)
    result = run_module("vhba", {"uri": uri, "parent": "scsi_host1"}, check_mode=check_mode)
    assert result.failed and result["msg"].startswith("wwnn:") and "wwpn" in result["msg"], result
    assert _fc_hosts(conn) == before


def test_automatic_parent_and_destroy(test_node, run_module):
    uri, conn = test_node
    created = run_module("vhba", {"uri": uri, "wwnn": WWNN, "wwpn": WWPN})
    assert created.changed and created["parent"] in ("scsi_host1", "scsi_host2")
    absent = {"uri": uri, "wwnn": WWNN, "wwpn": WWPN, "state": "absent"}
    assert run_module("vhba", absent, check_mode=True).changed
    assert created["name"] in _fc_hosts(conn)
    assert run_module("vhba", absent).changed
    assert created["name"] not in _fc_hosts(conn)
    assert not run_module("vhba", absent).changed


def test_parent_by_fabric_and_by_wwn(test_node, run_module):
    uri, _conn = test_node
    by_fabric = run_module("vhba", {"uri": uri, "wwnn": WWNN, "wwpn": WWPN,
                                    "parent_fabric_wwn": "20:00:00:00:87:65:87:65"}, check_mode=True)
    assert by_fabric.changed and by_fabric["parent"] == "scsi_host2"
    by_wwn = run_module("vhba", {"uri": uri, "wwnn": WWNN, "wwpn": WWPN, "parent_wwnn": "2000000012341234",
                                 "parent_wwpn": "0x1000000012341234"}, check_mode=True)
    assert by_wwn.changed and by_wwn["parent"] == "scsi_host1"


@pytest.mark.parametrize("args, field, fragment", [
    ({"wwnn": "5001a4a", "wwpn": WWPN}, "wwnn", "expected 16 hex digits"),
    ({"wwnn": WWNN, "wwpn": "zz01a4a000000012"}, "wwpn", "expected 16 hex digits"),
    ({"wwnn": WWNN, "wwpn": WWNN}, "wwpn", "must differ from wwnn"),
    ({"wwnn": WWNN}, "wwpn", "together"),
    ({"wwnn": WWNN, "wwpn": WWPN, "parent": "scsi_host9"}, "parent", "no SCSI host"),
    ({"wwnn": WWNN, "wwpn": WWPN, "parent": "pci_0000_00_1f_2"}, "parent", "scsi_hostN"),
    ({"wwnn": WWNN, "wwpn": WWPN, "parent": "scsi_host3"}, "parent", "not vport-capable"),
    ({"wwnn": WWNN, "wwpn": WWPN, "parent_fabric_wwn": "2000000000000009"}, "parent_fabric_wwn", "no vport-capable"),
    ({"wwnn": WWNN, "wwpn": WWPN, "parent_wwnn": "2000000000000009", "parent_wwpn": "2000000000000008"},
     "parent_wwnn", "no HBA"),
    # A WWPN already used by another port (here the existing vHBA scsi_host11) is refused.
    ({"wwnn": WWNN, "wwpn": "1000000034563456"}, "wwpn", "already used by scsi_host11"),
    # The physical HBA's WWN pair: never treated as a vHBA to keep or destroy.
    ({"wwnn": "2000000012341234", "wwpn": "1000000012341234"}, "wwpn", "physical HBA"),
    ({"wwnn": "2000000012341234", "wwpn": "1000000012341234", "state": "absent"}, None, "not an NPIV vHBA"),
    ({"state": "absent"}, None, "state is absent but all of the following are missing"),
])
def test_bad_input_is_refused_and_changes_nothing(test_node, run_module, args, field, fragment):
    uri, conn = test_node
    before = _fc_hosts(conn)
    result = run_module("vhba", dict(args, uri=uri))
    assert result.failed, result
    if field:
        assert result["msg"].startswith(field + ":"), result["msg"]
    assert fragment in result["msg"], result["msg"]
    assert "Traceback" not in result["msg"]
    assert _fc_hosts(conn) == before


def test_destroy_refused_while_a_running_guest_uses_it(test_node, run_module):
    uri, conn = test_node
    # scsi_host11 is a vHBA of scsi_host1; give the running guest a hostdev on it.
    dom = conn.lookupByName("guest-run")
    xml = dom.XMLDesc(0).replace("<devices>", "<devices><hostdev mode='subsystem' type='scsi'><source>"
                                 "<adapter name='scsi_host11'/><address bus='0' target='0' unit='0'/></source>"
                                 "</hostdev>", 1)
    conn.defineXML(xml)
    dom.destroy()
    dom.create()
    args = {"uri": uri, "wwnn": "2000000034563456", "wwpn": "1000000034563456", "state": "absent"}
    refused = run_module("vhba", args)
    assert refused.failed and "guest-run" in refused["msg"] and "force" in refused["msg"]
    assert "scsi_host11" in _fc_hosts(conn)
    forced = run_module("vhba", dict(args, force=True))
    assert forced.changed and "scsi_host11" not in _fc_hosts(conn)


def test_waiting_for_a_removed_vhba_ends_when_libvirt_no_longer_lists_it(test_node, run_module):
    """libvirt lists a deleted vHBA until udev reports its removal (seconds on a loaded host: the NPIV lab's
    pool stop under two CPU hogs); vhba absent and scsi_pool's stop wait for that, within a bound."""
    from ansible_collections.scsi.virt.plugins.module_utils._connection import Hypervisor
    from ansible_collections.scsi.virt.plugins.module_utils._devices.nodedev import wait_until_vhba_gone
    uri, conn = test_node
    created = run_module("vhba", {"uri": uri, "wwnn": WWNN, "wwpn": WWPN, "parent": "scsi_host1"})
    hypervisor = Hypervisor(uri)
    try:
        assert wait_until_vhba_gone(hypervisor, WWNN, WWPN, timeout=0.3) is False  # still listed: gives up
        conn.nodeDeviceLookupByName(created["name"]).destroy()
        assert wait_until_vhba_gone(hypervisor, WWNN, WWPN, timeout=0.3) is True
    finally:
        hypervisor.close()
