# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check what ansible-builder makes of the collection (the "ee" session of noxfile.py).

Usage::

    python tests/utils/check_ee.py introspect INTROSPECT_OUTPUT
    python tests/utils/check_ee.py context CONTEXT_DIR TARBALL [--decision]

``introspect``: the output of ``ansible-builder introspect`` on the installed collection must
name, for alibabacloud.sgw, every Python requirement of requirements.txt (requests, jmespath) and
no system requirement beyond bindep.txt's.

``context``: the build context that ``ansible-builder create`` wrote for
docs/examples/execution-environment.yml must have a Containerfile that installs the collections of
``_build/requirements.yml``, runs the introspection and installs what it finds; requirements.yml
must name the collection tarball, which must be in the context, be this collection (MANIFEST.json)
and carry meta/execution-environment.yml, requirements.txt (with requests and jmespath) and
bindep.txt. With ``--decision`` (docs/examples/decision-environment.yml) the context must also
install ansible-rulebook and a Java 17 runtime, and the tarball must carry the event source and the
rulebooks (extensions/eda/).
"""

from __future__ import annotations

import json
import pathlib
import re
import sys
import tarfile

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
FQCN = "alibabacloud.sgw"
EXPECTED_PYTHON = ("requests", "jmespath")


def requirement_names(lines) -> set[str]:
    """The distribution names of pip requirement lines (comments and blank lines skipped)."""
    names = set()
    for line in lines:
        line = line.split("#", 1)[0].strip()
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
        if match:
            names.add(match.group(0).lower())
    return names


def repo_requirements() -> set[str]:
    return requirement_names((REPO / "requirements.txt").read_text().splitlines())


def check_introspect(output: str) -> list[str]:
    document = yaml.safe_load(output.split("---", 1)[1] if "---" in output else output) or {}
    python = [line for line in document.get("python") or [] if "from collection %s" % FQCN in line]
    system = [line for line in document.get("system") or [] if "from collection %s" % FQCN in line]
    problems = []
    found = requirement_names(python)
    for name in sorted(set(EXPECTED_PYTHON) | repo_requirements()):
        if name not in found:
            problems.append("introspection: %s is not a Python requirement of %s: %s" % (name, FQCN, python))
    if system:
        problems.append("introspection: system requirements of %s, but bindep.txt names none: %s" % (FQCN, system))
    if not problems:
        print("introspection of the installed %s: Python %s; system: none" % (FQCN, ", ".join(sorted(found))))
    return problems


def check_context(context: pathlib.Path, tarball: str) -> list[str]:
    problems = []
    containerfile = context / "Containerfile"
    if not containerfile.is_file():
        return ["no Containerfile in %s: %s" % (context, sorted(p.name for p in context.iterdir()))]
    text = containerfile.read_text()
    for needle in ("ansible-galaxy collection install", "-r requirements.yml", "introspect.py introspect",
                   "/output/scripts/assemble", "install-from-bindep"):
        if needle not in text:
            problems.append("Containerfile does not run %r" % needle)
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    collections = requirements.get("collections") or []
    if len(collections) != 1 or collections[0].get("type") != "file":
        return problems + ["_build/requirements.yml does not name one collection file: %s" % requirements]
    copied = context / "_build" / collections[0]["name"]
    if not copied.is_file():
        return problems + ["the collection of requirements.yml is not in the context: %s" % copied]
    if copied.read_bytes() != pathlib.Path(tarball).read_bytes():
        problems.append("%s is not the built tarball %s" % (copied, tarball))
    with tarfile.open(copied) as archive:
        names = set(archive.getnames())
        manifest = json.load(archive.extractfile("MANIFEST.json"))["collection_info"]
        if "%s.%s" % (manifest["namespace"], manifest["name"]) != FQCN:
            problems.append("the tarball in the context is %s.%s" % (manifest["namespace"], manifest["name"]))
        for member in ("meta/execution-environment.yml", "requirements.txt", "bindep.txt"):
            if member not in names:
                problems.append("the tarball in the context has no %s" % member)
        if not problems:
            ee_meta = yaml.safe_load(archive.extractfile("meta/execution-environment.yml"))
            if ee_meta.get("dependencies", {}).get("python") != "requirements.txt" or \
                    ee_meta.get("dependencies", {}).get("system") != "bindep.txt":
                problems.append("meta/execution-environment.yml names %s" % ee_meta.get("dependencies"))
            shipped = requirement_names(archive.extractfile("requirements.txt").read().decode().splitlines())
            missing = sorted(set(EXPECTED_PYTHON) - shipped)
            if missing:
                problems.append("requirements.txt in the tarball lacks %s" % missing)
    if not problems:
        print("build context %s: Containerfile installs %s from %s, then what its introspection finds (%s)" % (
            context, FQCN, collections[0]["name"], ", ".join(EXPECTED_PYTHON)))
    return problems


DECISION_MEMBERS = ("extensions/eda/plugins/event_source/express_sync_health.py",
                    "extensions/eda/plugins/event_source/schemas/express_sync_health.json",
                    "extensions/eda/rulebooks/heal_on_failure.yml", "extensions/eda/rulebooks/heal_on_failure_controller.yml")


def check_decision_context(context: pathlib.Path, tarball: str) -> list[str]:
    """What a decision environment adds: ansible-rulebook, Java 17, and the collection's extensions/eda."""
    problems = []
    build = context / "_build"
    python = requirement_names((build / "requirements.txt").read_text().splitlines()) \
        if (build / "requirements.txt").is_file() else set()
    if "ansible-rulebook" not in python:
        problems.append("the decision environment does not install ansible-rulebook: %s" % sorted(python))
    bindep = (build / "bindep.txt").read_text() if (build / "bindep.txt").is_file() else ""
    if "java-17-openjdk" not in bindep:
        problems.append("the decision environment does not install Java 17: %r" % bindep)
    if "JAVA_HOME" not in (context / "Containerfile").read_text():
        problems.append("the decision environment's Containerfile sets no JAVA_HOME")
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
    problems += ["the tarball has no %s" % member for member in DECISION_MEMBERS if member not in names]
    if not problems:
        print("decision environment context %s: ansible-rulebook, Java 17, and the collection's event source and "
              "rulebooks" % context)
    return problems


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "introspect":
        problems = check_introspect(pathlib.Path(sys.argv[2]).read_text())
    elif len(sys.argv) in (4, 5) and sys.argv[1] == "context" and sys.argv[4:] in ([], ["--decision"]):
        problems = check_context(pathlib.Path(sys.argv[2]), sys.argv[3])
        if sys.argv[4:]:
            problems += check_decision_context(pathlib.Path(sys.argv[2]), sys.argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for problem in problems:
        print("ERROR: %s" % problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
