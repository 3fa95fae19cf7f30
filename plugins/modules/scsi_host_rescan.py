#!/usr/bin/python
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: scsi_host_rescan
short_description: Rescan the hypervisor's SCSI hosts and report the LUNs that appeared and went
version_added: 0.2.0
description:
  - Rescans SCSI hosts (all of them, or those named, or the fc_hosts with the given WWPNs), the step to take after a
    storage admin maps a new LUN, and reports the SCSI LUN node devices that appeared and went (libvirt's lists before
    and after).
  - libvirt has no rescan call. On a local hypervisor (C(qemu:///system)) the module writes C(- - -) to
    C(/sys/class/scsi_host/hostN/scan). Over a remote connection it uses libvirt's scsi storage backend, which
    rescans a host when a C(scsi) pool on it starts or refreshes - an active pool on that host is refreshed, otherwise
    a transient pool is started and destroyed at once.
  - A rescan adds LUNs; the kernel does not remove a LUN the target no longer reports (C(went) lists LUNs removed
    by other means meanwhile).
extends_documentation_fragment:
  - scsi.virt.connection
  - scsi.virt.attributes
options:
  name:
    description: Rescan only these hosts (C(scsi_hostN) or the number). With neither O(name) nor O(wwpn), all hosts.
    type: list
    elements: str
  wwpn:
    description: Rescan the fc_hosts (HBAs or vHBAs) with these WWPNs.
    type: list
    elements: str
  issue_lip:
    description:
      - On fc_hosts, issue a Loop Initialization Primitive (C(/sys/class/fc_host/hostN/issue_lip)) before the scan, so
        the fabric is logged into again. Local hypervisor only (libvirt has no LIP call).
    type: bool
    default: false
  settle:
    description: Seconds to wait at most for udev and libvirt to list new LUNs after the scan.
    type: float
    default: 5
attributes:
  check_mode:
    support: full
    details: Reports the hosts that would be rescanned; nothing is rescanned.
  diff_mode:
    support: none
seealso:
  - module: scsi.virt.scsi_lun_info
  - module: scsi.virt.scsi_host_info
author:
  - scsi.virt maintainers (@scsi-virt)
"""

EXAMPLES = r"""
- name: The storage admin mapped a new LUN to our vHBA (the one of vhba_pool); find it
  scsi.virt.scsi_host_rescan:
    wwpn: ["2101001b32a9da5e"]
  register: rescan

- name: What appeared
  ansible.builtin.debug:
    msg: "{{ rescan.appeared | map(attribute='address') | list }}"

- name: What a rescan of every SCSI host would do (check mode rescans nothing)
  scsi.virt.scsi_host_rescan:
  check_mode: true
"""

RETURN = r"""
hosts:
  description: The hosts rescanned (or, in check mode, that would be), each with C(name), C(fc_host), C(issue_lip) and
    C(method) (how it was rescanned; not in check mode).
  returned: always
  type: list
  elements: dict
appeared:
  description: LUN node devices that appeared, each with C(name) (C(scsi_H_B_T_L)) and C(address) (C(H:B:T:L)).
  returned: always
  type: list
  elements: dict
went:
  description: LUN node devices that went away meanwhile, each with C(name) and C(address).
  returned: always
  type: list
  elements: dict
luns:
  description: How many SCSI LUN node devices the hypervisor lists after the rescan.
  returned: always
  type: int
seconds:
  description: Time from the first rescan to the last change seen (0 in check mode).
  returned: always
  type: float
changed:
  description: Whether LUNs appeared or went.
  returned: always
  type: bool
"""


# First: the module_utils files imported below are then compiled once, not twice (see _compile_once.py).
from ansible_collections.scsi.virt.plugins.module_utils import _compile_once  # noqa: F401 pylint: disable=unused-import
from ansible_collections.scsi.virt.plugins.module_utils._errors import ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._module import ScsiVirtModule, connection_spec, run_module
from ansible_collections.scsi.virt.plugins.module_utils._rescan import rescan


def main():
    spec = connection_spec()
    spec.update(name={"type": "list", "elements": "str"}, wwpn={"type": "list", "elements": "str"},
                issue_lip={"type": "bool", "default": False}, settle={"type": "float", "default": 5})
    module = ScsiVirtModule(argument_spec=spec, supports_check_mode=True)

    def body(hypervisor):
        params = module.params
        if not 0 <= params["settle"] <= 600:
            raise ValidationError("settle", "seconds to wait, 0 to 600", params["settle"])
        return rescan(hypervisor, names=params["name"], wwpns=params["wwpn"], issue_lip=params["issue_lip"],
                      settle=params["settle"], check_mode=module.check_mode)

    run_module(module, body)


if __name__ == "__main__":
    main()
