# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the guest itself sees: its SCSI devices read from sysfs through qemu-guest-agent.

The guest is asked to run a small POSIX shell script (busybox is enough) that prints one
``key=value`` line per attribute and a blank line per device; ``parse_guest_scsi`` turns that into
dicts. sdX names are reported but never used to find a LUN: guests name disks in probe order.
"""

from __future__ import annotations

import base64
import json
import time

from ansible_collections.scsi.virt.plugins.module_utils._errors import ScsiVirtError, ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._item_spec import validated_items
from ansible_collections.scsi.virt.plugins.module_utils._types import (
    ScsiAddress, parse_int, parse_lun_wwn, wwn_from_wwid)

try:
    import libvirt
    import libvirt_qemu
    HAS_LIBVIRT_QEMU = True
except ImportError:  # pragma: no cover
    libvirt = libvirt_qemu = None
    HAS_LIBVIRT_QEMU = False

RESCAN_SCRIPT = 'for s in /sys/class/scsi_host/host*/scan; do [ -w "$s" ] && echo "- - -" > "$s"; done; true'

# One device per block: its H:B:T:L, then sysfs attributes, then block device name and size.
LIST_SCRIPT = r'''
for d in /sys/bus/scsi/devices/*:*:*:*; do
  [ -e "$d" ] || continue
  echo "address=${d##*/}"
  for a in vendor model rev type wwid state; do
    [ -r "$d/$a" ] && echo "$a=$(cat "$d/$a" 2>/dev/null | tr -d '\n')"
  done
  for b in "$d"/block/*; do
    [ -e "$b" ] || continue
    echo "block=${b##*/}"
    [ -r "$b/size" ] && echo "sectors=$(cat "$b/size")"
  done
  for g in "$d"/scsi_generic/*; do [ -e "$g" ] && echo "generic=${g##*/}"; done
  echo
done
'''

READ_SCRIPT = 'dd if=/dev/%s of=/dev/null bs=4096 count=%d 2>&1 && echo read-ok'


def parse_guest_scsi(text):
    """The guest script's output -> [device dict]. Strings stay strings; numbers become ints."""
    devices, current = [], {}
    for line in text.splitlines() + [""]:
        line = line.strip()
        if not line:
            if current:
                devices.append(_finish(current))
                current = {}
            continue
        key, _sep, value = line.partition("=")
        current[key] = value.strip()
    return devices


def _finish(raw):
    host, bus, target, lun = (int(p) for p in raw["address"].split(":"))
    device = {"address": raw["address"], "host": host, "bus": bus, "target": target, "lun": lun,
              "vendor": raw.get("vendor", "").strip(), "model": raw.get("model", "").strip(),
              "rev": raw.get("rev", "").strip(), "type": int(raw["type"]) if raw.get("type", "").isdigit() else None,
              "state": raw.get("state"), "wwid": raw.get("wwid"), "wwn": wwn_from_wwid(raw.get("wwid")),
              "block": raw.get("block"), "generic": raw.get("generic")}
    device["size"] = int(raw["sectors"]) * 512 if raw.get("sectors", "").isdigit() else None
    return device


# The items of guest_scsi_info's expect and absent (and of the guest_lun_problems filter): the LUN by wwn and/or
# address, and what to check of it. Checked by _checked_specs (types as documented; sizes may be strings).
ABSENT_SPEC = {
    "wwn": {"type": "str"},
    "address": {"type": "str"},
}
EXPECT_SPEC = dict(ABSENT_SPEC, **{
    "vendor": {"type": "str"},
    "model": {"type": "str"},
    "size": {"type": "int"},
    "min_size": {"type": "int"},
    "readable": {"type": "bool"},
})


def _checked_specs(specs, option, item_spec):
    """The LUN specs of ``option`` with wwn and address in canonical form; bad ones named by position."""
    out = []
    for field, spec in validated_items(specs or [], item_spec, option, "a dict with wwn and/or address"):
        if not (spec.get("wwn") or spec.get("address")):
            raise ValidationError(field, "each LUN needs wwn or address (the guest's H:B:T:L)", spec)
        checked = dict(spec)
        checked["wwn"] = parse_lun_wwn(spec.get("wwn") or None, field + ".wwn")
        if spec.get("address"):
            checked["address"] = str(ScsiAddress.parse(spec["address"], field + ".address"))
        for key in ("size", "min_size"):
            if spec.get(key) is not None:
                checked[key] = parse_int(spec[key], "%s.%s" % (field, key), 0, 2 ** 63)
        out.append(checked)
    return out


