#!/usr/bin/env python3
# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Import time of each scsi.virt module, from ``python -X importtime`` (medians of several fresh interpreters).

    bench/importtime.py [--repeats 7] [--markdown]

For every module in plugins/modules (and ansible's ping for reference): the whole import, and how much of
it is ansible.module_utils.basic, libvirt, lxml and scsi.virt's own code (module + module_utils, self times).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(REPO, "build", "collections")
COLUMNS = ("total", "ansible basic", "libvirt", "lxml", "scsi.virt own")


def sample(module):
    """{column: milliseconds} of one fresh interpreter importing ``module``."""
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    run = subprocess.run([sys.executable, "-X", "importtime", "-c", "import %s" % module], env=env,
                         capture_output=True, text=True, check=True)
    out = dict.fromkeys(COLUMNS, 0.0)
    for line in run.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line[len("import time:"):].split("|")
        try:
            self_us, cumulative_us = int(parts[0]), int(parts[1])
        except ValueError:
            continue  # the header line
        name = parts[2].strip()
        if name == module:
            out["total"] = cumulative_us / 1000.0
        if name == "ansible.module_utils.basic":
            out["ansible basic"] = cumulative_us / 1000.0
        elif name == "libvirt":
            out["libvirt"] = cumulative_us / 1000.0
        elif name == "lxml.etree":  # includes the lxml package imported on the way
            out["lxml"] = cumulative_us / 1000.0
        if name.startswith("ansible_collections.scsi.virt."):
            out["scsi.virt own"] += self_us / 1000.0
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    names = sorted(name[:-3] for name in os.listdir(os.path.join(REPO, "plugins", "modules"))
                   if name.endswith(".py") and not name.startswith("_"))
    modules = ["ansible.modules.ping"] + ["ansible_collections.scsi.virt.plugins.modules.%s" % name for name in names]
    rows = []
    for module in modules:
        samples = [sample(module) for _ in range(args.repeats)]
        rows.append((module.rsplit(".", 1)[-1], {c: statistics.median(s[c] for s in samples) for c in COLUMNS}))
    if args.markdown:
        print("| module | " + " | ".join("%s (ms)" % c for c in COLUMNS) + " |")
        print("|---" * (len(COLUMNS) + 1) + "|")
        for name, values in rows:
            print("| %s | %s |" % (name, " | ".join("%.1f" % values[c] for c in COLUMNS)))
    else:
        print("%-20s" % "module" + "".join("%16s" % c for c in COLUMNS))
        for name, values in rows:
            print("%-20s" % name + "".join("%16.1f" % values[c] for c in COLUMNS))
    print("(medians of %d interpreters, milliseconds; load average %s)" % (
        args.repeats, " ".join(open("/proc/loadavg").read().split()[:3])))


if __name__ == "__main__":
    main()
