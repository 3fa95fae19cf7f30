# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""domain_disk_lun's reservations, driver options and emulated mode against the lab's real libvirtd
(qemu:///system, libvirt 9.0 + QEMU): what the test driver cannot prove.

- The XML the module writes (on the test driver, block sources included: this host has no SCSI LUNs)
  is accepted by libvirt's QEMU driver at define time and read back with the same values.
- What the module refuses, libvirt refuses too (or, for iSCSI reservations, silently does not use).
- Fields libvirt cannot update on a running guest are refused before anything is written.

Only domains named ``luntopts-*`` are defined (and undefined again); the lab guest is not touched.
"""

from __future__ import annotations

import re

import pytest

from ansible_collections.scsi.virt.plugins.module_utils._devices.disk_lun import DiskLun, DiskScsi
from ansible_collections.scsi.virt.plugins.module_utils._xml import parse_xml, to_string

pytestmark = pytest.mark.lab

URI = "qemu:///system"
PREFIX = "luntopts-"
IQN = "iqn.2026-11.io.scsi-virt:lab"
WWN = "6001405abcdef012"
STOPPED = """<domain type='qemu'><name>{name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
<controller type='scsi' index='0' model='virtio-scsi'/>{disks}</devices></domain>"""


@pytest.fixture
def lab(open_lab):
    conn = open_lab(URI, "lab/lab.sh up")

    def cleanup():
        for dom in conn.listAllDomains():
            if dom.name().startswith(PREFIX):
                if dom.isActive():
                    dom.destroy()
                dom.undefine()
    cleanup()
    yield conn
    cleanup()
    assert not [d.name() for d in conn.listAllDomains() if d.name().startswith(PREFIX)]
    conn.close()


def lun_disks(text):
    """The LUN disks (both modes) of a domain's XML, as elements."""
    devices = parse_xml(text, "domain").find("devices")
    return [e for e in devices if DiskLun.matches(e) or DiskScsi.matches(e)]


def kind_of(element):
    return DiskLun if DiskLun.matches(element) else DiskScsi


@pytest.mark.parametrize("options", [
    {"wwn": WWN, "reservations": {"managed": True}, "shareable": True, "error_policy": "report",
     "rerror_policy": "report"},
    {"dev": "/dev/disk/by-path/pci-0000:04:00.1-fc-0x203500a0b85ad1d7-lun-0",
     "reservations": {"managed": False, "source_path": "/run/qemu-pr-helper.sock"}, "cache": "none", "io": "native",
     "discard": "unmap"},
    {"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 1}, "error_policy": "enospace", "rerror_policy": "ignore",
     "cache": "directsync", "io": "io_uring", "discard": "ignore"},
    {"pool": "fcpool", "volume": "unit:0:0:2", "cache": "writeback", "io": "threads"},
    {"device": "disk", "wwn": WWN, "serial": "DB01 data.1+x", "vendor": "ACME", "product": "SCRATCH DISK 16c",
     "cache": "unsafe", "discard": "unmap", "error_policy": "stop"},
    {"device": "disk", "iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 2}, "readonly": True,
     "cache": "writethrough"},
], ids=["block-managed-reservations", "block-pr-helper-socket", "iscsi-driver", "volume-driver", "disk-mode-wwn",
        "disk-mode-iscsi"])
def test_what_the_module_writes_libvirt_defines_and_reads_back(lab, test_node, run_module, options):
    import libvirt
    uri, conn = test_node
    run = run_module("domain_disk_lun", dict({"uri": uri, "domain": "guest-off"}, **options))
    assert run.changed, run
    written = lun_disks(conn.lookupByName("guest-off").XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
    assert len(written) == 1
    name = PREFIX + "define"
    dom = lab.defineXML(STOPPED.format(name=name, disks=to_string(written[0], pretty=False)))
    [back] = lun_disks(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
    ours = kind_of(written[0]).from_element(written[0])
    theirs = kind_of(back).from_element(back)
    assert type(theirs) is type(ours)
    assert ours.differences(theirs) == {} and theirs.differences(ours) == {}, to_string(back)
    dom.undefine()


# (XML libvirt 9.0 is given, the refusal it answers, the module's option that refuses it first)
REFUSED = [
    ("<disk type='block' device='lun'>{driver}<source dev='/dev/sdq'/><target dev='sda' bus='scsi'/>"
     "<serial>S1</serial></disk>", "'lun' devices do not support the serial property", "serial"),
    ("<disk type='block' device='lun'>{driver}<source dev='/dev/sdq'/><target dev='sda' bus='scsi'/>"
     "<vendor>ACME</vendor></disk>", "not supported for lun device", "vendor"),
    ("<disk type='block' device='lun'>{driver}<source dev='/dev/sdq'/><target dev='sda' bus='scsi'/>"
     "<wwn>%s</wwn></disk>" % WWN, "Setting wwn is not supported for lun device", "wwn (selects only)"),
    ("<disk type='block' device='disk' sgio='filtered'>{driver}<source dev='/dev/sdq'/>"
     "<target dev='sda' bus='scsi'/></disk>", "sgio can be used only with device='lun'", "sgio"),
    ("<disk type='block' device='disk' rawio='no'>{driver}<source dev='/dev/sdq'/>"
     "<target dev='sda' bus='scsi'/></disk>", "rawio can be used only with device='lun'", "rawio"),
    ("<disk type='block' device='disk'>{driver}<source dev='/dev/sdq'><reservations managed='yes'/></source>"
     "<target dev='sda' bus='scsi'/></disk>", "<reservations/> allowed only for lun devices", "reservations"),
    ("<disk type='block' device='lun'><driver name='qemu' type='raw' io='native'/><source dev='/dev/sdq'/>"
     "<target dev='sda' bus='scsi'/></disk>", "io='native' needs either no disk cache or directsync", "io"),
    ("<disk type='block' device='lun'><driver name='qemu' type='raw' io='native' cache='writeback'/>"
     "<source dev='/dev/sdq'/><target dev='sda' bus='scsi'/></disk>", "needs either no disk cache", "io"),
    ("<disk type='block' device='lun'>{driver}<source dev='/dev/sdq'><reservations managed='no'><source "
     "type='unix' path='/run/pr.sock' mode='server'/></reservations></source><target dev='sda' bus='scsi'/></disk>",
     "unsupported connection mode for <reservations/>", "reservations (mode client only)"),
    ("<disk type='block' device='disk'>{driver}<source dev='/dev/sdq'/><target dev='sda' bus='scsi'/>"
     "<vendor>ACMEACMEX</vendor></disk>", "vendor is more than 8 characters", "vendor"),
    ("<disk type='block' device='disk'>{driver}<source dev='/dev/sdq'/><target dev='sda' bus='scsi'/>"
     "<product>P234567890123456X</product></disk>", "product is more than 16 characters", "product"),
    ("<disk type='block' device='disk'>{driver}<source dev='/dev/sdq'/><target dev='sda' bus='scsi'/>"
     "<serial>a/b</serial></disk>", "contains unsafe characters", "serial"),
    ("<disk type='block' device='disk'>{driver}<source dev='/dev/sdq'/><target dev='sda' bus='scsi'/>"
     "<wwn>%s%s</wwn></disk>" % (WWN, WWN), "Malformed wwn", "wwn (32 digits: no <wwn> written)"),
]


@pytest.mark.parametrize("disk, refusal, option", REFUSED, ids=[c[2] + "-%d" % i for i, c in enumerate(REFUSED)])
def test_what_the_module_refuses_libvirt_refuses(lab, disk, refusal, option):
    import libvirt
    xml = STOPPED.format(name=PREFIX + "refused", disks=disk.format(driver="<driver name='qemu' type='raw'/>"))
    with pytest.raises(libvirt.libvirtError) as exc:
        lab.defineXML(xml)
    assert refusal in exc.value.get_error_message(), (option, exc.value.get_error_message())


def test_reservations_reach_qemu_for_block_sources_only(lab):
    """libvirt 9.0 takes <reservations> in an iSCSI source too, and even starts a pr-helper, but never gives
    it to QEMU's iSCSI drive: so the module refuses it there (and the schema has no place for it)."""
    block = ("<disk type='block' device='lun'><driver name='qemu' type='raw'/><source dev='/dev/null'>"
             "<reservations managed='yes'/></source><target dev='sda' bus='scsi'/></disk>")
    iscsi = ("<disk type='network' device='lun'><driver name='qemu' type='raw'/><source protocol='iscsi' "
             "name='%s/1'><host name='127.0.0.1' port='3260'/><reservations managed='yes'/></source>"
             "<target dev='sda' bus='scsi'/></disk>" % IQN)
    argv = {}
    for name, disk in (("block", block), ("iscsi", iscsi)):
        argv[name] = lab.domainXMLToNative("qemu-argv", STOPPED.format(name=PREFIX + name, disks=disk), 0)
    storage = {name: [b for b in re.findall(r"-blockdev '(\{[^']*\})'", text) if "storage" in b and "format" not in b]
               for name, text in argv.items()}
    assert '"pr-manager":"pr-helper0"' in storage["block"][0] and '"driver":"host_device"' in storage["block"][0]
    assert '"driver":"iscsi"' in storage["iscsi"][0] and "pr-manager" not in storage["iscsi"][0]
    assert "pr-manager-helper" in argv["iscsi"]  # started for nothing


def test_stopped_domain_four_steps_in_both_modes(lab, run_module):
    import libvirt
    dom = lab.defineXML(STOPPED.format(name=PREFIX + "stopped", disks=""))
    args = {"uri": URI, "domain": dom.name(), "luns": [
        {"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 1}, "error_policy": "report", "rerror_policy": "report",
         "cache": "none", "io": "native", "discard": "unmap", "shareable": True},
        {"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 2}, "device": "disk", "serial": "LUNTOPTS-2",
         "vendor": "SCSIVIRT", "product": "EMULATED", "cache": "writeback"}]}
    before = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    check = run_module("domain_disk_lun", args, check_mode=True, diff=True)
    assert check.changed and dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE) == before
    run = run_module("domain_disk_lun", args, diff=True)
    assert run.changed and run["diff"] == check["diff"], run
    assert [lun["device"] for lun in run["luns"]] == ["lun", "disk"]
    assert not run_module("domain_disk_lun", args, check_mode=True).changed
    assert not run_module("domain_disk_lun", args).changed
    text = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    assert "io='native'" in text and "<serial>LUNTOPTS-2</serial>" in text and "<vendor>SCSIVIRT</vendor>" in text
    gone = run_module("domain_disk_lun", dict(args, state="absent"))
    assert [c["action"] for c in gone["changes"]] == ["remove", "remove"]


def test_running_guest_fields_libvirt_cannot_update_are_refused_first(lab, run_module):
    """libvirt 9.0 refuses updateDeviceFlags of cache, error_policy, ... on a running guest; the module says
    so before writing anything, and live: false changes the persistent config alone."""
    import libvirt
    disk = ("<disk type='network' device='lun' sgio='filtered'><driver name='qemu' type='raw'/><source "
            "protocol='iscsi' name='%s/1'><host name='127.0.0.1' port='3260'/></source><target dev='sda' "
            "bus='scsi'/><address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>" % IQN)
    dom = lab.defineXML(STOPPED.format(name=PREFIX + "running", disks=disk))
    dom.create()
    changed = disk.replace("type='raw'/>", "type='raw' cache='none'/>")
    with pytest.raises(libvirt.libvirtError) as exc:
        dom.updateDeviceFlags(changed, libvirt.VIR_DOMAIN_AFFECT_LIVE)
    assert "cannot modify field 'cache' of the disk" in exc.value.get_error_message()
    args = {"uri": URI, "domain": dom.name(), "iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 1}}
    states = (dom.XMLDesc(0), dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
    for option in ({"cache": "none"}, {"error_policy": "report"}, {"shareable": True}):
        for check_mode in (True, False):
            refused = run_module("domain_disk_lun", dict(args, **option), check_mode=check_mode)
            name = list(option)[0]
            assert refused.failed and refused["msg"].startswith("%s: %s cannot be changed on the running domain"
                                                                % (name, name)), refused
            assert (dom.XMLDesc(0), dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)) == states
    config = run_module("domain_disk_lun", dict(args, cache="none", error_policy="report", live=False))
    assert config["config_changed"] and not config["live_changed"]
    assert "cache='none'" in dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE) and "cache=" not in dom.XMLDesc(0)
    # An emulated LUN hot-plugs (scsi-hd) next to the passthrough one.
    emulated = run_module("domain_disk_lun", {"uri": URI, "domain": dom.name(), "device": "disk", "serial": "E1",
                                              "iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 2}})
    assert emulated["live_changed"] and emulated["config_changed"], emulated
    assert "<serial>E1</serial>" in dom.XMLDesc(0)
