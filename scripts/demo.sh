#!/usr/bin/env bash
# Command 1: set everything up on a fresh machine and run the main demo on the real lab.
#   scripts/demo.sh        install, start the lab, run playbooks/lab_demo.yml twice (the 2nd: changed=0)
#   scripts/demo.sh down   stop the lab's daemons and remove its files
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
if [ "${1:-}" = down ]; then exec bash lab/lab.sh down; fi
t0=$SECONDS
bash scripts/bootstrap.sh
venv="${SCSI_VIRT_VENV:-$here/.venv}"
export PATH="$venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$here/build/collections"
mkdir -p build/collections/ansible_collections/scsi
ln -sfn ../../../.. build/collections/ansible_collections/scsi/virt
bash lab/lab.sh up
set -a; eval "$(bash lab/lab.sh env)"; set +a
export ANSIBLE_PYTHON_INTERPRETER="$venv/bin/python" ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
echo "=== demo: first run"
ansible-playbook playbooks/lab_demo.yml
echo "=== demo: second run (must report changed=0)"
ansible-playbook playbooks/lab_demo.yml | tee /tmp/scsi-virt-demo-2.log
grep -Eq 'localhost +: ok=[0-9]+ +changed=0 ' /tmp/scsi-virt-demo-2.log || { echo "demo: second run changed something"; exit 1; }
echo "=== demo: done in $((SECONDS - t0)) s. The lab keeps running; 'scripts/demo.sh down' stops it."
