#!/usr/bin/env bash
# The collection's complete test run (the same command CI runs):
#
#     bash tests/run.sh [--quick] [--stage NAME]... [-- PYTEST_ARGS...]
#
# Stages, in this order:
#   venv      create or reuse .venv (Python 3.11, ansible-core 2.19) with requirements.txt,
#             tests/requirements.txt and tests/requirements-tools.txt; it is rebuilt when one of
#             them (or the interpreter) changes.  Always runs.
#   pytest    pytest over tests/ (pytest.ini: tests/output, tests/perf, tests/simulator excluded),
#             with 2 xdist workers.  "No tests collected" fails when test files exist.
#   lint      ansible-lint (production profile, offline, see .ansible-lint), antsibull-changelog
#             lint, antsibull-docs lint-collection-docs (plugin docs, extra docs, collection
#             references, on the guide pages made from docs/*.md by tests/utils/build_guides.py)
#   sanity    ansible-test sanity --venv --python 3.11 in a scratch copy of the collection
#             (ansible-test needs the collection at .../ansible_collections/<namespace>/<name>)
#   units     ansible-test units --venv --python 3.11 on tests/unit/plugins in that copy (the
#             plugins' unit tests under ansible-test's own pytest setup; tests/unit/requirements.txt).
#             Only when asked for (--stage units): a full run runs the plugins' unit tests once
#             per interpreter, in the pytest stage (Python 3.11) and the matrix stage (3.12), and
#             this stage would run them a second time on 3.11.
#   build     ansible-galaxy collection build, then the tarball's content is checked, it is
#             installed into an empty path, its plugin documentation is loaded, and the inventory
#             plugin of the installed copy runs against the local SGW simulator
#   importer  galaxy-importer on the tarball, in its own .venv-importer (ansible-doc, ansible-lint
#             and flake8 on every plugin, no containers; see tests/utils/check_importer.py)
#   docs      the HTML docs site (bash docs/build_site.sh, Sphinx warnings are errors)
#   matrix    pytest again, on the newest ansible-core for Python 3.12 (2.21), in .venv-py312, with
#             the scope-parametrized integration tests under one scope (SGW_TEST_SCOPES=region), and
#             without the simulator's own tests and the benchmark smoke tests
#   ee        ansible-builder (.venv-ee, tests/requirements-ee.txt): "introspect" on the collection
#             installed from its tarball (requests and jmespath must come out), and "create" on
#             docs/examples/execution-environment.yml and decision-environment.yml (the build contexts
#             are checked); no container engine
#   eda       the Event-Driven Ansible tests (tests/unit/eda, tests/integration/eda) in .venv-eda, which
#             adds tests/requirements-eda.txt (ansible-rulebook; its rules engine runs on Java 17, found
#             as java on PATH or in JAVA_HOME) to .venv's requirements: the event source through its
#             main(queue, args), and the real ansible-rulebook healing the simulator
#   core216   the integration, injection and ansible-runner tests on the oldest supported
#             ansible-core, 2.16 (Python 3.11), in .venv-core216 (tests/requirements-core216.txt),
#             under one scope as in matrix
#
# Options:
#   --quick          the pytest stage only (same as --stage pytest)
#   --stage NAME     run only the named stage; repeat it to run several
#                    (pytest, lint, sanity, units, build, importer, docs, matrix, ee, eda, core216)
#   -- ARGS          pass the remaining arguments to pytest, in the pytest and matrix stages
#                    (e.g. -- -x -k signing)
#   -h, --help       show this text
#
# Environment:
#   SGW_TEST_PYTHON     the Python 3.11 interpreter for .venv and .venv-importer
#                       (default: python3.11 on PATH, then pyenv's)
#   SGW_TEST_PYTHON312  the Python 3.12 interpreter for .venv-py312 (default: python3.12 on PATH,
#                       then pyenv's).  When there is none, the matrix stage fails under CI
#                       (CI set and not "false") and is skipped with a warning elsewhere.
#   SGW_SCRATCH_DIR     where the scratch collection tree, the logs, the build and the docs site go
#                       (default: ${XDG_CACHE_HOME:-~/.cache}/<namespace>.<name>/<hash of the checkout path>/run)
#   PYTEST_WORKERS      number of xdist workers (default 2; 0 runs pytest without xdist)
#   PYTEST_TIMEOUT      per-test timeout in seconds (default 300)
#   SGW_TEST_SCOPES     the ways (region, account) the simulator scopes DescribeExpressSyncs in the
#                       scope-parametrized tests (default both; matrix and core216 use region)
#   SGW_REQUIRE_V1      "true": make galaxy-importer require version 1.0.0 or more even before
#                       galaxy.yml says so (it does from 1.0.0 on)
#
# Every stage prints a banner and its wall time; the first failing stage stops the run with
# a non-zero exit code.  A full run ends with the stage times and pytest's summary lines.

