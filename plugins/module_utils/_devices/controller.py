# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``<controller type='scsi'>``: the HBA LUN disks and SCSI hostdevs hang off in the guest."""

from __future__ import annotations

from ansible_collections.scsi.virt.plugins.module_utils._xml import INT, Descriptor, Prop

VIRTIO_SCSI = "virtio-scsi"


class ScsiController(Descriptor):
    tag = "controller"
    fixed = {"type": "scsi"}
    props = {
        "type": Prop("@type"),
        "index": Prop("@index", INT),
        "model": Prop("@model"),
        "queues": Prop("driver/@queues", INT),
        "iothread": Prop("driver/@iothread", INT),
    }

    def identity(self):
        return ("scsi-controller", self.index)

    def describe(self):
        return "SCSI controller %s (%s)" % (self.index, self.model or "default model")
