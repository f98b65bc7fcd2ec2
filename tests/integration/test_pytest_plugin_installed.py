"""The pytest plugin of docs/simulator.md ("In your own tests"), used exactly as the doc says, from a
collection installed from its tarball: the doc's files (``# file: <path>`` blocks) make a project
next to that collection, and pytest runs the project's tests there."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

from tests.support.sim_process import REPO_ROOT

DOC = REPO_ROOT / "docs" / "simulator.md"
BIN = pathlib.Path(sys.executable).parent


def doc_files() -> dict:
    """``{path: text}`` of the code blocks of docs/simulator.md whose first line is ``# file: <path>``."""
    blocks = re.findall(r"^```[a-z]*\n(# file: (\S+)\n.*?)^```$", DOC.read_text(encoding="utf-8"), re.M | re.S)
    return {path: text for text, path in blocks}


def test_the_doc_example_passes_against_the_installed_collection(tmp_path):
    files = doc_files()
    assert set(files) == {"pytest.ini", "ansible.cfg", "tests/conftest.py", "tests/test_playbooks.py"}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "ALIBABA_CLOUD_", "ALICLOUD_"))}
    env.pop("PYTHONPATH", None)
    env.update(PATH="%s%s%s" % (BIN, os.pathsep, os.environ["PATH"]), ANSIBLE_HOME=str(tmp_path / "ansible-home"),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_NOCOLOR="1")
    subprocess.run([BIN / "ansible-galaxy", "collection", "build", "--output-path", tmp_path / "dist", REPO_ROOT],
                   check=True, capture_output=True, env=env)
    (tarball,) = (tmp_path / "dist").glob("*.tar.gz")
    project = tmp_path / "project"
    # The doc's install command, from the tarball instead of Galaxy.
    subprocess.run([BIN / "ansible-galaxy", "collection", "install", "--offline", "-p", "collections", tarball],
                   check=True, capture_output=True, env=env, cwd=project.mkdir() or project)
    installed = project / "collections" / "ansible_collections" / "alibabacloud" / "sgw"
    assert (installed / "tests" / "simulator" / "pytest_plugin.py").is_file()
    for path, text in files.items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_text(text)

    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-v"], cwd=project, env=env,
                         capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    assert re.search(r"^=+ 2 passed", run.stdout, re.M), run.stdout[-3000:]
    # The fixtures came from the installed copy, and the tests ran from the project.
    assert "rootdir: %s" % project in run.stdout
    probe = subprocess.run([sys.executable, "-c", "import ansible_collections.alibabacloud.sgw.tests.simulator."
                            "pytest_plugin as p; print(p.__file__)"], cwd=project, env=dict(env, PYTHONPATH="collections"),
                           capture_output=True, text=True, check=True)
    assert pathlib.Path(probe.stdout.strip()).resolve() == (installed / "tests" / "simulator" / "pytest_plugin.py").resolve()
