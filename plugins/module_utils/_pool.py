# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Storage pools that expose SCSI LUNs: desired descriptor from options, plan, apply."""

from __future__ import annotations

import re

from ansible_collections.scsi.virt.plugins.module_utils._connection import libvirt_errors
from ansible_collections.scsi.virt.plugins.module_utils._devices.nodedev import (
    VHBA_GONE_TIMEOUT, find_scsi_host_by_wwn, scsi_hosts, wait_until_vhba_gone)
from ansible_collections.scsi.virt.plugins.module_utils._devices.pool import StoragePool
from ansible_collections.scsi.virt.plugins.module_utils._errors import ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._inuse import refuse_if_used, running_users
from ansible_collections.scsi.virt.plugins.module_utils._iscsi_source import ISCSI_SPEC, iscsi_values
from ansible_collections.scsi.virt.plugins.module_utils._types import (
    PciAddress, parse_int, parse_iqn, parse_object_name, parse_wwn)
from ansible_collections.scsi.virt.plugins.module_utils._xml import clone, parse_xml, to_string

DEFAULT_TARGET_PATH = "/dev/disk/by-path"
ADAPTER_FIELDS = ("adapter_type", "adapter_name", "parent", "parent_wwnn", "parent_wwpn", "parent_fabric_wwn",
                  "managed", "wwnn", "wwpn", "unique_id", "pci_domain", "pci_bus", "pci_slot", "pci_function")
# Ways of naming the same thing that libvirt refuses side by side: setting one clears the others.
ADAPTER_ALTERNATIVES = (
    (("adapter_name",), ("unique_id", "pci_domain", "pci_bus", "pci_slot", "pci_function")),
    (("parent",), ("parent_wwnn", "parent_wwpn"), ("parent_fabric_wwn",)),
)


def superseded_fields(desired):
    """Adapter fields to clear before writing ``desired``: the alternatives to the ones it sets."""
    out = []
    for alternatives in ADAPTER_ALTERNATIVES:
        for chosen in alternatives:
            if any(desired.values[name] is not None for name in chosen):
                out.extend(name for other in alternatives if other is not chosen for name in other)
    return out


ADAPTER_SPEC = {
    "type": {"type": "str", "required": True, "choices": ["fc_host", "scsi_host"]},
    "name": {"type": "str"},
    "parent": {"type": "str"},
    "parent_wwnn": {"type": "str"},
    "parent_wwpn": {"type": "str"},
    "parent_fabric_wwn": {"type": "str"},
    "managed": {"type": "bool"},
    "wwnn": {"type": "str"},
    "wwpn": {"type": "str"},
    "parent_address": {
        "type": "dict",
        "options": {
            "unique_id": {"type": "int", "required": True},
            "pci_address": {"type": "str", "required": True},
        },
    },
}

SOURCE_SPEC = {key: value for key, value in ISCSI_SPEC.items() if key != "lun"}


def pool_spec():
    return {
        "name": {"type": "str", "required": True},
        "state": {"type": "str", "default": "started", "choices": ["present", "started", "stopped", "absent"]},
        "type": {"type": "str", "default": "scsi", "choices": ["scsi", "iscsi", "iscsi-direct"]},
        "adapter": {"type": "dict", "options": ADAPTER_SPEC},
        "source": {"type": "dict", "options": SOURCE_SPEC},
        "target_path": {"type": "str"},
        "autostart": {"type": "bool"},
        "refresh": {"type": "bool", "default": False},
        "force": {"type": "bool", "default": False},
    }


_SCSI_HOST_NAME = re.compile(r"^(scsi_)?host\d+$")


def desired_pool(params, hypervisor, warnings, exists):
    """The pool the options describe, validated; None values mean don't care.

    An existing pool named without adapter/source/target_path is taken as it is (to start, stop,
    autostart or refresh it).
    """
    name = parse_object_name(params["name"], "name")
    described = any(params.get(key) for key in ("adapter", "source", "target_path"))
    if params["state"] == "absent" or (exists and not described):
        return StoragePool(name=name)
    pool_type = params["type"]
    values = {"type": pool_type, "name": name}
    adapter, source = params.get("adapter"), params.get("source")
    if pool_type == "scsi":
        if not adapter:
            raise ValidationError("adapter", "is required for a scsi pool (type fc_host with wwnn/wwpn, or "
                                  "scsi_host with name or parent_address)")
        if source:
            raise ValidationError("source", "is for iscsi/iscsi-direct pools; a scsi pool uses adapter")
        values.update(adapter_values(adapter, hypervisor, warnings))
    else:
        if adapter:
            raise ValidationError("adapter", "is for scsi pools; an %s pool uses source" % pool_type)
        if not source:
            raise ValidationError("source", "is required for an %s pool (host and target IQN)" % pool_type)
        values.update(source_values(source, pool_type))
    target = params.get("target_path")
    if pool_type == "iscsi-direct":
        if target:
            raise ValidationError("target_path", "does not apply to iscsi-direct pools (no host block devices)")
    else:
        target = target or DEFAULT_TARGET_PATH
        if not target.startswith("/dev/") or any(c in target for c in "<>&'\" "):
            raise ValidationError("target_path", "expected a directory under /dev, e.g. /dev/disk/by-path", target)
        values["target_path"] = target
    return StoragePool(**values)


