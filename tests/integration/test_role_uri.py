# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A play's module_defaults for group/scsi.virt.all reach the roles' tasks, unless a role's own *_uri is set.

The URI named here cannot be opened, so the first libvirt task of each role fails naming the URI it was
given: that name is what the test reads.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAY_URI = "test:///nonexistent/scsi-virt-play-defaults.xml"
ROLE_URI = "test:///nonexistent/scsi-virt-role-variable.xml"
IQN = "iqn.2026-11.io.scsi-virt:lab"
ROLES = {
    "vhba": {"vhba_wwnn": "5001a4a000000011", "vhba_wwpn": "5001a4a000000012"},
    "scsi_pool": {"scsi_pool_name": "p", "scsi_pool_type": "iscsi",
                  "scsi_pool_source": {"host": "127.0.0.1", "target": IQN}},
    "lun_passthrough": {"lun_passthrough_domain": "db01", "lun_passthrough_luns": [{"dev": "/dev/sdb"}]},
    "guest_scsi_verify": {"guest_scsi_verify_domain": "db01"},
    "guest_cluster_lun": {"guest_cluster_lun_guests": ["db01", "db02"],
                          "guest_cluster_lun_source": {"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 1}}},
}


def run_roles(tmp_path, own_uri):
    tasks = []
    for role, variables in ROLES.items():
        if own_uri:
            variables = dict(variables, **{"%s_uri" % role: ROLE_URI})
        tasks.append({"block": [{"ansible.builtin.include_role": {"name": "scsi.virt." + role}, "vars": variables}],
                      "rescue": [{"ansible.builtin.debug": {"msg": "%s|{{ ansible_failed_result.msg }}" % role}}]})
    playbook = tmp_path / "roles.yml"
    playbook.write_text(json.dumps([{
        "hosts": "localhost", "gather_facts": False,
        "module_defaults": {"group/scsi.virt.all": {"uri": PLAY_URI, "connect_timeout": 0}},
        "tasks": tasks}]))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "build", "collections"),
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_NOCOLOR="1")
    run = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
                          "-c", "local", str(playbook)], capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    # The rescue tasks' debug lines: "msg": "ROLE|MESSAGE"
    messages = dict(re.findall(r'"msg": "(\w+)\|(.*)"$', run.stdout, re.M))
    return messages


@pytest.mark.parametrize("own_uri", [False, True], ids=["module_defaults", "role_variable"])
def test_roles_take_the_play_uri_unless_given_their_own(tmp_path, own_uri):
    messages = run_roles(tmp_path, own_uri)
    expected = ROLE_URI if own_uri else PLAY_URI
    assert sorted(messages) == sorted(ROLES), messages
    for role, msg in messages.items():
        assert "cannot connect to libvirt at %s" % expected in msg, (role, msg)
