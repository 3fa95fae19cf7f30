# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which running guests use a pool, a set of block paths or an adapter: in-use protection."""

from __future__ import annotations

from ansible_collections.scsi.virt.plugins.module_utils._devices.disk_lun import DiskLun
from ansible_collections.scsi.virt.plugins.module_utils._devices.hostdev_scsi import HostdevScsi
from ansible_collections.scsi.virt.plugins.module_utils._errors import ScsiVirtError
from ansible_collections.scsi.virt.plugins.module_utils._fragment import DomainPlan


def running_users(hypervisor, pool=None, paths=(), adapter=None):
    """[(domain name, what it uses)] for running domains using the pool, a path or the adapter."""
    paths = set(paths)
    users = []
    for dom in hypervisor.all_domains():
        if not hypervisor.domain_active(dom):
            continue
        plan = DomainPlan(hypervisor.domain_xml(dom, live=True))
        for disk in plan.all_of(DiskLun):
            if (pool and disk.type == "volume" and disk.pool == pool) or (disk.dev and disk.dev in paths):
                users.append((plan.name, disk.describe()))
        if adapter:
            for hostdev in plan.existing(HostdevScsi).values():
                if hostdev.adapter == adapter:
                    users.append((plan.name, hostdev.describe()))
        # Any disk (not only device='lun') on the pool's volumes counts as a user too.
        for element in plan.devices.iter("disk"):
            source = element.find("source")
            if source is None or element.get("device") == "lun":
                continue
            if (pool and source.get("pool") == pool) or source.get("dev") in paths:
                users.append((plan.name, "disk %s" % (source.get("dev") or source.get("volume"))))
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
