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
      - A password in the URI (V(qemu+tcp://user:PASSWORD@host/system), C(?password=)) is masked in messages and
        in the task result (C(invocation.module_args)); the rest of the URI stays visible.
      - Use C(module_defaults) with the action group C(group/scsi.virt.all) to set it once for all the modules that talk
        to libvirt.
    type: str
    default: qemu:///system
  connect_timeout:
    description:
      - Seconds to wait for a libvirt daemon that does not answer yet (its socket is missing or refuses, as while
        libvirtd restarts), when opening the connection and when it breaks during the task.
      - After such a break a domain change is planned again from the live and persistent XML as libvirt reports
        them then, so nothing is done twice or left half done, and the task warns that it reconnected.
      - Host name and authentication failures are reported at once. V(0) tries once.
    type: int
    default: 15
attributes:
  action_group:
    description: Use C(group/scsi.virt.all) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - scsi.virt.all
requirements:
  - python >= 3.9 on the hypervisor (tested with 3.9 to 3.13)
  - libvirt-python (built against the hypervisor's libvirt)
  - lxml
"""
