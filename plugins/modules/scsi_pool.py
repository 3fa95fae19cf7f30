#!/usr/bin/python
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: scsi_pool
short_description: Manage libvirt storage pools whose volumes are SCSI LUNs (scsi, iscsi, iscsi-direct)
version_added: 0.1.0
description:
  - Defines, starts, stops, autostarts, refreshes and removes a libvirt storage pool of type C(scsi) (an
    C(fc_host) or C(scsi_host) adapter), C(iscsi) or C(iscsi-direct), and returns its LUN volumes
    (C(unit:B:T:L)) with their stable paths.
  - An C(fc_host) pool is how a vHBA survives reboots, starting the pool creates the vHBA with the
    pool's O(adapter.wwnn)/O(adapter.wwpn), stopping it removes the vHBA, and O(autostart) brings it back at boot.
  - A C(scsi_host) adapter is best named by O(adapter.parent_address) (the HBA's PCI address and unique_id),
    which stays the same across reboots; C(hostN) numbers do not.
  - Only the pool's source and target are compared and rewritten; drift in them is corrected by redefining
    the pool (it takes effect at the next start of a running pool).
extends_documentation_fragment:
  - scsi.virt.connection
  - scsi.virt.attributes
  - scsi.virt.attributes.CHANGE
options:
  name:
    description: Pool name.
    type: str
    required: true
  state:
    description:
      - V(present) defines the pool; V(started) defines and starts it; V(stopped) defines it and stops it;
        V(absent) stops and undefines it.
      - Stopping or removing a pool whose volumes a running guest uses is refused unless O(force=true).
    type: str
    choices: [present, started, stopped, absent]
    default: started
  type:
    description: Pool type.
    type: str
    choices: [scsi, iscsi, iscsi-direct]
    default: scsi
  adapter:
    description: The SCSI adapter of a O(type=scsi) pool.
    type: dict
    suboptions:
      type:
        description: V(fc_host) for an NPIV vHBA the pool creates, V(scsi_host) for an existing HBA.
        type: str
        required: true
        choices: [fc_host, scsi_host]
      name:
        description: C(scsi_host) only, the host as C(hostN) or C(scsi_hostN) (a warning reminds that N can change).
        type: str
      parent_address:
        description: C(scsi_host) only, the HBA by its PCI address and SCSI host unique_id (stable).
        type: dict
        suboptions:
          unique_id:
            description: The SCSI host's C(unique_id) (see M(scsi.virt.scsi_host_info)).
            type: int
            required: true
          pci_address:
            description: PCI address of the HBA, C(DDDD:BB:SS.F).
            type: str
            required: true
      wwnn:
        description: C(fc_host) only and required, WWNN of the vHBA the pool creates or uses.
        type: str
      wwpn:
        description: C(fc_host) only and required, WWPN of that vHBA.
        type: str
      parent:
        description: C(fc_host) only, parent HBA (C(scsi_hostN)); left out, libvirt picks a vport-capable one.
        type: str
      parent_wwnn:
        description: C(fc_host) only, parent HBA by WWNN (with O(adapter.parent_wwpn)).
        type: str
      parent_wwpn:
        description: C(fc_host) only, parent HBA by WWPN (with O(adapter.parent_wwnn)).
        type: str
      parent_fabric_wwn:
        description: C(fc_host) only, parent HBA by the fabric it is on.
        type: str
      managed:
        description:
          - C(fc_host) only. V(true) means the pool owns the vHBA (created at start, destroyed at stop);
            libvirt sets it when it creates the vHBA.
          - V(false) (keep the vHBA at stop) needs the vHBA to exist before the pool starts, for example made with
            M(scsi.virt.vhba); it is refused otherwise, because libvirt rewrites the pool to V(true) when the start
            creates the vHBA.
        type: bool
  source:
    description: The iSCSI target of an O(type=iscsi) or O(type=iscsi-direct) pool.
    type: dict
    suboptions:
      host:
        description: Portal host name or IP address; an IPv6 address with or without brackets (V(fd00::1), V([fd00::1])), written bare.
        type: str
        required: true
      port:
        description: Portal port.
        type: int
        default: 3260
      target:
        description: Target IQN.
        type: str
        required: true
      initiator:
        description: Initiator IQN (required for C(iscsi-direct)).
        type: str
      auth:
        description: CHAP through a libvirt secret.
        type: dict
        suboptions:
          username:
            description: CHAP user name.
            type: str
            required: true
          secret_usage:
            description: Usage name of the libvirt secret (type iscsi).
            type: str
          secret_uuid:
            description: UUID of the libvirt secret.
            type: str
  target_path:
    description:
      - Where the LUNs appear on the host (not for C(iscsi-direct)). Default C(/dev/disk/by-path), whose names are stable.
      - libvirt lists only LUNs that have a name there; LUNs on a pseudo bus (for example scsi_debug) have no
        by-path name, use C(/dev/disk/by-id) for them.
    type: str
  autostart:
    description: Start the pool when libvirtd starts (for C(fc_host), recreate the vHBA at boot). Unset leaves it as it is.
    type: bool
  refresh:
    description: Rescan the pool's LUNs (after the storage team mapped new ones). Reports changed when the volume list changed.
    type: bool
    default: false
  force:
    description: Stop or remove the pool even when running guests use its volumes.
    type: bool
    default: false
seealso:
  - module: scsi.virt.vhba
  - module: scsi.virt.domain_disk_lun
  - name: libvirt storage pool XML
    link: https://libvirt.org/formatstorage.html
    description: The C(scsi) pool adapter forms.
author:
  - scsi.virt maintainers (@scsi-virt)
"""

EXAMPLES = r"""
- name: A persistent NPIV vHBA through an fc_host pool, started now and at every boot
  scsi.virt.scsi_pool:
    name: vhba_pool
    adapter:
      type: fc_host
      parent: scsi_host5
      wwnn: "20:01:00:1b:32:a9:da:5e"
      wwpn: "21:01:00:1b:32:a9:da:5e"
    autostart: true
  register: pool

- name: Show the LUNs and their stable paths
  ansible.builtin.debug:
    msg: "{{ pool.volumes | map(attribute='path') | list }}"

- name: A scsi_host pool on an HBA named by its PCI address (stable across reboots)
  scsi.virt.scsi_pool:
    name: sas0
    adapter:
      type: scsi_host
      parent_address: {unique_id: 2, pci_address: "0000:00:1f.2"}

- name: An iSCSI target as a pool
  scsi.virt.scsi_pool:
    name: san1
    type: iscsi
    source: {host: 192.0.2.10, target: "iqn.2026-11.com.example:storage"}

- name: Remove the pool (refused while a running guest uses its LUNs)
  scsi.virt.scsi_pool:
    name: vhba_pool
    state: absent
"""

RETURN = r"""
pool:
  description:
    - The pool as this module's options (O(name), O(type), O(adapter) or O(source), O(target_path)), with its
      O(state) (V(started) or V(stopped)) and O(autostart), so it can be fed back to the module unchanged.
    - Empty in check mode when the pool does not exist yet.
  returned: unless O(state=absent)
  type: dict
  sample:
    name: vhba_pool
    type: scsi
    adapter:
      type: fc_host
      parent: scsi_host5
      wwnn: 2001001b32a9da5e
      wwpn: 2101001b32a9da5e
      managed: true
    target_path: /dev/disk/by-path
    state: started
    autostart: true
pool_status:
  description: What the pool is beyond its options (empty in check mode when the pool does not exist yet).
  returned: unless O(state=absent)
  type: dict
  contains:
    active:
      description: Whether the pool is running.
      type: bool
      sample: true
    persistent:
      description: Whether the pool is defined (a transient pool is left as it is, with a warning).
      type: bool
      sample: true
volumes:
  description: The pool's LUN volumes (empty while the pool is stopped).
  returned: unless O(state=absent)
  type: list
  elements: dict
  contains:
    name:
      description: Volume name, C(unit:B:T:L) for C(scsi)/C(iscsi) pools.
      type: str
      sample: "unit:0:2:0"
    path:
      description: Host path of the LUN, under O(target_path).
      type: str
      sample: /dev/disk/by-path/pci-0000:04:00.1-fc-0x203500a0b85ad1d7-lun-0
    key:
      description: Unique key (the LUN's WWID for SCSI LUNs).
      type: str
      sample: "36005076305ffc1ae00000000000021d5"
    capacity:
      description: Size in bytes.
      type: int
      sample: 10737418240
    allocation:
      description: Allocated bytes.
      type: int
      sample: 10737418240
actions:
  description: What was (or in check mode would be) done, in order.
  returned: always
  type: list
  elements: str
  sample: [define, start, autostart on]
"""


# First: the module_utils files imported below are then compiled once, not twice (see _compile_once.py).
from ansible_collections.scsi.virt.plugins.module_utils import _compile_once  # noqa: F401 pylint: disable=unused-import
from ansible_collections.scsi.virt.plugins.module_utils._module import ScsiVirtModule, connection_spec, run_module
from ansible_collections.scsi.virt.plugins.module_utils._pool import PoolManager, pool_spec


def main():
    spec = connection_spec()
    spec.update(pool_spec())
    module = ScsiVirtModule(argument_spec=spec, supports_check_mode=True)

    def body(hypervisor):
        warnings = []
        manager = PoolManager(hypervisor, module.params, module.check_mode, warnings)
        pool = manager.run()
        result = dict(changed=bool(manager.actions), actions=manager.actions)
        if module.params["state"] != "absent":
            result.update(manager.facts(pool) if pool is not None else {"pool": {}, "pool_status": {}, "volumes": []})
        if module._diff:
            result["diff"] = {"before": manager.before_xml if "update" in manager.actions or
                              "undefine" in manager.actions else "",
                              "after": manager.after_xml,
                              "before_header": "pool %s (before)" % module.params["name"],
                              "after_header": "pool %s (after: %s)" % (module.params["name"],
                                                                       ", ".join(manager.actions) or "no change")}
        for warning in warnings:
            module.warn(warning)
        return result

    run_module(module, body)


if __name__ == "__main__":
    main()
