# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""pytest set-up shared by tests/unit and tests/integration.

Makes the checkout importable as ``ansible_collections.scsi.virt`` and offers ``run_module``, which
runs a module's real ``main()`` in-process (check mode, diff mode and all) and returns its result.
"""

from __future__ import annotations

import io
import json
import os
import sys
from contextlib import redirect_stdout

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(REPO, "build", "collections")
_LINK = os.path.join(COLLECTIONS, "ansible_collections", "scsi", "virt")
if not os.path.exists(_LINK):
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    os.symlink(os.path.relpath(REPO, os.path.dirname(_LINK)), _LINK)
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)

FIXTURES = os.path.join(REPO, "tests", "fixtures")
SCHEMAS = "/usr/share/libvirt/schemas"


class ModuleResult(dict):
    @property
    def failed(self):
        return bool(self.get("failed"))

    @property
    def changed(self):
        return bool(self.get("changed"))


def run_module(name, args, check_mode=False, diff=False):
    """Run plugins/modules/<name>.py main() with ``args``; return its JSON result."""
    from ansible.module_utils.testing import patch_module_args
    import importlib

    module = importlib.import_module("ansible_collections.scsi.virt.plugins.modules.%s" % name)
    full = dict(args)
    full["_ansible_check_mode"] = check_mode
    full["_ansible_diff"] = diff
    full["_ansible_tmpdir"] = None
    from unittest import mock
    from ansible.module_utils import _internal
    from ansible.module_utils.common import warnings

    # A real module runs in its own process: no controller code loaded (else warnings go to the
    # controller's display, not the result) and no warnings left from earlier runs.
    warnings._global_warnings.clear()
    warnings._global_deprecations.clear()
    out = io.StringIO()
    with patch_module_args(full), redirect_stdout(out), mock.patch.object(_internal, "is_controller", False):
        try:
            module.main()
        except SystemExit:
            pass
    text = out.getvalue()
    try:
        return ModuleResult(json.loads(text))
    except ValueError:
        raise AssertionError("module %s printed no JSON result: %r" % (name, text[-2000:]))


@pytest.fixture(name="run_module")
def run_module_fixture():
    return run_module


def in_ci():
    """True in CI (CI=true, as .ci/run is called there)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def lab_missing(reason):
    """What a test does when a lab or tool it needs is not there: skip on a developer's machine, fail in CI.

    A skipped lab test in CI would let a broken lab pass unnoticed: there the lab is set up by the test
    command itself, so its absence is a failure.
    """
    if in_ci():
        pytest.fail("%s (CI=true: a missing lab fails, it never skips)" % reason, pytrace=False)
    pytest.skip(reason)


def _open_lab(uri, how_to_start):
    """A connection to a lab's libvirt; without one, lab_missing() saying how to start that lab."""
    try:
        import libvirt
    except ImportError as exc:
        lab_missing("libvirt-python is not installed (scripts/bootstrap.sh): %s" % exc)
    libvirt.registerErrorHandler(lambda *_: None, None)
    try:
        return libvirt.open(uri)
    except libvirt.libvirtError as exc:
        lab_missing("the lab is not up (%s): %s" % (how_to_start, exc))


@pytest.fixture(name="detach_all_luns", scope="session")
def detach_all_luns_fixture():
    def detach_all(uri, domain):
        """Detach every LUN disk and SCSI hostdev of ``domain``, live and persistent, through the modules."""
        for module in ("domain_disk_lun", "scsi_hostdev"):
            result = run_module(module, {"uri": uri, "domain": domain, "exclusive": True, "force": True})
            assert not result.failed, result
    return detach_all


@pytest.fixture(name="lab_missing", scope="session")
def lab_missing_fixture():
    return lab_missing


@pytest.fixture(name="open_lab", scope="session")
def open_lab_fixture():
    return _open_lab


class _SharedConnection:
    """The real test-driver connection, handed to every module run; their close() keeps it open.

    libvirt's test driver gives each connection to a fixture file its own private state, so modules
    that open their own connection would each see the fixture afresh.
    """

    def __init__(self, conn):
        self._conn = conn

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def close(self):
        return 0


@pytest.fixture
def test_node(tmp_path, monkeypatch):
    """A fresh libvirt test-driver node from tests/fixtures/libvirt-node.xml.

    Yields (uri, conn); every module run in the test sees (and changes) the same driver state.
    """
    import libvirt

    libvirt.registerErrorHandler(lambda *_: None, None)
    fixture = tmp_path / "node.xml"
    fixture.write_text(open(os.path.join(FIXTURES, "libvirt-node.xml")).read())
    uri = "test://%s" % fixture
    conn = libvirt.open(uri)
    real_open = libvirt.open
    monkeypatch.setattr(libvirt, "open", lambda name=None: _SharedConnection(conn) if name == uri else real_open(name))
    try:
        yield uri, conn
    finally:
        conn.close()
