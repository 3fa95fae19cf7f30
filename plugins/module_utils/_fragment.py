# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan and apply device fragments in a domain: find by identity -> plan -> apply unless check mode.

The planner edits an lxml tree of the domain XML in place and records one :class:`Change` per
fragment it adds, updates or removes, so the diff, ``changed`` and the writes all come from the
same plan. Writing is ``apply_domain_plan``: live (attach/update/detach) first, then the
persistent config with one ``defineXML``; a failed config write rolls the live changes back.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import threading
import time

from ansible_collections.scsi.virt.plugins.module_utils._devices.common import (
    drive_address, iscsi_attach_hint, set_drive_address)
from ansible_collections.scsi.virt.plugins.module_utils._devices.controller import VIRTIO_SCSI, ScsiController
from ansible_collections.scsi.virt.plugins.module_utils._devices.disk_lun import DiskLun
from ansible_collections.scsi.virt.plugins.module_utils._devices.hostdev_scsi import HostdevScsi
from ansible_collections.scsi.virt.plugins.module_utils._domain_xml import DomainDevices
from ansible_collections.scsi.virt.plugins.module_utils._errors import ScsiVirtError, ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._types import (
    DRIVE_LIMITS, target_dev_name)
from ansible_collections.scsi.virt.plugins.module_utils._xml import (
    clone, etree, strip_noise, to_string)

try:
    import libvirt
except ImportError:  # pragma: no cover
    libvirt = None


class LiveCallTimeout(ScsiVirtError):
    """A live attach/update/detach that libvirt did not finish within the writer's live_timeout."""


class Change:
    """One fragment added, updated or removed. ``before``/``after`` are element snapshots."""

    def __init__(self, action, device, before=None, after=None, fields=None):
        self.action = action
        self.device = device
        self.before = before
        self.after = after
        self.fields = fields or {}

    def as_dict(self, scope=None):
        out = {"action": self.action, "device": self.device.describe()}
        if scope:
            out["scope"] = scope
        if self.fields:
            out["fields"] = {k: {"before": v[0], "after": v[1]} for k, v in self.fields.items()}
        return out


def _is_scsi_disk(element):
    target = element.find("target")
    return target is not None and target.get("bus") == "scsi"


