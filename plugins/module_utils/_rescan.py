# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rescan SCSI hosts and report the LUNs that appeared and went (scsi_host_rescan).

How a host is rescanned depends on where libvirt runs:
- local hypervisor: ``- - -`` written to /sys/class/scsi_host/hostN/scan, and ``1`` to
  /sys/class/fc_host/hostN/issue_lip when asked;
- any connection (and the only way over qemu+tcp): a scsi storage pool start or refresh, whose backend
  writes the same scan file (Hypervisor.rescan_through_pool). libvirt has no LIP call, so ``issue_lip``
  needs a local hypervisor.
"""

from __future__ import annotations

import os
import re
import time

from ansible_collections.scsi.virt.plugins.module_utils._devices.nodedev import ScsiHostDevice, ScsiLunDevice
from ansible_collections.scsi.virt.plugins.module_utils._errors import ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._types import parse_wwn

SYSFS = "/sys"


def select_hosts(hypervisor, names=None, wwpns=None):
    """The scsi_host node devices to rescan: all, or those named (``scsi_hostN``/``N``) or with these WWPNs."""
    hosts = {}
    for element in hypervisor.nodedevs("scsi_host"):
        host = ScsiHostDevice.from_element(element)
        hosts[host.name] = host
    if not names and not wwpns:
        return sorted(hosts.values(), key=lambda h: h.host if h.host is not None else 1 << 30)
    chosen = []
    for position, raw in enumerate(names or []):
        text = str(raw)
        name = text if text.startswith("scsi_host") else "scsi_host" + text
        if not re.match(r"^scsi_host\d+$", name):
            raise ValidationError("name[%d]" % position, "expected scsi_hostN or a host number", raw)
        if name not in hosts:
            raise ValidationError("name[%d]" % position, "no SCSI host %s on this hypervisor (see "
                                  "scsi.virt.scsi_host_info)" % name, raw)
        chosen.append(hosts[name])
    for position, raw in enumerate(wwpns or []):
        wwpn = parse_wwn(raw, "wwpn[%d]" % position)
        found = [h for h in hosts.values() if h.fc_host and h.wwpn == wwpn]
        if not found:
            raise ValidationError("wwpn[%d]" % position, "no fc_host with WWPN %s on this hypervisor" % wwpn, raw)
        chosen.extend(found)
    unique = {h.name: h for h in chosen}
    return sorted(unique.values(), key=lambda h: h.host if h.host is not None else 1 << 30)


def lun_names(hypervisor):
    """{scsi_H_B_T_L: 'H:B:T:L'} of the hypervisor's SCSI LUN node devices."""
    out = {}
    for element in hypervisor.nodedevs("scsi"):
        lun = ScsiLunDevice.from_element(element)
        out[lun.name] = "%s:%s:%s:%s" % (lun.host, lun.bus, lun.target, lun.lun)
    return out


def rescan_local(host, issue_lip):
    number = host.host
    if issue_lip and host.fc_host:
        with open(os.path.join(SYSFS, "class", "fc_host", "host%d" % number, "issue_lip"), "w") as handle:
            handle.write("1")
    with open(os.path.join(SYSFS, "class", "scsi_host", "host%d" % number, "scan"), "w") as handle:
        handle.write("- - -")
    return "sysfs scan" + (" after issue_lip" if issue_lip and host.fc_host else "")


def rescan(hypervisor, names=None, wwpns=None, issue_lip=False, settle=5.0, check_mode=False):
    hosts = select_hosts(hypervisor, names, wwpns)
    if issue_lip and not hypervisor.is_local:
        raise ValidationError("issue_lip", "needs a local hypervisor (qemu:///system): libvirt has no call for a "
                              "Fibre Channel LIP, and a remote host's sysfs is out of reach")
    planned = [{"name": h.name, "fc_host": bool(h.fc_host), "issue_lip": bool(issue_lip and h.fc_host)}
               for h in hosts]
    before = lun_names(hypervisor)
    if check_mode:
        return {"changed": False, "hosts": planned, "appeared": [], "went": [], "luns": len(before), "seconds": 0.0}
    start = time.monotonic()
    for host, entry in zip(hosts, planned):
        if hypervisor.is_local:
            entry["method"] = rescan_local(host, issue_lip)
        else:
            entry["method"] = hypervisor.rescan_through_pool(host.name)
    # udev adds the node devices after the scan returns: wait until the list stops changing (or settle s).
    after = lun_names(hypervisor)
    deadline = time.monotonic() + settle
    while time.monotonic() < deadline:
        time.sleep(0.5)
        again = lun_names(hypervisor)
        if again == after and again != before:
            break
        after = again
    appeared = [{"name": n, "address": after[n]} for n in sorted(set(after) - set(before))]
    went = [{"name": n, "address": before[n]} for n in sorted(set(before) - set(after))]
    return {"changed": bool(appeared or went), "hosts": planned, "appeared": appeared, "went": went,
            "luns": len(after), "seconds": round(time.monotonic() - start, 2)}
