# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Value types: parse, normalize and format the identifiers SCSI storage uses.

Every ``parse`` takes the option name it validates so that errors name it.
"""

from __future__ import annotations

import ipaddress
import re
from collections import namedtuple

from ansible_collections.scsi.virt.plugins.module_utils._errors import ValidationError

_HEX16 = re.compile(r"^[0-9a-f]{16}$")


def parse_wwn(value, field):
    """A Fibre Channel WWN (wwnn, wwpn, fabric_wwn) as 16 lower-case hex digits.

    Accepts ``0x`` prefixes and ``:``/``-`` separators, the forms HBA tools print.
    """
    if value is None:
        return None
    text = str(value).strip().lower()
    if text.startswith("0x"):
        text = text[2:]
    text = text.replace(":", "").replace("-", "")
    if not _HEX16.match(text):
        raise ValidationError(
            field,
            "expected 16 hex digits (e.g. 5001a4a000000001, 0x5001a4a000000001 or 50:01:a4:a0:00:00:00:01)",
            value,
        )
    return text


def format_wwn_colon(wwn):
    return ":".join(wwn[i:i + 2] for i in range(0, 16, 2))


# A SCSI LUN's world-wide name as the kernel reports it (``/sys/block/X/device/wwid``,
# ``/dev/disk/by-id/wwn-0x...``): NAA 16 or 32 hex digits.
_LUN_WWN = re.compile(r"^(?:naa\.|0x)?([0-9a-f]{16}|[0-9a-f]{32})$")


def parse_lun_wwn(value, field):
    if value is None:
        return None
    text = str(value).strip().lower().replace(":", "")
    m = _LUN_WWN.match(text)
    if not m:
        raise ValidationError(
            field, "expected a LUN WWN of 16 or 32 hex digits (e.g. 0x6001405abcdef012 or naa.6001405abcdef012)", value)
    return m.group(1)


def wwn_from_udev_id(value):
    """The NAA WWN in a udev SCSI identifier (ID_SERIAL, which libvirt reports as a storage node
    device's serial and a SCSI pool's volume key): '3' + 16 or 32 hex digits; None otherwise."""
    text = str(value or "").lower()
    if text.startswith("3") and len(text) in (17, 33) and all(c in "0123456789abcdef" for c in text[1:]):
        return text[1:]
    return None


def wwn_from_wwid(wwid):
    """The NAA WWN in a Linux wwid ('naa.6001405...' -> '6001405...'); None for t10./eui. forms."""
    if wwid and wwid.startswith("naa."):
        return wwid[4:].lower()
    return None


def storage_links(element):
    """The udev names (``<devnode type='link'>``) libvirt reports for a storage node device (XML root)."""
    return [node.text for node in element.findall("devnode[@type='link']") if node.text]


def wwn_from_udev_names(serial, links):
    """A LUN's NAA WWN from what libvirt reports remotely: udev's ``/dev/disk/by-id/wwn-0x<WWN>`` name (ID_WWN),
    else ID_SERIAL when that is '3' + the WWN. (sg3-utils' udev rules, which multipath-tools pulls in, prefer a
    T10 vendor id to a locally assigned NAA for ID_SERIAL, so ID_SERIAL alone is not enough.)"""
    prefix = "/dev/disk/by-id/wwn-0x"
    for link in links:
        if link.startswith(prefix):
            wwn = link[len(prefix):].lower()
            if len(wwn) in (16, 32) and all(c in "0123456789abcdef" for c in wwn):
                return wwn
    return wwn_from_udev_id(serial)


_IQN = re.compile(r"^iqn\.\d{4}-\d{2}\.[a-z0-9][a-z0-9.-]*[a-z0-9](?::[^\s/]+)?$")
_EUI = re.compile(r"^eui\.[0-9a-f]{16}$")
_NAA_ISCSI = re.compile(r"^naa\.(?:[0-9a-f]{16}|[0-9a-f]{32})$")


def parse_iqn(value, field):
    """An iSCSI name (RFC 3720): ``iqn.YYYY-MM.reversed.domain[:id]``, ``eui.`` or ``naa.``."""
    if value is None:
        return None
    text = str(value).strip()
    low = text.lower()
    if len(text) > 223 or not (_IQN.match(low) or _EUI.match(low) or _NAA_ISCSI.match(low)):
        raise ValidationError(
            field, "expected an iSCSI name like iqn.2026-11.com.example:target1 (or eui./naa. form, at most 223 chars)",
            value)
    # iSCSI names are case-insensitive; libvirt and targets use lower case.
    return low


_HOSTNAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?$")


_PORTAL_HOST_FORM = ("expected a host name or IP address (IPv4, or an IPv6 address such as fd00::1 or [fd00::1]; "
                     "the port goes in port)")


def parse_portal_host(value, field):
    """An iSCSI portal host: a host name, an IPv4 address, or an IPv6 address with or without brackets.

    libvirt wants IPv6 bare in ``<host name=...>`` (it adds the brackets for QEMU's portal itself:
    ``[::1]:3260``, measured with domxml-to-native on libvirt 9.0), so brackets are removed and the
    address written in its compressed lower-case form.
    """
    text = str(value).strip()
    bracketed = text.startswith("[") and text.endswith("]")
    if bracketed or ":" in text:
        try:
            return ipaddress.IPv6Address(text[1:-1] if bracketed else text).compressed
        except ValueError:
            raise ValidationError(field, _PORTAL_HOST_FORM, value)
    if not _HOSTNAME.match(text):
        raise ValidationError(field, _PORTAL_HOST_FORM, value)
    return text


_VHOST_WWPN = re.compile(r"^naa\.[0-9a-f]{16}$")


def parse_vhost_wwpn(value, field):
    """A vhost-scsi target WWPN as libvirt wants it: ``naa.`` + 16 hex digits."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if not text.startswith("naa."):
        text = "naa." + text.replace(":", "")
    if not _VHOST_WWPN.match(text):
        raise ValidationError(field, "expected a vhost-scsi WWPN 'naa.' + 16 hex digits (e.g. naa.5001405df3e54061)",
                              value)
    return text