def _matches(device, spec):
    if spec.get("wwn") and device.get("wwn") != spec["wwn"]:
        return False
    if spec.get("address") and device.get("address") != spec["address"]:
        return False
    return True


def _describe(spec):
    return ", ".join("%s %s" % (k, spec[k]) for k in ("wwn", "address") if spec.get(k)) or str(spec)


def lun_problems(devices, expected=None, absent=None):
    """Messages for each expected LUN missing or different in ``devices``, and each absent one present.

    ``expected`` items select a device by ``wwn`` and/or ``address`` (the guest's H:B:T:L) and may check
    ``vendor``, ``model``, ``size`` (bytes), ``min_size`` and ``readable``. Malformed items raise
    ValidationError naming ``expect[N]``/``absent[N]``.
    """
    problems = []
    for spec in _checked_specs(expected, "expect", EXPECT_SPEC):
        found = [d for d in devices if _matches(d, spec)]
        if not found:
            problems.append("LUN %s is not in the guest (it sees: %s)" % (_describe(spec), "; ".join(
                "%s %s %s wwn %s" % (d["address"], d.get("vendor"), d.get("model"), d.get("wwn"))
                for d in devices) or "no SCSI devices"))
            continue
        device = found[0]
        for key in ("vendor", "model", "size", "readable"):
            if spec.get(key) is not None and device.get(key) != spec[key]:
                problems.append("LUN %s: %s is %r, expected %r" % (_describe(spec), key, device.get(key), spec[key]))
        if spec.get("min_size") is not None and (device.get("size") or 0) < spec["min_size"]:
            problems.append("LUN %s: size %s is below %s" % (_describe(spec), device.get("size"), spec["min_size"]))
    for spec in _checked_specs(absent, "absent", ABSENT_SPEC):
        if any(_matches(d, spec) for d in devices):
            problems.append("LUN %s is still in the guest" % _describe(spec))
    return problems


class GuestAgent:
    """Run shell commands in a guest through qemu-guest-agent (guest-exec)."""

    def __init__(self, dom, timeout=30):
        if not HAS_LIBVIRT_QEMU:
            raise ScsiVirtError("the libvirt_qemu module (part of libvirt-python) is required")
        self.dom = dom
        self.timeout = timeout

    def _command(self, payload, timeout=10):
        try:
            reply = libvirt_qemu.qemuAgentCommand(self.dom, json.dumps(payload), timeout, 0)
        except libvirt.libvirtError as exc:
            raise ScsiVirtError("guest agent of domain %r did not answer %s: %s (is qemu-guest-agent running in "
                                "the guest, with an org.qemu.guest_agent.0 channel?)" % (
                                    self.dom.name(), payload["execute"], exc.get_error_message()))
        return json.loads(reply)["return"]

    def wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._command({"execute": "guest-ping"}, timeout=5)
                return
            except ScsiVirtError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)

    def run(self, script):
        pid = self._command({"execute": "guest-exec", "arguments": {
            "path": "/bin/sh", "arg": ["-c", script], "capture-output": True}})["pid"]
        deadline = time.monotonic() + self.timeout
        while True:
            status = self._command({"execute": "guest-exec-status", "arguments": {"pid": pid}})
            if status.get("exited"):
                out = base64.b64decode(status.get("out-data", "")).decode("utf-8", "replace")
                err = base64.b64decode(status.get("err-data", "")).decode("utf-8", "replace")
                return status.get("exitcode", 0), out, err
            if time.monotonic() > deadline:
                raise ScsiVirtError("command in domain %r did not finish within %d s"
                                    % (self.dom.name(), self.timeout))
            time.sleep(0.1)

    def scsi_devices(self, rescan=False):
        if rescan:
            self.run(RESCAN_SCRIPT)
        code, out, err = self.run(LIST_SCRIPT)
        if code != 0:
            raise ScsiVirtError("listing SCSI devices in domain %r failed (exit %s): %s"
                                % (self.dom.name(), code, err.strip()))
        return parse_guest_scsi(out)

    def read_first_blocks(self, block, count=1):
        code, out, _err = self.run(READ_SCRIPT % (block, count))
        return code == 0 and "read-ok" in out


