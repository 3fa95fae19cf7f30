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
    from ansible.module_utils.common.parameters import PASS_VARS
    if "inject_invocation" in PASS_VARS:
        # ansible-core 2.21 adds ``invocation`` (the module args, secrets masked) only when the controller asks
        # (INJECT_INVOCATION, off by default); ask as such a controller does, so results look alike on 2.19-2.21.
        full.setdefault("_ansible_inject_invocation", True)
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


# -- a hypervisor's /dev and /sys, generated (this host has no SCSI devices) -----------------------
WWN_B, WWN_C, WWN_MPATH = "6001405abcdef012", "6001405abcdef013", "6001405abcdef014"
BY_PATH_B = "/dev/disk/by-path/ip-127.0.0.1:3260-iscsi-iqn.2026-11.io.scsi-virt:lab-lun-1"


def make_lun_tree(root):
    """A tree of real sysfs/udev shape under ``root``: sdb and sdc are SCSI disks (sdb through the
    devices/ hierarchy as the kernel lays it out), sdb1 a partition, dm-3 a multipath map of WWN_MPATH,
    with udev's by-id/by-path links. Returns {name: path as the hypervisor spells it}."""
    dev, sys_ = root / "dev", root / "sys"

    def link(path, target):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target)

    def text(path, content):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)

    for name in ("sdb", "sdb1", "sdc", "dm-3"):
        text(dev / name, "")  # stands for the device node; only its existence is looked at
    # sdb: /sys/block/sdb -> ../devices/.../block/sdb, whose device -> the SCSI device with the wwid.
    scsi = sys_ / "devices" / "platform" / "host0" / "session1" / "target0:0:0" / "0:0:0:1"
    text(scsi / "wwid", "naa.%s\n" % WWN_B)
    (scsi / "block" / "sdb" / "sdb1").mkdir(parents=True)
    link(sys_ / "block" / "sdb", "../devices/platform/host0/session1/target0:0:0/0:0:0:1/block/sdb")
    link(scsi / "block" / "sdb" / "device", "../../../0:0:0:1")
    text(sys_ / "block" / "sdc" / "device" / "wwid", "naa.%s\n" % WWN_C)
    text(sys_ / "block" / "dm-3" / "dm" / "uuid", "mpath-3%s\n" % WWN_MPATH)
    link(dev / "disk" / "by-id" / ("wwn-0x" + WWN_B), "../../sdb")
    link(dev / "disk" / "by-id" / ("scsi-3" + WWN_B), "../../sdb")
    link(dev / "disk" / "by-id" / ("wwn-0x" + WWN_B + "-part1"), "../../sdb1")
    link(root / BY_PATH_B.lstrip("/"), "../../sdb")
    link(dev / "disk" / "by-id" / ("wwn-0x" + WWN_C), "../../sdc")
    link(dev / "disk" / "by-id" / ("dm-uuid-mpath-3" + WWN_MPATH), "../../dm-3")
    link(dev / "mapper" / "mpatha", "../dm-3")
    return {"sdb": "/dev/sdb", "by_id_b": "/dev/disk/by-id/wwn-0x" + WWN_B, "scsi_id_b": "/dev/disk/by-id/scsi-3" + WWN_B,
            "by_path_b": BY_PATH_B, "sdb1": "/dev/sdb1", "part_link_b": "/dev/disk/by-id/wwn-0x%s-part1" % WWN_B,
            "sdc": "/dev/sdc", "mpath": "/dev/mapper/mpatha", "dm": "/dev/dm-3",
            "wwn_b": WWN_B, "wwn_c": WWN_C, "wwn_mpath": WWN_MPATH}


@pytest.fixture(name="lun_tree")
def lun_tree_fixture(tmp_path, monkeypatch):
    """The generated tree as the hypervisor's /dev and /sys, with identities resolved on "this host"."""
    from ansible_collections.scsi.virt.plugins.module_utils import _lun_identity

    root = tmp_path / "host"
    paths = make_lun_tree(root)
    monkeypatch.setattr(_lun_identity, "DEV_ROOT", str(root))
    monkeypatch.setattr(_lun_identity, "SYSFS", str(root / "sys"))
    monkeypatch.setattr(_lun_identity, "FORCE_LOCAL", True)
    _lun_identity._RESOLVER[0] = _lun_identity.LunResolver(local=True)
    yield paths
    _lun_identity._RESOLVER[0] = _lun_identity.LunResolver(local=False)
