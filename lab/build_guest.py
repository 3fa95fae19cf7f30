#!/usr/bin/env python3
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build the lab guest's initramfs: busybox, the SCSI/virtio kernel modules, qemu-guest-agent.

    build_guest.py OUT_DIR [--profile lab|nested|npiv]  -> OUT_DIR/vmlinuz, OUT_DIR/initrd.img (reused when up to date)
                                                          and, for nested, OUT_DIR/vmlinux (booted through PVH)

The guest has no udev and no disk: /init loads the modules in dependency order (from the kernel's
modules.dep), finds the agent's virtio-serial port in sysfs and runs qemu-ga on it.

Profiles: ``lab`` (the main lab's guest: Debian's generic kernel), ``nested`` (the same guest for the
NPIV lab's nested TCG-in-TCG boot: the project's own small kernel, lab/kernel/build.sh, everything built in so
no modules, and an uncompressed initramfs; lab/npiv/README.md has its figures), ``npiv`` (the NPIV guest
itself, which needs FCoE and so the generic kernel).
"""

from __future__ import annotations

import glob
import gzip
import io
import os
import platform
import shutil
import subprocess
import sys
import tempfile

# What the guest needs: virtio PCI + virtio-scsi + SCSI disks and sg, and the console for the agent.
# The crypto providers are loaded explicitly because crc-t10dif/crc64-rocksoft look them up at load
# time through request_module, which nothing serves in this initramfs.
WANTED = ["virtio_pci", "crct10dif_generic", "crc64_rocksoft_generic", "virtio_scsi", "sd_mod", "sg",
          "virtio_console", "virtio_rng"]
# Programs (with their shared libraries) the agent's guest-exec runs besides busybox: sg_persist for the
# SCSI-3 persistent-reservation fencing checks of the two-guest cluster (roles/guest_cluster_lun).
GUEST_BINARIES = ["/usr/bin/sg_persist"]

# The end of both guests' /init, once $port is the agent's virtio-serial port: start the agent, scan, and
# keep a shell on the serial console.
AGENT_START = r"""echo "init: guest agent on $port"
# Back to the kernel's default scan type, without which virtio-scsi's hotplug of a target's LUN 0 is ignored
echo sync > /sys/module/scsi_mod/parameters/scan
# The agent is not daemonized (-d forks it twice more), and /init then lowers its own priority to nice 19 so
# that the scan and the console shell do not take the (emulated) CPU from the agent's start: measured in the
# NPIV lab's nested guest, where the agent's start is most of what /init waits for.
/usr/sbin/qemu-ga -m virtio-serial -p "$port" -f /run/qemu-ga.pid -t /run &
echo "init: ready"
renice -n 19 -p $$ >/dev/null
for s in /sys/class/scsi_host/host*/scan; do [ -e "$s" ] && echo "- - -" > "$s" & done
while true; do setsid sh -c 'exec sh </dev/ttyS0 >/dev/ttyS0 2>&1'; sleep 1; done
"""

INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /run /var/run /tmp /etc
echo "root:x:0:0:root:/:/bin/sh" > /etc/passwd
while read m; do insmod "/lib/modules/$m" 2>/dev/null || echo "init: insmod $m failed"; done < /modules.order
port=""
for i in $(seq 100); do
  for p in /sys/class/virtio-ports/*; do
    [ "$(cat "$p/name" 2>/dev/null)" = org.qemu.guest_agent.0 ] && port="/dev/${p##*/}"
  done
  [ -n "$port" ] && [ -e "$port" ] && break
  sleep 0.1
done
"""+ AGENT_START

# The nested guest's /init (NPIV lab, TCG inside TCG, where every fork and every emulated device access is
# slow): the same guest as INIT, with busybox's applet links, /etc/passwd, /etc/fstab and the directories made at
# build time (one `mount -a` instead of three mounts: each exec of busybox costs about a second there), shell
# builtins instead of `cat` in the port search, and the SCSI scan of the boot-time devices run in
# the background once the agent runs (the kernel is told scsi_mod.scan=manual, lab_domain.NESTED_CMDLINE: its
# scan of the 256 possible virtio-scsi targets held the boot for ~4 s). /init sets the scan type back to
# `sync` before the agent starts: under `manual` the kernel ignores virtio-scsi's hotplug event for a LUN 0.
NESTED_INIT = r"""#!/bin/sh
mount -a
port=""
i=0
while [ $i -lt 200 ]; do
  for p in /sys/class/virtio-ports/*; do
    name=""
    [ -r "$p/name" ] && read -r name < "$p/name"
    [ "$name" = org.qemu.guest_agent.0 ] && port="/dev/${p##*/}"
  done
  [ -n "$port" ] && [ -e "$port" ] && break
  sleep 0.05
  i=$((i + 1))
done
"""+ AGENT_START

