#!/usr/bin/env bash
# Run ansible-test from a real ansible_collections/scsi/virt copy of this checkout (a symlink fails).
# Usage: scripts/ansible-test.sh sanity [--python 3.11] [...]
# SCSI_VIRT_VENV picks the venv (and so the ansible-core) to test with (scripts/matrix.sh runs one per
# claimed ansible-core version); the copy lives in a work dir of its own per checkout and venv, so runs in
# parallel do not clobber each other (SCSI_VIRT_ANSIBLE_TEST_DIR overrides it).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
venv="${SCSI_VIRT_VENV:-$here/.venv}"
key=$(printf '%s\n%s' "$here" "$(cd "$venv" && pwd)" | sha256sum | cut -c1-12)
work="${SCSI_VIRT_ANSIBLE_TEST_DIR:-/tmp/scsi-virt-ansible-test-$key}"
dest="$work/ansible_collections/scsi/virt"
rm -rf "$dest" && mkdir -p "$dest"
# The files git knows or would add (lab/, bench/ and .ci/ are not collection content).
(cd "$here" && git ls-files -co --exclude-standard | grep -vE '^(lab|bench|\.ci)/' | tar -cf - -T -) | tar -xf - -C "$dest"
# ansible-test bootstraps pip in its sanity venvs with a script it downloads; offline, use ours.
pip_version=$(grep -oP "pip='\K[0-9.]+" "$("$venv/bin/python" -c 'import ansible_test,os;print(os.path.dirname(ansible_test.__file__))')/_internal/python_requirements.py" | head -1)
cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
[ -f "$cache" ] || { mkdir -p "$(dirname "$cache")"; cp "$here/scripts/get_pip_offline.py" "$cache"; }
cd "$dest"
export PATH="$venv/bin:$PATH"
# Let ansible-test find every Python pyenv has (it checks module code on each supported one); it
# scrubs the environment, so pyenv's shims would not see PYENV_VERSION: link the binaries directly.
pybin="$work/pythons"; rm -rf "$pybin"; mkdir -p "$pybin"
for exe in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.*/bin/python3.*; do
  case "$exe" in *-config|*m) continue ;; esac
  [ -x "$exe" ] && ln -sf "$exe" "$pybin/$(basename "$exe")"
done
export PATH="$venv/bin:$pybin:$PATH"
exec ansible-test "$@" --local
