#!/usr/bin/env bash
# The test sessions live in noxfile.py; this wrapper keeps the old command line working:
#
#     bash tests/run.sh                         python3 -m nox
#     bash tests/run.sh --quick [-- ARGS]       python3 -m nox -s pytest [-- ARGS]
#     bash tests/run.sh --stage NAME [-- ARGS]  python3 -m nox -s NAME [-- ARGS]
#                                               (matrix: core-2.21, core216: core-2.16)
#
# nox and uv must be installed: python3 -m pip install -r tests/requirements-nox.txt
set -euo pipefail
cd "$(dirname "$0")/.."
sessions=()
args=()
while (($#)); do
    case "$1" in
        --quick) sessions+=(pytest) ;;
        --stage) sessions+=("${2:?--stage needs a name}"); shift ;;
        --stage=*) sessions+=("${1#--stage=}") ;;
        -h | --help) sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"; exec python3 -m nox -l ;;
        --) shift; args=(-- "$@"); break ;;
        *) echo "tests/run.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
for i in "${!sessions[@]}"; do
    case "${sessions[$i]}" in
        matrix) sessions[i]=core-2.21 ;;
        core216) sessions[i]=core-2.16 ;;
    esac
done
if ((${#sessions[@]})); then
    exec python3 -m nox -s "${sessions[@]}" ${args[@]+"${args[@]}"}
fi
exec python3 -m nox ${args[@]+"${args[@]}"}
