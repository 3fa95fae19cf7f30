# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SCSI LUN disks: ``<disk device='lun'>`` (QEMU scsi-block, passthrough) and the emulated mode
``<disk device='disk'>`` on a SCSI bus (QEMU scsi-hd). Both are identified by their source."""

from __future__ import annotations

from ansible_collections.scsi.virt.plugins.module_utils._devices.common import (
    ISCSI_DEFAULT_PORT, access_item, drive_address_props, iscsi_identity, iscsi_item, iscsi_source_props,
    lun_access_props)
from ansible_collections.scsi.virt.plugins.module_utils._lun_identity import block_identity
from ansible_collections.scsi.virt.plugins.module_utils._xml import WWN, YESNO, Descriptor, Prop

SOURCE_TYPES = ("block", "volume", "network")

# The LUN's <driver> options (libvirt's names and values; checked at define on libvirt 9.0).
ERROR_POLICIES = ("stop", "report", "ignore", "enospace")
RERROR_POLICIES = ("stop", "report", "ignore")
CACHE_MODES = ("none", "writeback", "writethrough", "directsync", "unsafe")
DISCARD_MODES = ("unmap", "ignore")
IO_MODES = ("native", "threads", "io_uring")
DRIVER_OPTIONS = ("error_policy", "rerror_policy", "cache", "discard", "io")
RESERVATION_FIELDS = ("reservations_managed", "reservations_source_type", "reservations_path",
                      "reservations_mode")


def _disk_props():
    return dict(
        {
            "type": Prop("@type"),
            "device": Prop("@device"),
            "driver_name": Prop("driver/@name"),
            "driver_type": Prop("driver/@type"),
            "cache": Prop("driver/@cache"),
            "error_policy": Prop("driver/@error_policy"),
            "rerror_policy": Prop("driver/@rerror_policy"),
            "io": Prop("driver/@io"),
            "discard": Prop("driver/@discard"),
            "dev": Prop("source/@dev"),
            "pool": Prop("source/@pool"),
            "volume": Prop("source/@volume"),
            "volume_mode": Prop("source/@mode"),
        },
        **iscsi_source_props("source"),
        # Persistent reservations through qemu-pr-helper: managed (libvirt starts one per guest) or an
        # existing helper's socket (managed='no' + <source type='unix' mode='client'>).
        reservations_managed=Prop("source/reservations/@managed", YESNO),
        reservations_source_type=Prop("source/reservations/source/@type"),
        reservations_path=Prop("source/reservations/source/@path"),
        reservations_mode=Prop("source/reservations/source/@mode"),
        target_dev=Prop("target/@dev"),
        target_bus=Prop("target/@bus"),
        # Guest-visible identity: only device='disk' (scsi-hd) may set these; libvirt refuses them on a LUN.
        serial=Prop("serial"),
        wwn=Prop("wwn", WWN),
        vendor=Prop("vendor"),
        product=Prop("product"),
        **lun_access_props(),
        **drive_address_props()
    )


class DiskLun(Descriptor):
    tag = "disk"
    fixed = {"device": "lun"}
    props = _disk_props()
    # libvirt's meaning of an absent value, so that "absent" and "explicit default" compare equal.
    defaults = {"sgio": "filtered", "rawio": False, "readonly": False, "shareable": False,
                "iscsi_port": ISCSI_DEFAULT_PORT}
    defaults_given = {"iscsi_port": "iscsi_host"}  # the port of an iSCSI portal, not of a block LUN
    create_defaults = {"sgio": "filtered"}
    mode = "lun"
    # libvirt 9.0 refuses to update these on a running guest ("cannot modify field 'cache' of the disk"),
    # measured with updateDeviceFlags on a running QEMU guest (tests/lab/test_lun_options.py).
    live_immutable = DRIVER_OPTIONS + ("shareable", "readonly")

    def identity(self):
        """A LUN is its source, never its target name (sdX changes, the LUN does not). A block source
        is its WWID when the hypervisor's paths can be resolved, so every spelling of one LUN is one disk."""
        values = self.values
        kind = values["type"]
        if kind == "network":
            return iscsi_identity(self)
        if kind == "block":
            return block_identity(values["dev"])
        if kind == "volume":
            return ("volume", values["pool"], values["volume"])
        return ("unknown", kind)

    def describe(self):
        if self.type == "block":
            ident = self.identity()
            extra = " (%s)" % ident[1] if ident[0] == "wwid" and not self.dev.endswith(ident[1][4:]) else ""
            return "%sblock LUN %s%s" % (self.describe_prefix(), self.dev, extra)
        ident = self.identity()
        parts = "/".join(str(p) for p in ident[1:] if p is not None)
        return "%s%s LUN %s" % (self.describe_prefix(), ident[0], parts)

    def describe_prefix(self):
        return ""

    def as_item(self):
        """This disk as a domain_disk_lun item (the ``luns`` option's shape, feedable back to it): the source
        (``dev``, ``pool`` + ``volume`` or ``iscsi``), ``device``, the options that are set, the ``address``.
        The XML's own names (``address_target``, ``iscsi_name``, ...) stay inside the engine."""
        values = self.as_dict()
        item = {}
        if values.get("type") == "block":
            item["dev"] = values.get("dev")
        elif values.get("type") == "volume":
            item.update(pool=values.get("pool"), volume=values.get("volume"))
        elif values.get("protocol") == "iscsi":
            item["iscsi"] = iscsi_item(values)
        item["device"] = values.get("device")
        for name in ("target_dev",) + DRIVER_OPTIONS + ("serial", "vendor", "product"):
            if values.get(name) is not None:
                item[name] = values[name]
        if values.get("reservations_managed") is not None:
            item["reservations"] = {"managed": values["reservations_managed"]}
            if values.get("reservations_path") is not None:
                item["reservations"]["source_path"] = values["reservations_path"]
        item.update(access_item(values))
        return item

    def differences(self, actual):
        """Differences that matter: not the spelling of one LUN's path; and a managed reservation has no
        helper socket, so a socket left from an unmanaged one is drift."""
        changes = super().differences(actual)
        if "dev" in changes and self.type == "block" and self.identity()[0] == "wwid":
            # Another spelling (by-id, by-path, sdX) of the same LUN: the path it was attached with stays.
            del changes["dev"]
        if self.values.get("reservations_managed") is True:
            for name in RESERVATION_FIELDS[1:]:
                if actual.values.get(name) is not None:
                    changes[name] = (actual.values[name], None)
        return changes

    def kept_on_update(self, actual):
        """Values of the existing fragment an update keeps: the path the LUN was attached with."""
        if self.type == "block" and actual.dev and self.identity()[0] == "wwid":
            return {"dev": actual.dev}
        return {}

    def cleared_on_update(self, actual):
        """Values ``update_element`` must remove from the existing fragment (see differences)."""
        if self.values.get("reservations_managed") is True:
            return [name for name in RESERVATION_FIELDS[1:] if actual.values.get(name) is not None]
        return []


class DiskScsi(DiskLun):
    """The emulated mode: ``<disk device='disk'>`` on ``bus='scsi'`` (QEMU scsi-hd). The guest sees
    QEMU's disk (vendor QEMU unless ``vendor`` is set), so snapshots and block jobs work, and no SCSI
    command reaches the LUN. ``sgio``, ``rawio`` and ``<reservations>`` do not exist here."""

    fixed = {"device": "disk", "target_bus": "scsi"}
    defaults = {"readonly": False, "shareable": False, "iscsi_port": ISCSI_DEFAULT_PORT}
    create_defaults = {}
    mode = "disk"

    def describe_prefix(self):
        return "emulated (device=disk) "


# Both modes of one source are one LUN: a source attached in the other mode is not a second disk.
DISK_KINDS = (DiskLun, DiskScsi)
DiskLun.identity_kinds = DISK_KINDS
