# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles refuse bad input cleanly, on the real lab (qemu:///system with a running guest).

One ansible-playbook run includes each role once per case inside block/rescue and records what
failed; then each case must have failed with a message naming the variable (or the module option
it feeds) and the allowed form, without a traceback, and libvirt's state must be unchanged.
Prints "N bad role inputs tried, N rejected cleanly, N states unchanged" (the module matrix is
tests/integration/test_bad_input_matrix.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.lab

URI = "qemu:///system"
GUEST = "scsi-virt-lab"
IQN = "iqn.2026-11.io.scsi-virt:lab"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WWNN, WWPN = "5001a4a0000000e1", "5001a4a0000000e2"


def lun(**item):
    return {"lun_passthrough_domain": GUEST, "lun_passthrough_luns": [item]}


def lun_list(*items):
    return {"lun_passthrough_domain": GUEST, "lun_passthrough_luns": list(items)}


GUEST2 = "scsi-virt-lab2"
ISCSI3 = {"host": "127.0.0.1", "target": IQN, "lun": 3}


def cluster(**over):
    return dict({"guest_cluster_lun_guests": [{"domain": GUEST}, {"domain": GUEST2}],
                 "guest_cluster_lun_source": {"iscsi": ISCSI3}}, **over)


def verify(**over):
    return dict({"guest_scsi_verify_domain": GUEST, "guest_scsi_verify_wait": 2}, **over)


# (role, role variables, what the message must name, a fragment of the allowed form or reason)
CASES = [
    ("vhba", {"vhba_wwnn": "xyz", "vhba_wwpn": WWPN}, "wwnn", "16 hex digits"),
    ("vhba", {"vhba_wwnn": WWNN, "vhba_wwpn": WWNN}, "wwpn", "must differ"),
    ("vhba", {"vhba_wwnn": WWNN}, "vhba_wwpn", "missing required"),
    ("vhba", {}, "vhba_wwnn", "missing required"),
    ("vhba", {"vhba_state": "gone", "vhba_wwnn": WWNN, "vhba_wwpn": WWPN}, "vhba_state", "present, absent"),
    ("vhba", {"vhba_force": "perhaps", "vhba_wwnn": WWNN, "vhba_wwpn": WWPN}, "vhba_force", "bool"),
    ("vhba", {"vhba_wwnn": WWNN, "vhba_wwpn": WWPN, "vhba_parent": "scsi_host99"}, "parent", "no SCSI host"),
    ("vhba", {"vhba_wwnn": WWNN, "vhba_wwpn": WWPN, "vhba_parent": "eth0"}, "parent", "scsi_hostN"),
    ("vhba", {"vhba_wwnn": WWNN, "vhba_wwpn": WWPN, "vhba_uri": "qemu+bogus:///x"}, "uri", "cannot connect"),
    ("scsi_pool", {}, "scsi_pool_name", "missing required"),
    ("scsi_pool", {"scsi_pool_name": "p", "scsi_pool_type": "dir"}, "scsi_pool_type", "scsi, iscsi, iscsi-direct"),
    ("scsi_pool", {"scsi_pool_name": "p", "scsi_pool_adapter": "host3"}, "scsi_pool_adapter", "dict"),
    ("scsi_pool", {"scsi_pool_name": "p", "scsi_pool_adapter": {"type": "scsi_host", "name": "eth0"}},
     "adapter.name", "hostN"),
    ("scsi_pool", {"scsi_pool_name": "p<1>", "scsi_pool_adapter": {"type": "scsi_host", "name": "host3"}},
     "name", "letters"),
    ("scsi_pool", {"scsi_pool_name": "p", "scsi_pool_adapter": {"type": "scsi_host", "name": "host3"},
                   "scsi_pool_target_path": "/etc"}, "target_path", "under /dev"),
    ("scsi_pool", {"scsi_pool_name": "p", "scsi_pool_type": "iscsi",
                   "scsi_pool_source": {"host": "127.0.0.1", "target": "not-an-iqn"}}, "source.target", "iSCSI name"),
    ("scsi_pool", {"scsi_pool_name": "p", "scsi_pool_state": "running"}, "scsi_pool_state", "started"),
    ("lun_passthrough", {"lun_passthrough_luns": [{"dev": "/dev/sdb"}]}, "lun_passthrough_domain",
     "missing required"),
    ("lun_passthrough", dict(lun(dev="/dev/sdb"), lun_passthrough_domain="nope"), "domain", "no domain named"),
    ("lun_passthrough", lun(kind="tape", dev="/dev/sdb"), "kind", "disk"),
    ("lun_passthrough", lun(iscsi={"host": "127.0.0.1", "target": "not-an-iqn", "lun": 1}),
     "lun_passthrough_luns[0].iscsi.target", "iSCSI name"),
    ("lun_passthrough", lun(iscsi={"host": "127.0.0.1", "target": IQN, "lun": 1}, sgio="unfiltered"),
     "lun_passthrough_luns[0].sgio", "filtered"),
    ("lun_passthrough", lun(dev="/dev/sdb", address={"target": 300, "unit": 0}),
     "lun_passthrough_luns[0].address.target", "0 to 255"),
    ("lun_passthrough", lun(dev="sdb"), "lun_passthrough_luns[0].dev", "absolute block device path"),
    ("lun_passthrough", lun(kind="hostdev", adapter="scsi_host99", bus=0, target=0, unit=0),
     "lun_passthrough_luns[0].adapter", "scsi_host99"),
    ("lun_passthrough", dict(lun(dev="/dev/sdb"), lun_passthrough_luns="/dev/sdb"), "lun_passthrough_luns",
     "convert to dict"),
    ("lun_passthrough", dict(lun(dev="/dev/sdb"), lun_passthrough_hypervisor="vmware"), "lun_passthrough_hypervisor",
     "kvm, xen"),
    ("lun_passthrough", dict(lun(iscsi={"host": "127.0.0.1", "target": IQN, "lun": 1}), lun_passthrough_state="gone"),
     "lun_passthrough_state", "present, absent"),
    # lun_passthrough splits its list by kind: an error names the item's place in lun_passthrough_luns.
    ("lun_passthrough", lun_list({"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 1}},
                                 {"kind": "hostdev", "iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 2}},
                                 {"iscsi": {"host": "127.0.0.1", "target": "not-an-iqn", "lun": 3}}),
     "lun_passthrough_luns[2].iscsi.target", "iSCSI name"),
    # state absent: the disk item (not attached) changes nothing, then the hostdevs are refused.
    ("lun_passthrough", dict(lun_list({"kind": "hostdev", "iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 2}},
                                      {"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 1}},
                                      {"kind": "hostdev", "adapter": "scsi_host99", "bus": 0, "target": 0, "unit": 0}),
                             lun_passthrough_state="absent"),
     "lun_passthrough_luns[2].adapter", "scsi_host99"),
    ("lun_passthrough", lun_list({"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 1}},
                                 {"kind": "hostdev", "iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 2}},
                                 {"iscsi": {"host": "127.0.0.1", "target": IQN, "lun": 1}}),
     "lun_passthrough_luns[2]: names the same device as lun_passthrough_luns[0]", "iscsi"),
    ("guest_scsi_verify", verify(guest_scsi_verify_expect=[{"wwn": "6001405abcdef012"}, {"wwn": "12"}]),
     "guest_scsi_verify_expect[1].wwn", "16 or 32 hex digits"),
    ("guest_scsi_verify", {}, "guest_scsi_verify_domain", "missing required"),
    ("guest_scsi_verify", verify(guest_scsi_verify_domain="nope"), "domain", "no domain named"),
    ("guest_scsi_verify", verify(guest_scsi_verify_expect=[{"wwn": "12"}]), "wwn", "16 or 32 hex digits"),
    ("guest_scsi_verify", verify(guest_scsi_verify_read_blocks=5000), "read_blocks", "0 to 1024"),
    ("guest_scsi_verify", verify(guest_scsi_verify_wait="soon"), "guest_scsi_verify_wait", "int"),
    ("guest_scsi_verify", verify(guest_scsi_verify_expect="all"), "guest_scsi_verify_expect", "convert to dict"),
    ("guest_cluster_lun", {"guest_cluster_lun_source": {"iscsi": ISCSI3}}, "guest_cluster_lun_guests",
     "missing required"),
    ("guest_cluster_lun", cluster(guest_cluster_lun_guests=[{"name": GUEST}]), "guest_cluster_lun_guests[0]",
     "Unsupported parameters: name. Supported parameters include: domain, initiator."),
    ("guest_cluster_lun", cluster(guest_cluster_lun_source={"kind": "disk"}), "guest_cluster_lun_source",
     "one LUN source"),
    ("guest_cluster_lun", cluster(guest_cluster_lun_reservations={"managed": True}), "guest_cluster_lun_reservations",
     "block and volume sources only"),
    ("guest_cluster_lun", cluster(guest_cluster_lun_guests=[{"domain": GUEST}], guest_cluster_lun_verify=True),
     "guest_cluster_lun_guests", "needs two guests"),
    ("guest_cluster_lun", cluster(guest_cluster_lun_guests=[{"domain": GUEST, "initiator": IQN + "-x"},
                                                            {"domain": GUEST2, "initiator": IQN + "-x"}]),
     "guest_cluster_lun_guests[1].initiator", "each guest needs its own"),
    ("guest_cluster_lun", cluster(guest_cluster_lun_guests=[{"domain": GUEST}, {"domain": "nope"}]), "domain",
     "no domain named 'nope'"),
    ("guest_cluster_lun", cluster(guest_cluster_lun_source={"iscsi": dict(ISCSI3, target="not-an-iqn")}),
     "guest_cluster_lun_source.iscsi.target", "iSCSI name"),
    ("guest_cluster_lun", cluster(guest_cluster_lun_keys=["0xa1", "0xa1"]), "guest_cluster_lun_keys",
     "two different keys"),
]


def libvirt_state():
    """Everything a role could change on the lab's libvirt, as text."""
    import libvirt
    libvirt.registerErrorHandler(lambda *_: None, None)
    conn = libvirt.open(URI)
    try:
        domains = {d.name(): (d.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE), d.XMLDesc(0) if d.isActive() else None)
                   for d in conn.listAllDomains()}
        pools = {p.name(): (p.XMLDesc(0), p.isActive(), p.autostart()) for p in conn.listAllStoragePools()}
        devices = sorted(d.name() for d in conn.listAllDevices(0))
        secrets = sorted(s.UUIDString() for s in conn.listAllSecrets())
        return domains, pools, devices, secrets
    finally:
        conn.close()


def case_tasks(index, role, variables):
    record = "{{ _bad_role_results + [%s] }}"
    return {"block": [
        {"ansible.builtin.include_role": {"name": "scsi.virt.%s" % role}, "vars": variables},
        {"ansible.builtin.set_fact": {"_bad_role_results": record % ("{'case': %d, 'failed': false}" % index)}},
    ], "rescue": [
        {"ansible.builtin.set_fact": {"_bad_role_results": record % (
            "{'case': %d, 'failed': true, 'msg': ansible_failed_result.msg | default('') | string, "
            "'exception': ansible_failed_result.exception | default('') | string}" % index)}},
    ]}


def test_roles_refuse_bad_input_and_change_nothing(conn, tmp_path):
    before = libvirt_state()
    out = tmp_path / "results.json"
    tasks = [{"ansible.builtin.set_fact": {"_bad_role_results": []}}]
    tasks += [case_tasks(i, role, variables) for i, (role, variables, _f, _m) in enumerate(CASES)]
    tasks.append({"ansible.builtin.copy": {"content": "{{ _bad_role_results | to_json }}", "dest": str(out),
                                           "mode": "0600"}})
    playbook = tmp_path / "bad_roles.yml"
    playbook.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False,
                                     "vars": {"vhba_uri": URI, "scsi_pool_uri": URI, "lun_passthrough_uri": URI,
                                              "guest_scsi_verify_uri": URI, "guest_cluster_lun_uri": URI},
                                     "tasks": tasks}]))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "build", "collections"),
               ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    run = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
                          "-c", "local", str(playbook)], capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    results = {r["case"]: r for r in json.loads(out.read_text())}
    unchanged = libvirt_state() == before
    problems = []
    clean = 0
    for index, (role, variables, field, fragment) in enumerate(CASES):
        got = results.get(index, {})
        msg = got.get("msg", "")
        ok = (got.get("failed") and "Traceback" not in got.get("exception", "") + msg
              and "internal error" not in msg and field in msg and fragment in msg)
        clean += bool(ok)
        if not ok:
            problems.append("%02d %s %r: %r" % (index, role, variables, got))
    print("\n%d bad role inputs tried, %d rejected cleanly, %d states unchanged"
          % (len(CASES), clean, len(CASES) if unchanged else 0))
    assert not problems, "\n".join(problems)
    assert unchanged
    assert len(CASES) >= 30
