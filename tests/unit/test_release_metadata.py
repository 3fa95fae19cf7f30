# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's release metadata tells the truth: every plugin is in the changelog of the release it
says it came with (or is new in the version being developed), and galaxy.yml names no placeholder links."""

from __future__ import annotations

import glob
import os
import re

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _version(text):
    return tuple(int(part) for part in str(text).split("."))


def _galaxy():
    with open(os.path.join(REPO, "galaxy.yml")) as handle:
        return yaml.safe_load(handle)


def plugins():
    """[(kind, name, version_added)] of every module and filter."""
    found = []
    for path in sorted(glob.glob(os.path.join(REPO, "plugins", "modules", "*.py"))):
        with open(path) as handle:
            match = re.search(r"^version_added: (\S+)$", handle.read(), re.M)
        found.append(("module", os.path.basename(path)[:-3], match and match.group(1)))
    for path in sorted(glob.glob(os.path.join(REPO, "plugins", "filter", "*.yml"))):
        with open(path) as handle:
            doc = yaml.safe_load(handle)["DOCUMENTATION"]
        found.append(("filter", doc["name"], doc.get("version_added")))
    return found


def released():
    """{version: {(kind, name)}} from changelogs/changelog.yaml."""
    with open(os.path.join(REPO, "changelogs", "changelog.yaml")) as handle:
        changes = yaml.safe_load(handle)
    result = {}
    for version, release in (changes.get("releases") or {}).items():
        names = {("module", entry["name"]) for entry in release.get("modules", [])}
        for kind, entries in (release.get("plugins") or {}).items():
            names |= {(kind, entry["name"]) for entry in entries}
        result[_version(version)] = names
    return result


def test_every_plugin_is_in_the_changelog_of_its_version():
    current = _version(_galaxy()["version"])
    releases = released()
    wrong = []
    for kind, name, added in plugins():
        if added is None:
            wrong.append("%s %s has no version_added" % (kind, name))
            continue
        added = _version(added)
        if added in releases:
            if (kind, name) not in releases[added]:
                wrong.append("%s %s says version_added %s, but that release's changelog does not list it"
                             % (kind, name, ".".join(map(str, added))))
        elif added != current:
            wrong.append("%s %s says version_added %s: neither a release nor the version in galaxy.yml (%s)"
                         % (kind, name, ".".join(map(str, added)), ".".join(map(str, current))))
    assert not wrong, "\n".join(wrong)


def test_changelog_lists_only_plugins_that_exist():
    existing = {(kind, name) for kind, name, _added in plugins()}
    listed = set().union(*released().values())
    assert listed <= existing, sorted(listed - existing)


def test_galaxy_links_are_not_placeholders():
    galaxy = _galaxy()
    for key in ("repository", "documentation", "homepage", "issues"):
        link = galaxy.get(key)
        if link is not None:
            assert not re.search(r"example\.(invalid|com|org)|placeholder|TODO", link), (key, link)
