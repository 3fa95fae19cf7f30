#!/usr/bin/python
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: domain_disk_lun
short_description: Pass host SCSI LUNs to a libvirt guest as C(<disk device='lun'>)
version_added: 0.1.0
description:
  - Attaches, updates or detaches SCSI LUNs on a libvirt domain as C(<disk device='lun' bus='scsi'>)
    (QEMU C(scsi-block), so the guest sends SCSI commands to the real LUN and sees its vendor, model and WWN).
  - The source is a host block device (O(dev), or the LUN selected by its WWN with O(wwn)), a volume of a
    C(scsi)/C(iscsi)/C(iscsi-direct) storage pool (O(pool) + O(volume)), or an iSCSI LUN (O(iscsi)).
  - Only the LUN disk fragments (and a virtio-scsi controller when one is needed) are rewritten; the rest of
    the domain XML is left as it is. Several LUNs (O(luns)) are applied in one XML rewrite.
  - Bad input is refused before anything changes, with a message naming the option.
extends_documentation_fragment:
  - scsi.virt.connection
  - scsi.virt.domain_device
  - scsi.virt.domain_device.LUN_ACCESS
  - scsi.virt.attributes
  - scsi.virt.attributes.CHANGE
options:
  dev:
    description: Host block device of the LUN. Prefer a stable name under C(/dev/disk/by-path) or C(/dev/disk/by-id).
    type: str
  wwn:
    description:
      - Select the host LUN by its WWN (16 or 32 hex digits, C(0x)/C(naa.) prefix allowed); it becomes the block
        source C(/dev/disk/by-id/wwn-0x<wwn>).
      - libvirt cannot B(set) a WWN on a C(device='lun') disk (it refuses C(<wwn>) there); the guest sees the LUN's own.
      - The LUN must exist on the hypervisor, checked in C(/dev) when libvirt is local and among libvirt's storage
        node devices over a remote connection.
      - When multipathd owns the LUN, the source is its dm-multipath map C(/dev/mapper/<name>) instead (found in sysfs
        locally; remotely through libvirt's C(mpath) pool, when the map is named by its WWID - see
        M(scsi.virt.scsi_lun_info)).
    type: str
  allow_single_path:
    description:
      - A block source (O(dev)) that is one path of a dm-multipath map (C(/dev/sdX) or one of its C(/dev/disk) names)
        is refused with a message naming the map, since the guest would lose the LUN when that path fails.
        V(true) passes the single path anyway (unset means V(false)).
      - A device-mapper O(dev) is accepted when it is a multipath map and refused when it is another dm device (LVM,
        crypt; checked on a local hypervisor).
    type: bool
  pool:
    description: Storage pool whose volume is the LUN (a C(scsi), C(iscsi) or C(iscsi-direct) pool).
    type: str
  volume:
    description: Volume name in O(pool), for example C(unit:0:0:1).
    type: str
  target_dev:
    description: Guest target name (C(sdX)). Left out, the first free one is used. It is a hint to the guest only.
    type: str
  serial:
    description:
      - Refused with an error. libvirt does not allow C(<serial>) on C(device='lun') disks; the guest sees
        the LUN's own serial. Kept so that playbooks written for C(device='disk') get a clear message.
    type: str
  luns:
    description:
      - Several LUNs, each a dictionary with the single-LUN options above (O(dev), O(wwn), O(pool), O(volume),
        O(iscsi), O(target_dev), O(allow_single_path), O(address), O(sgio), O(rawio), O(shareable), O(readonly)).
      - Applied in one XML rewrite. Mutually exclusive with the single-LUN options.
    type: list
    elements: dict
seealso:
  - module: scsi.virt.scsi_hostdev
  - module: scsi.virt.domain_scsi_info
  - name: libvirt domain XML, hard drives
    link: https://libvirt.org/formatdomain.html#hard-drives-floppy-disks-cdroms
    description: The C(device='lun') disk and its C(sgio)/C(rawio) attributes.
author:
  - scsi.virt maintainers (@scsi-virt)
"""

EXAMPLES = r"""
- name: Pass an FC LUN to a guest by its stable path
  scsi.virt.domain_disk_lun:
    domain: db01
    dev: /dev/disk/by-path/pci-0000:04:00.1-fc-0x203500a0b85ad1d7-lun-0

- name: Attach the LUN with this WWN, at a fixed guest address, shared between cluster nodes
  scsi.virt.domain_disk_lun:
    domain: db01
    wwn: "0x6001405abcdef012"
    shareable: true
    address: {controller: 0, target: 1, unit: 0}

- name: Attach two LUNs of an NPIV pool in one rewrite and detach any other LUN disk
  scsi.virt.domain_disk_lun:
    domain: db01
    exclusive: true
    force: true
    luns:
      - {pool: vhba_pool, volume: "unit:0:2:0"}
      - {pool: vhba_pool, volume: "unit:0:2:1"}

- name: Attach an iSCSI LUN with CHAP through a libvirt secret
  scsi.virt.domain_disk_lun:
    domain: db01
    iscsi:
      host: 192.0.2.10
      target: iqn.2026-11.com.example:storage
      lun: 1
      auth: {username: db01, secret_usage: db01-chap}

- name: Detach it from the persistent config only (the running guest keeps it until shutdown)
  scsi.virt.domain_disk_lun:
    domain: db01
    state: absent
    live: false
    iscsi: {host: 192.0.2.10, target: "iqn.2026-11.com.example:storage", lun: 1}
"""

RETURN = r"""
luns:
  description: The listed LUN disks as they are after the run (assigned address and target included).
  returned: always
  type: list
  elements: dict
  sample:
    - type: network
      device: lun
      protocol: iscsi
      iscsi_name: iqn.2026-11.com.example:storage/1
      iscsi_host: 192.0.2.10
      iscsi_port: 3260
      target_dev: sda
      target_bus: scsi
      sgio: filtered
      rawio: false
      readonly: false
      shareable: false
      address_controller: 0
      address_bus: 0
      address_target: 0
      address_unit: 0
changes:
  description: What was (or in check mode would be) added, updated or removed; for updates, each field's before/after.
  returned: always
  type: list
  elements: dict
  sample:
    - {action: add, device: "network LUN iscsi/iqn.2026-11.com.example:storage/1/192.0.2.10/3260"}
config_changed:
  description: Whether the persistent configuration changed.
  returned: always
  type: bool
live_changed:
  description: Whether the running guest changed.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.scsi.virt.plugins.module_utils._devices.disk_lun import DiskLun
from ansible_collections.scsi.virt.plugins.module_utils._domain_module import DomainDeviceModule, domain_module_spec
from ansible_collections.scsi.virt.plugins.module_utils._lun_options import disk_lun_from_item, disk_lun_spec
from ansible_collections.scsi.virt.plugins.module_utils._module import run_module


def main():
    item_spec = disk_lun_spec()
    module = AnsibleModule(argument_spec=domain_module_spec(item_spec, "luns"), supports_check_mode=True)
    body = DomainDeviceModule(module, item_spec, "luns", disk_lun_from_item, kinds=[DiskLun])
    run_module(module, body.run)


if __name__ == "__main__":
    main()
