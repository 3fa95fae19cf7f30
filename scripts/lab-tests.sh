#!/usr/bin/env bash
# The tests that need real labs: the iSCSI/guest lab (lab/lab.sh) and the NPIV lab
# (lab/npiv/npiv.sh). Starts what is not running, runs the tests, stops what this script started.
#   scripts/lab-tests.sh [lab] [npiv] [npiv-multipath]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
export PATH="${SCSI_VIRT_VENV:-$here/.venv}/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$here/build/collections"
labs=("$@")
[ ${#labs[@]} -gt 0 ] || labs=(lab npiv npiv-multipath)
started=()
# Each started lab as "ENV=... ENV=... script", to stop it with the environment it was started with.
cleanup() {
  local entry words
  for entry in "${started[@]}"; do
    read -ra words <<< "$entry"
    env "${words[@]}" down
  done
}
trap cleanup EXIT
for lab in "${labs[@]}"; do
  envs=()
  case "$lab" in
    lab) script=lab/lab.sh; marker=lab; tests="tests/lab tests/integration/test_examples.py" ;;
    npiv) script=lab/npiv/npiv.sh; marker=npiv; tests="tests/npiv --ignore=tests/npiv/test_multipath.py" ;;
    # The NPIV lab's multipath mode: a second instance with its own port and state directory.
    npiv-multipath)
      envs=(SCSI_VIRT_NPIV_MULTIPATH=1 "SCSI_VIRT_NPIV_PORT=${SCSI_VIRT_NPIV_MP_PORT:-16510}"
            "SCSI_VIRT_NPIV_DIR=${SCSI_VIRT_NPIV_MP_DIR:-/var/tmp/scsi-virt-npiv-mp}")
      script=lab/npiv/npiv.sh; marker=npiv; tests=tests/npiv/test_multipath.py ;;
    *) echo "unknown lab $lab (lab npiv npiv-multipath)"; exit 2 ;;
  esac
  env "${envs[@]}" bash "$script" status >/dev/null 2>&1 || {
    env "${envs[@]}" bash "$script" up; started+=("${envs[*]} bash $script"); }
  # shellcheck disable=SC2086 # tests is a list of paths
  python -m pytest -q -m "$marker" $tests
done