set -euo pipefail

usage() {
    sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"
}

ALL_STAGES=(pytest lint sanity units build importer docs matrix ee eda core216)
# What a run without --stage runs: every stage but units (see above).
DEFAULT_STAGES=(pytest lint sanity build importer docs matrix ee eda core216)
STAGES=()
PYTEST_EXTRA=()
while (($#)); do
    case "$1" in
        --quick) STAGES+=(pytest) ;;
        --stage)
            [[ $# -ge 2 ]] || { echo "tests/run.sh: --stage needs a name (${ALL_STAGES[*]})" >&2; exit 2; }
            STAGES+=("$2")
            shift
            ;;
        --stage=*) STAGES+=("${1#--stage=}") ;;
        -h | --help) usage; exit 0 ;;
        --) shift; PYTEST_EXTRA=("$@"); break ;;
        *) echo "tests/run.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
for stage in "${STAGES[@]}"; do
    case " ${ALL_STAGES[*]} " in
        *" $stage "*) ;;
        *) echo "tests/run.sh: unknown stage: $stage (one of: ${ALL_STAGES[*]})" >&2; exit 2 ;;
    esac
done
((${#STAGES[@]})) || STAGES=("${DEFAULT_STAGES[@]}")

cd "$(dirname "$0")/.."
REPO="$(pwd -P)"
VENV="$REPO/.venv"
VENV_IMPORTER="$REPO/.venv-importer"
VENV_PY312="$REPO/.venv-py312"
VENV_CORE216="$REPO/.venv-core216"
VENV_EE="$REPO/.venv-ee"
VENV_EDA="$REPO/.venv-eda"
exec </dev/null

# Ansible refuses to run without a UTF-8 locale.
if [[ "$(locale charmap 2>/dev/null || true)" != "UTF-8" ]]; then
    export LC_ALL=C.UTF-8 LANG=C.UTF-8
fi

# ---------------------------------------------------------------------------------------------
# Stage bookkeeping

TIMINGS=()
SUMMARIES=()
CURRENT_STAGE=""
STAGE_START=""

banner() {
    printf '\n==================== %s ====================\n' "$*"
}

elapsed() {
    awk -v s="$1" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.1fs", e - s }'
}

on_exit() {
    local rc=$?
    if ((rc != 0)) && [[ -n "$CURRENT_STAGE" ]]; then
        banner "FAILED: stage '$CURRENT_STAGE' (exit code $rc) after $(elapsed "$STAGE_START")"
    fi
}
trap on_exit EXIT

# A stage may set STAGE_NOTE (e.g. "skipped: ...") to show next to its time.
STAGE_NOTE=""
run_stage() {
    local name="$1" took
    CURRENT_STAGE="$name"
    STAGE_START="$EPOCHREALTIME"
    STAGE_NOTE=""
    banner "stage: $name"
    "stage_$name"
    took="$(elapsed "$STAGE_START")"
    banner "stage $name: ${STAGE_NOTE:-OK} ($took)"
    TIMINGS+=("$(printf '%-9s %8s  %s' "$name" "$took" "$STAGE_NOTE")")
    CURRENT_STAGE=""
}

# pip's note, for each package, about local package directories named in a pip configuration
# that do not exist: noise, dropped from the output.
drop_pip_location_notes() {
    grep --line-buffered -v "^WARNING: Location 'file:.*' is ignored: it is neither a file nor a directory" || true
}

# The same, plus pip's progress lines: ansible-test does not pass PIP_QUIET on to the pip that
# fills the virtualenvs of its tests, which print every package on a first run.  Errors stay.
drop_pip_noise() {
    grep --line-buffered -v -E "^WARNING: Location 'file:.*' is ignored: it is neither a file nor a directory|^(Collecting|Processing|Requirement already satisfied|Installing collected packages|Successfully installed|Successfully uninstalled|Attempting uninstall|Found existing installation|Uninstalling)[: ]|^ +(Downloading|Using cached|Found existing|Uninstalling|Successfully uninstalled) |^ +━" || true
}

# ---------------------------------------------------------------------------------------------
# Interpreters and virtualenvs

# find_python X.Y OVERRIDE: the path of a working Python X.Y, or nothing (exit 1).
find_python() {
    local want="$1" override="$2" candidate root
    if [[ -n "$override" ]]; then
        echo "$override"
        return
    fi
    for candidate in "python$want" python3; do
        # A pyenv shim exists for every installed version, but fails unless that version is selected.
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != (${want/./, }))" >/dev/null 2>&1; then
            command -v "$candidate"
            return
        fi
    done
    if command -v pyenv >/dev/null 2>&1 && root="$(pyenv root 2>/dev/null)"; then
        # the newest X.Y.Z that pyenv has
        candidate="$(printf '%s\n' "$root"/versions/"$want".*/bin/"python$want" | sort -V | tail -n 1)"
        if [[ -x "$candidate" ]]; then
            echo "$candidate"
            return
        fi
    fi
    return 1
}

# make_venv DIR PYTHON REQUIREMENTS...: create or reuse the virtualenv DIR, rebuilt when the
# requirements files or the interpreter change.
make_venv() {
    local dir="$1" python="$2" stamp file args=()
    shift 2
    for file in "$@"; do
        args+=(-r "$file")
    done
    stamp="$(
        {
            echo "venv-format 2"
            "$python" -c 'import sys; print(sys.version)'
            cat "$@"
        } | sha256sum | cut -d' ' -f1
    )"
    if [[ -x "$dir/bin/python" && -f "$dir/.requirements-stamp" &&
        "$(cat "$dir/.requirements-stamp")" == "$stamp" ]] && "$dir/bin/python" -c '' 2>/dev/null; then
        echo "reusing $dir (requirements unchanged)"
        return
    fi
    echo "creating $dir with $python ($("$python" --version 2>&1))"
    rm -rf "$dir"
    "$python" -m venv "$dir"
    PIP_NO_INPUT=1 "$dir/bin/python" -m pip install --disable-pip-version-check --progress-bar off \
        --quiet "${args[@]}" 2>&1 | drop_pip_location_notes
    "$dir/bin/python" -m pip check
    echo "$stamp" >"$dir/.requirements-stamp"
}

print_versions() {
    "$1/bin/python" - "${@:2}" <<'EOF'
import platform, sys
from importlib.metadata import version
print("versions: Python %s, " % platform.python_version()
      + ", ".join("%s %s" % (name, version(name)) for name in sys.argv[1:]))
EOF
}

PYTHON311=""
stage_venv() {
    PYTHON311="$(find_python 3.11 "${SGW_TEST_PYTHON:-}")" ||
        { echo "tests/run.sh: no Python 3.11 found; set SGW_TEST_PYTHON" >&2; return 1; }
    make_venv "$VENV" "$PYTHON311" requirements.txt tests/requirements.txt tests/requirements-tools.txt
    print_versions "$VENV" ansible-core ansible-lint pytest pytest-xdist hypothesis antsibull-changelog antsibull-docs
}

activate_venv() {
    export VIRTUAL_ENV="$VENV"
    export PATH="$VENV/bin:$PATH"
    unset PYTHONHOME
    hash -r
    NAMESPACE="$(python -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["namespace"])')"
    NAME="$(python -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["name"])')"
    local digest
    digest="$(printf '%s' "$REPO" | sha256sum | cut -c1-10)"
    SCRATCH="${SGW_SCRATCH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/$NAMESPACE.$NAME/$digest/run}"
    SCRATCH_COLLECTIONS_ROOT="$SCRATCH/sanity"
    SCRATCH_COLLECTION="$SCRATCH_COLLECTIONS_ROOT/ansible_collections/$NAMESPACE/$NAME"
    mkdir -p "$SCRATCH"
}

# The scratch copy of the collection: the files git tracks or would track, and nothing else.
# ansible-test's own cache (tests/output) survives between runs.
SCRATCH_SYNCED=""
sync_scratch() {
    if [[ -z "$SCRATCH_SYNCED" ]]; then
        python tests/utils/sync_tree.py "$REPO" "$SCRATCH_COLLECTION" --keep tests/output
        SCRATCH_SYNCED=1
    fi
}

# ---------------------------------------------------------------------------------------------
# pytest

# run_pytest PYTHON LOG: pytest over the suite with that interpreter; sets PYTEST_LAST_SUMMARY.
run_pytest() {
    local python="$1" log="$2" rc=0 args=()
    if [[ "${PYTEST_WORKERS:-2}" != 0 ]]; then
        # worksteal: a worker that runs out of tests takes pending ones from the other, instead of
        # idling while the other works through a batch of long integration tests (--dist load)
        args+=(-n "${PYTEST_WORKERS:-2}" --dist worksteal)
    fi
    args+=(--timeout "${PYTEST_TIMEOUT:-300}")
    # The "tests" directory must resolve to this checkout, not to some installed package.
    "$python" -c 'import os, sys, tests; sys.exit(any(not os.path.realpath(p).startswith(sys.argv[1]) for p in tests.__path__))' \
        "$REPO/" || { echo "the 'tests' package does not resolve to $REPO/tests" >&2; return 1; }
    "$python" -m pytest "${args[@]}" ${PYTEST_EXTRA[@]+"${PYTEST_EXTRA[@]}"} 2>&1 | tee "$log" || rc=$?
    PYTEST_LAST_SUMMARY="$(grep -E '^=+ .+ =+$' "$log" | tail -n 1 || true)"
    if ((rc == 5)); then
        if [[ -n "$(git ls-files -co --exclude-standard -- 'tests/*test_*.py' 'tests/*_test.py')" ]]; then
            echo "pytest collected no tests although test files exist: check pytest.ini and the test selection" >&2
            return 5
        fi
        banner "WARNING: there are no test files yet; pytest ran no test"
        rc=0
    fi
    return "$rc"
}

stage_pytest() {
    local rc=0
    run_pytest python "$SCRATCH/pytest.log" || rc=$?
    SUMMARIES+=("pytest, Python 3.11, ansible-core $(ansible --version | sed -n '1s/.*core \([0-9.]*\).*/\1/p'):" "$PYTEST_LAST_SUMMARY")
    return "$rc"
}

# ---------------------------------------------------------------------------------------------
# lint

stage_lint() {
    local lint_args=()
    [[ -t 1 ]] || lint_args+=(--nocolor)
    sync_scratch
    echo "--- ansible-lint"
    # Offline, ansible-lint does not install the collection it lints, so the syntax check of
    # playbooks and examples would not find its modules: it finds them in the scratch copy.
    ANSIBLE_COLLECTIONS_PATH="$SCRATCH_COLLECTIONS_ROOT" ansible-lint ${lint_args[@]+"${lint_args[@]}"}
    echo "--- antsibull-changelog lint"
    antsibull-changelog lint
    echo "changelog fragments OK"
    echo "--- docs site pages (docs/docsite/rst) made from docs/*.md with pandoc"
    python tests/utils/build_guides.py "$SCRATCH_COLLECTION"
    echo "--- antsibull-docs lint-collection-docs"
    (cd "$SCRATCH_COLLECTION" && antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs \
        --validate-collection-refs all --disallow-unknown-collection-refs .)
    echo "plugin documentation, extra docs and links OK"
}

# ---------------------------------------------------------------------------------------------
# sanity

seed_get_pip_cache() {
    # ansible-test bootstraps pip in its virtualenvs with a get-pip script that it downloads
    # from a host outside the package registries, unless a copy is in its cache: put a
    # stand-in there that bootstraps pip from ensurepip.  A real get-pip script is left alone.
    local cache="$HOME/.ansible/test/cache" versions version target
    versions="$(
        {
            printf '24.2\n25.2\n'
            python - <<'EOF'
import os, re, ansible_test
path = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
print("\n".join(re.findall(r"\bpip=['\"]([0-9.]+)['\"]", open(path, encoding="utf-8").read())))
EOF
        } | sort -u
    )"
    mkdir -p "$cache"
    for version in $versions; do
        target="$cache/get_pip_${version//./_}.py"
        if [[ ! -e "$target" ]] || grep -qF "Stand-in for the" "$target"; then
            cmp -s tests/utils/get_pip_offline.py "$target" || cp tests/utils/get_pip_offline.py "$target"
        fi
    done
    echo "get-pip cache seeded: $(echo "$versions" | tr '\n' ' ')"
}

