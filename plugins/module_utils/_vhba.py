# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""NPIV vHBAs as libvirt node devices: find by WWN pair, pick a parent, create, destroy."""

from __future__ import annotations

from ansible_collections.scsi.virt.plugins.module_utils._connection import libvirt_errors
from ansible_collections.scsi.virt.plugins.module_utils._devices.nodedev import (
    VHBA_GONE_TIMEOUT, ScsiHostDevice, ScsiLunDevice, StorageNodeDevice, is_vhba, scsi_hosts, wait_until_vhba_gone)
from ansible_collections.scsi.virt.plugins.module_utils._errors import NotFoundError, ScsiVirtError, ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._inuse import refuse_if_used, running_users
from ansible_collections.scsi.virt.plugins.module_utils._types import parse_wwn
from ansible_collections.scsi.virt.plugins.module_utils._xml import parse_xml, to_string


def describe_capacity(host):
    if host.free_vports() is None:
        return "capacity not reported"
    return "max_vports %d, vports %d" % (host.max_vports, host.vports or 0)


class VhbaRequest:
    """Validated vhba options."""

    def __init__(self, params):
        self.state = params["state"]
        self.wwnn = parse_wwn(params.get("wwnn"), "wwnn")
        self.wwpn = parse_wwn(params.get("wwpn"), "wwpn")
        self.parent = params.get("parent")
        self.parent_wwnn = parse_wwn(params.get("parent_wwnn"), "parent_wwnn")
        self.parent_wwpn = parse_wwn(params.get("parent_wwpn"), "parent_wwpn")
        self.parent_fabric_wwn = parse_wwn(params.get("parent_fabric_wwn"), "parent_fabric_wwn")
        self.force = params.get("force", False)
        if self.parent is not None and not str(self.parent).startswith("scsi_host"):
            raise ValidationError("parent", "expected a SCSI host node device name scsi_hostN", self.parent)
        if self.wwnn is not None and self.wwnn == self.wwpn:
            raise ValidationError("wwpn", "must differ from wwnn (a port and its node have distinct names)",
                                  params.get("wwpn"))


