#!/usr/bin/env python3
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What building each module's payload costs Ansible's controller, on every task.

    bench/payload_build.py [--repeats 3] [--markdown] [--collections PATH] [MODULE ...]

For every module (and ansible's ping): runs ``ansible localhost -m MODULE -a uri=test:///default`` (the task
may fail: the payload is built before the module runs) in a wrapper that times, in the worker process,
ansible-core's ``recursive_finder`` (it AST-parses every module_utils file the module can import and zips
them) and counts the garbage collections during it. Also the payload's size and the AST nodes of our own
files in it. Medians of ``--repeats``; CPU milliseconds (process time), so other load matters less.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import statistics
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(REPO, "build", "collections")
VENV_BIN = os.path.dirname(sys.executable)

# Runs inside `ansible`: wraps recursive_finder, writes one JSON line per payload built to $PAYLOAD_OUT.
WRAPPER = r"""
import ast, gc, json, os, sys, time
from ansible.executor import module_common as mc
orig = mc.recursive_finder
def recursive_finder(name, module_fqn, module_data, zf, *args, **kwargs):
    counts = {0: 0, 1: 0, 2: 0}
    full = []
    state = {}
    def watch(phase, info):
        if phase == "start":
            state["t"] = time.process_time()
        else:
            counts[info["generation"]] += 1
            if info["generation"] == 2:
                full.append(time.process_time() - state["t"])
    gc.callbacks.append(watch)
    start = time.process_time()
    try:
        return orig(name, module_fqn, module_data, zf, *args, **kwargs)
    finally:
        elapsed = time.process_time() - start
        gc.callbacks.remove(watch)
        own = [i.filename for i in zf.infolist() if i.filename.startswith("ansible_collections/")
               and i.filename.endswith(".py")]
        nodes = sum(len(list(ast.walk(ast.parse(zf.read(f))))) for f in own)
        size = sum(i.file_size for i in zf.infolist())
        with open(os.environ["PAYLOAD_OUT"], "a") as out:
            out.write(json.dumps({"finder_ms": elapsed * 1000, "gc": counts, "full_gc_ms": [t * 1000 for t in full],
                                  "files": len(zf.infolist()), "own_files": len(own), "own_nodes": nodes,
                                  "bytes": size}) + "\n")
mc.recursive_finder = recursive_finder
from ansible.cli.adhoc import main
sys.argv[0] = "ansible"
main()
"""


def sample(module, out_path, collections=COLLECTIONS):
    args = [] if module == "ping" else ["-a", "uri=test:///default"]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_PYTHON_INTERPRETER=sys.executable,
               ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
               PATH=VENV_BIN + ":" + os.environ["PATH"], PAYLOAD_OUT=out_path)
    fqcn = module if module == "ping" else "scsi.virt." + module
    subprocess.run([sys.executable, "-c", WRAPPER, "localhost", "-m", fqcn] + args, env=env,
                   capture_output=True, text=True, check=False)
    with open(out_path) as lines:
        return json.loads(lines.read().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--collections", default=COLLECTIONS,
                        help="the collections path holding scsi.virt (another version of it, for an A/B)")
    parser.add_argument("modules", nargs="*")
    args = parser.parse_args()
    names = args.modules or sorted(name[:-3] for name in os.listdir(os.path.join(REPO, "plugins", "modules"))
                                   if name.endswith(".py") and not name.startswith("_"))
    names = ["ping"] + [name for name in names if name != "ping"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            samples = [sample(name, os.path.join(tmp, "%s-%d.json" % (name, i)), args.collections)
                       for i in range(args.repeats)]
            last = samples[-1]
            rows.append((name, last["files"], last["bytes"] / 1024.0, last["own_files"], last["own_nodes"],
                         statistics.median(s["finder_ms"] for s in samples),
                         statistics.median(s["gc"]["2"] for s in samples),
                         statistics.median(sum(s["full_gc_ms"]) for s in samples)))
    header = ("module", "files", "payload KB", "own files", "own AST nodes", "finder CPU ms", "full GCs",
              "full GC ms")
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|---" * len(header) + "|")
        for row in rows:
            print("| %s | %d | %.0f | %d | %d | %.0f | %d | %.0f |" % row)
    else:
        print("%-18s" % header[0] + "".join("%15s" % h for h in header[1:]))
        for row in rows:
            print("%-18s%15d%15.0f%15d%15d%15.0f%15d%15.0f" % row)
    print("(medians of %d runs; load average %s)" % (args.repeats, " ".join(open("/proc/loadavg").read().split()[:3])))


if __name__ == "__main__":
    main()
