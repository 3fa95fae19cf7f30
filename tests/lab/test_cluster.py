# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A two-guest cluster on the real lab (lab/lab.sh up): both lab guests share tgtd's cluster LUN through
QEMU's iSCSI initiator, each guest its own initiator IQN, and SCSI-3 persistent reservations fence one
guest from the other, proven inside the guests with sg_persist through qemu-guest-agent.

Prints the figures: time to attach the LUN to 2 guests, and the fence round trip.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import pytest

from ansible_collections.scsi.virt.plugins.module_utils._connection import Hypervisor
from ansible_collections.scsi.virt.plugins.module_utils._guest import GuestAgent, PersistentReservations

pytestmark = pytest.mark.lab

URI = "qemu:///system"
GUEST_A, GUEST_B = "scsi-virt-lab", "scsi-virt-lab2"
IQN = "iqn.2026-11.io.scsi-virt:lab"
CLUSTER_LUN = 3
WWN = "60000000000000000e00000000010003"  # tgt's NAA WWN for target 1, LUN 3 (lab/lab.sh)
KEY_A, KEY_B = "0xa1", "0xb2"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOK = os.path.join(REPO, "playbooks", "guest_cluster.yml")
SOURCE = {"host": "127.0.0.1", "target": IQN, "lun": CLUSTER_LUN}


@pytest.fixture
def two_guests(conn, detach_all_luns, lab_missing):
    """Both lab guests without LUN disks and SCSI hostdevs, before and after the test."""
    import libvirt
    try:
        conn.lookupByName(GUEST_B)
    except libvirt.libvirtError as exc:
        lab_missing("the second lab guest is not there (lab/lab.sh up): %s" % exc)
    for name in (GUEST_A, GUEST_B):
        detach_all_luns(URI, name)
    yield conn.lookupByName(GUEST_A), conn.lookupByName(GUEST_B)
    for name in (GUEST_A, GUEST_B):
        detach_all_luns(URI, name)


