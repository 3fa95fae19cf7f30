# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place scsi.virt talks to libvirt (libvirt-python), with libvirt errors made readable."""

from __future__ import annotations

import contextlib
import os
import re
import time

from ansible_collections.scsi.virt.plugins.module_utils._errors import NotFoundError, ScsiVirtError
from ansible_collections.scsi.virt.plugins.module_utils._xml import parse_xml

try:
    import libvirt
    HAS_LIBVIRT = True
except ImportError:  # pragma: no cover - reported by the module runner
    libvirt = None
    HAS_LIBVIRT = False

_CREDENTIALS = re.compile(r"(?P<scheme>^[a-z0-9+.-]+://)(?P<user>[^:/@]*):(?P<secret>[^@/]*)@", re.I)
_SECRET_QUERY = re.compile(r"((?:^|[?&])(?:password|passwd|pass|secret)=)[^&]*", re.I)
# A daemon that is (re)starting: its socket is missing or refuses, or an open connection broke.
# Name resolution and authentication failures are not worth waiting for.
_PERMANENT = re.compile(r"resolve hostname|Name or service not known|Permission denied|authentication|"
                        r"Host key verification", re.I)
RETRY_INTERVAL = 0.5


def mask_uri(uri):
    """The URI with any password replaced, safe to show in messages."""
    if not uri:
        return uri
    masked = _CREDENTIALS.sub(lambda m: "%s%s:********@" % (m.group("scheme"), m.group("user")), uri)
    return _SECRET_QUERY.sub(r"\1********", masked)


def uri_secrets(uri):
    """The password parts of a URI (user:PASSWORD@, ?password=...), for AnsibleModule.no_log_values."""
    if not uri:
        return []
    found = [m.group("secret") for m in _CREDENTIALS.finditer(uri)]
    found += [m.group(0).split("=", 1)[1] for m in _SECRET_QUERY.finditer(uri)]
    return [value for value in found if value]


def _silence(_ctx, _err):
    """libvirt prints every error to stderr by default; we report them ourselves."""


@contextlib.contextmanager
def libvirt_errors(action):
    """Turn a libvirt error during ``action`` into a ScsiVirtError that says what was being done."""
    try:
        yield
    except libvirt.libvirtError as exc:
        raise ScsiVirtError("libvirt error while %s: %s" % (action, exc.get_error_message() or exc),
                            libvirt_code=exc.get_error_code())


def _daemon_unreachable(exc):
    """True for errors that a libvirtd coming back up would cure (worth a bounded wait)."""
    return (exc.get_error_code() == libvirt.VIR_ERR_SYSTEM_ERROR and exc.get_error_domain() == libvirt.VIR_FROM_RPC
            and not _PERMANENT.search(exc.get_error_message() or ""))


