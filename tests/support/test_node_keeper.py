# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hold libvirtd's shared test driver (test+unix:///default) open and seed it, for playbook tests.

libvirt's test driver keeps its state only while a connection is open; each Ansible task is a
new process, so this keeper holds one connection for the whole run.

    test_node_keeper.py start PIDFILE   # seed guests/pools, hold the connection (daemonizes)
    test_node_keeper.py stop PIDFILE
"""

from __future__ import annotations

import os
import signal
import sys
import time

URI = os.environ.get("SCSI_VIRT_TEST_URI", "test+unix:///default")

GUEST = """<domain type='test'>
  <name>molecule-guest</name>
  <memory unit='KiB'>262144</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <source file='/var/lib/libvirt/images/molecule-guest.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>"""


def start(pidfile):
    import libvirt

    libvirt.registerErrorHandler(lambda *_: None, None)
    read_fd, write_fd = os.pipe()
    if os.fork():
        os.close(write_fd)
        status = os.read(read_fd, 1000).decode()
        if status != "ok":
            sys.exit("test node keeper failed: %s" % status)
        return
    os.setsid()
    os.close(read_fd)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = libvirt.open(URI)
                break
            except libvirt.libvirtError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        names = {d.name() for d in conn.listAllDomains()}
        if "molecule-guest" not in names:
            conn.defineXML(GUEST)
        with open(pidfile, "w") as handle:
            handle.write(str(os.getpid()))
        os.write(write_fd, b"ok")
    except Exception as exc:  # report to the parent, which exits non-zero
        os.write(write_fd, str(exc).encode())
        os._exit(1)
    os.close(write_fd)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        time.sleep(3600)


def stop(pidfile):
    try:
        pid = int(open(pidfile).read())
    except (OSError, ValueError):
        return
    try:
        os.kill(pid, signal.SIGTERM)
        for _attempt in range(50):
            os.kill(pid, 0)
            time.sleep(0.1)
    except ProcessLookupError:
        pass
    os.unlink(pidfile)


if __name__ == "__main__":
    {"start": start, "stop": stop}[sys.argv[1]](sys.argv[2])