stage_sanity() {
    local python_version
    python_version="$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    seed_get_pip_cache
    sync_scratch
    # PIP_QUIET: only pip's errors from the virtualenvs that ansible-test makes for its tests
    (cd "$SCRATCH_COLLECTION" && PIP_QUIET=1 ansible-test sanity --venv --python "$python_version" --color no) 2>&1 |
        drop_pip_noise
}

# ---------------------------------------------------------------------------------------------
# units

stage_units() {
    local python_version
    python_version="$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    seed_get_pip_cache
    sync_scratch
    # The unit tests of the collection's plugins; the simulator's own tests (tests/unit/simulator,
    # which need the Alibaba Cloud SDKs) run in the pytest stage only.
    (cd "$SCRATCH_COLLECTION" && PIP_QUIET=1 ansible-test units --venv --python "$python_version" --color no \
        --requirements tests/unit/plugins/) 2>&1 | drop_pip_noise
}

# ---------------------------------------------------------------------------------------------
# build

TARBALL=""
build_tarball() {
    local out="$SCRATCH/build"
    rm -rf "$out"
    mkdir -p "$out"
    # The guide pages of the docs site are made at build time; the tarball holds them.
    python tests/utils/build_guides.py "$REPO"
    ansible-galaxy collection build --force --output-path "$out" .
    TARBALL="$(find "$out" -maxdepth 1 -name '*.tar.gz' -print -quit)"
    [[ -n "$TARBALL" ]] || { echo "ansible-galaxy built no tarball" >&2; return 1; }
}

