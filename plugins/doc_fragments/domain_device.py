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

    # The options of one LUN or hostdev are documented once per module: YAML anchors make each top-level option
    # (one item) also a sub-option of the list (luns, hostdevs), whose items take exactly these options (the same
    # item spec, plugins/module_utils/_lun_options.py). The access options (sgio ... iscsi) are the same text in
    # both fragments; tests/unit/plugins/modules/test_item_suboptions.py compares them with each other and with
    # the item specs. (Fragments must be plain string literals: ansible-test's yamllint reads them unimported.)

    # domain_disk_lun: the single-LUN options and luns, a list of the same.
    DISK_LUN = r"""
options:
  dev: &dev
    description: Host block device of the LUN. Prefer a stable name under C(/dev/disk/by-path) or C(/dev/disk/by-id).
    type: str
  wwn: &wwn
    description:
      - Select the host LUN by its WWN (16 or 32 hex digits, C(0x)/C(naa.) prefix allowed); it becomes the block
        source C(/dev/disk/by-id/wwn-0x<wwn>).
      - libvirt cannot B(set) a WWN on a C(device='lun') disk (it refuses C(<wwn>) there); the guest sees the LUN's own.
      - The LUN must exist on the hypervisor, checked in C(/dev) when libvirt is local and among libvirt's storage
        node devices over a remote connection.
      - When multipathd owns the LUN, the source is its dm-multipath map C(/dev/mapper/<name>) instead (found in sysfs
        locally; remotely through libvirt's C(mpath) pool, when the map is named by its WWID - see
        M(scsi.virt.scsi_lun_info)).
    type: str
  allow_single_path: &allow_single_path
    description:
      - A block source (O(dev)) that is one path of a dm-multipath map (C(/dev/sdX) or one of its C(/dev/disk) names)
        is refused with a message naming the map, since the guest would lose the LUN when that path fails.
        V(true) passes the single path anyway (unset means V(false)).
      - A device-mapper O(dev) is accepted when it is a multipath map and refused when it is another dm device (LVM,
        crypt; checked on a local hypervisor).
    type: bool
  pool: &pool
    description: Storage pool whose volume is the LUN (a C(scsi), C(iscsi) or C(iscsi-direct) pool).
    type: str
  volume: &volume
    description: Volume name in O(pool), for example C(unit:0:0:1).
    type: str
  target_dev: &target_dev
    description: Guest target name (C(sdX)). Left out, the first free one is used. It is a hint to the guest only.
    type: str
  device: &device
    description:
      - V(lun) (default) passes the LUN through as C(<disk device='lun'>) (QEMU C(scsi-block)); the guest sends SCSI
        commands to the real LUN, sees its vendor, model and WWN, and can use persistent reservations.
      - V(disk) is the emulated mode, C(<disk device='disk'>) on the SCSI bus (QEMU C(scsi-hd)); the guest sees a
        QEMU disk, libvirt snapshots and block jobs work, no SCSI command reaches the LUN. The LUN is selected the
        same way (O(dev), O(wwn), O(pool), O(iscsi)). O(serial), O(vendor) and O(product) may be set; with O(wwn)
        of 16 hex digits the guest disk also gets that WWN (C(<wwn>)). O(sgio), O(rawio) and O(reservations) are
        refused (libvirt refuses them on C(device='disk')).
      - A LUN is one disk in either mode; asking for the other mode of a LUN that is attached is refused (detach
        it with O(state=absent) first), and O(state=absent) detaches it in whichever mode it is attached.
      - O(exclusive) only ever detaches C(device='lun') disks, never emulated disks (the guest's own system disk
        may be one).
    type: str
    choices: [lun, disk]
  serial: &serial
    description:
      - Serial number the guest sees, with O(device=disk) only (letters, digits, C(_ . + -) and space).
      - Refused with O(device=lun); libvirt does not allow C(<serial>) there; the guest sees the LUN's own serial.
    type: str
  vendor: &vendor
    description: SCSI INQUIRY vendor the guest sees (1-8 printable ASCII characters), with O(device=disk) only.
    type: str
  product: &product
    description: SCSI INQUIRY product the guest sees (1-16 printable ASCII characters), with O(device=disk) only.
    type: str
  reservations: &reservations
    description:
      - SCSI-3 persistent reservations for the guest (cluster fencing, for example Pacemaker C(fence_scsi) or
        Windows failover clusters) through QEMU's C(qemu-pr-helper), as C(<reservations>) in the LUN's C(<source>).
      - For a block source (O(dev) or O(wwn)) with O(device=lun) only. Refused for O(iscsi) sources (QEMU's own
        iSCSI initiator sends the reservation commands to the target itself; give each guest its own
        O(iscsi.initiator)) and for pool volumes (libvirt's schema allows C(<reservations>) only in a block source;
        give the volume's block path as O(dev)).
      - Left out, the reservation setting of an attached LUN is not changed.
    type: dict
    suboptions:
      managed:
        description:
          - V(true) lets libvirt start and stop a C(qemu-pr-helper) for the guest (it runs with the privileges
            needed to send PERSISTENT RESERVE OUT).
          - V(false) connects QEMU to a helper you run, at O(reservations.source_path).
        type: bool
        required: true
      source_path:
        description:
          - The UNIX socket of your C(qemu-pr-helper) (C(<source type='unix' mode='client'>)); required with
            O(reservations.managed=false), refused with V(true).
        type: str
  error_policy: &error_policy
    description:
      - What QEMU does when a write to the LUN fails (C(<driver error_policy>)). V(report) passes the error to
        the guest, which cluster software (Windows failover clusters) needs; V(stop) pauses the guest; V(enospace)
        pauses only when the host is out of space. Left out, libvirt's default (V(report) for LUNs is not implied).
    type: str
    choices: [stop, report, ignore, enospace]
  rerror_policy: &rerror_policy
    description: What QEMU does when a read fails (C(<driver rerror_policy>)); left out, it follows O(error_policy).
    type: str
    choices: [stop, report, ignore]
  cache: &cache
    description:
      - Host cache mode of the LUN (C(<driver cache>)). Left out, QEMU's default.
    type: str
    choices: [none, writeback, writethrough, directsync, unsafe]
  discard: &discard
    description: Whether guest discard (UNMAP/TRIM) requests reach the LUN (C(<driver discard>)).
    type: str
    choices: [unmap, ignore]
  io: &io
    description:
      - QEMU I/O mode (C(<driver io>)). V(native) needs O(cache=none) or O(cache=directsync) in the same task
        (libvirt refuses it otherwise).
    type: str
    choices: [native, threads, io_uring]
  sgio: &sgio
    description:
      - How SCSI commands from the guest are filtered. New devices get V(filtered).
      - V(unfiltered) is refused on libvirt 9.0 and later, which no longer supports it; on older
        libvirt it is allowed with a warning.
    type: str
    choices: [filtered, unfiltered]
  rawio: &rawio
    description: Give the guest CAP_SYS_RAWIO on the LUN (a warning is printed). Absent means V(false).
    type: bool
  shareable: &shareable
    description:
      - The LUN may be attached to several guests at once (a guest cluster). Absent means V(false).
      - A LUN (same block path, pool volume or iSCSI LUN) that another domain, running or defined, already uses
        as a LUN disk or SCSI hostdev is refused, naming that domain, unless both uses are shareable.
    type: bool
  readonly: &readonly
    description: Attach read-only. Absent means V(false).
    type: bool
  address: &address
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
  iscsi: &iscsi
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
  luns:
    description:
      - Several LUNs, each a dictionary with the single-LUN options (its sub-options, the same as the top-level
        options of one LUN); applied in one XML rewrite. Mutually exclusive with the single-LUN options.
      - A result's RV(luns) (or M(scsi.virt.domain_scsi_info)'s C(luns)) has this shape and can be given here as it is.
      - A bad item is refused naming its position, for example C(luns[1].iscsi.target).
      - With more than 64 items, RV(luns) in the result holds only the items added or updated (RV(summary) has
        the counts and RV(changes) every change), so that a big batch does not return every device it left as
        it was.
    type: list
    elements: dict
    suboptions:
      dev: *dev
      wwn: *wwn
      allow_single_path: *allow_single_path
      pool: *pool
      volume: *volume
      target_dev: *target_dev
      device: *device
      serial: *serial
      vendor: *vendor
      product: *product
      reservations: *reservations
      error_policy: *error_policy
      rerror_policy: *rerror_policy
      cache: *cache
      discard: *discard
      io: *io
      sgio: *sgio
      rawio: *rawio
      shareable: *shareable
      readonly: *readonly
      address: *address
      iscsi: *iscsi
"""

    # scsi_hostdev: the single-hostdev options and hostdevs, a list of the same.
    HOSTDEV = r"""
options:
  adapter: &adapter
    description: Host SCSI adapter node device, C(scsi_hostN) (see M(scsi.virt.scsi_host_info)).
    type: str
  adapter_wwnn: &adapter_wwnn
    description: Select the adapter (typically an NPIV vHBA) by its WWNN; needs O(adapter_wwpn).
    type: str
  adapter_wwpn: &adapter_wwpn
    description: WWPN of the adapter selected with O(adapter_wwnn).
    type: str
  bus: &bus
    description: Bus of the LUN on the adapter (the B of H:B:T:L).
    type: int
  target: &target
    description: Target of the LUN on the adapter (the T of H:B:T:L).
    type: int
  unit: &unit
    description: Unit (LUN number) on the adapter (the L of H:B:T:L).
    type: int
  managed: &managed
    description:
      - For iSCSI hostdevs only. Refused as V(true) on adapter hostdevs (the guest would not start); V(false) there
        clears an existing C(managed='yes'). Unset leaves it as it is.
    type: bool
  vhost_wwpn: &vhost_wwpn
    description: WWPN of a vhost-scsi (LIO) target, C(naa.) plus 16 hex digits, for a C(type='scsi_host') hostdev.
    type: str
  vhost_model: &vhost_model
    description: Model of the vhost-scsi device.
    type: str
    choices: [virtio, virtio-transitional, virtio-non-transitional]
  sgio: &sgio
    description:
      - How SCSI commands from the guest are filtered. New devices get V(filtered).
      - V(unfiltered) is refused on libvirt 9.0 and later, which no longer supports it; on older
        libvirt it is allowed with a warning.
    type: str
    choices: [filtered, unfiltered]
  rawio: &rawio
    description: Give the guest CAP_SYS_RAWIO on the LUN (a warning is printed). Absent means V(false).
    type: bool
  shareable: &shareable
    description:
      - The LUN may be attached to several guests at once (a guest cluster). Absent means V(false).
      - A LUN (same block path, pool volume or iSCSI LUN) that another domain, running or defined, already uses
        as a LUN disk or SCSI hostdev is refused, naming that domain, unless both uses are shareable.
    type: bool
  readonly: &readonly
    description: Attach read-only. Absent means V(false).
    type: bool
  address: &address
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
  iscsi: &iscsi
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
  hostdevs:
    description:
      - Several hostdevs, each a dictionary with the single-hostdev options (its sub-options, the same as the
        top-level options of one hostdev); applied in one XML rewrite. Mutually exclusive with the single-hostdev
        options.
      - A result's RV(hostdevs) (or M(scsi.virt.domain_scsi_info)'s C(hostdevs)) has this shape and can be given
        here as it is.
      - With more than 64 items, RV(hostdevs) in the result holds only the items added or updated (RV(summary)
        has the counts and RV(changes) every change), so that a big batch does not return every device it left
        as it was.
    type: list
    elements: dict
    suboptions:
      adapter: *adapter
      adapter_wwnn: *adapter_wwnn
      adapter_wwpn: *adapter_wwpn
      bus: *bus
      target: *target
      unit: *unit
      managed: *managed
      vhost_wwpn: *vhost_wwpn
      vhost_model: *vhost_model
      sgio: *sgio
      rawio: *rawio
      shareable: *shareable
      readonly: *readonly
      address: *address
      iscsi: *iscsi
"""
