# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A real ``ansible`` task builds our module's payload without one garbage collection (ping's build runs
several): the worker runs the collection's module action, which turns the collector off
(plugin_utils/_module_action.py). Measured by bench/payload_build.py's wrapper around ansible-core's
module finder; the figures this saves are in docs/benchmarks.md."""

from __future__ import annotations

import payload_build  # bench/payload_build.py, on the path through pytest.ini
import pytest


@pytest.mark.parametrize("module", ["domain_disk_lun", "scsi_host_info"])
def test_no_garbage_collection_while_the_payload_is_built(module, tmp_path):
    ping = payload_build.sample("ping", str(tmp_path / "ping.json"))
    ours = payload_build.sample(module, str(tmp_path / "ours.json"))
    assert sum(ping["gc"].values()) > 0, ping  # the measure sees collections where there are some
    assert ours["own_files"] > 0 and sum(ours["gc"].values()) == 0, ours