stage_build() {
    local installed="$SCRATCH/installed"
    build_tarball
    echo "--- tarball content"
    python tests/utils/check_build.py "$REPO" "$TARBALL"
    echo "--- install into an empty path, and load"
    rm -rf "$installed"
    mkdir -p "$installed"
    ANSIBLE_COLLECTIONS_PATH="$installed" \
        ansible-galaxy collection install --offline --force -p "$installed" "$TARBALL"
    ANSIBLE_COLLECTIONS_PATH="$installed" ansible-galaxy collection verify --offline "$NAMESPACE.$NAME"
    ANSIBLE_COLLECTIONS_PATH="$installed" python tests/utils/check_build.py --installed "$REPO" "$TARBALL"
    echo "--- the installed inventory plugin against the local SGW simulator"
    python tests/utils/smoke_installed.py "$REPO" "$installed"
}

# ---------------------------------------------------------------------------------------------
# importer

stage_importer() {
    # The tarball of this run's build stage, or a fresh one.
    [[ -n "$TARBALL" && -f "$TARBALL" ]] || build_tarball
    make_venv "$VENV_IMPORTER" "$PYTHON311" tests/requirements-importer.txt
    print_versions "$VENV_IMPORTER" galaxy-importer ansible-core ansible-lint flake8
    # galaxy-importer runs ansible-doc, ansible-lint and flake8 from PATH.
    PATH="$VENV_IMPORTER/bin:$PATH" "$VENV_IMPORTER/bin/python" tests/utils/check_importer.py "$REPO" "$TARBALL"
}

