# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The NPIV lab's nested guest as built (lab/build_guest.py --profile nested, lab/kernel/nested.config) and
defined (lab/lab_domain.py nested_domain_xml, NESTED_CMDLINE): its /init parses, its initramfs has what that /init
no longer makes at boot, its kernel config keeps what the guest's checks need, built in, and its domain XML is
valid and without what its boot was measured to waste time on."""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FRAGMENT = os.path.join(REPO, "lab", "kernel", "nested.config")


def fragment():
    """{option: value} of the fragment; 'n' for '# CONFIG_X is not set'."""
    options = {}
    with open(FRAGMENT) as handle:
        for line in handle:
            line = line.strip()
            if line.startswith("CONFIG_"):
                key, _sep, value = line.partition("=")
                options[key] = value
            elif line.startswith("# CONFIG_") and line.endswith(" is not set"):
                options[line[2:].split()[0]] = "n"
    return options


def test_nested_init_parses_and_uses_only_what_the_initramfs_has(tmp_path, lab_missing):
    if not os.path.exists("/bin/busybox"):
        lab_missing("busybox-static is not installed (scripts/bootstrap.sh installs it)")
    import build_guest as module  # lab/build_guest.py (pytest.ini's pythonpath)
    init = tmp_path / "init"
    init.write_text(module.NESTED_INIT)
    assert subprocess.run(["/bin/busybox", "sh", "-n", str(init)], capture_output=True, check=False).returncode == 0
    assert "--install" not in module.NESTED_INIT  # the applet links are made at build time
    # The kernel boots with scsi_mod.scan=manual; under it, virtio-scsi's hotplug of a LUN 0 is ignored, so /init
    # must set the scan type back before the agent (and so any test) can run.
    init_text = module.NESTED_INIT
    assert 0 < init_text.index("echo sync > /sys/module/scsi_mod/parameters/scan") < init_text.index("qemu-ga")
    # The agent starts first, not daemonized (-d forks it twice more); /init then drops to nice 19 before the
    # boot-time scan and the console shell, which would otherwise share the vCPU with the agent's start.
    agent = init_text.index("/usr/sbin/qemu-ga ")
    assert " -d" not in init_text[agent:].splitlines()[0] and init_text[agent:].splitlines()[0].endswith("&")
    assert agent < init_text.index("renice -n 19 -p $$") < init_text.index("/sys/class/scsi_host/host*/scan")
    assert init_text.index("renice -n 19") < init_text.index("setsid sh")
    # One `mount -a` (one exec of busybox) mounts what the three mounts did, from the fstab made at build time.
    assert "mount -a" in init_text and "mount -t" not in init_text
    module.prepare_root(str(tmp_path))
    fstab = [line.split() for line in (tmp_path / "etc" / "fstab").read_text().splitlines()]
    assert sorted((entry[1], entry[2]) for entry in fstab) == [("/dev", "devtmpfs"), ("/proc", "proc"),
                                                               ("/sys", "sysfs")]
    # /init's applets and guest_scsi_info's
    for applet in ("sh", "mount", "mkdir", "sleep", "setsid", "renice", "cat", "tr", "dd"):
        assert os.readlink(tmp_path / "bin" / applet) == "/bin/busybox", applet
    assert (tmp_path / "etc" / "passwd").read_text().startswith("root:x:0:0:")
    assert module.PROFILES["nested"].init is module.NESTED_INIT and module.PROFILES["nested"].wanted == []
    assert module.PROFILES["lab"].init is module.INIT  # the main lab's guest keeps its own /init


def test_nested_kernel_config_builds_in_what_the_guest_needs():
    options = fragment()
    needed = ["64BIT", "PCI", "PCI_MSI", "VIRTIO_PCI", "SCSI", "SCSI_VIRTIO", "BLK_DEV_SD", "CHR_DEV_SG",
              "VIRTIO_CONSOLE", "SERIAL_8250_CONSOLE", "DEVTMPFS", "BLK_DEV_INITRD", "PROC_FS", "SYSFS",
              "BINFMT_ELF", "BINFMT_SCRIPT", "FUTEX", "EPOLL", "EVENTFD", "SIGNALFD", "TIMERFD", "UNIX",
              "HW_RANDOM_VIRTIO"]
    assert {name: options.get("CONFIG_" + name) for name in needed} == {name: "y" for name in needed}
    assert options["CONFIG_MODULES"] == "n"  # build_guest.py packs no .ko files for this kernel
    assert options["CONFIG_ACPI"] == "n"
    # lab_domain.nested_domain_xml boots the vmlinux through its PVH entry point
    assert options["CONFIG_HYPERVISOR_GUEST"] == options["CONFIG_PVH"] == "y"
    # measured slow in the nested boot (initcall_debug) and unused there
    for name in ("LEGACY_PTYS", "UNIX98_PTYS", "VGA_ARB", "ETHTOOL_NETLINK"):
        assert options["CONFIG_" + name] == "n", name
    assert options["CONFIG_SERIAL_8250_NR_UARTS"] == options["CONFIG_SERIAL_8250_RUNTIME_UARTS"] == "1"


def test_kernel_build_keeps_the_pvh_vmlinux():
    with open(os.path.join(REPO, "lab", "kernel", "build.sh")) as handle:
        script = handle.read()
    assert 'strip -o "$out.tmp/vmlinux" "$src/vmlinux"' in script
    # a cached kernel from before (no vmlinux) is rebuilt, not reused
    assert '[ -s "$out/vmlinuz" ] && [ -s "$out/vmlinux" ]' in script


def nested_xml():
    import lab_domain as guests  # lab/lab_domain.py (pytest.ini's pythonpath)
    return guests, guests.nested_domain_xml("npiv-nested-guest", "/var/tmp/scsi-virt-npiv/nested",
                                            guests.NESTED_CONSOLE)


def test_nested_domain_boots_the_pvh_vmlinux_without_what_it_does_not_use():
    guests, text = nested_xml()
    root = ET.fromstring(text)
    assert root.get("type") == "qemu" and root.findtext("os/type") == "hvm"
    assert root.find("os/type").get("machine") == "pc"
    assert root.findtext("os/kernel") == "/var/tmp/scsi-virt-npiv/nested/vmlinux"
    assert root.findtext("os/initrd") == "/var/tmp/scsi-virt-npiv/nested/initrd.img"
    assert root.findtext("memory") == str(guests.NESTED_MEMORY_MIB)
    controllers = {(c.get("type"), c.get("model")): c for c in root.findall("devices/controller")}
    assert set(controllers) == {("usb", "none"), ("scsi", "virtio-scsi"), ("virtio-serial", None)}
    assert controllers[("virtio-serial", None)].get("ports") == "2"
    assert [c.find("target").get("name") for c in root.findall("devices/channel")] == ["org.qemu.guest_agent.0"]
    assert root.find("devices/serial/source").get("path") == guests.NESTED_CONSOLE
    assert root.find("devices/memballoon").get("model") == "none"
    assert root.find("devices/rng").get("model") == "virtio"
    # libvirt's DAC relabelling stays: QEMU gets the hotplugged LUNs (/dev/sdX, /dev/sgN) through it
    assert root.find("seclabel") is None
    assert root.find("devices/input") is None and root.find("devices/graphics") is None
    # the main lab's guest keeps its own domain (bzImage, libvirt's default controllers)
    main = ET.fromstring(guests.domain_xml("x", "/d", "/l", 256, guests.CMDLINE))
    assert main.findtext("os/kernel") == "/d/vmlinuz" and main.find("devices/controller[@type='usb']") is None


def test_nested_cmdline():
    guests, text = nested_xml()
    cmdline = ET.fromstring(text).findtext("os/cmdline").split()
    assert cmdline == guests.NESTED_CMDLINE.split()
    assert set(guests.QUIET_CMDLINE.split()) <= set(cmdline)
    for option in ("scsi_mod.scan=manual", "no_timer_check", "noapictimer"):
        assert option in cmdline, option
    assert [int(option[4:]) > 0 for option in cmdline if option.startswith("lpj=")] == [True]


def test_nested_domain_xml_validates(tmp_path, lab_missing):
    if not (shutil.which("xmllint") and os.path.isdir("/usr/share/libvirt/schemas")):
        lab_missing("needs xmllint and libvirt's schemas (scripts/bootstrap.sh installs them)")
    _guests, text = nested_xml()
    path = tmp_path / "nested.xml"
    path.write_text(text)
    run = subprocess.run(["xmllint", "--noout", "--relaxng", "/usr/share/libvirt/schemas/domain.rng", str(path)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
