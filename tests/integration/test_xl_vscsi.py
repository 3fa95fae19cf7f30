# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""xl_vscsi on copies of real-looking xl configs.

There is no Xen hypervisor here, so the real `xl` cannot run: the live path is tested with a
stand-in `xl` on PATH that records its arguments (and answers `xl list`).
"""

from __future__ import annotations

import os
import shutil
import stat

import pytest

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "xl")
LUN = "/dev/disk/by-id/wwn-0x6001405aaaaaaaa3"


@pytest.fixture
def cfg(tmp_path):
    def copy(name):
        dest = tmp_path / name
        shutil.copy(os.path.join(FIXTURES, name), dest)
        return str(dest)
    return copy


@pytest.fixture
def fake_xl(tmp_path, monkeypatch):
    """An `xl` that logs its argv; `xl list NAME` succeeds for running.txt's names; scsi-attach of /dev/bad fails."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "xl.log"
    running = tmp_path / "running.txt"
    running.write_text("db01\ndb02\n")
    script = bindir / "xl"
    script.write_text("#!/bin/sh\necho \"$*\" >> %s\n"
                      "if [ \"$1 $2\" = 'list -l' ]; then grep -qx \"$3\" %s || exit 1; "
                      "cat %s/running-$3.json 2>/dev/null || echo '[]'; exit 0; fi\n"
                      "if [ \"$1\" = list ]; then grep -qx \"$2\" %s; exit $?; fi\n"
                      "case \"$*\" in *'/dev/bad'*) echo 'device busy' >&2; exit 1;; esac\n"
                      % (log, running, tmp_path, running))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", "%s:%s" % (bindir, os.environ["PATH"]))
    return log, running


def read(path):
    with open(path, newline="") as handle:
        return handle.read()


