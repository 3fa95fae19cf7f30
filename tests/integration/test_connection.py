# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Opening the connection: a bounded wait for a daemon that is not there yet, no wait for a bad URI.

No daemon listens on the socket named here, so libvirt's remote driver fails the way it does while
libvirtd restarts (the lab tests restart a real one: tests/lab/test_faults.py).
"""

from __future__ import annotations

import re
import time

import pytest

MISSING_SOCKET = "qemu+unix:///system?socket=/nonexistent/scsi-virt/libvirt-sock"


def timed(run_module, args):
    started = time.monotonic()
    result = run_module("scsi_host_info", args)
    return result, time.monotonic() - started


@pytest.mark.parametrize("timeout", [0, 2])
def test_missing_daemon_is_waited_for_then_reported(run_module, timeout):
    # What a run costs here without any wait (a URI that fails at once): on a busy machine it grows, and
    # the bound on the wait must grow with it rather than fail.
    overhead = timed(run_module, {"uri": "qemu+bogus:///nowhere"})[1]
    result, waited = timed(run_module, {"uri": MISSING_SOCKET, "connect_timeout": timeout})
    assert result.failed and result["msg"].startswith("uri: cannot connect to libvirt at " + MISSING_SOCKET), result
    assert ("within %d s (connect_timeout)" % timeout) in result["msg"], result
    print("\nconnect_timeout %d: failed after %.2f s (a run without waiting: %.2f s)" % (timeout, waited, overhead))
    assert timeout - 0.6 <= waited < timeout + 2 + 3 * overhead, (waited, overhead)


def test_a_uri_that_cannot_work_is_reported_at_once(run_module):
    result, waited = timed(run_module, {"uri": "qemu+bogus:///nowhere", "connect_timeout": 30})
    assert result.failed and result["msg"].startswith("uri: cannot connect") and "within" not in result["msg"]
    assert waited < 2, waited


@pytest.mark.parametrize("uri, masked, timeout", [
    ("test:///default?password=Sekr1t-Query", "test:///default?password=********", 15),
    ("qemu+tcp://admin:Sekr1t-User@127.0.0.1:1/system", "qemu+tcp://admin:********@127.0.0.1:1/system", 0),
])
def test_a_password_in_the_uri_is_masked_in_the_result(run_module, uri, masked, timeout):
    import json
    result = run_module("scsi_host_info", {"uri": uri, "connect_timeout": timeout})
    assert result.failed == (timeout == 0), result
    assert "Sekr1t" not in json.dumps(result), result
    # the URI itself stays visible, only its secret part is hidden
    assert result["invocation"]["module_args"]["uri"] == masked, result["invocation"]


URI_MODULES = ["domain_disk_lun", "domain_scsi_info", "guest_scsi_info", "guest_scsi_pr", "libvirt_secret",
               "scsi_host_info", "scsi_host_rescan", "scsi_hostdev", "scsi_lun_info", "scsi_pool", "vhba"]


@pytest.mark.parametrize("module", URI_MODULES)
@pytest.mark.parametrize("bad", [{"no_such_option": 1}, {"connect_timeout": "soon"}])
def test_the_uri_password_is_masked_when_ansibles_own_argument_check_fails(run_module, module, bad):
    """Ansible's argument check fails before the module runs, and its result echoes the arguments too."""
    import json
    result = run_module(module, dict(bad, uri="qemu+tcp://admin:Sekr1t-User@127.0.0.1:1/system"))
    # Ansible's own wording (the first error it finds: a required option is missing in most modules here)
    assert result.failed and re.match(r"(Unsupported parameters|missing required arguments|argument 'connect_timeout' "
                                      r"is of type)", result["msg"]), result
    assert "Sekr1t" not in json.dumps(result), result
    assert result["invocation"]["module_args"]["uri"] == "qemu+tcp://admin:********@127.0.0.1:1/system"
