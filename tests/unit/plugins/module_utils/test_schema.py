# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Everything scsi.virt writes validates against libvirt's own RelaxNG schemas."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from ansible_collections.scsi.virt.plugins.module_utils._devices.disk_lun import DiskLun, DiskScsi
from ansible_collections.scsi.virt.plugins.module_utils._devices.hostdev_scsi import HostdevScsi, HostdevVhost
from ansible_collections.scsi.virt.plugins.module_utils._devices.nodedev import ScsiHostDevice
from ansible_collections.scsi.virt.plugins.module_utils._devices.pool import StoragePool
from ansible_collections.scsi.virt.plugins.module_utils._fragment import DomainPlan
from ansible_collections.scsi.virt.plugins.module_utils._secret import IscsiSecret
from ansible_collections.scsi.virt.plugins.module_utils._xml import to_string

SCHEMAS = "/usr/share/libvirt/schemas"


@pytest.fixture(autouse=True)
def schemas_installed(lab_missing):
    if not (shutil.which("xmllint") and os.path.isdir(SCHEMAS)):
        lab_missing("needs xmllint and libvirt's schemas (scripts/bootstrap.sh installs them)")


DOMAIN = """<domain type='kvm'><name>db01</name><memory unit='KiB'>262144</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type></os>
<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>"""

ISCSI = {"protocol": "iscsi", "iscsi_name": "iqn.2026-11.io.scsi-virt:lab/1", "iscsi_host": "127.0.0.1",
         "iscsi_port": 3260}
AUTH = {"auth_username": "db01", "auth_secret_type": "iscsi", "auth_secret_usage": "db01-chap",
        "initiator_iqn": "iqn.2026-11.io.scsi-virt:host"}


