#!/usr/bin/env python3
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a task's module process spends its CPU, against ping's: the AnsiballZ file Ansible ran, run again.

    bench/module_process.py [--repeats 21] [--markdown]

Each case runs once through ``ansible localhost -m MODULE`` with ANSIBLE_KEEP_REMOTE_FILES, on libvirt's
test driver (a domain file with one iSCSI LUN, so no daemon): ping, domain_disk_lun with no change,
scsi_host_info. Its kept ``AnsiballZ_*.py`` is then run in fresh interpreters, as Ansible runs it:
- CPU ms of that process, median of ``--repeats`` (user + system, so other load matters less);
- from one more run with Python's ``compile`` counted: the source compiled (ms), ours in it, and the files
  compiled twice. CPython's zipimport compiles a module's source once to name its file and again to run it
  (python/cpython#141276), and every module of a payload is imported from its zip.
"""

from __future__ import annotations

import argparse
import ast
import glob
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile

from bench import ENV, PREFIX, lun_item, lun_xml  # bench.py: case 1's LUN, Ansible's environment

DOMAIN = PREFIX + "1"
# Case 1's domain, holding LUN 1 on a virtio-scsi controller, shut off, on libvirt's test driver.
NODE = ("<node><domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'><name>%s</name>"
        "<memory>65536</memory><os><type>hvm</type></os><devices>"
        "<controller type='scsi' index='0' model='virtio-scsi'/>%s</devices>"
        "<test:runstate>5</test:runstate></domain></node>" % (DOMAIN, lun_xml(1, target=0)))


def disk_lun_args(uri):
    """domain_disk_lun's arguments for case 1's LUN, already attached in NODE: a no-change task."""
    return dict(lun_item(1), uri=uri, domain=DOMAIN)


# Runs the AnsiballZ file as its own __main__ would, counting every compile() of a source file.
COUNTING = r"""
import builtins, json, runpy, sys, time
real, spent, calls = builtins.compile, {}, {}
def counting(source, filename, *args, **kwargs):
    start = time.process_time()
    try:
        return real(source, filename, *args, **kwargs)
    finally:
        if isinstance(filename, str) and filename.endswith(".py"):
            spent[filename] = spent.get(filename, 0.0) + time.process_time() - start
            calls[filename] = calls.get(filename, 0) + 1
builtins.compile = counting
sys.argv = sys.argv[1:]  # the wrapper reads a second argument as a debug command
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit:
    pass
finally:
    own = [f for f in spent if "/ansible_collections/scsi/virt/" in f]
    sys.stderr.write("COMPILED " + json.dumps({
        "ms": sum(spent.values()) * 1000, "own_ms": sum(spent[f] for f in own) * 1000, "files": len(spent),
        "own_files": len(own), "twice": sum(1 for n in calls.values() if n > 1),
        "own_twice": sorted(f.split("/ansible_collections/")[-1] for f in own if calls[f] > 1)}) + "\n")
"""


def keep_payload(module, args, workdir):
    """Run the task once, keeping its AnsiballZ file; its path."""
    keep = os.path.join(workdir, module.replace(".", "_"))
    os.makedirs(keep)
    env = dict(ENV, ANSIBLE_KEEP_REMOTE_FILES="1", ANSIBLE_REMOTE_TMP=keep)
    run = subprocess.run(["ansible", "localhost", "-m", module] + (["-a", json.dumps(args)] if args else []),
                         env=env, capture_output=True, text=True, check=False)
    if run.returncode != 0 or '"changed": true' in run.stdout:
        raise SystemExit("module_process: %s did not end with no change:\n%s%s"
                         % (module, run.stdout[-1500:], run.stderr[-1500:]))
    found = glob.glob(os.path.join(keep, "*", "AnsiballZ_*.py"))
    if len(found) != 1:
        raise SystemExit("module_process: expected one kept AnsiballZ file for %s, found %r" % (module, found))
    with open(found[0]) as handle:
        ast.parse(handle.read())  # a whole Python file, not a truncated one
    return found[0]


def cpu_ms(path, repeats):
    values = []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        run = subprocess.run([sys.executable, path], capture_output=True, text=True, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if '"failed": true' in run.stdout or run.returncode != 0:
            raise SystemExit("module_process: %s failed again:\n%s" % (path, run.stdout[-1500:]))
        values.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return statistics.median(values)


def compiled(path):
    run = subprocess.run([sys.executable, "-c", COUNTING, path], capture_output=True, text=True, check=False)
    line = [entry for entry in run.stderr.splitlines() if entry.startswith("COMPILED ")]
    if not line:
        raise SystemExit("module_process: no compile count for %s:\n%s" % (path, run.stderr[-1500:]))
    return json.loads(line[-1][len("COMPILED "):])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        node = os.path.join(workdir, "node.xml")
        with open(node, "w") as handle:
            handle.write(NODE)
        uri = "test://" + node
        cases = [("ping", "ping", None),
                 ("domain_disk_lun (no change)", "scsi.virt.domain_disk_lun", disk_lun_args(uri)),
                 ("scsi_host_info", "scsi.virt.scsi_host_info", {"uri": "test:///default"})]
        paths = {name: keep_payload(module, module_args, workdir) for name, module, module_args in cases}
        cpu = {name: [] for name in paths}
        for _ in range(3):  # interleaved thirds, so a burst of other load does not hit one case only
            for name, path in paths.items():
                cpu[name].append(cpu_ms(path, max(1, args.repeats // 3)))
        counts = {name: compiled(path) for name, path in paths.items()}
    ping = statistics.median(cpu["ping"])
    header = ("module", "CPU ms", "over ping", "source compiled ms", "ours", "files (ours)", "compiled twice")
    rows = []
    for name in paths:
        median, count = statistics.median(cpu[name]), counts[name]
        rows.append((name, "%.0f" % median, "%+.0f" % (median - ping), "%.0f" % count["ms"], "%.0f" % count["own_ms"],
                     "%d (%d)" % (count["files"], count["own_files"]), "%d" % count["twice"]))
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        print("%-28s %8s %10s %19s %6s %13s %15s" % header)
        for row in rows:
            print("%-28s %8s %10s %19s %6s %13s %15s" % row)
    print("(CPU: medians of %d fresh interpreters; compile: one counted run; load average %s)"
          % (3 * max(1, args.repeats // 3), " ".join("%.2f" % x for x in os.getloadavg())))


if __name__ == "__main__":
    main()
