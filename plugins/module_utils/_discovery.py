# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only views for the *_info modules: HBAs, LUNs and who uses them, a domain's SCSI devices.

A domain's LUN disks and hostdevs are the items the change modules return (``as_item()``: their input shape).
"""

from __future__ import annotations

import os

from ansible_collections.scsi.virt.plugins.module_utils._devices.controller import ScsiController
from ansible_collections.scsi.virt.plugins.module_utils._devices.disk_lun import DiskLun
from ansible_collections.scsi.virt.plugins.module_utils._devices.hostdev_scsi import HostdevScsi, HostdevVhost
from ansible_collections.scsi.virt.plugins.module_utils._devices.nodedev import (
    ScsiLunDevice, StorageNodeDevice, is_vhba, scsi_hosts)
from ansible_collections.scsi.virt.plugins.module_utils._devices.pool import POOL_TYPES, StoragePool
from ansible_collections.scsi.virt.plugins.module_utils._domain_xml import DomainDevices
from ansible_collections.scsi.virt.plugins.module_utils._multipath import group_maps, local_maps, natural_key
from ansible_collections.scsi.virt.plugins.module_utils._types import (
    storage_links, wwn_from_udev_id, wwn_from_udev_names, wwn_from_wwid)
from ansible_collections.scsi.virt.plugins.module_utils._xml import parse_xml

# Roots of the host's views, module constants so unit tests can point them at a fake tree.
SYSFS = "/sys"
DEV_DISK = "/dev/disk"


# -- SCSI hosts ------------------------------------------------------------------------------
def scsi_host_facts(hypervisor, name=None, wwnn=None, wwpn=None, vport_capable=None):
    hosts = scsi_hosts(hypervisor)
    out = []
    for host in sorted(hosts.values(), key=lambda h: (h.host if h.host is not None else 1 << 30, h.name)):
        if name and host.name != name:
            continue
        if wwnn and (host.wwnn, host.wwpn) != (wwnn, wwpn):
            continue
        if vport_capable is not None and bool(host.vport_capable) != vport_capable:
            continue
        keys = ("name", "parent", "host", "unique_id", "wwnn", "wwpn", "fabric_wwn", "max_vports", "vports")
        facts = {key: host.values[key] for key in keys}
        facts.update(fc_host=bool(host.fc_host), vport_capable=bool(host.vport_capable),
                     free_vports=host.free_vports(), is_vhba=is_vhba(host, hosts),
                     vhbas=sorted(h.name for h in hosts.values() if h.parent == host.name and is_vhba(h, hosts)))
        out.append(facts)
    return out


# -- a domain's SCSI devices -------------------------------------------------------------------
def domain_scsi_facts(hypervisor, dom, live=False):
    active = hypervisor.domain_active(dom)
    domain = DomainDevices(hypervisor.domain_xml(dom, live=live and active))
    return {
        "name": domain.name,
        "active": active,
        "controllers": [c.as_dict() for c in domain.existing(ScsiController).values()],
        "luns": [d.as_item() for d in domain.all_of(DiskLun)],
        "hostdevs": [h.as_item() for h in list(domain.existing(HostdevScsi).values())
                     + list(domain.existing(HostdevVhost).values())],
    }


# -- LUNs --------------------------------------------------------------------------------------
def host_links(block):
    """{'by_path': [...], 'by_id': [...]}: the host's /dev/disk symlinks that resolve to /dev/<block>."""
    target = os.path.join("/dev", os.path.basename(block))
    links = {"by_path": [], "by_id": []}
    for kind in ("by-path", "by-id"):
        directory = os.path.join(DEV_DISK, kind)
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            path = os.path.join(directory, name)
            if os.path.basename(os.path.realpath(path)) == os.path.basename(target):
                links[kind.replace("-", "_")].append(path)
    return links


def sysfs_wwid(block):
    try:
        with open(os.path.join(SYSFS, "block", os.path.basename(block), "device", "wwid")) as handle:
            return handle.read().strip()
    except OSError:
        return None


def _usage_index(hypervisor):
    """Who uses what: {('path', p) | ('volume', pool, vol) | ('adapter', name, b, t, u): [user dict]}."""
    index = {}
    for dom in hypervisor.all_domains():
        active = hypervisor.domain_active(dom)
        domain = DomainDevices(hypervisor.domain_xml(dom))
        for disk in domain.all_of(DiskLun):
            user = {"domain": domain.name, "active": active, "as": "disk", "target_dev": disk.target_dev,
                    "address": _address(disk)}
            if disk.type == "volume":
                index.setdefault(("volume", disk.pool, disk.volume), []).append(user)
            elif disk.dev:
                index.setdefault(("path", os.path.realpath(disk.dev) if hypervisor.is_local else disk.dev),
                                 []).append(user)
        for hostdev in domain.existing(HostdevScsi).values():
            if hostdev.adapter:
                index.setdefault(("adapter", hostdev.adapter, hostdev.source_bus, hostdev.source_target,
                                  hostdev.source_unit), []).append(
                    {"domain": domain.name, "active": active, "as": "hostdev", "address": _address(hostdev)})
    return index


def _address(device):
    parts = [device.values.get(k) for k in ("address_controller", "address_bus", "address_target", "address_unit")]
    return None if parts[2] is None else "%s:%s:%s:%s" % tuple(p or 0 for p in parts)