# What NESTED_INIT's `mount -a` mounts.
NESTED_FSTAB = "proc /proc proc defaults 0 0\nsys /sys sysfs defaults 0 0\ndev /dev devtmpfs defaults 0 0\n"

# The NPIV guest only needs to reach its real root: the host's filesystem over 9p, made writable with
# a tmpfs overlay; lab/npiv/stage2.sh does the rest with the host's own userland and modprobe.
NPIV_WANTED = ["virtio_pci", "9pnet_virtio", "9p", "overlay"]
NPIV_INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
while read m; do insmod "/lib/modules/$m" 2>/dev/null || echo "init: insmod $m failed"; done < /modules.order
mkdir -p /lower /rw /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /lower || exec sh
mount -t tmpfs -o size=1g rw /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot || exec sh
umount /proc /sys /dev
exec switch_root /newroot /bin/bash "$(cat /stage2)"
"""


class Profile:
    def __init__(self, wanted, init, flavour="generic", compress=True, binaries=(), prepared=False):
        self.wanted, self.init, self.flavour, self.compress = wanted, init, flavour, compress
        self.binaries = list(binaries)
        self.prepared = prepared  # busybox's applet links, /etc/passwd and run-time directories made here


PROFILES = {
    "lab": Profile(WANTED, INIT, binaries=GUEST_BINARIES),
    "nested": Profile([], NESTED_INIT, flavour="nested", compress=False, binaries=GUEST_BINARIES, prepared=True),
    "npiv": Profile(NPIV_WANTED, NPIV_INIT),
}
# The nested guest's kernel: lab/kernel/build.sh builds it once (scripts/bootstrap.sh runs it) into a cache
# keyed by the kernel source's version and the config, and prints its path (a no-op when cached).
NESTED_KERNEL_BUILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernel", "build.sh")


def kernel_source(flavour):
    """(vmlinuz path, modules directory or None when everything is built in, release) of ``flavour``'s kernel."""
    if flavour == "nested":
        done = subprocess.run(["bash", NESTED_KERNEL_BUILD], stdout=subprocess.PIPE, text=True)
        if done.returncode != 0:
            raise SystemExit("lab/kernel/build.sh failed (exit %d): no nested guest kernel" % done.returncode)
        kernel = done.stdout.strip().splitlines()[-1]
        return kernel, None, os.path.basename(os.path.dirname(kernel))
    kernels = sorted(k for k in glob.glob("/boot/vmlinuz-*") if not k.endswith("-cloud-amd64"))
    if not kernels:
        raise SystemExit("no kernel in /boot: scripts/bootstrap.sh installs linux-image-amd64")
    kernel = kernels[-1]
    release = kernel.split("vmlinuz-", 1)[1]
    return kernel, os.path.join("/lib/modules", release), release


def _module_name(path):
    return os.path.basename(path).split(".ko")[0].replace("-", "_")


def module_closure(kernel_dir, wanted=None):
    deps = {}
    with open(os.path.join(kernel_dir, "modules.dep")) as handle:
        for line in handle:
            path, _sep, rest = line.partition(":")
            deps[_module_name(path)] = (path, rest.split())
    builtin = set()
    if os.path.exists(os.path.join(kernel_dir, "modules.builtin")):
        with open(os.path.join(kernel_dir, "modules.builtin")) as handle:
            builtin = {_module_name(line.strip()) for line in handle if line.strip()}
    by_path = {path: name for name, (path, _r) in deps.items()}
    order, seen = [], set()

    def visit(name):
        if name in seen:
            return
        seen.add(name)
        if name in builtin and name not in deps:  # built into this kernel
            return
        if name not in deps:
            raise SystemExit("kernel module %s not found in %s/modules.dep" % (name, kernel_dir))
        path, requires = deps[name]
        for dep in reversed(requires):  # modules.dep lists the deepest dependency last
            visit(by_path[dep])
        order.append(path)

    for name in wanted or WANTED:
        visit(name)
    return order


def shared_libraries(binary):
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    libs = []
    for line in out.splitlines():
        parts = line.split()
        for part in parts:
            if part.startswith("/"):
                libs.append(part)
    return libs


