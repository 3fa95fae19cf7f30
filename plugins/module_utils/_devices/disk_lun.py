# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``<disk device='lun'>``: a host SCSI LUN passed to the guest (QEMU scsi-block)."""

from __future__ import annotations

from ansible_collections.scsi.virt.plugins.module_utils._devices.common import (
    ISCSI_DEFAULT_PORT, drive_address_props, iscsi_identity, iscsi_source_props, lun_access_props)
from ansible_collections.scsi.virt.plugins.module_utils._xml import Descriptor, Prop

SOURCE_TYPES = ("block", "volume", "network")


class DiskLun(Descriptor):
    tag = "disk"
    fixed = {"device": "lun"}
    props = dict(
        {
            "type": Prop("@type"),
            "device": Prop("@device"),
            "driver_name": Prop("driver/@name"),
            "driver_type": Prop("driver/@type"),
            "dev": Prop("source/@dev"),
            "pool": Prop("source/@pool"),
            "volume": Prop("source/@volume"),
            "volume_mode": Prop("source/@mode"),
        },
        **iscsi_source_props("source"),
        target_dev=Prop("target/@dev"),
        target_bus=Prop("target/@bus"),
        **lun_access_props(),
        **drive_address_props()
    )
    # libvirt's meaning of an absent value, so that "absent" and "explicit default" compare equal.
    defaults = {"sgio": "filtered", "rawio": False, "readonly": False, "shareable": False,
                "iscsi_port": ISCSI_DEFAULT_PORT}
    defaults_given = {"iscsi_port": "iscsi_host"}  # the port of an iSCSI portal, not of a block LUN
    create_defaults = {"sgio": "filtered"}

    def identity(self):
        """A LUN is its source, never its target name (sdX changes, the LUN does not)."""
        if self.type == "block":
            return ("block", self.dev)
        if self.type == "volume":
            return ("volume", self.pool, self.volume)
        if self.type == "network":
            return iscsi_identity(self)
        return ("unknown", self.type)

    def describe(self):
        ident = self.identity()
        return "%s LUN %s" % (ident[0], "/".join(str(p) for p in ident[1:] if p is not None))
