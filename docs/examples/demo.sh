#!/usr/bin/env bash
# The collection's demo on a fresh machine: it sets up a virtualenv with ansible-core and the
# collection's requirements, starts the local SGW simulator with the sample account, shows the
# inventory graph of docs/examples/demo.sgw.yml, runs the playbook alibabacloud.sgw.report_failed_shares
# (its play targets sgw_health_failed), and stops the simulator. The credential, profile and region
# variables of the calling shell are cleared first.
#
#     bash docs/examples/demo.sh
#
# Environment: SGW_DEMO_VENV (default .venv-demo in the checkout) picks the virtualenv;
# SGW_DEMO_PYTHON the Python 3.11+ that creates it.
set -euo pipefail

cd "$(dirname "$0")/../.."
REPO="$(pwd -P)"
VENV="${SGW_DEMO_VENV:-$REPO/.venv-demo}"
KEY_ID="LTAI5tSgwDemoKey0001"
KEY_SECRET="$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"

if [[ ! -x "$VENV/bin/ansible-inventory" ]]; then
    PYTHON="${SGW_DEMO_PYTHON:-$(command -v python3.11 || command -v python3)}"
    echo "Setting up $VENV with ansible-core and the collection's requirements..."
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check 'ansible-core>=2.19,<2.22' -r requirements.txt
fi

# Ansible finds collections below ansible_collections/<namespace>/<name>: link this checkout there.
WORK="$(mktemp -d)"
mkdir -p "$WORK/ansible_collections/alibabacloud"
ln -s "$REPO" "$WORK/ansible_collections/alibabacloud/sgw"

SIMULATOR_PID=""
cleanup() {
    if [[ -n "$SIMULATOR_PID" ]]; then
        kill "$SIMULATOR_PID" 2>/dev/null || true
        wait "$SIMULATOR_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

"$VENV/bin/python" -m tests.simulator --port 0 --data tests/simulator/data/sample_account.yml \
    --access-key "$KEY_ID:$KEY_SECRET" >"$WORK/simulator.out" &
SIMULATOR_PID=$!
READY_LINE=""
for _ in $(seq 300); do
    READY_LINE="$(head -n1 "$WORK/simulator.out")"
    [[ -n "$READY_LINE" ]] && break
    kill -0 "$SIMULATOR_PID" 2>/dev/null || { echo "The SGW simulator did not start." >&2; exit 1; }
    sleep 0.1
done
[[ -n "$READY_LINE" ]] || { echo "The SGW simulator did not start in 30 seconds." >&2; exit 1; }
echo "$READY_LINE"

# Credentials, profiles and regions of the user's shell would change what the demo sees (an
# ALIBABA_CLOUD_SECURITY_TOKEN would be sent with the demo key): clear every one it does not set.
while IFS= read -r name; do
    unset "$name"
done < <(compgen -e | grep -E '^(ALIBABA_CLOUD|ALICLOUD)_' || true)

export PATH="$VENV/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$WORK"
export ANSIBLE_INVENTORY_UNPARSED_FAILED=true
export ANSIBLE_PYTHON_INTERPRETER="$VENV/bin/python"
export ALIBABA_CLOUD_SGW_ENDPOINT="${READY_LINE##* }"
export ALIBABA_CLOUD_ACCESS_KEY_ID="$KEY_ID"
export ALIBABA_CLOUD_ACCESS_KEY_SECRET="$KEY_SECRET"

echo
echo "\$ ansible-inventory -i docs/examples/demo.sgw.yml --graph"
ansible-inventory -i docs/examples/demo.sgw.yml --graph
echo
echo "\$ ansible-playbook -i docs/examples/demo.sgw.yml alibabacloud.sgw.report_failed_shares"
ansible-playbook -i docs/examples/demo.sgw.yml alibabacloud.sgw.report_failed_shares
