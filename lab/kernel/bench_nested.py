#!/usr/bin/env python3
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Time the NPIV lab's nested guest boot (TCG in TCG) for several guest builds, interleaved.

    bench_nested.py URI NPIV_QEMU_PIDFILE ROUNDS LABEL=GUEST_DIR[,XML[,CMDLINE]] [LABEL=GUEST_DIR[,XML[,CMDLINE]] ...]

Each round boots every GUEST_DIR (a lab/build_guest.py output: vmlinux or vmlinuz + initrd.img, at a path the
NPIV guest also sees through its 9p root) in turn as the domain ``npiv-nested-bench`` on the NPIV lab's libvirtd
at URI, the way tests/npiv/test_nested_guest.py does (lab_domain.start_guest, same memory and devices), until
its agent answers; prints the wall seconds, the CPU seconds of the NPIV guest's QEMU on the host (which emulates
the nested guest) and the host's load, then removes the domain. XML is the domain: ``nested`` (the default,
lab_domain.nested_domain_xml: PVH boot of vmlinux, no USB, ...) or ``main`` (lab_domain.domain_xml, the main lab's
guest, which boots vmlinuz: builds made before the nested domain had its own settings); CMDLINE is the kernel
command line (default lab_domain.NESTED_CMDLINE; no commas), e.g. "console=ttyS0 panic=-1 quiet
scsi_mod.scan=manual" for builds made before its other options.
"""

from __future__ import annotations

import os
import sys

import libvirt

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # lab/
import lab_domain  # noqa: E402  (found through the line above)

NAME = "npiv-nested-bench"
DOMAINS = {"nested": lab_domain.nested_domain_xml, "main": lab_domain.domain_xml}


def main(uri, pidfile, rounds, builds):
    libvirt.registerErrorHandler(lambda *_: None, None)
    conn = libvirt.open(uri)

    def qemu_pid():
        with open(pidfile) as handle:
            return int(handle.read().strip())

    print("label\tround\twall_s\tcpu_s\tload1")
    for round_no in range(1, rounds + 1):
        for label, guest_dir, domain, cmdline in builds:
            lab_domain.remove_guest(conn, NAME)
            stats = {}
            xml = DOMAINS[domain](NAME, guest_dir, "/tmp/%s-console.log" % NAME,
                                  memory_mib=lab_domain.NESTED_MEMORY_MIB, cmdline=cmdline or lab_domain.NESTED_CMDLINE)
            try:
                lab_domain.start_guest(conn, NAME, guest_dir, None, timeout=900, emulator_pid=qemu_pid,
                                       wall_limit=1800, stats=stats, xml=xml)
                wall, cpu = "%.1f" % stats["wall"], "%.1f" % stats["cpu"]
            except lab_domain.GuestNotReady as exc:
                wall, cpu = "fail", str(exc)
            finally:
                lab_domain.remove_guest(conn, NAME)
            print("%s\t%d\t%s\t%s\t%.2f" % (label, round_no, wall, cpu, os.getloadavg()[0]), flush=True)


if __name__ == "__main__":
    def build(arg):
        label, spec = arg.split("=", 1)
        guest_dir, domain, cmdline = (spec.split(",") + ["nested", ""])[:3]
        if domain not in DOMAINS:
            sys.exit("bench_nested: XML is %s, not %r" % (" or ".join(DOMAINS), domain))
        return label, guest_dir, domain, cmdline

    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), [build(arg) for arg in sys.argv[4:]])
