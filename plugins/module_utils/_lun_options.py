# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Option specs shared by the domain modules, and their translation into device descriptors.

Each ``*_from_item`` takes one LUN's validated options and the option path used in messages
(``luns[2]`` or the top level), and returns a descriptor whose ``None`` values mean "don't care".
"""

from __future__ import annotations

import os
import re
import stat

from ansible_collections.scsi.virt.plugins.module_utils._devices.disk_lun import (
    CACHE_MODES, DISCARD_MODES, DRIVER_OPTIONS, ERROR_POLICIES, IO_MODES, RERROR_POLICIES, DiskLun, DiskScsi)
from ansible_collections.scsi.virt.plugins.module_utils._devices.hostdev_scsi import HostdevScsi, HostdevVhost
from ansible_collections.scsi.virt.plugins.module_utils._devices.nodedev import StorageNodeDevice, find_scsi_host_by_wwn
from ansible_collections.scsi.virt.plugins.module_utils._devices.pool import POOL_TYPES
from ansible_collections.scsi.virt.plugins.module_utils._errors import NotFoundError, ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._iscsi_source import ISCSI_SPEC, iscsi_values
from ansible_collections.scsi.virt.plugins.module_utils._multipath import MAPPER, dm_identity, map_holding
from ansible_collections.scsi.virt.plugins.module_utils._types import (
    DriveAddress, parse_block_path, parse_int, parse_lun_wwn, parse_object_name, parse_target_dev,
    parse_vhost_wwpn, parse_wwn, storage_links, wwn_from_udev_names)
from ansible_collections.scsi.virt.plugins.module_utils._xml import parse_xml

# libvirt 9.0 refuses sgio='unfiltered' ("unfiltered sgio is no longer supported"), measured in the lab.
UNFILTERED_SGIO_REMOVED_IN = 9000000
# Pool types whose volumes are SCSI LUNs (anything else is a file or a non-SCSI block device).
LUN_POOL_TYPES = POOL_TYPES
SYSFS = "/sys"
# udev's name for a LUN by its NAA WWN; ``wwn`` selects the LUN through it.
WWN_LINK = "/dev/disk/by-id/wwn-0x"

ADDRESS_SPEC = {
    "controller": {"type": "int", "default": 0},
    "bus": {"type": "int", "default": 0},
    "target": {"type": "int", "required": True},
    "unit": {"type": "int", "required": True},
}


def access_spec():
    return {
        "sgio": {"type": "str", "choices": ["filtered", "unfiltered"]},
        "rawio": {"type": "bool"},
        "shareable": {"type": "bool"},
        "readonly": {"type": "bool"},
        "address": {"type": "dict", "options": ADDRESS_SPEC},
    }


RESERVATIONS_SPEC = {
    "managed": {"type": "bool", "required": True},
    "source_path": {"type": "str"},
}


def disk_lun_spec():
    spec = {
        "dev": {"type": "str"},
        "wwn": {"type": "str"},
        "pool": {"type": "str"},
        "volume": {"type": "str"},
        "iscsi": {"type": "dict", "options": ISCSI_SPEC},
        "target_dev": {"type": "str"},
        # No default here: a default would make every run look like it gave the single-LUN options.
        "device": {"type": "str", "choices": ["lun", "disk"]},
        "serial": {"type": "str"},
        "allow_single_path": {"type": "bool"},
        "vendor": {"type": "str"},
        "product": {"type": "str"},
        "reservations": {"type": "dict", "options": RESERVATIONS_SPEC},
        "error_policy": {"type": "str", "choices": list(ERROR_POLICIES)},
        "rerror_policy": {"type": "str", "choices": list(RERROR_POLICIES)},
        "cache": {"type": "str", "choices": list(CACHE_MODES)},
        "discard": {"type": "str", "choices": list(DISCARD_MODES)},
        "io": {"type": "str", "choices": list(IO_MODES)},
    }
    spec.update(access_spec())
    return spec


DISK_SOURCES = ("dev", "wwn", "pool", "iscsi")


def hostdev_spec():
    spec = {
        "adapter": {"type": "str"},
        "adapter_wwnn": {"type": "str"},
        "adapter_wwpn": {"type": "str"},
        "bus": {"type": "int"},
        "target": {"type": "int"},
        "unit": {"type": "int"},
        "iscsi": {"type": "dict", "options": ISCSI_SPEC},
        "vhost_wwpn": {"type": "str"},
        "vhost_model": {"type": "str", "choices": ["virtio", "virtio-transitional", "virtio-non-transitional"]},
        "managed": {"type": "bool"},
    }
    spec.update(access_spec())
    return spec


HOSTDEV_SOURCES = ("adapter", "adapter_wwnn", "iscsi", "vhost_wwpn")


def _field(prefix, name):
    return "%s.%s" % (prefix, name) if prefix else name


def _one_source(item, names, prefix):
    given = [name for name in names if item.get(name) not in (None, "", {})]
    if len(given) != 1:
        raise ValidationError(prefix or "source", "give exactly one LUN source of %s" % ", ".join(names),
                              given or None)
    return given[0]


def access_values(item, prefix, hypervisor, warnings):
    values = {}
    sgio = item.get("sgio")
    if sgio == "unfiltered":
        if hypervisor.lib_version >= UNFILTERED_SGIO_REMOVED_IN:
            raise ValidationError(_field(prefix, "sgio"), "must be 'filtered' on libvirt >= 9.0 (it refuses "
                                  "'unfiltered sgio is no longer supported')", sgio)
        warnings.append("%s: 'unfiltered' lets the guest send any SCSI command (e.g. persistent reservations, "
                        "firmware updates) to the host LUN" % _field(prefix, "sgio"))
    if item.get("rawio"):
        warnings.append("%s: rawio gives the guest CAP_SYS_RAWIO on the LUN: it can send vendor-specific "
                        "commands to the host device" % _field(prefix, "rawio"))
    for name in ("sgio", "rawio", "shareable", "readonly"):
        if item.get(name) is not None:
            values[name] = item[name]
    address = DriveAddress.parse(item.get("address"), _field(prefix, "address"))
    if address is not None:
        values.update(address_controller=address.controller, address_bus=address.bus,
                      address_target=address.target, address_unit=address.unit)
    return values


def disk_lun_from_item(item, prefix, hypervisor, warnings, state="present"):
    source = _one_source(item, DISK_SOURCES, prefix)
    mode = item.get("device") or "lun"
    if item.get("volume") and source != "pool":
        raise ValidationError(_field(prefix, "volume"), "goes with pool (a pool volume is pool + volume)")
    values = {"driver_name": "qemu", "driver_type": "raw", "target_bus": "scsi",
              "target_dev": parse_target_dev(item.get("target_dev"), _field(prefix, "target_dev"))}
    if source == "dev":
        values.update(type="block", dev=parse_block_path(item["dev"], _field(prefix, "dev")))
    elif source == "wwn":
        # The guest sees the LUN's real WWN; ``wwn`` selects the host LUN by it (libvirt cannot set one).
        wwn = parse_lun_wwn(item["wwn"], _field(prefix, "wwn"))
        values.update(type="block", dev=WWN_LINK + wwn)
        if mode == "disk" and len(wwn) == 16:
            # scsi-hd shows QEMU's own identity: give the guest the LUN's WWN (libvirt takes 16 digits only).
            values["wwn"] = wwn
    elif source == "pool":
        if not item.get("volume"):
            raise ValidationError(_field(prefix, "volume"), "is required with pool (e.g. volume: unit:0:0:1)")
        values.update(type="volume", pool=parse_object_name(item["pool"], _field(prefix, "pool")),
                      volume=parse_object_name(item["volume"], _field(prefix, "volume")))
    else:
        values.update(type="network", **iscsi_values(item["iscsi"], _field(prefix, "iscsi")))
    if mode == "lun":
        values.update(_lun_only_values(item, prefix, values["type"]))
    else:
        values.update(_disk_only_values(item, prefix))
    values.update(driver_values(item, prefix))
    values.update(access_values(item, prefix, hypervisor, warnings))
    disk = (DiskLun if mode == "lun" else DiskScsi)(**values)
    if disk.type == "block":
        # Removing: a single path attached with allow_single_path must stay removable as given.
        disk.values["dev"] = check_multipath(hypervisor, disk.dev, _field(prefix, source), source == "wwn",
                                             bool(item.get("allow_single_path")) or state != "present")
    check_disk_source(hypervisor, disk, prefix, state)
    return disk


def check_multipath(hypervisor, dev, field, by_wwn, allow_single_path):
    """The block source to use, seen through dm-multipath.

    - ``wwn``: the LUN's multipath map (``/dev/mapper/<name>``) when multipathd owns it, else the wwn link.
    - A single path of a multipathed LUN (``/dev/sdX`` or one of its udev names) is refused naming the map,
      unless ``allow_single_path``.
    - A device-mapper device is kept when it is a multipath map and refused otherwise (local hypervisor).
    """
    if hypervisor.is_test_driver:
        return dev
    if hypervisor.is_local:
        real = os.path.realpath(dev)
        base = os.path.basename(real)
        identity = dm_identity(base, SYSFS)
        if identity is not None:
            if identity[0].startswith("mpath-"):
                return dev
            if by_wwn:
                return dev
            raise ValidationError(field, "is device-mapper device %s (%s, uuid %r), not a dm-multipath map: "
                                  "device='lun' needs a SCSI LUN or a multipath map of one" % (
                                      base, identity[1], identity[0]), dev)
        holder = map_holding(base, SYSFS)
    else:
        holder = _remote_map_of(hypervisor, dev)
    if holder is None:
        return dev
    mapped = os.path.join(MAPPER, holder)
    if by_wwn:
        return mapped
    if allow_single_path:
        return dev
    raise ValidationError(field, "is one path of multipath map %s (multipathd owns this LUN): give dev: %s (or "
                          "wwn:), or allow_single_path: true to pass this single path anyway" % (mapped, mapped), dev)


def _remote_map_of(hypervisor, dev):
    """Over a remote connection: the map named by the WWID (udev ID_SERIAL) of the storage node device whose
    block or udev name is ``dev``, when libvirt's mpath pool lists it; else None (see _multipath)."""
    serial = None
    for element in hypervisor.nodedevs("storage"):
        names = [node.text for node in element.findall("devnode")]
        storage = StorageNodeDevice.from_element(element)
        if dev == storage.block or dev in names:
            serial = storage.serial
            break
    if not serial:
        return None
    for volume in hypervisor.mpath_volumes():
        if os.path.basename(volume["path"]) == serial:
            return serial
    return None