class Hypervisor:
    """A libvirt connection plus the lookups every module needs.

    ``connect_timeout`` bounds how long opening (and re-opening, after libvirtd restarted under an
    open connection) waits for a daemon that is not answering yet.
    """

    def __init__(self, uri, connect_timeout=0):
        if not HAS_LIBVIRT:
            raise ScsiVirtError("the libvirt Python bindings (libvirt-python) are required")
        self.uri = uri
        self.connect_timeout = connect_timeout
        self.reconnects = 0
        libvirt.registerErrorHandler(_silence, None)
        self.conn = self._open()

    def _open(self):
        deadline = time.monotonic() + self.connect_timeout
        while True:
            try:
                return libvirt.open(self.uri)
            except libvirt.libvirtError as exc:
                transient = _daemon_unreachable(exc)
                if not transient or time.monotonic() + RETRY_INTERVAL > deadline:
                    waited = " within %g s (connect_timeout)" % self.connect_timeout if transient else ""
                    raise ScsiVirtError("uri: cannot connect to libvirt at %s%s: %s" % (
                        mask_uri(self.uri), waited, exc.get_error_message()))
            time.sleep(RETRY_INTERVAL)

    def alive(self):
        """False once the daemon went away under this connection (libvirtd restarted or stopped)."""
        try:
            return self.conn.isAlive() == 1
        except libvirt.libvirtError:
            return False

    def reconnect(self):
        """Open a new connection (bounded by connect_timeout) after the old one broke."""
        self.close()
        self.conn = self._open()
        self.reconnects += 1

    def close(self):
        with contextlib.suppress(Exception):
            self.conn.close()

    # -- facts ------------------------------------------------------------------------------
    @property
    def is_test_driver(self):
        """libvirt's in-process test driver: nothing it reports is a real host path or device."""
        return self.conn.getType().lower() == "test"

    @property
    def is_local(self):
        """True when paths checked on this machine are the hypervisor's paths."""
        return not self.is_test_driver and "//" in self.uri and self.uri.split("//", 1)[1].startswith("/")

    @property
    def lib_version(self):
        return self.conn.getLibVersion()

    # -- domains ----------------------------------------------------------------------------
    def domain(self, name):
        try:
            return self.conn.lookupByName(name)
        except libvirt.libvirtError as exc:
            if exc.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
                raise NotFoundError("domain: no domain named %r on %s" % (name, mask_uri(self.uri)))
            raise ScsiVirtError("libvirt error while looking up domain %r: %s" % (name, exc.get_error_message()))

    @staticmethod
    def domain_xml(dom, live=False):
        flags = 0 if live else libvirt.VIR_DOMAIN_XML_INACTIVE
        with libvirt_errors("reading the XML of domain %r" % dom.name()):
            return dom.XMLDesc(flags | libvirt.VIR_DOMAIN_XML_SECURE)

    @staticmethod
    def domain_active(dom):
        with libvirt_errors("reading the state of domain %r" % dom.name()):
            return bool(dom.isActive())

    @staticmethod
    def domain_persistent(dom):
        with libvirt_errors("reading whether domain %r is persistent" % dom.name()):
            return bool(dom.isPersistent())

    def define_domain(self, xml_text, name):
        with libvirt_errors("defining the new configuration of domain %r" % name):
            return self.conn.defineXML(xml_text)

    def domain_by_uuid(self, uuid):
        with libvirt_errors("looking up domain %s again" % uuid):
            return self.conn.lookupByUUIDString(uuid)

    def all_domains(self):
        with libvirt_errors("listing domains"):
            return self.conn.listAllDomains(0)

    # -- storage ----------------------------------------------------------------------------
    def pool(self, name, required=True):
        try:
            return self.conn.storagePoolLookupByName(name)
        except libvirt.libvirtError as exc:
            if exc.get_error_code() == libvirt.VIR_ERR_NO_STORAGE_POOL:
                if not required:
                    return None
                raise NotFoundError("pool: no storage pool named %r on %s" % (name, mask_uri(self.uri)))
            raise ScsiVirtError("libvirt error while looking up pool %r: %s" % (name, exc.get_error_message()))

    def pool_xml(self, pool):
        """The pool's persistent definition (the test driver knows no INACTIVE flag: it keeps one)."""
        flags = 0 if self.is_test_driver else libvirt.VIR_STORAGE_XML_INACTIVE
        with libvirt_errors("reading pool %r" % pool.name()):
            return pool.XMLDesc(flags)

    def all_pools(self):
        with libvirt_errors("listing storage pools"):
            return self.conn.listAllStoragePools(0)

    def volume(self, pool_name, volume_name):
        pool = self.pool(pool_name)
        try:
            return pool.storageVolLookupByName(volume_name)
        except libvirt.libvirtError as exc:
            names = []
            with contextlib.suppress(libvirt.libvirtError):
                names = sorted(pool.listVolumes()) if pool.isActive() else []
            raise NotFoundError("volume: no volume %r in pool %r (%s)%s" % (
                volume_name, pool_name, exc.get_error_message(),
                "; it has: %s" % ", ".join(names[:20]) if names else ""))

    @staticmethod
    def volumes(pool):
        """The pool's volumes as dicts (name, path, key, capacity, allocation)."""
        out = []
        with libvirt_errors("listing the volumes of pool %r" % pool.name()):
            if not pool.isActive():
                return out
            for vol in pool.listAllVolumes(0):
                _type, capacity, allocation = vol.info()
                out.append({"name": vol.name(), "path": vol.path(), "key": vol.key(),
                            "capacity": capacity, "allocation": allocation})
        return sorted(out, key=lambda v: v["name"])

    def mpath_volumes(self):
        """The dm-multipath maps libvirt's ``mpath`` storage pool lists: [{dm, path, size}] (``dm-N``,
        ``/dev/mapper/<name>``). An active mpath pool is read as it is; otherwise a transient one is started for
        the call and destroyed (it only lists /dev/mapper). Empty when the driver has no mpath backend.

        libvirt allows one mpath pool per host ("Storage source conflict"): another call's transient pool is
        waited for; a defined but inactive one is named in the error, since reading through it means starting it.
        """
        deadline = time.monotonic() + 15
        while True:
            with libvirt_errors("listing storage pools"):
                pools = self.conn.listAllStoragePools(0)
            try:
                mpath = [p for p in pools if parse_xml(p.XMLDesc(0), "pool").get("type") == "mpath"]
                active = [p for p in mpath if p.isActive()]
            except libvirt.libvirtError as exc:
                if time.monotonic() > deadline:
                    raise ScsiVirtError("cannot read the multipath maps: %s" % exc.get_error_message())
                continue  # a pool went away while listing (another call's transient pool): list again
            if active:
                try:
                    return self._mpath_listing(active[0], transient=False)
                except libvirt.libvirtError as exc:
                    if time.monotonic() > deadline:
                        raise ScsiVirtError("cannot read the multipath maps: %s" % exc.get_error_message())
                    continue  # another call's transient pool, destroyed while being read: list again
            if mpath:
                raise ScsiVirtError("the mpath storage pool %r is defined but not active: libvirt allows one mpath "
                                    "pool per host, and the multipath maps are read through it; start it "
                                    "(scsi.virt.scsi_pool) or undefine it" % mpath[0].name())
            try:
                pool = self.conn.storagePoolCreateXML(
                    "<pool type='mpath'><name>scsi-virt-mpath-%d</name><target><path>/dev/mapper</path></target>"
                    "</pool>" % os.getpid(), 0)
            except libvirt.libvirtError as exc:
                if exc.get_error_code() != libvirt.VIR_ERR_OPERATION_FAILED:
                    return []  # no mpath backend in this libvirt: no maps to report
                if time.monotonic() > deadline:
                    raise ScsiVirtError("cannot read the multipath maps: %s" % exc.get_error_message())
                time.sleep(RETRY_INTERVAL)  # another call's transient mpath pool: it is gone in a moment
                continue
            with libvirt_errors("listing the mpath pool's volumes"):
                return self._mpath_listing(pool, transient=True)

    @staticmethod
    def _mpath_listing(pool, transient):
        try:
            return [{"dm": vol.name(), "path": vol.path(), "size": vol.info()[1]} for vol in pool.listAllVolumes(0)]
        finally:
            if transient:
                with contextlib.suppress(libvirt.libvirtError):
                    pool.destroy()

    def rescan_through_pool(self, host_name):
        """Rescan one SCSI host over any connection: libvirt has no rescan call, but its scsi storage backend
        writes ``- - -`` to /sys/class/scsi_host/hostN/scan when a scsi pool starts or refreshes
        (virStorageBackendSCSITriggerRescan). An active pool on that adapter is refreshed; otherwise a transient
        pool is started and destroyed. Returns how it was done."""
        with libvirt_errors("listing storage pools"):
            pools = self.conn.listAllStoragePools(libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE)
        for pool in pools:
            root = parse_xml(pool.XMLDesc(0), "pool")
            adapter = root.find("source/adapter")
            if root.get("type") == "scsi" and adapter is not None and adapter.get("name") == host_name:
                with libvirt_errors("refreshing pool %s" % pool.name()):
                    pool.refresh(0)
                return "refresh of pool %s" % pool.name()
        xml = ("<pool type='scsi'><name>scsi-virt-rescan-%s-%d</name><source><adapter type='scsi_host' name='%s'/>"
               "</source><target><path>/dev</path></target></pool>" % (host_name, os.getpid(), host_name))
        with libvirt_errors("starting a transient scsi pool on %s to rescan it" % host_name):
            pool = self.conn.storagePoolCreateXML(xml, 0)
        with contextlib.suppress(libvirt.libvirtError):
            pool.destroy()
        return "transient scsi pool"

    # -- node devices -----------------------------------------------------------------------
    def nodedev(self, name, required=True):
        try:
            return self.conn.nodeDeviceLookupByName(name)
        except libvirt.libvirtError as exc:
            if exc.get_error_code() == libvirt.VIR_ERR_NO_NODE_DEVICE:
                if not required:
                    return None
                raise NotFoundError("no node device named %r on %s" % (name, mask_uri(self.uri)))
            raise ScsiVirtError("libvirt error while looking up node device %r: %s" % (name, exc.get_error_message()))

    def nodedevs(self, capability):
        """Node devices with a capability ('scsi_host', 'vports', 'fc_host', 'scsi', 'storage') as XML roots."""
        flags = {
            "scsi_host": libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_HOST,
            "fc_host": libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_FC_HOST,
            "vports": libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPORTS,
            "scsi": libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI,
            "storage": libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_STORAGE,
        }[capability]
        with libvirt_errors("listing %s node devices" % capability):
            devices = self.conn.listAllDevices(flags)
        out = []
        for dev in devices:
            try:
                out.append(parse_xml(dev.XMLDesc(0), "device"))
            except libvirt.libvirtError as exc:
                # Devices come and go (a vHBA removed by a pool stop, a LUN by a rescan): skip those.
                if exc.get_error_code() != libvirt.VIR_ERR_NO_NODE_DEVICE:
                    raise ScsiVirtError("libvirt error while reading node device %s: %s"
                                        % (dev.name(), exc.get_error_message()))
        return out
