# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  uri:
    description:
      - libvirt connection URI of the hypervisor, for example V(qemu:///system), V(qemu+ssh://root@kvm01/system)
        or V(test:///default) (libvirt's test driver).
      - Passwords in the URI are masked in messages.
      - Use C(module_defaults) with the action group C(group/scsi.virt.all) to set it once for all modules.
    type: str
    default: qemu:///system
requirements:
  - libvirt-python (built against the hypervisor's libvirt)
  - lxml
"""