def validate(xml, schema, tmp_path):
    path = tmp_path / "doc.xml"
    path.write_text(xml)
    run = subprocess.run(["xmllint", "--noout", "--relaxng", os.path.join(SCHEMAS, schema), str(path)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr + xml


def test_domain_with_every_fragment_kind(tmp_path):
    plan = DomainPlan(DOMAIN, controller_queues=4)
    disk = dict(driver_name="qemu", driver_type="raw", target_bus="scsi")
    plan.ensure_present(DiskLun(type="block", dev="/dev/disk/by-id/wwn-0x6001405abcdef012", rawio=True,
                                shareable=True, **disk))
    plan.ensure_present(DiskLun(type="volume", pool="vhba_pool", volume="unit:0:2:0", readonly=True, **disk))
    plan.ensure_present(DiskLun(type="network", **dict(ISCSI, **AUTH), **disk))
    plan.ensure_present(HostdevScsi(adapter="scsi_host3", source_bus=0, source_target=2, source_unit=0,
                                    rawio=True, sgio="filtered", readonly=True))
    second_lun = dict(ISCSI, **AUTH)
    second_lun["iscsi_name"] = "iqn.2026-11.io.scsi-virt:lab/2"
    plan.ensure_present(HostdevScsi(**second_lun))
    plan.ensure_present(HostdevVhost(protocol="vhost", wwpn="naa.5001405df3e54061", model="virtio"))
    plan.ensure_present(DiskLun(type="block", dev="/dev/sdq", address_controller=2, address_bus=0,
                                address_target=3, address_unit=7, **disk))
    assert len(plan.changes) == 10  # three controllers (0, the gap 1, and 2) and seven devices
    validate(plan.xml(), "domain.rng", tmp_path)


LUN_DRIVER = dict(driver_name="qemu", driver_type="raw", target_bus="scsi")
BLOCK = dict(type="block", dev="/dev/disk/by-id/wwn-0x6001405abcdef012")


@pytest.mark.parametrize("kind, values", [
    (DiskLun, dict(BLOCK, reservations_managed=True, shareable=True, error_policy="report", rerror_policy="report")),
    (DiskLun, dict(BLOCK, reservations_managed=False, reservations_source_type="unix",
                   reservations_path="/run/qemu-pr-helper.sock", reservations_mode="client", cache="none",
                   io="native", discard="unmap", error_policy="enospace", rerror_policy="ignore")),
    (DiskLun, dict(type="network", cache="directsync", io="io_uring", discard="ignore", error_policy="stop",
                   **dict(ISCSI, **AUTH))),
    (DiskLun, dict(type="volume", pool="vhba_pool", volume="unit:0:2:0", cache="writeback", io="threads")),
    (DiskScsi, dict(BLOCK, wwn="6001405abcdef012", serial="DB01 data.1+x", vendor="ACME", product="SCRATCH DISK 16c",
                    cache="unsafe", discard="unmap", error_policy="report")),
    (DiskScsi, dict(type="network", serial="S1", readonly=True, **ISCSI)),
    (DiskScsi, dict(type="volume", pool="vhba_pool", volume="unit:0:2:1", shareable=True, cache="writethrough")),
], ids=["lun-block-managed", "lun-block-unmanaged-driver", "lun-iscsi-driver", "lun-volume-driver",
        "disk-block-identity", "disk-iscsi", "disk-volume"])
def test_lun_options_and_emulated_disks(kind, values, tmp_path):
    """Every new option, in both modes and on every source kind it is allowed on, inside a domain."""
    plan = DomainPlan(DOMAIN)
    plan.ensure_present(kind(**dict(LUN_DRIVER, **values)))
    plan.ensure_present(DiskLun(type="block", dev="/dev/sdq", **LUN_DRIVER))  # next to a plain LUN
    validate(plan.xml(), "domain.rng", tmp_path)


def test_reservations_outside_a_block_source_are_not_valid(tmp_path):
    """Why the module refuses reservations for volume and iSCSI sources: the schema has no place for them
    (libvirt 9.0's parser would take them; measured in tests/lab)."""
    for values in (dict(type="volume", pool="p", volume="v"), dict(type="network", **ISCSI)):
        plan = DomainPlan(DOMAIN)
        plan.ensure_present(DiskLun(reservations_managed=True, **dict(LUN_DRIVER, **values)))
        path = tmp_path / "doc.xml"
        path.write_text(plan.xml())
        run = subprocess.run(["xmllint", "--noout", "--relaxng", os.path.join(SCHEMAS, "domain.rng"), str(path)],
                             capture_output=True, text=True, check=False)
        assert run.returncode != 0 and "reservations" in run.stderr, run.stderr


@pytest.mark.parametrize("values", [
    dict(type="scsi", name="npiv", adapter_type="fc_host", parent="scsi_host5", managed=True,
         wwnn="2001001b32a9da5e", wwpn="2101001b32a9da5e", target_path="/dev/disk/by-path"),
    dict(type="scsi", name="npiv2", adapter_type="fc_host", parent_wwnn="2000000012341234",
         parent_wwpn="1000000012341234", wwnn="2001001b32a9da5e", wwpn="2101001b32a9da5e",
         target_path="/dev/disk/by-path"),
    dict(type="scsi", name="npiv3", adapter_type="fc_host", parent_fabric_wwn="2001000dec9877c1",
         wwnn="2001001b32a9da5e", wwpn="2101001b32a9da5e", target_path="/dev/disk/by-path"),
    dict(type="scsi", name="sas0", adapter_type="scsi_host", unique_id=2, pci_domain=0, pci_bus=0, pci_slot=0x1f,
         pci_function=2, target_path="/dev/disk/by-path"),
    dict(type="scsi", name="sas1", adapter_type="scsi_host", adapter_name="host3", target_path="/dev/disk/by-path"),
    dict(type="iscsi", name="san", iscsi_host="127.0.0.1", iscsi_port=3260, iscsi_target="iqn.2026-11.io.x:lab",
         auth_type="chap", auth_username="u", auth_secret_usage="lab-chap", target_path="/dev/disk/by-path"),
    dict(type="iscsi-direct", name="direct", iscsi_host="127.0.0.1", iscsi_target="iqn.2026-11.io.x:lab",
         initiator_iqn="iqn.2026-11.io.x:host"),
], ids=lambda v: v["name"])
def test_pools(values, tmp_path):
    validate(to_string(StoragePool(**values).to_element()), "storagepool.rng", tmp_path)


def test_vhba_create_xml(tmp_path):
    """nodedev.rng describes existing devices and requires <host>; libvirt's parser makes it optional
    for create XML (its NPIV docs create vHBAs without it). So validate what we send plus the host
    number the created device then reports, and check we send nothing else. (Without WWNs, the
    empty fc_host capability that asks libvirt to generate them cannot match that schema at all.)"""
    element = ScsiHostDevice.vhba_xml("scsi_host5", "2001001b32a9da5e", "2101001b32a9da5e")
    assert ScsiHostDevice.from_element(element).host is None
    ScsiHostDevice(host=12).update_element(element)
    validate(to_string(element), "nodedev.rng", tmp_path)


def test_secret(tmp_path):
    validate(to_string(IscsiSecret(usage="db01-chap", private=True, ephemeral=False, description="x").to_element()),
             "secret.rng", tmp_path)
