# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A missing lab skips a test on a developer's machine and fails it in CI (CI=true)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

# Nothing listens on port 1: the connection is refused at once.
NO_LAB = "qemu+tcp://127.0.0.1:1/system"


@pytest.mark.parametrize("value", ["true", "TRUE", "1"])
def test_missing_lab_fails_in_ci(monkeypatch, open_lab, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="CI=true: a missing lab fails"):
        open_lab(NO_LAB, "lab/lab.sh up")


@pytest.mark.parametrize("value", [None, "", "false"])
def test_missing_lab_skips_outside_ci(monkeypatch, open_lab, value):
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception, match="lab/lab.sh up"):
        open_lab(NO_LAB, "lab/lab.sh up")


REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _copy_script(root, relative, mode=0o755):
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(os.path.join(REPO, relative), target)
    target.chmod(mode)


def _stub(path, body):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)


def test_ci_run_sets_ci_whatever_the_runner_exports(tmp_path):
    """.ci/run exports CI=true itself, so a runner that sets nothing still gets failing (not skipping) labs."""
    _copy_script(tmp_path, ".ci/run")
    _stub(tmp_path / "scripts" / "test.sh", 'echo "CI=$CI"')
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    run = subprocess.run(["bash", str(tmp_path / ".ci" / "run")], env=env, capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0 and run.stdout.strip() == "CI=true", (run.stdout, run.stderr)


@pytest.mark.parametrize("ci, expected_rc", [("true", 1), ("", 0)])
def test_a_lab_that_does_not_come_up_fails_the_lab_stage_in_ci(tmp_path, ci, expected_rc):
    """scripts/lab-tests.sh: a lab whose `up` fails makes the stage fail in CI even if its tests pass (or skip)."""
    _copy_script(tmp_path, "scripts/lab-tests.sh")
    _stub(tmp_path / "lab" / "lab.sh", 'case "$1" in down) exit 0 ;; *) exit 1 ;; esac')
    _stub(tmp_path / "venv" / "bin" / "python", "exit 0")  # the tests themselves: all skipped, say
    env = dict(os.environ, CI=ci, SCSI_VIRT_VENV=str(tmp_path / "venv"))
    run = subprocess.run(["bash", str(tmp_path / "scripts" / "lab-tests.sh"), "lab"], env=env, capture_output=True,
                         text=True, check=False)
    assert "lab-tests: lab did not come up" in run.stdout, (run.stdout, run.stderr)
    assert run.returncode == expected_rc, (run.stdout, run.stderr)
