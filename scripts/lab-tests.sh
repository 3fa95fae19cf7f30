#!/usr/bin/env bash
# The tests that need real labs: the iSCSI/guest lab (lab/lab.sh) and the NPIV lab
# (lab/npiv/npiv.sh). Starts what is not running, runs the tests, stops what this script started.
#   scripts/lab-tests.sh [lab] [npiv]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
export PATH="${SCSI_VIRT_VENV:-$here/.venv}/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$here/build/collections"
labs=("$@")
[ ${#labs[@]} -gt 0 ] || labs=(lab npiv)
started=()
cleanup() { for lab in "${started[@]}"; do bash "$lab" down; done; }
trap cleanup EXIT
for lab in "${labs[@]}"; do
  case "$lab" in
    lab) script=lab/lab.sh; marker=lab; tests="tests/lab tests/integration/test_examples.py" ;;
    # The nested guest's tests last: npiv.sh up starts its boot, which runs while the other tests do.
    npiv) script=lab/npiv/npiv.sh; marker=npiv; tests="tests/npiv/test_npiv.py tests/npiv/test_nested_guest.py" ;;
    *) echo "unknown lab $lab (lab npiv)"; exit 2 ;;
  esac
  bash "$script" status >/dev/null 2>&1 || { bash "$script" up; started+=("$script"); }
  # shellcheck disable=SC2086 # tests is a list of paths
  python -m pytest -q -m "$marker" $tests
done
