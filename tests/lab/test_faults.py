# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faults on the real lab: libvirtd restarted between and during tasks, the iSCSI target gone.

Each test ends with the daemons back up. This file runs before test_real_libvirt.py, whose
module-wide connection is opened afterwards (a restart here would break it otherwise).
"""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from ansible_collections.scsi.virt.plugins.module_utils import _connection

pytestmark = pytest.mark.lab

URI = "qemu:///system"
GUEST = "scsi-virt-lab"
IQN = "iqn.2026-11.io.scsi-virt:lab"
LUN1_WWN = "60000000000000000e00000000010001"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIBVIRTD_PID = os.path.join(os.environ.get("SCSI_VIRT_LAB_DIR", "/var/tmp/scsi-virt-lab"), "daemons", "libvirtd.pid")


def lab(*args):
    subprocess.run(["bash"] + list(args), cwd=REPO, check=True, capture_output=True, text=True)


def iscsi_lun(lun):
    return {"host": "127.0.0.1", "target": IQN, "lun": lun}


def fresh_xml():
    """Both XMLs through a new connection (an old one dies with libvirtd)."""
    import libvirt
    conn = libvirt.open(URI)
    try:
        dom = conn.lookupByName(GUEST)
        return dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE), dom.XMLDesc(0)
    finally:
        conn.close()


def restart_libvirtd_in_background(delay):
    """Stop libvirtd now and start it again ``delay`` seconds later; returns once it is down."""
    restart = subprocess.Popen(["bash", "lab/libvirtd.sh", "restart", str(delay)], cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while os.path.exists(LIBVIRTD_PID) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(LIBVIRTD_PID), "libvirtd did not stop"
    return restart


def test_libvirtd_restarting_between_tasks_is_waited_for(clean_guest, run_module):
    restart = restart_libvirtd_in_background(3)
    started = time.monotonic()
    result = run_module("domain_disk_lun", {"uri": URI, "domain": GUEST, "iscsi": iscsi_lun(1)})
    waited = time.monotonic() - started
    assert restart.wait(30) == 0
    print("\nlibvirtd down for 3 s before the task: the task waited %.1f s and succeeded" % waited)
    assert not result.failed, result
    assert result["config_changed"] and result["live_changed"]
    assert waited >= 2.5
    config, live = fresh_xml()
    assert "lab/1'" in config and "lab/1'" in live
    seen = run_module("guest_scsi_info", {"uri": URI, "domain": GUEST, "wait": 20, "expect": [{"wwn": LUN1_WWN}]})
    assert not seen.failed, seen


def test_libvirtd_that_stays_down_fails_clearly_and_changes_nothing(clean_guest, run_module):
    before = fresh_xml()
    restart = restart_libvirtd_in_background(8)
    started = time.monotonic()
    result = run_module("domain_disk_lun", {"uri": URI, "domain": GUEST, "iscsi": iscsi_lun(1),
                                            "connect_timeout": 2})
    waited = time.monotonic() - started
    assert restart.wait(30) == 0
    assert result.failed and result["msg"].startswith("uri: cannot connect to libvirt at qemu:///system within 2 s"), \
        result
    assert 1.5 <= waited < 6, waited
    assert fresh_xml() == before


def test_libvirtd_restarted_mid_change_completes_without_half_state(clean_guest, run_module, monkeypatch):
    """libvirtd restarts after the live attach, just before the config write: the task reconnects,
    plans again (the LUN is already live, the config still lacks it) and writes the config only."""
    real_define = _connection.Hypervisor.define_domain
    calls = []

    def define_after_a_restart(self, xml_text, name):
        calls.append(name)
        if len(calls) == 1:
            lab("lab/libvirtd.sh", "restart")
        return real_define(self, xml_text, name)
    monkeypatch.setattr(_connection.Hypervisor, "define_domain", define_after_a_restart)
    result = run_module("domain_disk_lun", {"uri": URI, "domain": GUEST, "iscsi": iscsi_lun(1)})
    assert not result.failed, result
    assert len(calls) == 2
    assert result["changed"] and result["config_changed"] and result["live_changed"], result
    assert any("opened again 1 time(s)" in str(w) for w in result.get("warnings", [])), result
    config, live = fresh_xml()
    assert config.count("lab/1'") == 1 and live.count("lab/1'") == 1
    seen = run_module("guest_scsi_info", {"uri": URI, "domain": GUEST, "wait": 20, "expect": [{"wwn": LUN1_WWN}]})
    assert not seen.failed, seen
    again = run_module("domain_disk_lun", {"uri": URI, "domain": GUEST, "iscsi": iscsi_lun(1)})
    assert not again.changed


@pytest.fixture
def target_down():
    lab("lab/lab.sh", "target-down")
    try:
        yield
    finally:
        lab("lab/lab.sh", "target-up")


@pytest.mark.parametrize("module, args", [
    ("domain_disk_lun", {"iscsi": iscsi_lun(1)}),
    ("scsi_hostdev", {"iscsi": iscsi_lun(2)}),
], ids=["disk", "hostdev"])
def test_iscsi_target_down_fails_clearly_and_leaves_no_disk(clean_guest, run_module, target_down, module, args):
    before = fresh_xml()
    result = run_module(module, dict(args, uri=URI, domain=GUEST))
    assert result.failed, result
    assert "nothing was written to the persistent config" in result["msg"], result
    assert "check that the target at 127.0.0.1:3260 is up and exports %s LUN %d" % (
        IQN, args["iscsi"]["lun"]) in result["msg"], result
    assert fresh_xml() == before


def test_attach_works_again_once_the_target_is_back(clean_guest, run_module):
    lab("lab/lab.sh", "target-down")
    lab("lab/lab.sh", "target-up")
    result = run_module("domain_disk_lun", {"uri": URI, "domain": GUEST, "iscsi": iscsi_lun(1)})
    assert result.changed and not result.failed, result
    seen = run_module("guest_scsi_info", {"uri": URI, "domain": GUEST, "wait": 20, "expect": [{"wwn": LUN1_WWN}]})
    assert not seen.failed, seen


def test_a_hung_target_times_out_clearly_and_a_rerun_completes(clean_guest, run_module):
    """tgtd stopped (SIGSTOP): TCP still connects, the iSCSI login is never answered, and QEMU's
    hotplug waits inside libvirt's attach. live_timeout bounds the task; the config stays as it was."""
    before_config = fresh_xml()[0]
    args = {"uri": URI, "domain": GUEST, "iscsi": iscsi_lun(1)}
    lab("lab/lab.sh", "target-freeze")
    try:
        started = time.monotonic()
        result = run_module("domain_disk_lun", dict(args, live_timeout=3))
        waited = time.monotonic() - started
    finally:
        lab("lab/lab.sh", "target-thaw")
    print("\nhung iSCSI target: the task gave up after %.1f s (live_timeout 3)" % waited)
    assert result.failed and "within 3 s (live_timeout)" in result["msg"], result
    assert "nothing was written to the persistent config" in result["msg"], result
    assert 2.5 <= waited < 10, waited
    assert fresh_xml()[0] == before_config
    # Once the target answers, the attach QEMU was waiting for may land live; a rerun converges.
    deadline = time.monotonic() + 30
    rerun = run_module("domain_disk_lun", args)
    while rerun.failed and time.monotonic() < deadline:  # the domain's job may still be QEMU's
        time.sleep(1)
        rerun = run_module("domain_disk_lun", args)
    assert not rerun.failed and rerun.changed and rerun["config_changed"], rerun
    config, live = fresh_xml()
    assert config.count("lab/1'") == 1 and live.count("lab/1'") == 1
    assert not run_module("domain_disk_lun", args).changed
