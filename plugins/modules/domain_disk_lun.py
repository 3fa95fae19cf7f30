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
  - A block LUN is identified by the WWID the hypervisor's kernel reports for it (C(/sys/block/<dev>/device/wwid),
    or the C(dm/uuid) of a multipath map) when libvirt is local, so the same LUN given as O(wwn), a
    C(/dev/disk/by-id) or C(/dev/disk/by-path) name or C(/dev/sdX) is one disk; another spelling of an attached
    LUN changes nothing. Over a remote connection a C(wwn-0x) path is still known by its WWN, other paths by
    their name.
  - On a running guest, libvirt cannot change O(cache), O(error_policy), O(rerror_policy), O(io), O(discard),
    O(shareable) or O(readonly) of an attached disk; such a change is refused before anything is written (set
    O(live=false) to change the persistent config, effective at the next guest start).
  - A LUN attached more than once to a domain (libvirt allows it) is reported once per copy in RV(luns);
    O(state=absent) detaches every copy, and O(state=present) refuses to pick one (detach them first).
extends_documentation_fragment:
  - scsi.virt.connection
  - scsi.virt.domain_device
  - scsi.virt.domain_device.DISK_LUN
  - scsi.virt.attributes
  - scsi.virt.attributes.CHANGE
seealso:
  - module: scsi.virt.scsi_hostdev
  - module: scsi.virt.domain_scsi_info
  - name: libvirt domain XML, hard drives
    link: https://libvirt.org/formatdomain.html#hard-drives-floppy-disks-cdroms
    description: The C(device='lun') disk and its C(sgio)/C(rawio) attributes.
  - name: libvirt domain XML, disk source reservations
    link: https://libvirt.org/formatdomain.html#hard-drives-floppy-disks-cdroms
    description: C(<reservations managed>) and the C(qemu-pr-helper) socket.
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

- name: A cluster LUN with reservations (libvirt-managed qemu-pr-helper) and errors reported to the guest
  scsi.virt.domain_disk_lun:
    domain: db01
    wwn: "0x6001405abcdef012"
    shareable: true
    reservations: {managed: true}
    error_policy: report
    rerror_policy: report
    cache: none
    io: native

- name: Another LUN, emulated (scsi-hd) so that libvirt snapshots work, with its own serial
  scsi.virt.domain_disk_lun:
    domain: db01
    device: disk
    wwn: "0x6001405abcdef099"
    serial: DB01-SCRATCH
    discard: unmap

- name: Detach it from the persistent config only (the running guest keeps it until shutdown)
  scsi.virt.domain_disk_lun:
    domain: db01
    state: absent
    live: false
    iscsi: {host: 192.0.2.10, target: "iqn.2026-11.com.example:storage", lun: 1}
"""

RETURN = r"""
summary:
  description:
    - Counts of the run. C(listed) is the number of listed devices (1 for the single-LUN options, 0 for
      O(exclusive) alone); C(added), C(updated) and C(unchanged) count listed devices; C(removed) counts every
      device removed, listed (O(state=absent)) or not (O(exclusive)). Controllers are not counted (see RV(changes)).
    - In check mode, what would be done.
  returned: always
  type: dict
  contains:
    listed:
      description: Devices listed (O(luns) items or the single-LUN options).
      type: int
    added:
      description: Listed devices added.
      type: int
    updated:
      description: Listed devices whose options were brought in line.
      type: int
    removed:
      description: Devices removed.
      type: int
    unchanged:
      description: Listed devices left as they were.
      type: int
  sample: {listed: 2, added: 1, updated: 0, removed: 0, unchanged: 1}