class DomainPlan(DomainDevices):
    """A domain's XML and the fragment changes planned on it."""

    def __init__(self, xml_text, controller_model=VIRTIO_SCSI, controller_queues=None):
        super().__init__(xml_text)
        self.controller_model = controller_model
        self.controller_queues = controller_queues
        self.changes = []
        self.assigned = {}  # identity -> (drive address, target dev) chosen for new devices
        self._addresses = None
        self._target_devs = None
        self._cursor = {}
        self._name_cursor = 0

    # -- what is there (existing, copies, all_of: DomainDevices) ------------------------------
    def _same_identity(self, kind, identity):
        """[(kind, device)] with this identity across the kinds that share identities with ``kind``."""
        return [(other, device) for other in getattr(kind, "identity_kinds", (kind,))
                for device in self.copies(other, identity)]

    def _drive_users(self):
        """{(controller, bus, target, unit): description} of SCSI disks and SCSI hostdevs."""
        if self._addresses is None:
            used = {}
            for element in self.devices:
                if element.tag == "disk" and _is_scsi_disk(element):
                    device = DiskLun.from_element(element)
                    if not DiskLun.matches(element):
                        address = drive_address(device)
                        if address is not None:
                            used[address] = _describe_disk(element)
                        continue
                elif element.tag == "hostdev" and HostdevScsi.matches(element):
                    device = HostdevScsi.from_element(element)
                else:
                    continue
                address = drive_address(device)
                if address is not None:
                    used[address] = _describe_any(device)
            self._addresses = used
        return self._addresses

    def _used_target_devs(self):
        if self._target_devs is None:
            self._target_devs = {}
            for element in self.devices.iter("disk"):
                target = element.find("target")
                if target is not None and target.get("dev"):
                    self._target_devs[target.get("dev")] = (
                        _describe_any(DiskLun.from_element(element)) if DiskLun.matches(element)
                        else _describe_disk(element))
        return self._target_devs

    def scsi_controllers(self):
        return {dev.index: dev for dev in self.existing(ScsiController).values() if dev.index is not None}

    # -- planning ---------------------------------------------------------------------------
    def ensure_present(self, desired, preferred=None):
        """Add ``desired`` or bring the existing fragment with its identity in line with it."""
        key = desired.identity()
        kind = type(desired)
        found = self._same_identity(kind, key)
        if len(found) > 1:
            raise ValidationError(
                "state", "domain %r has %s attached %d times (%s); state: absent detaches all of them, then "
                "attach it once" % (self.name, desired.describe(), len(found),
                                    ", ".join(_where(device) for _kind, device in found)))
        if found and found[0][0] is not kind:
            current = found[0][1]
            raise ValidationError(
                "device", "domain %r already has this LUN as %s (%s): one LUN is one disk; detach it first "
                "(state: absent) to attach it in the other mode" % (
                    self.name, current.describe(), _where(current)))
        current = found[0][1] if found else None
        if current is None:
            self._add(desired, preferred)
            return
        changes = desired.differences(current)
        if not changes:
            return
        if "target_bus" in changes:
            self._refuse_bus_move(current, changes["target_bus"])
        if any(name.startswith("address_") for name in changes):
            self._check_address_free(desired, drive_address(desired), exclude=current.element)
        before = clone(current.element)
        kept = getattr(desired, "kept_on_update", lambda _c: {})(current)
        writer = type(desired)(**dict({k: v for k, v in desired.values.items() if v is not None}, **kept)) \
            if kept else desired
        writer.update_element(current.element)
        for name in getattr(desired, "cleared_on_update", lambda _c: ())(current):
            desired.clear_values(current.element, [name])
        updated = kind.from_element(current.element)
        self.existing(kind)[key] = updated
        self._copies[kind][key] = [updated]
        self._addresses = self._target_devs = None
        self._record(Change("update", updated, before, current.element, changes))

    def _refuse_bus_move(self, current, buses):
        """Changing only target/@bus would keep a virtio-blk PCI address (libvirt refuses that at define)
        and the guest would see another kind of device: the user removes it and adds it again."""
        target = current.element.find("target")
        address = current.element.find("address")
        raise ScsiVirtError(
            "%s is in domain %r on bus=%r (target %s%s), not on a SCSI controller; it is not moved in place (a "
            "changed bus keeps the old address and the guest sees another device): remove it with state: absent, "
            "then add it again to put it on virtio-scsi" % (
                current.describe(), self.name, buses[0], target.get("dev") if target is not None else "?",
                ", %s address" % address.get("type") if address is not None else ""))

    def ensure_absent(self, desired):
        """Remove every fragment with the desired identity, in every mode that shares it."""
        for _kind, current in self._same_identity(type(desired), desired.identity()):
            self._remove(current)

    def remove_unlisted(self, kind, keep_identities):
        for current in self.all_of(kind):
            if current.identity() not in keep_identities:
                self._remove(current)

    def _remove(self, current):
        self.devices.remove(current.element)
        kind, key = type(current), current.identity()
        group = [d for d in self._copies[kind].get(key, ()) if d.element is not current.element]
        if group:
            self._copies[kind][key] = group
            self._index[kind][key] = group[0]
        else:
            self._copies[kind].pop(key, None)
            self._index[kind].pop(key, None)
        self._addresses = self._target_devs = None
        self._record(Change("remove", current, before=current.element))

    def _add(self, desired, preferred):
        device = type(desired)(**{k: v for k, v in desired.values.items() if v is not None})
        if "address_target" in device.props:
            self._place(device, preferred)
        if "target_dev" in device.props:
            self._name_target(device, preferred)
        element = device.to_element()
        self.devices.append(element)
        device.element = element
        identity = device.identity()
        self.existing(type(device))[identity] = device
        self._copies[type(device)][identity] = [device]
        self._record(Change("add", device, after=element))

    def _place(self, device, preferred):
        """Give the device a drive address on a virtio-scsi controller (its own, or the next free one)."""
        address = drive_address(device)
        if address is None:
            controller = device.address_controller
            if controller is None:
                controller = self._default_controller_index()
            wanted = preferred.get(device.identity(), (None, None))[0] if preferred else None
            if wanted is not None and wanted[0] == controller and wanted not in self._drive_users():
                address = wanted
            else:
                address = self._next_free_address(controller)
            set_drive_address(device, address)
        else:
            self._check_address_free(device, address)
        self._ensure_controller(address[0])
        self._drive_users()[address] = device.describe()
        self.assigned.setdefault(device.identity(), [None, None])[0] = address

    def _name_target(self, device, preferred):
        used = self._used_target_devs()
        name = device.target_dev
        if name is None:
            wanted = preferred.get(device.identity(), (None, None))[1] if preferred else None
            if wanted is not None and wanted not in used:
                name = wanted
            else:
                # A cursor keeps naming linear over a batch (names freed earlier in it are reused
                # by the next plan, not this one).
                index = self._name_cursor
                while target_dev_name(index) in used:
                    index += 1
                self._name_cursor = index + 1
                name = target_dev_name(index)
            device.values["target_dev"] = name
        elif name in used:
            raise ValidationError("target_dev", "%s is already used by %s in domain %r; choose a free sdX name "
                                  "or leave it out" % (name, used[name], self.name))
        used[name] = device.describe()
        self.assigned.setdefault(device.identity(), [None, None])[1] = name

    def _check_address_free(self, device, address, exclude=None):
        if address is None:
            return
        owner = self._drive_users().get(address)
        if owner is None:
            return
        if exclude is not None:
            mine = drive_address(type(device).from_element(exclude))
            if mine == address:
                return
        raise ValidationError(
            "address", "drive address controller=%d bus=%d target=%d unit=%d is already used by %s in domain %r; "
            "choose a free target/unit or leave the address out" % (address + (owner, self.name)))

    def _default_controller_index(self):
        controllers = self.scsi_controllers()
        for index in sorted(controllers):
            if controllers[index].model == self.controller_model:
                return index
        return 0 if not controllers else max(controllers) + 1

    def _next_free_address(self, controller):
        """Targets first (0:0:T:0 is what most guests scan), then further units; linear overall."""
        used = self._drive_users()
        position = self._cursor.get(controller, 0)
        targets = DRIVE_LIMITS["target"] + 1
        limit = targets * (DRIVE_LIMITS["unit"] + 1)
        while position < limit:
            unit, target = divmod(position, targets)
            position += 1
            if (controller, 0, target, unit) not in used:
                self._cursor[controller] = position
                return (controller, 0, target, unit)
        raise ScsiVirtError("controller %d of domain %r has no free drive address" % (controller, self.name))

    def _ensure_controller(self, index):
        controllers = self.scsi_controllers()
        existing = controllers.get(index)
        if existing is not None:
            if existing.model not in (None, self.controller_model):
                raise ValidationError(
                    "address.controller", "SCSI controller %d of domain %r is model %r, not %s: LUNs belong on "
                    "virtio-scsi; pick another controller index or change that controller" % (
                        index, self.name, existing.model, self.controller_model))
            return
        # libvirt fills every missing index below a used one with its default model (lsilogic on QEMU,
        # measured on libvirt 9.0): create the gap as virtio-scsi ourselves.
        for missing in range(index + 1):
            if missing not in controllers:
                self._add(ScsiController(index=missing, model=self.controller_model,
                                         queues=self.controller_queues), None)

    def _record(self, change):
        self.changes.append(change)

    # -- results ----------------------------------------------------------------------------
    @property
    def changed(self):
        return bool(self.changes)

    def xml(self):
        return etree.tostring(self.root, encoding="unicode")

    def diff(self, header):
        return changes_diff(self.changes, header)


