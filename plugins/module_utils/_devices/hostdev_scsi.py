# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SCSI host devices: ``<hostdev type='scsi'>`` (scsi-generic) and ``type='scsi_host'`` (vhost-scsi)."""

from __future__ import annotations

from ansible_collections.scsi.virt.plugins.module_utils._devices.common import (
    ISCSI_DEFAULT_PORT, access_item, drive_address_props, iscsi_identity, iscsi_item, iscsi_source_props,
    lun_access_props)
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

    def as_item(self):
        """This hostdev as a scsi_hostdev item (the ``hostdevs`` option's shape, feedable back to it)."""
        values = self.as_dict()
        if values.get("protocol") == "iscsi":
            item = {"iscsi": iscsi_item(values)}
        else:
            item = {"adapter": values.get("adapter"), "bus": values.get("source_bus"),
                    "target": values.get("source_target"), "unit": values.get("source_unit")}
        if values.get("managed") is not None:
            item["managed"] = values["managed"]
        item.update(access_item(values))
        return item


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

    def as_item(self):
        """This vhost-scsi hostdev as a scsi_hostdev item (``vhost_wwpn``, ``vhost_model`` when set)."""
        item = {"vhost_wwpn": self.wwpn}
        if self.model is not None:
            item["vhost_model"] = self.model
        return item
