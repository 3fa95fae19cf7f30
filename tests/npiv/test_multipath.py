# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""dm-multipath on the NPIV lab's real kernel, in its multipath mode (a separate instance):

    SCSI_VIRT_NPIV_MULTIPATH=1 SCSI_VIRT_NPIV_PORT=16510 SCSI_VIRT_NPIV_DIR=/var/tmp/scsi-virt-npiv-mp \\
        lab/npiv/npiv.sh up

Two scsi_debug hosts report the same LUN identifiers (vpd_use_hostno=0), so each LUN has two paths, and
multipathd (find_multipaths off, maps named by WWID) makes one map per LUN. Everything is read over qemu+tcp:
paths from libvirt's storage node devices, maps from libvirt's mpath pool (see plugins/module_utils/_multipath.py).
Path states are not known remotely; the sysfs reading that gives them is unit tested on a generated tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.npiv

PORT = os.environ.get("SCSI_VIRT_NPIV_MP_PORT", "16510")
STATE = os.environ.get("SCSI_VIRT_NPIV_MP_DIR", "/var/tmp/scsi-virt-npiv-mp")
URI = "qemu+tcp://127.0.0.1:%s/system" % PORT
START = ("SCSI_VIRT_NPIV_MULTIPATH=1 SCSI_VIRT_NPIV_PORT=%s SCSI_VIRT_NPIV_DIR=%s lab/npiv/npiv.sh up"
         % (PORT, STATE))
NAME = "npiv-mp"


@pytest.fixture(scope="module")
def conn(open_lab):
    connection = open_lab(URI, START)
    yield connection
    connection.close()


@pytest.fixture
def info(conn, run_module, lab_missing):
    result = run_module("scsi_lun_info", {"uri": URI})
    assert not result.failed, result
    if not result["multipath"]:
        lab_missing("the lab at %s is not in multipath mode (%s)" % (URI, START))
    return result


@pytest.fixture
def domain(conn):
    try:
        conn.lookupByName(NAME).undefine()
    except Exception:  # noqa: BLE001 - absent is fine
        pass
    conn.defineXML("<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory><os><type arch='x86_64'>"
                   "hvm</type></os><devices/></domain>" % NAME)
    yield conn.lookupByName(NAME)
    conn.lookupByName(NAME).undefine()


def test_paths_grouped_by_wwid_into_one_map_each(info):
    debug = [entry for entry in info["luns"] if entry["source"] == "scsi" and entry["model"] == "scsi_debug"]
    maps = info["multipath"]
    # Every scsi_debug LUN is a path of exactly one map, and every map has one path on each of the two hosts.
    assert all(entry["multipath"] for entry in debug), debug
    for found in maps:
        assert found["path"] == "/dev/mapper/" + found["name"] and found["wwid"] == found["name"], found
        assert found["by_id"] == "/dev/disk/by-id/dm-uuid-mpath-" + found["wwid"]
        assert len(found["paths"]) == 2 and len({p["address"].split(":")[0] for p in found["paths"]}) == 2, found
        wwns = {entry["wwn"] for entry in debug if entry["multipath"] == found["name"]}
        assert len(wwns) == 1 and None not in wwns, (found, debug)
    assert sorted(p["name"] for found in maps for p in found["paths"]) == sorted(e["name"] for e in debug)
    print("\n%d maps, paths per LUN: %s" % (len(maps), [len(found["paths"]) for found in maps]))


def test_host_filter_keeps_its_paths_and_their_maps(info, run_module):
    host = info["multipath"][0]["paths"][0]["address"].split(":")[0]
    on_host = run_module("scsi_lun_info", {"uri": URI, "host": host})
    assert {entry["host"] for entry in on_host["luns"]} == {int(host)}
    assert all(entry["source"] == "scsi" for entry in on_host["luns"])
    assert [m["name"] for m in on_host["multipath"]] == [m["name"] for m in info["multipath"]]


