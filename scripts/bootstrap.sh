#!/usr/bin/env bash
# Install everything scsi.virt needs on a fresh Debian 12 machine (root): Debian packages for
# libvirt/QEMU/tgt and the guest kernel, and a Python venv (.venv) with Ansible, libvirt-python
# built against the system libvirt, lxml and the test tools. Idempotent: re-running is cheap.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
venv="${SCSI_VIRT_VENV:-$here/.venv}"

apt_packages=(
  libvirt-daemon-system libvirt-clients libvirt-dev libvirt-daemon-driver-storage-iscsi-direct
  qemu-system-x86 qemu-block-extra qemu-utils tgt open-iscsi
  linux-image-amd64 busybox-static sg3-utils lsscsi qemu-guest-agent
  libxml2-utils pkg-config gcc python3-dev cpio shellcheck multipath-tools
  linux-source-6.1 make flex bison bc libelf-dev lz4 xz-utils
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The NPIV lab's nested guest kernel (lab/build_guest.py --profile nested): built here from Debian's kernel
# source as tinyconfig + lab/kernel/nested.config, everything built in, into /var/cache/scsi-virt/kernel-nested-*
# (reused while the source version and the config are unchanged). Its TCG-in-TCG boot is what it is for:
# lab/npiv/README.md has the figures.
kernel_t0=$SECONDS
nested_kernel=$(bash "$here/lab/kernel/build.sh")
echo "bootstrap: nested guest kernel $nested_kernel ($((SECONDS - kernel_t0)) s)"

if [ ! -x "$venv/bin/python" ]; then
  echo "bootstrap: creating venv $venv"
  python3 -m venv "$venv"
fi
stamp="$venv/.requirements.sha"
want=$(cat "$here/requirements.txt" "$here/tests/requirements.txt" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: installing Python requirements into $venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q -r "$here/requirements.txt" -r "$here/tests/requirements.txt"
  echo "$want" > "$stamp"
fi
# The managed-node Pythons the collection claims (tests/matrix/managed-pythons.txt): a venv each with only the
# modules' requirements (requirements.txt), for tests/integration/test_managed_python.py. A Python that pyenv
# lacks is reported and left out (that test then skips, or fails in CI).
pyenv_versions="${PYENV_ROOT:-$HOME/.pyenv}/versions"
while read -r pyv; do
  case "$pyv" in ''|'#'*) continue ;; esac
  exe=""
  for candidate in "$pyenv_versions/$pyv".*/bin/"python$pyv"; do  # the last patch release pyenv lists
    [ -x "$candidate" ] && exe=$candidate
  done
  managed="$here/build/managed/py$pyv"
  if [ -z "$exe" ]; then
    echo "bootstrap: no Python $pyv under $pyenv_versions: managed-node venv $managed not made"
    continue
  fi
  want=$( (cat "$here/requirements.txt"; echo "$exe") | sha256sum | cut -d' ' -f1)
  [ "$(cat "$managed/.requirements.sha" 2>/dev/null)" = "$want" ] && continue
  echo "bootstrap: making managed-node venv $managed ($exe)"
  rm -rf "$managed"
  "$exe" -m venv "$managed"
  "$managed/bin/pip" install -q --upgrade pip
  "$managed/bin/pip" install -q -r "$here/requirements.txt"
  "$managed/bin/python" -c 'import libvirt, lxml, jmespath'
  echo "$want" > "$managed/.requirements.sha"
done < "$here/tests/matrix/managed-pythons.txt"
# The checkout as the collection scsi.virt (ansible.cfg's collections_path), so ad-hoc and playbook
# runs from the repo find it: `ansible localhost -m vhba -a ...`.
mkdir -p "$here/build/collections/ansible_collections/scsi"
ln -sfn ../../../.. "$here/build/collections/ansible_collections/scsi/virt"
echo "bootstrap: ready ($("$venv/bin/ansible" --version | sed -n 1p))"
