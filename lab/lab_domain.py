#!/usr/bin/env python3
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Define/start/remove the lab guest through libvirt-python.

    lab_domain.py up NAME GUEST_DIR LOG   # define, start, wait for the guest agent
    lab_domain.py down NAME
    lab_domain.py boot-nested URI GUEST_DIR   # the NPIV lab's nested guest: define and start, no wait
"""

from __future__ import annotations

import json
import os
import sys
import time

import libvirt
import libvirt_qemu

URI = "qemu:///system"

# The lab's guests, each booted straight into its kernel: the main lab's guest (lab/lab.sh) and, with the
# parameters nested_domain_xml gives, the NPIV lab's nested guest (domain_xml fills it in).
# <rng>: an entropy source, so the guest kernel need not gather its own (slow under TCG, slower in TCG in TCG).
# Added with the nested guest's other changes; not measured apart from them.
_DOMAIN = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>{memory}</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{dir}/{kernel}</kernel>
    <initrd>{dir}/initrd.img</initrd>
    <cmdline>{cmdline}</cmdline>
  </os>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
{controllers}
    <channel type='unix'>
      <target type='virtio' name='org.qemu.guest_agent.0'/>
    </channel>
    <serial type='file'>
      <source path='{log}'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
    <rng model='virtio'>
      <backend model='random'>/dev/urandom</backend>
    </rng>
  </devices>
</domain>"""


def domain_xml(name, guest_dir, log, memory_mib, cmdline, kernel="vmlinuz", usb=True, virtio_serial_ports=None):
    """A lab guest's domain XML: ``kernel`` (a file in ``guest_dir``, beside initrd.img) and ``cmdline`` booted
    directly; the serial console goes to the file ``log``. ``usb=False`` turns off the USB controller libvirt
    would add (piix3-uhci); ``virtio_serial_ports`` sets how many ports the virtio-serial controller (which
    carries the guest agent's channel) has, instead of QEMU's default 31. The defaults are the main lab's guest."""
    controllers = ["<controller type='scsi' index='0' model='virtio-scsi'/>"]
    if not usb:
        controllers.insert(0, "<controller type='usb' model='none'/>")
    if virtio_serial_ports:
        controllers.append("<controller type='virtio-serial' index='0' ports='%d'/>" % virtio_serial_ports)
    return _DOMAIN.format(name=name, dir=guest_dir, log=log, memory=memory_mib, cmdline=cmdline, kernel=kernel,
                          controllers="\n".join("    " + line for line in controllers))


class GuestNotReady(Exception):
    """The guest stopped, or its agent did not answer in time."""


# ``quiet``: each console byte is an emulated UART write. Measured for the nested guest at load ~4.5: 204 s
# with the kernel's messages, 115 s without; on an idle machine the difference was within the noise. The
# guest's own /init lines still reach the console.
CMDLINE = "console=ttyS0 panic=-1"
QUIET_CMDLINE = CMDLINE + " quiet"
# The NPIV lab's nested guest: no SCSI scan by the kernel while it boots (its scan of the 256 possible
# virtio-scsi targets, one emulated request each, took ~4 s of a TCG-in-TCG boot). Its /init sets the scan
# type back to sync (hotplug needs it) and starts the same scan in the background (lab/build_guest.py NESTED_INIT).
NESTED_CMDLINE = QUIET_CMDLINE + " scsi_mod.scan=manual lpj=40000 no_timer_check noapictimer"
# A budget in CPU seconds still needs a wall-clock end (a wedged emulator that spins forever): this
# many times the CPU budget, so a machine busy enough to give the emulator a fifth of a core still passes.
WALL_PER_CPU_SECOND = 5


def process_cpu_seconds(pid):
    """User + system CPU seconds the host process ``pid`` has had so far (from /proc/PID/stat)."""
    with open("/proc/%d/stat" % pid) as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class BootClock:
    """How far a TCG guest's boot may go: CPU seconds its emulator got, or wall seconds.

    On a busy machine an emulated guest gets less CPU and so boots later by the wall clock, while the
    CPU time it needs grows far less. With ``pid`` (a callable giving the PID of the host process that
    emulates the guest) the limit is in that process's CPU seconds, capped by ``wall_limit`` wall seconds
    (default WALL_PER_CPU_SECOND times the limit); without, it is in wall seconds.
    """

    def __init__(self, limit, pid=None, wall_limit=None):
        self.limit, self.pid = limit, pid
        self.wall_limit = wall_limit or limit * WALL_PER_CPU_SECOND
        self.wall0, self.cpu0 = time.monotonic(), None
        self._cpu_pid = None

    def _cpu(self):
        if self.pid is None:
            return None
        try:
            if self._cpu_pid is None:
                self._cpu_pid = self.pid()
            return process_cpu_seconds(self._cpu_pid)
        except (OSError, ValueError, TypeError):
            return None  # the emulator has not started yet, or is gone: the wall clock still runs

    def spent(self):
        """(wall seconds, CPU seconds or None) since the clock started."""
        cpu = self._cpu()
        if cpu is not None and self.cpu0 is None:
            self.cpu0 = cpu
        return time.monotonic() - self.wall0, None if cpu is None else cpu - self.cpu0

    def over(self):
        wall, cpu = self.spent()
        if self.pid is None:
            return wall > self.limit
        return (cpu or 0) > self.limit or wall > self.wall_limit

    def describe(self):
        wall, cpu = self.spent()
        if self.pid is None or cpu is None:
            return "%.1f s (limit %d s)" % (wall, self.limit)
        return "%.1f s, %.1f CPU s of its emulator (limit %d CPU s or %d s)" % (
            wall, cpu, self.limit, self.wall_limit)


