#!/usr/bin/env bash
# Stage `matrix`: `ansible-test sanity` and the pytest suite on every ansible-core minor version that
# meta/runtime.yml claims besides the main venv's (2.19): one venv per version, build/matrix/ansible-X.Y,
# installed from tests/matrix/ansible-core-X.Y.txt on Python 3.12 (2.20 and later need 3.12+).
#   scripts/matrix.sh                 every tests/matrix/ansible-core-*.txt
#   scripts/matrix.sh 2.21            only that version
#   scripts/matrix.sh --setup-only    create or update the venvs, run nothing
# Idempotent: a venv whose requirement files did not change is reused (a stamp holds their hash).
# Prints, per version, the ansible-core and Python versions, the passed counts and the seconds each step took.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here" || exit 1
# pyenv's 3.12 (SCSI_VIRT_MATRIX_PYTHON overrides it).
python="${SCSI_VIRT_MATRIX_PYTHON:-}"
if [ -z "$python" ]; then
  python="${PYENV_ROOT:-$HOME/.pyenv}/versions/3.12.1/bin/python3.12"
  for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12.*/bin/python3.12; do
    [ -x "$candidate" ] && python=$candidate
  done
fi
export ANSIBLE_COLLECTIONS_PATH="$here/build/collections"
mkdir -p build/collections/ansible_collections/scsi build/matrix
ln -sfn ../../../.. build/collections/ansible_collections/scsi/virt

setup_only=0
versions=()
for arg in "$@"; do
  case "$arg" in
    --setup-only) setup_only=1 ;;
    *) versions+=("$arg") ;;
  esac
done
if [ ${#versions[@]} -eq 0 ]; then
  for f in tests/matrix/ansible-core-*.txt; do versions+=("$(basename "$f" .txt | sed 's/^ansible-core-//')"); done
fi

# pip's noise about this machine's extra index locations hides what matters.
quiet() { "$@" 2>&1 | { grep -v 'is ignored: it is neither' || true; }; return "${PIPESTATUS[0]}"; }

# setup VERSION: create or update build/matrix/ansible-VERSION; prints what it cost.
setup() {
  local version=$1 venv="$here/build/matrix/ansible-$1" req="$here/tests/matrix/ansible-core-$1.txt"
  local start=$SECONDS want
  [ -f "$req" ] || { echo "matrix: no $req"; return 1; }
  [ -x "$python" ] || { echo "matrix: Python for ansible-core $version not found: $python (pyenv install 3.12)"; return 1; }
  want=$(cat "$req" "$here/requirements.txt" "$python" 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.requirements.sha" 2>/dev/null)" = "$want" ]; then
    echo "matrix: venv ansible-$version up to date (0 s)"
    return 0
  fi
  echo "matrix: installing venv $venv from ${req#"$here"/}"
  rm -rf "$venv"
  "$python" -m venv "$venv" || return 1
  quiet "$venv/bin/pip" install -q --upgrade pip || return 1
  quiet "$venv/bin/pip" install -q -r "$req" || return 1
  "$venv/bin/python" -c 'import ansible, libvirt, lxml, pytest' || { echo "matrix: venv ansible-$version is incomplete"; return 1; }
  echo "$want" > "$venv/.requirements.sha"
  echo "matrix: venv ansible-$version installed ($((SECONDS - start)) s)"
}

failed=0
declare -A summary
for version in "${versions[@]}"; do
  start=$SECONDS
  if ! setup "$version"; then summary[$version]="FAILED: venv setup"; failed=1; continue; fi
  setup_s=$((SECONDS - start))
  [ "$setup_only" = 1 ] && { summary[$version]="venv ready (${setup_s} s)"; continue; }
  venv="$here/build/matrix/ansible-$version"
  core=$("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)')
  pyver=$("$venv/bin/python" -c 'import platform; print(platform.python_version())')
  echo "=== matrix: ansible-core $core on Python $pyver: sanity"
  log="$here/build/matrix/ansible-$version.sanity.log"
  start=$SECONDS
  SCSI_VIRT_VENV="$venv" bash scripts/ansible-test.sh sanity --color no > "$log" 2>&1
  rc=$?
  sanity_s=$((SECONDS - start))
  # ansible-test prints 'Running sanity test "<name>"' per test, "ERROR: ..." per finding and a FATAL
  # line with the failed tests; pip's install chatter for its sanity venvs is left in the log only.
  grep -E '^(Running sanity test|ERROR|FATAL|WARNING: Skipping)|^[a-z0-9-]+$' "$log" | tail -n 60
  ran=$(grep -c "^Running sanity test" "$log")
  if [ $rc = 0 ]; then
    sanity="sanity passed ($ran test runs) ${sanity_s} s"
  else
    failed_tests=$(sed -n '/^FATAL: The .* sanity test(s) listed below/,$p' "$log" | grep -E '^[a-z0-9-]+$' | tr '\n' ' ')
    sanity="sanity FAILED (rc $rc; failed: ${failed_tests:-see log}of $ran test runs; $log) ${sanity_s} s"
  fi
  [ $rc = 0 ] || failed=1

  echo "=== matrix: ansible-core $core on Python $pyver: pytest"
  log="$here/build/matrix/ansible-$version.pytest.log"
  start=$SECONDS
  PATH="$venv/bin:$PATH" "$venv/bin/python" -m pytest -q -m "not lab and not npiv" -p no:randomly > "$log" 2>&1
  rc=$?
  pytest_s=$((SECONDS - start))
  tail -n 25 "$log"
  line=$(grep -E '^[0-9]+ (passed|failed)|^=+ .*(passed|failed).* =+$|[0-9]+ passed' "$log" | tail -1)
  pytest="pytest $([ $rc = 0 ] && echo passed || echo FAILED) [${line//=/}] ${pytest_s} s"
  [ $rc = 0 ] || failed=1
  summary[$version]="ansible-core $core, Python $pyver: venv ${setup_s} s; $sanity; $pytest"
done

echo "=== matrix summary"
for version in "${versions[@]}"; do printf 'ansible-core %-5s %s\n' "$version" "${summary[$version]}"; done
exit $failed
