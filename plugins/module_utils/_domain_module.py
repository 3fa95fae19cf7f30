# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared body of domain_disk_lun and scsi_hostdev: one item or a list, one XML rewrite."""

from __future__ import annotations

from ansible_collections.scsi.virt.plugins.module_utils._devices.controller import VIRTIO_SCSI, ScsiController
from ansible_collections.scsi.virt.plugins.module_utils._errors import ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._fragment import (
    DomainPlan, DomainWriter, changes_diff, merged_changes)
from ansible_collections.scsi.virt.plugins.module_utils._inuse import LUN_KINDS, lun_users, refuse_unshared_use
from ansible_collections.scsi.virt.plugins.module_utils._item_spec import validated_items
from ansible_collections.scsi.virt.plugins.module_utils._module import connection_spec
from ansible_collections.scsi.virt.plugins.module_utils._types import parse_int, parse_object_name


def domain_module_spec(item_spec, list_option):
    spec = connection_spec()
    spec.update(item_spec)
    spec.update({
        "domain": {"type": "str", "required": True, "aliases": ["name"]},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        list_option: {"type": "list", "elements": "dict"},
        "exclusive": {"type": "bool", "default": False},
        "config": {"type": "bool", "default": True},
        "live": {"type": "bool"},
        "force": {"type": "bool", "default": False},
        "controller_model": {"type": "str", "default": VIRTIO_SCSI, "choices": [VIRTIO_SCSI]},
        "controller_queues": {"type": "int"},
        "live_timeout": {"type": "int", "default": 60},
    })
    return spec


# More listed items than this: the result's device list holds only the items that were added or updated.
BIG_BATCH = 64


def batch_summary(wanted, merged):
    """({listed, added, updated, removed, unchanged}, identities of listed items added or updated) from the
    merged [(Change, scope)] of a run. ``removed`` counts every device removed, listed (state=absent) or not
    (exclusive); controllers are not counted."""
    actions = {}
    removed = 0
    for change, _scope in merged:
        if isinstance(change.device, ScsiController):
            continue
        if change.action == "remove":
            removed += 1
        actions.setdefault(change.device.identity(), set()).add(change.action)
    counts = {"listed": len(wanted), "added": 0, "updated": 0, "removed": removed, "unchanged": 0}
    changed = set()
    for device in wanted:
        done = actions.get(device.identity(), ())
        if not done:
            counts["unchanged"] += 1
        elif "add" in done or "update" in done:
            counts["added" if "add" in done else "updated"] += 1
            changed.add(device.identity())
    return counts, changed


