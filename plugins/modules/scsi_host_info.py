#!/usr/bin/python
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: scsi_host_info
short_description: List the hypervisor's SCSI hosts (HBAs and NPIV vHBAs) with their WWNs and vport capacity
version_added: 0.1.0
description:
  - Lists libvirt's C(scsi_host) node devices with their Fibre Channel identity (WWNN, WWPN, fabric WWN), NPIV
    capacity (max_vports, vports in use, free vports) and whether each one is a vHBA.
extends_documentation_fragment:
  - scsi.virt.connection
  - scsi.virt.attributes
  - scsi.virt.attributes.INFO
options:
  name:
    description: Only this host (C(scsi_hostN)); an unknown name gives an empty list.
    type: str
  wwnn:
    description: Only the host with this WWNN (with O(wwpn)); 0x/colon forms accepted.
    type: str
  wwpn:
    description: WWPN of the host selected with O(wwnn).
    type: str
  vport_capable:
    description: Only hosts that can (V(true)) or cannot (V(false)) create vHBAs.
    type: bool
seealso:
  - module: scsi.virt.vhba
author:
  - scsi.virt maintainers (@scsi-virt)
"""

EXAMPLES = r"""
- name: HBAs that can host a vHBA
  scsi.virt.scsi_host_info:
    vport_capable: true
  register: hbas

- name: The one with the most free vports
  ansible.builtin.debug:
    msg: "{{ (hbas.scsi_hosts | sort(attribute='free_vports', reverse=true) | first).name }}"
"""

RETURN = r"""
scsi_hosts:
  description: SCSI hosts, by host number.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Node device name.
      type: str
      sample: scsi_host5
    parent:
      description: Parent node device (a PCI device for an HBA, the HBA for a vHBA).
      type: str
      sample: pci_0000_04_00_1
    host:
      description: SCSI host number (can change across reboots).
      type: int
      sample: 5
    unique_id:
      description: The host's unique_id (stable; used with the PCI address in scsi_host pools).
      type: int
    fc_host:
      description: Whether it is a Fibre Channel host.
      type: bool
    wwnn:
      description: WWNN (16 lower-case hex digits).
      type: str
      sample: 2001001b32a9da4e
    wwpn:
      description: WWPN.
      type: str
      sample: 2101001b32a9da4e
    fabric_wwn:
      description: WWN of the fabric it is logged in to.
      type: str
    vport_capable:
      description: Whether it can create vHBAs (libvirt's C(vport_ops) capability).
      type: bool
    max_vports:
      description: Maximum vports (0 when the driver does not report it, as libvirt's test driver).
      type: int
    vports:
      description: vports in use.
      type: int
    free_vports:
      description: Free vports, null when not reported.
      type: int
    is_vhba:
      description: Whether it is a vHBA (its parent is a vport-capable HBA).
      type: bool
    vhbas:
      description: Names of its vHBAs.
      type: list
      elements: str
"""


# First: the module_utils files imported below are then compiled once, not twice (see _compile_once.py).
from ansible_collections.scsi.virt.plugins.module_utils import _compile_once  # noqa: F401 pylint: disable=unused-import
from ansible_collections.scsi.virt.plugins.module_utils._discovery import scsi_host_facts
from ansible_collections.scsi.virt.plugins.module_utils._module import ScsiVirtModule, connection_spec, run_module
from ansible_collections.scsi.virt.plugins.module_utils._types import parse_wwn


def main():
    spec = connection_spec()
    spec.update(name={"type": "str"}, wwnn={"type": "str"}, wwpn={"type": "str"}, vport_capable={"type": "bool"})
    module = ScsiVirtModule(argument_spec=spec, supports_check_mode=True, required_together=[["wwnn", "wwpn"]])

    def body(hypervisor):
        params = module.params
        return {"changed": False, "scsi_hosts": scsi_host_facts(
            hypervisor, name=params["name"], wwnn=parse_wwn(params["wwnn"], "wwnn"),
            wwpn=parse_wwn(params["wwpn"], "wwpn"), vport_capable=params["vport_capable"])}

    run_module(module, body)


if __name__ == "__main__":
    main()