def test_wwn_resolves_to_the_map_and_single_paths_are_refused(info, domain, run_module):
    found = info["multipath"][0]
    path = found["paths"][0]
    lun = [entry for entry in info["luns"] if entry["name"] == path["name"]][0]
    before = domain.XMLDesc(0)
    for dev in (path["block"], "/dev/disk/by-id/wwn-0x" + lun["wwn"]):
        refused = run_module("domain_disk_lun", {"uri": URI, "domain": NAME, "dev": dev})
        assert refused.failed and refused["msg"].startswith("dev: is one path of multipath map %s" % found["path"])
        assert "allow_single_path" in refused["msg"], refused
    assert domain.XMLDesc(0) == before
    attached = run_module("domain_disk_lun", {"uri": URI, "domain": NAME, "wwn": lun["wwn"]})
    assert attached.changed and [entry["dev"] for entry in attached["luns"]] == [found["path"]], attached
    # The same LUN given as its map: one disk, nothing to change.
    assert not run_module("domain_disk_lun", {"uri": URI, "domain": NAME, "dev": found["path"]}).changed
    used = run_module("scsi_lun_info", {"uri": URI, "wwn": lun["wwn"]})["multipath"]
    assert [[u["domain"] for u in m["used_by"]] for m in used] == [[NAME]], used
    single = run_module("domain_disk_lun", {"uri": URI, "domain": NAME, "dev": path["block"],
                                            "allow_single_path": True})
    assert single.changed and path["block"] in [entry["dev"] for entry in single["luns"]], single
    # Removing that single path needs no allow_single_path: the refusal guards attaching only.
    removed = run_module("domain_disk_lun", {"uri": URI, "domain": NAME, "dev": path["block"], "state": "absent"})
    assert removed.changed and path["block"] not in domain.XMLDesc(0) and found["path"] in domain.XMLDesc(0), removed
    by_wwn = run_module("domain_disk_lun", {"uri": URI, "domain": NAME, "wwn": lun["wwn"], "state": "absent"})
    assert by_wwn.changed and found["path"] not in domain.XMLDesc(0), by_wwn


def test_rescan_reports_the_luns_a_new_mapping_adds(info, run_module):
    hosts = sorted({"scsi_host" + p["address"].split(":")[0] for m in info["multipath"] for p in m["paths"]})
    luns = run_module("scsi_lun_info", {"uri": URI})["luns"]
    per_host = max(entry["lun"] for entry in luns if entry["multipath"]) + 1
    planned = run_module("scsi_host_rescan", {"uri": URI, "name": hosts}, check_mode=True)
    assert not planned.changed and [h["name"] for h in planned["hosts"]] == hosts and planned["appeared"] == []
    # The storage admin maps one more LUN (scsi_debug's max_luns, set through the lab's control port) ...
    env = dict(os.environ, SCSI_VIRT_NPIV_PORT=PORT, SCSI_VIRT_NPIV_DIR=STATE,
               SCSI_VIRT_VENV=os.environ.get("SCSI_VIRT_VENV", os.path.dirname(os.path.dirname(sys.executable))))
    subprocess.run(["bash", "lab/npiv/npiv.sh", "scsi-debug", "max_luns", str(per_host + 1)], env=env, check=True)
    time.sleep(2)
    names = {entry["name"] for entry in run_module("scsi_lun_info", {"uri": URI})["luns"]}
    new = sorted("scsi_%s_0_0_%d" % (h[len("scsi_host"):], per_host) for h in hosts)
    assert not set(new) & names, "the kernel found the new LUN before any rescan"
    # ... and the rescan (a scsi pool start per host, through libvirt) finds it on both paths.
    rescanned = run_module("scsi_host_rescan", {"uri": URI, "name": hosts})
    assert rescanned.changed and [entry["name"] for entry in rescanned["appeared"]] == new, rescanned
    assert all(h["method"] == "transient scsi pool" for h in rescanned["hosts"])
    again = run_module("scsi_host_rescan", {"uri": URI, "name": hosts})
    assert not again.changed and again["appeared"] == []
    deadline = time.monotonic() + 30
    while True:
        maps = run_module("scsi_lun_info", {"uri": URI})["multipath"]
        grouped = [m for m in maps if sorted(p["name"] for p in m["paths"]) == new]
        if grouped or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert grouped, maps
    print("\nrescan of %d hosts: %d new paths in %.1f s, grouped into %s" % (
        len(hosts), len(rescanned["appeared"]), rescanned["seconds"], grouped[0]["name"]))