def _lun_only_values(item, prefix, source_type):
    """device='lun': no guest-visible identity (libvirt 9.0 refuses <serial>, <wwn>, <vendor>, <product> on
    a LUN: 'Setting wwn is not supported for lun device'); persistent reservations on a block source."""
    for name in ("serial", "vendor", "product"):
        if item.get(name):
            raise ValidationError(_field(prefix, name), "cannot be set on a device='lun' disk: libvirt refuses it "
                                  "and the guest always sees the LUN's own %s; use device: disk (emulated, "
                                  "scsi-hd) to set one" % name)
    reservations = item.get("reservations")
    if not reservations:
        return {}
    field = _field(prefix, "reservations")
    if source_type == "network":
        raise ValidationError(field, "does not apply to an iscsi source: QEMU's own iSCSI initiator sends "
                              "PERSISTENT RESERVE commands to the target itself (libvirt 9.0 starts a "
                              "qemu-pr-helper but does not connect it to an iSCSI drive, and its schema has no "
                              "<reservations> there); use iscsi.initiator to give each guest its own I_T nexus")
    if source_type == "volume":
        raise ValidationError(field, "does not apply to a pool volume source: libvirt 9.0's schema allows "
                              "<reservations> only in a block <source>; give the volume's block path with dev "
                              "(see scsi.virt.scsi_lun_info) to use reservations")
    if reservations["managed"]:
        if reservations.get("source_path"):
            raise ValidationError(field + ".source_path", "goes with managed: false (with managed: true libvirt "
                                  "starts its own qemu-pr-helper and chooses its socket)")
        return {"reservations_managed": True}
    path = reservations.get("source_path")
    if not path:
        raise ValidationError(field + ".source_path", "is required with managed: false (the UNIX socket of a "
                              "qemu-pr-helper you run, e.g. /run/qemu-pr-helper.sock)")
    if not _SOCKET_PATH.match(path):
        raise ValidationError(field + ".source_path", "expected an absolute path of letters, digits and "
                              "/ _ . + : @ -", path)
    # libvirt 9.0 refuses mode='server' ("unsupported connection mode for <reservations/>"): QEMU connects.
    return {"reservations_managed": False, "reservations_source_type": "unix", "reservations_path": path,
            "reservations_mode": "client"}


