#!/usr/bin/python
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: domain_scsi_info
short_description: Show a guest's SCSI controllers, LUN disks and SCSI hostdevs with their addresses
version_added: 0.1.0
description:
  - Reads the persistent (or running) XML of one or all domains and returns their SCSI controllers,
    C(device='lun') disks and SCSI hostdevs in the same form the change modules return, which is their input
    form (feed RV(domains[].luns) to M(scsi.virt.domain_disk_lun) and RV(domains[].hostdevs) to
    M(scsi.virt.scsi_hostdev)).
extends_documentation_fragment:
  - scsi.virt.connection
  - scsi.virt.attributes
  - scsi.virt.attributes.INFO
options:
  domain:
    description: The domain; all domains when left out.
    type: str
    aliases: [name]
  live:
    description: Read the running configuration of active domains instead of the persistent one.
    type: bool
    default: false
seealso:
  - module: scsi.virt.domain_disk_lun
  - module: scsi.virt.scsi_hostdev
author:
  - scsi.virt maintainers (@scsi-virt)
"""

EXAMPLES = r"""
- name: What SCSI storage does db01 have?
  scsi.virt.domain_scsi_info:
    domain: db01
  register: db01

- name: Guest addresses of its LUN disks
  ansible.builtin.debug:
    msg: "{{ db01.domains[0].luns | map(attribute='address') | map(attribute='target') | list }}"
"""

RETURN = r"""
domains:
  description: One entry per domain.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Domain name.
      type: str
    active:
      description: Whether it runs.
      type: bool
    controllers:
      description: SCSI controllers (type, index, model, queues).
      type: list
      elements: dict
      sample: [{type: scsi, index: 0, model: virtio-scsi}]
    luns:
      description:
        - C(device='lun') disks, as M(scsi.virt.domain_disk_lun) returns them in its
          RV(scsi.virt.domain_disk_lun#module:luns).
        - Each entry has the input shape of M(scsi.virt.domain_disk_lun)'s O(scsi.virt.domain_disk_lun#module:luns)
          (only the values that are set), so the list can be given back to it.
      type: list
      elements: dict
      contains:
        dev:
          description: Host block device of a block LUN.
          type: str
        pool:
          description: Storage pool of a volume source.
          type: str
        volume:
          description: Volume name in C(pool).
          type: str
        iscsi:
          description: An iSCSI source (C(host), C(port), C(target), C(lun), and when set C(auth), C(initiator)).
          type: dict
        device:
          description: V(lun).
          type: str
        target_dev:
          description: Guest target name (C(sdX)).
          type: str
        address:
          description: Guest drive address (C(controller), C(bus), C(target), C(unit)).
          type: dict
        sgio:
          description: SCSI command filtering.
          type: str
        rawio:
          description: CAP_SYS_RAWIO for the guest.
          type: bool
        readonly:
          description: Read-only.
          type: bool
        shareable:
          description: Shareable between guests.
          type: bool
        reservations:
          description: Persistent reservations (C(managed), C(source_path)), when set.
          type: dict
        error_policy:
          description: Write error policy, when set.
          type: str
        rerror_policy:
          description: Read error policy, when set.
          type: str
        cache:
          description: Cache mode, when set.
          type: str
        discard:
          description: Discard mode, when set.
          type: str
        io:
          description: I/O mode, when set.
          type: str
    hostdevs:
      description:
        - SCSI and vhost-scsi hostdevs, as M(scsi.virt.scsi_hostdev) returns them in its
          RV(scsi.virt.scsi_hostdev#module:hostdevs).
        - Each entry has the input shape of M(scsi.virt.scsi_hostdev)'s O(scsi.virt.scsi_hostdev#module:hostdevs)
          (only the values that are set), so the list can be given back to it.
      type: list
      elements: dict
      contains:
        adapter:
          description: Host SCSI adapter (C(scsi_hostN)) of an adapter hostdev, with C(bus), C(target), C(unit).
          type: str
        bus:
          description: Bus of the LUN on the adapter.
          type: int
        target:
          description: Target of the LUN on the adapter.
          type: int
        unit:
          description: Unit of the LUN on the adapter.
          type: int
        iscsi:
          description: An iSCSI source (C(host), C(port), C(target), C(lun), and when set C(auth), C(initiator)).
          type: dict
        managed:
          description: Whether libvirt manages the device.
          type: bool
        vhost_wwpn:
          description: WWPN of a vhost-scsi target.
          type: str
        vhost_model:
          description: Model of the vhost-scsi device, when set.
          type: str
        address:
          description: Guest drive address (C(controller), C(bus), C(target), C(unit)).
          type: dict
        sgio:
          description: SCSI command filtering.
          type: str
        rawio:
          description: CAP_SYS_RAWIO for the guest.
          type: bool
        readonly:
          description: Read-only.
          type: bool
        shareable:
          description: Shareable between guests.
          type: bool
"""


# First: the module_utils files imported below are then compiled once, not twice (see _compile_once.py).
from ansible_collections.scsi.virt.plugins.module_utils import _compile_once  # noqa: F401 pylint: disable=unused-import
from ansible_collections.scsi.virt.plugins.module_utils._discovery import domain_scsi_facts
from ansible_collections.scsi.virt.plugins.module_utils._module import ScsiVirtModule, connection_spec, run_module
from ansible_collections.scsi.virt.plugins.module_utils._types import parse_object_name


def main():
    spec = connection_spec()
    spec.update(domain={"type": "str", "aliases": ["name"]}, live={"type": "bool", "default": False})
    module = ScsiVirtModule(argument_spec=spec, supports_check_mode=True)

    def body(hypervisor):
        name = module.params["domain"]
        doms = [hypervisor.domain(parse_object_name(name, "domain"))] if name else sorted(
            hypervisor.all_domains(), key=lambda d: d.name())
        return {"changed": False, "domains": [domain_scsi_facts(hypervisor, d, module.params["live"]) for d in doms]}

    run_module(module, body)


if __name__ == "__main__":
    main()
