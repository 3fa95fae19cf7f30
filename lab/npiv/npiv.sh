#!/usr/bin/env bash
# The NPIV lab: a TCG guest booting the host's Debian kernel on the host's own root filesystem (9p,
# read-only, under a tmpfs overlay) with a real FCoE fc_host (vport_create, max_vports 65535) on a
# dummy net device, scsi_debug LUNs, and libvirtd reachable as qemu+tcp://127.0.0.1:16509/system.
#   lab/npiv/npiv.sh up|down|status|env
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
state="${SCSI_VIRT_NPIV_DIR:-/var/tmp/scsi-virt-npiv}"
python="${SCSI_VIRT_VENV:-$repo/.venv}/bin/python"
# SCSI_VIRT_NPIV_PORT: the host port forwarded to the guest's libvirtd (a second lab instance needs its own).
port="${SCSI_VIRT_NPIV_PORT:-16509}"
uri=qemu+tcp://127.0.0.1:$port/system
# SCSI_VIRT_NPIV_MULTIPATH=1 at `up`: two scsi_debug hosts reporting the same LUN identifiers, and multipathd
# (one dm-multipath map per LUN, two paths each). tests/npiv/test_multipath.py needs it; the other NPIV tests
# need the default (one scsi_debug host, two LUNs).
append="console=ttyS0 panic=-1"
[ "${SCSI_VIRT_NPIV_MULTIPATH:-0}" = 1 ] && append="$append scsi_virt.multipath=1"

# shellcheck source=lab/pidfile.sh
. "$here/../pidfile.sh"

answers() {
  "$python" -c "import libvirt,sys; libvirt.registerErrorHandler(lambda *a: None, None); libvirt.open('$uri')" 2>/dev/null
}

up() {
  if alive "$state/qemu.pid" && answers; then echo "npiv: already up"; return 0; fi
  local t0=$SECONDS
  mkdir -p "$state"
  chmod 755 "$state"
  "$python" "$repo/lab/build_guest.py" "$state/guest" --profile npiv "$here/stage2.sh"
  # The nested guest's kernel and initramfs (busybox + qemu-guest-agent like the lab's guest, on the small
  # kernel of lab/kernel/build.sh with an uncompressed initramfs: see build_guest.py), read inside the NPIV
  # guest at the same path through the 9p root.
  "$python" "$repo/lab/build_guest.py" "$state/nested" --profile nested
  rm -f "$state/console.log" "$state/nested-console.log"
  qemu-system-x86_64 -machine q35,accel=tcg -cpu max -smp 2 -m 2048 \
    -kernel "$state/guest/vmlinuz" -initrd "$state/guest/initrd.img" -append "$append" \
    -display none -monitor none -serial "file:$state/console.log" \
    -serial "file:$state/nested-console.log" \
    -serial "unix:$state/control.sock,server=on,wait=off" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:16509" -device virtio-net-pci,netdev=n0 \
    -daemonize -pidfile "$state/qemu.pid"
  # Measured on an idle machine: libvirtd answers 18-24 s and about 35 CPU s of QEMU after start; 41 s on a
  # machine with load 4. The limit is in QEMU's CPU seconds (see pidfile.sh), capped at 5x in wall seconds.
  local pid cpu_limit=240 booted=$SECONDS
  pid=$(cat "$state/qemu.pid")
  until answers; do
    alive "$state/qemu.pid" || { echo "npiv: the NPIV guest stopped while booting"; tail -20 "$state/console.log"; return 1; }
    if [ "$(cpu_seconds "$pid")" -gt $cpu_limit ] || [ $((SECONDS - booted)) -gt $((cpu_limit * 5)) ]; then
      echo "npiv: libvirtd in the guest did not answer within $cpu_limit CPU s of QEMU ($((SECONDS - booted)) s)"
      tail -20 "$state/console.log"; return 1
    fi
    sleep 1
  done
  echo "npiv: $uri answers, $((SECONDS - t0)) s after start, $(cpu_seconds "$pid") CPU s of QEMU (limit $cpu_limit; qemu pid $pid)"
  # The nested guest's TCG-in-TCG boot takes minutes: start it now, so that it runs while the other NPIV
  # tests do; tests/npiv/test_nested_guest.py waits for its agent (and starts it itself if it is not running).
  # The multipath mode's tests use no nested guest; SCSI_VIRT_NPIV_NESTED=0 asks for none either.
  if [ "${SCSI_VIRT_NPIV_MULTIPATH:-0}" != 1 ] && [ "${SCSI_VIRT_NPIV_NESTED:-1}" = 1 ]; then
    "$python" "$repo/lab/lab_domain.py" boot-nested "$uri" "$state/nested"
    echo "npiv: nested guest booting (console: $state/nested-console.log)"
  fi
}

down() {
  stop_pid "$state/qemu.pid" "NPIV guest"
  rm -rf "$state"
}

env_vars() {
  echo "SCSI_VIRT_NPIV_URI=$uri"
  echo "SCSI_VIRT_NPIV_NESTED_GUEST=$state/nested"
  echo "SCSI_VIRT_NPIV_NESTED_CONSOLE=$state/nested-console.log"
  "$python" - "$uri" <<'PY'
import sys, libvirt
libvirt.registerErrorHandler(lambda *a: None, None)
conn = libvirt.open(sys.argv[1])
for dev in conn.listAllDevices(libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPORTS):
    print("SCSI_VIRT_NPIV_HBA=%s" % dev.name())
for dev in conn.listAllDevices(libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI):
    print("SCSI_VIRT_NPIV_LUN_%s=%s" % (dev.name(), dev.name().replace("scsi_", "").replace("_", ":")))
PY
}

# Sets a scsi_debug driver parameter inside the guest (max_luns N: LUNs per target; add_host N: N more hosts,
# -N fewer) through the control serial port, and prints the guest's reply. Nothing is rescanned.
scsi_debug() {
  "$python" - "$state/control.sock" "$1" "$2" <<'PY'
import socket, sys
sock = socket.socket(socket.AF_UNIX)
sock.settimeout(30)
sock.connect(sys.argv[1])
sock.sendall(("%s %s\n" % (sys.argv[2], sys.argv[3])).encode())
reply = b""
while not reply.endswith(b"\n"):
    chunk = sock.recv(256)
    if not chunk:
        break
    reply += chunk
print(reply.decode().strip())
sys.exit(0 if reply.startswith(b"ok ") else 1)
PY
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) alive "$state/qemu.pid" && answers ;;
  env) env_vars ;;
  scsi-debug) [ $# -eq 3 ] || { echo "usage: $0 scsi-debug max_luns|add_host VALUE"; exit 2; }; scsi_debug "$2" "$3" ;;
  *) echo "usage: $0 up|down|status|env|scsi-debug PARAM VALUE"; exit 2 ;;
esac