# -- SCSI-3 persistent reservations, run in the guest with sg_persist ---------------------------------------

# PERSISTENT RESERVE type codes (SPC-3) and the names sg_persist prints for them.
PR_TYPES = {1: "Write Exclusive", 3: "Exclusive Access", 5: "Write Exclusive, registrants only",
            6: "Exclusive Access, registrants only", 7: "Write Exclusive, all registrants",
            8: "Exclusive Access, all registrants"}
_PR_TYPE_BY_NAME = {name.lower(): code for code, name in PR_TYPES.items()}
# sg3_utils' exit status for a command the device answered with RESERVATION CONFLICT, and with a UNIT
# ATTENTION: an initiator whose registration another one preempted or cleared gets one on its next command
# (SPC-3 "registrations preempted"); the command is then simply sent again.
SG_RESERVATION_CONFLICT = 24
SG_UNIT_ATTENTION = 6

# What the guest runs: the PR state (keys, then reservation), separated by a marker line.
PR_STATUS_SCRIPT = 'sg_persist -n -i -k /dev/%(block)s && echo "--reservation--" && sg_persist -n -i -r /dev/%(block)s'

# A non-destructive test write: read one 4 KiB block (reads stay allowed under a write-exclusive
# reservation) and write the same bytes back with O_DIRECT, so the WRITE reaches the LUN at once. The
# kernel logs "<H:B:T:L>: reservation conflict" when the device answered RESERVATION CONFLICT; the count of
# those lines before and after tells this write's answer apart from an earlier one.
WRITE_SCRIPT = r'''
tmp=/tmp/scsi-virt-pr-block.$$
conflicts() { dmesg | grep -c "%(address)s: reservation conflict"; }
before=$(conflicts)
dd if=/dev/%(block)s of=$tmp bs=4096 skip=%(offset)d count=1 iflag=direct 2>/dev/null || { echo "read-failed"; rm -f $tmp; exit 3; }
dd if=$tmp of=/dev/%(block)s bs=4096 seek=%(offset)d count=1 oflag=direct conv=notrunc,fsync 2>/tmp/scsi-virt-pr-err.$$
rc=$?
rm -f $tmp
echo "rc=$rc"
echo "conflicts=$before:$(conflicts)"
echo "error=$(grep -m 1 "^dd:" /tmp/scsi-virt-pr-err.$$)"
rm -f /tmp/scsi-virt-pr-err.$$
dmesg | grep "%(address)s" | tail -n 5 | sed 's/^/log=/'
'''


def parse_pr_key(value, field):
    """A reservation key: a non-zero 64-bit number, as an int or a (0x) hex string; returned as '0x...' lower."""
    try:
        number = value if isinstance(value, int) and not isinstance(value, bool) else int(str(value).strip(), 16)
    except ValueError:
        number = -1
    if not 0 < number < 2 ** 64:
        raise ValidationError(field, "expected a non-zero reservation key of up to 16 hex digits (e.g. 0xa1)", value)
    return "0x%x" % number


def parse_pr_status(text):
    """sg_persist -n -i -k, then -i -r (PR_STATUS_SCRIPT) -> {'generation', 'keys', 'reservation'}."""
    keys_part, _sep, res_part = text.partition("--reservation--")
    keys = [line.strip().lower() for line in keys_part.splitlines() if line.strip().lower().startswith("0x")]
    generation = None
    for line in keys_part.splitlines():
        if "generation=" in line:
            generation = int(line.split("generation=", 1)[1].split(",", 1)[0], 16)
    reservation = None
    key = None
    for line in res_part.splitlines():
        line = line.strip()
        if line.lower().startswith("key="):
            key = "0x%x" % int(line.split("=", 1)[1], 16)
        elif "type:" in line and key is not None:
            name = line.split("type:", 1)[1].strip()
            scope = line.split("scope:", 1)[1].split(",", 1)[0].strip() if "scope:" in line else None
            reservation = {"key": key, "type": _PR_TYPE_BY_NAME.get(name.lower()), "type_name": name, "scope": scope}
    return {"generation": generation, "keys": keys, "reservation": reservation}


