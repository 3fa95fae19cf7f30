# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Xen PVSCSI: the ``vscsi=[ 'pdev,vdev[,option]', ... ]`` list of an xl domain config.

Only the ``vscsi`` setting is ever rewritten: everything else in the file (other settings, other
device lists, comments, blank lines) stays byte for byte, and so does the vscsi setting itself
when nothing in it changes. Entries are identified by their vdev (the guest's ``h:c:t:l``).
"""

from __future__ import annotations

import re

from ansible_collections.scsi.virt.plugins.module_utils._errors import ScsiVirtError, ValidationError

OPTIONS = ("feature-host",)
# One vscsi entry as xl_vscsi takes it: its top-level options and each item of ``entries``.
ENTRY_SPEC = {
    "pdev": {"type": "str"},
    "vdev": {"type": "str"},
    "feature_host": {"type": "bool", "default": False},
}
_HCTL = re.compile(r"^\d{1,10}:\d{1,10}:\d{1,10}:\d{1,10}$")
_NAA = re.compile(r"^naa\.(?:[0-9a-fA-F]{16}|[0-9a-fA-F]{32}):\d{1,5}$")
_DEV = re.compile(r"^/dev/[A-Za-z0-9._:+@/-]+$")
_VSCSI = re.compile(r"^[ \t]*vscsi[ \t]*=[ \t]*\[", re.M)
_NAME = re.compile(r"""^[ \t]*name[ \t]*=[ \t]*(?:"([^"\n]*)"|'([^'\n]*)')""", re.M)


def parse_pdev(value, field):
    text = str(value).strip()
    if _HCTL.match(text) or _NAA.match(text) or (_DEV.match(text) and "//" not in text):
        return text
    raise ValidationError(field, "expected a dom0 device: a /dev path (persistent /dev/disk/by-*/* preferred), "
                          "'host:channel:target:lun' or 'naa.WWN:LUN' (LIO xen-pvscsi)", value)


def parse_vdev(value, field):
    text = str(value).strip()
    if not _HCTL.match(text):
        raise ValidationError(field, "expected the guest's 'host:channel:target:lun' of integers (e.g. 0:0:1:0)",
                              value)
    return ":".join(str(int(part)) for part in text.split(":"))


def is_persistent(pdev):
    """/dev/disk/by-* names and LIO naa.WWN:LUN survive reboots; /dev/sdX and h:c:t:l do not."""
    return pdev.startswith("/dev/disk/by-") or pdev.startswith("naa.")


class VscsiEntry:
    """One 'pdev,vdev[,option]' string."""

    def __init__(self, pdev, vdev, feature_host=False, literal=None):
        self.pdev = pdev
        self.vdev = vdev
        self.feature_host = feature_host
        self.literal = literal  # the entry as written in the file, quotes included

    @classmethod
    def parse(cls, text, field, literal=None):
        parts = [part.strip() for part in text.split(",")]
        if len(parts) < 2 or len(parts) > 3:
            raise ValidationError(field, "expected 'pdev,vdev[,feature-host]'", text)
        if len(parts) == 3 and parts[2] not in OPTIONS:
            raise ValidationError(field + ".option", "the only option is feature-host", parts[2])
        return cls(parse_pdev(parts[0], field + ".pdev"), parse_vdev(parts[1], field + ".vdev"),
                   len(parts) == 3, literal)

    def text(self):
        return ",".join([self.pdev, self.vdev] + (["feature-host"] if self.feature_host else []))

    def same(self, other):
        return (self.pdev, self.vdev, self.feature_host) == (other.pdev, other.vdev, other.feature_host)

    def as_dict(self):
        return {"pdev": self.pdev, "vdev": self.vdev, "feature_host": self.feature_host}

    def attach_argv(self, domain):
        return ["xl", "scsi-attach", domain, self.pdev, self.vdev + (",feature-host" if self.feature_host else "")]

    def detach_argv(self, domain):
        return ["xl", "scsi-detach", domain, self.vdev]