def changes_diff(changes, header):
    before = "".join(to_string(strip_noise(c.before)) for c in changes if c.before is not None)
    after = "".join(to_string(strip_noise(c.after)) for c in changes if c.after is not None)
    return {"before": before, "after": after,
            "before_header": "%s (before)" % header, "after_header": "%s (after)" % header}


def merged_changes(config_plan, live_plan):
    """[(Change, scope)] of both plans: scope is config, live or both (the same action on one device)."""
    config = config_plan.changes if config_plan is not None else []
    live = live_plan.changes if live_plan is not None else []
    live_keys = {(c.action, c.device.describe()) for c in live}
    config_keys = {(c.action, c.device.describe()) for c in config}
    out = [(c, "both" if (c.action, c.device.describe()) in live_keys else "config") for c in config]
    out += [(c, "live") for c in live if (c.action, c.device.describe()) not in config_keys]
    return out


def _reported(fresh, earlier):
    """After a reconnect: the fresh plan, or the interrupted one if its writes had landed."""
    if fresh is not None and not fresh.changed and earlier is not None and earlier.xml_before != fresh.xml_before:
        return earlier
    return fresh


def _where(device):
    """'sdb at 0:0:1:0': where a fragment sits in the guest."""
    address = drive_address(device)
    target = device.values.get("target_dev")
    parts = [target] if target else []
    if address is not None:
        parts.append("at %d:%d:%d:%d" % address)
    return " ".join(parts) or "no address"