def parse_write_result(text):
    """WRITE_SCRIPT's output -> {'ok', 'reservation_conflict', 'error', 'kernel_log'}."""
    values, log = {}, []
    for line in text.splitlines():
        key, _sep, value = line.partition("=")
        if key == "log":
            log.append(value)
        elif key in ("rc", "conflicts", "error"):
            values[key] = value.strip()
    ok = values.get("rc") == "0"
    before, _sep, after = values.get("conflicts", "0:0").partition(":")
    conflict = not ok and (int(after or 0) > int(before or 0) or "Invalid exchange" in values.get("error", ""))
    return {"ok": ok, "reservation_conflict": conflict, "error": None if ok else values.get("error") or "write failed",
            "kernel_log": log}


def find_guest_lun(devices, wwn=None, address=None):
    """The one guest SCSI disk with this WWN and/or address (H:B:T:L); ScsiVirtError naming what it sees otherwise."""
    spec = {"wwn": wwn, "address": address}
    found = [d for d in devices if _matches(d, spec) and d.get("block")]
    if len(found) == 1:
        return found[0]
    seen = "; ".join("%s wwn %s (%s)" % (d["address"], d.get("wwn"), d.get("block")) for d in devices) or "none"
    if not found:
        raise ScsiVirtError("no SCSI disk with %s in the guest (it sees: %s)" % (_describe(spec), seen))
    raise ScsiVirtError("several SCSI disks in the guest match %s (%s): give address as well"
                        % (_describe(spec), seen))


class PersistentReservations:
    """sg_persist on one guest LUN through the agent: read the PR state, send PR OUT, try a write."""

    def __init__(self, agent, device):
        self.agent = agent
        self.device = device
        self.block = device["block"]

    def _fail(self, what, code, out, err):
        detail = (err or out).strip().splitlines()
        text = detail[-1] if detail else "no output"
        if code == SG_RESERVATION_CONFLICT:
            text = "the LUN answered RESERVATION CONFLICT (%s)" % text
        elif code == 127:
            text = "sg_persist is not installed in the guest (sg3-utils)"
        raise ScsiVirtError("%s on LUN %s (guest %s, %s) in domain %r failed (exit %s): %s" % (
            what, self.device.get("wwn") or "?", self.device["address"], self.block, self.agent.dom.name(), code,
            text), exit_code=code)

    def _sg(self, script):
        for _attempt in range(3):
            code, out, err = self.agent.run(script)
            if code != SG_UNIT_ATTENTION:
                break
        return code, out, err

    def status(self):
        code, out, err = self._sg(PR_STATUS_SCRIPT % {"block": self.block})
        if code != 0:
            self._fail("reading the persistent reservations", code, out, err)
        return parse_pr_status(out)

    def out(self, action, key, sa_key=None, pr_type=None):
        """One PERSISTENT RESERVE OUT service action: register (ignoring any existing key), unregister,
        reserve, release, preempt (sa_key is the key to remove) or clear."""
        args = {
            "register": ["-I", "-S", key],
            "unregister": ["-I", "-S", "0"],
            "reserve": ["-R", "-K", key, "-T", str(pr_type)],
            "release": ["-L", "-K", key, "-T", str(pr_type)],
            "preempt": ["-P", "-K", key, "-S", sa_key or "0", "-T", str(pr_type)],
            "clear": ["-C", "-K", key],
        }[action]
        code, out, err = self._sg("sg_persist -n -o %s /dev/%s" % (" ".join(args), self.block))
        if code != 0:
            self._fail("PERSISTENT RESERVE OUT %s" % action, code, out, err)

    def write(self, offset):
        code, out, err = self.agent.run(WRITE_SCRIPT % {"block": self.block, "address": self.device["address"],
                                                        "offset": offset})
        if code == 3:
            raise ScsiVirtError("reading block %d of LUN %s in domain %r failed before the test write: %s"
                                % (offset, self.device["address"], self.agent.dom.name(), (err or out).strip()))
        return parse_write_result(out)
