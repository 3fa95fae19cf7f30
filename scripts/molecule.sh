#!/usr/bin/env bash
# Run the molecule scenarios: `default` (libvirt's test driver through libvirtd), `lab` (a real QEMU
# guest with iSCSI LUNs) and `npiv` (a real fc_host). Daemons started here are stopped here.
#   scripts/molecule.sh [default|lab|npiv ...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
export PATH="${SCSI_VIRT_VENV:-$here/.venv}/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$here/build/collections"
export SCSI_VIRT_PYTHON="${SCSI_VIRT_VENV:-$here/.venv}/bin/python"
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(default lab npiv)
state=$(mktemp -d /tmp/scsi-virt-molecule.XXXXXX)
cleanup() {
  [ -f "$state/keeper.pid" ] && python tests/support/test_node_keeper.py stop "$state/keeper.pid"
  # The labs before libvirtd: lab.sh down removes its guests through libvirtd.
  [ -f "$state/stop-npiv" ] && bash lab/npiv/npiv.sh down
  [ -f "$state/stop-lab" ] && bash lab/lab.sh down
  [ -f "$state/stop-libvirtd" ] && bash lab/libvirtd.sh stop
  rm -rf "$state"
}
trap cleanup EXIT
for scenario in "${scenarios[@]}"; do
  case "$scenario" in
    default)
      bash lab/libvirtd.sh status >/dev/null 2>&1 || { bash lab/libvirtd.sh start; touch "$state/stop-libvirtd"; }
      python tests/support/test_node_keeper.py start "$state/keeper.pid"
      molecule test -s default
      python tests/support/test_node_keeper.py stop "$state/keeper.pid"
      ;;
    lab)
      bash lab/lab.sh status >/dev/null 2>&1 || { bash lab/lab.sh up; touch "$state/stop-lab"; }
      molecule test -s lab
      ;;
    npiv)
      # No nested guest for this scenario (it boots for minutes): SCSI_VIRT_NPIV_NESTED=0.
      bash lab/npiv/npiv.sh status >/dev/null 2>&1 || { SCSI_VIRT_NPIV_NESTED=0 bash lab/npiv/npiv.sh up; touch "$state/stop-npiv"; }
      molecule test -s npiv
      ;;
    *) echo "unknown scenario $scenario"; exit 2 ;;
  esac
done
