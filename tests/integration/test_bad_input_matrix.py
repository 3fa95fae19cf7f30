# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module refuses bad input cleanly: failed, the message names the option (and the allowed
form), no traceback, and nothing changed in libvirt (all domain, pool and node device XML identical).

Prints "N bad inputs tried, N rejected cleanly, N states unchanged".
"""

from __future__ import annotations

import libvirt
import pytest

IQN = "iqn.2026-11.io.scsi-virt:lab"
WWNN, WWPN = "5001a4a000000011", "5001a4a000000012"
UUID = "3f8e1b4c-7c1a-4c8e-9a55-1a2b3c4d5e01"


def iscsi(**over):
    return dict({"host": "127.0.0.1", "target": IQN, "lun": 1}, **over)


def disk(**over):
    return dict({"domain": "guest-off"}, **over)


def hostdev(**over):
    return dict({"domain": "guest-off"}, **over)


LEGACY_ADDR = {"controller": 0, "target": 0, "unit": 0}

# (module, args, the option the message must start with, a fragment of the allowed form or reason)
CASES = [
    # domain_disk_lun: sources
    ("domain_disk_lun", disk(wwn="5001a4a"), "wwn", "16 or 32 hex digits"),
    ("domain_disk_lun", disk(wwn="0x6001405abcdef0123"), "wwn", "16 or 32 hex digits"),
    ("domain_disk_lun", disk(wwn="naa.zz01405abcdef012"), "wwn", "16 or 32 hex digits"),
    ("domain_disk_lun", disk(dev="sdb"), "dev", "absolute block device path"),
    ("domain_disk_lun", disk(dev="/tmp/disk.img"), "dev", "under /dev"),
    ("domain_disk_lun", disk(dev="/dev/sd<b>"), "dev", "under /dev"),
    ("domain_disk_lun", disk(dev="/dev/sdb' onload='x"), "dev", "under /dev"),
    ("domain_disk_lun", disk(dev="/dev/sdb", wwn="0x6001405abcdef012"), "source", "exactly one LUN source"),
    ("domain_disk_lun", disk(dev="/dev/sdb", iscsi=iscsi()), "source", "exactly one LUN source"),
    ("domain_disk_lun", disk(target_dev="sdb"), "source", "exactly one LUN source"),
    ("domain_disk_lun", disk(), "luns", "give one item's options"),
    ("domain_disk_lun", disk(pool="fcpool"), "volume", "is required with pool"),
    ("domain_disk_lun", disk(volume="unit:0:0:1", dev="/dev/sdb"), "volume", "goes with pool"),
    ("domain_disk_lun", disk(pool="fcpool", volume="unit:9:9:9"), "volume", "no volume"),
    ("domain_disk_lun", disk(pool="nopool", volume="unit:0:0:1"), "pool", "no storage pool"),
    ("domain_disk_lun", disk(pool="images", volume="disk1.img"), "pool", "cannot be a device='lun'"),
    ("domain_disk_lun", disk(pool="fc<pool>", volume="x"), "pool", "letters, digits"),
    ("domain_disk_lun", disk(pool="fcpool", volume="a&b"), "volume", "letters, digits"),
    ("domain_disk_lun", disk(dev="/dev/sdb", serial="abc"), "serial", "cannot be set on a device='lun'"),
    ("domain_disk_lun", disk(dev="/dev/sdb", sgio="unfiltered"), "sgio", "must be 'filtered' on libvirt >= 9.0"),
    ("domain_disk_lun", disk(dev="/dev/sdb", sgio="maybe"), "", "sgio must be one of: filtered, unfiltered"),
    ("domain_disk_lun", disk(dev="/dev/sdb", target_dev="vdb"), "target_dev", "sd<letters>"),
    ("domain_disk_lun", disk(dev="/dev/sdb", target_dev="hda"), "target_dev", "sd<letters>"),
    ("domain_disk_lun", disk(dev="/dev/sdb", target_dev="vda"), "target_dev", "sd<letters>"),
    ("domain_disk_lun", disk(dev="/dev/sdb", address={"target": 0, "unit": 0, "bus": 1}), "address.bus",
     "must be 0"),
    ("domain_disk_lun", disk(dev="/dev/sdb", address={"target": 256, "unit": 0}), "address.target", "0 to 255"),
    ("domain_disk_lun", disk(dev="/dev/sdb", address={"target": 0, "unit": 16384}), "address.unit", "0 to 16383"),
    ("domain_disk_lun", disk(dev="/dev/sdb", address={"target": -1, "unit": 0}), "address.target", "0 to 255"),
    ("domain_disk_lun", disk(dev="/dev/sdb", address={"controller": 256, "target": 0, "unit": 0}),
     "address.controller", "0 to 255"),
    ("domain_disk_lun", disk(dev="/dev/sdb", address={"target": 0}), "", "unit"),
    ("domain_disk_lun", disk(dev="/dev/sdb", address={"target": "x", "unit": 0}), "", "target"),
    ("domain_disk_lun", disk(domain="guest-legacy", dev="/dev/sdb", address=LEGACY_ADDR), "address",
     "already used by block LUN /dev/disk/by-id/wwn-0x6001405aaaaaaaa1"),
    ("domain_disk_lun", disk(domain="guest-legacy", dev="/dev/sdb", address={"target": 1, "unit": 0}),
     "address.controller", "is model 'lsilogic', not virtio-scsi"),
    ("domain_disk_lun", disk(domain="guest-legacy", dev="/dev/sdb", target_dev="sdc"), "target_dev",
     "already used"),
    ("domain_disk_lun", disk(domain="nope", dev="/dev/sdb"), "domain", "no domain named"),
    ("domain_disk_lun", disk(domain="bad'name", dev="/dev/sdb"), "domain", "letters, digits"),
    ("domain_disk_lun", disk(domain="guest-off", dev="/dev/sdb", live=True), "live", "not running"),
    ("domain_disk_lun", disk(dev="/dev/sdb", state="absent", exclusive=True), "exclusive", "state=present"),
    ("domain_disk_lun", disk(dev="/dev/sdb", controller_queues=0), "controller_queues", "1 to 1024"),
    ("domain_disk_lun", disk(dev="/dev/sdb", controller_queues=5000), "controller_queues", "1 to 1024"),
    ("domain_disk_lun", disk(dev="/dev/sdb", controller_model="lsilogic"), "", "controller_model"),
    ("domain_disk_lun", disk(dev="/dev/sdb", config=False, live=False), "config", "nothing to do"),
    ("domain_disk_lun", disk(uri="qemu+bogus:///nowhere", dev="/dev/sdb"), "uri", "cannot connect"),
    ("domain_disk_lun", disk(dev="/dev/sdb", connect_timeout=-1), "connect_timeout", "0 or more"),
    ("domain_disk_lun", disk(dev="/dev/sdb", live_timeout=0), "live_timeout", "1 to 3600"),
    ("scsi_hostdev", hostdev(iscsi=iscsi(), live_timeout=7200), "live_timeout", "1 to 3600"),
    ("vhba", {"wwnn": WWNN, "wwpn": WWPN, "connect_timeout": "soon"}, "", "connect_timeout"),
    ("domain_disk_lun", disk(uri="qemu+ssh://root:hunter2@badhost.invalid:1/system", dev="/dev/sdb"), "uri",
     "********"),
    # domain_disk_lun: iscsi
    ("domain_disk_lun", disk(iscsi=iscsi(target="not-an-iqn")), "iscsi.target", "iSCSI name"),
    ("domain_disk_lun", disk(iscsi=iscsi(target="iqn.26-1.x:y")), "iscsi.target", "iSCSI name"),
    ("domain_disk_lun", disk(iscsi=iscsi(port=70000)), "iscsi.port", "1 to 65535"),
    ("domain_disk_lun", disk(iscsi=iscsi(port=0)), "iscsi.port", "1 to 65535"),
    ("domain_disk_lun", disk(iscsi=iscsi(lun=-1)), "iscsi.lun", "0 to 16383"),
    ("domain_disk_lun", disk(iscsi=iscsi(lun=20000)), "iscsi.lun", "0 to 16383"),
    ("domain_disk_lun", disk(iscsi=iscsi(host="bad host")), "iscsi.host", "host name or IP"),
    ("domain_disk_lun", disk(iscsi=iscsi(host="<x>")), "iscsi.host", "host name or IP"),
    ("domain_disk_lun", disk(iscsi=iscsi(initiator="me")), "iscsi.initiator", "iSCSI name"),
    ("domain_disk_lun", disk(iscsi=iscsi(host="127.0.0.1:3260")), "iscsi.host", "IPv6 address"),
    ("domain_disk_lun", disk(iscsi=iscsi(host="[fd00::1")), "iscsi.host", "IPv6 address"),
    ("domain_disk_lun", disk(iscsi=iscsi(host="fd00::zz")), "iscsi.host", "IPv6 address"),
    ("scsi_hostdev", hostdev(iscsi=iscsi(host="[::1]:3260")), "iscsi.host", "IPv6 address"),
    ("domain_disk_lun", disk(iscsi=iscsi(auth={"username": "u", "secret_usage": "a", "secret_uuid": UUID})), "",
     "mutually exclusive"),
    ("domain_disk_lun", disk(iscsi=iscsi(auth={"username": "u"})), "", "secret_usage"),
    ("domain_disk_lun", disk(iscsi=iscsi(auth={"username": "u", "secret_uuid": "xyz"})), "iscsi.auth.secret_uuid",
     "secret UUID"),
    ("domain_disk_lun", disk(iscsi=iscsi(auth={"username": "u s", "secret_usage": "x"})), "iscsi.auth.username",
     "letters"),
    ("domain_disk_lun", disk(iscsi={"host": "127.0.0.1"}), "", "target"),
    # domain_disk_lun: list form
    ("domain_disk_lun", disk(luns=[{"dev": "/dev/sdb"}, {"wwn": "12"}]), "luns[1].wwn", "16 or 32 hex digits"),
    ("domain_disk_lun", disk(luns=[{"dev": "/dev/sdb"}, {"dev": "/dev/sdb"}]), "luns[1]", "same device"),
    ("domain_disk_lun", disk(luns=[{"dev": "/dev/sdb", "color": "red"}]), "luns[0]", "color"),
    ("domain_disk_lun", disk(luns=[{"dev": "/dev/sdb"}], dev="/dev/sdc"), "luns", "not both"),
    ("domain_disk_lun", disk(luns=[{}]), "luns[0]", "exactly one LUN source"),
    ("domain_disk_lun", disk(luns=[{"iscsi": iscsi(lun=1)}, {"iscsi": iscsi(lun=1, port=3260)}]), "luns[1]",
     "same device"),
    ("domain_disk_lun", disk(luns=[{"dev": "/dev/sdb", "address": {"target": 1, "unit": 0}},
                                   {"dev": "/dev/sdc", "address": {"target": 1, "unit": 0}}]), "address",
     "already used"),
    ("domain_disk_lun", disk(luns=[{"dev": "/dev/sdb", "target_dev": "sdx"},
                                   {"dev": "/dev/sdc", "target_dev": "sdx"}]), "target_dev", "already used"),
    # domain_disk_lun: reservations, driver options, device: disk (what libvirt 9.0 refuses, refused first)
    ("domain_disk_lun", disk(iscsi=iscsi(), reservations={"managed": True}), "reservations",
     "does not apply to an iscsi source"),
    ("domain_disk_lun", disk(pool="fcpool", volume="unit:0:0:1", reservations={"managed": True}), "reservations",
     "only in a block <source>"),
    ("domain_disk_lun", disk(dev="/dev/sdb", reservations={"managed": True, "source_path": "/run/pr.sock"}),
     "reservations.source_path", "goes with managed: false"),
    ("domain_disk_lun", disk(dev="/dev/sdb", reservations={"managed": False}), "reservations.source_path",
     "is required with managed: false"),
    ("domain_disk_lun", disk(dev="/dev/sdb", reservations={"managed": False, "source_path": "run/pr.sock"}),
     "reservations.source_path", "absolute path"),
    ("domain_disk_lun", disk(dev="/dev/sdb", reservations={"managed": False, "source_path": "/run/p'r.sock"}),
     "reservations.source_path", "absolute path"),
    ("domain_disk_lun", disk(dev="/dev/sdb", reservations={"source_path": "/run/pr.sock"}), "", "managed"),
    ("domain_disk_lun", disk(dev="/dev/sdb", device="disk", reservations={"managed": True}), "reservations",
     "allowed only for lun devices"),
    ("domain_disk_lun", disk(dev="/dev/sdb", device="disk", sgio="filtered"), "sgio",
     "sgio can be used only with device='lun'"),
    ("domain_disk_lun", disk(dev="/dev/sdb", device="disk", rawio=False), "rawio",
     "rawio can be used only with device='lun'"),
    ("domain_disk_lun", disk(dev="/dev/sdb", vendor="ACME"), "vendor", "cannot be set on a device='lun'"),
    ("domain_disk_lun", disk(dev="/dev/sdb", product="X"), "product", "cannot be set on a device='lun'"),
    ("domain_disk_lun", disk(dev="/dev/sdb", device="disk", vendor="ACMEACMEX"), "vendor", "1-8 printable"),
    ("domain_disk_lun", disk(dev="/dev/sdb", device="disk", vendor="A\tB"), "vendor", "1-8 printable"),
    ("domain_disk_lun", disk(dev="/dev/sdb", device="disk", product="P234567890123456X"), "product",
     "1-16 printable"),
    ("domain_disk_lun", disk(dev="/dev/sdb", device="disk", serial="a/b"), "serial", "unsafe"),
    ("domain_disk_lun", disk(dev="/dev/sdb", device="disk", serial="a,b=c"), "serial", "unsafe"),
    ("domain_disk_lun", disk(dev="/dev/sdb", device="tape"), "", "device must be one of: lun, disk"),
    ("domain_disk_lun", disk(dev="/dev/sdb", io="native"), "io", "needs cache: none or directsync"),
    ("domain_disk_lun", disk(dev="/dev/sdb", io="native", cache="writeback"), "io",
     "needs cache: none or directsync"),
    ("domain_disk_lun", disk(dev="/dev/sdb", error_policy="retry"), "", "error_policy must be one of"),
    ("domain_disk_lun", disk(dev="/dev/sdb", rerror_policy="enospace"), "", "rerror_policy must be one of"),
    ("domain_disk_lun", disk(dev="/dev/sdb", cache="default"), "", "cache must be one of"),
    ("domain_disk_lun", disk(dev="/dev/sdb", discard="trim"), "", "discard must be one of"),
    ("domain_disk_lun", disk(dev="/dev/sdb", io="aio"), "", "io must be one of"),
    ("domain_disk_lun", disk(luns=[{"dev": "/dev/sdb"}, {"dev": "/dev/sdc", "io": "native"}]), "luns[1].io",
     "needs cache"),
    ("domain_disk_lun", disk(luns=[{"dev": "/dev/sdb", "reservations": {"managed": "maybe"}}]), "luns[0]",
     "managed"),
    # domain_disk_lun: one LUN, one identity (spellings resolved on the hypervisor: test_bad_identity_input)
    ("domain_disk_lun", disk(luns=[{"wwn": "0x6001405abcdef012"},
                                   {"dev": "/dev/disk/by-id/wwn-0x6001405abcdef012"}]), "luns[1]", "same device"),
    ("domain_disk_lun", disk(luns=[{"wwn": "6001405abcdef012"}, {"wwn": "naa.6001405abcdef012", "device": "disk"}]),
     "luns[1]", "same device"),
    ("domain_disk_lun", disk(domain="guest-legacy", wwn="6001405aaaaaaaa1", device="disk"), "device",
     "already has this LUN as block LUN /dev/disk/by-id/wwn-0x6001405aaaaaaaa1"),
    # A LUN another domain already uses: refused unless both uses are shareable, naming that domain.
    ("domain_disk_lun", disk(dev="/dev/disk/by-id/wwn-0x6001405aaaaaaaa1"), "shareable",
     "defined domain 'guest-legacy' already uses it"),
    ("domain_disk_lun", disk(dev="/dev/disk/by-id/wwn-0x6001405aaaaaaaa1", shareable=True), "shareable",
     "shareable: true here, false there"),
    ("domain_disk_lun", disk(luns=[{"iscsi": iscsi(lun=2)}, {"iscsi": iscsi(lun=8)}]), "luns[1].shareable",
     "domain 'guest-peer' already uses it as iscsi LUN iqn.2026-11.io.scsi-virt:lab/8"),
    ("domain_disk_lun", disk(iscsi=iscsi(lun=9), shareable=True), "shareable",
     "already uses it as iSCSI hostdev iqn.2026-11.io.scsi-virt:lab/9"),
    # scsi_hostdev
    ("scsi_hostdev", hostdev(adapter="scsi_host9", bus=0, target=2, unit=0), "adapter", "no SCSI host"),
    ("scsi_hostdev", hostdev(adapter="host3", bus=0, target=2, unit=0), "adapter", "scsi_hostN"),
    ("scsi_hostdev", hostdev(adapter="scsi_host3", bus=0, target=9, unit=0), "unit", "no SCSI LUN 3:0:9:0"),
    ("scsi_hostdev", hostdev(adapter="scsi_host3", bus=0, target=2), "unit", "is required"),
    ("scsi_hostdev", hostdev(adapter="scsi_host3", target=2, unit=0), "bus", "is required"),
    ("scsi_hostdev", hostdev(adapter="scsi_host3", bus=0, target=2, unit=0, managed=True), "managed",
     "must be false"),
    ("scsi_hostdev", hostdev(adapter_wwnn=WWNN, bus=0, target=0, unit=0), "adapter_wwpn", "is required"),
    ("scsi_hostdev", hostdev(adapter_wwnn="12", adapter_wwpn=WWPN, bus=0, target=0, unit=0), "adapter_wwnn",
     "16 hex digits"),
    ("scsi_hostdev", hostdev(adapter_wwnn=WWNN, adapter_wwpn=WWPN, bus=0, target=0, unit=0), "adapter_wwnn",
     "no SCSI host (vHBA)"),
    ("scsi_hostdev", hostdev(adapter="scsi_host3", adapter_wwpn=WWPN, bus=0, target=2, unit=0), "adapter_wwpn",
     "not both"),
    ("scsi_hostdev", hostdev(adapter="scsi_host3", iscsi=iscsi(), bus=0, target=2, unit=0), "source",
     "exactly one"),
    ("scsi_hostdev", hostdev(iscsi=iscsi(), bus=0), "bus", "goes with an adapter"),
    ("scsi_hostdev", hostdev(iscsi=iscsi(target="x")), "iscsi.target", "iSCSI name"),
    ("scsi_hostdev", hostdev(iscsi=iscsi(lun=9), shareable=True), "shareable", "domain 'guest-peer'"),
    ("scsi_hostdev", hostdev(iscsi=iscsi(lun=8)), "shareable", "shareable: false here, true there"),
    ("scsi_hostdev", hostdev(vhost_wwpn="naa.5001"), "vhost_wwpn", "naa."),
    ("scsi_hostdev", hostdev(vhost_wwpn="naa.5001405df3e54061", sgio="filtered"), "sgio", "does not apply"),
    ("scsi_hostdev", hostdev(vhost_wwpn="naa.5001405df3e54061", address={"target": 0, "unit": 0}), "address",
     "does not apply"),
    ("scsi_hostdev", hostdev(iscsi=iscsi(), vhost_model="virtio"), "vhost_model", "goes with vhost_wwpn"),
    ("scsi_hostdev", hostdev(iscsi=iscsi(), sgio="unfiltered"), "sgio", "must be 'filtered'"),
    ("scsi_hostdev", hostdev(domain="nope", iscsi=iscsi()), "domain", "no domain named"),
    ("scsi_hostdev", hostdev(hostdevs=[{"iscsi": iscsi()}, {"adapter": "scsi_hostX"}]), "hostdevs[1].adapter",
     "scsi_hostN"),
    ("scsi_hostdev", hostdev(hostdevs=[{"iscsi": iscsi()}, {"iscsi": iscsi()}]), "hostdevs[1]", "same device"),
    ("scsi_hostdev", hostdev(domain="guest-legacy", adapter="scsi_host3", bus=0, target=2, unit=0,
                             address=LEGACY_ADDR), "address", "already used"),
    # vhba
    ("vhba", {"wwnn": "5001a4a", "wwpn": WWPN}, "wwnn", "16 hex digits"),
    ("vhba", {"wwnn": WWNN, "wwpn": "5001a4a00000001g"}, "wwpn", "16 hex digits"),
    ("vhba", {"wwnn": WWNN, "wwpn": WWNN}, "wwpn", "must differ"),
    ("vhba", {"wwnn": WWNN}, "wwpn", "together"),
    ("vhba", {}, "wwnn", "required with state=present"),
    ("vhba", {"wwnn": WWNN, "wwpn": WWPN, "parent": "scsi_host9"}, "parent", "no SCSI host"),
    ("vhba", {"wwnn": WWNN, "wwpn": WWPN, "parent": "scsi_host3"}, "parent", "not vport-capable"),
    ("vhba", {"wwnn": WWNN, "wwpn": WWPN, "parent": "computer"}, "parent", "scsi_hostN"),
    ("vhba", {"wwnn": WWNN, "wwpn": "1000000034563456"}, "wwpn", "already used"),
    ("vhba", {"wwnn": WWNN, "wwpn": WWPN, "parent_wwnn": "2000000012341234"}, "", "parent_wwpn"),
    ("vhba", {"wwnn": WWNN, "wwpn": WWPN, "parent": "scsi_host1", "parent_fabric_wwn": "2000000043214321"}, "",
     "mutually exclusive"),
    ("vhba", {"wwnn": "2000000012341234", "wwpn": "1000000012341234", "state": "absent"}, "",
     "not an NPIV vHBA"),
    ("vhba", {"state": "gone", "wwnn": WWNN, "wwpn": WWPN}, "", "state"),
    # scsi_pool
    ("scsi_pool", {"name": "p", "type": "iscsi", "source": {"host": "fd00::1::2", "target": IQN}}, "source.host",
     "IPv6 address"),
    ("scsi_pool", {"name": "p", "adapter": {"type": "fc_host", "wwnn": "1", "wwpn": WWPN}}, "adapter.wwnn",
     "16 hex digits"),
    ("scsi_pool", {"name": "p", "adapter": {"type": "fc_host", "wwpn": WWPN}}, "adapter.wwnn", "is required"),
    ("scsi_pool", {"name": "p", "adapter": {"type": "fc_host", "wwnn": WWNN, "wwpn": WWPN, "parent": "scsi_host3"}},
     "adapter.parent", "vport-capable"),
    ("scsi_pool", {"name": "p", "adapter": {"type": "fc_host", "wwnn": WWNN, "wwpn": WWPN, "managed": False}},
     "adapter.managed", "needs the vHBA 5001a4a000000011/5001a4a000000012 to exist"),
    ("scsi_pool", {"name": "p", "adapter": {"type": "scsi_host"}}, "adapter", "exactly one of name"),
    ("scsi_pool", {"name": "p", "adapter": {"type": "scsi_host", "name": "eth0"}}, "adapter.name", "hostN"),
    ("scsi_pool", {"name": "p", "adapter": {"type": "scsi_host", "parent_address": {
        "unique_id": 1, "pci_address": "nope"}}}, "adapter.parent_address.pci_address", "DDDD:BB:SS.F"),
    ("scsi_pool", {"name": "p", "adapter": {"type": "usb_host"}}, "", "adapter"),
    # an unknown key in a list item: Ansible's own wording, with the item's path
    ("domain_disk_lun", disk(luns=[{"dev": "/dev/sdb", "sharable": True}]), "luns[0]",
     "Unsupported parameters: sharable. Supported parameters include"),
    ("scsi_hostdev", hostdev(hostdevs=[{"iscsi": iscsi(), "unit": 0}, {"iscsi": iscsi(), "lunn": 1}]), "hostdevs[1]",
     "Unsupported parameters: lunn."),
    ("scsi_pool", {"name": "p"}, "adapter", "is required"),
    ("scsi_pool", {"name": "p", "type": "iscsi"}, "source", "is required"),
    ("scsi_pool", {"name": "p", "type": "iscsi", "source": {"host": "127.0.0.1", "target": "x"}}, "source.target",
     "iSCSI name"),
    ("scsi_pool", {"name": "p", "type": "iscsi-direct", "source": {"host": "127.0.0.1", "target": IQN}},
     "source.initiator", "is required"),
    ("scsi_pool", {"name": "p", "type": "dir"}, "", "type"),
    ("scsi_pool", {"name": "p<1>", "adapter": {"type": "scsi_host", "name": "host3"}}, "name", "letters"),
    ("scsi_pool", {"name": "images", "adapter": {"type": "scsi_host", "name": "host3"}}, "type", "cannot change"),
    ("scsi_pool", {"name": "p", "adapter": {"type": "scsi_host", "name": "host3"}, "target_path": "/etc"},
     "target_path", "under /dev"),
    # info modules
    ("scsi_host_info", {"wwnn": "xyz", "wwpn": WWPN}, "wwnn", "16 hex digits"),
    ("scsi_host_info", {"wwnn": WWNN}, "", "wwpn"),
    ("scsi_lun_info", {"wwn": "12"}, "wwn", "16 or 32 hex digits"),
    ("scsi_lun_info", {"host": "scsi_hostX"}, "host", "SCSI host number"),
    ("scsi_lun_info", {"host": "3", "pool": "fcpool"}, "", "mutually exclusive"),
    ("scsi_host_rescan", {"name": ["hostX"]}, "name[0]", "scsi_hostN or a host number"),
    ("scsi_host_rescan", {"name": ["scsi_host99"]}, "name[0]", "no SCSI host scsi_host99"),
    ("scsi_host_rescan", {"wwpn": ["xyz"]}, "wwpn[0]", "16 hex digits"),
    ("scsi_host_rescan", {"wwpn": ["5001a4a0000000ff"]}, "wwpn[0]", "no fc_host with WWPN"),
    ("scsi_host_rescan", {"issue_lip": True}, "issue_lip", "local hypervisor"),
    ("scsi_host_rescan", {"settle": -1}, "settle", "0 to 600"),
    ("domain_disk_lun", disk(dev="/dev/sdb", allow_single_path="maybe"), "", "allow_single_path"),
    ("domain_scsi_info", {"domain": "nope"}, "domain", "no domain named"),
    ("guest_scsi_pr", {"domain": "guest-run"}, "wwn", "give the LUN's wwn and/or address"),
    ("guest_scsi_pr", {"domain": "guest-run", "wwn": "6001405aaaaaaaa1", "action": "reserve"}, "key", "is required"),
    ("guest_scsi_pr", {"domain": "guest-run", "wwn": "6001405aaaaaaaa1", "action": "register", "key": "0"}, "key",
     "non-zero reservation key"),
    ("guest_scsi_pr", {"domain": "guest-run", "wwn": "6001405aaaaaaaa1", "action": "register", "key": "xyz"}, "key",
     "up to 16 hex digits"),
    ("guest_scsi_pr", {"domain": "guest-run", "wwn": "6001405aaaaaaaa1", "action": "preempt", "key": "a1"},
     "preempt_key", "is required with action=preempt"),
    ("guest_scsi_pr", {"domain": "guest-run", "address": "0:0:0:1", "action": "register", "key": "a1",
                       "preempt_key": "b2"}, "preempt_key", "goes with action=preempt"),
    ("guest_scsi_pr", {"domain": "guest-run", "address": "0:0:x:1"}, "address", "an integer from 0 to 65535"),
    ("guest_scsi_pr", {"domain": "guest-off", "wwn": "6001405aaaaaaaa1"}, "domain", "not running"),
    ("guest_scsi_pr", {"domain": "guest-run", "wwn": "6001405aaaaaaaa1", "type": 2}, "", "type must be one of"),
    ("guest_scsi_info", {"domain": "nope"}, "domain", "no domain named"),
    # an unknown key in an expect/absent item: Ansible's own wording, as for luns and hostdevs
    ("guest_scsi_info", {"domain": "guest-run", "expect": [{"wwn": "6001405aaaaaaaa1"}, {"wwm": "6001405aaaaaaaa1"}]},
     "expect[1]", "Unsupported parameters: wwm. Supported parameters include: address, min_size"),
    ("guest_scsi_info", {"domain": "guest-run", "absent": [{"address": "0:0:0:1", "vendor": "IET"}]}, "absent[0]",
     "Unsupported parameters: vendor. Supported parameters include: address, wwn."),
    ("guest_scsi_info", {"domain": "guest-off"}, "domain", "not running"),
    ("guest_scsi_info", {"domain": "guest-run", "read_blocks": 5000}, "read_blocks", "0 to 1024"),
]

SUMMARY = {"tried": 0, "clean": 0, "unchanged": 0}


def state(conn):
    """Everything a module could change, as text."""
    domains = {d.name(): d.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE) for d in conn.listAllDomains()}
    pools = {p.name(): (p.XMLDesc(0), p.isActive(), p.autostart()) for p in conn.listAllStoragePools()}
    devices = sorted(d.name() for d in conn.listAllDevices(0))
    return domains, pools, devices


@pytest.mark.parametrize("module, args, field, fragment", CASES,
                         ids=["%03d-%s" % (i, c[0]) for i, c in enumerate(CASES)])
def test_bad_input(test_node, run_module, module, args, field, fragment):
    uri, conn = test_node
    before = state(conn)
    result = run_module(module, dict({"uri": uri}, **args))
    judge(result, field, fragment, state(conn) == before)


def judge(result, field, fragment, unchanged):
    """Count a bad input for the summary and assert it was refused cleanly (named field, reason) and changed nothing."""
    SUMMARY["tried"] += 1
    msg = result.get("msg", "")
    clean = result.failed and "Traceback" not in msg and "internal error" not in msg and fragment in msg and (
        not field or msg.startswith(field + ":"))
    SUMMARY["clean"] += clean
    SUMMARY["unchanged"] += unchanged
    assert clean, result
    assert unchanged


TWICE = """<domain type='test'><name>guest-twice</name><memory unit='KiB'>262144</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type></os><devices><controller type='scsi' index='0' model='virtio-scsi'/>
<disk type='block' device='lun'><source dev='{a}'/><target dev='sda' bus='scsi'/></disk>
<disk type='block' device='lun'><source dev='{b}'/><target dev='sdb' bus='scsi'/></disk></devices></domain>"""

# Spellings of one LUN resolved through a generated /dev + /sys (tests/conftest.py's lun_tree).
IDENTITY_CASES = [
    ("guest-off", {"luns": [{"dev": "sdb"}, {"dev": "by_path_b"}]}, "luns[1]", "same device as luns[0] (block LUN /dev/disk/by-path/"),
    ("guest-off", {"luns": [{"dev": "by_id_b"}, {"dev": "by_path_b"}]}, "luns[1]", "(naa.6001405abcdef012)"),
    ("guest-off", {"luns": [{"wwn": "wwn_b"}, {"dev": "scsi_id_b", "device": "disk"}]}, "luns[1]", "same device"),
    ("guest-twice", {"dev": "sdb"}, "state", "attached 2 times"),
    ("guest-twice", {"dev": "by_path_b", "cache": "none"}, "state", "state: absent detaches all of them"),
]


@pytest.mark.parametrize("domain, args, field, fragment", IDENTITY_CASES,
                         ids=["identity-%d" % i for i in range(len(IDENTITY_CASES))])
def test_bad_identity_input(test_node, run_module, lun_tree, domain, args, field, fragment):
    uri, conn = test_node
    conn.defineXML(TWICE.format(a=lun_tree["sdb"], b=lun_tree["by_path_b"]))

    def spelled(item):
        out = dict(item)
        for key in ("dev", "wwn"):
            if key in out:
                out[key] = lun_tree[out[key]]
        return out
    args = {k: [spelled(i) for i in v] if k == "luns" else v for k, v in spelled(args).items()}
    before = state(conn)
    result = run_module("domain_disk_lun", dict({"uri": uri, "domain": domain}, **args))
    judge(result, field, fragment, state(conn) == before)


def _transient_domain(conn):
    conn.createXML("<domain type='test'><name>guest-transient</name><memory unit='KiB'>262144</memory>"
                   "<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os><devices/></domain>", 0)


def _virtio_lun(conn):
    dom = conn.lookupByName("guest-off")
    conn.defineXML(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE).replace("</devices>", (
        "<disk type='block' device='lun'><source dev='/dev/sdb'/><target dev='vdb' bus='virtio'/>"
        "<address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/></disk></devices>")))


def _stopped_lun_pool(conn):
    conn.storagePoolLookupByName("fcpool").destroy()


# Refusals that need a state the fixture does not have: (set-up, module, args, field, fragment)
SET_UP_CASES = [
    (_transient_domain, "domain_disk_lun", {"domain": "guest-transient", "dev": "/dev/sdb", "live": False}, "live",
     "transient"),
    (_transient_domain, "scsi_hostdev", {"domain": "guest-transient", "adapter": "scsi_host3", "bus": 0,
                                         "target": 2, "unit": 0, "live": False}, "live", "transient"),
    (_virtio_lun, "domain_disk_lun", disk(dev="/dev/sdb"), "", "state: absent"),
    (_stopped_lun_pool, "domain_disk_lun", disk(pool="fcpool", volume="unit:0:0:1"), "pool", "not active"),
]


@pytest.mark.parametrize("set_up, module, args, field, fragment", SET_UP_CASES,
                         ids=["%03d-%s" % (i, c[1]) for i, c in enumerate(SET_UP_CASES)])
def test_bad_input_in_a_prepared_state(test_node, run_module, set_up, module, args, field, fragment):
    uri, conn = test_node
    set_up(conn)
    before = state(conn), sorted(d.name() for d in conn.listAllDomains() if d.isPersistent())
    result = run_module(module, dict({"uri": uri}, **args))
    judge(result, field, fragment,
          (state(conn), sorted(d.name() for d in conn.listAllDomains() if d.isPersistent())) == before)


def test_zz_summary():
    """Runs last in this file (pytest keeps file order): the figures for the issue note."""
    if SUMMARY["tried"]:
        print("\n%(tried)d bad inputs tried, %(clean)d rejected cleanly, %(unchanged)d states unchanged" % SUMMARY)
    assert len(CASES) >= 100
