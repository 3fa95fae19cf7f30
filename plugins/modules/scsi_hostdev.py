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
  - scsi.virt.domain_device.HOSTDEV
  - scsi.virt.attributes
  - scsi.virt.attributes.CHANGE
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
    - Each entry has the input shape of O(hostdevs) (the same keys and nesting; only values that are set), so
      C(hostdevs="{{ result.hostdevs }}") can be given back to this module and changes nothing.
    - A hostdev on an adapter selected by O(adapter_wwnn)/O(adapter_wwpn) is returned with its C(adapter) name.
    - With more than 64 listed hostdevs, only those added or updated by this run (see O(hostdevs)).
  returned: always
  type: list
  elements: dict
  contains:
    adapter:
      description: Host SCSI adapter, C(scsi_hostN).
      type: str
      returned: for an adapter hostdev
    bus:
      description: Bus of the LUN on the adapter.
      type: int
      returned: for an adapter hostdev
    target:
      description: Target of the LUN on the adapter.
      type: int
      returned: for an adapter hostdev
    unit:
      description: Unit of the LUN on the adapter.
      type: int
      returned: for an adapter hostdev
    iscsi:
      description: >-
        An iSCSI source, as O(iscsi): C(host), C(port), C(target), C(lun), and when set C(auth) (C(username),
        C(secret_usage) or C(secret_uuid)) and C(initiator).
      type: dict
      returned: for an iSCSI hostdev
    managed:
      description: Whether libvirt manages the device (V(false) when absent in the XML).
      type: bool
      returned: for an adapter or iSCSI hostdev
    vhost_wwpn:
      description: WWPN of the vhost-scsi target (C(naa.) + 16 hex digits).
      type: str
      returned: for a vhost-scsi hostdev
    vhost_model:
      description: Model of the vhost-scsi device.
      type: str
      returned: for a vhost-scsi hostdev, when set
    address:
      description: Guest drive address, as O(address) (C(controller), C(bus), C(target), C(unit)).
      type: dict
      returned: for an adapter or iSCSI hostdev
    sgio:
      description: SCSI command filtering (V(filtered) when absent in the XML).
      type: str
      returned: for an adapter or iSCSI hostdev
    rawio:
      description: Whether the guest has CAP_SYS_RAWIO.
      type: bool
      returned: for an adapter or iSCSI hostdev
    readonly:
      description: Read-only.
      type: bool
      returned: for an adapter or iSCSI hostdev
    shareable:
      description: Shareable between guests.
      type: bool
      returned: for an adapter or iSCSI hostdev
  sample:
    - {adapter: scsi_host5, bus: 0, target: 2, unit: 0, managed: false, sgio: filtered, rawio: false,
       readonly: false, shareable: false, address: {controller: 0, bus: 0, target: 0, unit: 0}}
    - {vhost_wwpn: naa.5001405df3e54061}
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


# First: the module_utils files imported below are then compiled once, not twice (see _compile_once.py).
from ansible_collections.scsi.virt.plugins.module_utils import _compile_once  # noqa: F401 pylint: disable=unused-import
from ansible_collections.scsi.virt.plugins.module_utils._devices.hostdev_scsi import HostdevScsi, HostdevVhost
from ansible_collections.scsi.virt.plugins.module_utils._domain_module import DomainDeviceModule, domain_module_spec
from ansible_collections.scsi.virt.plugins.module_utils._lun_options import hostdev_from_item, hostdev_spec
from ansible_collections.scsi.virt.plugins.module_utils._module import ScsiVirtModule, run_module


def main():
    item_spec = hostdev_spec()
    module = ScsiVirtModule(argument_spec=domain_module_spec(item_spec, "hostdevs"), supports_check_mode=True)
    body = DomainDeviceModule(module, item_spec, "hostdevs", hostdev_from_item, kinds=[HostdevScsi, HostdevVhost])
    run_module(module, body.run)


if __name__ == "__main__":
    main()
