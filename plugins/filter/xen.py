# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Map lun_passthrough LUN items to Xen PVSCSI entries."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.scsi.virt.plugins.module_utils._errors import ScsiVirtError
from ansible_collections.scsi.virt.plugins.module_utils._types import parse_lun_wwn


def vscsi_entries(luns):
    """Each item's dom0 device (pdev, dev, or wwn as /dev/disk/by-id/wwn-0x...) and guest address
    (vdev, or address target/unit on host 0 channel 0) as an xl_vscsi entry."""
    out = []
    for position, item in enumerate(luns or []):
        field = "lun_passthrough_luns[%d]" % position
        try:
            if item.get("pdev") or item.get("dev"):
                pdev = item.get("pdev") or item["dev"]
            elif item.get("wwn"):
                pdev = "/dev/disk/by-id/wwn-0x%s" % parse_lun_wwn(item["wwn"], field + ".wwn")
            else:
                raise ScsiVirtError("%s: Xen PVSCSI needs a dom0 device (pdev, dev or wwn); pool volumes and iSCSI "
                                    "sources are for libvirt hosts" % field)
            if item.get("vdev"):
                vdev = item["vdev"]
            elif item.get("address"):
                vdev = "0:0:%s:%s" % (item["address"].get("target"), item["address"].get("unit"))
            else:
                raise ScsiVirtError("%s: give vdev (the guest's h:c:t:l) or address {target, unit}" % field)
        except ScsiVirtError as exc:
            raise AnsibleFilterError("scsi.virt.vscsi_entries: %s" % exc.msg)
        out.append({"pdev": pdev, "vdev": str(vdev), "feature_host": bool(item.get("feature_host"))})
    return out


class FilterModule:
    def filters(self):
        return {"vscsi_entries": vscsi_entries}
