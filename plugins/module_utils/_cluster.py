# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One LUN on N guests the same way (roles/guest_cluster_lun): each guest's item, one common drive address."""

from __future__ import annotations

import re

from ansible_collections.scsi.virt.plugins.module_utils._errors import ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._item_spec import validated_items

SOURCE_KEYS = ("dev", "wwn", "pool", "volume", "iscsi")
GUEST_SPEC = {"domain": {"type": "str", "required": True}, "initiator": {"type": "str"}}
# virtio-scsi on bus 0: target 0-255, unit 0-16383 (shared/LAB.md); the search stays on controller 0.
MAX_TARGET, MAX_UNIT = 255, 16383


def _address(entry):
    """(controller, target, unit) of a LUN or hostdev item (its ``address`` option), or None."""
    address = entry.get("address") or {}
    if address.get("target") is None or address.get("unit") is None:
        return None
    return (address.get("controller") or 0, address["target"], address["unit"])


def cluster_items(guests, source, initiator_prefix, address=None, reservations=None, var="guest_cluster_lun"):
    """[{'domain', 'item'}]: the domain_disk_lun item for each guest, shareable, each iSCSI guest its own initiator.

    Errors name the role's variables (prefix ``var``).
    """
    if not isinstance(guests, list) or not guests:
        raise ValidationError(var + "_guests", "expected a non-empty list of guests (dicts with domain, optionally "
                              "initiator)", guests)
    if not isinstance(source, dict) or not [k for k in SOURCE_KEYS if source.get(k)]:
        raise ValidationError(var + "_source", "expected a dict with one LUN source: dev, wwn, pool + volume, or "
                              "iscsi (host, target, lun)", source)
    unknown = sorted(set(source) - set(SOURCE_KEYS))
    if unknown:
        raise ValidationError(var + "_source", "unknown key(s) %s; allowed: %s" % (
            ", ".join(unknown), ", ".join(SOURCE_KEYS)))
    iscsi = source.get("iscsi")
    if reservations is not None and iscsi:
        raise ValidationError(var + "_reservations", "applies to block and volume sources only (QEMU's own iSCSI "
                              "initiator sends the guest's PR commands to the target itself); leave it unset for iscsi")
    out, seen_domains, seen_initiators = [], set(), {}
    for field, guest in validated_items([{"domain": g} if isinstance(g, str) else g for g in guests], GUEST_SPEC,
                                        var + "_guests", "a domain name or a dict with domain (and optionally "
                                        "initiator)"):
        if not guest["domain"]:
            raise ValidationError(field + ".domain", "expected a domain name", guest["domain"])
        domain = guest["domain"]
        if domain in seen_domains:
            raise ValidationError(field + ".domain", "names guest %r twice" % domain)
        seen_domains.add(domain)
        item = {k: v for k, v in source.items() if v is not None}
        item["shareable"] = True
        if address:
            item["address"] = address
        if reservations is not None:
            item["reservations"] = reservations
        if iscsi:
            initiator = guest.get("initiator") or "%s:%s" % (
                initiator_prefix, re.sub(r"[^a-z0-9.-]", "-", domain.lower()))
            if initiator in seen_initiators:
                raise ValidationError(field + ".initiator", "is also guest %r's initiator; each guest needs its own "
                                      "(the target fences one initiator from another)" % seen_initiators[initiator])
            seen_initiators[initiator] = domain
            item["iscsi"] = dict(iscsi, initiator=initiator)
        out.append({"domain": domain, "item": item})
    return out


def cluster_drive_address(domains, planned, var="guest_cluster_lun"):
    """The drive address ({controller, target, unit}) to give the LUN on every guest.

    ``domains``: domain_scsi_info's entries (any order, more domains allowed); ``planned``: domain_disk_lun's
    check-mode result for each guest with no address given, each with the loop ``item`` ({domain, item}). Where every guest already has the LUN at one address,
    that one; else an address some guest already uses for it and that is free on all the others; else the first
    one free on all guests (controller 0, in target/unit order).
    """
    by_name = {info.get("name"): info for info in domains}
    used, existing = [], []
    for result in planned:
        name = (result.get("item") or {}).get("domain")
        if name not in by_name:
            raise ValidationError(var + "_guests", "no domain named %r" % name)
        info = by_name[name]
        mine = None
        if not any(c.get("action") == "add" for c in result.get("changes", [])) and result.get("luns"):
            mine = _address(result["luns"][0])
        existing.append(mine)
        taken = {_address(e) for e in list(info.get("luns") or []) + list(info.get("hostdevs") or [])}
        taken.discard(None)
        taken.discard(mine)
        used.append(taken)

    def free(address):
        return all(address not in taken for taken in used)

    candidates = [a for a in existing if a is not None]
    if candidates and len(candidates) == len(existing) and len(set(candidates)) == 1:
        return _as_dict(candidates[0])
    for address in candidates:
        if free(address):
            return _as_dict(address)
    for target in range(MAX_TARGET + 1):
        for unit in range(MAX_UNIT + 1):
            if free((0, target, unit)):
                return _as_dict((0, target, unit))
    raise ValidationError(var + "_address", "no drive address is free on controller 0 of every guest; pin one")


def _as_dict(address):
    return {"controller": address[0], "target": address[1], "unit": address[2]}
