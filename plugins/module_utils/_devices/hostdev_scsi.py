# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SCSI host devices: ``<hostdev type='scsi'>`` (scsi-generic) and ``type='scsi_host'`` (vhost-scsi)."""

from __future__ import annotations

from ansible_collections.scsi.virt.plugins.module_utils._devices.common import (
    ISCSI_DEFAULT_PORT, drive_address_props, iscsi_identity, iscsi_source_props, lun_access_props)
from ansible_collections.scsi.virt.plugins.module_utils._xml import (
    HEX1, HEX2, HEX4, INT, YESNO, Descriptor, Prop)


class HostdevScsi(Descriptor):
    """A host LUN (adapter + bus/target/unit) or an iSCSI LUN passed as scsi-generic."""

    tag = "hostdev"
    fixed = {"mode": "subsystem", "type": "scsi"}
    props = dict(
        {
            "mode": Prop("@mode"),
            "type": Prop("@type"),
            "managed": Prop("@managed", YESNO),
            "adapter": Prop("source/adapter/@name"),
            "source_bus": Prop("source/address/@bus", INT),
            "source_target": Prop("source/address/@target", INT),
            "source_unit": Prop("source/address/@unit", INT),
        },
        **iscsi_source_props("source"),
        **lun_access_props(),
        **drive_address_props()
    )
    # libvirt's meaning of an absent value (as on DiskLun): no sgio is filtered, no managed is "no".
    defaults = {"sgio": "filtered", "managed": False, "rawio": False, "readonly": False, "shareable": False,
                "iscsi_port": ISCSI_DEFAULT_PORT}
    defaults_given = {"iscsi_port": "iscsi_host"}  # the port of an iSCSI portal, not of an adapter LUN

    def identity(self):
        """A hostdev is the LUN it passes: adapter and address, or the iSCSI LUN."""
        if self.protocol == "iscsi":
            return iscsi_identity(self)
        return ("adapter", self.adapter, self.source_bus, self.source_target, self.source_unit)

    def describe(self):
        if self.protocol == "iscsi":
            return "iSCSI hostdev %s" % self.iscsi_name
        return "SCSI hostdev %s %s:%s:%s" % (self.adapter, self.source_bus, self.source_target, self.source_unit)


class HostdevVhost(Descriptor):
    """A vhost-scsi target (LIO) handed to the guest by its WWPN."""

    tag = "hostdev"
    fixed = {"mode": "subsystem", "type": "scsi_host"}
    props = {
        "mode": Prop("@mode"),
        "type": Prop("@type"),
        "model": Prop("@model"),
        "protocol": Prop("source/@protocol"),
        "wwpn": Prop("source/@wwpn"),
        "pci_domain": Prop("address[@type='pci']/@domain", HEX4),
        "pci_bus": Prop("address[@type='pci']/@bus", HEX2),
        "pci_slot": Prop("address[@type='pci']/@slot", HEX2),
        "pci_function": Prop("address[@type='pci']/@function", HEX1),
    }

    def identity(self):
        return ("vhost", self.wwpn)

    def describe(self):
        return "vhost-scsi %s" % self.wwpn
