#!/usr/bin/env python3
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the NPIV lab's nested guest boot (TCG in TCG) spends its time: one traced boot.

    trace_nested.py URI NPIV_DIR GUEST_DIR [CMDLINE [SYSTEM_MAP [SAMPLE_SECONDS]]]

Boots GUEST_DIR (vmlinuz + initrd.img, or vmlinux for a PVH direct boot: see lab_domain.nested_domain_xml)
as the domain ``npiv-nested-trace`` on the NPIV lab at URI (state directory NPIV_DIR) the way the test does,
and prints a timeline on the host's clock (seconds since the define call, and CPU seconds of the NPIV guest's
QEMU): define and start returning, every line of the nested serial console as it reaches the host (the NPIV
guest copies /tmp/npiv-nested-console.log to NPIV_DIR/nested-console.log), and every SAMPLE_SECONDS (default
1) where the nested vCPU is (QEMU's `info registers` through the monitor: firmware/real mode, kernel (the
symbol, given the kernel's System.map), user space, halted), until the guest agent answers. CMDLINE defaults
to lab_domain.NESTED_CMDLINE; e.g. add ``printk.time=1 initcall_debug`` and drop ``quiet`` to time the
kernel's initcalls (their addresses map to names through SYSTEM_MAP). SAMPLE_SECONDS 0 samples nothing. The
environment variable TRACE_XML_EDITS, a JSON list of [old, new] string pairs, edits the domain XML for an
experiment (e.g. another firmware: [["</os>", "<loader type='rom'>/usr/share/qemu/qboot.rom</loader></os>"]]).
The domain is removed afterwards.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import sys
import time

import libvirt
import libvirt_qemu

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # lab/
import lab_domain  # noqa: E402  (found through the line above)

NAME = "npiv-nested-trace"


class Symbols:
    def __init__(self, path):
        self.addresses, self.names = [], []
        if path:
            with open(path) as handle:
                for line in handle:
                    address, kind, name = line.split()[:3]
                    if kind.lower() in "tw":
                        self.addresses.append(int(address, 16))
                        self.names.append(name)

    def name(self, address):
        at = bisect.bisect_right(self.addresses, address) - 1
        return self.names[at] if at >= 0 else hex(address)

    def expand(self, text):
        return re.sub(r"0x(ffffffff[0-9a-f]{8})", lambda m: "%s(%s)" % (m.group(0), self.name(int(m.group(1), 16))),
                      text)


def where(dom, symbols):
    """Where the nested vCPU is, from QEMU's `info registers`."""
    try:
        text = libvirt_qemu.qemuMonitorCommand(dom, "info registers", libvirt_qemu.VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP)
    except libvirt.libvirtError as exc:
        return "(monitor: %s)" % exc.get_error_message()
    rip = int(re.search(r"[ER]IP=([0-9a-f]+)", text).group(1), 16)
    cpl = int(re.search(r"CPL=(\d)", text).group(1))
    halted = "HLT=1" in text
    cs = re.search(r"CS =([0-9a-f]+) ([0-9a-f]+)", text)
    if rip < 0x100000 or (cs and int(cs.group(2), 16) and rip < 0x100000000):
        place = "firmware/real mode rip=%x cs=%s" % (rip, cs.group(1) if cs else "?")
    elif rip >= 0xffff800000000000:
        place = "kernel %s" % symbols.name(rip)
    elif cpl == 3:
        place = "user rip=%x" % rip
    else:
        place = "cpl%d rip=%x" % (cpl, rip)
    return ("halted " if halted else "") + place


def main(uri, state, guest_dir, cmdline=None, system_map=None, sample=1.0):
    symbols = Symbols(system_map)
    libvirt.registerErrorHandler(lambda *_: None, None)
    conn = libvirt.open(uri)
    with open(os.path.join(state, "qemu.pid")) as handle:
        pid = int(handle.read().strip())
    console = os.path.join(state, "nested-console.log")
    lab_domain.remove_guest(conn, NAME)
    offset = os.path.getsize(console) if os.path.exists(console) else 0
    cmdline = cmdline or lab_domain.NESTED_CMDLINE
    cpu0, t0 = lab_domain.process_cpu_seconds(pid), time.monotonic()

    def event(text):
        print("%7.2f %7.2f  %s" % (time.monotonic() - t0, lab_domain.process_cpu_seconds(pid) - cpu0, text),
              flush=True)

    pending = b""

    def read_console():
        nonlocal offset, pending
        try:
            with open(console, "rb") as handle:
                handle.seek(offset)
                data = handle.read()
        except OSError:
            return
        offset += len(data)
        pending += data
        *lines, pending = pending.split(b"\n")
        for line in lines:
            line = line.decode("utf-8", "replace").rstrip("\r")
            if line:
                event("console| " + symbols.expand(line))

    xml = lab_domain.nested_domain_xml(NAME, guest_dir, lab_domain.NESTED_CONSOLE, cmdline=cmdline)
    for old, new in json.loads(os.environ.get("TRACE_XML_EDITS", "[]")):
        xml = xml.replace(old, new)
    try:
        dom = conn.defineXML(xml)
        event("defined")
        dom.create()
        event("started (QEMU running, vCPU resumed)")
        next_sample = time.monotonic()
        while True:
            read_console()
            try:
                libvirt_qemu.qemuAgentCommand(dom, json.dumps({"execute": "guest-ping"}), 5, 0)
                event("agent answers")
                break
            except libvirt.libvirtError:
                pass
            if not dom.isActive():
                event("domain stopped")
                break
            if sample and time.monotonic() >= next_sample:
                event("vcpu: " + where(dom, symbols))
                next_sample = time.monotonic() + sample
            if time.monotonic() - t0 > 600:
                event("gave up after 600 s")
                break
            time.sleep(0.1)
        time.sleep(1)
        read_console()
    finally:
        lab_domain.remove_guest(conn, NAME)


if __name__ == "__main__":
    args = sys.argv[1:]
    main(*args[:5], *([float(args[5])] if len(args) > 5 else []))
