# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""scsi_host_info's controller side: the collection's module action (plugin_utils/_module_action.py)."""

from __future__ import annotations

from ansible_collections.scsi.virt.plugins.plugin_utils._module_action import ModuleAction


class ActionModule(ModuleAction):
    pass
