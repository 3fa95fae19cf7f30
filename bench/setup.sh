#!/usr/bin/env bash
# What the benchmark compares against: virt-xml (Debian's virtinst) and community.libvirt (from the
# `ansible` package on PyPI; only that collection is unpacked, into bench/.cache, not the project venv).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
venv="${SCSI_VIRT_VENV:-$here/.venv}"
command -v virt-xml >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends virtinst >/dev/null; }
dest="$here/bench/.cache/collections/ansible_collections/community/libvirt"
if [ ! -f "$dest/galaxy.yml" ] && [ ! -f "$dest/MANIFEST.json" ]; then
  tmp=$(mktemp -d)
  "$venv/bin/pip" download -q --no-deps -d "$tmp" "ansible>=12,<13"
  "$venv/bin/python" - "$tmp" "$here/bench/.cache/collections" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/ansible-*.whl")[0]
with zipfile.ZipFile(wheel) as zf:
    members = [m for m in zf.namelist() if m.startswith("ansible_collections/community/libvirt/")]
    zf.extractall(sys.argv[2], members)
print("bench: community.libvirt from %s (%d files)" % (wheel.rsplit("/", 1)[-1], len(members)))
PY
  rm -rf "$tmp"
fi
