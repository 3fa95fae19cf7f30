# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module's EXAMPLES run as written, one ansible-playbook per module.

The only thing added is the connection, through ``module_defaults`` for ``group/scsi.virt.all``
(as the README tells users to do): libvirt's test driver on tests/fixtures/examples-node.xml, which
holds what the examples name. libvirt_secret needs secrets, which the test driver has not: its
examples run on the real lab's libvirtd (marker lab) with a stopped domain db01 defined for them.
The xl_vscsi examples edit /etc/xen/db01.cfg inside a private mount namespace whose /etc is an
overlay, so the machine's /etc stays as it was. guest_scsi_info and guest_scsi_pr need a guest agent
and running guests: their examples are validated against the modules' input checks instead
(tests/lab runs the modules against the lab's real guests).
"""

from __future__ import annotations

import ast
import glob
import json
import os
import re
import shlex
import subprocess
import sys

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(REPO, "tests", "fixtures", "examples-node.xml")
MODULES = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(REPO, "plugins", "modules", "*.py")))
NEEDS_A_GUEST_AGENT = {"guest_scsi_info", "guest_scsi_pr"}
NEEDS_REAL_LIBVIRT = {"libvirt_secret"}
LAB_URI = "qemu:///system"
DB01 = """<domain type='qemu'><name>db01</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
</devices></domain>"""
XL_CONFIG = 'name = "db01"\nmemory = 1024\ndisk = [ "phy:/dev/vg0/db01,xvda,w" ]\n'
RECAP = re.compile(r"^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)",
                   re.M)


def examples(module):
    with open(os.path.join(REPO, "plugins", "modules", module + ".py")) as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "EXAMPLES":
            return yaml.safe_load(node.value.value)
    raise AssertionError("%s has no EXAMPLES" % module)


def run_examples(module, tmp_path, uri):
    tasks = examples(module)
    playbook = tmp_path / ("%s_examples.yml" % module)
    playbook.write_text(json.dumps([{
        "hosts": "localhost", "gather_facts": False,
        "module_defaults": {"group/scsi.virt.all": {"uri": uri}},
        # What an example takes from a vault.
        "vars": {"vault_db01_chap_password": "example-only-%d" % os.getpid()},
        "tasks": tasks}]))
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", "-c", "local",
               str(playbook)]
    if module == "xl_vscsi":
        overlay = tmp_path / "etc-overlay"
        (overlay / "upper").mkdir(parents=True)
        (overlay / "work").mkdir()
        (tmp_path / "db01.cfg").write_text(XL_CONFIG)
        script = ("mount -t overlay overlay -o lowerdir=/etc,upperdir={o}/upper,workdir={o}/work /etc && "
                  "mkdir -p /etc/xen && cp {cfg} /etc/xen/db01.cfg && {cmd} && cp /etc/xen/db01.cfg {cfg}").format(
            o=overlay, cfg=tmp_path / "db01.cfg", cmd=" ".join(shlex.quote(c) for c in command))
        command = ["unshare", "-m", "--propagation", "private", "sh", "-c", script]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "build", "collections"),
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_NOCOLOR="1")
    run = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    return tasks, run


def assert_all_ran(module, tasks, run, tmp_path):
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    recap = RECAP.search(run.stdout)
    assert recap, run.stdout[-2000:]
    ok, _changed, unreachable, failed, skipped = (int(n) for n in recap.groups())
    assert (ok, unreachable, failed, skipped) == (len(tasks), 0, 0, 0), run.stdout[-4000:]
    if module == "xl_vscsi":
        written = (tmp_path / "db01.cfg").read_text()
        assert written.startswith(XL_CONFIG) and "vscsi" in written and "naa.5001405df3e54061:0,0:0:1:0" in written


@pytest.mark.parametrize("module", [m for m in MODULES if m not in NEEDS_A_GUEST_AGENT | NEEDS_REAL_LIBVIRT])
def test_examples_run_as_written(module, tmp_path):
    tasks, run = run_examples(module, tmp_path, "test://" + FIXTURE)
    assert_all_ran(module, tasks, run, tmp_path)


@pytest.mark.lab
@pytest.mark.parametrize("module", sorted(NEEDS_REAL_LIBVIRT))
def test_examples_run_as_written_on_real_libvirt(module, tmp_path, open_lab):
    import libvirt
    conn = open_lab(LAB_URI, "lab/lab.sh up")
    dom = conn.defineXML(DB01)
    try:
        tasks, run = run_examples(module, tmp_path, LAB_URI)
        assert_all_ran(module, tasks, run, tmp_path)
        assert "usage='db01-chap'" in dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    finally:
        dom.undefine()
        try:
            conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_ISCSI, "db01-chap").undefine()
        except libvirt.libvirtError:
            pass
        conn.close()


def test_guest_scsi_info_examples_are_valid_input(run_module):
    """Each example gets through the module's whole input validation and stops only at the guest:
    db01 is not running in the test driver (and there is no agent to ask)."""
    tasks = examples("guest_scsi_info")
    for task in tasks:
        args = dict(task["scsi.virt.guest_scsi_info"], uri="test://" + FIXTURE)
        result = run_module("guest_scsi_info", args)
        assert result.failed and result["msg"].startswith("domain: 'db01' is not running"), (task["name"], result)
    assert len(tasks) == 3


def test_guest_scsi_pr_examples_are_valid_input(run_module):
    """Each example gets through the module's input validation and stops only at the guest (node1/node2 are
    not in the test driver; tests/lab/test_cluster.py runs the module against the lab's two guests)."""
    tasks = examples("guest_scsi_pr")
    for task in tasks:
        args = dict(task["scsi.virt.guest_scsi_pr"], uri="test://" + FIXTURE)
        result = run_module("guest_scsi_pr", args)
        assert result.failed and result["msg"].startswith("domain: no domain named 'node"), (task["name"], result)
    assert len(tasks) == 4


def test_every_module_has_examples_that_name_it():
    for module in MODULES:
        names = {key for task in examples(module) for key in task if key.startswith("scsi.virt.")}
        assert "scsi.virt." + module in names, module
