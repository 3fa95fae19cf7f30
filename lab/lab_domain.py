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
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{dir}/vmlinuz</kernel>
    <initrd>{dir}/initrd.img</initrd>
    <cmdline>console=ttyS0 panic=-1</cmdline>
  </os>
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


def up(name, guest_dir, log):
    libvirt.registerErrorHandler(lambda *_: None, None)
    conn = libvirt.open(URI)
    start = time.monotonic()
    try:
        dom = conn.lookupByName(name)
    except libvirt.libvirtError:
        dom = conn.defineXML(DOMAIN.format(name=name, dir=guest_dir, log=log))
    if not dom.isActive():
        dom.create()
    deadline = time.monotonic() + 120
    while True:
        try:
            libvirt_qemu.qemuAgentCommand(dom, json.dumps({"execute": "guest-ping"}), 5, 0)
            break
        except libvirt.libvirtError as exc:
            if time.monotonic() > deadline:
                sys.exit("lab: the guest agent did not answer within 120 s: %s (see %s)" % (exc, log))
            time.sleep(0.5)
    print("lab: guest %s answers its agent, %.1f s after start" % (name, time.monotonic() - start))


def down(name):
    libvirt.registerErrorHandler(lambda *_: None, None)
    try:
        conn = libvirt.open(URI)
        dom = conn.lookupByName(name)
    except libvirt.libvirtError:
        return
    if dom.isActive():
        dom.destroy()
    dom.undefine()
    print("lab: guest %s removed" % name)


if __name__ == "__main__":
    {"up": lambda: up(*sys.argv[2:5]), "down": lambda: down(sys.argv[2])}[sys.argv[1]]()
