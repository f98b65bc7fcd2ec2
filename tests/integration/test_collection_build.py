"""The collection built the documented way, from a clean copy of the repository (the files git knows
about, as a fresh clone has them), is complete: the commands of README.md and docs/awx.md build a
tarball that holds every guide page docs/docsite/extra-docs.yml names, and antsibull-docs lint passes
on the copy installed from it."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys
import tarfile

import pytest
import yaml

from tests.support.sim_process import REPO_ROOT

BIN = pathlib.Path(sys.executable).parent
# Commands of the build recipes that need a registry or a container engine, or come after the build.
NOT_RUN = ("pip ", "mv ", "cp ", "ansible-builder ", "podman ", "ansible-galaxy collection install")

pytest.importorskip("pypandoc", reason="the guide pages are made with pandoc (tests/requirements-tools.txt)")
if not (BIN / "antsibull-docs").exists():
    pytest.skip("antsibull-docs is not installed (tests/requirements-tools.txt)", allow_module_level=True)


def documented_build(doc: pathlib.Path) -> list:
    """The commands of the console block of ``doc`` that runs ``ansible-galaxy collection build``."""
    blocks = re.findall(r"^```console\n(.*?)^```$", doc.read_text(encoding="utf-8"), re.M | re.S)
    (block,) = [b for b in blocks if "ansible-galaxy collection build" in b]
    commands = [line[2:].split("  #")[0].strip() for line in block.splitlines() if line.startswith("$ ")]
    return [command for command in commands if not command.startswith(NOT_RUN)]


def guides(root: pathlib.Path) -> set:
    index = yaml.safe_load((root / "docs" / "docsite" / "extra-docs.yml").read_text(encoding="utf-8"))
    return {"docs/docsite/rst/%s.rst" % (entry if isinstance(entry, str) else entry["ref"])
            for section in index["sections"] for entry in section["toctree"]}


def test_the_documented_build_makes_a_complete_collection(tmp_path):
    commands = documented_build(REPO_ROOT / "README.md")
    assert documented_build(REPO_ROOT / "docs" / "awx.md") == commands
    assert any("ansible-galaxy collection build" in command for command in commands)
    clone = tmp_path / "clone"
    subprocess.run([sys.executable, REPO_ROOT / "tests" / "utils" / "sync_tree.py", REPO_ROOT, clone], check=True,
                   capture_output=True)
    assert not list((clone / "docs" / "docsite").glob("rst/*.rst")), "guide pages are committed"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "ALIBABA_CLOUD_", "ALICLOUD_"))}
    env.update(PATH="%s%s%s" % (BIN, os.pathsep, os.environ["PATH"]), ANSIBLE_HOME=str(tmp_path / "ansible-home"),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_NOCOLOR="1")
    env.pop("PYTHONPATH", None)
    for command in commands:
        process = subprocess.run(["bash", "-c", command], cwd=clone, env=env, capture_output=True, text=True, check=False)
        assert process.returncode == 0, (command, process.stdout, process.stderr)
    (tarball,) = clone.glob("alibabacloud-sgw-*.tar.gz")
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
    assert guides(clone) <= names, sorted(guides(clone) - names)

    installed_root = tmp_path / "installed"
    env["ANSIBLE_COLLECTIONS_PATH"] = str(installed_root)
    subprocess.run([BIN / "ansible-galaxy", "collection", "install", "--offline", "-p", installed_root, tarball],
                   check=True, capture_output=True, env=env)
    installed = installed_root / "ansible_collections" / "alibabacloud" / "sgw"
    lint = subprocess.run([BIN / "antsibull-docs", "lint-collection-docs", "--plugin-docs", "--check-extra-docs-refs",
                           "--validate-collection-refs", "all", "--disallow-unknown-collection-refs", "."],
                          cwd=installed, env=env, capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr
