# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors that modules turn into a clean ``fail_json``: never a traceback."""

from __future__ import annotations


class ScsiVirtError(Exception):
    """An expected failure with a message meant for the user."""

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.msg = msg
        self.details = details


class ValidationError(ScsiVirtError):
    """Bad input: names the option (``field``) and the allowed form."""

    def __init__(self, field, expected, got=None, hint=None):
        msg = "%s: %s" % (field, expected)
        if got is not None:
            msg += ", got %r" % (got,)
        if hint:
            msg += " (%s)" % hint
        super().__init__(msg)
        self.field = field


class NotFoundError(ScsiVirtError):
    """A named libvirt object (domain, pool, node device, volume) does not exist."""
