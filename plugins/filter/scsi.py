# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for the LUN lists the scsi.virt modules return."""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError

from ansible_collections.scsi.virt.plugins.module_utils._cluster import cluster_drive_address as _drive_address
from ansible_collections.scsi.virt.plugins.module_utils._cluster import cluster_items as _items
from ansible_collections.scsi.virt.plugins.module_utils._errors import ScsiVirtError
from ansible_collections.scsi.virt.plugins.module_utils._guest import lun_problems

try:
    import jmespath
    HAS_JMESPATH = True
except ImportError:  # pragma: no cover
    HAS_JMESPATH = False


def _plain(value):
    """``value`` as built-in types. jmespath types values by their class name, so the tagged and lazy
    list/dict/str subclasses that ansible-core 2.19 hands to filters count as 'unknown' to it."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    for kind in (bool, str, int, float):
        if isinstance(value, kind):
            return kind(value)
    return value


def lun_query(data, expression):
    """Select from module results with a JMESPath expression (no community.general needed)."""
    if not HAS_JMESPATH:
        raise AnsibleFilterError("scsi.virt.lun_query needs the jmespath Python library on the controller")
    try:
        return jmespath.search(str(expression), _plain(data))
    except jmespath.exceptions.JMESPathError as exc:
        raise AnsibleFilterError("scsi.virt.lun_query: invalid expression %r: %s" % (expression, exc))


def guest_lun_problems(devices, expected=None, absent=None):
    """See guest_lun_problems.yml; the same check guest_scsi_info's expect/absent options make."""
    try:
        return lun_problems(devices, expected, absent)
    except ScsiVirtError as exc:
        raise AnsibleFilterError("scsi.virt.guest_lun_problems: %s" % exc.msg)


def lun_items(luns, kind):
    """The items of a lun_passthrough list of one kind ('disk' unless said), without the 'kind' key."""
    out = []
    for item in luns or []:
        if item.get("kind", "disk") not in ("disk", "hostdev"):
            raise AnsibleFilterError("scsi.virt.lun_items: kind must be disk or hostdev, got %r" % item.get("kind"))
        if item.get("kind", "disk") == kind:
            out.append({k: v for k, v in item.items() if k != "kind"})
    return out


def role_item_error(msg, option, var, items=None, kind=None):
    """A module's error message with each ``option[N]`` (an item of the module's list option) named as the role's
    own variable ``var[M]``: M is N, or with ``items`` and ``kind`` the position in ``items`` of the N-th item of
    that kind (lun_passthrough splits its list by kind, see lun_items)."""
    if items is not None and kind is not None:
        positions = [position for position, item in enumerate(items or [])
                     if isinstance(item, dict) and item.get("kind", "disk") == kind]
    else:
        positions = None

    def named(match):
        number = int(match.group(1))
        if positions is None:
            return "%s[%d]" % (var, number)
        if number < len(positions):
            return "%s[%d]" % (var, positions[number])
        return match.group(0)

    return re.sub(r"(?<![\w.])%s\[(\d+)\]" % re.escape(str(option)), named, str(msg))


def cluster_lun_items(guests, source, initiator_prefix, address=None, reservations=None):
    """See cluster_lun_items.yml (roles/guest_cluster_lun)."""
    try:
        return _items(_plain(guests), _plain(source), str(initiator_prefix), _plain(address), _plain(reservations))
    except ScsiVirtError as exc:
        raise AnsibleFilterError(exc.msg)


def cluster_drive_address(domains, planned):
    """See cluster_drive_address.yml (roles/guest_cluster_lun)."""
    try:
        return _drive_address(_plain(domains), _plain(planned))
    except ScsiVirtError as exc:
        raise AnsibleFilterError(exc.msg)


class FilterModule:
    def filters(self):
        return {"lun_query": lun_query, "guest_lun_problems": guest_lun_problems, "lun_items": lun_items,
                "cluster_lun_items": cluster_lun_items, "cluster_drive_address": cluster_drive_address,
                "role_item_error": role_item_error}