class VhbaManager:
    def __init__(self, hypervisor, request, check_mode, warnings):
        self.hv = hypervisor
        self.req = request
        self.check_mode = check_mode
        self.warnings = warnings
        self.hosts = scsi_hosts(hypervisor)

    def find(self):
        for host in self.hosts.values():
            if host.wwnn == self.req.wwnn and host.wwpn == self.req.wwpn:
                return host
        return None

    def choose_parent(self):
        capable = sorted((h for h in self.hosts.values() if h.vport_capable), key=lambda h: h.name)
        req = self.req
        if req.parent:
            host = self.hosts.get(req.parent)
            if host is None:
                raise NotFoundError("parent: no SCSI host %r on this hypervisor; vport-capable HBAs: %s"
                                    % (req.parent, ", ".join(h.name for h in capable) or "none"))
            candidates, field = [host], "parent"
        elif req.parent_wwnn:
            candidates = [h for h in self.hosts.values() if h.wwnn == req.parent_wwnn and h.wwpn == req.parent_wwpn]
            field = "parent_wwnn"
            if not candidates:
                raise NotFoundError("parent_wwnn: no HBA with wwnn %s and wwpn %s"
                                    % (req.parent_wwnn, req.parent_wwpn))
        elif req.parent_fabric_wwn:
            candidates = [h for h in capable if h.fabric_wwn == req.parent_fabric_wwn]
            field = "parent_fabric_wwn"
            if not candidates:
                raise NotFoundError("parent_fabric_wwn: no vport-capable HBA is on fabric %s" % req.parent_fabric_wwn)
        else:
            candidates, field = capable, "parent"
            if not candidates:
                raise NotFoundError("parent: this hypervisor has no vport-capable (NPIV) HBA")
        for host in candidates:
            if not host.vport_capable:
                raise ValidationError(field, "%s is not vport-capable (no vport_ops capability): it cannot host "
                                      "a vHBA; vport-capable HBAs: %s" % (host.name, ", ".join(
                                          h.name for h in capable) or "none"))
        with_room = [h for h in candidates if h.free_vports() is None or h.free_vports() > 0]
        if not with_room:
            raise ValidationError(field, "no free vports on %s" % ", ".join(
                "%s (%s)" % (h.name, describe_capacity(h)) for h in candidates))
        # Most free vports first; hosts that do not report capacity come last.
        return sorted(with_room, key=lambda h: (-(h.free_vports() if h.free_vports() is not None else -1),
                                                h.name))[0]

    def check_wwns_free(self):
        for host in self.hosts.values():
            if host.wwpn == self.req.wwpn or host.wwnn == self.req.wwpn:
                raise ValidationError("wwpn", "%s is already used by %s (wwnn %s)" % (
                    self.req.wwpn, host.name, host.wwnn))
            if host.wwnn == self.req.wwnn and not self.hosts.get(host.parent, ScsiHostDevice()).vport_capable:
                raise ValidationError("wwnn", "%s is the node name of the physical HBA %s"
                                      % (self.req.wwnn, host.name))

    def present(self):
        if self.req.wwnn is None and self.req.wwpn is None:
            # libvirt would generate a pair, but nothing would find that vHBA on the next run: each run
            # would add one more port to the fabric.
            raise ValidationError("wwnn", "wwnn and wwpn are required with state=present: the WWN pair is what "
                                  "identifies the vHBA on the next run (16 hex digits each, e.g. from the storage "
                                  "team, or a pair you generate once and keep in the inventory)")
        if (self.req.wwnn is None) != (self.req.wwpn is None):
            raise ValidationError("wwpn" if self.req.wwpn is None else "wwnn", "give wwnn and wwpn together")
        existing = self.find()
        if existing is not None:
            if not is_vhba(existing, self.hosts):
                raise ValidationError("wwpn", "%s/%s belong to %s, which is a physical HBA, not a vHBA"
                                      % (self.req.wwnn, self.req.wwpn, existing.name))
            if self.req.parent and existing.parent != self.req.parent:
                self.warnings.append("vHBA %s exists under %s, not the requested parent %s; it was left as it is "
                                     "(remove it first to move it)"
                                     % (existing.name, existing.parent, self.req.parent))
            return False, existing, None
        parent = self.choose_parent()
        self.check_wwns_free()
        element = ScsiHostDevice.vhba_xml(parent.name, self.req.wwnn, self.req.wwpn)
        xml = to_string(element)
        if self.check_mode:
            planned = ScsiHostDevice(parent=parent.name, wwnn=self.req.wwnn, wwpn=self.req.wwpn, fc_host=True)
            return True, planned, xml
        with libvirt_errors("creating a vHBA under %s" % parent.name):
            device = self.hv.conn.nodeDeviceCreateXML(xml, 0)
            created = ScsiHostDevice.from_element(parse_xml(device.XMLDesc(0), "device"))
        return True, created, to_string(created.element)

    def absent(self):
        if self.req.wwnn is None or self.req.wwpn is None:
            raise ValidationError("wwnn", "state=absent needs wwnn and wwpn (a vHBA is identified by its WWN pair)")
        existing = self.find()
        if existing is None:
            return False, None, None
        if not is_vhba(existing, self.hosts):
            raise ScsiVirtError("refusing to destroy %s: it is not an NPIV vHBA (its parent %s is not a "
                                "vport-capable HBA)" % (existing.name, existing.parent))
        users = running_users(self.hv, adapter=existing.name, paths=self.lun_paths(existing))
        refuse_if_used(users, "vHBA %s" % existing.name, "destroy", self.req.force, self.warnings)
        xml = to_string(existing.element)
        if not self.check_mode:
            with libvirt_errors("destroying vHBA %s" % existing.name):
                self.hv.nodedev(existing.name).destroy()
            if not wait_until_vhba_gone(self.hv, existing.wwnn, existing.wwpn):
                self.warnings.append("vHBA %s was destroyed, but libvirt still lists it after %d s"
                                     % (existing.name, VHBA_GONE_TIMEOUT))
        return True, existing, xml

    def lun_paths(self, host):
        """Block device paths of the LUNs behind this SCSI host (as guests may use them)."""
        luns = {lun.name for lun in (ScsiLunDevice.from_element(e) for e in self.hv.nodedevs("scsi"))
                if lun.host == host.host}
        return {dev.block for dev in (StorageNodeDevice.from_element(e) for e in self.hv.nodedevs("storage"))
                if dev.parent in luns and dev.block}


def vhba_facts(host, hosts):
    if host is None:
        return {}
    parent = hosts.get(host.parent)
    facts = {"name": host.name, "parent": host.parent, "wwnn": host.wwnn, "wwpn": host.wwpn,
             "fabric_wwn": host.fabric_wwn}
    if parent is not None:
        facts["parent_max_vports"] = parent.max_vports
        facts["parent_vports"] = parent.vports
        facts["parent_free_vports"] = parent.free_vports()
    return facts