def lun_facts(hypervisor, wwn=None, host=None, pool=None):
    usage = _usage_index(hypervisor)
    storage, links = {}, {}
    for element in hypervisor.nodedevs("storage"):
        dev = StorageNodeDevice.from_element(element)
        if dev.parent not in storage:
            storage[dev.parent] = dev
            links[dev.parent] = storage_links(element)
    luns, maps = [], []
    if pool is None:
        host_luns = sorted((ScsiLunDevice.from_element(e) for e in hypervisor.nodedevs("scsi")),
                           key=lambda d: (d.host, d.bus, d.target, d.lun))
        for lun in host_luns:
            block = storage.get(lun.name)
            entry = {"source": "scsi", "name": lun.name, "address": "%s:%s:%s:%s" % (
                lun.host, lun.bus, lun.target, lun.lun), "host": lun.host, "bus": lun.bus, "target": lun.target,
                "lun": lun.lun, "scsi_type": lun.scsi_type, "block": None, "vendor": None, "model": None,
                "serial": None, "size": None, "wwid": None, "wwn": None, "by_path": [], "by_id": []}
            if block is not None:
                entry.update(block=block.block, vendor=block.vendor, model=block.model, serial=block.serial,
                             size=block.size)
                if block.block and hypervisor.is_local:
                    entry.update(host_links(block.block))
                    entry["wwid"] = sysfs_wwid(block.block)
                    entry["wwn"] = wwn_from_wwid(entry["wwid"])
                else:
                    # Remote: no sysfs to read, but udev's names and ID_SERIAL carry the NAA WWN.
                    entry["wwn"] = wwn_from_udev_names(block.serial, links.get(lun.name, []))
            paths = ([entry["block"]] if entry["block"] else []) + entry["by_path"] + entry["by_id"]
            keys = [("path", os.path.realpath(p) if hypervisor.is_local else p) for p in paths]
            users = [user for key in keys for user in usage.get(key, [])]
            users += usage.get(("adapter", "scsi_host%s" % lun.host, lun.bus, lun.target, lun.lun), [])
            entry["used_by"] = _unique(users)
            luns.append(entry)
        maps = multipath_facts(hypervisor, luns, usage)
        luns = [entry for entry in luns if host is None or entry["host"] == host]
    # A host filter means host LUNs only: pool volumes are left out (as documented).
    for pool_obj in hypervisor.all_pools() if host is None else []:
        described = StoragePool.from_element(parse_xml(hypervisor.pool_xml(pool_obj), "pool"))
        if described.type not in POOL_TYPES or (pool and described.name != pool):
            continue
        for volume in hypervisor.volumes(pool_obj):
            entry = {"source": "pool", "pool": described.name, "name": volume["name"], "path": volume["path"],
                     "key": volume["key"], "size": volume["capacity"], "wwn": wwn_from_udev_id(volume["key"])}
            users = usage.get(("volume", described.name, volume["name"]), [])
            users += usage.get(("path", os.path.realpath(volume["path"]) if hypervisor.is_local
                                else volume["path"]), [])
            entry["used_by"] = _unique(users)
            luns.append(entry)
    if wwn:
        luns = [entry for entry in luns if entry.get("wwn") == wwn]
    shown = {entry["name"] for entry in luns if entry["source"] == "scsi"}
    maps = [found for found in maps if any(path.get("name") in shown for path in found["paths"])
            or (found["wwid"] is None and wwn is None and host is None)]
    return luns, maps


def multipath_facts(hypervisor, luns, usage):
    """The dm-multipath maps, each with its WWID and its paths (node device name, address, block, state); each
    host LUN entry gets ``multipath`` (its map's name, or None). See _multipath for what a remote connection
    can tell."""
    if hypervisor.is_test_driver:
        maps = []
    elif hypervisor.is_local:
        maps = group_maps(local_maps(), {}, local=True)
    else:
        by_wwid = {}
        for entry in luns:
            # multipath groups paths by udev's ID_SERIAL (its default uid_attribute), libvirt's serial.
            if entry["block"] and entry["serial"]:
                by_wwid.setdefault(entry["serial"], []).append(entry)
        volumes = sorted((dict(volume, name=os.path.basename(volume["path"])) for volume in hypervisor.mpath_volumes()),
                         key=lambda volume: natural_key(volume["dm"]))
        maps = group_maps(volumes, by_wwid, local=False)
    by_block = {entry["block"]: entry for entry in luns if entry["block"]}
    for entry in luns:
        entry["multipath"] = None
    for found in maps:
        names = [name for name in (found["path"], found["by_id"]) if name]
        found["used_by"] = _unique([user for name in names for user in usage.get(
            ("path", os.path.realpath(name) if hypervisor.is_local else name), [])])
        for path in found["paths"]:
            entry = by_block.get(path["block"])
            path.update(name=entry["name"] if entry else None, address=entry["address"] if entry else None)
            if entry:
                entry["multipath"] = found["name"]
    return maps


def _unique(users):
    seen, out = set(), []
    for user in users:
        marker = tuple(sorted((k, str(v)) for k, v in user.items()))
        if marker not in seen:
            seen.add(marker)
            out.append(user)
    return out