def parse_int(value, field, low, high):
    try:
        number = int(str(value), 0) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise ValidationError(field, "expected an integer from %d to %d" % (low, high), value)
    if isinstance(value, bool) or not low <= number <= high:
        raise ValidationError(field, "expected an integer from %d to %d" % (low, high), value)
    return number


class ScsiAddress(namedtuple("ScsiAddress", "host bus target unit")):
    """A host SCSI address H:B:T:L (``lsscsi``; libvirt node device ``scsi_H_B_T_L``)."""

    __slots__ = ()

    @classmethod
    def parse(cls, value, field):
        if isinstance(value, dict):
            parts = [value.get(k) for k in cls._fields]
        else:
            parts = str(value).strip().split(":")
        if len(parts) != 4 or any(p is None or str(p) == "" for p in parts):
            raise ValidationError(field, "expected a SCSI address 'host:bus:target:lun' of integers (e.g. 0:0:2:0)",
                                  value)
        limits = (0xFFFFFFFF, 0xFFFF, 0xFFFF, 0xFFFFFFFFFFFF)
        return cls(*(parse_int(p, field, 0, lim) for p, lim in zip(parts, limits)))

    def __str__(self):
        return "%d:%d:%d:%d" % self

    @property
    def nodedev_name(self):
        return "scsi_%d_%d_%d_%d" % self


# virtio-scsi has a single bus, targets 0-255 (QEMU refuses scsi-id 256 at start) and units 0-16383.
DRIVE_LIMITS = {"controller": 255, "bus": 0, "target": 255, "unit": 16383}


