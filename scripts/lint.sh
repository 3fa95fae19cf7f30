#!/usr/bin/env bash
# ansible-lint (production profile) on the roles, playbooks and molecule scenarios, offline.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
export PATH="${SCSI_VIRT_VENV:-$here/.venv}/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$here/build/collections"
exec ansible-lint --offline --profile production roles playbooks molecule
