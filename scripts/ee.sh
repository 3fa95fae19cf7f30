#!/usr/bin/env bash
# Write the build context of an execution environment that contains scsi.virt (ee/execution-environment.yml)
# and check it without a container engine: the image's own collection install step, run here on the
# context, installs scsi.virt, and ansible-builder's introspection of that install finds the collection's
# Python and system dependencies.
#   scripts/ee.sh [OUT_DIR]    (default build/ee; the context is OUT_DIR/context)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
export PATH="${SCSI_VIRT_VENV:-$here/.venv}/bin:$PATH"
out=$(mkdir -p "${1:-build/ee}" && cd "${1:-build/ee}" && pwd)
rm -rf "$out/def" "$out/context" "$out/check"
mkdir -p "$out/def" "$out/check"
ansible-galaxy collection build --force --output-path "$out/check" >/dev/null
cp ee/execution-environment.yml ee/requirements.yml "$out/def/"
cp "$out"/check/scsi-virt-*.tar.gz "$out/def/scsi-virt.tar.gz"
ansible-builder create -f "$out/def/execution-environment.yml" --context "$out/context" >/dev/null
# What the image's galaxy stage runs (WORKDIR /build = the context's _build).
# Its own collections path only: scsi.virt found elsewhere (a checkout on ANSIBLE_COLLECTIONS_PATH) would be
# taken as already installed.
(cd "$out/context/_build" && ANSIBLE_COLLECTIONS_PATH="$out/check/collections" \
  ansible-galaxy collection install -r requirements.yml -p "$out/check/collections" >/dev/null)
manifest="$out/check/collections/ansible_collections/scsi/virt/MANIFEST.json"
[ -f "$manifest" ] || { echo "ee: the image's install step did not install scsi.virt"; exit 1; }
python "$out/context/_build/scripts/introspect.py" introspect "$out/check/collections" \
  --write-pip "$out/check/requirements.txt" --write-bindep "$out/check/bindep.txt" >/dev/null
for want in libvirt-python lxml; do
  grep -q "^$want" "$out/check/requirements.txt" || { echo "ee: introspection found no $want"; exit 1; }
done
grep -q "^libvirt-dev" "$out/check/bindep.txt" || { echo "ee: introspection found no libvirt-dev"; exit 1; }
echo "ee: context $out/context installs scsi.virt $(python -c "import json,sys; print(json.load(open(sys.argv[1]))['collection_info']['version'])" "$manifest") with $(grep -c . "$out/check/requirements.txt") Python and $(grep -c . "$out/check/bindep.txt") system requirements"
