# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small declarative XML engine (after virt-manager's XMLBuilder idea).

A device kind is a :class:`Descriptor` subclass: a table of :class:`Prop` objects, each binding a
Python value to a relative path such as ``source/@dev`` or ``address[@type='drive']/@unit``.
The engine alone reads, creates, updates, prunes and compares elements, so every module
identifies, compares and serializes a fragment the same way.

Comparison rules: a desired value of ``None`` means "don't care" (libvirt-added aliases,
addresses, drivers and controllers never count as drift), values are compared in their
normalized Python form (so WWN spellings and attribute order do not matter), and
``defaults`` states what an absent value means (e.g. ``sgio`` absent == ``filtered``).
"""

from __future__ import annotations

import copy
import re

from ansible_collections.scsi.virt.plugins.module_utils._errors import ScsiVirtError

try:
    from lxml import etree
    HAS_LXML = True
except ImportError:  # pragma: no cover - reported by the module runner
    etree = None
    HAS_LXML = False


_SEGMENT = re.compile(r"^([A-Za-z_][\w-]*)((?:\[@[\w-]+='[^']*'\])*)$")
_PREDICATE = re.compile(r"\[@([\w-]+)='([^']*)'\]")


def _compile_path(path):
    """'a/b[@type=\'x\']/@attr' -> ([('a', {}), ('b', {'type': 'x'})], 'attr')."""
    parts = path.split("/")
    attr = parts.pop()[1:] if parts[-1].startswith("@") else None
    steps = []
    for part in parts:
        m = _SEGMENT.match(part)
        if not m:
            raise ValueError("unsupported path segment %r in %r" % (part, path))
        steps.append((m.group(1), dict(_PREDICATE.findall(m.group(2)))))
    return steps, attr


def _child(parent, tag, preds):
    """The first child element ``tag`` whose attributes match ``preds`` ({name: value})."""
    for node in parent.iterchildren(tag):
        if not preds or all(node.get(k) == v for k, v in preds.items()):
            return node
    return None


_MISSING = object()


def _lookup(nodes, key):
    """The node at ``key`` (a Prop.key: steps from the root), looked up once per key in ``nodes``
    ({key: node or None}, seeded with {(): root}); every prop under one element shares the walk."""
    node = nodes.get(key, _MISSING)
    if node is _MISSING:
        parent = _lookup(nodes, key[:-1])
        tag, preds = key[-1]
        node = None if parent is None else _child(parent, tag, dict(preds))
        nodes[key] = node
    return node


class Kind:
    """Converts between XML text and a Python value."""

    name = "str"

    def parse(self, text):
        return text

    def format(self, value):
        return str(value)


class _Int(Kind):
    name = "int"

    def __init__(self, fmt="%d"):
        self.fmt = fmt

    def parse(self, text):
        return int(text.strip(), 0)

    def format(self, value):
        return self.fmt % value


class _YesNo(Kind):
    name = "yes/no"

    def parse(self, text):
        if text not in ("yes", "no"):
            raise ValueError("expected yes or no")
        return text == "yes"

    def format(self, value):
        return "yes" if value else "no"


class _Wwn(Kind):
    """Fibre Channel WWN: compared as 16 lower-case hex digits, written that way."""

    name = "wwn"

    def parse(self, text):
        text = text.strip().lower()
        text = text[2:] if text.startswith("0x") else text
        return text.replace(":", "")


STR = Kind()
INT = _Int()
HEX2 = _Int("0x%02x")
HEX4 = _Int("0x%04x")
HEX1 = _Int("0x%x")
YESNO = _YesNo()
WWN = _Wwn()
PRESENCE = "presence"  # the element exists (True) or not (False)


class Prop:
    """One value of a descriptor, bound to a path relative to the fragment's root element.

    ``path`` ends in ``@attr`` for an attribute; otherwise it names an element whose text
    (``kind`` a :class:`Kind`) or mere presence (``kind=PRESENCE``) is the value.
    """

    def __init__(self, path, kind=STR):
        self.path = path
        self.kind = kind
        self.steps, self.attr = _compile_path(path)
        self.key = tuple((tag, tuple(sorted(preds.items()))) for tag, preds in self.steps)
        self._walk = [(self.key[:depth + 1], step, tuple(tag for tag, _preds in self.steps[:depth]))
                      for depth, step in enumerate(self.steps)]

    def node(self, root, create=False, order=None):
        node = root
        for depth, (tag, preds) in enumerate(self.steps):
            found = _child(node, tag, preds)
            if found is None:
                if not create:
                    return None
                found = etree.Element(tag)
                for key, value in preds.items():
                    found.set(key, value)
                _insert_in_order(node, found, tuple(t for t, _p in self.steps[:depth]), order or {})
            node = found
        return node

    def _node_cached(self, root, nodes, order):
        """node(root, create=True) through ``nodes``, the elements found or made by earlier writes."""
        node = root
        for prefix, (tag, preds), parent_tags in self._walk:
            found = nodes.get(prefix)
            if found is None:
                found = _child(node, tag, preds)
            if found is None:
                found = etree.Element(tag)
                for key, value in preds.items():
                    found.set(key, value)
                _insert_in_order(node, found, parent_tags, order or {})
                nodes[prefix] = found
            node = found
        return node

    def read(self, root):
        return self.read_node(self.node(root), root)

    def read_node(self, node, root):
        """The value, given the node the path leads to (None when it is missing)."""
        if self.kind == PRESENCE:
            return node is not None
        if node is None:
            return None
        raw = node.get(self.attr) if self.attr else node.text
        if raw is None:
            return None
        try:
            return self.kind.parse(raw)
        except ValueError as exc:
            raise ScsiVirtError("invalid XML: <%s> %s=%r is not a valid %s (%s)"
                                % (root.tag, self.path, raw, self.kind.name, exc))

    def write(self, root, value, order=None, nodes=None):
        """Set the value; ``False`` for a PRESENCE prop removes the element. ``nodes``: a lookup cache
        shared by the writes into one element (see _lookup), kept right as elements come and go."""
        if self.kind == PRESENCE:
            node = self.node(root)
            if value and node is None:
                self.node(root, create=True, order=order)
            elif not value and node is not None:
                _remove_and_prune(root, node)
            if nodes is not None:
                nodes.clear()
                nodes[()] = root
            return
        node = self.node(root, create=True, order=order) if nodes is None else self._node_cached(root, nodes, order)
        text = self.kind.format(value)
        if self.attr:
            node.set(self.attr, text)
        else:
            node.text = text

    def clear(self, root):
        node = self.node(root)
        if node is None:
            return
        if self.attr:
            node.attrib.pop(self.attr, None)
            if not len(node) and not node.attrib and not (node.text or "").strip():
                _remove_and_prune(root, node)
        else:
            _remove_and_prune(root, node)


def _insert_in_order(parent, element, parent_tags, order):
    """Insert before the first sibling that the descriptor declares later (schemas with sequences
    care; unknown siblings such as <alias> count as last)."""
    last = len(order) + 1
    rank = order.get((parent_tags, element.tag), last)
    for position, sibling in enumerate(parent):
        if isinstance(sibling.tag, str) and order.get((parent_tags, sibling.tag), last) > rank:
            parent.insert(position, element)
            return
    parent.append(element)


def _remove_and_prune(root, node):
    """Remove ``node`` and then any ancestor (below ``root``) it leaves empty."""
    parent = node.getparent()
    parent.remove(node)
    while parent is not root and parent is not None and not len(parent) and not parent.attrib \
            and not (parent.text or "").strip():
        grand = parent.getparent()
        grand.remove(parent)
        parent = grand


class Descriptor:
    """Base of every fragment kind.

    Subclasses set ``tag``, ``props`` (name -> Prop, in the order elements are created),
    ``fixed`` (values every fragment of the kind has, which also select it), ``defaults``
    (what an absent value means), ``defaults_given`` (a default that only means something when
    another value is set: {name: that other name}) and implement :meth:`identity`.
    """

    tag = None
    props = {}
    fixed = {}
    defaults = {}
    defaults_given = {}
    create_defaults = {}  # written on new fragments when the user left the value out

    def __init__(self, **values):
        unknown = set(values) - set(self.props)
        if unknown:
            raise TypeError("%s has no properties %s" % (type(self).__name__, sorted(unknown)))
        self.values = dict.fromkeys(self.props)
        self.values.update(self.fixed)
        self.values.update(values)
        self.element = None

    def __getattr__(self, name):
        values = self.__dict__.get("values")
        if values is not None and name in values:
            return values[name]
        raise AttributeError(name)

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, self.as_dict())

    # -- selection and identity -------------------------------------------------------------
    @classmethod
    def matches(cls, element):
        if element.tag != cls.tag:
            return False
        return all(cls.props[name].read(element) == value for name, value in cls.fixed.items())

    def identity(self):
        raise NotImplementedError

    # -- reading and writing ----------------------------------------------------------------
    @classmethod
    def from_element(cls, element):
        obj = cls.__new__(cls)
        nodes = {(): element}
        obj.values = {name: prop.read_node(_lookup(nodes, prop.key), element) for name, prop in cls.props.items()}
        obj.element = element
        return obj

    @classmethod
    def from_xml(cls, text):
        return cls.from_element(parse_xml(text, cls.tag))

    def to_element(self):
        for name, value in self.create_defaults.items():
            if self.values[name] is None:
                self.values[name] = value
        element = etree.Element(self.tag)
        self.update_element(element)
        return element

    @classmethod
    def element_order(cls):
        """{(parent tags, tag): rank}: the order in which the props declare each element."""
        cached = cls.__dict__.get("_element_order")
        if cached is None:
            cached = {}
            for prop in cls.props.values():
                tags = tuple(tag for tag, _preds in prop.steps)
                for depth in range(len(tags)):
                    cached.setdefault((tags[:depth], tags[depth]), len(cached))
            cls._element_order = cached
        return cached

    def update_element(self, element):
        """Write every value that is not ``None`` into ``element`` (in place)."""
        order = self.element_order()
        nodes = {(): element}
        for name, prop in self.props.items():
            value = self.values[name]
            if value is not None:
                prop.write(element, value, order, nodes)
        return element

    def clear_values(self, element, names):
        for name in names:
            self.props[name].clear(element)

    # -- comparison -------------------------------------------------------------------------
    def effective(self, name):
        value = self.values[name]
        if value is None or (value is False and self.props[name].kind == PRESENCE):
            default = self.defaults.get(name)
            given = self.defaults_given.get(name)
            if default is not None and (given is None or self.values.get(given) is not None):
                return default
        return value

    def differences(self, actual):
        """{name: (actual, desired)} for each value this (desired) side cares about and that differs."""
        changes = {}
        for name in self.props:
            if self.values[name] is None:
                continue
            want, have = self.effective(name), actual.effective(name)
            if want != have:
                changes[name] = (have, want)
        return changes

    def as_dict(self):
        """The canonical form: every value that is set, defaults filled in."""
        out = {}
        for name in self.props:
            value = self.effective(name)
            if value is not None:
                out[name] = value
        return out


def parse_xml(text, expected_root=None):
    """Parse XML text from libvirt or a user; a clear error instead of a traceback."""
    if not HAS_LXML:
        raise ScsiVirtError("the lxml Python library is required")
    if isinstance(text, str):
        text = text.encode("utf-8")
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(text, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ScsiVirtError("invalid XML: %s" % exc)
    if expected_root and root.tag != expected_root:
        raise ScsiVirtError("invalid XML: expected a <%s> document, got <%s>" % (expected_root, root.tag))
    return root


def to_string(element, pretty=True):
    if element is None:
        return ""
    return etree.tostring(element, pretty_print=pretty, encoding="unicode")


def clone(element):
    return copy.deepcopy(element)


def strip_noise(element):
    """A copy without libvirt's bookkeeping (``<alias>``) for display and comparison."""
    out = copy.deepcopy(element)
    for alias in out.iter("alias"):
        alias.getparent().remove(alias)
    return out
