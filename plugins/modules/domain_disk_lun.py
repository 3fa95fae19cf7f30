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
  device:
    description:
      - V(lun) (default) passes the LUN through as C(<disk device='lun'>) (QEMU C(scsi-block)); the guest sends SCSI
        commands to the real LUN, sees its vendor, model and WWN, and can use persistent reservations.
      - V(disk) is the emulated mode, C(<disk device='disk'>) on the SCSI bus (QEMU C(scsi-hd)); the guest sees a
        QEMU disk, libvirt snapshots and block jobs work, no SCSI command reaches the LUN. The LUN is selected the
        same way (O(dev), O(wwn), O(pool), O(iscsi)). O(serial), O(vendor) and O(product) may be set; with O(wwn)
        of 16 hex digits the guest disk also gets that WWN (C(<wwn>)). O(sgio), O(rawio) and O(reservations) are
        refused (libvirt refuses them on C(device='disk')).
      - A LUN is one disk in either mode; asking for the other mode of a LUN that is attached is refused (detach
        it with O(state=absent) first), and O(state=absent) detaches it in whichever mode it is attached.
      - O(exclusive) only ever detaches C(device='lun') disks, never emulated disks (the guest's own system disk
        may be one).
    type: str
    choices: [lun, disk]
  serial:
    description:
      - Serial number the guest sees, with O(device=disk) only (letters, digits, C(_ . + -) and space).
      - Refused with O(device=lun); libvirt does not allow C(<serial>) there; the guest sees the LUN's own serial.
    type: str
  vendor:
    description: SCSI INQUIRY vendor the guest sees (1-8 printable ASCII characters), with O(device=disk) only.
    type: str
  product:
    description: SCSI INQUIRY product the guest sees (1-16 printable ASCII characters), with O(device=disk) only.
    type: str
  reservations:
    description:
      - SCSI-3 persistent reservations for the guest (cluster fencing, for example Pacemaker C(fence_scsi) or
        Windows failover clusters) through QEMU's C(qemu-pr-helper), as C(<reservations>) in the LUN's C(<source>).
      - For a block source (O(dev) or O(wwn)) with O(device=lun) only. Refused for O(iscsi) sources (QEMU's own
        iSCSI initiator sends the reservation commands to the target itself; give each guest its own
        O(iscsi.initiator)) and for pool volumes (libvirt's schema allows C(<reservations>) only in a block source;
        give the volume's block path as O(dev)).
      - Left out, the reservation setting of an attached LUN is not changed.
    type: dict
    suboptions:
      managed:
        description:
          - V(true) lets libvirt start and stop a C(qemu-pr-helper) for the guest (it runs with the privileges
            needed to send PERSISTENT RESERVE OUT).
          - V(false) connects QEMU to a helper you run, at O(reservations.source_path).
        type: bool
        required: true
      source_path:
        description:
          - The UNIX socket of your C(qemu-pr-helper) (C(<source type='unix' mode='client'>)); required with
            O(reservations.managed=false), refused with V(true).
        type: str
  error_policy:
    description:
      - What QEMU does when a write to the LUN fails (C(<driver error_policy>)). V(report) passes the error to
        the guest, which cluster software (Windows failover clusters) needs; V(stop) pauses the guest; V(enospace)
        pauses only when the host is out of space. Left out, libvirt's default (V(report) for LUNs is not implied).
    type: str
    choices: [stop, report, ignore, enospace]
  rerror_policy:
    description: What QEMU does when a read fails (C(<driver rerror_policy>)); left out, it follows O(error_policy).
    type: str
    choices: [stop, report, ignore]
  cache:
    description:
      - Host cache mode of the LUN (C(<driver cache>)). Left out, QEMU's default.
    type: str
    choices: [none, writeback, writethrough, directsync, unsafe]
  discard:
    description: Whether guest discard (UNMAP/TRIM) requests reach the LUN (C(<driver discard>)).
    type: str
    choices: [unmap, ignore]
  io:
    description:
      - QEMU I/O mode (C(<driver io>)). V(native) needs O(cache=none) or O(cache=directsync) in the same task
        (libvirt refuses it otherwise).
    type: str
    choices: [native, threads, io_uring]
  luns:
    description:
      - Several LUNs, each a dictionary with the single-LUN options above (O(dev), O(wwn), O(pool), O(volume),
        O(iscsi), O(target_dev), O(address), O(sgio), O(rawio), O(shareable), O(readonly), O(device), O(serial),
        O(vendor), O(product), O(reservations), O(error_policy), O(rerror_policy), O(cache), O(discard), O(io),
        O(allow_single_path)).
      - Applied in one XML rewrite. Mutually exclusive with the single-LUN options.
      - With more than 64 items, RV(luns) in the result holds only the items added or updated (RV(summary) has
        the counts and RV(changes) every change), so that a big batch does not return every device it left
        as it was.
    type: list
    elements: dict
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
    - With more than 64 listed LUNs, only those added or updated by this run (see O(luns)).
    - Besides the fields of the sample, as set - C(reservations_managed), C(reservations_path) (with C(reservations_source_type)
      C(unix) and C(reservations_mode) C(client)), C(rerror_policy), C(discard), C(io), C(driver_name), C(driver_type),
      and for C(device=disk) C(serial), C(wwn), C(vendor), C(product).
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
      error_policy: report
      cache: none
      readonly: false
      shareable: false
      address_controller: 0
      address_bus: 0
      address_target: 0
      address_unit: 0
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.scsi.virt.plugins.module_utils._devices.disk_lun import DiskLun
from ansible_collections.scsi.virt.plugins.module_utils._domain_module import DomainDeviceModule, domain_module_spec
from ansible_collections.scsi.virt.plugins.module_utils._lun_identity import configure as resolve_identities
from ansible_collections.scsi.virt.plugins.module_utils._lun_options import disk_lun_from_item, disk_lun_spec
from ansible_collections.scsi.virt.plugins.module_utils._module import run_module


def main():
    item_spec = disk_lun_spec()
    module = AnsibleModule(argument_spec=domain_module_spec(item_spec, "luns"), supports_check_mode=True)
    body = DomainDeviceModule(module, item_spec, "luns", disk_lun_from_item, kinds=[DiskLun],
                              prepare=resolve_identities)
    run_module(module, body.run)


if __name__ == "__main__":
    main()
