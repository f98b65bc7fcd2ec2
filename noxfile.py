# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's test sessions, run by nox (the command CI runs, through ``.ci/run``)::

    python3 -m pip install -r tests/requirements-nox.txt     # nox and uv
    python3 -m nox                                           # every default session
    python3 -m nox -l                                        # the sessions, with what each does
    python3 -m nox -s pytest -- -x -k signing                # one session; pytest arguments after --
    python3 -m nox -t matrix                                 # the ansible-core matrix only

Each session has its own virtualenv under ``.nox/`` (made by uv when it is installed, else by
virtualenv; reused by later runs, ``-R`` skips the installs, ``--no-reuse-existing-virtualenvs``
rebuilds them).  The interpreters come from PATH, and from pyenv when PATH has none of a version.
Nothing is downloaded but packages from the package index.

The run ends with every session's wall time and pytest's summary lines.

Environment: ``SGW_SCRATCH_DIR`` (where the scratch collection tree, the build, the docs site and
the logs go; default ``${XDG_CACHE_HOME:-~/.cache}/alibabacloud.sgw/<hash of the checkout>/run``),
``PYTEST_WORKERS`` (xdist workers, default: twice the CPUs; 0 runs without xdist), ``PYTEST_TIMEOUT`` (per
test, default 300 s), ``SGW_REQUIRE_V1`` (see tests/utils/check_importer.py).
"""

from __future__ import annotations

import atexit
import functools
import glob
import hashlib
import os
import pathlib
import re
import shutil
import subprocess
import time

import nox

REPO = pathlib.Path(__file__).resolve().parent

# ---------------------------------------------------------------------------------------------
# What runs where

# The interpreter of the tool sessions and of the full test suite.
PY_TOOLS = "3.11"

# The ansible-core matrix: every minor version from meta/runtime.yml's requires_ansible on, each on a
# Python its controller supports (README's support table), spread over the Pythons CI has.
CORE_PYTHONS = {
    "2.16": "3.11",
    "2.17": "3.12",
    "2.18": "3.13",
    "2.19": "3.13",
    "2.20": "3.13",
    "2.21": "3.12",
}
# Where the core_matrix tests are: the matrix sessions collect only these (collecting the whole suite
# takes longer than some of them run); tests/unit/support/test_core_matrix_paths.py checks that every
# test marked core_matrix is under one of them.
CORE_MATRIX_PATHS = (
    "tests/integration/credentials",
    "tests/integration/inventory_plugin/test_inventory_golden.py",
    "tests/unit/plugins/inventory/test_sgw_cache_key.py",
)
# What a core runs on top of the core_matrix tests (the pytest session runs everything on 2.19).
CORE_EXTRA_TESTS = {
    # The oldest core, before 2.19's data tagging: the inventory of several accounts, the module
    # express_sync and the bundled playbooks (the heal, its resume token, the report), hostile names
    # through every path, the unsafe marking before data tagging, the runs through ansible-runner and
    # the simulator's pytest plugin from the installed tarball.
    "2.16": (
        "tests/integration/inventory_plugin/test_inventory_accounts.py",
        "tests/integration/modules/test_express_sync.py::test_group_lifecycle_idempotence_check_mode_diff_and_errors",
        "tests/integration/modules/test_bundled_playbook_hosts.py",
        "tests/integration/modules/test_heal_failed_shares.py",
        "tests/integration/modules/test_heal_resume_token.py",
        "tests/integration/reliability/test_hostile_names.py",
        "tests/integration/runner",
        "tests/integration/test_pytest_plugin_installed.py",
        "tests/unit/plugins/inventory/test_sgw_unsafe_before_219.py",
    ),
    # The newest core: the plugins' unit tests, which use ansible-core's internals most (trust tags,
    # InventoryData, the plugin loader); the whole suite a second time does not fit in CI's 20 minutes.
    "2.21": ("tests/unit/plugins",),
}

# The pytest session runs the whole suite, the core_matrix tests included, on this core (Python 3.11):
# its core-2.NN session (Python 3.13) would repeat them, and is left out of a default run to save CI time.
CORE_OF_THE_FULL_SUITE = "2.19"

DEFAULT_SESSIONS = ["pytest", "lint", "sanity", "build", "importer", "docs", "ee", "eda"] + [
    "core-%s" % core for core in CORE_PYTHONS if core != CORE_OF_THE_FULL_SUITE
]

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = True
nox.options.sessions = DEFAULT_SESSIONS

REQUIREMENTS = ("-r", "requirements.txt", "-r", "tests/requirements.txt")
TOOLS = REQUIREMENTS + ("-r", "tests/requirements-tools.txt")

# ---------------------------------------------------------------------------------------------
# Environment


def _galaxy(key: str) -> str:
    match = re.search(r"^%s:\s*['\"]?([^'\"\s#]+)" % key, (REPO / "galaxy.yml").read_text(), re.M)
    assert match, "galaxy.yml has no %s" % key
    return match.group(1)


NAMESPACE, NAME = _galaxy("namespace"), _galaxy("name")
FQCN = "%s.%s" % (NAMESPACE, NAME)
SCRATCH = pathlib.Path(
    os.environ.get("SGW_SCRATCH_DIR")
    or pathlib.Path(os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache")
    / FQCN / hashlib.sha256(str(REPO).encode()).hexdigest()[:10] / "run"
)
SCRATCH_COLLECTIONS_ROOT = SCRATCH / "sanity"
# ansible-test keeps its virtualenvs and caches in ~/.ansible/test: a home of this checkout's own, so
# that runs from several checkouts at once never share (and half-build) one virtualenv
ANSIBLE_TEST_HOME = SCRATCH / "ansible-test-home"
SCRATCH_COLLECTION = SCRATCH_COLLECTIONS_ROOT / "ansible_collections" / NAMESPACE / NAME


def _check_matrix_covers_runtime() -> None:
    """The matrix starts at the oldest ansible-core meta/runtime.yml declares, and has no gap."""
    text = (REPO / "meta" / "runtime.yml").read_text()
    match = re.search(r"^requires_ansible:\s*['\"]>=\s*(\d+)\.(\d+)", text, re.M)
    assert match, "meta/runtime.yml: requires_ansible is not of the form '>=X.Y.Z'"
    minors = sorted(int(core.split(".")[1]) for core in CORE_PYTHONS)
    assert (int(match.group(1)), minors[0]) == (2, int(match.group(2))), (
        "noxfile.py: the ansible-core matrix must start at requires_ansible (%s)" % match.group(0))
    assert minors == list(range(minors[0], minors[-1] + 1)), "noxfile.py: a gap in the ansible-core matrix"


def _expose_pyenv_pythons() -> None:
    """Put pyenv's Pythons on PATH for the versions PATH has no working interpreter of.

    A pyenv shim exists for every installed version but fails unless that version is selected.
    uv must not download an interpreter either.
    """
    os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
    try:
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return
    for version in sorted({PY_TOOLS, *CORE_PYTHONS.values()}):
        exe = shutil.which("python" + version)
        if exe and subprocess.run([exe, "-c", ""], capture_output=True, check=False).returncode == 0:
            continue
        found = sorted(glob.glob(os.path.join(root, "versions", version + ".*", "bin", "python" + version)),
                       key=lambda p: [int(n) for n in re.findall(r"\d+", p.split("versions/")[1].split("/")[0])])
        if found:
            os.environ["PATH"] = os.path.dirname(found[-1]) + os.pathsep + os.environ["PATH"]


_check_matrix_covers_runtime()
_expose_pyenv_pythons()
# Compiled bytecode is kept: the packages are compiled as uv installs them, and the tests' own modules
# (rewritten by pytest) and the collection's when first imported. Without it (PYTHONDONTWRITEBYTECODE
# set), every pytest worker and every ansible-* command the tests run compiles all it imports again.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")
# Ansible refuses to run without a UTF-8 locale.
if "utf" not in (os.environ.get("LC_ALL") or os.environ.get("LANG") or "").lower():
    os.environ.update(LC_ALL="C.UTF-8", LANG="C.UTF-8")

# ---------------------------------------------------------------------------------------------
# Bookkeeping: every session's wall time and pytest's summary lines, printed when nox ends

TIMINGS: list[str] = []
SUMMARIES: list[str] = []
CORE_VERSIONS: dict[str, str] = {}  # session name -> the ansible-core version it tested


def _report() -> None:
    if TIMINGS:
        print("\n==================== session times ====================")
        print("\n".join(TIMINGS))
    if SUMMARIES:
        print("\n".join(SUMMARIES))


atexit.register(_report)


def timed(func):
    """Record the session's wall time and outcome."""

    @functools.wraps(func)
    def wrapper(session: nox.Session, *args, **kwargs):
        started, outcome = time.monotonic(), "FAILED"
        try:
            result = func(session, *args, **kwargs)
            outcome = "OK"
            return result
        except BaseException as exc:
            if type(exc).__name__ == "_SessionSkip":  # session.skip()
                outcome = "skipped"
            raise
        finally:
            TIMINGS.append("%-11s %7.1fs  %s" % (session.name, time.monotonic() - started, outcome))

    return wrapper


