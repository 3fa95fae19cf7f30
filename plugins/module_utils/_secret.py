# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""libvirt secrets for iSCSI CHAP: the only place a password is handled, and it is never echoed."""

from __future__ import annotations

from ansible_collections.scsi.virt.plugins.module_utils._connection import libvirt, libvirt_errors
from ansible_collections.scsi.virt.plugins.module_utils._errors import ValidationError
from ansible_collections.scsi.virt.plugins.module_utils._types import parse_object_name
from ansible_collections.scsi.virt.plugins.module_utils._xml import (
    STR, YESNO, Descriptor, Prop, clone, parse_xml, to_string)


class IscsiSecret(Descriptor):
    tag = "secret"
    fixed = {"usage_type": "iscsi"}
    props = {
        "ephemeral": Prop("@ephemeral", YESNO),
        "private": Prop("@private", YESNO),
        "uuid": Prop("uuid", STR),
        "description": Prop("description", STR),
        "usage_type": Prop("usage/@type"),
        "usage": Prop("usage[@type='iscsi']/target", STR),
    }

    def identity(self):
        return ("secret", self.usage)

    def describe(self):
        return "iSCSI secret %s" % self.usage


def find_secret(hypervisor, usage):
    try:
        return hypervisor.conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_ISCSI, usage)
    except libvirt.libvirtError as exc:
        if exc.get_error_code() == libvirt.VIR_ERR_NO_SECRET:
            return None
        raise


class SecretManager:
    def __init__(self, hypervisor, params, check_mode):
        self.hv = hypervisor
        self.params = params
        self.check_mode = check_mode
        self.before = self.after = ""

    def run(self):
        usage = parse_object_name(self.params["usage"], "usage")
        with libvirt_errors("looking up the iSCSI secret %r" % usage):
            secret = find_secret(self.hv, usage)
        if self.params["state"] == "absent":
            if secret is None:
                return False, None
            self.before = secret.XMLDesc(0)
            if not self.check_mode:
                with libvirt_errors("undefining the iSCSI secret %r" % usage):
                    secret.undefine()
            return True, None
        password = self.params.get("password")
        if password is None and secret is None:
            raise ValidationError("password", "is required to create the iSCSI secret %r" % usage)
        desired = IscsiSecret(usage=usage, private=self.params["private"], ephemeral=False,
                              description=self.params.get("description"))
        changed = False
        if secret is None:
            element = desired.to_element()
            self.after = to_string(element)
            changed = True
            if self.check_mode:
                return True, {"usage": usage, "uuid": None}
            with libvirt_errors("defining the iSCSI secret %r" % usage):
                secret = self.hv.conn.secretDefineXML(to_string(element, pretty=False), 0)
        else:
            current = IscsiSecret.from_element(parse_xml(secret.XMLDesc(0), "secret"))
            if desired.differences(current):
                root = clone_with(current, desired)
                self.before, self.after = to_string(current.element), to_string(root)
                changed = True
                # libvirt keeps the value when a secret is defined again with its UUID (description,
                # private no -> yes), but refuses to make a private secret readable or to change
                # ephemeral in place: that needs undefine + define, and a value to set again.
                recreate = (current.private and not desired.private) or bool(current.ephemeral) != desired.ephemeral
                if recreate and password is None and current.private:
                    raise ValidationError(
                        "password", "is required to change private/ephemeral of the iSCSI secret %r: libvirt "
                        "cannot change them in place and the value of a private secret cannot be read back, so "
                        "it would be lost" % usage)
                if not self.check_mode:
                    with libvirt_errors("redefining the iSCSI secret %r" % usage):
                        if recreate:
                            value = None if current.private else secret.value()
                            secret.undefine()
                        secret = self.hv.conn.secretDefineXML(to_string(root, pretty=False), 0)
                        if recreate and value is not None and password is None:
                            secret.setValue(value)
        if password is not None and (changed or (self.params["update_password"] == "always"
                                                 and not self._same_value(secret, password))):
            changed = True
            if not self.check_mode:
                with libvirt_errors("setting the value of the iSCSI secret %r" % usage):
                    secret.setValue(password.encode("utf-8"))
        return changed, {"usage": usage, "uuid": secret.UUIDString() if secret is not None else None}

    @staticmethod
    def _same_value(secret, password):
        """A private secret cannot be read back: it is then rewritten (and reported changed)."""
        try:
            return secret.value() == password.encode("utf-8")
        except libvirt.libvirtError:
            return False


def clone_with(current, desired):
    root = clone(current.element)
    desired.update_element(root)
    return root
