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
    C(device='lun') disks and SCSI hostdevs in the same form the change modules return.
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
      description: C(device='lun') disks, as M(scsi.virt.domain_disk_lun) returns them.
      type: list
      elements: dict
    hostdevs:
      description: SCSI and vhost-scsi hostdevs, as M(scsi.virt.scsi_hostdev) returns them.
      type: list
      elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.scsi.virt.plugins.module_utils._discovery import domain_scsi_facts
from ansible_collections.scsi.virt.plugins.module_utils._module import connection_spec, run_module
from ansible_collections.scsi.virt.plugins.module_utils._types import parse_object_name


def main():
    spec = connection_spec()
    spec.update(domain={"type": "str", "aliases": ["name"]}, live={"type": "bool", "default": False})
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)

    def body(hypervisor):
        name = module.params["domain"]
        doms = [hypervisor.domain(parse_object_name(name, "domain"))] if name else sorted(
            hypervisor.all_domains(), key=lambda d: d.name())
        return {"changed": False, "domains": [domain_scsi_facts(hypervisor, d, module.params["live"]) for d in doms]}

    run_module(module, body)


if __name__ == "__main__":
    main()
