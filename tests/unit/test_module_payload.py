# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What each module ships: the module_utils files Ansible puts in its payload.

On every task, Ansible's controller parses (as Python AST) every module_utils file a module can import, at
any depth and inside functions too, then zips them; the host compiles the ones imported. Measured
(docs/benchmarks.md): past about 13-14k AST nodes of our own code, the controller's garbage collector runs a
second full collection while it builds the payload, about 0.1 s of CPU per task. The action plugins now keep
the collector off in the task's worker (plugins/plugin_utils/_module_action.py), but the parsing on the
controller and the compiling on the host still grow with the code shipped. The modules that only read
domains, node devices or pools therefore must not reach the planner and writer (``_fragment``), the LUN
option code (``_lun_options``) or the guest agent code (``_guest``).
"""

from __future__ import annotations

import ast
import os

import pytest

PLUGINS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "plugins")
PREFIX = "ansible_collections.scsi.virt.plugins."


def _path(module):
    rel = os.path.join(PLUGINS, *module[len(PREFIX):].split("."))
    for candidate in (rel + ".py", os.path.join(rel, "__init__.py")):
        if os.path.isfile(candidate):
            return candidate
    return None


def _imports(path):
    """Our modules a file imports anywhere (as Ansible's finder reads them: ``from X import name`` may be
    a module ``X.name`` or a name in ``X``)."""
    found = set()
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PREFIX):
            for alias in node.names:
                name = node.module + "." + alias.name
                found.add(name if _path(name) else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith(PREFIX))
    return found


def shipped(module_name):
    """{dotted name: AST node count} of the module and every module_utils file it can import."""
    todo, seen = [PREFIX + "modules." + module_name], {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = _path(name)
        assert path is not None, "%s imports %s, which does not exist" % (module_name, name)
        tree = ast.parse(open(path, encoding="utf-8").read())
        seen[name] = len(list(ast.walk(tree)))
        todo.extend(_imports(path))
    return seen


def _short(names):
    return {name.rsplit(".", 1)[-1] for name in names}


HEAVY = {"_fragment", "_lun_options", "_guest", "_domain_module", "_item_spec"}


@pytest.mark.parametrize("module_name", ["domain_scsi_info", "scsi_host_info", "scsi_lun_info", "vhba",
                                         "scsi_pool"])
def test_read_only_modules_do_not_ship_the_planner(module_name):
    files = _short(shipped(module_name))
    assert not files & HEAVY, "%s ships %s" % (module_name, sorted(files & HEAVY))


def test_change_modules_ship_what_they_use():
    """The check is not vacuous: the modules that plan changes do reach the planner and the option code."""
    for module_name in ("domain_disk_lun", "scsi_hostdev"):
        files = _short(shipped(module_name))
        assert {"_fragment", "_domain_xml", "_lun_options", "_iscsi_source", "_item_spec"} <= files, files


def test_read_only_modules_ship_far_less_code():
    planner = sum(shipped("domain_disk_lun").values())
    for module_name in ("domain_scsi_info", "scsi_host_info", "scsi_lun_info", "vhba", "scsi_pool"):
        nodes = sum(shipped(module_name).values())
        assert nodes < 0.7 * planner, "%s: %d AST nodes against domain_disk_lun's %d" % (module_name, nodes, planner)
