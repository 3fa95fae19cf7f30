# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The NPIV lab's nested guest as built (lab/build_guest.py --profile nested, lab/kernel/nested.config):
its /init parses, its initramfs has what that /init no longer makes at boot, and its kernel config keeps
what the guest's checks need, built in."""

from __future__ import annotations

import importlib.util
import os
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FRAGMENT = os.path.join(REPO, "lab", "kernel", "nested.config")


def build_guest():
    spec = importlib.util.spec_from_file_location("build_guest", os.path.join(REPO, "lab", "build_guest.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


@pytest.mark.skipif(not os.path.exists("/bin/busybox"), reason="busybox-static is not installed")
def test_nested_init_parses_and_uses_only_what_the_initramfs_has(tmp_path):
    module = build_guest()
    init = tmp_path / "init"
    init.write_text(module.NESTED_INIT)
    assert subprocess.run(["/bin/busybox", "sh", "-n", str(init)], capture_output=True, check=False).returncode == 0
    assert "--install" not in module.NESTED_INIT  # the applet links are made at build time
    # The kernel boots with scsi_mod.scan=manual; under it, virtio-scsi's hotplug of a LUN 0 is ignored, so /init
    # must set the scan type back before the agent (and so any test) can run.
    init_text = module.NESTED_INIT
    assert 0 < init_text.index("echo sync > /sys/module/scsi_mod/parameters/scan") < init_text.index("qemu-ga")
    module.prepare_root(str(tmp_path))
    for applet in ("sh", "mount", "mkdir", "sleep", "setsid", "cat", "tr", "dd"):  # /init's and guest_scsi_info's
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
