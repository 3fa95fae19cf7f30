# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  domain:
    description: Name of the libvirt domain (guest).
    type: str
    required: true
    aliases: [name]
  state:
    description:
      - V(present) attaches the listed devices and brings their options in line; V(absent) detaches them.
      - A device is identified by its source (the LUN), never by its guest-side name or address.
    type: str
    choices: [present, absent]
    default: present
  exclusive:
    description:
      - With O(state=present), also detach every device of this module's kind that is not listed.
      - Detaching from a running guest still needs O(force=true).
    type: bool
    default: false
  config:
    description:
      - Change the persistent configuration (one C(defineXML) of the rewritten domain).
      - A transient domain (started with C(virsh create), no persistent configuration) is never made persistent;
        it is changed live only, with a warning, and O(live=false) is refused for it.
    type: bool
    default: true
  live:
    description:
      - Change the running guest too (hotplug/unplug through the virtio-scsi controller).
      - Unset (default) means live when the domain is running. V(true) on a stopped domain is an error.
      - Live changes go first; if the config write then fails, they are rolled back, and the error says which of
        them could not be undone.
    type: bool
  live_timeout:
    description:
      - Seconds to wait for each live attach, update or detach call (1-3600).
      - QEMU opens an iSCSI source inside the hotplug itself, so a target that accepts connections but never answers
        its login holds the call for as long as it stays silent. After this long the task fails without writing the
        persistent config; the device may still appear in the running guest once the target answers, and running
        the task again then completes the change.
    type: int
    default: 60
  force:
    description:
      - Allow detaching a device from a running guest, which can break I/O in the guest.
    type: bool
    default: false
  controller_model:
    description:
      - Model of the SCSI controller the module adds when the chosen controller index has none.
      - Only V(virtio-scsi) keeps up to 256 targets x 16384 units on one controller.
    type: str
    choices: [virtio-scsi]
    default: virtio-scsi
  controller_queues:
    description: Number of virtqueues of a controller the module adds (1-1024); an existing controller is not changed.
    type: int
"""

    LUN_ACCESS = r"""
options:
  sgio:
    description:
      - How SCSI commands from the guest are filtered. New devices get V(filtered).
      - V(unfiltered) is refused on libvirt 9.0 and later, which no longer supports it; on older
        libvirt it is allowed with a warning.
    type: str
    choices: [filtered, unfiltered]
  rawio:
    description: Give the guest CAP_SYS_RAWIO on the LUN (a warning is printed). Absent means V(false).
    type: bool
  shareable:
    description:
      - The LUN may be attached to several guests at once (a guest cluster). Absent means V(false).
      - A LUN (same block path, pool volume or iSCSI LUN) that another domain, running or defined, already uses
        as a LUN disk or SCSI hostdev is refused, naming that domain, unless both uses are shareable.
    type: bool
  readonly:
    description: Attach read-only. Absent means V(false).
    type: bool
  address:
    description:
      - Guest-side drive address on a virtio-scsi controller. Left out, the next free one is used,
        targets first (C(0:0:0:0), C(0:0:1:0), ...) so every LUN stays on virtio-scsi.
      - A controller index without a SCSI controller gets a new virtio-scsi controller.
    type: dict
    suboptions:
      controller:
        description: SCSI controller index (0-255).
        type: int
        default: 0
      bus:
        description: Bus; must be 0 (virtio-scsi has one bus).
        type: int
        default: 0
      target:
        description: Target (0-255).
        type: int
        required: true
      unit:
        description: Unit (LUN number, 0-16383).
        type: int
        required: true
  iscsi:
    description: An iSCSI LUN as the source (QEMU's libiscsi initiator; nothing is logged in on the host).
    type: dict
    suboptions:
      host:
        description: Portal host name or IP address; an IPv6 address with or without brackets (V(fd00::1), V([fd00::1])), written bare.
        type: str
        required: true
      port:
        description: Portal port.
        type: int
        default: 3260
      target:
        description: Target IQN, for example C(iqn.2026-11.com.example:storage).
        type: str
        required: true
      lun:
        description: LUN number on the target (0-16383).
        type: int
        default: 0
      auth:
        description: CHAP authentication through a libvirt secret (the password never appears in the domain XML).
        type: dict
        suboptions:
          username:
            description: CHAP user name.
            type: str
            required: true
          secret_usage:
            description: Usage name of the libvirt secret (type iscsi) holding the password.
            type: str
          secret_uuid:
            description: UUID of that libvirt secret.
            type: str
      initiator:
        description: Initiator IQN to log in with.
        type: str
"""
