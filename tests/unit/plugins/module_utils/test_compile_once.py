# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_compile_once: modules imported from a zip file are compiled once each, and are otherwise the same."""

from __future__ import annotations

import ast
import builtins
import collections
import importlib
import json
import os
import py_compile
import sys
import zipfile
import zipimport

import pytest

from ansible_collections.scsi.virt.plugins.module_utils import _compile_once
from ansible_collections.scsi.virt.plugins.module_utils._compile_once import CompileOnceZipImporter, install

MODULES = os.path.join(os.path.dirname(os.path.abspath(_compile_once.__file__)), os.pardir, "modules")
NEEDS_FIND_SPEC = pytest.mark.skipif(not hasattr(zipimport.zipimporter, "find_spec"),
                                     reason="zipimport of Python 3.9 and older loads by another path")


@pytest.fixture(name="import_state")
def import_state_fixture():
    """Puts back the import system's hooks, caches and the test packages after each test."""
    hooks, cache, path = list(sys.path_hooks), dict(sys.path_importer_cache), list(sys.path)
    before = set(sys.modules)
    yield
    sys.path_hooks[:] = hooks
    sys.path_importer_cache.clear()
    sys.path_importer_cache.update(cache)
    sys.path[:] = path
    for name in set(sys.modules) - before:
        del sys.modules[name]
    importlib.invalidate_caches()


@pytest.fixture(name="compiles")
def compiles_fixture(monkeypatch):
    """{file name: how many times compile() was called on it}."""
    counts = collections.Counter()
    real = builtins.compile

    def counting(source, filename, *args, **kwargs):
        counts[filename] += 1
        return real(source, filename, *args, **kwargs)

    monkeypatch.setattr(builtins, "compile", counting)
    return counts


def payload(tmp_path, package):
    """A zip file like a payload's: a package, a subpackage, modules importing each other."""
    path = str(tmp_path / "payload.zip")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(package + "/__init__.py", "")
        archive.writestr(package + "/first.py", "from %s.sub import second\nVALUE = second.VALUE + 1\n" % package)
        archive.writestr(package + "/sub/__init__.py", "")
        archive.writestr(package + "/sub/second.py", "VALUE = 41\n")
        archive.writestr(package + "/broken.py", "def f(:\n")
    return path


@NEEDS_FIND_SPEC
def test_modules_imported_after_install_are_compiled_once(tmp_path, import_state, compiles):
    path = payload(tmp_path, "cpkg_once")
    sys.path.insert(0, path)
    package = importlib.import_module("cpkg_once")  # imported before: its importer is the plain one, cached
    assert install(package.__spec__.loader) is True
    first = importlib.import_module("cpkg_once.first")
    assert first.VALUE == 42
    source = os.path.join(path, "cpkg_once", "first.py")
    assert compiles[source] == 1
    assert compiles[os.path.join(path, "cpkg_once", "sub", "second.py")] == 1
    assert compiles[os.path.join(path, "cpkg_once", "sub", "__init__.py")] == 1
    # The same file names and specs as zipimport's own, from the new importer.
    assert first.__file__ == first.__spec__.origin == source
    assert isinstance(first.__loader__, CompileOnceZipImporter)
    assert sys.modules["cpkg_once.sub"].__path__ == [os.path.join(path, "cpkg_once", "sub")]


@NEEDS_FIND_SPEC
def test_a_reload_compiles_again_and_errors_are_zipimports(tmp_path, import_state, compiles):
    path = payload(tmp_path, "cpkg_reload")
    sys.path.insert(0, path)
    assert install(zipimport.zipimporter(path)) is True
    second = importlib.import_module("cpkg_reload.sub.second")
    importlib.reload(second)
    assert compiles[os.path.join(path, "cpkg_reload", "sub", "second.py")] == 2  # the reload is not given stale code
    with pytest.raises(SyntaxError):
        importlib.import_module("cpkg_reload.broken")
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("cpkg_reload.missing")


def test_a_bytecode_only_module_keeps_zipimports_file_name(tmp_path, import_state):
    compiled = str(tmp_path / "bytecode_only.pyc")
    source = tmp_path / "bytecode_only.py"
    source.write_text("VALUE = 7\n")
    py_compile.compile(str(source), cfile=compiled)
    path = str(tmp_path / "bytecode.zip")
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(compiled, "bytecode_only.pyc")
    ours, theirs = CompileOnceZipImporter(path), zipimport.zipimporter(path)
    assert ours.get_filename("bytecode_only") == theirs.get_filename("bytecode_only") == path + "/bytecode_only.pyc"
    namespace = {}
    exec(ours.get_code("bytecode_only"), namespace)  # pylint: disable=exec-used
    assert namespace["VALUE"] == 7


def test_nothing_changes_for_a_module_not_imported_from_a_zip(import_state):
    hooks = list(sys.path_hooks)
    assert install(json.__spec__.loader) is False  # a file on disk
    assert install() is False  # this collection, as the tests import it: files on disk
    assert sys.path_hooks == hooks
    assert not any(isinstance(finder, CompileOnceZipImporter) for finder in sys.path_importer_cache.values())


def test_every_module_imports_it_before_any_other_ansible_import():
    """Only the imports after it profit, and the module_utils a module imports first pull in most of the rest."""
    for name in sorted(os.listdir(MODULES)):
        if not name.endswith(".py") or name == "__init__.py":
            continue
        with open(os.path.join(MODULES, name), encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
        ansible_imports = [node for node in tree.body if isinstance(node, ast.ImportFrom)
                           and (node.module or "").split(".")[0] in ("ansible", "ansible_collections")]
        first = ansible_imports[0]
        assert (first.module, [alias.name for alias in first.names]) == (
            "ansible_collections.scsi.virt.plugins.module_utils", ["_compile_once"]), name
