#!/usr/bin/env bash
# Build the HTML docs site of scsi.virt with antsibull-docs + Sphinx (offline), warnings as errors,
# into build/docs/html, and check that every module, role and filter got its page.
#   scripts/docs.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
venv="${SCSI_VIRT_VENV:-$here/.venv}"
export PATH="$venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$here/build/collections"
python -c "import antsibull_docs, sphinx_ansible_theme" 2>/dev/null || pip install -q -r tests/requirements-release.txt
out="$here/build/docs"
rm -rf "$out"
# antsibull-docs wants its output directory private to its user.
mkdir -p "$out"
mkdir -m 700 "$out/rst"
(cd "$ANSIBLE_COLLECTIONS_PATH/ansible_collections/scsi/virt" && antsibull-docs lint-collection-docs --plugin-docs .)
antsibull-docs collection --use-current --dest-dir "$out/rst" --no-breadcrumbs --no-indexes scsi.virt >/dev/null
cp docs/site/ansible_core_links.rst "$out/rst/"
# The collection's pages link back to a list of collections: this one-collection site's front page.
cat > "$out/rst/index.rst" <<'RST'
.. _list_of_collections:

scsi.virt
=========

.. toctree::
   :maxdepth: 2

   collections/scsi/virt/index
RST
sphinx-build -q -W --keep-going -b html -c docs/site "$out/rst" "$out/html"
missing=()
for module in plugins/modules/*.py; do
  name=$(basename "$module" .py)
  [ -f "$out/html/collections/scsi/virt/${name}_module.html" ] || missing+=("module $name")
done
for role in roles/*/; do
  name=$(basename "$role")
  [ -f "$out/html/collections/scsi/virt/${name}_role.html" ] || missing+=("role $name")
done
for filter in plugins/filter/*.yml; do
  name=$(basename "$filter" .yml)
  [ -f "$out/html/collections/scsi/virt/${name}_filter.html" ] || missing+=("filter $name")
done
if ((${#missing[@]})); then echo "docs: no page for: ${missing[*]}"; exit 1; fi
echo "docs: $(find "$out/html/collections/scsi/virt" -name '*.html' | wc -l) pages in $out/html (open index.html)"
