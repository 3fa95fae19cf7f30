# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""dm-multipath maps and their paths, as the hypervisor sees them.

Two ways in, depending on where libvirt runs:

- Local hypervisor: sysfs. A map is a ``/sys/block/dm-N`` whose ``dm/uuid`` is ``mpath-<WWID>``; its name is
  ``dm/name``, its paths are ``slaves/`` and each path's state is ``device/state``.
- Remote hypervisor (qemu+tcp): sysfs is out of reach and libvirt has no node device for a dm device. libvirt's
  ``mpath`` storage pool lists the maps as volumes (``dm-N``, path ``/dev/mapper/<name>``, size), and the paths are
  storage node devices whose serial is udev's ID_SERIAL - the WWID multipath groups by (its default
  ``uid_attribute``). A map is tied to its paths only when it is named by that WWID (``user_friendly_names no``,
  multipath's default); a friendly name (``mpatha``) is listed with ``wwid`` and ``paths`` unknown. Path states
  are not exposed there.
"""

from __future__ import annotations

import os

from ansible_collections.scsi.virt.plugins.module_utils._sysfs import read_text

SYSFS = "/sys"
MAPPER = "/dev/mapper"
DM_UUID_LINK = "/dev/disk/by-id/dm-uuid-mpath-"


def dm_identity(block, sysfs=None):
    """(uuid, name) of a device-mapper block device (``dm-N``), or None when it is not one."""
    sysfs = sysfs or SYSFS
    base = os.path.join(sysfs, "block", os.path.basename(block), "dm")
    if not os.path.isdir(base):
        return None
    return read_text(os.path.join(base, "uuid")) or "", read_text(os.path.join(base, "name")) or ""


def local_maps(sysfs=None):
    """Every dm-multipath map in sysfs: [{name, wwid, dm, path, by_id, size, paths: [{block, state}]}]."""
    sysfs = sysfs or SYSFS
    maps = []
    try:
        blocks = sorted(os.listdir(os.path.join(sysfs, "block")), key=natural_key)
    except OSError:
        return maps
    for block in blocks:
        if not block.startswith("dm-"):
            continue
        identity = dm_identity(block, sysfs)
        if identity is None or not identity[0].startswith("mpath-"):
            continue
        uuid, name = identity
        wwid = uuid[len("mpath-"):]
        paths = []
        slaves = os.path.join(sysfs, "block", block, "slaves")
        try:
            members = sorted(os.listdir(slaves), key=natural_key)
        except OSError:
            members = []
        for member in members:
            paths.append({"block": "/dev/" + member,
                          "state": read_text(os.path.join(sysfs, "block", member, "device", "state"))})
        sectors = read_text(os.path.join(sysfs, "block", block, "size"))
        maps.append({"name": name, "wwid": wwid, "dm": block, "path": os.path.join(MAPPER, name),
                     "by_id": DM_UUID_LINK + wwid, "size": int(sectors) * 512 if sectors and sectors.isdigit()
                     else None, "paths": paths})
    return maps


def map_holding(block, sysfs=None):
    """The name of the dm-multipath map that holds path ``block`` (``sdX``), from its ``holders/``; else None."""
    sysfs = sysfs or SYSFS
    holders = os.path.join(sysfs, "block", os.path.basename(block), "holders")
    try:
        names = sorted(os.listdir(holders))
    except OSError:
        return None
    for holder in names:
        identity = dm_identity(holder, sysfs)
        if identity and identity[0].startswith("mpath-"):
            return identity[1]
    return None


def natural_key(name):
    digits = "".join(c for c in name if c.isdigit())
    return (name.rstrip("0123456789"), int(digits) if digits else -1, name)


def group_maps(maps, paths_by_wwid, local):
    """Each map with its WWID and paths. ``paths_by_wwid``: {WWID: [path entries]} from the storage node devices.

    Local maps already know their WWID and slaves; a remote map is matched by its name being a WWID.
    """
    out = []
    for found in maps:
        entry = dict(found)
        if local:
            entry.setdefault("by_id", DM_UUID_LINK + entry["wwid"])
        else:
            wwid = entry["name"] if entry["name"] in paths_by_wwid else None
            entry.update(wwid=wwid, by_id=DM_UUID_LINK + wwid if wwid else None,
                         paths=[{"block": p["block"], "state": None} for p in paths_by_wwid.get(wwid, [])])
        out.append(entry)
    return out
