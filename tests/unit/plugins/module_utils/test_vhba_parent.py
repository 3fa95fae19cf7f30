# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parent choice by vport capacity, from node device XML as a real FC driver reports it.

Neither libvirt's test driver (it reports max_vports 0) nor the NPIV lab's FCoE HBA (max_vports
65535) can be filled up, so the full-HBA paths are tested here on the parsed XML.
"""

from __future__ import annotations

import pytest

from ansible_collections.scsi.virt.plugins.module_utils._devices.nodedev import ScsiHostDevice
from ansible_collections.scsi.virt.plugins.module_utils._errors import ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._vhba import VhbaManager, VhbaRequest
from ansible_collections.scsi.virt.plugins.module_utils._xml import parse_xml

HBA = """<device><name>scsi_host{n}</name><parent>pci_0000_04_00_{n}</parent>
<capability type='scsi_host'><host>{n}</host><unique_id>{n}</unique_id>
<capability type='fc_host'><wwnn>20000024ff45a2b{n}</wwnn><wwpn>21000024ff45a2b{n}</wwpn>
<fabric_wwn>2001000dec9877c1</fabric_wwn></capability>
<capability type='vport_ops'><max_vports>{max}</max_vports><vports>{used}</vports></capability>
</capability></device>"""


def manager(*capacities, **params):
    """A VhbaManager over HBAs scsi_host1.. with (max_vports, vports) each, no libvirt call made."""
    hosts = {}
    for number, (most, used) in enumerate(capacities, start=1):
        host = ScsiHostDevice.from_element(parse_xml(HBA.format(n=number, max=most, used=used), "device"))
        hosts[host.name] = host
    request = VhbaRequest(dict({"state": "present", "wwnn": "5001a4a000000011", "wwpn": "5001a4a000000012"},
                               **params))
    chooser = VhbaManager.__new__(VhbaManager)
    chooser.req, chooser.hosts, chooser.check_mode, chooser.warnings = request, hosts, True, []
    return chooser


def test_the_hba_with_most_free_vports_is_chosen():
    assert manager((127, 120), (64, 10), (255, 250)).choose_parent().name == "scsi_host2"


def test_full_hbas_are_skipped_and_capacity_unknown_comes_last():
    assert manager((64, 64), (0, 0), (8, 7)).choose_parent().name == "scsi_host3"
    assert manager((64, 64), (0, 0)).choose_parent().name == "scsi_host2"


@pytest.mark.parametrize("params, field", [
    ({}, "parent"),
    ({"parent": "scsi_host2"}, "parent"),
    ({"parent_wwnn": "20000024ff45a2b1", "parent_wwpn": "21000024ff45a2b1"}, "parent_wwnn"),
    ({"parent_fabric_wwn": "2001000dec9877c1"}, "parent_fabric_wwn"),
])
def test_no_free_vports_is_a_clear_error_naming_the_option(params, field):
    with pytest.raises(ValidationError) as raised:
        manager((64, 64), (127, 127), **params).choose_parent()
    assert raised.value.msg.startswith(field + ": no free vports on ")
    assert "max_vports 64, vports 64" in raised.value.msg or "max_vports 127, vports 127" in raised.value.msg