def test_four_steps_without_xl(cfg, run_module, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no xl
    path = cfg("multi-line.cfg")
    args = {"path": path, "pdev": LUN, "vdev": "0:0:3:0"}
    before = read(path)
    check = run_module("xl_vscsi", args, check_mode=True, diff=True)
    assert check.changed and read(path) == before
    assert LUN in check["diff"]["after"] and LUN not in check["diff"]["before"]
    assert check["commands"] == ["xl scsi-attach db02 %s 0:0:3:0" % LUN]
    run = run_module("xl_vscsi", args)
    assert run.changed and not run["live_changed"]
    assert any("xl is not installed" in str(w) for w in run.get("warnings", [])), run
    after = read(path)
    assert not run_module("xl_vscsi", args, check_mode=True).changed
    assert not run_module("xl_vscsi", args).changed
    assert read(path) == after
    assert after.replace('    "%s,0:0:3:0",\n' % LUN, "") == before


def test_live_change_runs_xl_first(cfg, run_module, fake_xl):
    log, _running = fake_xl
    path = cfg("single-line.cfg")
    result = run_module("xl_vscsi", {"path": path, "pdev": LUN, "vdev": "0:0:1:0", "feature_host": True})
    assert result.changed and result["live_changed"]
    assert log.read_text().splitlines() == ["list db01", "scsi-detach db01 0:0:1:0",
                                            "scsi-attach db01 %s 0:0:1:0,feature-host" % LUN]
    assert "'%s,0:0:1:0,feature-host'" % LUN in read(path)


def test_failed_live_attach_leaves_the_file(cfg, run_module, fake_xl):
    path = cfg("single-line.cfg")
    before = read(path)
    result = run_module("xl_vscsi", {"path": path, "pdev": "/dev/bad", "vdev": "0:0:7:0"})
    assert result.failed and "device busy" in result["msg"] and "not changed" in result["msg"]
    assert read(path) == before


def test_stopped_domain_is_config_only_and_live_true_is_refused(cfg, run_module, fake_xl):
    log, running = fake_xl
    running.write_text("")
    path = cfg("single-line.cfg")
    refused = run_module("xl_vscsi", {"path": path, "pdev": LUN, "vdev": "0:0:4:0", "live": True})
    assert refused.failed and refused["msg"].startswith("live:")
    done = run_module("xl_vscsi", {"path": path, "pdev": LUN, "vdev": "0:0:4:0"})
    assert done.changed and not done["live_changed"]
    assert "scsi-attach" not in log.read_text()


def test_list_exclusive_backup_and_absent(cfg, run_module, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    path = cfg("single-line.cfg")
    entries = [{"pdev": LUN, "vdev": "0:0:0:0"}, {"pdev": "naa.5001405df3e54061:0", "vdev": "0:0:2:0"}]
    result = run_module("xl_vscsi", {"path": path, "entries": entries, "exclusive": True, "backup": True})
    assert result.changed and os.path.exists(result["backup_file"])
    assert [e["vdev"] for e in result["entries"]] == ["0:0:0:0", "0:0:2:0"]
    assert "4:3:2:1" not in read(path) and 'name = "db01"' in read(path)
    gone = run_module("xl_vscsi", {"path": path, "vdev": "0:0:0:0", "state": "absent"})
    assert gone.changed and [e["vdev"] for e in gone["entries"]] == ["0:0:2:0"]
    assert not run_module("xl_vscsi", {"path": path, "vdev": "0:0:0:0", "state": "absent"}).changed


def test_non_persistent_pdev_warns(cfg, run_module, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    result = run_module("xl_vscsi", {"path": cfg("no-vscsi.cfg"), "pdev": "/dev/sdc", "vdev": "0:0:0:0"})
    assert result.changed and any("after a reboot" in str(w) for w in result.get("warnings", []))


@pytest.mark.parametrize("args, field", [
    ({"pdev": "sdb", "vdev": "0:0:0:0"}, "pdev"),
    ({"pdev": LUN, "vdev": "0:0:0"}, "vdev"),
    ({"pdev": LUN}, "vdev"),
    ({"vdev": "0:0:9:0"}, "pdev"),
    ({"pdev": "4:3:2:1", "vdev": "0:0:5:0"}, "entries[0].pdev"),
    ({"entries": [{"pdev": LUN, "vdev": "0:0:5:0"}, {"pdev": "/dev/sdd", "vdev": "0:0:5:0"}]}, "entries[1].vdev"),
    ({"entries": [{"pdev": LUN, "vdev": "0:0:5:0", "rawio": True}]}, "entries[0]"),
    ({"entries": [{"pdev": LUN, "vdev": "0:0:5:0"}], "pdev": LUN}, "entries"),
    ({"pdev": LUN, "vdev": "0:0:5:0", "exclusive": True, "state": "absent"}, "exclusive"),
    ({"pdev": LUN, "vdev": "0:0:5:0", "live": True}, "live"),
])
def test_bad_input_leaves_the_file(cfg, run_module, monkeypatch, args, field):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    path = cfg("single-line.cfg")
    before = read(path)
    result = run_module("xl_vscsi", dict(args, path=path))
    assert result.failed and result["msg"].startswith(field + ":"), result
    assert read(path) == before


def test_an_unknown_key_in_an_entry_keeps_ansibles_wording(cfg, run_module):
    path = cfg("single-line.cfg")
    result = run_module("xl_vscsi", {"path": path, "entries": [{"pdev": LUN, "vdev": "0:0:5:0", "rawio": True}]})
    assert result.failed and result["msg"].startswith("entries[0]: Unsupported parameters: rawio. Supported parameters "
                                                      "include: feature_host, pdev, vdev."), result


def test_missing_file_is_a_clear_error(run_module, tmp_path):
    result = run_module("xl_vscsi", {"path": str(tmp_path / "nope.cfg"), "pdev": LUN, "vdev": "0:0:0:0"})
    assert result.failed and result["msg"].startswith("path: must be a readable xl config file")


def test_lun_passthrough_role_xen_path(cfg, tmp_path):
    """The role turns the LUN description into vscsi entries on a Xen host; the second run changes nothing."""
    import json
    import subprocess
    import sys
    path = cfg("no-vscsi.cfg")
    playbook = tmp_path / "xen.yml"
    playbook.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "roles": [{
        "role": "scsi.virt.lun_passthrough", "vars": {
            "lun_passthrough_hypervisor": "xen", "lun_passthrough_xl_config": path,
            "lun_passthrough_domain": "app01", "lun_passthrough_live": False,
            "lun_passthrough_luns": [{"wwn": "0x6001405abcdef012", "address": {"target": 1, "unit": 0}}]}}]}]))
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(repo, "build", "collections"),
               ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", "-c", "local",
               str(playbook)]
    first = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert first.returncode == 0 and "changed=1" in first.stdout, first.stdout[-2000:]
    assert "vscsi = [ '/dev/disk/by-id/wwn-0x6001405abcdef012,0:0:1:0' ]" in read(path)
    second = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert second.returncode == 0 and "changed=0" in second.stdout, second.stdout[-2000:]


