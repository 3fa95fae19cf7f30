#!/usr/bin/env bash
# The real test lab: libvirtd (qemu:///system), a userspace iSCSI target (tgtd, 127.0.0.1:3260,
# three file-backed LUNs) and two tiny TCG guests (one build) with a virtio-scsi controller, qemu-guest-agent
# and sg_persist. LUN 3 is the cluster LUN the two guests share (tgtd implements SPC-3 persistent reservations).
#   lab/lab.sh up|down|status|env|target-down|target-up|target-freeze|target-thaw
set -euo pipefail
# shellcheck source=lab/pidfile.sh
. "$(dirname "$0")/pidfile.sh"
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
state="${SCSI_VIRT_LAB_DIR:-/var/tmp/scsi-virt-lab}"
python="${SCSI_VIRT_VENV:-$repo/.venv}/bin/python"
domain=scsi-virt-lab
domain2=scsi-virt-lab2
iqn=iqn.2026-11.io.scsi-virt:lab
# LUN number -> size in MiB. tgt derives each LUN's NAA WWN from the target id and LUN number:
# 6000000000000000 0e00000000 <tid:2 bytes> <lun:2 bytes>, so these are stable.
luns=(1:64 2:32 3:16)
cluster_lun=3


wwn_of() { printf '60000000000000000e0000000001%04x' "$1"; }

tgt_up() {
  if alive "$state/tgtd.pid"; then return 0; fi
  mkdir -p "$state/luns"
  tgtd -f --iscsi portal=127.0.0.1:3260 >"$state/tgtd.log" 2>&1 &
  echo $! >"$state/tgtd.pid"
  for _ in $(seq 100); do tgtadm --lld iscsi --mode sys --op show >/dev/null 2>&1 && break; sleep 0.1; done
  tgtadm --lld iscsi --op new --mode target --tid 1 -T "$iqn"
  for spec in "${luns[@]}"; do
    local lun=${spec%%:*} size=${spec#*:}
    truncate -s "${size}M" "$state/luns/lun$lun.img"
    tgtadm --lld iscsi --op new --mode logicalunit --tid 1 --lun "$lun" -b "$state/luns/lun$lun.img"
  done
  tgtadm --lld iscsi --op bind --mode target --tid 1 -I ALL
  echo "lab: tgtd serves $iqn with LUNs ${luns[*]} (MiB) on 127.0.0.1:3260 (pid $(cat "$state/tgtd.pid"))"
}


up() {
  local t0=$SECONDS
  mkdir -p "$state"
  chmod 755 "$state"
  bash "$here/libvirtd.sh" start
  tgt_up
  "$python" "$here/build_guest.py" "$state/guest"
  # Both guests boot side by side (TCG, one vCPU each).
  "$python" "$here/lab_domain.py" up "$domain" "$state/guest" "$state/console.log" &
  local first=$!
  "$python" "$here/lab_domain.py" up "$domain2" "$state/guest" "$state/console2.log" || { wait $first; return 1; }
  wait $first
  echo "lab: up in $((SECONDS - t0)) s"
}

down() {
  if bash "$here/libvirtd.sh" status >/dev/null 2>&1; then
    "$python" "$here/lab_domain.py" down "$domain" || true
    "$python" "$here/lab_domain.py" down "$domain2" || true
  fi
  # Guests outlive a libvirtd that was stopped first: stop their QEMU by the PID file libvirt wrote.
  local name
  for name in "$domain" "$domain2"; do stop_pid "/var/run/libvirt/qemu/$name.pid" "guest $name"; done
  stop_pid "$state/tgtd.pid" tgtd
  bash "$here/libvirtd.sh" stop
  rm -rf "$state"
}

status() {
  alive "$state/tgtd.pid" && bash "$here/libvirtd.sh" status &&
    "$python" -c "import libvirt,sys; c=libvirt.open('qemu:///system'); sys.exit(0 if all(c.lookupByName(n).isActive() for n in sys.argv[1:]) else 1)" "$domain" "$domain2" 2>/dev/null
}

env_vars() {
  echo "SCSI_VIRT_LAB_URI=qemu:///system"
  echo "SCSI_VIRT_LAB_DOMAIN=$domain"
  echo "SCSI_VIRT_LAB_DOMAIN2=$domain2"
  echo "SCSI_VIRT_LAB_PORTAL=127.0.0.1"
  echo "SCSI_VIRT_LAB_PORT=3260"
  echo "SCSI_VIRT_LAB_IQN=$iqn"
  for spec in "${luns[@]}"; do
    local lun=${spec%%:*} size=${spec#*:}
    echo "SCSI_VIRT_LAB_LUN${lun}_WWN=$(wwn_of "$lun")"
    echo "SCSI_VIRT_LAB_LUN${lun}_SIZE=$((size * 1024 * 1024))"
  done
  echo "SCSI_VIRT_LAB_CLUSTER_LUN=$cluster_lun"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  env) env_vars ;;
  # The iSCSI target gone (tgtd killed, as a crashed or unplugged array) and back, for fault tests.
  # tgtd ignores TERM while it has sessions, hence KILL; the LUN files keep their data.
  target-down) alive "$state/tgtd.pid" && kill -9 "$(cat "$state/tgtd.pid")"; rm -f "$state/tgtd.pid" ;;
  target-up) tgt_up ;;
  # A target that accepts connections but answers nothing (a hung array): tgtd stopped, not killed.
  target-freeze) kill -STOP "$(cat "$state/tgtd.pid")" ;;
  target-thaw) kill -CONT "$(cat "$state/tgtd.pid")" ;;
  *) echo "usage: $0 up|down|status|env|target-down|target-up|target-freeze|target-thaw"; exit 2 ;;
esac