class DomainDeviceModule:
    """Parameters -> descriptors -> plan (config and live) -> writes -> result."""

    def __init__(self, module, item_spec, list_option, to_descriptor, kinds, prepare=None):
        """``kinds``: the fragment kinds ``exclusive`` detaches; ``prepare(hypervisor)`` runs once first."""
        self.module = module
        self.prepare = prepare
        self.params = module.params
        self.item_spec = item_spec
        self.list_option = list_option
        self.to_descriptor = to_descriptor
        self.kinds = kinds
        self.warnings = []
        self.fields = {}  # identity -> the option that named the device ('' for the top-level options)

    def items(self):
        """[(option path for messages, validated item dict)] from the list option or the top level."""
        top_level = {k: self.params.get(k) for k in self.item_spec if self.params.get(k) is not None}
        listed = self.params.get(self.list_option)
        if listed is not None:
            if top_level:
                raise ValidationError(self.list_option, "give either %s or the single-item options (%s), not "
                                      "both" % (self.list_option, ", ".join(sorted(top_level))))
            return validated_items(listed, self.item_spec, self.list_option, "a dict of one item's options")
        if not top_level:
            if self.params["exclusive"]:
                return []
            raise ValidationError(self.list_option, "give one item's options (e.g. dev, iscsi, adapter) or a "
                                  "list in %s" % self.list_option)
        return [("", top_level)]

    def descriptors(self, hypervisor):
        out, seen = [], {}
        for field, item in self.items():
            device = self.to_descriptor(item, field, hypervisor, self.warnings, self.params["state"])
            identity = device.identity()
            if identity in seen:
                raise ValidationError(field or self.list_option, "names the same device as %s (%s)" % (
                    seen[identity] or "the top-level options", device.describe()))
            seen[identity] = field
            out.append(device)
        self.fields = seen
        return out

    def run(self, hypervisor):
        params = self.params
        name = parse_object_name(params["domain"], "domain")
        queues = params.get("controller_queues")
        if queues is not None:
            parse_int(queues, "controller_queues", 1, 1024)
        live_timeout = parse_int(params["live_timeout"], "live_timeout", 1, 3600)
        if params["exclusive"] and params["state"] == "absent":
            raise ValidationError("exclusive", "goes with state=present (it removes what is not listed)")
        if self.prepare is not None:
            self.prepare(hypervisor)
        dom = hypervisor.domain(name)
        wanted = self.descriptors(hypervisor)
        # Who else uses these LUNs: another domain's use refuses the attach unless both uses are shareable.
        # Read once, and only when this task adds or updates a LUN (other domains' XML costs a lookup each).
        users = {}

        def other_users():
            if "value" not in users:
                asked = {device.identity() for device in wanted if isinstance(device, LUN_KINDS)}
                users["value"] = lun_users(hypervisor, dom.UUIDString(), asked)
            return users["value"]

        def build(xml_text, preferred):
            plan = DomainPlan(xml_text, params["controller_model"], queues)
            for device in wanted:
                if params["state"] == "present":
                    plan.ensure_present(device, preferred)
                else:
                    plan.ensure_absent(device)
            touched = {change.device.identity() for change in plan.changes if change.action != "remove"}
            for device in wanted:
                identity = device.identity()
                if params["state"] == "present" and isinstance(device, LUN_KINDS) and identity in touched:
                    placed = plan.existing(type(device))[identity]
                    refuse_unshared_use(other_users(), placed, self.fields[identity])
            if params["exclusive"]:
                keep = {device.identity() for device in wanted}
                for kind in self.kinds:
                    plan.remove_unlisted(kind, keep)
            return plan

        writer = DomainWriter(hypervisor, dom, check_mode=self.module.check_mode, live_timeout=live_timeout)
        config_plan, live_plan = writer.run(build, config=params["config"], live=params["live"],
                                            force=params["force"])
        main = config_plan or live_plan
        merged = merged_changes(config_plan, live_plan)
        summary, changed_items = batch_summary(wanted, merged)
        shown = wanted if len(wanted) <= BIG_BATCH else [d for d in wanted if d.identity() in changed_items]
        result = {
            "summary": summary,
            "changed": any(p is not None and p.changed for p in (config_plan, live_plan)),
            "config_changed": bool(config_plan and config_plan.changed),
            "live_changed": bool(live_plan and live_plan.changed),
            "changes": [change.as_dict(scope) for change, scope in merged],
            self.list_option: self.current(main, shown),
        }
        for warning in self.warnings + writer.warnings:
            self.module.warn(warning)
        if self.module._diff:
            scopes = {scope for _change, scope in merged}
            where = "config and live" if {"config", "live"} <= scopes or ("both" in scopes and "live" in scopes) \
                else "live" if scopes == {"live"} or config_plan is None else "config"
            result["diff"] = changes_diff([change for change, _scope in merged], "domain %s %s" % (name, where))
        return result

    def current(self, plan, wanted):
        """The listed devices as they are (or will be) in the domain, as items of the module's list option
        (``as_item()``, feedable back): every copy of one (libvirt lets a LUN be attached twice), in every kind
        that shares its identity."""
        out = []
        for device in wanted:
            for kind in getattr(type(device), "identity_kinds", (type(device),)):
                out.extend(found.as_item() for found in plan.copies(kind, device.identity()))
        return out