class DriveAddress(namedtuple("DriveAddress", "controller bus target unit")):
    """A guest-side ``<address type='drive'>`` on a virtio-scsi controller."""

    __slots__ = ()

    @classmethod
    def parse(cls, value, field):
        if value is None:
            return None
        if isinstance(value, str):
            parts = value.strip().split(":")
            if len(parts) != 4:
                raise ValidationError(field, "expected 'controller:bus:target:unit' or a dict with those keys", value)
            value = dict(zip(cls._fields, parts))
        if not isinstance(value, dict):
            raise ValidationError(field, "expected 'controller:bus:target:unit' or a dict with those keys", value)
        unknown = set(value) - set(cls._fields)
        if unknown:
            raise ValidationError(field, "unknown keys %s; allowed: controller, bus, target, unit" % sorted(unknown))
        out = {}
        for key, high in DRIVE_LIMITS.items():
            raw = value.get(key)
            if raw is None:
                raw = 0 if key in ("controller", "bus") else None
            if raw is None:
                raise ValidationError("%s.%s" % (field, key), "is required (integer 0-%d)" % high)
            if key == "bus" and str(raw) != "0":
                raise ValidationError("%s.bus" % field, "must be 0: virtio-scsi has a single bus", raw)
            out[key] = parse_int(raw, "%s.%s" % (field, key), 0, high)
        return cls(**out)

    def __str__(self):
        return "%d:%d:%d:%d" % self


class PciAddress(namedtuple("PciAddress", "domain bus slot function")):
    """A PCI address ``DDDD:BB:SS.F`` (used by scsi_host pools' ``parentaddr``)."""

    __slots__ = ()
    _RE = re.compile(r"^(?:([0-9a-fA-F]{1,4}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])$")

    @classmethod
    def parse(cls, value, field):
        if isinstance(value, dict):
            try:
                return cls(*(parse_int(value.get(k, 0 if k == "domain" else None), "%s.%s" % (field, k), 0, hi)
                             for k, hi in zip(cls._fields, (0xFFFF, 0xFF, 0x1F, 7))))
            except ValidationError:
                raise
        m = cls._RE.match(str(value).strip())
        if not m:
            raise ValidationError(field, "expected a PCI address 'DDDD:BB:SS.F' (e.g. 0000:00:04.0)", value)
        dom, bus, slot, fn = m.groups()
        result = cls(int(dom or "0", 16), int(bus, 16), int(slot, 16), int(fn))
        if result.slot > 0x1F:
            raise ValidationError(field, "expected a PCI slot from 00 to 1f", value)
        return result

    def __str__(self):
        return "%04x:%02x:%02x.%x" % self

    def xml_attrs(self):
        return {"domain": "0x%04x" % self.domain, "bus": "0x%02x" % self.bus,
                "slot": "0x%02x" % self.slot, "function": "0x%x" % self.function}


_TARGET_DEV = re.compile(r"^sd[a-z]{1,3}$")


def parse_target_dev(value, field):
    if value is None:
        return None
    if not _TARGET_DEV.match(str(value)):
        raise ValidationError(field, "expected a SCSI target name sd<letters> (e.g. sdb, sdaa)", value)
    return str(value)


def target_dev_name(index):
    """0 -> sda, 25 -> sdz, 26 -> sdaa (the kernel's naming, which libvirt follows)."""
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(ord("a") + rem) + name
    return "sd" + name


def target_dev_index(name):
    index = 0
    for ch in name[2:]:
        index = index * 26 + (ord(ch) - ord("a") + 1)
    return index - 1


_NAME = re.compile(r"^[A-Za-z0-9_.+:@-]{1,255}$")


def parse_object_name(value, field):
    """A libvirt object name (domain, pool, volume, node device). Refuses XML-special characters."""
    if value is None:
        return None
    text = str(value)
    if not _NAME.match(text):
        raise ValidationError(field, "expected 1-255 characters of letters, digits and _ . + : @ -", value)
    return text


def parse_block_path(value, field):
    if value is None:
        return None
    text = str(value)
    if not text.startswith("/dev/") or len(text) > 4096 or any(c in text for c in "<>&\"'\n\0 "):
        raise ValidationError(field, "expected an absolute block device path under /dev (e.g. /dev/disk/by-id/wwn-0x...)",
                              value)
    return text