def _describe_disk(element):
    """A disk that is not a LUN (device='disk', 'cdrom'...), by its target and source."""
    target = element.find("target")
    source = element.find("source")
    where = ""
    if source is not None:
        if source.get("pool"):
            where = "pool %s volume %s" % (source.get("pool"), source.get("volume"))
        else:
            for attribute in ("file", "dev", "dir", "name"):
                if source.get(attribute):
                    where = "%s %s" % (attribute, source.get(attribute))
                    break
    return "%s %s (%s)" % (element.get("device") or "disk", target.get("dev") if target is not None else "?",
                           where or "no source")


def _describe_any(device):
    return device.describe() if hasattr(device, "describe") else type(device).__name__


# -- applying -------------------------------------------------------------------------------
@contextlib.contextmanager
def domain_lock(uuid):
    """Serialize writers to one domain on this host (parallel forks touching the same guest)."""
    directory = os.path.join("/run/lock" if os.access("/run/lock", os.W_OK) else tempfile.gettempdir(),
                             "scsi-virt")
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "%s.lock" % uuid), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class DomainWriter:
    """Apply a plan built by ``build(xml_text, preferred) -> DomainPlan`` to a domain."""

    def __init__(self, hypervisor, dom, check_mode=False, retries=5, detach_timeout=15.0, live_timeout=60.0):
        self.hv = hypervisor
        self.dom = dom
        self.name = dom.name()
        self.check_mode = check_mode
        self.retries = retries
        self.detach_timeout = detach_timeout
        self.live_timeout = live_timeout
        self._planned = (None, None)  # (config, live) plans of the attempt under way, once it writes
        self.warnings = []

    def run(self, build, config=True, live=None, force=False):
        """Returns (config_plan or None, live_plan or None). Raises before writing on bad input.

        If libvirtd goes away mid-way (restarted), the connection is re-opened and the plan made
        again from the XML as it is then: a live change that already happened is not repeated, the
        config is still written, and what the interrupted attempt changed is still reported.
        """
        uuid = self.dom.UUIDString()
        lock = contextlib.nullcontext() if self.check_mode else domain_lock(uuid)
        interrupted = (None, None)
        with lock:
            for _attempt in range(self.retries):
                self._planned = (None, None)
                try:
                    plans = self._attempt(build, config, live, force)
                except ScsiVirtError as exc:
                    # Bad input is never a broken connection, whatever isAlive says.
                    if isinstance(exc, ValidationError) or self.hv.alive():
                        raise
                    interrupted = tuple(new if new is not None and new.changed else old
                                        for new, old in zip(self._planned, interrupted))
                    self._reconnect(uuid, exc)
                    continue
                if plans is not None:
                    return tuple(_reported(fresh, earlier) for fresh, earlier in zip(plans, interrupted))
        raise ScsiVirtError("domain %r kept changing under us (%d attempts); nothing was written"
                            % (self.name, self.retries))

    def _reconnect(self, uuid, cause):
        try:
            self.hv.reconnect()
            self.dom = self.hv.domain_by_uuid(uuid)
        except ScsiVirtError as exc:
            raise ScsiVirtError(
                "the connection to libvirt broke while changing domain %r (%s) and could not be opened again: %s; "
                "run the task again once libvirtd is back: it reads the live and persistent XML afresh and completes "
                "the change" % (self.name, cause.msg, exc.msg))

    def _attempt(self, build, config, live, force):
        """One plan-and-write pass; None when another writer changed the config meanwhile."""
        active = self.hv.domain_active(self.dom)
        if live is True and not active:
            raise ValidationError("live", "domain %r is not running, so there is nothing to change live; "
                                  "use live: auto (default) or false" % self.name)
        do_live = active if live is None else live
        if config and not self.hv.domain_persistent(self.dom):
            # defineXML would make a transient domain persistent: change the running domain only.
            if live is False:
                raise ValidationError("live", "domain %r is transient (it has no persistent config), so live: false "
                                      "has nothing to change; leave live out (auto) to change the running domain "
                                      "only" % self.name)
            config = False
            note = ("domain %r is transient (no persistent config): it was changed live only and was not made "
                    "persistent" % self.name)
            if note not in self.warnings:
                self.warnings.append(note)
        if not config and not do_live:
            raise ValidationError("config", "nothing to do: config is false and the domain is not changed live")
        config_xml = self.hv.domain_xml(self.dom) if config else None
        config_plan = build(config_xml, None) if config else None
        live_plan = None
        if do_live:
            preferred = config_plan.assigned if config_plan else None
            live_plan = build(self.hv.domain_xml(self.dom, live=True), preferred)
            self._refuse_unforced_live_removal(live_plan, force)
            self._refuse_immutable_live_updates(live_plan)
        if self.check_mode:
            return config_plan, live_plan
        self._planned = (config_plan, live_plan)
        done = self._apply_live(live_plan) if live_plan and live_plan.changed else []
        if config_plan is None or not config_plan.changed:
            return config_plan, live_plan
        # Compare-and-retry: another writer (virsh, virt-manager) may have changed the config.
        if self.hv.domain_xml(self.dom) != config_xml:
            self._rollback_live(done)
            return None
        try:
            self.hv.define_domain(config_plan.xml(), self.name)
        except ScsiVirtError as exc:
            raise ScsiVirtError("%s; %s" % (exc.msg, self._rollback_report(done)) if done else exc.msg)
        return config_plan, live_plan

    def _refuse_unforced_live_removal(self, plan, force):
        removed = [c for c in plan.changes if c.action == "remove"]
        if removed and not force:
            raise ScsiVirtError(
                "domain %r is running and uses %s: detaching it live can break I/O in the guest; set force: true "
                "to detach anyway, or live: false to change only the persistent config"
                % (self.name, ", ".join(c.device.describe() for c in removed)))

    def _refuse_immutable_live_updates(self, plan):
        """Fields libvirt cannot change on a running guest ('cannot modify field ... of the disk'): refused
        before anything is written, in check mode too, instead of failing half-way and rolling back."""
        for change in plan.changes:
            fixed = [name for name in change.fields if name in getattr(change.device, "live_immutable", ())]
            if change.action == "update" and fixed:
                raise ValidationError(fixed[0], "%s cannot be changed on the running domain %r (libvirt refuses "
                                      "to modify %s of an attached disk); set live: false to change the persistent "
                                      "config, effective at the next guest start, or detach and attach the device "
                                      "again" % (", ".join(fixed), self.name, "it" if len(fixed) == 1 else "them"))

    def _apply_live(self, plan):
        flags = libvirt.VIR_DOMAIN_AFFECT_LIVE
        calls = {"add": self.dom.attachDeviceFlags, "update": self.dom.updateDeviceFlags,
                 "remove": self.dom.detachDeviceFlags}
        done = []
        try:
            # Controllers first (they are recorded before the devices that need them), removals last.
            for change in plan.changes:
                xml = to_string(change.after if change.after is not None else change.before, pretty=False)
                what = "%s %s live on domain %r" % (change.action, change.device.describe(), self.name)
                try:
                    self._bounded(calls[change.action], xml, flags, what=what)
                    if change.action == "remove":
                        self._wait_detached(change)
                except libvirt.libvirtError as exc:
                    hint = iscsi_attach_hint(change.device) if change.action != "remove" else ""
                    raise ScsiVirtError("libvirt error while trying to %s: %s%s" % (
                        what, (exc.get_error_message() or "").strip(), hint))
                done.append(change)
        except LiveCallTimeout as exc:
            # QEMU still holds the domain's job: a rollback would only queue behind it.
            raise ScsiVirtError("%s; nothing was written to the persistent config%s" % (exc.msg, (
                "; the earlier live changes of this task (%s) stay" % ", ".join(
                    c.device.describe() for c in done)) if done else ""))
        except ScsiVirtError as exc:
            raise ScsiVirtError("%s; nothing was written to the persistent config%s" % (
                exc.msg, "; earlier in this task, %s" % self._rollback_report(done) if done else ""))
        return done

    def _bounded(self, call, *args, what):
        """Run a live libvirt call, waiting at most live_timeout: QEMU opens an iSCSI source inside the
        hotplug itself, so a target that accepts connections but never answers the login holds the call
        (and the domain's job) for as long as it stays silent. The call goes on in the background."""
        outcome = {}

        def work():
            try:
                outcome["value"] = call(*args)
            except Exception as exc:  # pylint: disable=broad-except  # re-raised in the caller's thread
                outcome["error"] = exc
        worker = threading.Thread(target=work, name="scsi-virt-live-call", daemon=True)
        worker.start()
        worker.join(self.live_timeout)
        if worker.is_alive():
            raise LiveCallTimeout(
                "libvirt did not finish trying to %s within %g s (live_timeout): QEMU is still waiting, most "
                "likely for an iSCSI target that accepts connections but does not answer; the device may still "
                "appear in the running guest when it does, and running the task again then completes the change"
                % (what, self.live_timeout))
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")

    def _wait_detached(self, change):
        """Detach is asynchronous (the guest acknowledges): wait until the device left the live XML
        (that fragment: a LUN attached twice keeps its other copy)."""
        identity = change.device.identity()
        kind = type(change.device)
        where = _where(change.device)
        deadline = time.monotonic() + self.detach_timeout
        while time.monotonic() < deadline:
            plan = DomainPlan(self.hv.domain_xml(self.dom, live=True))
            if all(_where(device) != where for device in plan.copies(kind, identity)):
                return
            time.sleep(0.2)
        raise ScsiVirtError("the guest did not release %s within %.0f s"
                            % (change.device.describe(), self.detach_timeout))

    def _rollback_live(self, done):
        """Undo ``done`` live, newest first; returns (undone, [(change, why it could not be undone)])."""
        flags = libvirt.VIR_DOMAIN_AFFECT_LIVE
        undone, failed = [], []
        for change in reversed(done):
            try:
                if change.action == "add":
                    self.dom.detachDeviceFlags(to_string(change.after, pretty=False), flags)
                    self._wait_detached(change)
                elif change.action == "remove":
                    self.dom.attachDeviceFlags(to_string(change.before, pretty=False), flags)
                else:
                    self.dom.updateDeviceFlags(to_string(change.before, pretty=False), flags)
            except libvirt.libvirtError as exc:
                failed.append((change, (exc.get_error_message() or str(exc)).strip()))
            except ScsiVirtError as exc:
                failed.append((change, exc.msg))
            else:
                undone.append(change)
        return undone, failed

    def _rollback_report(self, done):
        """Roll ``done`` back and say what was and was not undone."""
        undone, failed = self._rollback_live(done)
        if not failed:
            return "the live changes were rolled back (%s)" % _listed(undone)
        text = "the live changes were NOT all rolled back: %s could not be undone in the running guest" % "; ".join(
            "%s %s (%s)" % (change.action, change.device.describe(), why) for change, why in failed)
        if undone:
            text += "; rolled back: %s" % _listed(undone)
        return text + "; check the running guest (domain_scsi_info) and run the task again"


def _listed(changes):
    return ", ".join("%s %s" % (change.action, change.device.describe()) for change in changes)
