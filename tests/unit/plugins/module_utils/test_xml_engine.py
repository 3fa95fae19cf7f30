# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The declarative XML engine: paths, presence, pruning, comparison rules, bad XML."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

import pytest

from ansible_collections.scsi.virt.plugins.module_utils._devices.disk_lun import DiskLun
from ansible_collections.scsi.virt.plugins.module_utils._devices.pool import StoragePool
from ansible_collections.scsi.virt.plugins.module_utils._errors import ScsiVirtError
from ansible_collections.scsi.virt.plugins.module_utils._fragment import DomainPlan
from ansible_collections.scsi.virt.plugins.module_utils._xml import (
    INT, PRESENCE, Prop, etree, parse_xml, strip_noise, to_string)

DOMAIN = """<domain type='kvm'><name>db01</name><devices>
  <controller type='scsi' index='0' model='virtio-scsi'><alias name='scsi0'/></controller>
  <disk type='block' device='lun' sgio='filtered'>
    <driver name='qemu' type='raw'/>
    <source dev='/dev/disk/by-id/wwn-0x6001405abcdef012'/>
    <target dev='sda' bus='scsi'/>
    <alias name='scsi0-0-0-0'/>
    <address type='drive' controller='0' bus='0' target='0' unit='0'/>
  </disk>
</devices></domain>"""


def test_prop_reads_and_creates_with_predicates():
    root = etree.Element("disk")
    unit = Prop("address[@type='drive']/@unit", INT)
    assert unit.read(root) is None
    unit.write(root, 5)
    assert to_string(root, pretty=False) == '<disk><address type="drive" unit="5"/></disk>'
    # An address of another type is not the drive address.
    other = parse_xml("<disk><address type='pci' unit='9'/></disk>")
    assert unit.read(other) is None


def test_presence_and_pruning():
    root = parse_xml("<disk><readonly/><source><auth username='u'><secret type='iscsi' usage='x'/></auth>"
                     "</source></disk>")
    readonly = Prop("readonly", PRESENCE)
    assert readonly.read(root) is True
    readonly.write(root, False)
    assert root.find("readonly") is None
    Prop("source/auth/secret/@usage").clear(root)
    Prop("source/auth/secret/@type").clear(root)
    Prop("source/auth/@username").clear(root)
    # auth emptied, then source emptied: both pruned.
    assert to_string(root, pretty=False) == "<disk/>"


def test_text_values_and_bad_numbers():
    root = parse_xml("<pool><name>p1</name><source><adapter type='scsi_host'>"
                     "<parentaddr unique_id='x'/></adapter></source></pool>")
    with pytest.raises(ScsiVirtError, match="unique_id='x' is not a valid int"):
        StoragePool.from_element(root)


def test_none_is_dont_care_and_defaults_fill_absent_values():
    current = DiskLun.from_xml("<disk type='block' device='lun'><source dev='/dev/sdb'/>"
                               "<target dev='sdc' bus='scsi'/></disk>")
    assert DiskLun(type="block", dev="/dev/sdb").differences(current) == {}
    # Explicit defaults equal absent attributes.
    assert DiskLun(type="block", dev="/dev/sdb", sgio="filtered", rawio=False, shareable=False).differences(
        current) == {}
    assert DiskLun(type="block", dev="/dev/sdb", shareable=True).differences(current) == {
        "shareable": (False, True)}


def test_a_default_that_needs_another_value_applies_only_with_it():
    block = DiskLun.from_xml("<disk type='block' device='lun'><source dev='/dev/sdb'/></disk>")
    assert "iscsi_port" not in block.as_dict()
    network = DiskLun.from_xml("<disk type='network' device='lun'><source protocol='iscsi' name='iqn.2026-11.x:y/1'>"
                               "<host name='192.0.2.10'/></source></disk>")
    assert network.as_dict()["iscsi_port"] == 3260
    assert DiskLun(type="network", protocol="iscsi", iscsi_name="iqn.2026-11.x:y/1", iscsi_host="192.0.2.10",
                   iscsi_port=3260).differences(network) == {}


def test_wwn_spellings_are_equal():
    current = StoragePool.from_xml("<pool type='scsi'><name>p</name><source><adapter type='fc_host' "
                                   "wwnn='0x5001A4A000000001' wwpn='50:01:a4:a0:00:00:00:02'/></source></pool>")
    assert StoragePool(wwnn="5001a4a000000001", wwpn="5001a4a000000002").differences(current) == {}


def test_round_trip_keeps_what_it_does_not_own():
    element = parse_xml(DOMAIN).find("devices/disk")
    disk = DiskLun.from_element(element)
    rebuilt = DiskLun(**{k: v for k, v in disk.values.items() if v is not None}).to_element()
    assert DiskLun.from_element(rebuilt).as_dict() == disk.as_dict()
    assert "alias" not in to_string(strip_noise(element)) and element.find("alias") is not None


def test_identity_is_the_source_not_the_target():
    a = DiskLun.from_xml("<disk type='block' device='lun'><source dev='/dev/sdb'/><target dev='sda' bus='scsi'/>"
                         "<address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>")
    b = DiskLun.from_xml("<disk type='block' device='lun'><source dev='/dev/sdb'/><target dev='sdz' bus='scsi'/>"
                         "<alias name='x'/></disk>")
    c = DiskLun.from_xml("<disk type='block' device='lun'><source dev='/dev/sdc'/><target dev='sda' bus='scsi'/>"
                         "</disk>")
    iscsi1 = DiskLun.from_xml("<disk type='network' device='lun'><source protocol='iscsi' name='IQN.2026-11.io.x:y/1'>"
                              "<host name='h'/></source></disk>")
    iscsi2 = DiskLun.from_xml("<disk type='network' device='lun'><source protocol='iscsi' name='iqn.2026-11.io.x:y/1'>"
                              "<host name='h' port='3260'/></source></disk>")
    assert a.identity() == b.identity() != c.identity()
    assert iscsi1.identity() == iscsi2.identity()


@pytest.mark.parametrize("text", ["", "<domain", "<domain><devices></domain>", "not xml", "<pool/>"])
def test_bad_xml_is_a_clear_error(text):
    with pytest.raises(ScsiVirtError, match="invalid XML"):
        DomainPlan(text)


def test_external_entities_are_not_expanded():
    plan = DomainPlan("<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain><name>&x;</name></domain>")
    assert "root:" not in plan.xml()


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=len(DOMAIN)), st.text(max_size=40))
def test_truncated_or_mangled_domains_never_raise_anything_else(cut, junk):
    for text in (DOMAIN[:cut], DOMAIN[:cut] + junk + DOMAIN[cut:]):
        try:
            plan = DomainPlan(text)
            plan.ensure_present(DiskLun(type="block", dev="/dev/sdq", target_bus="scsi"))
            plan.diff("x")
        except ScsiVirtError:
            pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_random_text_never_raises_anything_else(text):
    try:
        DomainPlan(text)
    except ScsiVirtError:
        pass


def test_new_elements_follow_the_declared_order():
    """An element added later goes before siblings the descriptor declares after it (alias counts last)."""
    element = parse_xml("<disk type='block' device='lun'><source dev='/dev/sdb'/><target dev='sda' bus='scsi'/>"
                        "<alias name='scsi0-0-0-0'/><address type='drive' controller='0' bus='0' target='0' "
                        "unit='0'/></disk>")
    DiskLun(shareable=True, driver_name="qemu").update_element(element)
    assert [child.tag for child in element] == ["driver", "source", "target", "shareable", "alias", "address"]
