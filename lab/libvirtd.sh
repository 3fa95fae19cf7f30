#!/usr/bin/env bash
# Start/stop virtlogd + libvirtd for the tests (no systemd here), recording their PIDs.
# libvirtd runs in a private mount namespace where /dev/kvm is a 0600 regular file: KVM guests
# cannot run on these machines anyway (TCG only), and without the mask libvirt re-probes QEMU on
# every capability lookup (~32 s per define; shared/LAB.md).
#   lab/libvirtd.sh start|stop|restart [DELAY]|status
set -euo pipefail
# shellcheck source=lab/pidfile.sh
. "$(dirname "$0")/pidfile.sh"
state="${SCSI_VIRT_LAB_DIR:-/var/tmp/scsi-virt-lab}/daemons"
mkdir -p "$state"
sock=/var/run/libvirt/libvirt-sock


ready() {
  local deadline=$((SECONDS + 60))
  until [ -S "$sock" ] && virsh -q -c qemu:///system version >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { echo "libvirtd did not become ready"; return 1; }
    sleep 0.5
  done
}

start() {
  if pgrep -x libvirtd >/dev/null && ! alive "$state/libvirtd.pid"; then
    echo "libvirtd: a libvirtd not started by the lab is running; using it"; return 0
  fi
  if alive "$state/libvirtd.pid"; then echo "libvirtd: already running"; return 0; fi
  local t0=$SECONDS
  mkdir -p /var/run/libvirt /var/log/libvirt
  if ! pgrep -x virtlogd >/dev/null; then
    virtlogd -d -p "$state/virtlogd.pid"
  fi
  # libvirt moves mounts under /dev into each guest's private /dev namespace and cannot move the
  # /dev/kvm mask: the lab's guests do without that namespace.
  if ! grep -q '^namespaces = \[\]  # scsi.virt lab' /etc/libvirt/qemu.conf; then
    echo 'namespaces = []  # scsi.virt lab: /dev/kvm is masked for libvirtd (lab/libvirtd.sh)' >> /etc/libvirt/qemu.conf
  fi
  install -m 600 /dev/null "$state/nokvm"
  local mask=""
  [ -e /dev/kvm ] && mask="mount --bind $state/nokvm /dev/kvm &&"
  unshare -m --propagation private sh -c "$mask exec libvirtd -d -p $state/libvirtd.pid"
  ready
  echo "libvirtd: ready in $((SECONDS - t0)) s (pid $(cat "$state/libvirtd.pid"))"
}


case "${1:-}" in
  start) start ;;
  stop) stop_pid "$state/libvirtd.pid" libvirtd; stop_pid "$state/virtlogd.pid" virtlogd ;;
  # libvirtd alone, as a package upgrade does: running guests (and virtlogd) stay. An optional
  # delay keeps it down that many seconds (fault tests).
  restart) stop_pid "$state/libvirtd.pid" libvirtd; sleep "${2:-0}"; start ;;
  status) pgrep -x libvirtd >/dev/null && [ -S "$sock" ] ;;
  *) echo "usage: $0 start|stop|restart|status"; exit 2 ;;
esac
