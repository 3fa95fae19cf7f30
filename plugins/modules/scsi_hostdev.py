#!/usr/bin/python
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: scsi_hostdev
short_description: Pass host SCSI devices to a libvirt guest as C(<hostdev type='scsi'>) or vhost-scsi
version_added: 0.1.0
description:
  - Attaches, updates or detaches C(<hostdev mode='subsystem' type='scsi'>) devices (QEMU C(scsi-generic)),
    a LUN on a host HBA (O(adapter) or a vHBA by O(adapter_wwnn)/O(adapter_wwpn), plus O(bus)/O(target)/O(unit)),
    or an iSCSI LUN (O(iscsi)).
  - Also C(<hostdev type='scsi_host'>) vhost-scsi targets by WWPN (O(vhost_wwpn)).
  - The adapter and the LUN must exist on the hypervisor (libvirt would accept them and the guest would fail to
    start). Only the hostdev fragments (and a virtio-scsi controller when needed) are rewritten.
extends_documentation_fragment:
  - scsi.virt.connection
  - scsi.virt.domain_device
  - scsi.virt.domain_device.LUN_ACCESS
  - scsi.virt.attributes
  - scsi.virt.attributes.CHANGE
options:
  adapter:
    description: Host SCSI adapter node device, C(scsi_hostN) (see M(scsi.virt.scsi_host_info)).
    type: str
  adapter_wwnn:
    description: Select the adapter (typically an NPIV vHBA) by its WWNN; needs O(adapter_wwpn).
    type: str
  adapter_wwpn:
    description: WWPN of the adapter selected with O(adapter_wwnn).
    type: str
  bus:
    description: Bus of the LUN on the adapter (the B of H:B:T:L).
    type: int
  target:
    description: Target of the LUN on the adapter (the T of H:B:T:L).
    type: int
  unit:
    description: Unit (LUN number) on the adapter (the L of H:B:T:L).
    type: int
  managed:
    description:
      - For iSCSI hostdevs only. Refused as V(true) on adapter hostdevs (the guest would not start); V(false) there
        clears an existing C(managed='yes'). Unset leaves it as it is.
    type: bool
  vhost_wwpn:
    description: WWPN of a vhost-scsi (LIO) target, C(naa.) plus 16 hex digits, for a C(type='scsi_host') hostdev.
    type: str
  vhost_model:
    description: Model of the vhost-scsi device.
    type: str
    choices: [virtio, virtio-transitional, virtio-non-transitional]
  hostdevs:
    description:
      - Several hostdevs, each a dictionary with the single-hostdev options above.
      - Applied in one XML rewrite. Mutually exclusive with the single-hostdev options.
      - With more than 64 items, RV(hostdevs) in the result holds only the items added or updated (RV(summary) has
        the counts and RV(changes) every change), so that a big batch does not return every device it left
        as it was.
    type: list
    elements: dict
seealso:
  - module: scsi.virt.domain_disk_lun
  - module: scsi.virt.vhba
  - name: libvirt domain XML, host device assignment
    link: https://libvirt.org/formatdomain.html#host-device-assignment
    description: SCSI and scsi_host hostdevs.
author:
  - scsi.virt maintainers (@scsi-virt)
"""

EXAMPLES = r"""
- name: Pass LUN 0:2:0 of HBA scsi_host5 to the guest
  scsi.virt.scsi_hostdev:
    domain: tape01
    adapter: scsi_host5
    bus: 0
    target: 2
    unit: 0

- name: Pass a LUN seen through an NPIV vHBA, selected by the vHBA's WWNs
  scsi.virt.scsi_hostdev:
    domain: tape01
    adapter_wwnn: "0x2001001b32a9da5e"
    adapter_wwpn: "0x2101001b32a9da5e"
    bus: 0
    target: 0
    unit: 1

- name: Pass an iSCSI LUN as scsi-generic
  scsi.virt.scsi_hostdev:
    domain: tape01
    iscsi: {host: 192.0.2.10, target: "iqn.2026-11.com.example:tapes", lun: 0}

- name: Give the guest a vhost-scsi target
  scsi.virt.scsi_hostdev:
    domain: tape01
    vhost_wwpn: naa.5001405df3e54061
"""

RETURN = r"""
summary:
  description:
    - Counts of the run. C(listed) is the number of listed devices (1 for the single-hostdev options, 0 for
      O(exclusive) alone); C(added), C(updated) and C(unchanged) count listed devices; C(removed) counts every
      device removed, listed (O(state=absent)) or not (O(exclusive)). Controllers are not counted (see RV(changes)).
    - In check mode, what would be done.
  returned: always
  type: dict
  contains:
    listed:
      description: Devices listed (O(hostdevs) items or the single-hostdev options).
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
hostdevs:
  description:
    - The listed hostdevs as they are after the run (assigned drive address included).
    - With more than 64 listed hostdevs, only those added or updated by this run (see O(hostdevs)).
  returned: always
  type: list
  elements: dict
  sample:
    - {mode: subsystem, type: scsi, adapter: scsi_host5, source_bus: 0, source_target: 2, source_unit: 0,
       managed: false, sgio: filtered, rawio: false, readonly: false, shareable: false,
       address_controller: 0, address_bus: 0, address_target: 0, address_unit: 0}
changes:
  description:
    - What was (or in check mode would be) added, updated or removed.
    - C(scope) says where it happened, V(config) (persistent configuration only), V(live) (running guest only, for
      example a device that is in the configuration but not attached) or V(both). The diff shows the changes of
      both scopes.
  returned: always
  type: list
  elements: dict
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

from ansible_collections.scsi.virt.plugins.module_utils._devices.hostdev_scsi import HostdevScsi, HostdevVhost
from ansible_collections.scsi.virt.plugins.module_utils._domain_module import DomainDeviceModule, domain_module_spec
from ansible_collections.scsi.virt.plugins.module_utils._lun_options import hostdev_from_item, hostdev_spec
from ansible_collections.scsi.virt.plugins.module_utils._module import run_module


def main():
    item_spec = hostdev_spec()
    module = AnsibleModule(argument_spec=domain_module_spec(item_spec, "hostdevs"), supports_check_mode=True)
    body = DomainDeviceModule(module, item_spec, "hostdevs", hostdev_from_item, kinds=[HostdevScsi, HostdevVhost])
    run_module(module, body.run)


if __name__ == "__main__":
    main()
