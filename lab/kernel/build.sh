#!/usr/bin/env bash
# Build the NPIV lab's nested guest kernel: Debian's kernel source (linux-source-6.1, /usr/src) configured
# as `make tinyconfig` + lab/kernel/nested.config, everything built in. The result is cached in
#   /var/cache/scsi-virt/kernel-nested-<key>/vmlinuz (the bzImage), vmlinux (the uncompressed ELF, stripped,
#   which the guest boots through its PVH entry point), System.map and config
# where <key> hashes the source package's version, the fragment and RECIPE (bump it when a change here
# changes the kernel built): rebuilt only when one of them changes. Prints the kernel's path on stdout.
#   lab/kernel/build.sh [--print]    (--print: only print the path the kernel has or would have)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache="${SCSI_VIRT_KERNEL_CACHE:-/var/cache/scsi-virt}"
fragment="$here/nested.config"
RECIPE=2

tarball=$(compgen -G "/usr/src/linux-source-*.tar.xz" | sort -V | tail -1 || true)
[ -n "$tarball" ] || { echo "kernel: no /usr/src/linux-source-*.tar.xz (apt-get install linux-source-6.1)" >&2; exit 1; }
package=$(dpkg-query -S "$tarball" 2>/dev/null | cut -d: -f1 || true)
if [ -n "$package" ]; then
  source_id="$package $(dpkg-query -W -f='${Version}' "$package")"
else
  source_id=$(sha256sum "$tarball" | cut -d' ' -f1)
fi
key=$( (echo "$source_id recipe $RECIPE"; cat "$fragment") | sha256sum | cut -c1-16)
out="$cache/kernel-nested-$key"
if [ "${1:-}" = --print ] || { [ -s "$out/vmlinuz" ] && [ -s "$out/vmlinux" ]; }; then
  echo "$out/vmlinuz"
  exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/kernel-nested.lock"
flock 9  # another build of the same kernel (a parallel bootstrap) finishes first
if [ -s "$out/vmlinuz" ] && [ -s "$out/vmlinux" ]; then echo "$out/vmlinuz"; exit 0; fi
t0=$SECONDS
work=$(mktemp -d "$cache/kernel-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "kernel: building the nested guest kernel from $tarball ($source_id) in $work" >&2
tar -xJf "$tarball" -C "$work"
src=$(compgen -G "$work/linux-source-*" | head -1)
mk() { make -C "$src" -s ARCH=x86_64 "$@"; }
# Kconfig's "override: ... changes choice state" warnings are expected (the fragment picks choices):
# the check below says what matters.
config_failed() { cat "$work/config.log" >&2; exit 1; }
mk tinyconfig >"$work/config.log" 2>&1 || config_failed
(cd "$src" && ./scripts/kconfig/merge_config.sh -m .config "$fragment") >>"$work/config.log" 2>&1 || config_failed
mk olddefconfig >>"$work/config.log" 2>&1 || config_failed
# Every option of the fragment must have survived Kconfig's dependency resolution.
bad=0
while IFS= read -r line; do
  case "$line" in
    CONFIG_*=*) grep -qxF "$line" "$src/.config" || { echo "kernel: $line did not apply" >&2; bad=1; } ;;
    "# CONFIG_"*" is not set")
      option=${line#\# }; option=${option%% *}
      ! grep -q "^$option=" "$src/.config" || { echo "kernel: $option is set, the fragment unsets it" >&2; bad=1; } ;;
  esac
done < "$fragment"
[ $bad = 0 ] || config_failed
mk -j"$(nproc)" bzImage KBUILD_BUILD_USER=scsi-virt KBUILD_BUILD_HOST=lab
mkdir -p "$out.tmp"
cp "$src/arch/x86/boot/bzImage" "$out.tmp/vmlinuz"
strip -o "$out.tmp/vmlinux" "$src/vmlinux"
cp "$src/System.map" "$out.tmp/System.map"
cp "$src/.config" "$out.tmp/config"
echo "$source_id" > "$out.tmp/source"
rm -rf "$out" && mv "$out.tmp" "$out"
echo "kernel: built $out/vmlinuz ($(($(stat -c %s "$out/vmlinuz") / 1024)) KiB; vmlinux $(($(stat -c %s "$out/vmlinux") / 1024)) KiB) in $((SECONDS - t0)) s" >&2
echo "$out/vmlinuz"
