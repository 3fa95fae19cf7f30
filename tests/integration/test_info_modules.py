# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The *_info modules on libvirt's test driver (no host paths: by-path/by-id/WWID need a local hypervisor)."""

from __future__ import annotations


def test_scsi_host_info_lists_hbas_and_vhbas(test_node, run_module):
    uri, conn = test_node
    hosts = {h["name"]: h for h in run_module("scsi_host_info", {"uri": uri})["scsi_hosts"]}
    assert hosts["scsi_host1"]["vport_capable"] and hosts["scsi_host1"]["wwnn"] == "2000000012341234"
    assert hosts["scsi_host1"]["vhbas"] == ["scsi_host11"] and not hosts["scsi_host1"]["is_vhba"]
    assert hosts["scsi_host11"]["is_vhba"] and not hosts["scsi_host3"]["fc_host"]
    conn.nodeDeviceCreateXML("<device><parent>scsi_host1</parent><capability type='scsi_host'><capability "
                             "type='fc_host'><wwnn>5001a4a000000011</wwnn><wwpn>5001a4a000000012</wwpn>"
                             "</capability></capability></device>")
    found = run_module("scsi_host_info", {"uri": uri, "wwnn": "50:01:a4:a0:00:00:00:11",
                                          "wwpn": "0x5001a4a000000012"})["scsi_hosts"]
    assert [h["name"] for h in found] == ["scsi_host12"] and found[0]["is_vhba"]
    capable = run_module("scsi_host_info", {"uri": uri, "vport_capable": True})["scsi_hosts"]
    assert sorted(h["name"] for h in capable) == ["scsi_host1", "scsi_host2"]
    bad = run_module("scsi_host_info", {"uri": uri, "wwnn": "12", "wwpn": "5001a4a000000012"})
    assert bad.failed and bad["msg"].startswith("wwnn:")


def test_domain_scsi_info_shows_what_domain_disk_lun_did(test_node, run_module):
    uri, _conn = test_node
    legacy = run_module("domain_scsi_info", {"uri": uri, "domain": "guest-legacy"})["domains"][0]
    assert legacy["controllers"] == [{"type": "scsi", "index": 0, "model": "lsilogic"}]
    assert [d["dev"] for d in legacy["luns"]] == ["/dev/disk/by-id/wwn-0x6001405aaaaaaaa1"]
    assert run_module("domain_disk_lun", {"uri": uri, "domain": "guest-off", "pool": "fcpool",
                                          "volume": "unit:0:0:1"}).changed
    guest = run_module("domain_scsi_info", {"uri": uri, "name": "guest-off"})["domains"][0]
    assert guest["controllers"][0]["model"] == "virtio-scsi" and not guest["active"]
    assert [(d["pool"], d["volume"], d["address"]["target"]) for d in guest["luns"]] == [("fcpool", "unit:0:0:1", 0)]
    every = run_module("domain_scsi_info", {"uri": uri})["domains"]
    assert [d["name"] for d in every] == ["guest-legacy", "guest-off", "guest-peer", "guest-run"]
    missing = run_module("domain_scsi_info", {"uri": uri, "domain": "nope"})
    assert missing.failed and missing["msg"].startswith("domain:")


def test_scsi_lun_info_lists_host_luns_pool_volumes_and_users(test_node, run_module):
    uri, _conn = test_node
    luns = run_module("scsi_lun_info", {"uri": uri})["luns"]
    host_luns = [entry for entry in luns if entry["source"] == "scsi"]
    assert [(entry["name"], entry["address"]) for entry in host_luns] == [("scsi_3_0_2_0", "3:0:2:0")]
    volumes = [entry for entry in luns if entry["source"] == "pool"]
    assert [(v["pool"], v["name"], v["wwn"]) for v in volumes] == [
        ("fcpool", "unit:0:0:1", "6001405aaaaaaaa2"), ("fcpool", "unit:0:0:2", "6001405aaaaaaaa3")]
    assert all(v["used_by"] == [] for v in volumes)
    run_module("domain_disk_lun", {"uri": uri, "domain": "guest-off", "pool": "fcpool", "volume": "unit:0:0:2"})
    run_module("scsi_hostdev", {"uri": uri, "domain": "guest-off", "adapter": "scsi_host3", "bus": 0, "target": 2,
                                "unit": 0})
    by_wwn = run_module("scsi_lun_info", {"uri": uri, "wwn": "naa.6001405AAAAAAAA3"})["luns"]
    assert [(v["name"], [u["domain"] for u in v["used_by"]]) for v in by_wwn] == [("unit:0:0:2", ["guest-off"])]
    on_host3 = run_module("scsi_lun_info", {"uri": uri, "host": "scsi_host3"})["luns"]
    assert [(u["domain"], u["as"]) for u in on_host3[0]["used_by"]] == [("guest-off", "hostdev")]
    # host= means host LUNs of that host only: the pool volumes (listed without the filter) are left out.
    assert [(entry["source"], entry["name"]) for entry in on_host3] == [("scsi", "scsi_3_0_2_0")], on_host3
    assert run_module("scsi_lun_info", {"uri": uri, "host": "1"})["luns"] == []
    assert run_module("scsi_lun_info", {"uri": uri, "pool": "fcpool"})["luns"][0]["source"] == "pool"
    bad = run_module("scsi_lun_info", {"uri": uri, "host": "hostx"})
    assert bad.failed and bad["msg"].startswith("host:")


def test_scsi_host_rescan_check_mode_plans_and_run_reports(test_node, run_module):
    """On the test driver: host selection and the check-mode plan (nothing rescanned); a run goes through a
    scsi pool start, the only rescan path over a non-local connection. The real rescan is proven in
    tests/npiv/test_multipath.py."""
    uri, conn = test_node
    pools = sorted(p.name() for p in conn.listAllStoragePools(0))
    planned = run_module("scsi_host_rescan", {"uri": uri}, check_mode=True)
    names = [h["name"] for h in planned["hosts"]]
    assert not planned.changed and "scsi_host1" in names and "scsi_host3" in names, planned
    assert planned["appeared"] == [] and planned["went"] == [] and "method" not in planned["hosts"][0]
    by_wwpn = run_module("scsi_host_rescan", {"uri": uri, "wwpn": [planned["hosts"][0]["name"]]}, check_mode=True)
    assert by_wwpn.failed and by_wwpn["msg"].startswith("wwpn[0]:")
    fc = [h["name"] for h in planned["hosts"] if h["fc_host"]]
    wwpn = next(d for d in run_module("scsi_host_info", {"uri": uri})["scsi_hosts"] if d["name"] == fc[0])["wwpn"]
    chosen = run_module("scsi_host_rescan", {"uri": uri, "wwpn": [wwpn], "name": ["3"]}, check_mode=True)
    assert sorted(h["name"] for h in chosen["hosts"]) == sorted([fc[0], "scsi_host3"]), chosen
    ran = run_module("scsi_host_rescan", {"uri": uri, "name": ["scsi_host3"], "settle": 0})
    assert not ran.failed and ran["hosts"][0]["method"] == "transient scsi pool", ran
    assert sorted(p.name() for p in conn.listAllStoragePools(0)) == pools
