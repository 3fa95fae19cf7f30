# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module runs through the collection's module action, which pauses the garbage collector only in
the forked worker that runs one task (plugin_utils/_module_action.py says why)."""

from __future__ import annotations

import gc
import importlib
import multiprocessing
import os

import pytest

from ansible.plugins.action.normal import ActionModule as NormalAction

from ansible_collections.scsi.virt.plugins.plugin_utils import _module_action
from ansible_collections.scsi.virt.plugins.plugin_utils._module_action import ModuleAction

PLUGINS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))), "plugins")
MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(PLUGINS, "modules")) if name.endswith(".py"))


@pytest.mark.parametrize("module", MODULES)
def test_every_module_has_the_module_action(module):
    plugin = importlib.import_module("ansible_collections.scsi.virt.plugins.action." + module)
    assert issubclass(plugin.ActionModule, ModuleAction)
    assert plugin.ActionModule._supports_check_mode and plugin.ActionModule._supports_async


def _gc_state_in_child(conn):
    paused = _module_action.pause_collector_in_worker()
    conn.send((paused, gc.isenabled(), gc.get_freeze_count() > 0))
    conn.close()


def test_a_forked_worker_freezes_the_inherited_heap_and_turns_the_collector_off():
    parent, child = multiprocessing.get_context("fork").Pipe()
    worker = multiprocessing.get_context("fork").Process(target=_gc_state_in_child, args=(child,))
    worker.start()
    state = parent.recv()
    worker.join()
    assert state == (True, False, True)


def test_the_main_process_keeps_its_collector(monkeypatch):
    seen = []
    monkeypatch.setattr(NormalAction, "run", lambda self, tmp=None, task_vars=None: seen.append(gc.isenabled())
                        or {"ok": True})
    frozen = gc.get_freeze_count()
    assert gc.isenabled()
    result = ModuleAction(None, None, None, None, None).run(task_vars={})
    assert result == {"ok": True} and seen == [True]
    assert gc.isenabled() and gc.get_freeze_count() == frozen
