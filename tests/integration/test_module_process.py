# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A real task's module process compiles each of our module_utils files once (plugins/module_utils/_compile_once.py):
the AnsiballZ file of a real ``ansible`` task, run again with Python's compile() counted, as
bench/module_process.py measures it."""

from __future__ import annotations

import os
import zipimport

import module_process  # bench/module_process.py, on the path through pytest.ini
import pytest


@pytest.mark.skipif(not hasattr(zipimport.zipimporter, "find_spec"),
                    reason="zipimport of Python 3.9 and older loads by another path")
def test_only_what_is_imported_before_compile_once_is_compiled_twice(tmp_path):
    node = tmp_path / "node.xml"
    node.write_text(module_process.NODE)
    path = module_process.keep_payload("scsi.virt.domain_disk_lun", module_process.disk_lun_args("test://%s" % node),
                                       str(tmp_path))
    counted = module_process.compiled(path)
    assert counted["own_files"] > 20, counted
    # Before it: the packages on the way and the module itself (run by runpy), and _compile_once.
    before = {"scsi/virt/plugins/modules/domain_disk_lun.py", "scsi/virt/plugins/module_utils/_compile_once.py"}
    assert counted["own_twice"], counted  # the count sees double compiles where there are some
    assert all(os.path.basename(name) == "__init__.py" or name in before for name in counted["own_twice"]), counted
