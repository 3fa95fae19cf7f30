# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the collection claims to support is what its tests run on.

- ``requires_ansible`` (meta/runtime.yml) starts at the ansible-core minor version the main venv tests
  (tests/requirements.txt), and every minor version from there to the newest one tested has a matrix venv
  (tests/matrix/ansible-core-X.Y.txt, run by the ``matrix`` stage of scripts/test.sh).
- The managed-node Python range stated in the README and the modules' requirements is the range of
  tests/matrix/managed-pythons.txt, whose venvs tests/integration/test_managed_python.py runs the modules on.
"""

from __future__ import annotations

import glob
import os
import re

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read(*parts):
    with open(os.path.join(REPO, *parts)) as handle:
        return handle.read()


def minor(text):
    major, minor_ = text.split(".")[:2]
    return int(major), int(minor_)


def main_venv_minor():
    """The ansible-core minor version the main venv installs: ``ansible-core>=2.19,<2.20``."""
    found = re.search(r"^ansible-core>=([0-9.]+),<([0-9.]+)\s*$", read("tests", "requirements.txt"), re.M)
    assert found, "tests/requirements.txt pins ansible-core to one minor version (>=X.Y,<X.Y+1)"
    low, high = minor(found.group(1)), minor(found.group(2))
    assert high == (low[0], low[1] + 1), found.group(0)
    return low


def matrix_minors():
    minors = {}
    for path in glob.glob(os.path.join(REPO, "tests", "matrix", "ansible-core-*.txt")):
        version = minor(re.search(r"ansible-core-([0-9.]+)\.txt$", path).group(1))
        pin = re.search(r"^ansible-core>=([0-9.]+),<([0-9.]+)\s*$", read(path), re.M)
        assert pin, "%s pins ansible-core to its minor version" % path
        assert (minor(pin.group(1)), minor(pin.group(2))) == (version, (version[0], version[1] + 1)), path
        minors[version] = path
    return minors


def test_requires_ansible_starts_at_the_main_venvs_version():
    requires = yaml.safe_load(read("meta", "runtime.yml"))["requires_ansible"]
    found = re.fullmatch(r">=([0-9]+\.[0-9]+)\.0", requires)
    assert found, "requires_ansible is a plain lower bound X.Y.0, not %r" % requires
    assert minor(found.group(1)) == main_venv_minor()


def test_every_claimed_minor_version_is_tested():
    tested = sorted([main_venv_minor()] + list(matrix_minors()))
    assert len(tested) == len(set(tested)), "the main venv's version has no matrix venv of its own"
    low, high = tested[0], tested[-1]
    assert tested == [(low[0], m) for m in range(low[1], high[1] + 1)], "a gap in the tested versions: %s" % tested
    # 2.19 is near its end of life in December 2026; 2.20 and 2.21 are the maintained ones.
    assert high >= (2, 21)


def test_the_matrix_runs_by_default():
    test_sh = read("scripts", "test.sh")
    default = re.search(r"\|\| stages=\(([^)]*)\)\s*$", test_sh, re.M).group(1).split()
    assert "matrix" in default and default.index("matrix") == default.index("sanity") + 1
    assert "matrix) run_stage matrix scripts/matrix.sh" in test_sh


def managed_pythons():
    lines = read("tests", "matrix", "managed-pythons.txt").splitlines()
    return sorted((minor(line.strip()) for line in lines if line.strip() and not line.startswith("#")))


def test_managed_python_claim_is_the_tested_range():
    pythons = managed_pythons()
    low, high = "%d.%d" % pythons[0], "%d.%d" % pythons[-1]
    assert "Python %s to %s" % (low, high) in read("README.md")
    assert "python >= %s on the hypervisor (tested with %s to %s)" % (low, low, high) in read(
        "plugins", "doc_fragments", "connection.py")
    # The main venv's Python is among them, and every one is one ansible-core 2.19 to 2.21 all support there.
    assert (3, 11) in pythons
    assert all((3, 9) <= p <= (3, 13) for p in pythons)