# ---------------------------------------------------------------------------------------------
# Helpers


def _print_versions(session: nox.Session, *names: str) -> None:
    """Log the versions of Python, ansible-core and the named distributions; remember ansible-core's."""
    line = session.run("python", "tests/utils/versions.py", "ansible-core", *names, silent=True).strip()
    session.log("versions: %s" % line)
    match = re.search(r"ansible-core ([^\s,]+)", line)
    CORE_VERSIONS[session.name] = match.group(1) if match else "?"


# pytest's last line: "=== 12 passed, 1 skipped in 3.45s ===" (or without the "=" under -q)
SUMMARY_LINE = re.compile(r"^=* ?(\d+ \w+|no tests ran).* in [\d.]+s( \(.*\))? ?=*$")


def _pytest(session: nox.Session, label: str, *args: str, env: dict | None = None, dist: str = "worksteal") -> None:
    """pytest with xdist and a per-test timeout; its summary line goes into the final report."""
    log = SCRATCH / ("pytest-%s.log" % label.replace(" ", "_"))
    log.parent.mkdir(parents=True, exist_ok=True)
    # Twice the CPUs: most integration tests spend their time waiting (for the simulator's tasks and
    # full syncs, for a write's landing window), and a worker that waits leaves its CPU to another.
    workers = os.environ.get("PYTEST_WORKERS") or str(2 * (os.cpu_count() or 1))
    # worksteal: a worker that runs out of tests takes pending ones from the other, instead of
    # idling while the other works through a batch of long integration tests
    xdist = ["-n", workers, "--dist", dist] if workers != "0" else []
    try:
        session.run("python", "tests/utils/run_pytest.py", str(log), "--", *xdist,
                    "--timeout", os.environ.get("PYTEST_TIMEOUT", "300"), *args, env=env)
    finally:
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        summary = [line for line in lines if SUMMARY_LINE.search(line)]
        SUMMARIES.append("%s, Python %s, ansible-core %s: %s" % (
            label, session.python, CORE_VERSIONS.get(session.name, "?"),
            summary[-1].strip("= ") if summary else "no summary line (see %s)" % log))


