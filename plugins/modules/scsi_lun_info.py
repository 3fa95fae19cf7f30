#!/usr/bin/python
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: scsi_lun_info
short_description: List the hypervisor's SCSI LUNs, their stable names and which guests use them
version_added: 0.1.0
description:
  - Lists SCSI LUNs two ways, each entry marked by C(source) - host LUN node devices (C(scsi_H_B_T_L)) with
    vendor, model, size, block device and, on a local hypervisor, their C(/dev/disk/by-path) and C(/dev/disk/by-id)
    names and WWN; and the volumes of active C(scsi), C(iscsi) and C(iscsi-direct) storage pools.
  - C(used_by) lists the domains whose LUN disks or SCSI hostdevs use each LUN (by path, by-path/by-id alias,
    pool volume, or adapter and address).
  - C(multipath) lists the dm-multipath maps with their paths grouped by WWID. On a local hypervisor they come from
    sysfs (C(/sys/block/dm-N/dm/uuid) C(mpath-<WWID>), C(slaves/), each path's C(device/state)). Over a remote
    connection libvirt has no node device for a dm device and sysfs is out of reach; the maps are the volumes of
    libvirt's C(mpath) storage pool (an active one, else a transient one started and destroyed within the call), and
    a map is tied to its paths when its name is their WWID (udev's C(ID_SERIAL), libvirt's storage node device
    serial), which is multipath's default naming (C(user_friendly_names no)). A friendly-named map (C(mpatha)) is then
    listed with C(wwid) and C(paths) unknown, and path states are not known remotely (V(null)).
extends_documentation_fragment:
  - scsi.virt.connection
  - scsi.virt.attributes
  - scsi.virt.attributes.INFO
options:
  wwn:
    description: Only the LUN with this WWN (16 or 32 hex digits; C(0x)/C(naa.) prefixes accepted).
    type: str
  host:
    description:
      - Only host LUNs on this SCSI host (number, or C(scsi_hostN)); pool volumes are then left out, and only the
        multipath maps with a path on this host are listed.
    type: str
  pool:
    description: Only this pool's volumes; host LUNs are then left out.
    type: str
seealso:
  - module: scsi.virt.scsi_pool
  - module: scsi.virt.domain_disk_lun
author:
  - scsi.virt maintainers (@scsi-virt)
"""

EXAMPLES = r"""
- name: Where is the LUN with this WWN, and who uses it?
  scsi.virt.scsi_lun_info:
    wwn: "0x6001405abcdef012"
  register: lun

- name: LUNs of an NPIV pool that no guest uses
  scsi.virt.scsi_lun_info:
    pool: vhba_pool
  register: pool_luns

- name: Their paths
  ansible.builtin.debug:
    msg: "{{ pool_luns.luns | scsi.virt.lun_query('[?length(used_by) == `0`].path') }}"

- name: Paths per multipath map
  scsi.virt.scsi_lun_info:
  register: all_luns

- name: Show each map's paths
  ansible.builtin.debug:
    msg: "{{ all_luns.multipath | items2dict(key_name='name', value_name='paths') }}"
"""

RETURN = r"""
multipath:
  description: dm-multipath maps, each grouping the paths (host LUNs) of one WWID. Empty when there are none.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Map name (C(/dev/mapper/<name>)), the WWID or a friendly name such as C(mpatha).
      type: str
    wwid:
      description: The WWID multipath groups the paths by (C(null) over a remote connection for a friendly-named map).
      type: str
    dm:
      description: The kernel's block device name (C(dm-N)).
      type: str
    path:
      description: C(/dev/mapper/<name>), a LUN source for O(scsi.virt.domain_disk_lun#module:dev).
      type: str
    by_id:
      description: The udev name C(/dev/disk/by-id/dm-uuid-mpath-<WWID>).
      type: str
    size:
      description: Size in bytes.
      type: int
    paths:
      description:
        - The map's paths, each with C(name) (C(scsi_H_B_T_L)), C(address) (C(H:B:T:L)), C(block) (C(/dev/sdX)) and
          C(state) (the SCSI device state from sysfs, C(running) or C(offline); C(null) over a remote connection).
      type: list
      elements: dict
    used_by:
      description: Domains whose LUN disks use the map (by C(/dev/mapper) name or its by-id name).
      type: list
      elements: dict
luns:
  description: LUNs.
  returned: always
  type: list
  elements: dict
  contains:
    source:
      description: V(scsi) for a host LUN node device, V(pool) for a pool volume.
      type: str
    name:
      description: Node device name (C(scsi_H_B_T_L)) or volume name (C(unit:B:T:L)).
      type: str
    address:
      description: Host SCSI address C(H:B:T:L) (host LUNs).
      type: str
    host:
      description: SCSI host number (host LUNs).
      type: int
    bus:
      description: Bus (host LUNs).
      type: int
    target:
      description: Target (host LUNs).
      type: int
    lun:
      description: LUN number (host LUNs).
      type: int
    scsi_type:
      description: Device type as libvirt reports it (host LUNs).
      type: str
    block:
      description: Block device (host LUNs).
      type: str
    vendor:
      description: Vendor (host LUNs).
      type: str
    model:
      description: Model (host LUNs).
      type: str
    serial:
      description: Serial (host LUNs).
      type: str
    wwid:
      description: Linux WWID from sysfs (local hypervisor only).
      type: str
    multipath:
      description: Name of the dm-multipath map this LUN is a path of, or C(null) (host LUNs).
      type: str
    wwn:
      description:
        - NAA WWN (hex digits) when known. On a local hypervisor it comes from sysfs; over a remote connection from
          udev's SCSI identifier, which libvirt reports as the storage node device's serial (C(3) + the WWN).
      type: str
    by_path:
      description: C(/dev/disk/by-path) names of the LUN (local hypervisor only).
      type: list
      elements: str
    by_id:
      description: C(/dev/disk/by-id) names of the LUN (local hypervisor only).
      type: list
      elements: str
    pool:
      description: Pool (pool volumes).
      type: str
    path:
      description: Volume path (pool volumes).
      type: str
    key:
      description: Volume key (pool volumes).
      type: str
    size:
      description: Size in bytes.
      type: int
    used_by:
      description: Domains using the LUN, each with C(domain), C(active), C(as) (disk or hostdev), guest C(address).
      type: list
      elements: dict
"""


# First: the module_utils files imported below are then compiled once, not twice (see _compile_once.py).
from ansible_collections.scsi.virt.plugins.module_utils import _compile_once  # noqa: F401 pylint: disable=unused-import
from ansible_collections.scsi.virt.plugins.module_utils._discovery import lun_facts
from ansible_collections.scsi.virt.plugins.module_utils._errors import ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._module import ScsiVirtModule, connection_spec, run_module
from ansible_collections.scsi.virt.plugins.module_utils._types import parse_int, parse_lun_wwn, parse_object_name


def main():
    spec = connection_spec()
    spec.update(wwn={"type": "str"}, host={"type": "str"}, pool={"type": "str"})
    module = ScsiVirtModule(argument_spec=spec, supports_check_mode=True, mutually_exclusive=[["host", "pool"]])

    def body(hypervisor):
        params = module.params
        host = params["host"]
        if host is not None:
            text = str(host)
            if text.startswith("scsi_host"):
                text = text[len("scsi_host"):]
            if not text.isdigit():
                raise ValidationError("host", "expected a SCSI host number or scsi_hostN", host)
            host = parse_int(text, "host", 0, 1 << 31)
        luns, maps = lun_facts(hypervisor, wwn=parse_lun_wwn(params["wwn"], "wwn"), host=host,
                               pool=parse_object_name(params["pool"], "pool"))
        return {"changed": False, "luns": luns, "multipath": maps}

    run_module(module, body)


if __name__ == "__main__":
    main()
