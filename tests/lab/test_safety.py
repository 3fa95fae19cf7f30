# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Data-safety checks that only the real lab's libvirtd can show (issue 15, "Data and safety").

Each test uses its own temporary objects named ``safety-*`` on qemu:///system and removes them.
"""

from __future__ import annotations

import base64
import os

import pytest

pytestmark = pytest.mark.lab

URI = "qemu:///system"
SECRETS_DIR = "/etc/libvirt/secrets"


def _secret_value_on_disk(uuid):
    """What libvirtd stored as the value of a (private) secret: its API never gives it back."""
    path = os.path.join(SECRETS_DIR, "%s.base64" % uuid)
    if not os.path.exists(path):
        return None
    with open(path, "rb") as handle:
        return base64.b64decode(handle.read())


@pytest.fixture
def secret_usage(conn):
    import libvirt
    if not os.access(SECRETS_DIR, os.R_OK):
        pytest.skip("needs read access to %s (local root) to see a private secret's value" % SECRETS_DIR)
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