def prepare_root(root):
    """What INIT does at boot, done at build time: `busybox --install -s /bin`, /etc/passwd, directories; and
    NESTED_INIT's /etc/fstab."""
    applets = subprocess.run(["/bin/busybox", "--list"], capture_output=True, text=True, check=True).stdout.split()
    os.makedirs(os.path.join(root, "bin"), exist_ok=True)
    for applet in applets:
        link = os.path.join(root, "bin", applet)
        if applet != "busybox" and not os.path.lexists(link):
            os.symlink("/bin/busybox", link)
    for sub in ("var/run", "etc"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    with open(os.path.join(root, "etc", "passwd"), "w") as handle:
        handle.write("root:x:0:0:root:/:/bin/sh\n")
    with open(os.path.join(root, "etc", "fstab"), "w") as handle:
        handle.write(NESTED_FSTAB)


def build(out_dir, profile="lab", stage2=None):
    chosen = PROFILES[profile]
    kernel, kernel_dir, release = kernel_source(chosen.flavour)
    initrd = os.path.join(out_dir, "initrd.img")
    wanted, init = chosen.wanted, chosen.init
    sources = [kernel, "/usr/sbin/qemu-ga", "/bin/busybox", os.path.abspath(__file__)] + chosen.binaries
    vmlinuz = os.path.join(out_dir, "vmlinuz")
    if (os.path.exists(initrd) and all(os.path.getmtime(initrd) >= os.path.getmtime(s) for s in sources)
            and os.path.exists(vmlinuz) and os.path.getsize(vmlinuz) == os.path.getsize(kernel)
            and (chosen.flavour != "nested" or os.path.exists(os.path.join(out_dir, "vmlinux")))):
        return  # up to date, and built from the same kernel (a profile may have changed flavour)
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as root:
        for sub in ("bin", "proc", "sys", "dev", "lib/modules", "usr/sbin", "run", "tmp"):
            os.makedirs(os.path.join(root, sub), exist_ok=True)
        shutil.copy2("/bin/busybox", os.path.join(root, "bin/busybox"))
        if chosen.prepared:
            prepare_root(root)
        for binary in ["/usr/sbin/qemu-ga"] + chosen.binaries:
            for path in [binary] + shared_libraries(binary):
                dest = os.path.join(root, path.lstrip("/"))
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                shutil.copy2(path, dest)
        order = module_closure(kernel_dir, wanted) if kernel_dir else []
        for path in order:
            shutil.copy2(os.path.join(kernel_dir, path), os.path.join(root, "lib/modules", os.path.basename(path)))
        with open(os.path.join(root, "modules.order"), "w") as handle:
            handle.write("".join(os.path.basename(p) + "\n" for p in order))
        with open(os.path.join(root, "init"), "w") as handle:
            handle.write(init)
        with open(os.path.join(root, "stage2"), "w") as handle:
            handle.write(stage2 or "")
        os.chmod(os.path.join(root, "init"), 0o755)
        files = subprocess.run("find . | sort", shell=True, cwd=root, capture_output=True, check=True).stdout
        archive = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=root, input=files,
                                 capture_output=True, check=True).stdout
    if chosen.compress:
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=6, mtime=0) as gz:
            gz.write(archive)
        archive = buffer.getvalue()
    with open(initrd + ".tmp", "wb") as handle:
        handle.write(archive)
    os.replace(initrd + ".tmp", initrd)
    shutil.copy2(kernel, os.path.join(out_dir, "vmlinuz"))
    names = ["initrd.img", "vmlinuz"]
    elf = os.path.join(os.path.dirname(kernel), "vmlinux")
    if chosen.flavour == "nested" and os.path.exists(elf):  # booted through PVH (lab_domain.nested_domain_xml)
        shutil.copy2(elf, os.path.join(out_dir, "vmlinux"))
        names.append("vmlinux")
    for name in names:
        os.chmod(os.path.join(out_dir, name), 0o644)
    print("guest: %s initramfs (%d KiB, %s) with %d modules for %s (%s)"
          % (profile, len(archive) // 1024, "gzip" if chosen.compress else "uncompressed", len(order), release,
             platform.machine()))


if __name__ == "__main__":
    arguments = sys.argv[1:]
    chosen = "lab"
    if "--profile" in arguments:
        at = arguments.index("--profile")
        chosen = arguments[at + 1]
        del arguments[at:at + 2]
    build(arguments[0], chosen, *arguments[1:2])