_SOCKET_PATH = re.compile(r"^/[A-Za-z0-9_.+:@/-]{1,4095}$")
_SERIAL = re.compile(r"^[A-Za-z0-9_. +-]{1,255}$")  # what libvirt 9.0 calls safe (measured at define)
_PRINTABLE = re.compile(r"^[\x20-\x7e]+$")


def _disk_only_values(item, prefix):
    """device='disk' (scsi-hd): its own serial, vendor and product; no SG_IO, so no sgio, rawio, reservations."""
    for name, why in (("sgio", "sgio can be used only with device='lun'"),
                      ("rawio", "rawio can be used only with device='lun'"),
                      ("reservations", "<reservations/> allowed only for lun devices")):
        if item.get(name) is not None:
            raise ValidationError(_field(prefix, name), "does not apply to device: disk (libvirt 9.0 refuses it: "
                                  "'%s'); use device: lun for SCSI passthrough" % why)
    values = {}
    serial = item.get("serial")
    if serial is not None:
        if not _SERIAL.match(serial):
            raise ValidationError(_field(prefix, "serial"), "expected 1-255 letters, digits and _ . + - or space "
                                  "(libvirt refuses other characters as unsafe)", serial)
        values["serial"] = serial
    for name, limit in (("vendor", 8), ("product", 16)):
        text = item.get(name)
        if text is None:
            continue
        if not _PRINTABLE.match(text) or len(text) > limit or not text.strip():
            raise ValidationError(_field(prefix, name), "expected 1-%d printable ASCII characters (the SCSI "
                                  "INQUIRY field; libvirt refuses longer ones)" % limit, text)
        values[name] = text
    return values