class XlConfig:
    """An xl config file's text, with its vscsi list located and parsed."""

    def __init__(self, text):
        self.text = text
        self.entries = []
        self.span = None          # (start, end) of the whole vscsi setting, or None
        self.open_end = None      # end of "vscsi = [" (start of the interior)
        self.close_start = None   # position of the closing "]"
        self._comments = {}       # index -> comment lines before that entry (multi-line lists)
        self._trailing = ""       # comment lines after the last entry
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self._locate()

    def _locate(self):
        match = None
        for candidate in _VSCSI.finditer(self.text):
            match = candidate  # xl takes the last assignment; so do we
        if match is None:
            return
        position = match.end()
        literals, comments, pending = [], {}, []
        text = self.text
        while True:
            if position >= len(text):
                raise ScsiVirtError("path: the vscsi list starting at line %d is not closed with ']'"
                                    % (text.count("\n", 0, match.start()) + 1))
            char = text[position]
            if char == "]":
                break
            if char in "'\"":
                end = text.find(char, position + 1)
                if end < 0 or "\n" in text[position:end]:
                    raise ScsiVirtError("path: unterminated string in the vscsi list at line %d"
                                        % (text.count("\n", 0, position) + 1))
                if pending:
                    comments[len(literals)] = pending
                    pending = []
                literals.append(text[position:end + 1])
                position = end + 1
            elif char == "#":
                end = text.find("\n", position)
                end = len(text) if end < 0 else end
                pending.append(text[position:end])
                position = end
            elif char in " \t\r\n,":
                position += 1
            else:
                raise ScsiVirtError("path: unexpected %r in the vscsi list at line %d (expected quoted "
                                    "'pdev,vdev[,option]' strings)" % (char, text.count("\n", 0, position) + 1))
        self.span = (match.start(), position + 1)
        self.open_end = match.end()
        self.close_start = position
        self._comments = comments
        self._trailing = pending
        self.entries = [VscsiEntry.parse(literal[1:-1], "path: vscsi[%d]" % index, literal)
                        for index, literal in enumerate(literals)]
        check_unique(self.entries, "path: vscsi")

    def domain_name(self):
        match = None
        for match in _NAME.finditer(self.text):
            pass
        return (match.group(1) or match.group(2)) if match else None

    def render(self, entries):
        """The file text with ``entries`` as its vscsi list (unchanged text when nothing changed)."""
        if self.span is not None and len(entries) == len(self.entries) and all(
                a is b for a, b in zip(entries, self.entries)):
            return self.text
        if not entries:
            if self.span is None:
                return self.text
            start, end = self.span
            rest = self.text[end:]
            if rest.startswith(self.newline):
                rest = rest[len(self.newline):]
            return self.text[:start] + rest
        quote = "'"
        if self.entries and self.entries[0].literal:
            quote = self.entries[0].literal[0]
        literals = [entry.literal or "%s%s%s" % (quote, entry.text(), quote) for entry in entries]
        if self.span is None:
            body = "vscsi = [ %s ]" % ", ".join(literals)
            prefix = self.text if self.text.endswith(("\n", "\r\n")) or not self.text else self.text + self.newline
            return prefix + body + self.newline
        start, end = self.span
        head = self.text[start:self.open_end]
        interior = self.text[self.open_end:self.close_start]
        if "\n" in interior:
            indent = "    "
            first = self.text.find(self.entries[0].literal, self.open_end) if self.entries else -1
            if first >= 0:
                line_start = self.text.rfind("\n", 0, first) + 1
                indent = self.text[line_start:first] if not self.text[line_start:first].strip() else indent
            kept = {id(entry): index for index, entry in enumerate(self.entries)}
            lines = []
            for entry, literal in zip(entries, literals):
                for comment in self._comments.get(kept.get(id(entry)), []):
                    lines.append(indent + comment)
                lines.append(indent + literal + ",")
            lines.extend(indent + comment for comment in self._trailing)
            closing_line_start = self.text.rfind("\n", 0, self.close_start) + 1
            closing_indent = self.text[closing_line_start:self.close_start]
            body = head + self.newline + self.newline.join(lines) + self.newline + closing_indent + "]"
        else:
            pad = " " if interior.startswith(" ") else ""
            body = head + pad + ", ".join(literals) + pad + "]"
        return self.text[:start] + body + self.text[end:]


def check_unique(entries, field):
    vdevs, pdevs = {}, {}
    for index, entry in enumerate(entries):
        if entry.vdev in vdevs:
            raise ValidationError("%s[%d].vdev" % (field, index), "%s is already used by %s[%d]; one vdev takes "
                                  "one device" % (entry.vdev, field, vdevs[entry.vdev]))
        if entry.pdev is None:  # an entry to remove, given by its vdev alone
            vdevs[entry.vdev] = index
            continue
        if entry.pdev in pdevs:
            raise ValidationError("%s[%d].pdev" % (field, index), "%s is already passed as %s[%d]; a device can "
                                  "go to one vdev" % (entry.pdev, field, pdevs[entry.pdev]))
        vdevs[entry.vdev] = pdevs[entry.pdev] = index


def plan_entries(current, desired, state, exclusive):
    """(new entry list, removed entries, added entries). Replacing an entry = removing + adding."""
    check_unique(desired, "entries")
    by_vdev = {entry.vdev: entry for entry in desired}
    result, removed, added = [], [], []
    for entry in current:
        wanted = by_vdev.get(entry.vdev)
        if state == "absent":
            if wanted is not None:
                removed.append(entry)
            else:
                result.append(entry)
        elif wanted is None:
            if exclusive:
                removed.append(entry)
            else:
                result.append(entry)
        elif wanted.same(entry):
            result.append(entry)
        else:
            removed.append(entry)
            added.append(wanted)
            result.append(wanted)
    if state == "present":
        present = {entry.vdev for entry in current}
        for entry in desired:
            if entry.vdev not in present:
                added.append(entry)
                result.append(entry)
    owners = {}
    for entry in result:
        owners.setdefault(entry.pdev, []).append(entry.vdev)
    for index, entry in enumerate(desired):
        others = [vdev for vdev in owners.get(entry.pdev, []) if vdev != entry.vdev]
        if state == "present" and others:
            raise ValidationError("entries[%d].pdev" % index, "%s is already passed to the guest as vdev %s in "
                                  "this config; a device can go to one vdev" % (entry.pdev, others[0]))
    return result, removed, added
