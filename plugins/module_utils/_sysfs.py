# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the hypervisor's sysfs and udev files, where a missing file is an answer (None), not an error."""

from __future__ import annotations


def read_text(path):
    """The file's text without surrounding white space, or None when it cannot be read."""
    try:
        with open(path) as handle:
            return handle.read().strip()
    except OSError:
        return None
