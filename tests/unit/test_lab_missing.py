# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A missing lab skips a test on a developer's machine and fails it in CI (CI=true)."""

from __future__ import annotations

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
