#!/usr/bin/env bash
# The collection's complete test run (the same command CI runs):
#
#     bash tests/run.sh [--quick] [--stage NAME]... [-- PYTEST_ARGS...]
#
# Stages, in this order:
#   venv    create or reuse .venv (Python 3.11) with requirements.txt + tests/requirements.txt;
#           it is rebuilt when either file (or the interpreter) changes.  Always runs.
#   pytest  pytest over tests/ (pytest.ini: tests/output, tests/perf, tests/simulator excluded),
#           with 2 xdist workers.  "No tests collected" fails when test files exist.
#   lint    ansible-lint (production profile, offline, see .ansible-lint),
#           antsibull-changelog lint, antsibull-docs lint-collection-docs --plugin-docs
#   sanity  ansible-test sanity --venv --python 3.11 in a scratch copy of the collection
#           (ansible-test needs the collection at .../ansible_collections/<namespace>/<name>)
#   build   ansible-galaxy collection build, then the tarball's content is checked, and it is
#           installed and its plugin documentation loaded
#
# Options:
#   --quick          the pytest stage only (same as --stage pytest)
#   --stage NAME     run only the named stage; repeat it to run several (pytest, lint, sanity, build)
#   -- ARGS          pass the remaining arguments to pytest (e.g. -- -x -k signing)
#   -h, --help       show this text
#
# Environment:
#   SGW_TEST_PYTHON  the Python 3.11 interpreter for .venv (default: python3.11 on PATH, then pyenv's)
#   SGW_SCRATCH_DIR  where the scratch collection tree, the pytest log and the build go
#                    (default: ${XDG_CACHE_HOME:-~/.cache}/<namespace>.<name>/<hash of the checkout path>/run)
#   PYTEST_WORKERS   number of xdist workers (default 2; 0 runs pytest without xdist)
#   PYTEST_TIMEOUT   per-test timeout in seconds (default 300)
#
# Every stage prints a banner and its wall time; the first failing stage stops the run with
# a non-zero exit code.  The last line of a full run is pytest's summary line.

set -euo pipefail

usage() {
    sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"
}

