#!/usr/bin/python
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: guest_scsi_info
short_description: List the SCSI devices a running guest sees, from inside the guest
version_added: 0.1.0
description:
  - Asks qemu-guest-agent in a running libvirt domain to read the guest's C(/sys/bus/scsi/devices) and
    returns each SCSI device with its address (H:B:T:L as the guest numbers it), vendor, model, WWID/WWN,
    block device and size. This is how to prove that a passed-through LUN really reached the guest.
  - Find LUNs by WWN or address, never by C(sdX) name (guests name disks in probe order).
  - Optionally rescans every SCSI host in the guest first, and checks that the first blocks of each
    device can be read.
extends_documentation_fragment:
  - scsi.virt.connection
  - scsi.virt.attributes
  - scsi.virt.attributes.INFO
options:
  domain:
    description: Name of the running domain. It needs qemu-guest-agent and an C(org.qemu.guest_agent.0) channel.
    type: str
    required: true
    aliases: [name]
  rescan:
    description: Write C(- - -) to every C(/sys/class/scsi_host/host*/scan) in the guest before listing.
    type: bool
    default: false
  read_blocks:
    description: Read this many 4 KiB blocks from each block device found (0 to skip) and report C(readable).
    type: int
    default: 0
  agent_timeout:
    description:
      - Seconds to wait for the guest agent to answer (a guest that is still booting), and for each command
        the module runs in the guest (listing its SCSI devices, a rescan) to finish.
    type: int
    default: 60
  expect:
    description:
      - LUNs that must be in the guest. Each is a dict with O(expect[].wwn) and/or O(expect[].address), and
        optionally O(expect[].vendor), O(expect[].model), O(expect[].size), O(expect[].min_size) and
        O(expect[].readable) to check.
      - The module fails with a message naming each missing or different LUN.
    type: list
    elements: dict
    default: []
    suboptions:
      wwn: &wwn
        description: The LUN's NAA WWN (16 or 32 hex digits, C(0x)/C(naa.) prefixes allowed).
        type: str
      address: &address
        description: The guest's SCSI address C(H:B:T:L) (as the guest numbers it).
        type: str
      vendor:
        description: The SCSI vendor the guest must see.
        type: str
      model:
        description: The SCSI model the guest must see.
        type: str
      size:
        description: The size in bytes the guest must see.
        type: int
      min_size:
        description: The least size in bytes.
        type: int
      readable:
        description: Whether reading its first blocks must work (with O(read_blocks) above 0).
        type: bool
  absent:
    description:
      - LUNs (O(absent[].wwn) and/or O(absent[].address)) that must not be in the guest, for example after a detach.
    type: list
    elements: dict
    default: []
    suboptions:
      wwn: *wwn
      address: *address
  wait:
    description:
      - Seconds to keep re-reading (with a rescan when O(rescan=true)) until O(expect) and O(absent) hold;
        hotplug reaches a guest in about a second.
    type: int
    default: 0
requirements:
  - qemu-guest-agent running in the guest
seealso:
  - module: scsi.virt.domain_disk_lun
  - module: scsi.virt.domain_scsi_info
author:
  - scsi.virt maintainers (@scsi-virt)
"""

EXAMPLES = r"""
- name: What does the guest see?
  scsi.virt.guest_scsi_info:
    domain: db01
    rescan: true
  register: guest

- name: The LUN with this WWN must be there, readable, within 10 s
  scsi.virt.guest_scsi_info:
    domain: db01
    rescan: true
    read_blocks: 1
    wait: 10
    expect:
      - {wwn: "0x6001405abcdef012", vendor: LIO-ORG, readable: true}

- name: And a detached one must be gone
  scsi.virt.guest_scsi_info:
    domain: db01
    wait: 10
    absent:
      - {wwn: "6001405abcdef099"}