def driver_values(item, prefix):
    """The <driver> options; io='native' needs cache none or directsync (libvirt 9.0 refuses it otherwise)."""
    values = {name: item[name] for name in DRIVER_OPTIONS if item.get(name) is not None}
    if values.get("io") == "native" and values.get("cache") not in ("none", "directsync"):
        raise ValidationError(_field(prefix, "io"), "'native' needs cache: none or directsync in the same task "
                              "(libvirt 9.0 refuses it otherwise: \"io='native' needs either no disk cache or "
                              "directsync cache mode\")")
    return values


def check_disk_source(hypervisor, disk, prefix, state="present"):
    """Refuse sources that cannot be a SCSI LUN (libvirt would accept them and fail at guest start)."""
    if disk.type == "volume":
        pool = hypervisor.pool(disk.pool, required=state == "present")
        if pool is None:
            return  # removing a LUN of a pool that is gone: nothing to check
        pool_type = parse_xml(pool.XMLDesc(0), "pool").get("type")
        if pool_type not in LUN_POOL_TYPES:
            raise ValidationError(_field(prefix, "pool"), "pool %r is a %r pool: its volumes cannot be a "
                                  "device='lun' (that needs a SCSI LUN); use a %s pool" % (
                                      disk.pool, pool_type, ", ".join(LUN_POOL_TYPES)))
        if pool.isActive():
            if state == "present":
                hypervisor.volume(disk.pool, disk.volume)
        elif state == "present":
            raise ValidationError(_field(prefix, "pool"), "storage pool %r is not active, so volume %r cannot be "
                                  "checked and a guest using it would not start; start the pool first "
                                  "(scsi.virt.scsi_pool state: started)" % (disk.pool, disk.volume))
        return
    by_wwn = disk.type == "block" and disk.dev.startswith(WWN_LINK)
    if disk.type == "block" and hypervisor.is_local:
        check_block_is_scsi(disk.dev, _field(prefix, "wwn" if by_wwn else "dev"))
    elif by_wwn and not hypervisor.is_test_driver:
        # Remote hypervisor: its paths cannot be checked from here, but libvirt's node devices tell
        # which LUNs it has (the test driver's are made up, so it is left out).
        wanted = disk.dev[len(WWN_LINK):]
        known = {wwn_from_udev_names(StorageNodeDevice.from_element(e).serial, storage_links(e))
                 for e in hypervisor.nodedevs("storage")}
        if wanted not in known:
            raise ValidationError(_field(prefix, "wwn"), "no LUN with WWN %s among the hypervisor's storage node "
                                  "devices (%d with a WWN); check the WWN, or rescan the host's SCSI buses"
                                  % (wanted, len(known - {None})))


def check_block_is_scsi(path, field):
    """The host path must be a block device backed by a SCSI device (SG_IO goes to it)."""
    try:
        info = os.stat(path)
    except OSError:
        raise ValidationError(field, "no such block device on the hypervisor", path)
    if not stat.S_ISBLK(info.st_mode):
        raise ValidationError(field, "is not a block device: device='lun' needs a SCSI LUN", path)
    sysdev = os.path.join(SYSFS, "dev", "block", "%d:%d" % (os.major(info.st_rdev), os.minor(info.st_rdev)))
    identity = dm_identity(os.path.basename(os.path.realpath(sysdev)), SYSFS)
    if identity is not None and identity[0].startswith("mpath-"):
        return  # a dm-multipath map: SG_IO goes through it to the current path
    if not os.path.isdir(os.path.join(sysdev, "device", "scsi_device")):
        raise ValidationError(field, "is a block device but not a whole SCSI disk (no SCSI device in sysfs): "
                              "device='lun' passes SCSI commands, so it needs a SCSI LUN", path)


