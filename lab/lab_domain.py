#!/usr/bin/env python3
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Define/start/remove the lab guest through libvirt-python.

    lab_domain.py up NAME GUEST_DIR LOG   # define, start, wait for the guest agent
    lab_domain.py down NAME
"""

from __future__ import annotations

import json
import sys
import time

import libvirt
import libvirt_qemu

URI = "qemu:///system"

DOMAIN = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>{memory}</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{dir}/vmlinuz</kernel>
    <initrd>{dir}/initrd.img</initrd>
    <cmdline>console=ttyS0 panic=-1</cmdline>
  </os>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='scsi' index='0' model='virtio-scsi'/>
    <channel type='unix'>
      <target type='virtio' name='org.qemu.guest_agent.0'/>
    </channel>
    <serial type='file'>
      <source path='{log}'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>"""


class GuestNotReady(Exception):
    """The guest stopped, or its agent did not answer in time."""


def start_guest(conn, name, guest_dir, log, memory_mib=256, timeout=120):
    """Define (if needed) and start the guest on ``conn``; return (domain, seconds until its agent answered).

    Also used by tests/npiv for the nested guest inside the NPIV lab.
    """
    started = time.monotonic()
    try:
        dom = conn.lookupByName(name)
    except libvirt.libvirtError:
        dom = conn.defineXML(DOMAIN.format(name=name, dir=guest_dir, log=log, memory=memory_mib))
    if not dom.isActive():
        dom.create()
    while True:
        try:
            libvirt_qemu.qemuAgentCommand(dom, json.dumps({"execute": "guest-ping"}), 5, 0)
            return dom, time.monotonic() - started
        except libvirt.libvirtError as exc:
            if not dom.isActive():
                raise GuestNotReady("guest %s stopped while booting (see %s)" % (name, log))
            if time.monotonic() - started > timeout:
                raise GuestNotReady("the agent of guest %s did not answer within %d s: %s (see %s)"
                                    % (name, timeout, exc.get_error_message(), log))
            time.sleep(0.5)


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
        _dom, seconds = start_guest(libvirt.open(URI), name, guest_dir, log)
    except GuestNotReady as exc:
        sys.exit("lab: %s" % exc)
    print("lab: guest %s answers its agent, %.1f s after start" % (name, seconds))


def down(name):
    libvirt.registerErrorHandler(lambda *_: None, None)
    try:
        conn = libvirt.open(URI)
    except libvirt.libvirtError:
        return
    if remove_guest(conn, name):
        print("lab: guest %s removed" % name)


if __name__ == "__main__":
    {"up": lambda: up(*sys.argv[2:5]), "down": lambda: down(sys.argv[2])}[sys.argv[1]]()
