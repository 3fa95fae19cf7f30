# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The modules run on every managed-node Python the collection claims.

One ``ansible-playbook`` per Python (the controller is the venv running this test, so the matrix stage runs
this on every claimed ansible-core too), with ``ansible_python_interpreter`` set to
build/managed/pyX.Y: a venv of pyenv's X.Y holding only requirements.txt (libvirt-python, lxml,
jmespath), made by scripts/bootstrap.sh for each Python in tests/matrix/managed-pythons.txt.
The tasks use libvirt's test driver (``test:///default``), whose state resets with each task's
process, so each task stands alone: discovery, and changes in check mode on the driver's running domain
``test``. A missing Python or venv skips here and fails in CI.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MANAGED = os.path.join(REPO, "build", "managed")


def claimed_pythons():
    with open(os.path.join(REPO, "tests", "matrix", "managed-pythons.txt")) as handle:
        return [line.strip() for line in handle if line.strip() and not line.startswith("#")]


WWNN, WWPN = "5001a4a000000011", "5001a4a000000012"
TARGET = "iqn.2026-11.com.example:storage"
PLAY = {
    "hosts": "managed", "gather_facts": False,
    "module_defaults": {"group/scsi.virt.all": {"uri": "test:///default"}},
    "tasks": [
        {"name": "Which Python runs the modules", "ansible.builtin.setup": {"gather_subset": ["!all", "python"]},
         "register": "facts"},
        {"name": "Discovery", "scsi.virt.scsi_host_info": {"vport_capable": True}, "register": "hosts"},
        {"name": "A vHBA on scsi_host2", "scsi.virt.vhba": {"parent": "scsi_host2", "wwnn": WWNN, "wwpn": WWPN},
         "check_mode": True, "diff": True, "register": "vhba"},
        {"name": "An fc_host pool", "scsi.virt.scsi_pool": {
            "name": "vhba_pool", "adapter": {"type": "fc_host", "parent": "scsi_host2", "wwnn": WWNN, "wwpn": WWPN}},
         "check_mode": True, "register": "pool"},
        {"name": "An iSCSI LUN on the running domain test", "scsi.virt.domain_disk_lun": {
            "domain": "test", "luns": [{"iscsi": {"host": "192.0.2.10", "target": TARGET, "lun": 1}}]},
         "check_mode": True, "diff": True, "register": "lun"},
        {"name": "Hand the results to the test", "ansible.builtin.copy": {
            "content": "{{ {'facts': facts, 'hosts': hosts, 'vhba': vhba, 'pool': pool, 'lun': lun} | to_json }}",
            "dest": "{{ results_file }}"}},
    ],
}


def interpreter(version):
    return os.path.join(MANAGED, "py%s" % version, "bin", "python")


@pytest.fixture(name="played", scope="module")
def played_fixture(tmp_path_factory):
    """One ansible-playbook run, one host per claimed Python whose venv exists (they run side by side)."""
    tmp_path = tmp_path_factory.mktemp("managed")
    present = [v for v in claimed_pythons() if os.path.exists(interpreter(v))]
    if not present:
        return None, {}
    playbook = tmp_path / "managed.yml"
    playbook.write_text(json.dumps([PLAY]))
    inventory = tmp_path / "inventory.ini"
    inventory.write_text("[managed]\n" + "".join(
        "py%s ansible_connection=local ansible_python_interpreter=%s results_file=%s\n"
        % (v, interpreter(v), tmp_path / ("py%s.json" % v)) for v in present))
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", str(inventory), str(playbook)]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "build", "collections"), ANSIBLE_NOCOLOR="1")
    env.pop("ANSIBLE_PYTHON_INTERPRETER", None)
    run = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    results = {}
    for v in present:
        path = tmp_path / ("py%s.json" % v)
        if path.exists():
            results[v] = json.loads(path.read_text())
    return run, results


@pytest.mark.parametrize("version", claimed_pythons())
def test_modules_run_on_claimed_python(version, played, lab_missing):
    if not os.path.exists(interpreter(version)):
        lab_missing("no managed-node venv for Python %s at %s (scripts/bootstrap.sh makes it from pyenv's %s)"
                    % (version, interpreter(version), version))
    run, results = played
    assert run.returncode == 0 and version in results, run.stdout[-4000:] + run.stderr[-2000:]
    result = results[version]

    python = result["facts"]["ansible_facts"]["ansible_python"]
    assert "%d.%d" % (python["version"]["major"], python["version"]["minor"]) == version
    assert python["executable"].startswith(os.path.join(MANAGED, "py%s" % version))

    capable = {h["name"]: h for h in result["hosts"]["scsi_hosts"]}
    assert sorted(capable) == ["scsi_host1", "scsi_host2"]
    assert capable["scsi_host2"]["wwpn"] == "1000000056785678" and capable["scsi_host2"]["vport_capable"]

    vhba = result["vhba"]
    assert vhba["changed"] and (vhba["parent"], vhba["wwnn"], vhba["wwpn"]) == ("scsi_host2", WWNN, WWPN)
    assert "<wwpn>%s</wwpn>" % WWPN in vhba["diff"]["after"] and not vhba["diff"]["before"].strip()

    pool = result["pool"]
    assert pool["changed"] and pool["actions"] == ["define", "start"]

    lun = result["lun"]
    assert lun["changed"] and lun["config_changed"]
    after = lun["diff"]["after"]
    assert 'device="lun"' in after and 'name="%s/1"' % TARGET in after and 'model="virtio-scsi"' in after
    assert re.search(r'<address type="drive" controller="0" bus="0" target="\d+" unit="\d+"/>', after)


def test_a_python_without_libvirt_is_named(tmp_path):
    """The interpreter really is the one the modules run on: one without libvirt-python fails, saying so."""
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    playbook = tmp_path / "bare.yml"
    playbook.write_text(json.dumps([{"hosts": "managed", "gather_facts": False, "tasks": [
        {"scsi.virt.scsi_host_info": {"uri": "test:///default"}}]}]))
    inventory = tmp_path / "inventory.ini"
    inventory.write_text("[managed]\nnode ansible_connection=local ansible_python_interpreter=%s\n"
                         % (bare / "bin" / "python"))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "build", "collections"), ANSIBLE_NOCOLOR="1")
    run = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", str(inventory),
                          str(playbook)], capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 2, run.stdout[-3000:]
    assert "libvirt-python" in run.stdout, run.stdout[-3000:]
