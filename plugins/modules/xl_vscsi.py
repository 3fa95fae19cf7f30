#!/usr/bin/python
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: xl_vscsi
short_description: Manage Xen PVSCSI devices (C(vscsi=)) in an xl domain config, and live with C(xl)
version_added: 0.2.0
description:
  - Adds, replaces and removes the C(vscsi=[ 'pdev,vdev[,option]', ... ]) entries of an xl domain config file.
    Entries are identified by their vdev (the guest's C(host:channel:target:lun)). Only the C(vscsi) setting is
    rewritten; other settings, device lists and comments stay byte for byte.
  - With a running domain and C(xl) installed, the same change is made live with C(xl scsi-detach) and
    C(xl scsi-attach) first; the file is written only when they succeed.
  - The file is written through a private temporary file in the same directory and renamed over it; its mode
    and owner are kept.
  - This is the Xen counterpart of M(scsi.virt.scsi_hostdev) (a host LUN by adapter and address).
extends_documentation_fragment:
  - scsi.virt.attributes
  - scsi.virt.attributes.CHANGE
options:
  path:
    description: The xl domain config file.
    type: path
    required: true
  domain:
    description: Domain name for live changes. Default, the C(name=) of the config file.
    type: str
  state:
    description:
      - V(present) adds or replaces the entries; V(absent) removes the entries with these vdevs (O(pdev) is not
        needed for that, also for several entries in O(entries)).
    type: str
    choices: [present, absent]
    default: present
  pdev: &pdev
    description:
      - The dom0 device. A persistent C(/dev/disk/by-*/*) name is preferred; C(/dev/sdX) and C(host:channel:target:lun)
        work but change across reboots (a warning says so); C(naa.WWN:LUN) names a LUN of an LIO xen-pvscsi target.
    type: str
  vdev: &vdev
    description: The guest's C(host:channel:target:lun), integers.
    type: str
  feature_host: &feature_host
    description: Pass SCSI commands through without emulation in the backend (the C(feature-host) option).
    type: bool
    default: false
  entries:
    description:
      - Several entries, each a dict with O(pdev), O(vdev) and O(feature_host) (its sub-options); one rewrite.
      - A result's RV(entries) has this shape and can be given here as it is.
      - With O(state=absent), O(entries[].pdev) may be left out (entries are found by vdev).
    type: list
    elements: dict
    suboptions:
      pdev: *pdev
      vdev: *vdev
      feature_host: *feature_host
  exclusive:
    description: With O(state=present), remove the entries whose vdev is not listed.
    type: bool
    default: false
  live:
    description:
      - Change the running domain with C(xl) too. Unset means live when C(xl) is installed and C(xl list) knows
        the domain. V(true) without C(xl), or with a domain that is not running, is an error (also when the file
        needs no change).
      - When the file already has the entries, the running domain is still compared with it. Its PVSCSI devices
        are read from C(xl list -l) (libxl's JSON, C(vscsictrls)/C(vscsidevs)/C(vdev)), listed entries missing
        there are attached, and with O(state=absent) listed vdevs still there are detached. If that JSON cannot
        be read, a warning says the running domain was not compared.
    type: bool
  backup:
    description: Keep a timestamped copy of the file before changing it.
    type: bool
    default: false
seealso:
  - module: scsi.virt.scsi_hostdev
  - name: Xen PVSCSI
    link: https://xenbits.xen.org/docs/unstable/misc/pvscsi.html
    description: The vscsi syntax and the LIO backend.
author:
  - scsi.virt maintainers (@scsi-virt)
"""

EXAMPLES = r"""
- name: Pass a LUN by its persistent name as the guest's 0:0:1:0
  scsi.virt.xl_vscsi:
    path: /etc/xen/db01.cfg
    pdev: /dev/disk/by-id/wwn-0x6001405abcdef012
    vdev: "0:0:1:0"

- name: Exactly these two, one through an LIO xen-pvscsi target
  scsi.virt.xl_vscsi:
    path: /etc/xen/db01.cfg
    exclusive: true
    entries:
      - {pdev: /dev/disk/by-path/pci-0000:04:00.1-fc-0x203500a0b85ad1d7-lun-0, vdev: "0:0:0:0", feature_host: true}
      - {pdev: "naa.5001405df3e54061:0", vdev: "0:0:1:0"}
"""

RETURN = r"""
entries:
  description:
    - The vscsi entries of the file after the run, in the input shape of O(entries) (feedable back to it).
  returned: always
  type: list
  elements: dict
  contains:
    pdev:
      description: The dom0 device.
      type: str
    vdev:
      description: The guest's C(host:channel:target:lun).
      type: str
    feature_host:
      description: Whether the entry has the C(feature-host) option.
      type: bool
  sample: [{pdev: /dev/disk/by-id/wwn-0x6001405abcdef012, vdev: "0:0:1:0", feature_host: false}]
commands:
  description: The C(xl) command lines run (or, in check mode or without a live domain, that a live change needs).
  returned: always
  type: list
  elements: str
  sample: ["xl scsi-attach db01 /dev/disk/by-id/wwn-0x6001405abcdef012 0:0:1:0"]
live_changed:
  description: Whether the running domain was changed.
  returned: always
  type: bool
backup_file:
  description: The backup copy, when O(backup=true) and the file changed.
  returned: changed and O(backup=true)
  type: str
"""

import json
import os
import tempfile

# First: the module_utils files imported below are then compiled once, not twice (see _compile_once.py).
from ansible_collections.scsi.virt.plugins.module_utils import _compile_once  # noqa: F401 pylint: disable=unused-import
from ansible.module_utils.basic import AnsibleModule

from ansible_collections.scsi.virt.plugins.module_utils._errors import ScsiVirtError, ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._item_spec import validated_items
from ansible_collections.scsi.virt.plugins.module_utils._xl_config import (
    ENTRY_SPEC, VscsiEntry, XlConfig, is_persistent, parse_pdev, parse_vdev, plan_entries)


def desired_entries(params):
    if params["entries"] is not None:
        if params["pdev"] or params["vdev"]:
            raise ValidationError("entries", "give either entries or pdev/vdev, not both")
        items = validated_items(params["entries"], ENTRY_SPEC, "entries", "a dict with pdev, vdev and feature_host")
    else:
        if not params["vdev"]:
            if params["exclusive"]:
                return []
            raise ValidationError("vdev", "is required (or a list in entries)")
        items = [("", {"pdev": params["pdev"], "vdev": params["vdev"], "feature_host": params["feature_host"]})]
    out = []
    for field, item in items:
        prefix = field + "." if field else ""
        vdev = parse_vdev(item.get("vdev"), prefix + "vdev")
        pdev = item.get("pdev")
        if pdev is None:
            if params["state"] == "present":
                raise ValidationError(prefix + "pdev", "is required with state=present")
            # absent entries are found by vdev alone (pdev stays None)
        else:
            pdev = parse_pdev(pdev, prefix + "pdev")
        out.append(VscsiEntry(pdev, vdev, bool(item.get("feature_host"))))
    return out


def main():
    module = AnsibleModule(
        argument_spec=dict({
            "path": {"type": "path", "required": True},
            "domain": {"type": "str"},
            "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
            **ENTRY_SPEC,
            "entries": {"type": "list", "elements": "dict"},
            "exclusive": {"type": "bool", "default": False},
            "live": {"type": "bool"},
            "backup": {"type": "bool", "default": False},
        }),
        supports_check_mode=True,
    )
    params = module.params
    try:
        result = run(module, params)
    except ScsiVirtError as exc:
        module.fail_json(msg=exc.msg)
    module.exit_json(**result)


def run(module, params):
    path = params["path"]
    if params["exclusive"] and params["state"] == "absent":
        raise ValidationError("exclusive", "goes with state=present (it removes what is not listed)")
    try:
        with open(path, newline="") as handle:
            text = handle.read()
    except OSError as exc:
        raise ValidationError("path", "must be a readable xl config file (%s)" % exc.strerror, path)
    config = XlConfig(text)
    wanted = desired_entries(params)
    entries, removed, added = plan_entries(config.entries, wanted, params["state"], params["exclusive"])
    for entry in added:
        if not is_persistent(entry.pdev):
            module.warn("pdev %s can name another device after a reboot; prefer /dev/disk/by-id or by-path"
                        % entry.pdev)
    new_text = config.render(entries)
    changed = new_text != text
    domain = params["domain"] or config.domain_name()
    if changed:
        target = domain or "DOMAIN"
        argv = [e.detach_argv(target) for e in removed] + [e.attach_argv(target) for e in added]
        live = decide_live(module, params["live"], domain)
    else:
        # The file is already right; the running domain may not be (changed while xl was missing, or
        # with live: false): compare it and change only it.
        live = params["live"] is not False and decide_live(module, params["live"], domain,
                                                           quiet=params["live"] is None)
        argv = running_differences(module, domain, wanted, entries, params["state"]) if live else []
    result = {"changed": changed or bool(argv), "entries": [e.as_dict() for e in entries],
              "commands": [" ".join(a) for a in argv], "live_changed": False}
    if module._diff:
        result["diff"] = {"before": text, "after": new_text, "before_header": path, "after_header": path}
    if not result["changed"] or module.check_mode:
        return result
    if live:
        for command in argv:
            rc, out, err = module.run_command(command)
            if rc != 0:
                raise ScsiVirtError("%s failed (%s): %s; the config file was not changed"
                                    % (" ".join(command), rc, (err or out).strip()))
        result["live_changed"] = bool(argv)
    if not changed:
        return result
    if params["backup"]:
        result["backup_file"] = module.backup_local(path)
    write_file(module, path, new_text)
    return result


def write_file(module, path, text):
    """Write through a private temp file beside ``path`` (never a fixed name another user could plant),
    then rename it over ``path``; atomic_move keeps the file's mode and owner."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, tmp = tempfile.mkstemp(dir=directory, prefix=".%s." % os.path.basename(path), suffix=".tmp")
    try:
        with os.fdopen(handle, "w", newline="") as stream:
            stream.write(text)
        module.atomic_move(tmp, os.path.abspath(path))
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def running_vdevs(module, domain):
    """The vdevs (h:c:t:l) of the running domain's PVSCSI devices from `xl list -l` (libxl's JSON), or None."""
    rc, out, _err = module.run_command([module.get_bin_path("xl", required=True), "list", "-l", domain])
    if rc != 0:
        return None
    try:
        data = json.loads(out or "[]")
        found = set()
        for item in data if isinstance(data, list) else [data]:
            config = item.get("config", item)
            for controller in config.get("vscsictrls") or []:
                for device in controller.get("vscsidevs") or []:
                    vdev = device["vdev"]
                    found.add("%d:%d:%d:%d" % (vdev["hst"], vdev["chn"], vdev["tgt"], vdev["lun"]))
        return found
    except (ValueError, AttributeError, KeyError, TypeError):
        return None


def running_differences(module, domain, wanted, entries, state):
    """xl commands that make the running domain match the (unchanged) file for the entries given."""
    running = running_vdevs(module, domain)
    if running is None:
        module.warn("could not read the PVSCSI devices of the running domain %r (xl list -l): it was not compared "
                    "with the config file" % domain)
        return []
    in_file = {entry.vdev: entry for entry in entries}
    if state == "absent":
        return [entry.detach_argv(domain) for entry in wanted if entry.vdev in running]
    return [in_file[entry.vdev].attach_argv(domain) for entry in wanted
            if entry.vdev not in running and entry.vdev in in_file]


def decide_live(module, live, domain, quiet=False):
    """Whether to change the running domain; ``quiet`` (nothing to write) skips what cannot be checked."""
    xl = module.get_bin_path("xl")
    if live is False:
        return False
    if xl is None:
        if live:
            raise ValidationError("live", "needs the xl tool (Xen's toolstack), which is not installed here")
        if not quiet:
            module.warn("xl is not installed: only the config file is changed")
        return False
    if not domain:
        if quiet:
            return False
        raise ValidationError("domain", "is needed for a live change and the config has no name=")
    running = module.run_command([xl, "list", domain])[0] == 0
    if live and not running:
        raise ValidationError("live", "domain %r is not running (xl list %s failed)" % (domain, domain))
    return running


if __name__ == "__main__":
    main()