def adapter_values(adapter, hypervisor, warnings):
    kind = adapter["type"]
    values = {"adapter_type": kind}
    given = {k for k, v in adapter.items() if v is not None and k != "type"}
    if kind == "fc_host":
        allowed = {"parent", "parent_wwnn", "parent_wwpn", "parent_fabric_wwn", "managed", "wwnn", "wwpn"}
        _refuse_extra("adapter", given - allowed, "fc_host")
        for key in ("wwnn", "wwpn"):
            if not adapter.get(key):
                raise ValidationError("adapter.%s" % key, "is required for an fc_host adapter (the vHBA's WWN "
                                      "pair the pool creates and finds again)")
            values[key] = parse_wwn(adapter[key], "adapter.%s" % key)
        parents = [k for k in ("parent", "parent_wwnn", "parent_fabric_wwn") if adapter.get(k)]
        if len(parents) > 1:
            raise ValidationError("adapter", "give at most one of parent, parent_wwnn(+parent_wwpn), "
                                  "parent_fabric_wwn", parents)
        if bool(adapter.get("parent_wwnn")) != bool(adapter.get("parent_wwpn")):
            raise ValidationError("adapter.parent_wwpn", "goes together with adapter.parent_wwnn")
        for key in ("parent_wwnn", "parent_wwpn", "parent_fabric_wwn"):
            values[key] = parse_wwn(adapter.get(key), "adapter.%s" % key)
        if adapter.get("parent"):
            hosts = scsi_hosts(hypervisor)
            parent = hosts.get(adapter["parent"])
            if parent is None or not parent.vport_capable:
                raise ValidationError("adapter.parent", "%s a vport-capable HBA on this hypervisor; "
                                      "vport-capable: %s" % ("is not" if parent else "names no SCSI host, let alone",
                                                             ", ".join(sorted(h.name for h in hosts.values()
                                                                              if h.vport_capable)) or "none"),
                                      adapter["parent"])
            values["parent"] = adapter["parent"]
        values["managed"] = adapter.get("managed")
        if values["managed"] is False and find_scsi_host_by_wwn(hypervisor, values["wwnn"], values["wwpn"]) is None:
            # Measured on libvirt 9: a pool that creates its vHBA at start rewrites its own definition to
            # managed='yes', so managed: false would be undone by every start (and never be idempotent).
            raise ValidationError("adapter.managed", "false needs the vHBA %s/%s to exist before the pool starts "
                                  "(create it first with scsi.virt.vhba); a pool that creates its vHBA is always "
                                  "managed by libvirt (it records managed='yes' and removes the vHBA at stop), so "
                                  "leave managed out or set it true" % (values["wwnn"], values["wwpn"]))
    else:
        _refuse_extra("adapter", given - {"name", "parent_address"}, "scsi_host")
        if bool(adapter.get("name")) == bool(adapter.get("parent_address")):
            raise ValidationError("adapter", "a scsi_host adapter needs exactly one of name (hostN) or "
                                  "parent_address (unique_id + pci_address, stable across reboots)")
        if adapter.get("name"):
            if not _SCSI_HOST_NAME.match(adapter["name"]):
                raise ValidationError("adapter.name", "expected hostN or scsi_hostN", adapter["name"])
            values["adapter_name"] = adapter["name"]
            warnings.append("adapter.name %s: SCSI host numbers can change at reboot; parent_address "
                            "(unique_id + PCI address) names the same HBA every time" % adapter["name"])
        else:
            address = adapter["parent_address"]
            pci = PciAddress.parse(address["pci_address"], "adapter.parent_address.pci_address")
            values.update(unique_id=parse_int(address["unique_id"], "adapter.parent_address.unique_id", 0, 2 ** 31),
                          pci_domain=pci.domain, pci_bus=pci.bus, pci_slot=pci.slot, pci_function=pci.function)
    return values


def _refuse_extra(field, extra, kind):
    if extra:
        raise ValidationError("%s.%s" % (field, sorted(extra)[0]), "does not apply to a %s adapter" % kind)


def source_values(source, pool_type):
    values = iscsi_values(dict(source, lun=0), "source")
    out = {"iscsi_host": values["iscsi_host"], "iscsi_port": values["iscsi_port"],
           "iscsi_target": parse_iqn(source["target"], "source.target"),
           "initiator_iqn": values.get("initiator_iqn")}
    if pool_type == "iscsi-direct" and not out["initiator_iqn"]:
        raise ValidationError("source.initiator", "is required for an iscsi-direct pool (libvirt logs in with it)")
    if values.get("auth_username"):
        out.update(auth_type="chap", auth_username=values["auth_username"],
                   auth_secret_usage=values.get("auth_secret_usage"), auth_secret_uuid=values.get("auth_secret_uuid"))
    return out