def libvirt_qemu_pid(name):
    """The PID of a local qemu:///system domain's QEMU process."""
    with open("/var/run/libvirt/qemu/%s.pid" % name) as handle:
        return int(handle.read().strip())


def start_guest(conn, name, guest_dir, log, memory_mib=256, timeout=120, cmdline=CMDLINE, emulator_pid=None,
                wall_limit=None, stats=None, xml=None):
    """Define (if needed) and start the guest on ``conn``; return (domain, seconds until its agent answered).

    ``timeout`` is in CPU seconds of the emulating process when ``emulator_pid`` (a callable) is given
    (see BootClock; ``wall_limit`` caps it), else in wall seconds. ``stats``, a dict, receives "wall",
    "cpu" and "text" (how long it took, for the caller to print). Also used by tests/npiv for the nested
    guest inside the NPIV lab.
    """
    clock = BootClock(timeout, emulator_pid, wall_limit)
    try:
        dom = conn.lookupByName(name)
    except libvirt.libvirtError:
        xml = xml or domain_xml(name, guest_dir, log, memory_mib, cmdline)
        dom = conn.defineXML(xml)
    if not dom.isActive():
        dom.create()
    clock.spent()  # the CPU clock starts once the emulator runs
    while True:
        try:
            libvirt_qemu.qemuAgentCommand(dom, json.dumps({"execute": "guest-ping"}), 5, 0)
            wall, cpu = clock.spent()
            if stats is not None:
                stats.update(wall=wall, cpu=cpu, text=clock.describe())
            return dom, wall
        except libvirt.libvirtError as exc:
            if not dom.isActive():
                raise GuestNotReady("guest %s stopped while booting (see %s)" % (name, log))
            if clock.over():
                raise GuestNotReady("the agent of guest %s did not answer within %s: %s (see %s)"
                                    % (name, clock.describe(), exc.get_error_message(), log))
            time.sleep(0.5)


# The nested guest in the NPIV lab (tests/npiv/test_nested_guest.py): 96 MiB boots as fast as 128 or 256 and
# with 64 MiB nothing reached the console in 5 min, so 128 for headroom; no <acpi/> (with it the boot was
# slower). Its console is a file inside the NPIV guest, which copies it to the host (lab/npiv/stage2.sh).
NESTED_NAME = "npiv-nested-guest"
NESTED_MEMORY_MIB = 128
NESTED_CONSOLE = "/tmp/npiv-nested-console.log"


def nested_domain_xml(name, guest_dir, log, cmdline=None, memory_mib=None):
    """The nested guest's domain XML.

    The nested guest runs TCG inside TCG, where every emulated device access, firmware step and guest instruction
    is slow: it is the main lab's guest minus what it does not use, each measured (lab/npiv/README.md). It keeps
    libvirt's DAC relabelling (QEMU runs as libvirt-qemu and is given each hotplugged LUN by it): without it
    (seclabel none) the tests' live attach of /dev/sdX failed, QEMU could not open it.
    """
    return domain_xml(name, guest_dir, log, memory_mib or NESTED_MEMORY_MIB,
                      NESTED_CMDLINE if cmdline is None else cmdline,
                      # the uncompressed vmlinux, which QEMU loads itself and enters through its PVH entry point
                      # (lab/kernel/nested.config): no real-mode setup code, no decompression by emulated code
                      kernel="vmlinux",
                      # no USB controller (the main guest gets libvirt's default piix3-uhci: SeaBIOS and the
                      # kernel probe it for nothing)
                      usb=False,
                      # 2 virtio-serial ports instead of QEMU's default 31 (the guest driver sets up two
                      # virtqueues per port: 1 s of its boot)
                      virtio_serial_ports=2)


def boot_nested(uri, guest_dir):
    """Define and start the NPIV lab's nested guest without waiting for it (npiv.sh up starts its long TCG
    in TCG boot this way, so that it runs while the other NPIV tests do)."""
    conn = libvirt.open(uri)
    remove_guest(conn, NESTED_NAME)
    conn.defineXML(nested_domain_xml(NESTED_NAME, guest_dir, NESTED_CONSOLE)).create()


def remove_guest(conn, name):
    """Destroy and undefine the guest; True if there was one."""
    try:
        dom = conn.lookupByName(name)
    except libvirt.libvirtError:
        return False
    if dom.isActive():
        dom.destroy()
    dom.undefine()
    return True


def up(name, guest_dir, log):
    libvirt.registerErrorHandler(lambda *_: None, None)
    try:
        stats = {}
        # Measured: 7.4-9.1 s, 6.8-8.1 CPU s on an idle machine (two guests booting side by side).
        start_guest(libvirt.open(URI), name, guest_dir, log, timeout=120, emulator_pid=lambda: libvirt_qemu_pid(name),
                    stats=stats)
    except GuestNotReady as exc:
        sys.exit("lab: %s" % exc)
    print("lab: guest %s answers its agent after %s" % (name, stats["text"]))


def down(name):
    libvirt.registerErrorHandler(lambda *_: None, None)
    try:
        conn = libvirt.open(URI)
    except libvirt.libvirtError:
        return
    if remove_guest(conn, name):
        print("lab: guest %s removed" % name)


if __name__ == "__main__":
    libvirt.registerErrorHandler(lambda *_: None, None)
    {"up": lambda: up(*sys.argv[2:5]), "down": lambda: down(sys.argv[2]),
     "boot-nested": lambda: boot_nested(*sys.argv[2:4])}[sys.argv[1]]()
