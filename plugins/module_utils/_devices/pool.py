# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Storage pools that expose SCSI LUNs: ``scsi`` (fc_host or scsi_host adapter), ``iscsi``, ``iscsi-direct``."""

from __future__ import annotations

from ansible_collections.scsi.virt.plugins.module_utils._devices.common import ISCSI_DEFAULT_PORT, iscsi_item
from ansible_collections.scsi.virt.plugins.module_utils._xml import (
    HEX1, HEX2, HEX4, INT, WWN, YESNO, Descriptor, Prop, STR)

POOL_TYPES = ("scsi", "iscsi", "iscsi-direct")
ADAPTER_TYPES = ("fc_host", "scsi_host")

_PARENTADDR = "source/adapter/parentaddr"
# Adapter fields whose option has the same name under scsi_pool's ``adapter``.
_ADAPTER_OPTIONS = ("parent", "parent_wwnn", "parent_wwpn", "parent_fabric_wwn", "managed", "wwnn", "wwpn")


class StoragePool(Descriptor):
    tag = "pool"
    props = {
        "type": Prop("@type"),
        "name": Prop("name", STR),
        "adapter_type": Prop("source/adapter/@type"),
        "adapter_name": Prop("source/adapter/@name"),
        "parent": Prop("source/adapter/@parent"),
        "parent_wwnn": Prop("source/adapter/@parent_wwnn", WWN),
        "parent_wwpn": Prop("source/adapter/@parent_wwpn", WWN),
        "parent_fabric_wwn": Prop("source/adapter/@parent_fabric_wwn", WWN),
        "managed": Prop("source/adapter/@managed", YESNO),
        "wwnn": Prop("source/adapter/@wwnn", WWN),
        "wwpn": Prop("source/adapter/@wwpn", WWN),
        "unique_id": Prop(_PARENTADDR + "/@unique_id", INT),
        "pci_domain": Prop(_PARENTADDR + "/address/@domain", HEX4),
        "pci_bus": Prop(_PARENTADDR + "/address/@bus", HEX2),
        "pci_slot": Prop(_PARENTADDR + "/address/@slot", HEX2),
        "pci_function": Prop(_PARENTADDR + "/address/@function", HEX1),
        "iscsi_host": Prop("source/host/@name"),
        "iscsi_port": Prop("source/host/@port", INT),
        "iscsi_target": Prop("source/device/@path"),
        "auth_type": Prop("source/auth/@type"),
        "auth_username": Prop("source/auth/@username"),
        "auth_secret_usage": Prop("source/auth/secret/@usage"),
        "auth_secret_uuid": Prop("source/auth/secret/@uuid"),
        "initiator_iqn": Prop("source/initiator/iqn/@name"),
        "target_path": Prop("target/path", STR),
    }

    # libvirt's meaning of an absent iSCSI portal port.
    defaults = {"iscsi_port": ISCSI_DEFAULT_PORT}
    defaults_given = {"iscsi_port": "iscsi_host"}

    def identity(self):
        return ("pool", self.name)

    def describe(self):
        return "storage pool %s" % self.name

    def as_item(self):
        """This pool as scsi_pool options (name, type, adapter or source, target_path), feedable back to it."""
        values = self.as_dict()
        item = {"name": values.get("name"), "type": values.get("type")}
        if values.get("adapter_type"):
            adapter = {"type": values["adapter_type"]}
            adapter.update((key, values[key]) for key in _ADAPTER_OPTIONS if key in values)
            if "adapter_name" in values:
                adapter["name"] = values["adapter_name"]
            if "unique_id" in values:
                adapter["parent_address"] = {
                    "unique_id": values["unique_id"],
                    "pci_address": "%04x:%02x:%02x.%x" % tuple(values.get(key, 0) for key in (
                        "pci_domain", "pci_bus", "pci_slot", "pci_function"))}
            item["adapter"] = adapter
        elif values.get("iscsi_host"):
            source = iscsi_item(dict(values, iscsi_name=values.get("iscsi_target")))
            del source["lun"]  # a pool exports every LUN of its target
            item["source"] = source
        if "target_path" in values:
            item["target_path"] = values["target_path"]
        return item