class PoolManager:
    def __init__(self, hypervisor, params, check_mode, warnings):
        self.hv = hypervisor
        self.params = params
        self.check_mode = check_mode
        self.warnings = warnings
        self.actions = []
        self.before_xml = ""
        self.after_xml = ""

    def run(self):
        pool = self.hv.pool(parse_object_name(self.params["name"], "name"), required=False)
        desired = desired_pool(self.params, self.hv, self.warnings, exists=pool is not None)
        state = self.params["state"]
        if state == "absent":
            return self.absent(pool)
        pool = self.define(pool, desired)
        active = bool(pool.isActive()) if pool is not None else False
        if state == "started" and not active:
            self.act("start", lambda: pool.create(0))
            active = True
        elif state == "stopped" and active:
            self.refuse_if_used(pool, "stop")
            self.stop(pool)
            active = False
        autostart = self.params.get("autostart")
        if autostart is not None and (pool is None or bool(pool.autostart()) != autostart):
            self.act("autostart on" if autostart else "autostart off", lambda: pool.setAutostart(int(autostart)))
        if self.params.get("refresh") and active and pool is not None and "start" not in self.actions:
            before = self.hv.volumes(pool)
            if not self.check_mode:
                with libvirt_errors("refreshing pool %r" % desired.name):
                    pool.refresh(0)
                if self.hv.volumes(pool) != before:
                    self.actions.append("refresh")
        return pool

    def stop(self, pool, pool_xml=None):
        """Stop the pool. One whose start created its vHBA (libvirt records managed='yes') removes it too: the
        task returns once libvirt no longer lists that vHBA. ``pool_xml``: the pool's XML, if already read."""
        current = StoragePool.from_element(parse_xml(pool_xml or self.hv.pool_xml(pool), "pool"))
        self.act("stop", pool.destroy)
        if self.check_mode or current.adapter_type != "fc_host" or current.managed is not True:
            return
        if not wait_until_vhba_gone(self.hv, current.wwnn, current.wwpn):
            self.warnings.append("pool %r stopped, but libvirt still lists its vHBA %s/%s after %d s"
                                 % (self.params["name"], current.wwnn, current.wwpn, VHBA_GONE_TIMEOUT))

    def act(self, action, call):
        self.actions.append(action)
        if not self.check_mode:
            with libvirt_errors("trying to %s pool %r" % (action, self.params["name"])):
                call()

    def define(self, pool, desired):
        if pool is None:
            element = desired.to_element()
            self.after_xml = to_string(element)
            self.actions.append("define")
            if self.check_mode:
                return None
            with libvirt_errors("defining pool %r" % desired.name):
                return self.hv.conn.storagePoolDefineXML(to_string(element, pretty=False), 0)
        current_xml = self.hv.pool_xml(pool)
        with libvirt_errors("reading pool %r" % desired.name):
            persistent = bool(pool.isPersistent())
        root = parse_xml(current_xml, "pool")
        current = StoragePool.from_element(root)
        changes = desired.differences(current)
        if not persistent:
            self.warnings.append("pool %r is transient; it is left as it is" % desired.name)
            return pool
        if not changes:
            return pool
        if "type" in changes:
            raise ValidationError("type", "pool %r is a %r pool; a pool's type cannot change (remove it first with "
                                  "state=absent)" % (desired.name, current.type))
        before = clone(root)
        current.clear_values(root, ADAPTER_FIELDS if "adapter_type" in changes else superseded_fields(desired))
        desired.update_element(root)
        self.before_xml, self.after_xml = to_string(before), to_string(root)
        self.actions.append("update")
        if pool.isActive():
            self.warnings.append("pool %r is running: its new source (%s) takes effect when it is next started"
                                 % (desired.name, ", ".join(sorted(changes))))
        if not self.check_mode:
            with libvirt_errors("redefining pool %r" % desired.name):
                return self.hv.conn.storagePoolDefineXML(to_string(root, pretty=False), 0)
        return pool

    def absent(self, pool):
        if pool is None:
            return None
        self.before_xml = self.hv.pool_xml(pool)
        with libvirt_errors("reading pool %r" % self.params["name"]):
            active, persistent = bool(pool.isActive()), bool(pool.isPersistent())
        if active:
            self.refuse_if_used(pool, "delete")
            self.stop(pool, self.before_xml)
        if persistent:
            self.act("undefine", pool.undefine)
        return None

    def refuse_if_used(self, pool, action):
        paths = [volume["path"] for volume in self.hv.volumes(pool)]
        users = running_users(self.hv, pool=pool.name(), paths=paths)
        refuse_if_used(users, "pool %r" % pool.name(), action, self.params.get("force"), self.warnings)

    def facts(self, pool):
        if pool is None:
            return {}
        described = StoragePool.from_element(parse_xml(self.hv.pool_xml(pool), "pool"))
        with libvirt_errors("reading pool %r" % self.params["name"]):
            active, autostart, persistent = bool(pool.isActive()), bool(pool.autostart()), bool(pool.isPersistent())
        # ``pool`` holds only scsi_pool's own options (feedable back to it); what is not an option goes beside it.
        return {"pool": dict(described.as_item(), state="started" if active else "stopped", autostart=autostart),
                "pool_status": {"active": active, "persistent": persistent},
                "volumes": self.hv.volumes(pool)}
