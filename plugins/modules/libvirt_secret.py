#!/usr/bin/python
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: libvirt_secret
short_description: Keep an iSCSI CHAP password in a libvirt secret
version_added: 0.1.0
description:
  - Defines a libvirt secret of usage type C(iscsi) and sets its value, so that LUN disks, SCSI hostdevs and
    iSCSI pools refer to the password by the secret's usage name (O(usage)) and never carry it in their XML.
  - The password is never returned, logged or shown in a diff. A O(private=true) secret (the default) cannot be
    read back through libvirt, so with O(update_password=always) it is rewritten on every run.
extends_documentation_fragment:
  - scsi.virt.connection
  - scsi.virt.attributes
  - scsi.virt.attributes.CHANGE
options:
  usage:
    description: Usage name of the secret (what C(auth.secret_usage) of the other modules names).
    type: str
    required: true
  password:
    description: The CHAP password. Required to create the secret.
    type: str
  state:
    description: Whether the secret should exist.
    type: str
    choices: [present, absent]
    default: present
  private:
    description:
      - libvirt will not reveal the value through its API.
      - Changing O(description), or making a readable secret private, keeps the stored value. Making a private
        secret readable (V(true) to V(false)) needs O(password), because libvirt can only do it by defining the secret
        again, and a private value cannot be read back to set it again, so without O(password) it is refused.
    type: bool
    default: true
  description:
    description: Free text stored with the secret.
    type: str
  update_password:
    description:
      - V(on_create) sets the value only when the secret is created; V(always) makes the value O(password)
        on every run (a readable secret is compared first, a private one is rewritten).
    type: str
    choices: [on_create, always]
    default: on_create
seealso:
  - module: scsi.virt.domain_disk_lun
  - module: scsi.virt.scsi_pool
  - name: libvirt secret XML
    link: https://libvirt.org/formatsecret.html
    description: Secrets and their usage types.
author:
  - scsi.virt maintainers (@scsi-virt)
"""

EXAMPLES = r"""
- name: CHAP password for the db01 LUNs (from a vault)
  scsi.virt.libvirt_secret:
    usage: db01-chap
    password: "{{ vault_db01_chap_password }}"

- name: Use it
  scsi.virt.domain_disk_lun:
    domain: db01
    iscsi:
      host: 192.0.2.10
      target: iqn.2026-11.com.example:storage
      lun: 1
      auth: {username: db01, secret_usage: db01-chap}
"""

RETURN = r"""
usage:
  description: Usage name of the secret.
  returned: always
  type: str
  sample: db01-chap
uuid:
  description: UUID of the secret (null in check mode before it exists, and after O(state=absent)).
  returned: always
  type: str
  sample: 9a1b5d2e-2f44-4d32-a6a4-3f1f3a1f7c11
"""


# First: the module_utils files imported below are then compiled once, not twice (see _compile_once.py).
from ansible_collections.scsi.virt.plugins.module_utils import _compile_once  # noqa: F401 pylint: disable=unused-import
from ansible_collections.scsi.virt.plugins.module_utils._module import ScsiVirtModule, connection_spec, run_module
from ansible_collections.scsi.virt.plugins.module_utils._secret import SecretManager


def main():
    spec = connection_spec()
    spec.update(
        usage={"type": "str", "required": True},
        password={"type": "str", "no_log": True},
        state={"type": "str", "default": "present", "choices": ["present", "absent"]},
        private={"type": "bool", "default": True},
        description={"type": "str"},
        update_password={"type": "str", "default": "on_create", "choices": ["on_create", "always"],
                         "no_log": False},
    )
    module = ScsiVirtModule(argument_spec=spec, supports_check_mode=True)

    def body(hypervisor):
        manager = SecretManager(hypervisor, module.params, module.check_mode)
        changed, facts = manager.run()
        result = {"changed": changed, "usage": module.params["usage"], "uuid": (facts or {}).get("uuid")}
        if module._diff:
            result["diff"] = {"before": manager.before, "after": manager.after,
                              "before_header": "secret (before; the value is never shown)",
                              "after_header": "secret (after)"}
        return result

    run_module(module, body)


if __name__ == "__main__":
    main()
