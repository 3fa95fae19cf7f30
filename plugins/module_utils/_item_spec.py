# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate many list items against one Ansible-style option spec, compiled once.

Ansible's ``ArgumentSpecValidator`` re-reads the whole spec for every item (aliases, fallbacks, no_log,
deprecations, defaults, types, choices, sub-specs): about 45 microseconds a LUN item here, most of a
256-LUN batch's validation. :class:`ItemValidator` compiles the spec once into a flat table and checks an
item in one pass. It gives exactly Ansible's result:

- a valid item gets the same validated dict (types coerced by Ansible's own checkers, so ``"1"`` becomes
  ``1`` for an int, ``"yes"`` ``True`` for a bool, an int given to a str option its string; defaults filled
  in, missing options ``None``, nested ``options`` alike);
- an item the fast pass does not take as plainly valid (an unknown key, a value Ansible would refuse, a
  ``None`` where Ansible would coerce or refuse it, a failed ``mutually_exclusive``/``required_one_of``...)
  goes through ``ArgumentSpecValidator`` itself, so every message is Ansible's own wording;
- a spec using what the fast pass does not implement (aliases, fallbacks, no_log, apply_defaults,
  deprecations, other checks) is validated by ``ArgumentSpecValidator`` for every item.
"""

from __future__ import annotations

import copy

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import DEFAULT_TYPE_VALIDATORS
from ansible.module_utils.errors import UnsupportedError

from ansible_collections.scsi.virt.plugins.module_utils._errors import ValidationError

# Option keys the fast pass implements (anything else in a spec sends every item to Ansible's validator).
_OPTION_KEYS = frozenset(("type", "elements", "choices", "required", "default", "options", "description",
                          "mutually_exclusive", "required_one_of"))
# ``no_log: False`` only says "this is not a secret" (it silences Ansible's no_log heuristic).
_SPEC_CHECKS = frozenset(("mutually_exclusive", "required_one_of"))
# Exact Python types each option type passes through unchanged (bool is an int to Ansible's int checker).
_EXACT = {"str": str, "int": int, "bool": bool, "dict": dict, "list": list}


class _Slow(Exception):
    """The fast pass does not decide this item: Ansible's validator does."""


class _Option:
    __slots__ = ("name", "type", "exact", "checker", "elements", "element_exact", "element_checker", "choices",
                 "required", "default", "sub")

    def __init__(self, name, spec):
        self.name = name
        self.type = spec.get("type") or "str"
        self.exact = _EXACT[self.type]
        self.checker = DEFAULT_TYPE_VALIDATORS[self.type]
        self.elements = spec.get("elements")
        self.element_exact = _EXACT[self.elements] if self.elements else None
        self.element_checker = DEFAULT_TYPE_VALIDATORS[self.elements] if self.elements else None
        choices = spec.get("choices")
        self.choices = frozenset(choices) if choices is not None else None
        self.required = bool(spec.get("required"))
        self.default = spec.get("default")
        options = spec.get("options")
        self.sub = _Level(options, spec) if options is not None else None


class _Level:
    """One level of a spec (the item itself, or a dict option's ``options``)."""

    def __init__(self, spec, checks=None):
        self.options = [_Option(name, option) for name, option in spec.items()]
        self.by_name = {option.name: option for option in self.options}
        self.defaults = [(option.name, option.default) for option in self.options if option.default is not None]
        self.required = [option.name for option in self.options if option.required]
        checks = checks or {}
        self.mutually_exclusive = _groups(checks.get("mutually_exclusive"))
        self.required_one_of = _groups(checks.get("required_one_of"))

    def check(self, given):
        """The validated copy of ``given`` (a dict), or _Slow."""
        by_name = self.by_name
        out = {}
        for name, value in given.items():
            option = by_name.get(name)
            if option is None:
                raise _Slow()
            if value is None:
                # Ansible coerces (str: '') or refuses a None given to a required or defaulted option.
                if option.required or option.default is not None:
                    raise _Slow()
                out[name] = None
                continue
            out[name] = _value(option, value)
        for group in self.mutually_exclusive:
            if sum(1 for name in group if name in given) > 1:
                raise _Slow()
        for name, default in self.defaults:
            if name not in out:
                out[name] = default
        for name in self.required:
            if name not in out:
                raise _Slow()
        for group in self.required_one_of:
            if not any(name in out for name in group):
                raise _Slow()
        for option in self.options:
            if option.name not in out:
                out[option.name] = None
        return out


