# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every scsi.virt module does the same way: the connection option, and errors as fail_json."""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.scsi.virt.plugins.module_utils._connection import HAS_LIBVIRT, Hypervisor, mask_uri, uri_secrets
from ansible_collections.scsi.virt.plugins.module_utils._errors import ScsiVirtError, ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._xml import HAS_LXML


class ScsiVirtModule(AnsibleModule):
    """AnsibleModule whose results never show the password of a libvirt URI.

    Ansible replaces every no_log value wherever it appears in a result (``invocation.module_args``
    included), so the URI stays visible with only its password part masked. The values are added as soon
    as the arguments are loaded: a failure of Ansible's own argument check echoes them too.
    """

    def _load_params(self):
        super()._load_params()
        uri = self.params.get("uri")
        if isinstance(uri, str):
            self.no_log_values.update(uri_secrets(uri))


def connection_spec():
    return {"uri": {"type": "str", "default": "qemu:///system"},
            "connect_timeout": {"type": "int", "default": 15}}


def run_module(module, body):
    """Open the connection, run ``body(hypervisor) -> result dict``, exit or fail cleanly."""
    if not HAS_LIBVIRT:
        module.fail_json(msg=missing_required_lib("libvirt-python"))
    if not HAS_LXML:
        module.fail_json(msg=missing_required_lib("lxml"))
    hypervisor = None
    try:
        timeout = module.params["connect_timeout"]
        if timeout < 0:
            raise ValidationError("connect_timeout", "seconds to wait for libvirtd, 0 or more", timeout)
        hypervisor = Hypervisor(module.params["uri"], connect_timeout=timeout)
        result = body(hypervisor)
        if hypervisor.reconnects:
            module.warn("the connection to libvirt at %s broke during this task (libvirtd restarted?) and was "
                        "opened again %d time(s); the change was planned again from the state libvirt reported then"
                        % (mask_uri(hypervisor.uri), hypervisor.reconnects))
    except ScsiVirtError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    except Exception as exc:  # a bug of ours: still one clear line, with the trace for -vvv
        module.fail_json(msg="internal error in %s: %s: %s" % (module._name, type(exc).__name__, exc),
                         exception=traceback.format_exc())
    finally:
        if hypervisor is not None:
            hypervisor.close()
    module.exit_json(**result)