def _sync_scratch(session: nox.Session) -> None:
    """The scratch copy of the collection at .../ansible_collections/<namespace>/<name> (what
    ansible-test needs): the files git tracks or would track; ansible-test's cache survives."""
    session.run("python", "tests/utils/sync_tree.py", str(REPO), str(SCRATCH_COLLECTION), "--keep", "tests/output")


def _seed_get_pip_cache(session: nox.Session) -> None:
    """ansible-test bootstraps pip in its virtualenvs with a get-pip script it downloads from a host
    outside the package index, unless a copy is in its cache: put a stand-in there that bootstraps
    pip from ensurepip (tests/utils/get_pip_offline.py).  A real get-pip script is left alone."""
    source = REPO / "tests" / "utils" / "get_pip_offline.py"
    found = glob.glob(os.path.join(session.virtualenv.location, "lib", "python*", "site-packages", "ansible_test",
                                   "_internal", "python_requirements.py"))
    versions = {"24.2", "25.2"}
    for path in found:
        versions.update(re.findall(r"\bpip=['\"]([0-9.]+)['\"]", pathlib.Path(path).read_text(encoding="utf-8")))
    cache = ANSIBLE_TEST_HOME / ".ansible" / "test" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    for version in sorted(versions):
        target = cache / ("get_pip_%s.py" % version.replace(".", "_"))
        if not target.exists() or "Stand-in for the" in target.read_text(errors="replace"):
            shutil.copyfile(source, target)
    session.log("get-pip cache seeded: %s" % " ".join(sorted(versions)))