# ---------------------------------------------------------------------------------------------
# docs

stage_docs() {
    bash docs/build_site.sh "$SCRATCH/docsite"
}

# ---------------------------------------------------------------------------------------------
# matrix

stage_matrix() {
    local python rc=0
    if ! python="$(find_python 3.12 "${SGW_TEST_PYTHON312:-}")"; then
        if [[ -n "${CI:-}" && "${CI:-}" != "false" ]]; then
            echo "tests/run.sh: no Python 3.12 found for the matrix stage; install it (pyenv install 3.12)" \
                "or set SGW_TEST_PYTHON312" >&2
            return 1
        fi
        banner "WARNING: no Python 3.12 found (set SGW_TEST_PYTHON312): the matrix stage is SKIPPED"
        STAGE_NOTE="SKIPPED: no Python 3.12"
        return 0
    fi
    make_venv "$VENV_PY312" "$python" requirements.txt tests/requirements.txt
    print_versions "$VENV_PY312" ansible-core pytest pytest-xdist hypothesis
    # Under the region scope only (SGW_TEST_SCOPES): the pytest stage runs the scope-parametrized tests
    # under every way the simulator plays the service, which does not depend on Python or ansible-core.
    # Nor do the tests of the simulator itself and the benchmark scripts' smoke tests, left to the
    # pytest stage.
    local PYTEST_EXTRA=(--ignore=tests/integration/simulator --ignore=tests/integration/test_benchmark_smoke.py
                        ${PYTEST_EXTRA[@]+"${PYTEST_EXTRA[@]}"})
    SGW_TEST_SCOPES=region run_pytest "$VENV_PY312/bin/python" "$SCRATCH/pytest-py312.log" || rc=$?
    SUMMARIES+=("pytest, Python 3.12, ansible-core $("$VENV_PY312/bin/ansible" --version | sed -n '1s/.*core \([0-9.]*\).*/\1/p'):" "$PYTEST_LAST_SUMMARY")
    return "$rc"
}

