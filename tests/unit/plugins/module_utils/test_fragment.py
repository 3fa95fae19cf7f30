# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The domain planner: placement on virtio-scsi, conflicts, updates, removals, diff."""

from __future__ import annotations

import pytest

from ansible_collections.scsi.virt.plugins.module_utils._devices.disk_lun import DiskLun
from ansible_collections.scsi.virt.plugins.module_utils._devices.hostdev_scsi import HostdevScsi
from ansible_collections.scsi.virt.plugins.module_utils._errors import ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._fragment import DomainPlan

BASE = """<domain type='kvm'><name>db01</name><devices>
  <disk type='file' device='cdrom'><target dev='hda' bus='ide'/>
    <address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>
  {extra}
</devices></domain>"""


def lun(n, **extra):
    return DiskLun(type="block", dev="/dev/disk/by-id/wwn-0x6001405%09x" % n, target_bus="scsi", **extra)


def plan_of(extra=""):
    return DomainPlan(BASE.format(extra=extra))


def test_300_luns_stay_on_one_virtio_scsi_controller_targets_first():
    plan = plan_of()
    for n in range(300):
        plan.ensure_present(lun(n))
    controllers = plan.root.findall("devices/controller")
    assert [(c.get("type"), c.get("model"), c.get("index")) for c in controllers] == [("scsi", "virtio-scsi", "0")]
    disks = [DiskLun.from_element(e) for e in plan.root.findall("devices/disk[@device='lun']")]
    addresses = [(d.address_controller, d.address_bus, d.address_target, d.address_unit) for d in disks]
    assert len(set(addresses)) == 300
    assert addresses[:3] == [(0, 0, 0, 0), (0, 0, 1, 0), (0, 0, 2, 0)]
    assert addresses[255] == (0, 0, 255, 0) and addresses[256] == (0, 0, 0, 1)
    names = [d.target_dev for d in disks]
    assert len(set(names)) == 300 and names[0] == "sda" and names[26] == "sdaa"
    assert len(plan.changes) == 301  # the controller, then 300 disks


def test_ide_drive_addresses_do_not_conflict_with_scsi():
    plan = plan_of()
    plan.ensure_present(lun(1, address_controller=0, address_bus=0, address_target=0, address_unit=0))
    assert [c.action for c in plan.changes] == ["add", "add"]


def test_address_taken_by_a_hostdev_is_refused():
    hostdev = ("<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host3'/>"
               "<address bus='0' target='2' unit='0'/></source>"
               "<address type='drive' controller='0' bus='0' target='4' unit='0'/></hostdev>"
               "<controller type='scsi' index='0' model='virtio-scsi'/>")
    plan = plan_of(hostdev)
    with pytest.raises(ValidationError) as exc:
        plan.ensure_present(lun(1, address_controller=0, address_bus=0, address_target=4, address_unit=0))
    assert exc.value.msg.startswith("address: drive address controller=0 bus=0 target=4 unit=0 is already used by "
                                    "SCSI hostdev scsi_host3 0:2:0")
    # Without an address the planner steps around it.
    plan.ensure_present(lun(2))
    assert plan.changes[-1].device.address_target == 0


def test_taken_target_dev_is_refused():
    plan = plan_of("<disk type='block' device='lun'><source dev='/dev/sdq'/><target dev='sdb' bus='scsi'/></disk>")
    with pytest.raises(ValidationError, match="^target_dev: sdb is already used by block LUN /dev/sdq"):
        plan.ensure_present(lun(1, target_dev="sdb"))


def test_lsilogic_controller_at_the_index_is_refused():
    plan = plan_of("<controller type='scsi' index='0' model='lsilogic'/>")
    with pytest.raises(ValidationError, match="^address.controller: SCSI controller 0 of domain 'db01' is model "
                                              "'lsilogic'"):
        plan.ensure_present(lun(1, address_controller=0, address_bus=0, address_target=0, address_unit=0))
    # Left to itself, the planner adds a virtio-scsi controller at the next index.
    plan = plan_of("<controller type='scsi' index='0' model='lsilogic'/>")
    plan.ensure_present(lun(1))
    assert plan.changes[0].device.index == 1 and plan.changes[1].device.address_controller == 1


def test_update_touches_only_the_changed_field_and_keeps_the_alias():
    existing = ("<controller type='scsi' index='0' model='virtio-scsi'/>"
                "<disk type='block' device='lun'><driver name='qemu' type='raw'/>"
                "<source dev='/dev/disk/by-id/wwn-0x6001405000000001'/><target dev='sdc' bus='scsi'/>"
                "<alias name='scsi0-0-0-0'/><address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>")
    plan = plan_of(existing)
    plan.ensure_present(lun(1, shareable=True))
    assert [(c.action, c.fields) for c in plan.changes] == [("update", {"shareable": (False, True)})]
    element = plan.changes[0].after
    assert element.find("shareable") is not None and element.find("alias").get("name") == "scsi0-0-0-0"
    assert element.find("target").get("dev") == "sdc"
    diff = plan.diff("db01")
    assert "<shareable/>" in diff["after"] and "<shareable/>" not in diff["before"]
    assert "alias" not in diff["after"]
    again = plan_of(existing)
    again.ensure_present(lun(1))
    assert not again.changed


def test_absent_and_remove_unlisted():
    existing = "".join("<disk type='block' device='lun'><source dev='/dev/disk/by-id/wwn-0x6001405%09x'/>"
                       "<target dev='sd%s' bus='scsi'/></disk>" % (n, "abc"[n]) for n in range(3))
    plan = plan_of(existing)
    plan.ensure_absent(lun(0))
    plan.ensure_absent(lun(7))
    assert [c.action for c in plan.changes] == ["remove"]
    plan.remove_unlisted(DiskLun, {lun(2).identity()})
    assert len(plan.root.findall("devices/disk[@device='lun']")) == 1
    assert plan.root.find("devices/disk[@device='cdrom']") is not None  # not ours: never touched


def test_preferred_addresses_carry_the_config_choice_to_the_live_plan():
    config = plan_of("<disk type='block' device='lun'><source dev='/dev/sdq'/><target dev='sda' bus='scsi'/>"
                     "<address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>")
    config.ensure_present(lun(1))
    live = plan_of()  # the running guest does not have /dev/sdq
    live.ensure_present(lun(1), config.assigned)
    assert live.changes[-1].device.address_target == 1 and live.changes[-1].device.target_dev == "sdb"


def test_hostdev_identity_includes_adapter_and_address():
    a = HostdevScsi(adapter="scsi_host3", source_bus=0, source_target=2, source_unit=0)
    b = HostdevScsi(adapter="scsi_host4", source_bus=0, source_target=2, source_unit=0)
    c = HostdevScsi(adapter="scsi_host3", source_bus=0, source_target=2, source_unit=1)
    assert len({a.identity(), b.identity(), c.identity()}) == 3
