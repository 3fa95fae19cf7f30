# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Data-safety checks that only the real lab's libvirtd can show (issue 15, "Data and safety").

Each test uses its own temporary objects named ``safety-*`` on qemu:///system and removes them.
"""

from __future__ import annotations

import base64
import os
import time

import pytest

pytestmark = pytest.mark.lab

URI = "qemu:///system"
SECRETS_DIR = "/etc/libvirt/secrets"
IQN = "iqn.2026-11.io.scsi-virt:lab"
DOMAIN = """<domain type='qemu'><name>{name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
{devices}</devices></domain>"""
VIRTIO_SCSI = "<controller type='scsi' index='0' model='virtio-scsi'/>"


def _xml(dom, live=False):
    import libvirt
    return dom.XMLDesc(0 if live else libvirt.VIR_DOMAIN_XML_INACTIVE)


def _remove_domain(conn, name):
    import libvirt
    try:
        dom = conn.lookupByName(name)
    except libvirt.libvirtError:
        return
    if dom.isActive():
        dom.destroy()
    try:
        dom.undefine()
    except libvirt.libvirtError:
        pass  # a transient domain is gone once destroyed


@pytest.fixture
def safety_domain(conn):
    """make(suffix, devices='', start=False, transient=False) -> a domain named safety-<suffix>-<pid>."""
    made = []

    def make(suffix, devices="", start=False, transient=False):
        name = "safety-%s-%d" % (suffix, os.getpid())
        _remove_domain(conn, name)
        made.append(name)
        xml = DOMAIN.format(name=name, devices=devices)
        if transient:
            return conn.createXML(xml, 0)
        dom = conn.defineXML(xml)
        if start:
            dom.create()
        return dom
    yield make
    for name in made:
        _remove_domain(conn, name)


def _secret_value_on_disk(uuid):
    """What libvirtd stored as the value of a (private) secret: its API never gives it back."""
    path = os.path.join(SECRETS_DIR, "%s.base64" % uuid)
    if not os.path.exists(path):
        return None
    with open(path, "rb") as handle:
        return base64.b64decode(handle.read())


@pytest.fixture
def secret_usage(conn, lab_missing):
    import libvirt
    if not os.access(SECRETS_DIR, os.R_OK):
        lab_missing("needs read access to %s (local root) to see a private secret's value" % SECRETS_DIR)
    usage = "safety-chap-%d" % os.getpid()
    yield usage
    try:
        conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_ISCSI, usage).undefine()
    except libvirt.libvirtError:
        pass


def test_secret_description_change_keeps_a_private_value(conn, secret_usage, run_module):
    import libvirt
    base = {"uri": URI, "usage": secret_usage}
    created = run_module("libvirt_secret", dict(base, password="Chap-One-1"))
    assert created.changed and not created.failed, created
    uuid = created["uuid"]
    assert _secret_value_on_disk(uuid) == b"Chap-One-1"

    # description only, no password: libvirt redefines it in place and keeps the value.
    changed = run_module("libvirt_secret", dict(base, description="db01 CHAP"), diff=True)
    assert changed.changed and not changed.failed, changed
    assert "db01 CHAP" in changed["diff"]["after"]
    assert changed["uuid"] == uuid
    assert _secret_value_on_disk(uuid) == b"Chap-One-1"
    assert not run_module("libvirt_secret", dict(base, description="db01 CHAP")).changed

    # private -> readable cannot be done in place: without the password it is refused, nothing changes.
    for check_mode in (True, False):
        refused = run_module("libvirt_secret", dict(base, description="db01 CHAP", private=False),
                             check_mode=check_mode)
        assert refused.failed and refused["msg"].startswith("password:"), refused
        assert "private" in refused["msg"]
    secret = conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_ISCSI, secret_usage)
    assert "private='yes'" in secret.XMLDesc(0)
    assert _secret_value_on_disk(uuid) == b"Chap-One-1"

    # with the password it is recreated and the value set again.
    made_public = run_module("libvirt_secret", dict(base, description="db01 CHAP", private=False,
                                                    password="Chap-One-1"))
    assert made_public.changed and not made_public.failed, made_public
    secret = conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_ISCSI, secret_usage)
    assert secret.value() == b"Chap-One-1"


def test_secret_made_private_keeps_its_value(conn, secret_usage, run_module):
    base = {"uri": URI, "usage": secret_usage}
    created = run_module("libvirt_secret", dict(base, password="Chap-Two-2", private=False))
    assert created.changed, created
    private = run_module("libvirt_secret", dict(base))
    assert private.changed and not private.failed, private
    assert _secret_value_on_disk(created["uuid"]) == b"Chap-Two-2"


def test_a_failed_rollback_says_what_stays_live(conn, safety_domain, run_module, monkeypatch):
    """The config write fails, and undoing the live attach fails too: the message must say so."""
    import libvirt
    from ansible_collections.scsi.virt.plugins.module_utils import _connection
    from ansible_collections.scsi.virt.plugins.module_utils._errors import ScsiVirtError
    dom = safety_domain("rollback", VIRTIO_SCSI, start=True)
    before = _xml(dom)

    def broken_define(self, xml_text, name):
        # Someone removes the LUN from the running guest first, so the rollback's detach fails for real.
        live = _xml(dom, live=True)
        start = live.index("<disk type='network' device='lun'")
        dom.detachDeviceFlags(live[start:live.index("</disk>", start) + 7], libvirt.VIR_DOMAIN_AFFECT_LIVE)
        deadline = time.monotonic() + 10
        while "lab/1" in _xml(dom, live=True) and time.monotonic() < deadline:
            time.sleep(0.2)
        raise ScsiVirtError("injected: defineXML failed")
    monkeypatch.setattr(_connection.Hypervisor, "define_domain", broken_define)
    result = run_module("domain_disk_lun", {"uri": URI, "domain": dom.name(), "iscsi": {
        "host": "127.0.0.1", "target": IQN, "lun": 1}})
    assert result.failed, result
    assert "the live changes were rolled back" not in result["msg"], result["msg"]
    assert "NOT all rolled back: add iscsi LUN %s/1/127.0.0.1/3260 (device not found" % IQN in result["msg"], result
    assert _xml(dom) == before

    # The same failure with a rollback that works says so, naming what was undone.
    def failing_define(self, xml_text, name):
        raise ScsiVirtError("injected: defineXML failed")
    monkeypatch.setattr(_connection.Hypervisor, "define_domain", failing_define)
    result = run_module("domain_disk_lun", {"uri": URI, "domain": dom.name(), "iscsi": {
        "host": "127.0.0.1", "target": IQN, "lun": 1}})
    assert result.failed and "the live changes were rolled back (add iscsi LUN %s/1" % IQN in result["msg"], result
    assert "lab/1" not in _xml(dom, live=True) and _xml(dom) == before


def test_a_pinned_controller_leaves_no_lsilogic_gap(safety_domain, run_module):
    """Real libvirtd adds missing SCSI controllers below a used index with QEMU's default (lsilogic)."""
    dom = safety_domain("gap", VIRTIO_SCSI)
    result = run_module("domain_disk_lun", {"uri": URI, "domain": dom.name(), "address": {
        "controller": 2, "target": 0, "unit": 0}, "iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 1}})
    assert result.changed and not result.failed, result
    text = _xml(dom)
    assert "lsilogic" not in text, text
    for index in (0, 1, 2):
        assert "<controller type='scsi' index='%d' model='virtio-scsi'" % index in text, text


def _iscsi(lun):
    return {"host": "127.0.0.1", "target": IQN, "lun": lun}


def test_a_live_only_change_is_reported_on_real_libvirtd(safety_domain, run_module):
    dom = safety_domain("liveonly", VIRTIO_SCSI, start=True)
    args = {"uri": URI, "domain": dom.name(), "iscsi": _iscsi(2)}
    assert run_module("domain_disk_lun", dict(args, live=False))["config_changed"]
    run = run_module("domain_disk_lun", args, diff=True)
    assert run.changed and run["live_changed"] and not run["config_changed"], run
    assert [(c["action"], c["scope"]) for c in run["changes"]] == [("add", "live")], run["changes"]
    assert "lab/2" in run["diff"]["after"] and "live" in run["diff"]["after_header"]
    assert "lab/2" in _xml(dom, live=True)
    assert not run_module("domain_disk_lun", args).changed


def test_a_transient_domain_stays_transient_on_real_libvirtd(safety_domain, run_module):
    dom = safety_domain("transient", VIRTIO_SCSI, transient=True)
    args = {"uri": URI, "domain": dom.name(), "iscsi": _iscsi(3)}
    run = run_module("domain_disk_lun", args)
    assert run.changed and run["live_changed"] and not run["config_changed"], run
    assert any("transient" in str(w) for w in run.get("warnings", [])), run
    assert not dom.isPersistent()
    assert "lab/3" in _xml(dom, live=True)
    assert not run_module("domain_disk_lun", args).changed
    refused = run_module("domain_disk_lun", dict(args, live=False))
    assert refused.failed and refused["msg"].startswith("live:") and not dom.isPersistent(), refused