def _groups(terms):
    """Ansible's count_terms reads a bare string in a check as a group of one."""
    return [(group,) if isinstance(group, str) else tuple(group) for group in terms or ()]


def _value(option, value):
    if type(value) is not option.exact:  # pylint: disable=unidiomatic-typecheck  # subclasses go to the checker
        if option.exact is str and isinstance(value, str):
            pass  # a str subclass (Ansible's tagged strings) is a str to Ansible's checker too
        else:
            try:
                value = option.checker(value)
            except (TypeError, ValueError):
                raise _Slow() from None
    if option.elements is not None:
        if not isinstance(value, list):
            raise _Slow()
        value = [_element(option, element) for element in value]
    elif option.sub is not None:
        value = option.sub.check(value)
    elif isinstance(value, (dict, list)):
        value = copy.deepcopy(value)  # Ansible's result never shares the caller's containers
    if option.choices is not None and (isinstance(value, list) or value not in option.choices):
        raise _Slow()  # lists with choices, and 'True'/'False' strings Ansible maps back to a choice
    return value


def _element(option, element):
    if type(element) is not option.element_exact:  # pylint: disable=unidiomatic-typecheck
        try:
            element = option.element_checker(element)
        except (TypeError, ValueError):
            raise _Slow() from None
    if option.sub is not None:
        if not isinstance(element, dict):
            raise _Slow()
        element = option.sub.check(element)
    elif isinstance(element, (dict, list)):
        element = copy.deepcopy(element)
    return element


def _fast_supported(spec):
    for option in spec.values():
        if not isinstance(option, dict) or set(option) - _OPTION_KEYS - {"no_log"} or option.get("no_log"):
            return False
        if (option.get("type") or "str") not in _EXACT or (option.get("elements") or "str") not in _EXACT:
            return False
        if option.get("elements") and option.get("type") != "list":
            return False
        if set(option) & _SPEC_CHECKS and option.get("options") is None:
            return False
        if option.get("options") is not None:
            if (option.get("type"), option.get("elements")) not in (("dict", None), ("list", "dict")):
                return False
            if not _fast_supported(option["options"]):
                return False
    return True


def error_messages(result):
    """An ``ArgumentSpecValidator`` result's errors, worded as Ansible words them for a module's own options."""
    messages = []
    for error in result.errors:
        if isinstance(error, UnsupportedError):
            messages.append("Unsupported parameters: %s" % error.msg)
        else:
            messages.append(error.msg)
    return messages


class ItemValidator:
    """``validate(item) -> (validated dict, [error messages])`` with Ansible's semantics and wording."""

    def __init__(self, spec, mutually_exclusive=None, required_one_of=None):
        self.spec = spec
        self.checks = {"mutually_exclusive": mutually_exclusive, "required_one_of": required_one_of}
        self._level = _Level(spec, self.checks) if _fast_supported(spec) else None
        self._ansible = None
        self.slow = 0  # items Ansible's validator decided (for tests and profiling)

    def validate(self, item):
        if self._level is not None and isinstance(item, dict):
            try:
                return self._level.check(item), []
            except _Slow:
                pass
        self.slow += 1
        if self._ansible is None:
            self._ansible = ArgumentSpecValidator(self.spec, **self.checks)
        result = self._ansible.validate(item)
        return result.validated_parameters, error_messages(result)


def validated_items(items, spec, option, expected, **checks):
    """[(field, validated item)] of the list option ``option``, each item checked against ``spec``.

    The first bad item raises ValidationError naming it (``option[N]: ...``) in Ansible's own wording
    (e.g. "Unsupported parameters: ..."); an item that is not a dict, "expected ``expected``".
    """
    validate = ItemValidator(spec, **checks).validate  # the spec compiled once for every item
    out = []
    for position, raw in enumerate(items):
        field = "%s[%d]" % (option, position)
        if not isinstance(raw, dict):
            raise ValidationError(field, "expected %s" % expected, raw)
        item, messages = validate(raw)
        if messages:
            raise ValidationError(field, "; ".join(messages))
        out.append((field, item))
    return out