# ---------------------------------------------------------------------------------------------
# ee

stage_ee() {
    local work="$SCRATCH/ee" installed="$SCRATCH/ee/collections"
    # The tarball of this run's build stage, or a fresh one.
    [[ -n "$TARBALL" && -f "$TARBALL" ]] || build_tarball
    make_venv "$VENV_EE" "$PYTHON311" tests/requirements-ee.txt
    print_versions "$VENV_EE" ansible-builder
    rm -rf "$work"
    mkdir -p "$installed"
    ANSIBLE_COLLECTIONS_PATH="$installed" \
        ansible-galaxy collection install --offline --force -p "$installed" "$TARBALL"
    echo "--- ansible-builder introspect $installed"
    "$VENV_EE/bin/ansible-builder" introspect "$installed" | tee "$work/introspect.txt"
    python tests/utils/check_ee.py introspect "$work/introspect.txt"
    echo "--- ansible-builder create -f docs/examples/execution-environment.yml"
    cp docs/examples/execution-environment.yml "$work/"
    cp "$TARBALL" "$work/alibabacloud-sgw.tar.gz"
    (cd "$work" && "$VENV_EE/bin/ansible-builder" create -f execution-environment.yml -c context \
        --output-filename Containerfile)
    python tests/utils/check_ee.py context "$work/context" "$TARBALL"
    echo "--- ansible-builder create -f docs/examples/decision-environment.yml"
    mkdir -p "$work/de"
    cp docs/examples/decision-environment.yml "$work/de/"
    cp "$TARBALL" "$work/de/alibabacloud-sgw.tar.gz"
    (cd "$work/de" && "$VENV_EE/bin/ansible-builder" create -f decision-environment.yml -c context \
        --output-filename Containerfile)
    python tests/utils/check_ee.py context "$work/de/context" "$TARBALL" --decision
}

