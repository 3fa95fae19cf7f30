#!/usr/bin/env bash
# Command 2: run every test of scsi.virt on this machine (installs what is missing first).
#   scripts/test.sh            all stages
#   scripts/test.sh pytest sanity ...   only the named stages
# Stages: pytest (unit + integration on libvirt's test driver), sanity (ansible-test sanity),
# matrix (sanity and pytest again on every other ansible-core minor version meta/runtime.yml claims),
# lint (ansible-lint), release (changelog, galaxy build + galaxy-importer, EE definition),
# molecule (scenarios), lab (real libvirtd + QEMU guest + iSCSI target).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here" || exit 1
bash scripts/bootstrap.sh || exit 1
venv="${SCSI_VIRT_VENV:-$here/.venv}"
export PATH="$venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$here/build/collections"
# Ansible's temporary directories inside this run's tree: another Ansible run on the same machine, or its clean-up
# of ~/.ansible/tmp, cannot pull a task's files away (seen once: "Failed to transfer file ... No such file").
export ANSIBLE_LOCAL_TEMP="${ANSIBLE_LOCAL_TEMP:-$here/build/ansible-tmp/local}"
export ANSIBLE_REMOTE_TMP="${ANSIBLE_REMOTE_TMP:-$here/build/ansible-tmp/remote}"
mkdir -p "$ANSIBLE_LOCAL_TEMP" "$ANSIBLE_REMOTE_TMP"
mkdir -p build/collections/ansible_collections/scsi
ln -sfn ../../../.. build/collections/ansible_collections/scsi/virt

stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(pytest sanity matrix lint release molecule lab)
declare -A result
failed=0
run_stage() {
  local name=$1; shift
  local start=$SECONDS
  echo "=== stage $name"
  if "$@"; then result[$name]="passed ($((SECONDS - start)) s)"; else result[$name]="FAILED ($((SECONDS - start)) s)"; failed=1; fi
}
for stage in "${stages[@]}"; do
  case "$stage" in
    pytest) run_stage pytest python -m pytest -q -m "not lab and not npiv" -p no:randomly ;;
    sanity) run_stage sanity scripts/ansible-test.sh sanity --color no ;;
    matrix) run_stage matrix scripts/matrix.sh ;;
    lint) run_stage lint scripts/lint.sh ;;
    release) run_stage release scripts/release-check.sh ;;
    molecule) run_stage molecule scripts/molecule.sh ;;
    lab) run_stage lab scripts/lab-tests.sh ;;
    *) echo "unknown stage $stage (pytest sanity matrix lint release molecule lab)"; exit 2 ;;
  esac
done
echo "=== summary"
for stage in "${stages[@]}"; do printf '%-10s %s\n' "$stage" "${result[$stage]}"; done
exit $failed
