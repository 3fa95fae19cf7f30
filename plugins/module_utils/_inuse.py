# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which guests use a pool, a set of block paths, an adapter or a LUN: in-use protection.

``running_users``/``refuse_if_used`` guard stopping or deleting what running guests use;
``lun_users``/``refuse_unshared_use`` guard giving one LUN to two domains unless both uses are shareable.
"""

from __future__ import annotations

import re

from ansible_collections.scsi.virt.plugins.module_utils._devices.disk_lun import DiskLun
from ansible_collections.scsi.virt.plugins.module_utils._devices.hostdev_scsi import HostdevScsi
from ansible_collections.scsi.virt.plugins.module_utils._domain_xml import DomainDevices
from ansible_collections.scsi.virt.plugins.module_utils._errors import ScsiVirtError, ValidationError


def running_users(hypervisor, pool=None, paths=(), adapter=None):
    """[(domain name, what it uses)] for running domains using the pool, a path or the adapter."""
    paths = set(paths)
    users = []
    for dom in hypervisor.all_domains():
        if not hypervisor.domain_active(dom):
            continue
        domain = DomainDevices(hypervisor.domain_xml(dom, live=True))
        for disk in domain.all_of(DiskLun):
            if (pool and disk.type == "volume" and disk.pool == pool) or (disk.dev and disk.dev in paths):
                users.append((domain.name, disk.describe()))
        if adapter:
            for hostdev in domain.existing(HostdevScsi).values():
                if hostdev.adapter == adapter:
                    users.append((domain.name, hostdev.describe()))
        # Any disk (not only device='lun') on the pool's volumes counts as a user too.
        for element in domain.devices.iter("disk"):
            source = element.find("source")
            if source is None or element.get("device") == "lun":
                continue
            if (pool and source.get("pool") == pool) or source.get("dev") in paths:
                users.append((domain.name, "disk %s" % (source.get("dev") or source.get("volume"))))
    return users


def refuse_if_used(users, what, action, force, warnings):
    if not users:
        return
    listing = "; ".join("domain %r uses %s" % user for user in users)
    if force:
        warnings.append("%s %s although running guests use it (force: true): %s" % (action, what, listing))
        return
    raise ScsiVirtError("refusing to %s %s: %s. Detach it from the guest first, or set force: true"
                        % (action, what, listing))


# A LUN given to a guest as a disk and the same LUN as a hostdev (an iSCSI LUN) have one identity.
LUN_KINDS = (DiskLun, HostdevScsi)


def lun_users(hypervisor, exclude_uuid=None, identities=None):
    """{identity: [(domain name, state, descriptor)]} of the LUN disks and SCSI hostdevs of every domain but one.

    A running domain counts with its live and its persistent XML (a LUN attached for the next boot is in
    use too), a defined one with its persistent XML. ``identities``: only these LUNs are asked about; an
    XML that cannot name any of them (none of their iSCSI names or pool volumes in its text) is not parsed.
    """
    users = {}
    needles = _needles(identities)
    for dom in hypervisor.all_domains():
        if exclude_uuid and dom.UUIDString() == exclude_uuid:
            continue
        active = hypervisor.domain_active(dom)
        seen = set()
        for live in ((True, False) if active else (False,)):
            xml_text = hypervisor.domain_xml(dom, live=live)
            if needles is not None and needles.isdisjoint(_ATTRIBUTE.findall(xml_text.lower())):
                continue
            domain = DomainDevices(xml_text)
            for kind in LUN_KINDS:
                for identity, device in domain.existing(kind).items():
                    if identity in seen or (identities is not None and identity not in identities):
                        continue
                    seen.add(identity)
                    users.setdefault(identity, []).append((domain.name, "running" if active else "defined", device))
    return users


# Every attribute value of an XML text (libvirt quotes them with ' and escapes none of the needles' characters).
_ATTRIBUTE = re.compile(r"""=['"]([^'"]*)['"]""")


def _needles(identities):
    """Lower-case attribute values one of which any use of these LUNs has in its XML (an iSCSI source name, a
    pool volume), or None when some LUN can be named in ways its text does not show (a block LUN: another
    path of the same WWID)."""
    if identities is None:
        return None
    needles = set()
    for identity in identities:
        if identity[0] == "iscsi":
            needle = identity[1]
        elif identity[0] == "volume":
            needle = identity[2]
        else:
            return None
        if not needle or set(needle) & set("&<>'\""):
            return None  # XML would escape it: parse every domain
        needles.add(needle.lower())
    return needles


def refuse_unshared_use(users, device, field):
    """Raise when another domain in ``users`` uses ``device``'s LUN and the two uses are not both shareable.

    ``device`` is the fragment as the domain leaves it (so a shareable flag already set in the domain counts);
    ``field`` is the option that names it (``luns[1]``, or '' for the top-level options).
    """
    for other_name, other_state, other in users.get(device.identity(), ()):
        if device.effective("shareable") and other.effective("shareable"):
            continue
        raise ValidationError(
            "%sshareable" % (field + "." if field else ""),
            "refusing to attach %s: %s domain %r already uses it as %s (shareable: %s here, %s there). Two guests "
            "may share a LUN only when both uses are shareable (a cluster): set shareable: true here and on %r's "
            "device, or detach it from %r first" % (
                device.describe(), other_state, other_name, other.describe(),
                str(bool(device.effective("shareable"))).lower(), str(bool(other.effective("shareable"))).lower(),
                other_name, other_name))
