# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An iSCSI source as options (``iscsi``: host, port, target, lun, auth, initiator) and as descriptor values.

Shared by LUN disks, SCSI hostdevs (``_lun_options``) and iSCSI pools (``_pool``), in a module of its own so
that scsi_pool does not ship the LUN option code.
"""

from __future__ import annotations

import re

from ansible_collections.scsi.virt.plugins.module_utils._errors import ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._types import (
    parse_int, parse_iqn, parse_object_name, parse_portal_host)

ISCSI_SPEC = {
    "host": {"type": "str", "required": True},
    "port": {"type": "int", "default": 3260},
    "target": {"type": "str", "required": True},
    "lun": {"type": "int", "default": 0},
    "auth": {
        "type": "dict",
        "options": {
            "username": {"type": "str", "required": True},
            # Names of a libvirt secret, not the secret itself: the password never passes through here.
            "secret_usage": {"type": "str", "no_log": False},
            "secret_uuid": {"type": "str", "no_log": False},
        },
        "mutually_exclusive": [["secret_usage", "secret_uuid"]],
        "required_one_of": [["secret_usage", "secret_uuid"]],
    },
    "initiator": {"type": "str"},
}

_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")


def iscsi_values(iscsi, field):
    """The iSCSI source (option path ``field``) as descriptor values: name ``IQN/LUN``, host, auth secret."""
    host = parse_portal_host(iscsi["host"], field + ".host")
    iqn = parse_iqn(iscsi["target"], field + ".target")
    lun = parse_int(iscsi.get("lun", 0), field + ".lun", 0, 16383)
    values = {
        "protocol": "iscsi",
        "iscsi_name": "%s/%d" % (iqn, lun),
        "iscsi_host": host,
        "iscsi_port": parse_int(iscsi.get("port", 3260), field + ".port", 1, 65535),
        "initiator_iqn": parse_iqn(iscsi.get("initiator"), field + ".initiator"),
    }
    auth = iscsi.get("auth")
    if auth:
        values["auth_username"] = parse_object_name(auth["username"], field + ".auth.username")
        values["auth_secret_type"] = "iscsi"
        if auth.get("secret_uuid"):
            if not _UUID.match(auth["secret_uuid"]):
                raise ValidationError(field + ".auth.secret_uuid", "expected a libvirt secret UUID",
                                      auth["secret_uuid"])
            values["auth_secret_uuid"] = auth["secret_uuid"].lower()
        else:
            values["auth_secret_usage"] = parse_object_name(auth["secret_usage"], field + ".auth.secret_usage")
    return values
