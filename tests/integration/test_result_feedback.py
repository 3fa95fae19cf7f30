# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A device in a result is an input item: ``luns: "{{ result.luns }}"`` (and ``hostdevs:``) fed back to the
module changes nothing, on libvirt's test driver.

Each case attaches one device, then feeds back the module's own result items and domain_scsi_info's items
(check mode and a real run): changed=false and the domain XML unchanged. Each item holds only the module's
input keys (validated against the module's item spec, unknown keys refused) and no unset values.
"""

from __future__ import annotations

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.scsi.virt.plugins.module_utils._lun_options import disk_lun_spec, hostdev_spec
from ansible_collections.scsi.virt.plugins.module_utils._pool import pool_spec
from test_domain_devices import xml  # pylint: disable=import-error

IQN = "iqn.2026-11.io.scsi-virt:lab"
WWN = "6001405abcdef012"
SECRET_UUID = "6c6e6f0b-1d0e-4c47-9a6e-2f0a4b1c2d3e"
SPECS = {"luns": disk_lun_spec(), "hostdevs": hostdev_spec()}
MODULES = {"luns": "domain_disk_lun", "hostdevs": "scsi_hostdev"}


def no_unset_values(value):
    if isinstance(value, dict):
        return all(v is not None and no_unset_values(v) for v in value.values())
    return True


def assert_input_shape(option, items):
    validator = ArgumentSpecValidator(SPECS[option])
    for item in items:
        result = validator.validate(item)
        assert not result.error_messages, (item, result.error_messages)
        assert no_unset_values(item), item


def feed_back(conn, run_module, uri, option, items, domain="guest-off"):
    """Feed ``items`` back as ``option``: changed=false in check mode and for real, the XML unchanged."""
    assert items
    assert_input_shape(option, items)
    before = xml(conn, domain)
    args = {"uri": uri, "domain": domain, option: items}
    check = run_module(MODULES[option], args, check_mode=True, diff=True)
    assert not check.failed and not check.changed, (items, check)
    run = run_module(MODULES[option], args)
    assert not run.failed and not run.changed, (items, run)
    assert run[option] == items, run[option]
    assert xml(conn, domain) == before


def round_trip(test_node, run_module, option, given, expected_item=None):
    uri, conn = test_node
    attached = run_module(MODULES[option], dict({"uri": uri, "domain": "guest-off"}, **given))
    assert attached.changed and not attached.failed, attached
    items = attached[option]
    assert len(items) == 1, items
    if expected_item is not None:
        assert items[0] == expected_item
    feed_back(conn, run_module, uri, option, items)
    info = run_module("domain_scsi_info", {"uri": uri, "domain": "guest-off"})["domains"][0]
    if items[0].get("device") == "disk":
        assert info[option] == [], info  # domain_scsi_info lists device='lun' disks only
        return items[0]
    assert info[option] == items, info
    feed_back(conn, run_module, uri, option, info[option])
    return items[0]


ADDRESS0 = {"controller": 0, "bus": 0, "target": 0, "unit": 0}
LUN_DEFAULTS = {"device": "lun", "target_dev": "sda", "sgio": "filtered", "rawio": False, "readonly": False,
                "shareable": False}


@pytest.mark.parametrize("given, expected", [
    ({"dev": "/dev/sdb"}, dict(LUN_DEFAULTS, dev="/dev/sdb", address=ADDRESS0)),
    ({"wwn": WWN}, dict(LUN_DEFAULTS, dev="/dev/disk/by-id/wwn-0x" + WWN, address=ADDRESS0)),
    ({"pool": "fcpool", "volume": "unit:0:0:2"},
     dict(LUN_DEFAULTS, pool="fcpool", volume="unit:0:0:2", address=ADDRESS0)),
    ({"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 1, "initiator": IQN + "-guest",
                "auth": {"username": "lab", "secret_usage": "lab-chap"}}},
     dict(LUN_DEFAULTS, iscsi={"host": "127.0.0.1", "port": 3260, "target": IQN, "lun": 1,
                               "auth": {"username": "lab", "secret_usage": "lab-chap"},
                               "initiator": IQN + "-guest"}, address=ADDRESS0)),
    ({"iscsi": {"host": "[fd00::1]", "port": 3261, "target": IQN, "lun": 7,
                "auth": {"username": "lab", "secret_uuid": SECRET_UUID.upper()}}},
     dict(LUN_DEFAULTS, iscsi={"host": "fd00::1", "port": 3261, "target": IQN, "lun": 7,
                               "auth": {"username": "lab", "secret_uuid": SECRET_UUID}}, address=ADDRESS0)),
    ({"dev": "/dev/sdb", "address": {"controller": 1, "target": 4, "unit": 2}, "shareable": True,
      "readonly": True, "target_dev": "sdf"},
     dict(LUN_DEFAULTS, dev="/dev/sdb", target_dev="sdf", shareable=True, readonly=True,
          address={"controller": 1, "bus": 0, "target": 4, "unit": 2})),
    ({"wwn": WWN, "reservations": {"managed": True}},
     dict(LUN_DEFAULTS, dev="/dev/disk/by-id/wwn-0x" + WWN, reservations={"managed": True}, address=ADDRESS0)),
    ({"dev": "/dev/sdb", "reservations": {"managed": False, "source_path": "/run/qemu-pr-helper.sock"},
      "error_policy": "report", "rerror_policy": "stop", "cache": "none", "io": "native", "discard": "unmap"},
     dict(LUN_DEFAULTS, dev="/dev/sdb", error_policy="report", rerror_policy="stop", cache="none", io="native",
          discard="unmap", reservations={"managed": False, "source_path": "/run/qemu-pr-helper.sock"},
          address=ADDRESS0)),
    ({"device": "disk", "wwn": WWN, "serial": "DB01-DATA", "vendor": "ACME", "product": "SCRATCH"},
     {"device": "disk", "dev": "/dev/disk/by-id/wwn-0x" + WWN, "target_dev": "sda", "serial": "DB01-DATA",
      "vendor": "ACME", "product": "SCRATCH", "readonly": False, "shareable": False, "address": ADDRESS0}),
], ids=["block", "wwn", "pool-volume", "iscsi-auth-initiator", "iscsi-ipv6-port-uuid", "address-options",
        "reservations-managed", "reservations-socket-driver", "device-disk-serial"])
def test_disk_lun_result_feeds_back(test_node, run_module, given, expected):
    round_trip(test_node, run_module, "luns", given, expected)


HOSTDEV_DEFAULTS = {"managed": False, "sgio": "filtered", "rawio": False, "readonly": False, "shareable": False,
                    "address": ADDRESS0}


@pytest.mark.parametrize("given, expected", [
    ({"adapter": "scsi_host3", "bus": 0, "target": 2, "unit": 0},
     dict(HOSTDEV_DEFAULTS, adapter="scsi_host3", bus=0, target=2, unit=0)),
    ({"adapter": "scsi_host3", "bus": 0, "target": 2, "unit": 0, "address": {"target": 3, "unit": 1},
      "readonly": True},
     dict(HOSTDEV_DEFAULTS, adapter="scsi_host3", bus=0, target=2, unit=0, readonly=True,
          address={"controller": 0, "bus": 0, "target": 3, "unit": 1})),
    ({"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 2, "initiator": IQN + "-guest",
                "auth": {"username": "lab", "secret_usage": "lab-chap"}}, "managed": True, "shareable": True},
     dict(HOSTDEV_DEFAULTS, iscsi={"host": "127.0.0.1", "port": 3260, "target": IQN, "lun": 2,
                                   "auth": {"username": "lab", "secret_usage": "lab-chap"},
                                   "initiator": IQN + "-guest"}, managed=True, shareable=True)),
    ({"vhost_wwpn": "5001405DF3E54061", "vhost_model": "virtio"},
     {"vhost_wwpn": "naa.5001405df3e54061", "vhost_model": "virtio"}),
    ({"vhost_wwpn": "naa.5001405df3e54062"}, {"vhost_wwpn": "naa.5001405df3e54062"}),
], ids=["adapter", "adapter-address", "iscsi-auth-initiator", "vhost-model", "vhost"])
def test_scsi_hostdev_result_feeds_back(test_node, run_module, given, expected):
    round_trip(test_node, run_module, "hostdevs", given, expected)


def test_several_devices_and_an_old_lun_of_the_fixture_feed_back(test_node, run_module):
    """Every LUN disk and hostdev domain_scsi_info finds, also those not written by scsi.virt."""
    uri, conn = test_node
    luns = [{"pool": "fcpool", "volume": "unit:0:0:1"}, {"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 4}},
            {"dev": "/dev/sdc", "address": {"target": 7, "unit": 3}}]
    assert run_module("domain_disk_lun", {"uri": uri, "domain": "guest-off", "luns": luns}).changed
    hostdevs = [{"adapter": "scsi_host3", "bus": 0, "target": 2, "unit": 0},
                {"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 5}}, {"vhost_wwpn": "naa.5001405df3e54061"}]
    assert run_module("scsi_hostdev", {"uri": uri, "domain": "guest-off", "hostdevs": hostdevs}).changed
    info = {d["name"]: d for d in run_module("domain_scsi_info", {"uri": uri})["domains"]}
    assert len(info["guest-off"]["luns"]) == 3 and len(info["guest-off"]["hostdevs"]) == 3
    for option in ("luns", "hostdevs"):
        feed_back(conn, run_module, uri, option, info["guest-off"][option])
    # guest-legacy's LUN disk comes from the fixture (an lsilogic controller), not from scsi.virt.
    assert info["guest-legacy"]["luns"], info["guest-legacy"]
    feed_back(conn, run_module, uri, "luns", info["guest-legacy"]["luns"], domain="guest-legacy")
    # exclusive with the fed-back list keeps every device.
    for option in ("luns", "hostdevs"):
        kept = run_module(MODULES[option], {"uri": uri, "domain": "guest-off", option: info["guest-off"][option],
                                            "exclusive": True})
        assert not kept.changed, kept


@pytest.mark.parametrize("given", [
    {"adapter": {"type": "fc_host", "parent": "scsi_host2", "wwnn": "0x5001A4A000000021",
                 "wwpn": "5001a4a000000022"}, "autostart": True},
    {"adapter": {"type": "scsi_host", "name": "host7"}},  # the test driver's fcpool holds scsi_host1
    {"adapter": {"type": "scsi_host", "parent_address": {"unique_id": 0, "pci_address": "0000:04:00.1"}},
     "target_path": "/dev/disk/by-id", "state": "present"},
    {"type": "iscsi", "source": {"host": "[fd00::1]", "target": IQN, "initiator": IQN + "-host",
                                 "auth": {"username": "lab", "secret_usage": "lab-chap"}}},
    {"type": "iscsi-direct", "source": {"host": "127.0.0.1", "port": 3261, "target": IQN,
                                        "initiator": IQN + "-host"}, "state": "stopped"},
])
def test_scsi_pool_result_is_its_input(test_node, run_module, given):
    """scsi_pool's ``pool`` result is the module's own options: fed back, it changes nothing."""
    uri, conn = test_node
    made = run_module("scsi_pool", dict({"uri": uri, "name": "fedpool"}, **given))
    assert made.changed and not made.failed, made
    pool = made["pool"]
    result = ArgumentSpecValidator(pool_spec()).validate(pool)
    assert not result.error_messages and no_unset_values(pool), (pool, result.error_messages)
    assert pool["state"] == ("stopped" if given.get("state") in ("stopped", "present") else "started")
    assert made["pool_status"] == {"active": pool["state"] == "started", "persistent": True}
    before = conn.storagePoolLookupByName("fedpool").XMLDesc(0)
    for check_mode in (True, False):
        again = run_module("scsi_pool", dict(pool, uri=uri), check_mode=check_mode)
        assert not again.failed and not again.changed and again["pool"] == pool, again
    assert conn.storagePoolLookupByName("fedpool").XMLDesc(0) == before
