#!/usr/bin/python
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vhba
short_description: Create or destroy an NPIV virtual HBA (vHBA) as a libvirt node device
version_added: 0.1.0
description:
  - Creates a vHBA (an NPIV virtual port, a new C(scsi_hostN)) on a vport-capable Fibre Channel HBA, or
    destroys one. The vHBA is identified by its WWN pair (O(wwnn) + O(wwpn)); a second run finds it and
    changes nothing.
  - The parent is chosen by name (O(parent)), by its WWNs (O(parent_wwnn) + O(parent_wwpn)), by the fabric it is
    on (O(parent_fabric_wwn)), or automatically (the vport-capable HBA with the most free vports).
  - A vHBA created this way disappears at host reboot. For a vHBA that comes back, use an C(fc_host)
    storage pool (M(scsi.virt.scsi_pool)) with C(autostart).
  - O(wwnn) and O(wwpn) are required, as they are what finds the vHBA again on the next run. (libvirt could generate
    a pair, but then every run would create one more vHBA.) Use WWNs from your storage team, or generate a pair
    once (for example C(5001a4a) followed by 9 random hex digits, the range libvirt itself uses) and keep it in the
    inventory; a WWPN must be unique on the fabric.
extends_documentation_fragment:
  - scsi.virt.connection
  - scsi.virt.attributes
  - scsi.virt.attributes.CHANGE
options:
  state:
    description: Whether the vHBA should exist.
    type: str
    choices: [present, absent]
    default: present
  wwnn:
    description:
      - World wide node name of the vHBA; 16 hex digits, C(0x) prefix and C(:) separators allowed.
      - Required, with O(wwpn), for both states.
    type: str
  wwpn:
    description: World wide port name of the vHBA, same forms as O(wwnn). Must not be in use by any other port.
    type: str
  parent:
    description: Name of the parent HBA node device, for example C(scsi_host5).
    type: str
  parent_wwnn:
    description: Select the parent HBA by its WWNN (with O(parent_wwpn)).
    type: str
  parent_wwpn:
    description: WWPN of the parent HBA selected with O(parent_wwnn).
    type: str
  parent_fabric_wwn:
    description: Select the parent as a vport-capable HBA on this fabric (the most free vports wins).
    type: str
  force:
    description: With O(state=absent), destroy the vHBA even when a running guest uses it or its LUNs.
    type: bool
    default: false
notes:
  - libvirt's test driver reports C(max_vports) as 0 (unknown); such parents are used last and never refused
    for capacity.
seealso:
  - module: scsi.virt.scsi_host_info
  - module: scsi.virt.scsi_pool
  - name: libvirt NPIV and vHBA
    link: https://libvirt.org/formatnode.html
    description: Node device XML with the C(fc_host) and C(vport_ops) capabilities.
author:
  - scsi.virt maintainers (@scsi-virt)
"""

EXAMPLES = r"""
- name: Create a vHBA with WWNs from the storage team, on the HBA with the most free vports
  scsi.virt.vhba:
    wwnn: "20:01:00:1b:32:a9:da:5e"
    wwpn: "21:01:00:1b:32:a9:da:5e"
  register: vhba

- name: Create it on a given fabric
  scsi.virt.vhba:
    wwnn: "0x2001001b32a9da5e"
    wwpn: "0x2101001b32a9da5e"
    parent_fabric_wwn: "2001000dec9877c1"

- name: Destroy it
  scsi.virt.vhba:
    wwnn: "2001001b32a9da5e"
    wwpn: "2101001b32a9da5e"
    state: absent
"""

RETURN = r"""
name:
  description: Node device name of the vHBA (C(scsi_hostN)). Not known in check mode before creation.
  returned: when the vHBA exists or was created
  type: str
  sample: scsi_host12
wwnn:
  description: WWNN of the vHBA (16 lower-case hex digits).
  returned: when the vHBA exists or was created
  type: str
  sample: 2001001b32a9da5e
wwpn:
  description: WWPN of the vHBA.
  returned: when the vHBA exists or was created
  type: str
  sample: 2101001b32a9da5e
fabric_wwn:
  description: Fabric WWN the vHBA logged in to, when the driver reports it.
  returned: when the vHBA exists or was created
  type: str
  sample: 2001000dec9877c1
parent:
  description: Parent HBA.
  returned: when the vHBA exists or was created
  type: str
  sample: scsi_host5
parent_max_vports:
  description: Maximum vports of the parent (0 when the driver does not report it).
  returned: when the vHBA exists or was created
  type: int
  sample: 127
parent_vports:
  description: vports in use on the parent, as read before this run's change.
  returned: when the vHBA exists or was created
  type: int
  sample: 4
parent_free_vports:
  description: Free vports on the parent (null when not reported), as read before this run's change.
  returned: when the vHBA exists or was created
  type: int
  sample: 123
"""


# First: the module_utils files imported below are then compiled once, not twice (see _compile_once.py).
from ansible_collections.scsi.virt.plugins.module_utils import _compile_once  # noqa: F401 pylint: disable=unused-import
from ansible_collections.scsi.virt.plugins.module_utils._module import ScsiVirtModule, connection_spec, run_module
from ansible_collections.scsi.virt.plugins.module_utils._vhba import VhbaManager, VhbaRequest, vhba_facts


def main():
    spec = connection_spec()
    spec.update(
        state={"type": "str", "default": "present", "choices": ["present", "absent"]},
        wwnn={"type": "str"},
        wwpn={"type": "str"},
        parent={"type": "str"},
        parent_wwnn={"type": "str"},
        parent_wwpn={"type": "str"},
        parent_fabric_wwn={"type": "str"},
        force={"type": "bool", "default": False},
    )
    module = ScsiVirtModule(
        argument_spec=spec,
        supports_check_mode=True,
        mutually_exclusive=[["parent", "parent_wwnn", "parent_fabric_wwn"]],
        required_together=[["parent_wwnn", "parent_wwpn"]],
        required_if=[["state", "absent", ["wwnn", "wwpn"]]],
    )

    def body(hypervisor):
        warnings = []
        manager = VhbaManager(hypervisor, VhbaRequest(module.params), module.check_mode, warnings)
        if module.params["state"] == "present":
            changed, host, xml = manager.present()
        else:
            changed, host, xml = manager.absent()
        result = dict(changed=changed, **vhba_facts(host, manager.hosts) if module.params["state"] == "present"
                      else {})
        if module._diff and changed:
            before, after = ("", xml) if module.params["state"] == "present" else (xml, "")
            result["diff"] = {"before": before, "after": after,
                              "before_header": "node devices (before)", "after_header": "node devices (after)"}
        for warning in warnings:
            module.warn(warning)
        return result

    run_module(module, body)


if __name__ == "__main__":
    main()