def _running_json(tmp_path, domain, vdevs):
    """What `xl list -l` shows of a running domain's PVSCSI devices (libxl_domain_config as JSON)."""
    import json
    devs = [{"vdev": dict(zip(("hst", "chn", "tgt", "lun"), (int(p) for p in v.split(":"))))} for v in vdevs]
    (tmp_path / ("running-%s.json" % domain)).write_text(json.dumps(
        [{"domid": 3, "config": {"c_info": {"name": domain}, "vscsictrls": [{"devid": 0, "vscsidevs": devs}]}}]))


def test_absent_by_vdev_alone_for_several_entries(cfg, run_module, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    path = cfg("single-line.cfg")
    result = run_module("xl_vscsi", {"path": path, "state": "absent",
                                     "entries": [{"vdev": "0:0:0:0"}, {"vdev": "0:0:1:0"}]})
    assert result.changed and not result.failed, result
    assert result["entries"] == [] and "vscsi" not in read(path)
    assert "0:0:0:0" not in result.get("msg", "")


def test_the_file_is_written_through_a_private_temp_file_and_keeps_its_mode(cfg, run_module, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    path = cfg("single-line.cfg")
    os.chmod(path, 0o640)
    # A fixed temp name beside the file could be a symlink planted by someone else: it must not be followed.
    victim = tmp_path / "victim"
    victim.write_text("untouched\n")
    os.symlink(str(victim), path + ".scsi-virt.tmp")
    result = run_module("xl_vscsi", {"path": path, "pdev": LUN, "vdev": "0:0:3:0"})
    assert result.changed and not result.failed, result
    assert victim.read_text() == "untouched\n"
    assert "%s,0:0:3:0" % LUN in read(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    # no temp file left behind, and the planted link is still just a link
    assert set(os.listdir(os.path.dirname(path))) == {"single-line.cfg", "single-line.cfg.scsi-virt.tmp", "victim"}
    assert os.path.islink(path + ".scsi-virt.tmp")


def test_an_unchanged_file_still_brings_the_running_domain_in_line(cfg, run_module, fake_xl, tmp_path):
    """The file already has the entry (e.g. written while xl was missing) but the running guest lacks it."""
    log, running = fake_xl
    path = cfg("single-line.cfg")
    args = {"path": path, "pdev": "/dev/disk/by-id/wwn-0x6001405aaaaaaaa1", "vdev": "0:0:0:0"}
    before = read(path)
    _running_json(tmp_path, "db01", ["0:0:1:0"])
    check = run_module("xl_vscsi", args, check_mode=True)
    assert check.changed and check["commands"] == [
        "xl scsi-attach db01 /dev/disk/by-id/wwn-0x6001405aaaaaaaa1 0:0:0:0"], check
    assert "scsi-attach" not in log.read_text()
    run = run_module("xl_vscsi", args)
    assert run.changed and run["live_changed"] and read(path) == before, run
    assert "scsi-attach db01 /dev/disk/by-id/wwn-0x6001405aaaaaaaa1 0:0:0:0" in log.read_text()
    _running_json(tmp_path, "db01", ["0:0:0:0", "0:0:1:0"])
    assert not run_module("xl_vscsi", args).changed
    # live: true on a stopped domain is refused even when the file needs no change.
    running.write_text("")
    refused = run_module("xl_vscsi", dict(args, live=True))
    assert refused.failed and refused["msg"].startswith("live:"), refused


def test_result_entries_feed_back_unchanged(cfg, run_module, monkeypatch):
    """The entries of a result are xl_vscsi's own entries input: given back, nothing changes (also exclusive)."""
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no xl
    path = cfg("multi-line.cfg")
    added = run_module("xl_vscsi", {"path": path, "entries": [{"pdev": LUN, "vdev": "0:0:3:0", "feature_host": True},
                                                              {"pdev": "naa.5001405df3e54062:1", "vdev": "0:0:4:0"}]})
    assert added.changed and len(added["entries"]) >= 2, added
    text = read(path)
    for exclusive in (False, True):
        again = run_module("xl_vscsi", {"path": path, "entries": added["entries"], "exclusive": exclusive})
        assert not again.failed and not again.changed, again
        assert again["entries"] == added["entries"]
    assert read(path) == text
