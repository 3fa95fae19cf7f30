#!/usr/bin/env bash
# The tests that need the real lab (and the NPIV lab, when lab/npiv exists): start what is not
# running, run them, and stop what this script started.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
export PATH="${SCSI_VIRT_VENV:-$here/.venv}/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$here/build/collections"
started=""
cleanup() { [ -z "$started" ] || bash lab/lab.sh down; }
trap cleanup EXIT
bash lab/lab.sh status >/dev/null 2>&1 || { bash lab/lab.sh up; started=1; }
python -m pytest -q -m lab tests/lab
