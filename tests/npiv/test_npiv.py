# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Against a real Linux fc_host (lab/npiv/npiv.sh up): FCoE on a dummy netdev in a TCG guest gives a
vport-capable HBA (max_vports 65535), scsi_debug gives real LUNs, libvirtd runs inside.

What only this can prove: vHBAs the kernel really creates, vport counts, libvirt's own WWN checks,
fc_host pools creating and removing their vHBA. (The fabric is empty: a vHBA there sees no LUNs and
fabric_wwn reads 0, so parent_fabric_wwn cannot be exercised here.)
"""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.npiv

URI = "qemu+tcp://127.0.0.1:%s/system" % os.environ.get("SCSI_VIRT_NPIV_PORT", "16509")
WWNN, WWPN = "5001a4a0000000c1", "5001a4a0000000c2"


@pytest.fixture(scope="module")
def conn(open_lab):
    connection = open_lab(URI, "lab/npiv/npiv.sh up")
    yield connection
    connection.close()


@pytest.fixture
def hba(conn, run_module):
    capable = run_module("scsi_host_info", {"uri": URI, "vport_capable": True})["scsi_hosts"]
    assert len(capable) == 1, capable
    yield capable[0]
    # Pools first: stopping an fc_host pool whose vHBA is already gone fails in libvirt.
    for pool in ("npiv-pool", "dbg-pool", "ahci-pool"):
        run_module("scsi_pool", {"uri": URI, "name": pool, "state": "absent", "force": True})
    for wwnn, wwpn in ((WWNN, WWPN), ("5001a4a0000000d1", "5001a4a0000000d2")):
        run_module("vhba", {"uri": URI, "wwnn": wwnn, "wwpn": wwpn, "state": "absent", "force": True})


def host(run_module, name):
    return run_module("scsi_host_info", {"uri": URI, "name": name})["scsi_hosts"][0]


def test_real_hba_reports_capacity(hba):
    assert hba["fc_host"] and hba["max_vports"] == 65535 and hba["free_vports"] == 65535 - hba["vports"]


@pytest.mark.parametrize("parent_args", ["name", "wwns", "automatic"])
def test_vhba_create_idempotent_counts_and_destroy(conn, hba, run_module, parent_args):
    args = {"uri": URI, "wwnn": WWNN, "wwpn": WWPN}
    if parent_args == "name":
        args["parent"] = hba["name"]
    elif parent_args == "wwns":
        args.update(parent_wwnn=hba["wwnn"], parent_wwpn=hba["wwpn"])
    before = host(run_module, hba["name"])["vports"]
    created = run_module("vhba", args)
    assert created.changed and created["parent"] == hba["name"] and created["name"].startswith("scsi_host"), created
    assert host(run_module, hba["name"])["vports"] == before + 1
    # libvirt's own lookup by WWN (the test driver lacks it) finds the same device.
    assert conn.nodeDeviceLookupSCSIHostByWWN(WWNN, WWPN, 0).name() == created["name"]
    assert not run_module("vhba", args).changed
    destroyed = run_module("vhba", dict(args, state="absent"))
    assert destroyed.changed
    assert host(run_module, hba["name"])["vports"] == before
    assert not run_module("vhba", dict(args, state="absent")).changed


def test_used_wwpn_and_incapable_parent_are_refused(conn, hba, run_module):
    before = sorted(d.name() for d in conn.listAllDevices(0))
    used = run_module("vhba", {"uri": URI, "wwnn": WWNN, "wwpn": hba["wwpn"]})
    assert used.failed and used["msg"].startswith("wwpn:") and "already used by %s" % hba["name"] in used["msg"]
    debug_host = [h for h in run_module("scsi_host_info", {"uri": URI})["scsi_hosts"]
                  if h["parent"] == "computer" and not h["fc_host"]][0]
    incapable = run_module("vhba", {"uri": URI, "wwnn": WWNN, "wwpn": WWPN, "parent": debug_host["name"]})
    assert incapable.failed and "not vport-capable" in incapable["msg"]
    assert sorted(d.name() for d in conn.listAllDevices(0)) == before


def test_fc_host_pool_creates_and_removes_its_vhba(conn, hba, run_module):
    args = {"uri": URI, "name": "npiv-pool", "autostart": True,
            "adapter": {"type": "fc_host", "parent": hba["name"], "wwnn": "5001a4a0000000d1",
                        "wwpn": "5001a4a0000000d2"}}
    started = run_module("scsi_pool", args)
    assert started.changed and started["pool_status"]["active"] and started["pool"]["autostart"], started
    vhba = run_module("scsi_host_info", {"uri": URI, "wwnn": "5001a4a0000000d1", "wwpn": "5001a4a0000000d2"})
    assert [h["is_vhba"] for h in vhba["scsi_hosts"]] == [True]
    assert conn.storagePoolLookupByName("npiv-pool").autostart() == 1
    assert not run_module("scsi_pool", args).changed
    stopped = run_module("scsi_pool", dict(args, state="stopped"))
    assert stopped.changed and stopped["actions"] == ["stop"]
    assert run_module("scsi_host_info", {"uri": URI, "wwnn": "5001a4a0000000d1",
                                         "wwpn": "5001a4a0000000d2"})["scsi_hosts"] == []


def test_fc_host_pool_that_creates_its_vhba_is_managed(conn, hba, run_module):
    """libvirt records managed='yes' on a pool whose start created the vHBA, and removes the vHBA at stop:
    managed: false is refused for such a pool (it could never stay), true and unset are idempotent."""
    wwns = {"wwnn": "5001a4a0000000d1", "wwpn": "5001a4a0000000d2"}

    def vhbas():
        return run_module("scsi_host_info", dict(uri=URI, **wwns))["scsi_hosts"]
    base = {"uri": URI, "name": "npiv-pool", "adapter": dict(type="fc_host", parent=hba["name"], **wwns)}
    refused = run_module("scsi_pool", dict(base, adapter=dict(base["adapter"], managed=False)))
    assert refused.failed and refused["msg"].startswith("adapter.managed: false needs the vHBA"), refused
    assert vhbas() == [] and "npiv-pool" not in [p.name() for p in conn.listAllStoragePools()]
    for managed in (None, True):
        args = dict(base, adapter=dict(base["adapter"], managed=managed))
        started = run_module("scsi_pool", args)
        assert started.changed and started["pool_status"]["active"] and started["pool"]["adapter"]["managed"] is True, started
        assert len(vhbas()) == 1
        assert not run_module("scsi_pool", args).changed
        stopped = run_module("scsi_pool", dict(args, state="stopped"))
        assert stopped["actions"] == ["stop"] and vhbas() == []
        assert run_module("scsi_pool", dict(args, state="absent"))["actions"] == ["undefine"]


def test_scsi_host_pools_list_real_luns(conn, hba, run_module):
    hosts = run_module("scsi_host_info", {"uri": URI})["scsi_hosts"]
    debug_host = [h for h in hosts if h["parent"] == "computer" and not h["fc_host"]][0]
    # scsi_debug sits on a pseudo bus: its disks get /dev/disk/by-id names but no by-path ones, and
    # libvirt lists only LUNs with a name under the pool's target path.
    pool = run_module("scsi_pool", {"uri": URI, "name": "dbg-pool", "target_path": "/dev/disk/by-id",
                                    "adapter": {"type": "scsi_host", "name": debug_host["name"]}})
    assert pool.changed and [v["name"] for v in pool["volumes"]] == ["unit:0:0:0", "unit:0:0:1"], pool
    assert all(v["capacity"] == 16 * 1024 * 1024 and v["path"].startswith("/dev/disk/by-id/")
               for v in pool["volumes"])
    # An HBA with a PCI parent, named the stable way.
    pci_host = [h for h in hosts if h["parent"].startswith("pci_")][0]
    domain, bus, slot, function = pci_host["parent"][len("pci_"):].split("_")
    by_address = run_module("scsi_pool", {"uri": URI, "name": "ahci-pool", "adapter": {
        "type": "scsi_host", "parent_address": {"unique_id": pci_host["unique_id"],
                                                "pci_address": "%s:%s:%s.%s" % (domain, bus, slot, function)}}})
    assert by_address.changed and by_address["pool_status"]["active"], by_address
    xml = conn.storagePoolLookupByName("ahci-pool").XMLDesc(0)
    assert "parentaddr unique_id='%d'" % pci_host["unique_id"] in xml


def test_scsi_lun_info_and_attach_to_a_guest(conn, hba, run_module):
    luns = [entry for entry in run_module("scsi_lun_info", {"uri": URI})["luns"] if entry["source"] == "scsi"
            and entry["vendor"] == "Linux"]
    assert [entry["address"].split(":")[1:] for entry in luns] == [["0", "0", "0"], ["0", "0", "1"]], luns
    debug = luns[0]
    name = "npiv-nested"
    try:
        conn.lookupByName(name).undefine()
    except Exception:  # noqa: BLE001 - absent is fine
        pass
    conn.defineXML("<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory><os><type arch='x86_64'>"
                   "hvm</type></os><devices/></domain>" % name)
    try:
        disk = run_module("domain_disk_lun", {"uri": URI, "domain": name, "dev": debug["block"]})
        hostdev = run_module("scsi_hostdev", {"uri": URI, "domain": name, "adapter": "scsi_host%d" % debug["host"],
                                              "bus": 0, "target": 0, "unit": 1})
        assert disk.changed and hostdev.changed, (disk, hostdev)
        used = run_module("scsi_lun_info", {"uri": URI, "host": str(debug["host"])})["luns"]
        assert sorted(u["as"] for entry in used for u in entry["used_by"]) == ["disk", "hostdev"], used
    finally:
        conn.lookupByName(name).undefine()


def test_wwns_over_a_remote_connection(conn, hba, run_module):
    """No sysfs to read through qemu+tcp: scsi_lun_info takes each LUN's WWN from udev's by-id wwn- name (the
    storage node device's devnode links) or its ID_SERIAL ('3' + WWN; sg3-utils' udev rules, which multipath-tools
    installs, make it '1' + the T10 vendor id for scsi_debug), and domain_disk_lun's wwn must name one of those."""
    luns = [entry for entry in run_module("scsi_lun_info", {"uri": URI})["luns"] if entry["source"] == "scsi"
            and entry["model"] == "scsi_debug"]
    assert len(luns) == 2 and all(entry["wwn"] and len(entry["wwn"]) == 16 for entry in luns), luns
    assert all(entry["wwn"] == entry["serial"][1:].lower() for entry in luns if entry["serial"].startswith("3"))
    assert len({entry["wwn"] for entry in luns}) == 2, luns
    by_wwn = run_module("scsi_lun_info", {"uri": URI, "wwn": "0x" + luns[1]["wwn"]})["luns"]
    assert [entry["address"] for entry in by_wwn] == [luns[1]["address"]], by_wwn
    name = "npiv-wwn"
    conn.defineXML("<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory><os><type arch='x86_64'>"
                   "hvm</type></os><devices/></domain>" % name)
    try:
        dom = conn.lookupByName(name)
        before = dom.XMLDesc(0)
        missing = run_module("domain_disk_lun", {"uri": URI, "domain": name, "wwn": "6001405deadbeef0"})
        assert missing.failed and missing["msg"].startswith("wwn: no LUN with WWN 6001405deadbeef0"), missing
        assert dom.XMLDesc(0) == before
        attached = run_module("domain_disk_lun", {"uri": URI, "domain": name, "wwn": luns[0]["wwn"]})
        assert attached.changed and attached["luns"][0]["dev"] == "/dev/disk/by-id/wwn-0x" + luns[0]["wwn"], attached
    finally:
        conn.lookupByName(name).undefine()
