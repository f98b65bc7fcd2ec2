# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run galaxy-importer on the collection tarball, as Ansible Galaxy and Automation Hub do on upload.

Usage: ``python tests/utils/check_importer.py REPO_ROOT TARBALL`` with the Python of the
virtualenv that has galaxy-importer (the "importer" session of noxfile.py); that virtualenv's
``bin`` must come first on PATH, since galaxy-importer runs ``ansible-doc``, ``ansible-lint`` and
``flake8`` from there.

Settings come from ``tests/utils/galaxy-importer.cfg``: ansible-doc, ansible-lint, flake8, the
changelog and the required tags are checked; ansible-test is not, since it needs containers
(the "sanity" session runs ansible-test sanity).  ``require_v1_or_greater`` is on as soon as
galaxy.yml's version is 1.0.0 or more; ``SGW_REQUIRE_V1=true`` turns it on before that.

The check fails when galaxy-importer fails or logs an error, when it logs any warning but
flake8's W503 or W504 (line break before / after a binary operator: the two contradict each
other, flake8 and ansible-test's pep8 ignore both, and galaxy-importer selects both), and when
its result lacks the documentation of a plugin or module, the readme, or ``requires_ansible``.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

import yaml

DOCUMENTED = ("inventory", "lookup", "module", "callback", "connection", "filter", "test", "become", "cache",
              "cliconf", "httpapi", "netconf", "shell", "strategy", "vars")
# flake8 warnings that contradict each other; see the module docstring.
TOLERATED_WARNING = re.compile(r"^WARNING: \S+\.py:\d+:\d+: W50[34] ")
LOG_LEVEL = re.compile(r"^(WARNING|ERROR|CRITICAL):")


def version_tuple(version: str) -> tuple:
    return tuple(int(part) for part in re.findall(r"\d+", version.split("-")[0].split("+")[0])[:3])


def main() -> int:
    repo, tarball = (pathlib.Path(arg).resolve() for arg in sys.argv[1:3])
    galaxy = yaml.safe_load((repo / "galaxy.yml").read_text(encoding="utf-8"))
    runtime = yaml.safe_load((repo / "meta" / "runtime.yml").read_text(encoding="utf-8"))
    version = str(galaxy["version"])
    require_v1 = version_tuple(version) >= (1, 0, 0) or os.environ.get("SGW_REQUIRE_V1", "").lower() in ("1", "true")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("GALAXY_IMPORTER_", "ANSIBLE_"))}
    env.update({
        "GALAXY_IMPORTER_CONFIG": str(repo / "tests" / "utils" / "galaxy-importer.cfg"),
        "GALAXY_IMPORTER_REQUIRE_V1_OR_GREATER": "true" if require_v1 else "false",
        "ANSIBLE_NOCOLOR": "1",
    })
    with tempfile.TemporaryDirectory(prefix="sgw-importer-") as tmp:
        env["ANSIBLE_HOME"] = os.path.join(tmp, "ansible-home")
        env["ANSIBLE_LOCAL_TEMP"] = os.path.join(tmp, "ansible-tmp")
        process = subprocess.run([sys.executable, "-m", "galaxy_importer.main", str(tarball)], cwd=tmp, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600,
                                 check=False)
        result_file = pathlib.Path(tmp) / "importer_result.json"
        result = json.loads(result_file.read_text(encoding="utf-8")) if result_file.is_file() else None

    log = process.stdout.splitlines()
    problems, tolerated = [], []
    for line in log:
        if TOLERATED_WARNING.match(line):
            tolerated.append(line)
        elif LOG_LEVEL.match(line):
            problems.append(line)
    if process.returncode != 0 or result is None:
        problems.append("galaxy-importer exited with %d and wrote %s" % (
            process.returncode, "a result" if result is not None else "no importer_result.json"))
        problems.extend("  " + line for line in log[-20:])

    documented = []
    if result is not None:
        if result.get("requires_ansible") != runtime.get("requires_ansible"):
            problems.append("requires_ansible is %r in the import, %r in meta/runtime.yml" % (
                result.get("requires_ansible"), runtime.get("requires_ansible")))
        blob = result.get("docs_blob") or {}
        if not (blob.get("collection_readme") or {}).get("html"):
            problems.append("the import has no rendered readme")
        for content in blob.get("contents") or []:
            if content.get("content_type") not in DOCUMENTED:
                continue
            name = "%s %s" % (content["content_type"], content["content_name"])
            doc = (content.get("doc_strings") or {}).get("doc") or {}
            if not doc.get("short_description") or not doc.get("options"):
                problems.append("%s: no documentation in the import" % name)
            else:
                documented.append(name)
        if not documented:
            problems.append("the import documents no plugin or module")
        files = [entry.get("name") for entry in blob.get("documentation_files") or []]
    else:
        files = []

    for problem in problems:
        print(problem if LOG_LEVEL.match(problem) else "ERROR: %s" % problem)
    if problems:
        return 1
    importer = next((line[len("Importing with "):] for line in log if line.startswith("Importing with ")), "galaxy-importer")
    print("%s imported with %s" % (tarball.name, importer))
    print("documented: %s" % ", ".join(documented))
    print("documentation files: %s" % (", ".join(files) or "none"))
    print("ansible-lint: no finding; flake8: %d W503/W504 notes tolerated%s" % (
        len(tolerated), "".join("\n  " + line for line in tolerated)))
    if require_v1:
        print("version %s: required to be 1.0.0 or greater, and it is" % version)
    else:
        print("NOTE: version %s is below 1.0.0: the check that Automation Hub makes for certified content "
              "(GALAXY_IMPORTER_REQUIRE_V1_OR_GREATER) is off until galaxy.yml says 1.0.0" % version)
    return 0


if __name__ == "__main__":
    sys.exit(main())
