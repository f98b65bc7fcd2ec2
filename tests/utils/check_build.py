# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check a collection tarball built by ``ansible-galaxy collection build``.

Usage: ``python tests/utils/check_build.py [--installed] REPO_ROOT TARBALL``

ansible-galaxy ignores ``.gitignore``: everything in the work tree that ``build_ignore`` in
galaxy.yml does not name goes into the tarball, including virtualenvs, caches and test output.
This script fails when the tarball

* is not named ``<namespace>-<name>-<version>.tar.gz`` or its MANIFEST.json disagrees with galaxy.yml;
* lacks MANIFEST.json, FILES.json, the readme, the guide pages of the docs site (made at build
  time from docs/*.md, see tests/utils/build_guides.py), or any file git knows about under the
  directories that make up the collection's content (plugins/, meta/, roles/, playbooks/, docs/, extensions/);
* holds anything git does not know about (untracked-and-ignored files), a path with a
  development-only component (``.venv``, ``__pycache__``, ``.ansible``, ``tests/output`` ...),
  a symlink or hard link, or an absolute or parent-relative path.

With ``--installed`` it checks the collection installed from that tarball into
``ANSIBLE_COLLECTIONS_PATH`` instead: ``ansible-doc --metadata-dump`` must load the
documentation of every plugin (it fails on any broken documentation), and every plugin file
of a type that has one plugin per file must show up in that dump.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import subprocess
import sys
import tarfile

import yaml

GENERATED = frozenset(("MANIFEST.json", "FILES.json"))
CONTENT_DIRS = ("plugins/", "meta/", "roles/", "playbooks/", "docs/", "extensions/")
FORBIDDEN_COMPONENTS = (
    ".git", ".venv", ".venv-*", ".tox", ".nox", ".ansible", ".pytest_cache", ".hypothesis", ".mypy_cache",
    ".ruff_cache", "__pycache__", "*.pyc", "*.pyo", "*.tar.gz", "*.egg-info", ".coverage",
)
# paths (files or whole directories) that only test runs and builds create
FORBIDDEN_PATHS = ("tests/output", "tests/integration/inventory", "dist", "build")
# plugins/<directory> -> ansible-doc plugin type, for the types that have one plugin per file
DOCUMENTED_TYPES = {
    "modules": "module", "inventory": "inventory", "lookup": "lookup", "callback": "callback",
    "connection": "connection", "become": "become", "cache": "cache", "vars": "vars",
    "strategy": "strategy", "shell": "shell", "cliconf": "cliconf", "httpapi": "httpapi", "netconf": "netconf",
}


def git_files(repo: str) -> set[str]:
    """Return the tracked and the untracked-but-not-ignored files of ``repo``."""
    out = subprocess.run(
        ["git", "-C", repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True,
        stdout=subprocess.PIPE,
    ).stdout
    return {os.fsdecode(p) for p in out.split(b"\0") if p and os.path.isfile(os.path.join(repo, os.fsdecode(p)))}


def guide_pages(repo: str) -> set[str]:
    """The guide pages that the build makes: ``docs/docsite/rst/<ref>.rst`` of every extra-docs.yml entry."""
    with open(os.path.join(repo, "docs", "docsite", "extra-docs.yml"), encoding="utf-8") as handle:
        index = yaml.safe_load(handle) or {}
    return {"docs/docsite/rst/%s.rst" % (entry if isinstance(entry, str) else entry["ref"])
            for section in index.get("sections") or [] for entry in section.get("toctree") or []}


def check(repo: str, tarball: str) -> list[str]:
    """Return the list of problems found in ``tarball``."""
    with open(os.path.join(repo, "galaxy.yml"), encoding="utf-8") as handle:
        galaxy = yaml.safe_load(handle)
    problems = []

    expected_name = "%s-%s-%s.tar.gz" % (galaxy["namespace"], galaxy["name"], galaxy["version"])
    if os.path.basename(tarball) != expected_name:
        problems.append("tarball is named %s, expected %s" % (os.path.basename(tarball), expected_name))

    with tarfile.open(tarball, "r:gz") as archive:
        members = archive.getmembers()
        files = set()
        for member in members:
            name = member.name[2:] if member.name.startswith("./") else member.name
            if name.startswith("/") or ".." in name.split("/"):
                problems.append("unsafe path in tarball: %s" % member.name)
            if member.issym() or member.islnk():
                problems.append("link in tarball: %s -> %s" % (member.name, member.linkname))
            if member.isfile():
                files.add(name)
        manifest_member = archive.extractfile("MANIFEST.json") if "MANIFEST.json" in files else None
        manifest = json.load(manifest_member) if manifest_member else None

    guides = guide_pages(repo)
    for required in sorted(GENERATED | guides | {galaxy.get("readme", "README.md")}):
        if required not in files:
            problems.append("missing from tarball: %s" % required)
    if manifest is not None:
        info = manifest.get("collection_info", {})
        for key in ("namespace", "name", "version"):
            if info.get(key) != galaxy.get(key):
                problems.append("MANIFEST.json has %s=%r, galaxy.yml has %r" % (key, info.get(key), galaxy.get(key)))

    known = git_files(repo)
    for name in sorted(files - GENERATED - guides):
        parts = name.split("/")
        bad = [pattern for pattern in FORBIDDEN_COMPONENTS if any(fnmatch.fnmatchcase(part, pattern) for part in parts)]
        if bad or any(name == path or name.startswith(path + "/") for path in FORBIDDEN_PATHS):
            problems.append("development file in tarball: %s" % name)
        elif name not in known:
            problems.append("file that git ignores or does not know in tarball: %s" % name)

    for name in sorted(known):
        if name.startswith(CONTENT_DIRS) and name not in files and "__pycache__" not in name:
            problems.append("collection content missing from tarball: %s" % name)
    return problems


def tarball_files(tarball: str) -> set[str]:
    """Return the regular files in ``tarball``."""
    with tarfile.open(tarball, "r:gz") as archive:
        return {member.name for member in archive.getmembers() if member.isfile()}


def check_installed(repo: str, tarball: str) -> tuple[list[str], dict[str, int]]:
    """Return the problems of the installed collection, and its number of plugins per type."""
    with open(os.path.join(repo, "galaxy.yml"), encoding="utf-8") as handle:
        galaxy = yaml.safe_load(handle)
    fqcn = "%s.%s" % (galaxy["namespace"], galaxy["name"])
    result = subprocess.run(["ansible-doc", "--metadata-dump", fqcn], check=False, stdout=subprocess.PIPE)
    if result.returncode != 0:
        return ["ansible-doc --metadata-dump %s failed with exit code %d" % (fqcn, result.returncode)], {}
    dump = json.loads(result.stdout)["all"]
    counts = {ptype: len(plugins) for ptype, plugins in dump.items() if plugins and ptype != "keyword"}
    problems = []
    for name in sorted(tarball_files(tarball)):
        parts = name.split("/")
        if len(parts) != 3 or parts[0] != "plugins" or parts[1] not in DOCUMENTED_TYPES:
            continue
        stem, ext = os.path.splitext(parts[2])
        if ext != ".py" or stem.startswith("_"):
            continue
        ptype = DOCUMENTED_TYPES[parts[1]]
        if "%s.%s" % (fqcn, stem) not in dump.get(ptype, {}):
            problems.append("%s: no %s plugin %s.%s in ansible-doc's metadata dump" % (name, ptype, fqcn, stem))
    return problems, counts


def main() -> int:
    """Check the tarball named on the command line, or the collection installed from it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--installed", action="store_true", help="check the collection installed from the tarball")
    parser.add_argument("repo", help="the collection's git work tree")
    parser.add_argument("tarball", help="the tarball built by ansible-galaxy collection build")
    args = parser.parse_args()

    if args.installed:
        problems, counts = check_installed(args.repo, args.tarball)
        summary = "installed collection: documentation of all plugins loads (%s)" % (
            ", ".join("%d %s" % (n, t) for t, n in sorted(counts.items())) or "no plugins")
    else:
        problems = check(args.repo, args.tarball)
        summary = "%s: %d files, no development files, all collection content present" % (
            os.path.basename(args.tarball), len(tarball_files(args.tarball)))
    for problem in problems:
        print("ERROR: %s" % problem)
    if problems:
        return 1
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
