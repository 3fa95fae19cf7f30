# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A role's error about one item names the role's own variable and that item's position in it
(``lun_passthrough_luns[2]``), not the module option the role fed (``luns[1]``, ``hostdevs[0]``, ``entries[1]``).

lun_passthrough splits its list by kind, so the module's position differs from the role's. Runs on libvirt's
test driver (the fixture node, opened afresh by each task): every case is refused before anything is written.
The same cases on the real lab are in tests/lab/test_role_bad_input.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IQN = "iqn.2026-11.io.scsi-virt:lab"
GOOD_ISCSI = {"host": "127.0.0.1", "target": IQN, "lun": 1}
HOSTDEV = {"kind": "hostdev", "iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 2}}


def luns(*items):
    return {"lun_passthrough_domain": "guest-off", "lun_passthrough_luns": list(items)}


# (role, role variables, the text the message must hold, texts it must not hold)
CASES = [
    # The third LUN is the second disk: luns[1] in domain_disk_lun.
    ("lun_passthrough", luns({"dev": "/dev/sdb"}, HOSTDEV, {"iscsi": dict(GOOD_ISCSI, target="not-an-iqn")}),
     "lun_passthrough_luns[2].iscsi.target: expected an iSCSI name", ["luns[1]"]),
    # The third LUN is the second hostdev: hostdevs[1] in scsi_hostdev.
    ("lun_passthrough", luns(HOSTDEV, {"dev": "/dev/sdb"},
                             {"kind": "hostdev", "adapter": "eth0", "bus": 0, "target": 0, "unit": 0}),
     "lun_passthrough_luns[2].adapter: expected a SCSI host node device name", ["hostdevs[1]"]),
    # An unknown key keeps Ansible's wording, named by the role's position.
    ("lun_passthrough", luns(HOSTDEV, {"dev": "/dev/sdb"}, {"dev": "/dev/sdc", "sharable": True}),
     "lun_passthrough_luns[2]: Unsupported parameters", ["luns[1]"]),
    # Both positions of a duplicate are the role's.
    ("lun_passthrough", luns({"dev": "/dev/sdb"}, HOSTDEV, {"dev": "/dev/sdb"}),
     "lun_passthrough_luns[2]: names the same device as lun_passthrough_luns[0]", ["luns[1]"]),
    ("lun_passthrough", luns(HOSTDEV, dict(HOSTDEV, shareable=True)),
     "lun_passthrough_luns[1]: names the same device as lun_passthrough_luns[0]", ["hostdevs[1]"]),
    # The first item needs no mapping, and still names the role variable.
    ("lun_passthrough", luns({"dev": "sdb"}), "lun_passthrough_luns[0].dev", ["luns[0].dev"]),
    # guest_cluster_lun feeds domain_disk_lun one item built from its source, address and reservations.
    ("guest_cluster_lun", {"guest_cluster_lun_guests": ["guest-off", "guest-peer"],
                           "guest_cluster_lun_source": {"iscsi": dict(GOOD_ISCSI, target="not-an-iqn")}},
     "guest_cluster_lun_guests[0] (guest-off): guest_cluster_lun_source.iscsi.target", ["luns[0]"]),
    ("guest_cluster_lun", {"guest_cluster_lun_guests": ["guest-off", "guest-peer"],
                           "guest_cluster_lun_source": {"iscsi": GOOD_ISCSI},
                           "guest_cluster_lun_address": {"target": 300, "unit": 0}},
     "guest_cluster_lun_guests[1] (guest-peer): guest_cluster_lun_address.target", ["luns[0]"]),
    ("guest_cluster_lun", {"guest_cluster_lun_guests": ["guest-off", {"domain": "guest-peer", "initiator": "x"}],
                           "guest_cluster_lun_source": {"iscsi": GOOD_ISCSI}},
     "guest_cluster_lun_guests[1] (guest-peer): guest_cluster_lun_guests[1].initiator", ["luns[0]"]),
    ("guest_scsi_verify", {"guest_scsi_verify_domain": "guest-run", "guest_scsi_verify_expect": [{"wwn": "12"}]},
     "guest_scsi_verify_expect[0].wwn", ["expect[0]"]),
]


def xen_case(tmp_path):
    """Xen: entries[1] of xl_vscsi is lun_passthrough_luns[1]."""
    path = tmp_path / "db02.cfg"
    shutil.copy(os.path.join(REPO, "tests", "fixtures", "xl", "multi-line.cfg"), path)
    return ("lun_passthrough", {"lun_passthrough_hypervisor": "xen", "lun_passthrough_xl_config": str(path),
                                "lun_passthrough_live": False, "lun_passthrough_domain": "db02",
                                "lun_passthrough_luns": [{"dev": "/dev/disk/by-id/wwn-0x6001405aaaaaaaa3",
                                                          "vdev": "0:0:5:0"},
                                                         {"pdev": "sdb", "vdev": "0:0:6:0"}]},
            "lun_passthrough_luns[1].pdev: expected a dom0 device", ["entries[1]"])


def run_cases(tmp_path, cases):
    fixture = tmp_path / "node.xml"
    fixture.write_text(open(os.path.join(REPO, "tests", "fixtures", "libvirt-node.xml")).read())
    tasks = []
    for index, (role, variables, _want, _not) in enumerate(cases):
        tasks.append({"block": [{"ansible.builtin.include_role": {"name": "scsi.virt." + role}, "vars": variables}],
                      "rescue": [{"ansible.builtin.debug": {
                          "msg": "case%d|{{ ansible_failed_result.msg | default('') }}" % index}}]})
    playbook = tmp_path / "roles.yml"
    playbook.write_text(json.dumps([{
        "hosts": "localhost", "gather_facts": False,
        "module_defaults": {"group/scsi.virt.all": {"uri": "test://%s" % fixture}},
        "tasks": tasks}]))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "build", "collections"),
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_NOCOLOR="1", PATH="/usr/bin:/bin")
    run = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
                          "-c", "local", str(playbook)], capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return {int(k): v for k, v in re.findall(r'"msg": "case(\d+)\|(.*)"$', run.stdout, re.M)}


def test_role_errors_name_the_role_variable_and_its_position(tmp_path):
    cases = CASES + [xen_case(tmp_path)]
    messages = run_cases(tmp_path, cases)
    problems = []
    for index, (role, variables, want, not_wanted) in enumerate(cases):
        msg = messages.get(index)
        if msg is None or want not in msg or any(re.search(r"(?<![\w.])" + re.escape(bad), msg) for bad in not_wanted):
            problems.append("%d %s %r: %r" % (index, role, variables, msg))
    print("\n%d role item errors tried, %d named the role variable" % (len(cases), len(cases) - len(problems)))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("msg, args, expected", [
    ("luns[1].dev: x; names the same device as luns[0]", ("luns", "v", [{}, {"kind": "hostdev"}, {}], "disk"),
     "v[2].dev: x; names the same device as v[0]"),
    ("hostdevs[0]: x", ("hostdevs", "v", [{}, {"kind": "hostdev"}], "hostdev"), "v[1]: x"),
    ("entries[3].pdev: x; v[3] stays; a.entries[1] too", ("entries", "v"),
     "v[3].pdev: x; v[3] stays; a.entries[1] too"),
    ("luns[5]: beyond the list stays", ("luns", "v", [{}], "disk"), "luns[5]: beyond the list stays"),
])
def test_role_item_error_filter(msg, args, expected):
    from ansible_collections.scsi.virt.plugins.filter.scsi import role_item_error
    assert role_item_error(msg, *args) == expected