def playbook(check=False, **extra):
    """Run playbooks/guest_cluster.yml; (stdout, changed count, failed count, seconds)."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "build", "collections"),
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_NOCOLOR="1")
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", PLAYBOOK]
    if extra:
        command += ["-e", json.dumps(extra)]
    if check:
        command.append("--check")
    started = time.monotonic()
    run = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.monotonic() - started
    recap = re.search(r"localhost\s+: ok=\d+\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)", run.stdout)
    assert recap, run.stdout[-3000:] + run.stderr[-2000:]
    return run.stdout, int(recap.group(1)), int(recap.group(2)), seconds


def guest_lun(run_module, domain, **expect):
    seen = run_module("guest_scsi_info", {"uri": URI, "domain": domain, "rescan": True, "wait": 30,
                                          "expect": [dict({"wwn": WWN}, **expect)]})
    assert not seen.failed, seen
    return [d for d in seen["devices"] if d["wwn"] == WWN]


def disk_xml(dom):
    import libvirt
    xml = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    match = re.search(r"<disk type='network' device='lun'[^>]*>.*?%s/%d'.*?</disk>" % (IQN, CLUSTER_LUN), xml, re.S)
    return match.group(0) if match else None


def pr(run_module, domain, action, **args):
    result = run_module("guest_scsi_pr", dict({"uri": URI, "domain": domain, "wwn": WWN, "action": action}, **args))
    assert not result.failed, result
    return result


def test_refused_unless_both_shareable_on_real_guests(two_guests, run_module):
    _dom_a, dom_b = two_guests
    lun = {"uri": URI, "iscsi": SOURCE}
    assert run_module("domain_disk_lun", dict(lun, domain=GUEST_A)).changed
    refused = run_module("domain_disk_lun", dict(lun, domain=GUEST_B, shareable=True))
    assert refused.failed and "running domain 'scsi-virt-lab' already uses it" in refused["msg"], refused
    assert disk_xml(dom_b) is None
    refused_hostdev = run_module("scsi_hostdev", dict(lun, domain=GUEST_B, shareable=True))
    assert refused_hostdev.failed and "domain 'scsi-virt-lab'" in refused_hostdev["msg"], refused_hostdev
    # Both shareable: each guest attaches it with its own initiator (timed: the modules alone, in-process).
    # (A running guest's LUN cannot be updated live to shareable: detach it from A first.)
    assert run_module("domain_disk_lun", dict(lun, domain=GUEST_A, state="absent", force=True)).changed
    started = time.monotonic()
    for domain in (GUEST_A, GUEST_B):
        item = dict(lun, domain=domain, shareable=True, address={"target": 0, "unit": 5},
                    iscsi=dict(SOURCE, initiator="%s-%s" % (IQN, domain)))
        assert run_module("domain_disk_lun", item).changed
    print("\nattach to 2 guests (domain_disk_lun, live + config, in-process): %.2f s" % (time.monotonic() - started))
    assert [d["address"].split(":", 1)[1] for d in guest_lun(run_module, GUEST_B)] == ["0:0:5"]


def test_two_guest_cluster_fence_rerun_cleanup(two_guests, run_module):
    dom_a, dom_b = two_guests
    # 1. The role attaches the LUN to both guests (no verification yet): the attach figure.
    out, changed, failed, attach_seconds = playbook(cluster_verify=False)
    assert failed == 0 and changed == 1, out[-3000:]  # one looped task, changed on both guests
    print("\nattach to 2 guests (role, ansible-playbook wall time): %.1f s" % attach_seconds)
    xml_a, xml_b = disk_xml(dom_a), disk_xml(dom_b)
    assert xml_a and xml_b and "<shareable/>" in xml_a and "<shareable/>" in xml_b
    initiators = [re.search(r"<iqn name='([^']+)'", x).group(1) for x in (xml_a, xml_b)]
    assert initiators == ["iqn.2026-11.io.scsi-virt:scsi-virt-lab", "iqn.2026-11.io.scsi-virt:scsi-virt-lab2"]
    addresses = [re.search(r"<address type='drive'[^>]*>", x).group(0) for x in (xml_a, xml_b)]
    assert addresses[0] == addresses[1], addresses

    # 2. Both guests see the LUN at the same SCSI address with the same WWN.
    seen_a, seen_b = guest_lun(run_module, GUEST_A), guest_lun(run_module, GUEST_B)
    assert len(seen_a) == len(seen_b) == 1
    assert seen_a[0]["address"].split(":", 1)[1] == seen_b[0]["address"].split(":", 1)[1]
    print("both guests: LUN %s at %s / %s" % (WWN, seen_a[0]["address"], seen_b[0]["address"]))

    # 3. The fence, step by step, with the module (check mode first: it reads and sends nothing).
    pr(run_module, GUEST_A, "register", key=KEY_A)
    pr(run_module, GUEST_A, "clear", key=KEY_A)
    check = run_module("guest_scsi_pr", {"uri": URI, "domain": GUEST_A, "wwn": WWN, "action": "reserve",
                                         "key": KEY_A}, check_mode=True)
    assert check.changed and check["registered_keys"] == [] and check["reservation"] is None, check
    assert pr(run_module, GUEST_A, "status")["registered_keys"] == []
    reserved = pr(run_module, GUEST_A, "reserve", key=KEY_A, type=5)
    assert reserved.changed and reserved["reservation"]["type"] == 5 and reserved["reservation"]["key"] == KEY_A
    assert not pr(run_module, GUEST_A, "reserve", key=KEY_A, type=5).changed
    refused_unregistered = pr(run_module, GUEST_B, "write")["write"]
    assert refused_unregistered["reservation_conflict"], refused_unregistered
    assert pr(run_module, GUEST_B, "register", key=KEY_B)["registered_keys"] == [KEY_A, KEY_B]
    before = pr(run_module, GUEST_B, "write")["write"]
    assert before["ok"] and not before["reservation_conflict"], before
    started = time.monotonic()
    preempted = pr(run_module, GUEST_A, "preempt", key=KEY_A, preempt_key=KEY_B, type=5)
    after = pr(run_module, GUEST_B, "write")
    fence_modules = time.monotonic() - started
    assert preempted.changed and preempted["registered_keys"] == [KEY_A], preempted
    assert not after["write"]["ok"] and after["write"]["reservation_conflict"], after
    assert any("reservation conflict" in line for line in after["write"]["kernel_log"]), after
    assert "Invalid exchange" in after["write"]["error"], after  # EBADE: Linux's errno for RESERVATION CONFLICT
    assert pr(run_module, GUEST_A, "write")["write"]["ok"]
    assert not pr(run_module, GUEST_A, "preempt", key=KEY_A, preempt_key=KEY_B).changed

    # The bare fence round trip: B registers again, then A's PREEMPT and B's refused write, straight through
    # the agents (no module start-up, no device listing).
    pr(run_module, GUEST_B, "register", key=KEY_B)
    hypervisor = Hypervisor(URI)
    try:
        agents = {name: GuestAgent(hypervisor.domain(name)) for name in (GUEST_A, GUEST_B)}
        devices = {name: next(d for d in agents[name].scsi_devices() if d["wwn"] == WWN) for name in agents}
        pr_a = PersistentReservations(agents[GUEST_A], devices[GUEST_A])
        pr_b = PersistentReservations(agents[GUEST_B], devices[GUEST_B])
        assert pr_b.write(1)["ok"]
        started = time.monotonic()
        pr_a.out("preempt", KEY_A, KEY_B, 5)
        bare = pr_b.write(1)
        fence_bare = time.monotonic() - started
    finally:
        hypervisor.close()
    assert bare["reservation_conflict"], bare
    print("fence round trip (A's PREEMPT until B's write is refused): %.2f s through the agents, %.2f s with "
          "guest_scsi_pr (two module runs)" % (fence_bare, fence_modules))
    assert pr(run_module, GUEST_A, "clear", key=KEY_A)["registered_keys"] == []

    # 4. The whole role with its verification, then a rerun: the attach is unchanged.
    out, changed, failed, verify_seconds = playbook()
    assert failed == 0 and "fenced: scsi-virt-lab2 was refused with RESERVATION CONFLICT" in out, out[-3000:]
    print("role with verify: %.1f s" % verify_seconds)
    out, changed, failed, _seconds = playbook(cluster_verify=False)
    assert failed == 0 and changed == 0, out[-3000:]
    out, changed, failed, _seconds = playbook(check=True)
    assert failed == 0 and changed == 0, out[-3000:]
    assert disk_xml(dom_a) == xml_a and disk_xml(dom_b) == xml_b
    assert pr(run_module, GUEST_A, "status")["registered_keys"] == []  # the verification cleaned up its reservations

    # 5. Cleanup through the role: detached from both, gone inside both guests; again is unchanged.
    out, changed, failed, _seconds = playbook(cluster_state="absent")
    assert failed == 0 and changed == 1, out[-3000:]
    assert disk_xml(dom_a) is None and disk_xml(dom_b) is None
    for domain in (GUEST_A, GUEST_B):
        gone = run_module("guest_scsi_info", {"uri": URI, "domain": domain, "wait": 30, "absent": [{"wwn": WWN}]})
        assert not gone.failed, gone
    out, changed, failed, _seconds = playbook(cluster_state="absent")
    assert failed == 0 and changed == 0, out[-3000:]


def test_lab_env_names_both_guests_and_the_cluster_lun():
    out = subprocess.run(["bash", os.path.join(REPO, "lab", "lab.sh"), "env"], capture_output=True, text=True,
                         check=True).stdout
    env = dict(line.split("=", 1) for line in out.split())
    assert env["SCSI_VIRT_LAB_DOMAIN"] == GUEST_A and env["SCSI_VIRT_LAB_DOMAIN2"] == GUEST_B
    assert env["SCSI_VIRT_LAB_CLUSTER_LUN"] == str(CLUSTER_LUN) and env["SCSI_VIRT_LAB_LUN3_WWN"] == WWN
