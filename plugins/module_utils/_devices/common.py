# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property tables shared by several fragment kinds."""

from __future__ import annotations

from ansible_collections.scsi.virt.plugins.module_utils._xml import INT, PRESENCE, Prop, YESNO

ISCSI_DEFAULT_PORT = 3260


def iscsi_source_props(base="source"):
    """An iSCSI source as disks and SCSI hostdevs write it (auth and initiator inside <source>)."""
    return {
        "protocol": Prop(base + "/@protocol"),
        "iscsi_name": Prop(base + "/@name"),
        "iscsi_host": Prop(base + "/host/@name"),
        "iscsi_port": Prop(base + "/host/@port", INT),
        "auth_username": Prop(base + "/auth/@username"),
        "auth_secret_type": Prop(base + "/auth/secret/@type"),
        "auth_secret_usage": Prop(base + "/auth/secret/@usage"),
        "auth_secret_uuid": Prop(base + "/auth/secret/@uuid"),
        "initiator_iqn": Prop(base + "/initiator/iqn/@name"),
    }


def iscsi_item(values):
    """The ``iscsi`` option (host, port, target, lun, auth, initiator) of an iSCSI source's values."""
    name = values.get("iscsi_name") or ""
    target, sep, lun = name.rpartition("/")
    if not sep or not lun.isdigit():
        target, lun = name, "0"
    item = {"host": values.get("iscsi_host"), "port": values.get("iscsi_port") or ISCSI_DEFAULT_PORT,
            "target": target, "lun": int(lun)}
    if values.get("auth_username") is not None:
        auth = {"username": values["auth_username"]}
        if values.get("auth_secret_uuid") is not None:
            auth["secret_uuid"] = values["auth_secret_uuid"]
        if values.get("auth_secret_usage") is not None:
            auth["secret_usage"] = values["auth_secret_usage"]
        item["auth"] = auth
    if values.get("initiator_iqn") is not None:
        item["initiator"] = values["initiator_iqn"]
    return item


def iscsi_identity(device):
    values = device.values
    return ("iscsi", (values["iscsi_name"] or "").lower(), values["iscsi_host"],
            values["iscsi_port"] or ISCSI_DEFAULT_PORT)


def iscsi_attach_hint(device):
    """What to check when QEMU could not open a device's iSCSI source, or '' for other sources."""
    if device.values.get("protocol") != "iscsi":
        return ""
    name = device.values.get("iscsi_name") or ""
    target, _sep, lun = name.rpartition("/")
    return " (QEMU could not open the iSCSI LUN: check that the target at %s:%d is up and exports %s LUN %s to this " \
           "host)" % (device.values.get("iscsi_host"), device.values.get("iscsi_port") or ISCSI_DEFAULT_PORT,
                      target or name, lun or "0")


def lun_access_props():
    """Options a guest-visible SCSI LUN (disk or hostdev) shares."""
    return {
        "sgio": Prop("@sgio"),
        "rawio": Prop("@rawio", YESNO),
        "readonly": Prop("readonly", PRESENCE),
        "shareable": Prop("shareable", PRESENCE),
    }


ACCESS_OPTIONS = ("sgio", "rawio", "readonly", "shareable")


def access_item(values):
    """The access options (sgio, rawio, readonly, shareable, address) of a LUN's canonical values, in the
    shape of the modules' options; unset values are left out."""
    item = {name: values[name] for name in ACCESS_OPTIONS if values.get(name) is not None}
    if values.get("address_target") is not None and values.get("address_unit") is not None:
        item["address"] = {"controller": values.get("address_controller") or 0,
                           "bus": values.get("address_bus") or 0,
                           "target": values["address_target"], "unit": values["address_unit"]}
    return item


def drive_address_props():
    return {
        "address_controller": Prop("address[@type='drive']/@controller", INT),
        "address_bus": Prop("address[@type='drive']/@bus", INT),
        "address_target": Prop("address[@type='drive']/@target", INT),
        "address_unit": Prop("address[@type='drive']/@unit", INT),
    }


DRIVE_ADDRESS_FIELDS = ("address_controller", "address_bus", "address_target", "address_unit")


def drive_address(device):
    """The device's drive address as a tuple, or None when it has none."""
    parts = tuple(device.values.get(name) for name in DRIVE_ADDRESS_FIELDS)
    if parts[2] is None or parts[3] is None:
        return None
    return (parts[0] or 0, parts[1] or 0, parts[2], parts[3])


def set_drive_address(device, address):
    for name, value in zip(DRIVE_ADDRESS_FIELDS, address):
        device.values[name] = value