def hostdev_from_item(item, prefix, hypervisor, warnings, state="present"):
    source = _one_source(item, HOSTDEV_SOURCES, prefix)
    if source == "vhost_wwpn":
        for name in ("sgio", "rawio", "shareable", "readonly", "address", "managed"):
            if item.get(name) is not None:
                raise ValidationError(_field(prefix, name), "does not apply to a vhost-scsi (vhost_wwpn) hostdev")
        return HostdevVhost(protocol="vhost", wwpn=parse_vhost_wwpn(item["vhost_wwpn"], _field(prefix, "vhost_wwpn")),
                            model=item.get("vhost_model"))
    if item.get("vhost_model"):
        raise ValidationError(_field(prefix, "vhost_model"), "goes with vhost_wwpn")
    values = access_values(item, prefix, hypervisor, warnings)
    if source == "iscsi":
        for name in ("bus", "target", "unit", "adapter_wwpn"):
            if item.get(name) is not None:
                raise ValidationError(_field(prefix, name), "goes with an adapter source, not iscsi")
        values.update(iscsi_values(item["iscsi"], _field(prefix, "iscsi")))
        if item.get("managed") is not None:
            values["managed"] = item["managed"]
        return HostdevScsi(**values)
    if item.get("managed"):
        raise ValidationError(_field(prefix, "managed"), "must be false or unset for an adapter hostdev (libvirt "
                              "accepts managed='yes' there but the guest then fails to start)")
    if item.get("managed") is not None:
        values["managed"] = False  # so that an existing managed='yes' is cleared
    adapter = resolve_adapter(item, prefix, hypervisor)
    address = []
    for name in ("bus", "target", "unit"):
        if item.get(name) is None:
            raise ValidationError(_field(prefix, name), "is required with an adapter source (the LUN's "
                                  "bus/target/unit on that HBA, as in H:B:T:L)")
        address.append(parse_int(item[name], _field(prefix, name), 0, 0xFFFFFFFF))
    host_number = int(adapter[len("scsi_host"):])
    lun_name = "scsi_%d_%d_%d_%d" % tuple([host_number] + address)
    if hypervisor.nodedev(lun_name, required=False) is None:
        raise ValidationError(_field(prefix, "unit"), "no SCSI LUN %d:%d:%d:%d on %s (node device %s): "
                              "libvirt would accept it and the guest would fail to start"
                              % (tuple([host_number] + address) + (adapter, lun_name)))
    values.update(adapter=adapter, source_bus=address[0], source_target=address[1], source_unit=address[2])
    return HostdevScsi(**values)


def resolve_adapter(item, prefix, hypervisor):
    if item.get("adapter"):
        name = str(item["adapter"])
        if not re.match(r"^scsi_host\d+$", name):
            raise ValidationError(_field(prefix, "adapter"), "expected a SCSI host node device name scsi_hostN "
                                  "(see scsi.virt.scsi_host_info)", name)
        if item.get("adapter_wwpn"):
            raise ValidationError(_field(prefix, "adapter_wwpn"), "give adapter or adapter_wwnn+adapter_wwpn, "
                                  "not both")
        if hypervisor.nodedev(name, required=False) is None:
            raise NotFoundError("%s: no SCSI host %r on this hypervisor" % (_field(prefix, "adapter"), name))
        return name
    if not item.get("adapter_wwpn"):
        raise ValidationError(_field(prefix, "adapter_wwpn"), "is required with adapter_wwnn (a vHBA is "
                              "identified by its WWN pair)")
    wwnn = parse_wwn(item["adapter_wwnn"], _field(prefix, "adapter_wwnn"))
    wwpn = parse_wwn(item["adapter_wwpn"], _field(prefix, "adapter_wwpn"))
    host = find_scsi_host_by_wwn(hypervisor, wwnn, wwpn)
    if host is None:
        raise NotFoundError("%s: no SCSI host (vHBA) with wwnn %s and wwpn %s on this hypervisor; create it "
                            "with scsi.virt.vhba first" % (_field(prefix, "adapter_wwnn"), wwnn, wwpn))
    return host.name