"""

RETURN = r"""
devices:
  description: SCSI devices in the guest.
  returned: always
  type: list
  elements: dict
  contains:
    address:
      description: The guest's SCSI address C(host:bus:target:lun).
      type: str
      sample: "0:0:0:1"
    host:
      description: Guest SCSI host number.
      type: int
    bus:
      description: Bus (channel).
      type: int
    target:
      description: Target.
      type: int
    lun:
      description: LUN.
      type: int
    vendor:
      description: SCSI vendor.
      type: str
      sample: IET
    model:
      description: SCSI model.
      type: str
      sample: VIRTUAL-DISK
    rev:
      description: Revision.
      type: str
    type:
      description: SCSI peripheral type (0 disk, 1 tape, 5 CD-ROM, 8 changer).
      type: int
    state:
      description: Kernel device state.
      type: str
      sample: running
    wwid:
      description: Linux WWID (C(naa.), C(t10.) or C(eui.) form).
      type: str
      sample: naa.60000000000000000e00000000010001
    wwn:
      description: The NAA WWN (hex digits) when the WWID is an C(naa.) one, else null.
      type: str
      sample: 60000000000000000e00000000010001
    block:
      description: Block device name in the guest (not stable; informational).
      type: str
      sample: sda
    generic:
      description: SCSI generic device name (C(sgN)).
      type: str
    size:
      description: Size in bytes of the block device.
      type: int
    readable:
      description: Whether the first O(read_blocks) blocks could be read (only when O(read_blocks) > 0).
      type: bool
problems:
  description: What did not match O(expect)/O(absent) (empty on success; the module fails otherwise).
  returned: always
  type: list
  elements: str
"""


import time

# First: the module_utils files imported below are then compiled once, not twice (see _compile_once.py).
from ansible_collections.scsi.virt.plugins.module_utils import _compile_once  # noqa: F401 pylint: disable=unused-import
from ansible_collections.scsi.virt.plugins.module_utils._guest import GuestAgent, lun_problems
from ansible_collections.scsi.virt.plugins.module_utils._module import ScsiVirtModule, connection_spec, run_module
from ansible_collections.scsi.virt.plugins.module_utils._types import parse_int, parse_object_name


def main():
    spec = connection_spec()
    spec.update(
        domain={"type": "str", "required": True, "aliases": ["name"]},
        rescan={"type": "bool", "default": False},
        read_blocks={"type": "int", "default": 0},
        agent_timeout={"type": "int", "default": 60},
        expect={"type": "list", "elements": "dict", "default": []},
        absent={"type": "list", "elements": "dict", "default": []},
        wait={"type": "int", "default": 0},
    )
    module = ScsiVirtModule(argument_spec=spec, supports_check_mode=True)

    def body(hypervisor):
        params = module.params
        read_blocks = parse_int(params["read_blocks"], "read_blocks", 0, 1024)
        timeout = parse_int(params["agent_timeout"], "agent_timeout", 1, 3600)
        wait = parse_int(params["wait"], "wait", 0, 3600)
        lun_problems([], params["expect"], params["absent"])  # validates the specs before touching the guest
        dom = hypervisor.domain(parse_object_name(params["domain"], "domain"))
        if not hypervisor.domain_active(dom):
            module.fail_json(msg="domain: %r is not running; its SCSI devices can only be read from a running "
                             "guest" % params["domain"])
        agent = GuestAgent(dom, timeout=timeout)
        agent.wait_ready(timeout)
        deadline = time.monotonic() + wait
        while True:
            devices = agent.scsi_devices(rescan=params["rescan"])
            if read_blocks:
                for device in devices:
                    block = device["block"]
                    device["readable"] = bool(block) and agent.read_first_blocks(block, read_blocks)
            problems = lun_problems(devices, params["expect"], params["absent"])
            if not problems or time.monotonic() >= deadline:
                break
            time.sleep(0.5)
        if problems:
            module.fail_json(msg="guest %s: %s" % (params["domain"], "; ".join(problems)), devices=devices,
                             problems=problems)
        return {"changed": False, "devices": devices, "problems": problems}

    run_module(module, body)


if __name__ == "__main__":
    main()
