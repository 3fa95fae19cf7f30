#!/usr/bin/python
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: guest_scsi_pr
short_description: SCSI-3 persistent reservations on a LUN, from inside a running guest
version_added: 0.2.0
description:
  - Runs C(sg_persist) (sg3-utils) inside a running libvirt domain through qemu-guest-agent, on the guest's SCSI
    disk selected by O(wwn) and/or O(address) (never by C(sdX) name), and returns the LUN's registered keys and
    reservation as that guest reads them.
  - Sends one PERSISTENT RESERVE OUT action (O(action)) as that guest, which is what a cluster's fencing agent
    (Pacemaker C(fence_scsi), Windows failover clustering) does, or tries a test write to prove that the guest
    may or may not write (O(action=write)).
  - With a shared C(device='lun') each guest is its own initiator at the target (for iSCSI sources give each
    guest its own initiator IQN), so the target fences one guest from the other.
  - The role C(scsi.virt.guest_cluster_lun) uses it to prove fencing between two guests sharing a LUN.
  - Check mode reads the state only; it reports whether the action would change it, sends nothing and writes
    nothing.
extends_documentation_fragment:
  - scsi.virt.connection
  - scsi.virt.attributes
options:
  domain:
    description: Name of the running domain. It needs qemu-guest-agent, C(sg_persist) and busybox C(dd) or coreutils.
    type: str
    required: true
    aliases: [name]
  wwn:
    description: The LUN's NAA WWN as the guest sees it (16 or 32 hex digits, C(0x)/C(naa.) prefix allowed).
    type: str
  address:
    description: The LUN's SCSI address in the guest, C(H:B:T:L). Give it with O(wwn) when two disks share a WWN.
    type: str
  action:
    description:
      - V(status) reads the keys and the reservation (never changes anything).
      - V(register) registers O(key) for this guest (REGISTER AND IGNORE EXISTING KEY); unchanged when O(key) is
        already registered.
      - V(unregister) removes this guest's registration (which releases a reservation it holds).
      - V(reserve) takes a reservation of O(type) with O(key) (registered first); unchanged when it is held so.
      - V(release) releases this guest's reservation of O(type); unchanged when O(key) does not hold one.
      - V(preempt) removes the registration of O(preempt_key) (and takes over its reservation) with O(key);
        unchanged when O(preempt_key) is not registered.
      - V(clear) removes every registration and the reservation; unchanged when nothing is registered.
      - V(write) reads one 4 KiB block at O(write_block) and writes the same bytes back with O_DIRECT; the result
        tells whether the LUN accepted the write or answered RESERVATION CONFLICT. The data does not change, so
        this is never C(changed); in check mode nothing is written.
    type: str
    choices: [status, register, unregister, reserve, release, preempt, clear, write]
    default: status
  key:
    description: This guest's reservation key, a non-zero number of up to 16 hex digits (C(0xa1), C(a1)).
    type: str
  preempt_key:
    description: For O(action=preempt), the key to remove (the fenced guest's).
    type: str
  type:
    description:
      - Reservation type (SPC-3 codes). 1 Write Exclusive, 3 Exclusive Access, 5 Write Exclusive - Registrants Only,
        6 Exclusive Access - Registrants Only, 7 Write Exclusive - All Registrants, 8 Exclusive Access - All Registrants.
      - 5 is what C(fence_scsi) uses.
    type: int
    choices: [1, 3, 5, 6, 7, 8]
    default: 5
  write_block:
    description: The 4 KiB block that O(action=write) reads and writes back.
    type: int
    default: 1
  agent_timeout:
    description: Seconds to wait for the guest agent to answer, and for each command run in the guest to finish.
    type: int
    default: 60
attributes:
  check_mode:
    support: full
    details: Reads the reservation state and predicts the change; sends no PERSISTENT RESERVE OUT and writes nothing.
  diff_mode:
    support: full
    details: The diff shows the registered keys and the reservation before and after.
requirements:
  - qemu-guest-agent and sg3-utils (C(sg_persist)) in the guest
seealso:
  - module: scsi.virt.guest_scsi_info
  - name: sg_persist(8)
    link: https://man7.org/linux/man-pages/man8/sg_persist.8.html
    description: The tool this module runs in the guest.
author:
  - scsi.virt maintainers (@scsi-virt)
"""

EXAMPLES = r"""
- name: Node 1 registers and reserves the cluster LUN (Write Exclusive - Registrants Only)
  scsi.virt.guest_scsi_pr:
    domain: node1
    wwn: "0x60000000000000000e00000000010003"
    action: reserve
    key: "0xa1"

- name: Node 2 registers its own key
  scsi.virt.guest_scsi_pr:
    domain: node2
    wwn: "0x60000000000000000e00000000010003"
    action: register
    key: "0xb2"

- name: Node 1 fences node 2
  scsi.virt.guest_scsi_pr:
    domain: node1
    wwn: "0x60000000000000000e00000000010003"
    action: preempt
    key: "0xa1"
    preempt_key: "0xb2"

- name: Node 2 can no longer write
  scsi.virt.guest_scsi_pr:
    domain: node2
    wwn: "0x60000000000000000e00000000010003"
    action: write
  register: fenced
  failed_when: not fenced.write.reservation_conflict
"""

RETURN = r"""
device:
  description: The guest SCSI disk the module used.
  returned: always
  type: dict
  sample: {address: "0:0:0:3", wwn: 60000000000000000e00000000010003, block: sda, generic: sg0}
registered_keys:
  description:
    - Registered reservation keys after the action (C(0x) hex, as the guest reads them).
    - Not named C(keys), which Jinja's dot notation would take for the dict method C(keys()).
  returned: always
  type: list
  elements: str
  sample: ["0xa1", "0xb2"]
reservation:
  description: The reservation after the action, or null when none is held.
  returned: always
  type: dict
  sample: {key: "0xa1", type: 5, type_name: "Write Exclusive, registrants only", scope: LU_SCOPE}
generation:
  description: The LUN's PR generation counter (it grows with each registration change).
  returned: always
  type: int
before:
  description: Keys and reservation before the action (C(registered_keys) and C(reservation)).
  returned: always
  type: dict
write:
  description: The test write's outcome (O(action=write), not in check mode).
  returned: when O(action=write) and not in check mode
  type: dict
  contains:
    ok:
      description: The LUN accepted the write.
      type: bool
    reservation_conflict:
      description: The write failed because the LUN answered RESERVATION CONFLICT (the guest kernel logged it).
      type: bool
    error:
      description: The write's error as the guest's C(dd) reported it (C(Invalid exchange) is EBADE, Linux's code for
        a reservation conflict), or null.
      type: str
    kernel_log:
      description: The guest kernel's last messages about this LUN.
      type: list
      elements: str
seconds:
  description: How long the action took in the guest (agent round trips included).
  returned: always
  type: float
"""

import time


# First: the module_utils files imported below are then compiled once, not twice (see _compile_once.py).
from ansible_collections.scsi.virt.plugins.module_utils import _compile_once  # noqa: F401 pylint: disable=unused-import
from ansible_collections.scsi.virt.plugins.module_utils._errors import ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._guest import (
    GuestAgent, PersistentReservations, find_guest_lun, parse_pr_key)
from ansible_collections.scsi.virt.plugins.module_utils._module import ScsiVirtModule, connection_spec, run_module
from ansible_collections.scsi.virt.plugins.module_utils._types import (
    ScsiAddress, parse_int, parse_lun_wwn, parse_object_name)

NEEDS_KEY = ("register", "reserve", "release", "preempt", "clear")


def would_change(action, key, preempt_key, pr_type, state):
    """Whether ``action`` changes the LUN's PR ``state`` (a pure decision: check mode and real runs share it)."""
    keys, reservation = state["keys"], state["reservation"]
    if action == "register":
        return key not in keys
    if action == "unregister":
        return key is None or key in keys
    if action == "reserve":
        return not (reservation and reservation["key"] == key and reservation["type"] == pr_type)
    if action == "release":
        return bool(reservation and reservation["key"] == key)
    if action == "preempt":
        return preempt_key in keys or bool(reservation and reservation["key"] == preempt_key)
    if action == "clear":
        return bool(keys or reservation)
    return False


def main():
    spec = connection_spec()
    spec.update(
        domain={"type": "str", "required": True, "aliases": ["name"]},
        wwn={"type": "str"},
        address={"type": "str"},
        action={"type": "str", "default": "status",
                "choices": ["status", "register", "unregister", "reserve", "release", "preempt", "clear", "write"]},
        key={"type": "str", "no_log": False},
        preempt_key={"type": "str", "no_log": False},
        type={"type": "int", "default": 5, "choices": [1, 3, 5, 6, 7, 8]},
        write_block={"type": "int", "default": 1},
        agent_timeout={"type": "int", "default": 60},
    )
    module = ScsiVirtModule(argument_spec=spec, supports_check_mode=True)

    def body(hypervisor):
        params = module.params
        action = params["action"]
        wwn = parse_lun_wwn(params["wwn"] or None, "wwn")
        address = str(ScsiAddress.parse(params["address"], "address")) if params["address"] else None
        if not (wwn or address):
            raise ValidationError("wwn", "give the LUN's wwn and/or address (the guest's H:B:T:L)")
        key = parse_pr_key(params["key"], "key") if params["key"] is not None else None
        if key is None and action in NEEDS_KEY:
            raise ValidationError("key", "is required with action=%s" % action)
        preempt_key = parse_pr_key(params["preempt_key"], "preempt_key") if params["preempt_key"] else None
        if action == "preempt" and preempt_key is None:
            raise ValidationError("preempt_key", "is required with action=preempt (the key to remove)")
        if preempt_key is not None and action != "preempt":
            raise ValidationError("preempt_key", "goes with action=preempt")
        write_block = parse_int(params["write_block"], "write_block", 0, 2 ** 40)
        timeout = parse_int(params["agent_timeout"], "agent_timeout", 1, 3600)
        dom = hypervisor.domain(parse_object_name(params["domain"], "domain"))
        if not hypervisor.domain_active(dom):
            raise ValidationError("domain", "%r is not running; reservations are sent from inside a running guest"
                                  % params["domain"])
        started = time.monotonic()
        agent = GuestAgent(dom, timeout=timeout)
        agent.wait_ready(timeout)
        device = find_guest_lun(agent.scsi_devices(), wwn, address)
        pr = PersistentReservations(agent, device)
        before = pr.status()
        changed = would_change(action, key, preempt_key, params["type"], before)
        after = before
        result = {}
        if action == "write" and not module.check_mode:
            result["write"] = pr.write(write_block)
        elif changed and not module.check_mode:
            if action == "reserve" and key not in before["keys"]:
                pr.out("register", key)
            pr.out(action, key, preempt_key, params["type"])
            after = pr.status()
        result.update({
            "changed": changed,
            "device": {k: device.get(k) for k in ("address", "wwn", "block", "generic")},
            "registered_keys": after["keys"], "reservation": after["reservation"], "generation": after["generation"],
            "before": {"registered_keys": before["keys"], "reservation": before["reservation"]},
            "seconds": round(time.monotonic() - started, 3),
        })
        if module._diff:
            result["diff"] = {"before": {"keys": before["keys"], "reservation": before["reservation"]},
                              "after": {"keys": after["keys"], "reservation": after["reservation"]}}
        return result

    run_module(module, body)


if __name__ == "__main__":
    main()