# ansible-test does not pass PIP_QUIET on to the pip of its virtualenvs, which then prints every
# package on a first run; pip's notes about missing local package directories are noise too.  Errors stay.
PIP_NOISE = (r"^WARNING: Location 'file:.*' is ignored: it is neither a file nor a directory|"
             r"^(Collecting|Processing|Requirement already satisfied|Installing collected packages|"
             r"Successfully installed|Successfully uninstalled|Attempting uninstall|Found existing installation|"
             r"Uninstalling)[: ]|^ +(Downloading|Using cached|Found existing|Uninstalling|Successfully uninstalled) |^ +━")


# pip's cache stays the user's when ansible-test runs under its own home
PIP_CACHE_DIR = os.environ.get("PIP_CACHE_DIR") or str(
    pathlib.Path(os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache") / "pip")


def _ansible_test(session: nox.Session, *args: str) -> None:
    _seed_get_pip_cache(session)
    _sync_scratch(session)
    python = "%d.%d" % tuple(map(int, session.python.split(".")[:2]))
    session.chdir(SCRATCH_COLLECTION)
    try:
        session.run("bash", "-o", "pipefail", "-c", 'ansible-test "$@" --venv --python %s --color no 2>&1 '
                    '| { grep --line-buffered -v -E "$PIP_NOISE" || true; }' % python, "ansible-test", *args,
                    env={"PIP_QUIET": "1", "PIP_NOISE": PIP_NOISE, "HOME": str(ANSIBLE_TEST_HOME),
                         "PIP_CACHE_DIR": PIP_CACHE_DIR}, external=True)
    finally:
        session.chdir(REPO)


def _tarball() -> pathlib.Path:
    found = sorted((SCRATCH / "build").glob("%s-%s-*.tar.gz" % (NAMESPACE, NAME)))
    if not found:
        raise RuntimeError("no tarball in %s: the build session makes it" % (SCRATCH / "build"))
    return found[-1]


def _install_tarball(session: nox.Session, path: pathlib.Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    session.run("ansible-galaxy", "collection", "install", "--offline", "--force", "-p", str(path), str(_tarball()),
                env={"ANSIBLE_COLLECTIONS_PATH": str(path)})


def _requirements_without_core(session: nox.Session) -> str:
    """tests/requirements.txt without its ansible-core lines (the matrix picks the core)."""
    target = pathlib.Path(session.create_tmp()) / "requirements-no-core.txt"
    lines = (REPO / "tests" / "requirements.txt").read_text().splitlines()
    target.write_text("\n".join(line for line in lines if not line.startswith("ansible-core")) + "\n")
    return str(target)


# ---------------------------------------------------------------------------------------------
# Sessions


@nox.session(python=PY_TOOLS)
@timed
def pytest(session: nox.Session) -> None:
    """The whole pytest suite (unit, simulator, integration) on Python 3.11 with ansible-core 2.19."""
    session.install(*REQUIREMENTS)
    _print_versions(session, "pytest", "pytest-xdist", "hypothesis")
    _pytest(session, "pytest", *session.posargs)


@nox.session(python=PY_TOOLS)
@timed
def lint(session: nox.Session) -> None:
    """ansible-lint (production profile, offline), antsibull-changelog lint, antsibull-docs lint."""
    session.install(*TOOLS)
    _print_versions(session, "ansible-lint", "antsibull-changelog", "antsibull-docs")
    _sync_scratch(session)
    # Offline, ansible-lint does not install the collection it lints, so the syntax check of
    # playbooks and examples would not find its modules: it finds them in the scratch copy.
    session.run("ansible-lint", "--nocolor", env={"ANSIBLE_COLLECTIONS_PATH": str(SCRATCH_COLLECTIONS_ROOT)})
    session.run("antsibull-changelog", "lint")
    # the docs site's pages (docs/docsite/rst), made from docs/*.md with pandoc
    session.run("python", "tests/utils/build_guides.py", str(SCRATCH_COLLECTION))
    session.chdir(SCRATCH_COLLECTION)
    session.run("antsibull-docs", "lint-collection-docs", "--plugin-docs", "--check-extra-docs-refs",
                "--validate-collection-refs", "all", "--disallow-unknown-collection-refs", ".")
    session.chdir(REPO)


@nox.session(python=PY_TOOLS)
@timed
def sanity(session: nox.Session) -> None:
    """ansible-test sanity --venv in a scratch ansible_collections tree (tests/sanity has no ignore file)."""
    session.install(*TOOLS)
    _ansible_test(session, "sanity")


@nox.session(python=PY_TOOLS, default=False)
@timed
def units(session: nox.Session) -> None:
    """ansible-test units --venv on the plugins' unit tests (not by default: the pytest session runs them)."""
    session.install(*TOOLS)
    _ansible_test(session, "units", "--requirements", "tests/unit/plugins/")


@nox.session(python=PY_TOOLS)
@timed
def build(session: nox.Session) -> None:
    """ansible-galaxy collection build, the tarball's content, install, ansible-doc, and a smoke run."""
    session.install(*TOOLS)
    out, installed = SCRATCH / "build", SCRATCH / "installed"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    # The guide pages of the docs site are made at build time; the tarball holds them.
    session.run("python", "tests/utils/build_guides.py", str(REPO))
    session.run("ansible-galaxy", "collection", "build", "--force", "--output-path", str(out), ".")
    session.run("python", "tests/utils/check_build.py", str(REPO), str(_tarball()))
    _install_tarball(session, installed)
    env = {"ANSIBLE_COLLECTIONS_PATH": str(installed)}
    session.run("ansible-galaxy", "collection", "verify", "--offline", FQCN, env=env)
    session.run("python", "tests/utils/check_build.py", "--installed", str(REPO), str(_tarball()), env=env)
    # the installed inventory plugin against the local SGW simulator
    session.run("python", "tests/utils/smoke_installed.py", str(REPO), str(installed))


@nox.session(python=PY_TOOLS, requires=["build"])
@timed
def importer(session: nox.Session) -> None:
    """galaxy-importer on the tarball of the build session, as Galaxy and Automation Hub run it."""
    session.install("-r", "tests/requirements-importer.txt")
    _print_versions(session, "galaxy-importer", "ansible-lint", "flake8")
    session.run("python", "tests/utils/check_importer.py", str(REPO), str(_tarball()))


@nox.session(python=PY_TOOLS)
@timed
def docs(session: nox.Session) -> None:
    """The HTML docs site (docs/build_site.sh; Sphinx warnings are errors)."""
    session.install(*TOOLS)
    session.run("bash", "docs/build_site.sh", str(SCRATCH / "docsite"), external=True)


@nox.session(python=PY_TOOLS, requires=["build"])
@timed
def ee(session: nox.Session) -> None:
    """ansible-builder introspect on the installed tarball, and create on docs/examples/{execution,decision}-environment.yml."""
    session.install("-r", "tests/requirements-ee.txt")
    _print_versions(session, "ansible-builder")
    work = SCRATCH / "ee"
    shutil.rmtree(work, ignore_errors=True)
    _install_tarball(session, work / "collections")
    introspected = session.run("ansible-builder", "introspect", str(work / "collections"), silent=True)
    print(introspected)
    (work / "introspect.txt").write_text(introspected)
    session.run("python", "tests/utils/check_ee.py", "introspect", str(work / "introspect.txt"))
    shutil.copyfile(REPO / "docs" / "examples" / "execution-environment.yml", work / "execution-environment.yml")
    shutil.copyfile(_tarball(), work / "alibabacloud-sgw.tar.gz")
    session.chdir(work)
    session.run("ansible-builder", "create", "-f", "execution-environment.yml", "-c", "context",
                "--output-filename", "Containerfile")
    session.chdir(REPO)
    session.run("python", "tests/utils/check_ee.py", "context", str(work / "context"), str(_tarball()))
    # the decision environment of the rulebook (docs/examples/decision-environment.yml)
    (work / "de").mkdir()
    shutil.copyfile(REPO / "docs" / "examples" / "decision-environment.yml", work / "de" / "decision-environment.yml")
    shutil.copyfile(_tarball(), work / "de" / "alibabacloud-sgw.tar.gz")
    session.chdir(work / "de")
    session.run("ansible-builder", "create", "-f", "decision-environment.yml", "-c", "context",
                "--output-filename", "Containerfile")
    session.chdir(REPO)
    session.run("python", "tests/utils/check_ee.py", "context", str(work / "de" / "context"), str(_tarball()),
                "--decision")


def _core_session(core: str, python: str):
    extra = CORE_EXTRA_TESTS.get(core, ())

    @timed
    def session_func(session: nox.Session) -> None:
        session.install("-r", "requirements.txt", "-r", _requirements_without_core(session),
                        "ansible-core==%s.*" % core)
        _print_versions(session, "pytest", "pytest-xdist")
        # The scope-parametrized tests under one scope: the pytest session runs them under every
        # way the simulator plays the service, which does not depend on ansible-core.
        env = {"SGW_TEST_SCOPES": "region"}
        _pytest(session, "core-%s" % core, "-m", "core_matrix", *CORE_MATRIX_PATHS, *session.posargs, env=env)
        if extra:
            _pytest(session, "core-%s-extra" % core, "-m", "not core_matrix", *extra, *session.posargs, env=env)

    session_func.__doc__ = "ansible-core %s on Python %s: the core_matrix tests%s." % (
        core, python, ", then " + ", ".join(extra) if extra else "")
    return nox.session(name="core-%s" % core, python=python, tags=["matrix"])(session_func)


for _core, _python in CORE_PYTHONS.items():
    globals()["core_" + _core.replace(".", "_")] = _core_session(_core, _python)


@nox.session(python=PY_TOOLS)
@timed
def eda(session: nox.Session) -> None:
    """The Event-Driven Ansible tests (ansible-rulebook, JDK 17): tests/unit/eda and tests/integration/eda."""
    needed = ("tests/requirements-eda.txt", "tests/unit/eda", "tests/integration/eda")
    missing = [path for path in needed if not (REPO / path).exists()]
    if missing:
        session.error("the eda session needs %s, missing from this checkout" % ", ".join(missing))
    java = shutil.which("java")
    if not java and not os.environ.get("JAVA_HOME"):
        session.error("the eda session needs a JDK 17 (java on PATH or JAVA_HOME): ansible-rulebook runs on it")
    env = {}
    if java and not os.environ.get("JAVA_HOME"):
        env["JAVA_HOME"] = str(pathlib.Path(java).resolve().parent.parent)
    session.install(*REQUIREMENTS, "-r", "tests/requirements-eda.txt")
    _print_versions(session, "ansible-rulebook", "drools_jpy", "pytest")
    # One file per worker: the rulebook tests of a file share one ansible-rulebook and one simulator.
    _pytest(session, "eda", "tests/unit/eda", "tests/integration/eda", *session.posargs, env=env, dist="loadfile")
    log = (SCRATCH / "pytest-eda.log").read_text(errors="replace")
    if re.search(r"^SKIPPED|\d+ skipped", log, re.M):
        session.error("the eda session skipped tests (is ansible-rulebook installed, and Java 17?)")
