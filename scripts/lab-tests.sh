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
started=""
# The lab this script started, as "ENV=... ENV=... bash SCRIPT", to stop it with the environment it was started with.
stop_started() {
  local words
  [ -n "$started" ] || return 0
  read -ra words <<< "$started"
  env "${words[@]}" down || true
  started=""
}
trap stop_started EXIT
failed=0
for lab in "${labs[@]}"; do
  envs=()
  case "$lab" in
    lab) script=lab/lab.sh; marker=lab; tests="tests/lab tests/integration/test_examples.py" ;;
    # The nested guest's tests last: npiv.sh up starts its boot, which runs while the other tests do.
    npiv) script=lab/npiv/npiv.sh; marker=npiv; tests="tests/npiv/test_npiv.py tests/npiv/test_nested_guest.py" ;;
    # The NPIV lab's multipath mode: a second instance with its own port and state directory.
    npiv-multipath)
      envs=(SCSI_VIRT_NPIV_MULTIPATH=1 "SCSI_VIRT_NPIV_PORT=${SCSI_VIRT_NPIV_MP_PORT:-16510}"
            "SCSI_VIRT_NPIV_DIR=${SCSI_VIRT_NPIV_MP_DIR:-/var/tmp/scsi-virt-npiv-mp}")
      script=lab/npiv/npiv.sh; marker=npiv; tests=tests/npiv/test_multipath.py ;;
    *) echo "unknown lab $lab (lab npiv npiv-multipath)"; exit 2 ;;
  esac
  start=$SECONDS
  if ! env "${envs[@]}" bash "$script" status >/dev/null 2>&1; then
    started="${envs[*]} bash $script"
    # A lab that does not come up fails its tests (they never skip in CI); the other labs still run.
    if ! env "${envs[@]}" bash "$script" up; then
      echo "lab-tests: $lab did not come up"
      [ "${CI:-}" = true ] && failed=1
    fi
  fi
  # shellcheck disable=SC2086 # tests is a list of paths
  # -rP: the figures the lab tests print (boot, attach and fence times) reach the CI log.
  python -m pytest -q -rP -m "$marker" $tests || failed=1
  # Stop it now rather than at the end: the next lab gets the CPU (2 cores, TCG guests).
  stop_started
  echo "lab-tests: $lab done in $((SECONDS - start)) s"
done
exit $failed