ALL_STAGES=(pytest lint sanity build)
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
((${#STAGES[@]})) || STAGES=("${ALL_STAGES[@]}")

cd "$(dirname "$0")/.."
REPO="$(pwd -P)"
VENV="$REPO/.venv"
exec </dev/null

# Ansible refuses to run without a UTF-8 locale.
if [[ "$(locale charmap 2>/dev/null || true)" != "UTF-8" ]]; then
    export LC_ALL=C.UTF-8 LANG=C.UTF-8
fi

# ---------------------------------------------------------------------------------------------
# Stage bookkeeping

TIMINGS=()
CURRENT_STAGE=""
STAGE_START=""
PYTEST_SUMMARY=""

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

run_stage() {
    local name="$1"
    CURRENT_STAGE="$name"
    STAGE_START="$EPOCHREALTIME"
    banner "stage: $name"
    "stage_$name"
    local took
    took="$(elapsed "$STAGE_START")"
    banner "stage $name: OK ($took)"
    TIMINGS+=("$(printf '%-8s %8s' "$name" "$took")")
    CURRENT_STAGE=""
}

# pip's note, for each package, about local package directories named in a pip configuration
# that do not exist: noise, dropped from the output.
drop_pip_location_notes() {
    grep --line-buffered -v "^WARNING: Location 'file:.*' is ignored: it is neither a file nor a directory" || true
}

# ---------------------------------------------------------------------------------------------
# venv: .venv with Python 3.11, rebuilt when the requirements or the interpreter change

find_python() {
    local candidate root
    if [[ -n "${SGW_TEST_PYTHON:-}" ]]; then
        echo "$SGW_TEST_PYTHON"
        return
    fi
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' >/dev/null 2>&1; then
            command -v "$candidate"
            return
        fi
    done
    if command -v pyenv >/dev/null 2>&1 && root="$(pyenv root 2>/dev/null)"; then
        for candidate in "$root"/versions/3.11*/bin/python3.11; do
            if [[ -x "$candidate" ]]; then
                echo "$candidate"
                return
            fi
        done
    fi
    echo "tests/run.sh: no Python 3.11 found; set SGW_TEST_PYTHON" >&2
    return 1
}

stage_venv() {
    local python stamp
    python="$(find_python)"
    stamp="$(
        {
            echo "venv-format 1"
            "$python" -c 'import sys; print(sys.version)'
            cat requirements.txt tests/requirements.txt
        } | sha256sum | cut -d' ' -f1
    )"
    if [[ -x "$VENV/bin/python" && -f "$VENV/.requirements-stamp" &&
        "$(cat "$VENV/.requirements-stamp")" == "$stamp" ]] && "$VENV/bin/python" -c '' 2>/dev/null; then
        echo "reusing $VENV (requirements unchanged)"
    else
        echo "creating $VENV with $python ($("$python" --version 2>&1))"
        rm -rf "$VENV"
        "$python" -m venv "$VENV"
        PIP_NO_INPUT=1 "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off \
            --quiet -r requirements.txt -r tests/requirements.txt 2>&1 | drop_pip_location_notes
        "$VENV/bin/python" -m pip check
        echo "$stamp" >"$VENV/.requirements-stamp"
    fi
    "$VENV/bin/python" - <<'EOF'
from importlib.metadata import version
names = ("ansible-core", "ansible-lint", "pytest", "pytest-xdist", "hypothesis", "antsibull-changelog", "antsibull-docs")
print("versions: " + ", ".join("%s %s" % (name, version(name)) for name in names))
EOF
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

stage_pytest() {
    local log="$SCRATCH/pytest.log" rc=0 args=()
    if [[ "${PYTEST_WORKERS:-2}" != 0 ]]; then
        args+=(-n "${PYTEST_WORKERS:-2}")
    fi
    args+=(--timeout "${PYTEST_TIMEOUT:-300}")
    # The "tests" directory must resolve to this checkout, not to some installed package.
    python -c 'import os, sys, tests; sys.exit(any(not os.path.realpath(p).startswith(sys.argv[1]) for p in tests.__path__))' \
        "$REPO/" || { echo "the 'tests' package does not resolve to $REPO/tests" >&2; return 1; }
    python -m pytest "${args[@]}" ${PYTEST_EXTRA[@]+"${PYTEST_EXTRA[@]}"} 2>&1 | tee "$log" || rc=$?
    PYTEST_SUMMARY="$(grep -E '^=+ .+ =+$' "$log" | tail -n 1 || true)"
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
    echo "--- antsibull-docs lint-collection-docs --plugin-docs"
    (cd "$SCRATCH_COLLECTION" && antsibull-docs lint-collection-docs --plugin-docs .)
    echo "plugin documentation OK"
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
        drop_pip_location_notes
}

# ---------------------------------------------------------------------------------------------
# build

stage_build() {
    local out="$SCRATCH/build" installed="$SCRATCH/installed" tarball
    rm -rf "$out" "$installed"
    mkdir -p "$out" "$installed"
    ansible-galaxy collection build --force --output-path "$out" .
    tarball="$(find "$out" -maxdepth 1 -name '*.tar.gz' -print -quit)"
    [[ -n "$tarball" ]] || { echo "ansible-galaxy built no tarball" >&2; return 1; }
    echo "--- tarball content"
    python tests/utils/check_build.py "$REPO" "$tarball"
    echo "--- install and load"
    ANSIBLE_COLLECTIONS_PATH="$installed" \
        ansible-galaxy collection install --offline --force -p "$installed" "$tarball"
    ANSIBLE_COLLECTIONS_PATH="$installed" ansible-galaxy collection verify --offline "$NAMESPACE.$NAME"
    ANSIBLE_COLLECTIONS_PATH="$installed" python tests/utils/check_build.py --installed "$REPO" "$tarball"
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
if [[ -n "$PYTEST_SUMMARY" ]]; then
    echo "pytest summary:"
    echo "$PYTEST_SUMMARY"
fi
