# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each module_utils file of a payload compiled once, not twice. Every scsi.virt module imports this first.

Ansible runs a module by importing it, and the module_utils it imports, from the payload's zip file. The
payload ships source only, and CPython's zipimport compiles a module's source when the import system asks
for the module's file name (``get_filename``, while it builds the module's spec) and again when it runs the
module (``get_code``): python/cpython#141276. For a no-change domain_disk_lun task, compiling our 27 files a
second time cost about 40 ms of CPU, a third of what the module process costs over ping's
(bench/module_process.py; docs/benchmarks.md).

Importing this module makes the zip imports after it keep the code compiled for the file name and run that.
The modules get the same code, file names and errors. Where this module was not imported from a zip file
(unit tests, ansible-test, the controller) it changes nothing; so too on Python 3.9 and older, whose
zipimport loads modules by another path. Remove it once zipimport compiles once.
"""

from __future__ import annotations

import os
import sys
import zipimport


class CompileOnceZipImporter(zipimport.zipimporter):
    """A zipimporter that keeps the code it compiles to answer ``get_filename``, for the ``get_code`` after."""

    def __init__(self, path):
        super().__init__(path)
        self._compiled = {}

    def get_filename(self, fullname):
        code = super().get_code(fullname)
        if code.co_filename != self._source_path(fullname):  # read from a .pyc: zipimport names that file
            return super().get_filename(fullname)
        self._compiled[fullname] = code
        return code.co_filename

    def get_code(self, fullname):
        code = self._compiled.pop(fullname, None)  # taken once: a reload compiles again
        return code if code is not None else super().get_code(fullname)

    def _source_path(self, fullname):
        """Where zipimport reads the source: ARCHIVE/PREFIX/NAME.py or ARCHIVE/PREFIX/NAME/__init__.py."""
        name = self.prefix + fullname.rpartition(".")[2]
        if self.is_package(fullname):
            return os.path.join(self.archive, name, "__init__.py")
        return os.path.join(self.archive, name + ".py")


def install(loader=None):
    """Import from the zip file ``loader`` reads (by default: the one this module came from) with
    CompileOnceZipImporter from now on. Returns whether it did."""
    if loader is None:
        loader = getattr(globals().get("__spec__"), "loader", None)
    if not isinstance(loader, zipimport.zipimporter) or not hasattr(zipimport.zipimporter, "find_spec"):
        return False
    # The packages imported so far (ansible_collections.scsi.virt.plugins...) find their modules through
    # the importers cached for their paths in the archive; packages imported later get theirs from the hook.
    for path, finder in list(sys.path_importer_cache.items()):
        if isinstance(finder, zipimport.zipimporter) and not isinstance(finder, CompileOnceZipImporter) \
                and finder.archive == loader.archive:
            sys.path_importer_cache[path] = CompileOnceZipImporter(path)
    sys.path_hooks[:] = [CompileOnceZipImporter if hook is zipimport.zipimporter else hook for hook in sys.path_hooks]
    return True


install()