luns:
  description:
    - The listed LUN disks as they are after the run (assigned address and target included), one entry per copy
      when a LUN is attached more than once, in whichever mode (C(device) V(lun) or V(disk)) it is attached.
    - Each entry has the input shape of O(luns) (the same keys and nesting; only values that are set), so
      C(luns="{{ result.luns }}") can be given back to this module and changes nothing.
    - C(sgio), C(rawio), C(readonly) and C(shareable) are given with libvirt's meaning of an absent value
      (V(filtered), V(false)); the block path a LUN selected by O(wwn) was attached with is returned as C(dev).
    - With more than 64 listed LUNs, only those added or updated by this run (see O(luns)).
  returned: always
  type: list
  elements: dict
  contains:
    dev:
      description: Host block device of a block LUN (also of one given by O(wwn), as C(/dev/disk/by-id/wwn-0x...)).
      type: str
      returned: for a block source
    pool:
      description: Storage pool of a volume source.
      type: str
      returned: for a pool volume
    volume:
      description: Volume name in C(pool).
      type: str
      returned: for a pool volume
    iscsi:
      description: An iSCSI source, as O(iscsi).
      type: dict
      returned: for an iSCSI source
      contains:
        host:
          description: Portal host (an IPv6 address bare).
          type: str
        port:
          description: Portal port.
          type: int
        target:
          description: Target IQN.
          type: str
        lun:
          description: LUN number on the target.
          type: int
        auth:
          description: CHAP through a libvirt secret, C(username) and C(secret_usage) or C(secret_uuid).
          type: dict
          returned: when set
        initiator:
          description: Initiator IQN.
          type: str
          returned: when set
    device:
      description: V(lun) (passthrough) or V(disk) (emulated).
      type: str
    target_dev:
      description: Guest target name (C(sdX)).
      type: str
    address:
      description: Guest drive address, as O(address).
      type: dict
      contains:
        controller:
          description: SCSI controller index.
          type: int
        bus:
          description: Bus (0).
          type: int
        target:
          description: Target.
          type: int
        unit:
          description: Unit.
          type: int
    sgio:
      description: SCSI command filtering (V(filtered) when absent in the XML).
      type: str
      returned: for C(device=lun)
    rawio:
      description: Whether the guest has CAP_SYS_RAWIO on the LUN.
      type: bool
      returned: for C(device=lun)
    readonly:
      description: Read-only.
      type: bool
    shareable:
      description: Shareable between guests.
      type: bool
    reservations:
      description: Persistent reservations, as O(reservations) (C(managed), and C(source_path) when not managed).
      type: dict
      returned: when set
    error_policy:
      description: As O(error_policy).
      type: str
      returned: when set
    rerror_policy:
      description: As O(rerror_policy).
      type: str
      returned: when set
    cache:
      description: As O(cache).
      type: str
      returned: when set
    discard:
      description: As O(discard).
      type: str
      returned: when set
    io:
      description: As O(io).
      type: str
      returned: when set
    serial:
      description: Serial number the guest sees (C(device=disk)).
      type: str
      returned: when set
    vendor:
      description: SCSI INQUIRY vendor (C(device=disk)).
      type: str
      returned: when set
    product:
      description: SCSI INQUIRY product (C(device=disk)).
      type: str
      returned: when set
  sample:
    - iscsi: {host: 192.0.2.10, port: 3260, target: "iqn.2026-11.com.example:storage", lun: 1}
      device: lun
      target_dev: sda
      error_policy: report
      cache: none
      sgio: filtered
      rawio: false
      readonly: false
      shareable: false
      address: {controller: 0, bus: 0, target: 0, unit: 0}
changes:
  description:
    - What was (or in check mode would be) added, updated or removed; for updates, each field's before/after.
    - C(scope) says where it happened, V(config) (persistent configuration only), V(live) (running guest only, for
      example a device that is in the configuration but not attached) or V(both). The diff shows the changes of
      both scopes.
  returned: always
  type: list
  elements: dict
  sample:
    - {action: add, device: "network LUN iscsi/iqn.2026-11.com.example:storage/1/192.0.2.10/3260", scope: both}
config_changed:
  description: Whether the persistent configuration changed.
  returned: always
  type: bool
live_changed:
  description: Whether the running guest changed.
  returned: always
  type: bool
"""


# First: the module_utils files imported below are then compiled once, not twice (see _compile_once.py).
from ansible_collections.scsi.virt.plugins.module_utils import _compile_once  # noqa: F401 pylint: disable=unused-import
from ansible_collections.scsi.virt.plugins.module_utils._devices.disk_lun import DiskLun
from ansible_collections.scsi.virt.plugins.module_utils._domain_module import DomainDeviceModule, domain_module_spec
from ansible_collections.scsi.virt.plugins.module_utils._lun_identity import configure as resolve_identities
from ansible_collections.scsi.virt.plugins.module_utils._lun_options import disk_lun_from_item, disk_lun_spec
from ansible_collections.scsi.virt.plugins.module_utils._module import ScsiVirtModule, run_module


def main():
    item_spec = disk_lun_spec()
    module = ScsiVirtModule(argument_spec=domain_module_spec(item_spec, "luns"), supports_check_mode=True)
    body = DomainDeviceModule(module, item_spec, "luns", disk_lun_from_item, kinds=[DiskLun],
                              prepare=resolve_identities)
    run_module(module, body.run)


if __name__ == "__main__":
    main()
