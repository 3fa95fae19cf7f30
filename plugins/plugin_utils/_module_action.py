# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller side of every scsi.virt module: Ansible's normal action, with the worker's garbage
collector paused for the task.

Why: on every task, ansible-core's worker builds the module's payload. Its module finder parses every
module_utils file the module can import into AST trees that hold reference cycles, so only the garbage
collector frees them. For modules of this size (domain_disk_lun ships 81 files, 27 of them ours: 175 KB),
that allocation runs the collector's full collections, and each one walks the whole heap the worker
inherited from the controller's main process: 0.1-0.2 s of CPU per task (bench/payload_build.py counts them;
docs/benchmarks.md has the figures). ansible-core forks one worker per task and the worker exits when the
task is done, so the collector is not needed there: the heap it inherited is frozen (never walked again)
and the collector is off until the worker exits, which frees everything at once. The cost is memory: the
payload's AST garbage stays until then (about 5 MB for domain_disk_lun; the items of a loop share one worker,
and a 50-item loop peaked at 65 MB).

Outside a forked worker (should an action ever run in Ansible's main process) nothing is changed.
"""

from __future__ import annotations

import gc
import multiprocessing

from ansible.plugins.action.normal import ActionModule as NormalAction


def pause_collector_in_worker():
    """Freeze the inherited heap and turn the collector off, in a forked worker only; True if it did."""
    if multiprocessing.parent_process() is None:
        return False
    gc.freeze()
    gc.disable()
    return True


class ModuleAction(NormalAction):
    """Runs the module as Ansible's normal action does (check mode, async, module_defaults)."""

    def run(self, tmp=None, task_vars=None):
        pause_collector_in_worker()
        return super().run(tmp, task_vars)
