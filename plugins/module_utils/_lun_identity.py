# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One LUN, one identity: a block path resolved to the WWID the hypervisor's kernel reports.

``/dev/disk/by-id/wwn-0x6001405abcdef012``, ``/dev/disk/by-path/...-lun-1`` and ``/dev/sdb`` can all
be the same LUN. A disk's identity is therefore ``('wwid', 'naa.6001405abcdef012')`` whenever the
path can be resolved, and the path string only when it cannot (a remote hypervisor, a path that
does not exist, a partition).

Resolution follows the path's symlinks inside ``DEV_ROOT`` (``/``; tests point it at a generated
tree) to a block device name, then reads ``SYSFS/block/<name>/device/wwid`` (a SCSI disk) or
``SYSFS/block/<name>/dm/uuid`` (a dm-multipath map, ``mpath-<udev id>``). A ``wwn-0x...`` link name
carries the WWN itself, so it resolves textually when the filesystem cannot be read.
"""

from __future__ import annotations

import os
import re

from ansible_collections.scsi.virt.plugins.module_utils._sysfs import read_text

# Roots of the hypervisor's views, module constants so tests can point them at a generated tree.
DEV_ROOT = "/"
SYSFS = "/sys"
# Resolve paths on this machine: None = when libvirt is local (set by configure()); tests set True.
FORCE_LOCAL = None

_WWN_LINK = re.compile(r"^/dev/disk/by-id/wwn-0x([0-9a-f]{16}|[0-9a-f]{32})$")
_WWID = re.compile(r"^(naa|eui|t10)\.\S.*$")


class LunResolver:
    """Path -> WWID, cached for one module run."""

    def __init__(self, local):
        self.local = local
        self._cache = {}

    def wwid(self, path):
        """The LUN's WWID (``naa.<hex>``, ``eui.<hex>`` or ``t10.<text>``), or None if unknown."""
        if not path:
            return None
        if path not in self._cache:
            found = self._from_host(path) if self.local else None
            self._cache[path] = found or wwid_from_link_name(path)
        return self._cache[path]

    def block_name(self, path):
        """The kernel name (``sdb``, ``dm-3``) the path resolves to on the hypervisor, or None."""
        if not self.local:
            return None
        return _block_name(path)

    def _from_host(self, path):
        name = _block_name(path)
        if name is None:
            return None
        return sysfs_wwid(name)


def _inside(path):
    return os.path.join(DEV_ROOT, path.lstrip("/"))


def _block_name(path):
    """Follow symlinks below DEV_ROOT (relative and absolute targets both stay in the tree)."""
    current = path
    for _hop in range(40):
        real = _inside(current)
        if not os.path.islink(real):
            return os.path.basename(current) if os.path.exists(real) else None
        target = os.readlink(real)
        current = os.path.normpath(target if target.startswith("/") else
                                   os.path.join(os.path.dirname(current), target))
    return None


def sysfs_wwid(name):
    """WWID of the block device ``name`` from sysfs: a SCSI disk's ``device/wwid`` or a multipath map's
    ``dm/uuid`` (``mpath-3<naa hex>`` -> ``naa.<hex>``); None for anything else (partitions too)."""
    base = os.path.join(SYSFS, "block", name)
    text = read_text(os.path.join(base, "device", "wwid"))
    if text:
        return normalize_wwid(text)
    uuid = read_text(os.path.join(base, "dm", "uuid"))
    if uuid and uuid.startswith("mpath-"):
        return wwid_from_udev_id(uuid[len("mpath-"):])
    return None


def normalize_wwid(text):
    text = " ".join(text.split())
    if text[:4].lower() in ("naa.", "eui."):
        return text.lower()
    return text if _WWID.match(text) else None


def wwid_from_udev_id(udev_id):
    """udev's SCSI id (multipath's WWID): '3' + NAA hex -> naa.<hex>, '2' + EUI-64 -> eui.<hex>."""
    text = (udev_id or "").strip().lower()
    if len(text) > 1 and all(c in "0123456789abcdef" for c in text[1:]):
        if text[0] == "3":
            return "naa." + text[1:]
        if text[0] == "2":
            return "eui." + text[1:]
    return None


def wwid_from_link_name(path):
    """``/dev/disk/by-id/wwn-0x<hex>`` -> ``naa.<hex>``; None for any other path."""
    m = _WWN_LINK.match(path or "")
    return "naa." + m.group(1) if m else None


_RESOLVER = [LunResolver(local=False)]


def configure(hypervisor):
    """Use the host's /dev and /sys for identities when libvirt runs on this machine."""
    local = hypervisor.is_local if FORCE_LOCAL is None else FORCE_LOCAL
    _RESOLVER[0] = LunResolver(local=local)
    return _RESOLVER[0]


def resolver():
    return _RESOLVER[0]


def block_identity(path):
    """A block source's identity: ('wwid', WWID) when known, else ('block', path)."""
    wwid = resolver().wwid(path)
    return ("wwid", wwid) if wwid else ("block", path)