# ---------------------------------------------------------------------------------------------
# eda

stage_eda() {
    local rc=0 log="$SCRATCH/pytest-eda.log"
    make_venv "$VENV_EDA" "$PYTHON311" requirements.txt tests/requirements.txt tests/requirements-eda.txt
    print_versions "$VENV_EDA" ansible-core ansible-rulebook drools_jpy
    java -version 2>&1 | head -n 1 || { echo "tests/run.sh: the eda stage needs Java 17 (java on PATH)" >&2; return 1; }
    # One file per worker: the rulebook tests share one ansible-rulebook and one simulator.
    "$VENV_EDA/bin/python" -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadfile --timeout "${PYTEST_TIMEOUT:-300}" \
        tests/unit/eda tests/integration/eda ${PYTEST_EXTRA[@]+"${PYTEST_EXTRA[@]}"} 2>&1 | tee "$log" || rc=$?
    SUMMARIES+=("pytest eda, ansible-rulebook $("$VENV_EDA/bin/python" -c 'from importlib.metadata import version; print(version("ansible-rulebook"))'):" \
        "$(grep -E '^=+ .+ =+$' "$log" | tail -n 1 || true)")
    if ((rc == 0)) && grep -q -E '^SKIPPED|[0-9]+ skipped' "$log"; then
        echo "tests/run.sh: the eda stage skipped tests (is ansible-rulebook installed?)" >&2
        return 1
    fi
    return "$rc"
}

# ---------------------------------------------------------------------------------------------
# core216

# The tests that show the collection works on ansible-core 2.16 to 2.18: the inventory (goldens,
# cache, errors), the modules and the healing playbook, hostile names through every path, the
# unsafe marking before data tagging, the runs through ansible-runner and the simulator's pytest
# plugin from the installed tarball.  (The rest of the suite
# checks 2.19+ behaviour: trust tags, 2.19's warning format and Jinja types.)
CORE216_TESTS=(
    tests/integration/inventory_plugin
    tests/integration/modules
    tests/integration/reliability/test_hostile_names.py
    tests/integration/runner
    tests/integration/test_pytest_plugin_installed.py
    tests/unit/plugins/inventory/test_sgw_unsafe_before_219.py
)

stage_core216() {
    local requirements="$SCRATCH/requirements-core216-tests.txt" rc=0
    local extra=(${PYTEST_EXTRA[@]+"${PYTEST_EXTRA[@]}"})
    # tests/requirements.txt without its ansible-core lines (the 2.16 pin comes from its own file),
    # nor what only the tests left out here need (the Alibaba Cloud SDKs, hypothesis).
    grep -v -E '^(ansible-core|alibabacloud-|aliyun-|hypothesis)' tests/requirements.txt >"$requirements"
    make_venv "$VENV_CORE216" "$PYTHON311" requirements.txt tests/requirements-core216.txt "$requirements"
    print_versions "$VENV_CORE216" ansible-core pytest pytest-xdist
    local PYTEST_EXTRA=("${CORE216_TESTS[@]}" ${extra[@]+"${extra[@]}"})
    SGW_TEST_SCOPES=region run_pytest "$VENV_CORE216/bin/python" "$SCRATCH/pytest-core216.log" || rc=$?
    SUMMARIES+=("pytest, Python 3.11, ansible-core $("$VENV_CORE216/bin/ansible" --version | sed -n '1s/.*core \([0-9.]*\).*/\1/p'):" "$PYTEST_LAST_SUMMARY")
    return "$rc"
}

# ---------------------------------------------------------------------------------------------

RUN_START="$EPOCHREALTIME"
run_stage venv
activate_venv
for stage in "${ALL_STAGES[@]}"; do
    case " ${STAGES[*]} " in
        *" $stage "*) run_stage "$stage" ;;
    esac
done

banner "all stages passed ($(elapsed "$RUN_START"))"
printf '%s\n' "${TIMINGS[@]}"
if ((${#SUMMARIES[@]})); then
    printf '%s\n' "${SUMMARIES[@]}"
fi
