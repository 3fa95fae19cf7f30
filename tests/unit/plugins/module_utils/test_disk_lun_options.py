# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The LUN disk's reservations and <driver> options, and the emulated (device='disk') mode, in the engine."""

from __future__ import annotations

from ansible_collections.scsi.virt.plugins.module_utils._devices.disk_lun import DiskLun, DiskScsi
from ansible_collections.scsi.virt.plugins.module_utils._fragment import DomainPlan
from ansible_collections.scsi.virt.plugins.module_utils._xml import parse_xml, to_string

DEV = "/dev/disk/by-id/wwn-0x6001405abcdef012"
BASE = dict(type="block", dev=DEV, target_bus="scsi", driver_name="qemu", driver_type="raw")
UNMANAGED = dict(reservations_managed=False, reservations_source_type="unix", reservations_path="/run/pr.sock",
                 reservations_mode="client")


def one(plan, kind=DiskLun):
    [disk] = plan.all_of(kind)
    return disk


def test_options_are_written_where_libvirt_reads_them():
    disk = DiskLun(error_policy="report", rerror_policy="stop", cache="none", io="native", discard="unmap",
                   **dict(BASE, **UNMANAGED))
    text = to_string(disk.to_element(), pretty=False)
    assert ("<driver name=\"qemu\" type=\"raw\" cache=\"none\" error_policy=\"report\" rerror_policy=\"stop\" "
            "io=\"native\" discard=\"unmap\"/>") in text
    assert ("<source dev=\"%s\"><reservations managed=\"no\"><source type=\"unix\" path=\"/run/pr.sock\" "
            "mode=\"client\"/></reservations></source>" % DEV) in text
    back = DiskLun.from_xml(text)
    assert back.as_dict() == disk.as_dict() and back.differences(disk) == {} and disk.differences(back) == {}


def test_each_option_changes_in_place_and_compares_idempotently():
    plan = DomainPlan("<domain><name>db01</name><devices/></domain>")
    plan.ensure_present(DiskLun(**BASE))
    for name, value in (("cache", "writethrough"), ("error_policy", "enospace"), ("rerror_policy", "ignore"),
                        ("io", "threads"), ("discard", "ignore"), ("reservations_managed", True)):
        before = len(plan.changes)
        plan.ensure_present(DiskLun(**dict(BASE, **{name: value})))
        assert [c.action for c in plan.changes[before:]] == ["update"], name
        assert plan.changes[-1].fields == {name: (None, value)}
        plan.ensure_present(DiskLun(**dict(BASE, **{name: value})))
        assert len(plan.changes) == before + 1, name
    # Left out means don't care: nothing changes, nothing is removed.
    plan.ensure_present(DiskLun(**BASE))
    assert len(plan.changes) == 8 and one(plan).cache == "writethrough"  # controller + disk + 6 updates


def test_unmanaged_to_managed_drops_the_helper_socket_and_back():
    plan = DomainPlan("<domain><name>db01</name><devices/></domain>")
    plan.ensure_present(DiskLun(**dict(BASE, **UNMANAGED)))
    plan.ensure_present(DiskLun(reservations_managed=True, **BASE))
    change = plan.changes[-1]
    assert change.fields["reservations_managed"] == (False, True)
    assert change.fields["reservations_path"] == ("/run/pr.sock", None)
    disk = one(plan)
    assert disk.reservations_managed is True and disk.reservations_path is None
    assert "<reservations managed=\"yes\"/>" in to_string(disk.element, pretty=False)
    plan.ensure_present(DiskLun(reservations_managed=True, **BASE))
    assert len(plan.changes) == 3  # controller + disk + the update
    plan.ensure_present(DiskLun(**dict(BASE, **UNMANAGED)))
    assert one(plan).reservations_path == "/run/pr.sock" and len(plan.changes) == 4


def test_emulated_disks_are_their_own_kind_on_the_scsi_bus_only():
    lun = parse_xml("<disk type='block' device='lun'><source dev='%s'/><target dev='sda' bus='scsi'/></disk>" % DEV)
    hd = parse_xml("<disk type='block' device='disk'><source dev='%s'/><target dev='sda' bus='scsi'/></disk>" % DEV)
    vd = parse_xml("<disk type='block' device='disk'><source dev='%s'/><target dev='vda' bus='virtio'/></disk>" % DEV)
    assert DiskLun.matches(lun) and not DiskLun.matches(hd) and not DiskLun.matches(vd)
    assert DiskScsi.matches(hd) and not DiskScsi.matches(lun) and not DiskScsi.matches(vd)
    # No sgio default on an emulated disk: libvirt refuses sgio there.
    new = DiskScsi(serial="DB01-DATA", wwn="6001405abcdef012", vendor="ACME", product="SCRATCH", **BASE)
    text = to_string(new.to_element(), pretty=False)
    assert "sgio" not in text and "device=\"disk\"" in text and "<wwn>6001405abcdef012</wwn>" in text
    assert "<serial>DB01-DATA</serial>" in text and "<vendor>ACME</vendor><product>SCRATCH</product>" in text
    assert DiskScsi.from_xml(text).identity() == DiskLun(**BASE).identity() == ("wwid", "naa.6001405abcdef012")
