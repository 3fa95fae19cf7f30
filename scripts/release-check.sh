#!/usr/bin/env bash
# Release checks: changelog lint, `ansible-galaxy collection build`, galaxy-importer on the tarball,
# an execution environment with the collection in it (scripts/ee.sh: build context + its install step, no engine)
# and the HTML docs site (scripts/docs.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
venv="${SCSI_VIRT_VENV:-$here/.venv}"
export PATH="$venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$here/build/collections"
python -c "import galaxy_importer, ansible_builder, antsibull_docs, sphinx_ansible_theme" 2>/dev/null || pip install -q -r tests/requirements-release.txt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
step() { local t0=$SECONDS; "${@:2}"; echo "release-check: $1 ok ($((SECONDS - t0)) s)"; }

step "changelog lint" antsibull-changelog lint
# Galaxy requires a repository link, and this source names none: a placeholder would show in the docs as a
# real link. The build is made from a copy that names where it was built from, or the public repository
# given in SCSI_VIRT_REPOSITORY_URL when publishing.
build() {
  local stage="$work/src"
  mkdir -p "$stage"
  git ls-files -co --exclude-standard | tar -cf - -T - | tar -xf - -C "$stage"
  printf 'repository: %s\n' "${SCSI_VIRT_REPOSITORY_URL:-file://$here}" >> "$stage/galaxy.yml"
  (cd "$stage" && ansible-galaxy collection build --output-path "$work" >/dev/null)
}
step "galaxy build" build
tarball=$(ls "$work"/scsi-virt-*.tar.gz)
# Offline: the importer's own ansible-test run needs a container engine; ansible-lint it runs itself.
cat > "$work/importer.cfg" <<'CFG'
[galaxy-importer]
RUN_ANSIBLE_TEST = False
RUN_ANSIBLE_LINT = True
LOG_LEVEL_MAIN = INFO
CFG
importer() {
  (cd "$work" && GALAXY_IMPORTER_CONFIG="$work/importer.cfg" python -m galaxy_importer.main "$tarball") \
    > "$work/importer.log" 2>&1 || { cat "$work/importer.log"; return 1; }
  if grep -E "WARNING|ERROR" "$work/importer.log"; then echo "galaxy-importer reported the lines above"; return 1; fi
}
step "galaxy-importer" importer
step "execution environment (ansible-builder create + its install step)" bash scripts/ee.sh "$work/ee"
step "docs site (antsibull-docs + sphinx -W)" bash scripts/docs.sh
echo "release-check: $(basename "$tarball") passes"
