# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Node devices: SCSI hosts (HBAs and NPIV vHBAs), SCSI LUNs and their block devices."""

from __future__ import annotations

import time

from ansible_collections.scsi.virt.plugins.module_utils._xml import INT, PRESENCE, STR, WWN, Descriptor, Prop

_HOST = "capability[@type='scsi_host']"
_FC = _HOST + "/capability[@type='fc_host']"
_VPORTS = _HOST + "/capability[@type='vport_ops']"


class ScsiHostDevice(Descriptor):
    """An HBA (``scsi_hostN``): its FC identity and NPIV vport capacity."""

    tag = "device"
    props = {
        "name": Prop("name", STR),
        "parent": Prop("parent", STR),
        "parent_wwnn": Prop("parent/@wwnn", WWN),
        "parent_wwpn": Prop("parent/@wwpn", WWN),
        "parent_fabric_wwn": Prop("parent/@fabric_wwn", WWN),
        "host": Prop(_HOST + "/host", INT),
        "unique_id": Prop(_HOST + "/unique_id", INT),
        "fc_host": Prop(_FC, PRESENCE),
        "wwnn": Prop(_FC + "/wwnn", WWN),
        "wwpn": Prop(_FC + "/wwpn", WWN),
        "fabric_wwn": Prop(_FC + "/fabric_wwn", WWN),
        "vport_capable": Prop(_VPORTS, PRESENCE),
        "max_vports": Prop(_VPORTS + "/max_vports", INT),
        "vports": Prop(_VPORTS + "/vports", INT),
    }

    def identity(self):
        return ("scsi_host", self.name)

    def free_vports(self):
        """Free NPIV ports, or None when the driver does not report capacity (max_vports 0)."""
        if not self.max_vports:
            return None
        return max(self.max_vports - (self.vports or 0), 0)

    @classmethod
    def vhba_xml(cls, parent, wwnn=None, wwpn=None):
        """The XML nodeDeviceCreateXML wants for a new vHBA (the fc_host element must exist even empty).

        The schema requires a <name>; libvirt names the new device itself (scsi_hostN, found again by
        its WWNs), so a placeholder is enough.
        """
        device = cls(name="new-vhba", parent=parent, fc_host=True, wwnn=wwnn, wwpn=wwpn)
        return device.to_element()


class ScsiLunDevice(Descriptor):
    """A SCSI LUN node device (``scsi_H_B_T_L``)."""

    tag = "device"
    props = {
        "name": Prop("name", STR),
        "parent": Prop("parent", STR),
        "host": Prop("capability[@type='scsi']/host", INT),
        "bus": Prop("capability[@type='scsi']/bus", INT),
        "target": Prop("capability[@type='scsi']/target", INT),
        "lun": Prop("capability[@type='scsi']/lun", INT),
        "scsi_type": Prop("capability[@type='scsi']/type", STR),
    }

    def identity(self):
        return ("scsi", self.host, self.bus, self.target, self.lun)


class StorageNodeDevice(Descriptor):
    """A block device node device (child of a SCSI LUN)."""

    tag = "device"
    props = {
        "name": Prop("name", STR),
        "parent": Prop("parent", STR),
        "block": Prop("capability[@type='storage']/block", STR),
        "bus": Prop("capability[@type='storage']/bus", STR),
        "drive_type": Prop("capability[@type='storage']/drive_type", STR),
        "model": Prop("capability[@type='storage']/model", STR),
        "vendor": Prop("capability[@type='storage']/vendor", STR),
        "serial": Prop("capability[@type='storage']/serial", STR),
        "size": Prop("capability[@type='storage']/size", INT),
    }

    def identity(self):
        return ("storage", self.name)


def scsi_hosts(hypervisor):
    """{name: ScsiHostDevice} of every SCSI host."""
    return {host.name: host for host in (ScsiHostDevice.from_element(e) for e in hypervisor.nodedevs("scsi_host"))}


def is_vhba(host, hosts):
    """A vHBA is a SCSI host whose parent is a vport-capable SCSI host (a physical HBA's parent is PCI)."""
    parent = hosts.get(host.parent)
    return bool(host.fc_host and parent is not None and parent.vport_capable)


def find_scsi_host_by_wwn(hypervisor, wwnn, wwpn):
    """The scsi_hostN whose fc_host has this WWN pair (works on drivers without LookupSCSIHostByWWN)."""
    for element in hypervisor.nodedevs("scsi_host"):
        host = ScsiHostDevice.from_element(element)
        if host.wwnn == wwnn and host.wwpn == wwpn:
            return host
    return None


# libvirt deletes a vHBA (vport_delete) and returns; its node device leaves libvirt's list only when udev
# reports the removal: well under a second idle, seconds on a loaded host (the NPIV lab under two CPU hogs).
VHBA_GONE_TIMEOUT = 30
VHBA_GONE_POLL = 0.2


def wait_until_vhba_gone(hypervisor, wwnn, wwpn, timeout=VHBA_GONE_TIMEOUT):
    """True once libvirt no longer lists the vHBA with this WWN pair, False if it still does after ``timeout``
    seconds, so that a task that removed a vHBA returns when the next task can no longer see it."""
    deadline = time.monotonic() + timeout
    while find_scsi_host_by_wwn(hypervisor, wwnn, wwpn) is not None:
        if time.monotonic() >= deadline:
            return False
        time.sleep(VHBA_GONE_POLL)
    return True
