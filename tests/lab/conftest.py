# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the tests against the real lab (lab/lab.sh up)."""

from __future__ import annotations

import pytest

LAB_URI = "qemu:///system"
LAB_GUEST = "scsi-virt-lab"


@pytest.fixture
def conn(open_lab, lab_missing):
    """A connection per test: the fault tests restart libvirtd, which breaks older ones."""
    import libvirt
    connection = open_lab(LAB_URI, "lab/lab.sh up")
    try:
        connection.lookupByName(LAB_GUEST)
    except libvirt.libvirtError as exc:
        lab_missing("the lab guest is not there (lab/lab.sh up): %s" % exc)
    yield connection
    connection.close()


@pytest.fixture
def clean_guest(conn, detach_all_luns):
    """The lab guest without LUN disks and SCSI hostdevs, before and after the test."""
    detach_all_luns(LAB_URI, LAB_GUEST)
    yield conn.lookupByName(LAB_GUEST)
    detach_all_luns(LAB_URI, LAB_GUEST)
