#!/bin/bash
# Runs as PID 1 inside the NPIV guest, on the host's root filesystem (9p, read-only) under a tmpfs
# overlay: a real kernel with an FCoE fc_host (vport_create), scsi_debug LUNs and libvirtd on TCP.
set -u
log() { echo "npiv-guest: $*" > /dev/ttyS0; }
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run && mkdir -p /run/lock /run/libvirt
mount -t tmpfs tmpfs /tmp
hostname npiv-guest
# Networking for the forwarded libvirt port (QEMU user networking).
modprobe virtio_net
ip link set lo up
dev=""
for net in /sys/class/net/*; do
  case "${net##*/}" in lo|dummy*) ;; *) dev=${net##*/}; break ;; esac
done
ip link set "$dev" up && ip addr add 10.0.2.15/24 dev "$dev" && ip route add default via 10.0.2.2
# udev, for libvirt's node device driver to see devices come and go (vHBAs).
/lib/systemd/systemd-udevd --daemon
udevadm trigger --action=add >/dev/null 2>&1
# Software Fibre Channel: FCoE on a dummy net device gives an fc_host with vport_create.
modprobe dummy numdummies=1
ip link set dummy0 up
modprobe fcoe
echo dummy0 > /sys/bus/fcoe/ctlr_create
for ctlr in /sys/bus/fcoe/devices/ctlr_*; do echo 1 > "$ctlr/enabled"; done
# Real SCSI LUNs. Multipath mode (npiv.sh up with SCSI_VIRT_NPIV_MULTIPATH=1 puts scsi_virt.multipath=1 on the
# kernel command line): two scsi_debug hosts whose LUNs report the same identifiers (vpd_use_hostno=0), so
# each LUN has two paths, and multipathd (find_multipaths off) makes one dm-multipath map per LUN, named by
# its WWID (multipath's default, user_friendly_names no): over qemu+tcp that name is the only tie between a map
# (a libvirt mpath pool volume) and its paths (storage node devices, whose serial is udev's ID_SERIAL, the WWID).
multipath=0
grep -qw 'scsi_virt.multipath=1' /proc/cmdline && multipath=1
if [ $multipath = 1 ]; then
  modprobe scsi_debug add_host=2 vpd_use_hostno=0 num_tgts=1 max_luns=2 dev_size_mb=16
else
  modprobe scsi_debug add_host=1 num_tgts=1 max_luns=2 dev_size_mb=16
fi
modprobe sg
udevadm settle --timeout=30
if [ $multipath = 1 ]; then
  modprobe dm_multipath
  cat > /etc/multipath.conf <<'CONF'
defaults {
	find_multipaths off
	user_friendly_names no
}
CONF
  multipathd
  udevadm settle --timeout=30
  log "multipath maps: $(cd /dev/mapper && echo *)"
fi
# The lab's control channel (third serial port, $state/control.sock on the host, lab/npiv/npiv.sh scsi-debug):
# one line "PARAM VALUE" sets a scsi_debug driver parameter (max_luns, add_host), as a storage admin mapping
# a new LUN would; the reply is "ok PARAM VALUE" or "error ...". Nothing is rescanned here.
control() {
  local what value
  stty -F /dev/ttyS2 raw -echo
  while read -r what value; do
    case "$what" in
      max_luns|add_host) ;;
      *) echo "error unknown parameter $what"; continue ;;
    esac
    case "$value" in
      ''|*[!0-9-]*) echo "error bad value $value"; continue ;;
    esac
    if echo "$value" > "/sys/bus/pseudo/drivers/scsi_debug/$what" 2>/dev/null; then
      log "scsi_debug $what=$value"
      echo "ok $what $value"
    else
      echo "error $what $value refused"
    fi
  done < /dev/ttyS2 > /dev/ttyS2
}
[ -e /dev/ttyS2 ] && control &
hosts=(/sys/class/fc_host/*)
log "fc_hosts: ${hosts[*]##*/}"
cat > /etc/libvirt/libvirtd.conf <<'CONF'
listen_tls = 0
listen_tcp = 1
auth_tcp = "none"
tcp_port = "16509"
listen_addr = "0.0.0.0"
CONF
echo 'namespaces = []' >> /etc/libvirt/qemu.conf
# Start empty: the domains, pools and secrets the host saved (seen through the 9p root) are not this
# libvirtd's. Removing them here only writes whiteouts into the tmpfs overlay.
rm -rf /etc/libvirt/qemu/*.xml /etc/libvirt/qemu/autostart /etc/libvirt/storage /etc/libvirt/secrets
# No nested KVM under TCG: hide /dev/kvm (this guest's own devtmpfs) so libvirt does not keep
# re-probing QEMU for KVM on every capability lookup (shared/LAB.md, "Mask /dev/kvm").
rm -f /dev/kvm
virtlogd -d
libvirtd -d --listen
# A nested guest started here (tests/npiv/test_nested_guest.py) writes its serial console to
# /tmp/npiv-nested-console.log; the second serial port copies it to the host's $state/nested-console.log.
stty -F /dev/ttyS1 raw -echo
tail -n +1 -F /tmp/npiv-nested-console.log >/dev/ttyS1 2>/dev/null &
log "libvirtd started"
while true; do sleep 3600; done
