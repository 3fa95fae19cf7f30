# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A domain's XML read as device descriptors: what is there, found by identity (no planning, no writing).

The read side of ``_fragment.DomainPlan``, on its own so that the modules which only read domains (the info
modules, the in-use checks of vhba and scsi_pool) neither ship nor compile the planner and the writer: Ansible
parses every module_utils file a module can import on each task, and compiles the ones it imports on the host.
"""

from __future__ import annotations

from ansible_collections.scsi.virt.plugins.module_utils._xml import etree, parse_xml


class DomainDevices:
    """A domain's XML (an lxml tree) and the descriptors of its device fragments, indexed once per kind."""

    def __init__(self, xml_text):
        self.xml_before = xml_text
        self.root = parse_xml(xml_text, "domain")
        self.name = self.root.findtext("name")
        devices = self.root.find("devices")
        if devices is None:
            devices = etree.SubElement(self.root, "devices")
        self.devices = devices
        self._index = {}
        self._copies = {}

    def existing(self, kind):
        """{identity: descriptor} of the fragments of ``kind`` in the domain (built once per kind); the
        first of several fragments with one identity (see :meth:`copies` for all of them)."""
        if kind not in self._index:
            index, copies = {}, {}
            for element in self.devices:
                if isinstance(element.tag, str) and kind.matches(element):
                    device = kind.from_element(element)
                    index.setdefault(device.identity(), device)
                    copies.setdefault(device.identity(), []).append(device)
            self._index[kind] = index
            self._copies[kind] = copies
        return self._index[kind]

    def copies(self, kind, identity):
        """Every fragment of ``kind`` with this identity (libvirt lets one LUN be attached twice)."""
        self.existing(kind)
        return list(self._copies[kind].get(identity, ()))

    def all_of(self, kind):
        """Every fragment of ``kind``, duplicates included, in document order."""
        self.existing(kind)
        return sorted((d for group in self._copies[kind].values() for d in group),
                      key=lambda d: self.devices.index(d.element))
