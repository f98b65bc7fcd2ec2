"""1,000 group ids in one DescribeExpressSyncShares call, behind a front end that refuses query strings past
8 KB: the parameters go in a form-encoded body, signed with V3 (the body's SHA-256) and with V1 (its
parameters), and the simulator's own verifier accepts both."""

from __future__ import annotations

import json

import pytest
import yaml

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import api
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import transport
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.chain import Credentials
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError
from tests.support.sim_process import KEY_ID, KEY_SECRET, QUERY_LIMIT, Simulator, ansible_env, run_ansible

GROUPS = 1000
SIGNATURES = ("v3", "v1")


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    path = tmp_path_factory.mktemp("long") / "thousand_groups.json"
    from tests.simulator.__main__ import main  # pylint: disable=import-outside-toplevel
    assert main(["--generate", "--regions", "1", "--groups-per-region", str(GROUPS), "--shares-per-group", "1",
                 "--gateways-per-region", "2", "--candidates-per-group", "0", "--write", str(path)]) == 0
    document = json.loads(path.read_text())
    assert len(document["express_syncs"]) == GROUPS
    return path, document


@pytest.fixture(scope="module")
def simulator(account):
    with Simulator(data=account[0], scope="region") as sim:
        yield sim


def client(simulator, version):
    return transport.SgwClient(Credentials(KEY_ID, KEY_SECRET), endpoint=simulator.url, signature_version=version,
                               retry=transport.RetryPolicy(max_retries=0))


@pytest.mark.parametrize("version", SIGNATURES)
def test_a_thousand_ids_in_one_call(simulator, account, version):
    document = account[1]
    region = document["regions"][0]
    ids = [group["ExpressSyncId"] for group in document["express_syncs"]]
    assert len(",".join(ids)) > QUERY_LIMIT
    simulator.reset()
    shares = api.describe_express_sync_shares(client(simulator, version), region, ids)
    assert {share["ExpressSyncId"] for share in shares} == set(ids)
    stats = simulator.stats()
    assert stats["actions"] == {"DescribeExpressSyncShares": 1} and stats["errors"] == {}


@pytest.mark.parametrize("version", SIGNATURES)
def test_short_calls_keep_the_query_string(simulator, account, version, monkeypatch):
    """The front end's limit is real: in a query string, the same call is refused with 414."""
    document = account[1]
    ids = [group["ExpressSyncId"] for group in document["express_syncs"]]
    monkeypatch.setattr(transport, "FORM_BODY_BYTES", 10 ** 9)
    with pytest.raises(SgwApiError) as info:
        api.describe_express_sync_shares(client(simulator, version), document["regions"][0], ids)
    assert info.value.status == 414


@pytest.mark.parametrize("version", SIGNATURES)
def test_a_thousand_ids_in_one_lookup(simulator, account, tmp_path, version):
    document = account[1]
    ids = [group["ExpressSyncId"] for group in document["express_syncs"]]
    variables = tmp_path / "vars.yml"
    variables.write_text(yaml.safe_dump({"ids": ids, "report": str(tmp_path / "report.json")}))
    playbook = tmp_path / "thousand.yml"
    playbook.write_text(yaml.safe_dump([{
        "hosts": "localhost", "connection": "local", "gather_facts": False,
        "tasks": [{"ansible.builtin.copy": {
            "dest": "{{ report }}", "mode": "0600",
            "content": "{{ query('alibabacloud.sgw.express_sync_shares', ids, signature_version='%s') "
                       "| map(attribute='express_sync_id') | list | to_json }}" % version}}],
    }]))
    simulator.reset()
    env = ansible_env(ALIBABA_CLOUD_SGW_ENDPOINT=simulator.url, ALIBABA_CLOUD_ACCESS_KEY_ID=KEY_ID,
                      ALIBABA_CLOUD_ACCESS_KEY_SECRET=KEY_SECRET, ALIBABA_CLOUD_REGION_ID=document["regions"][0])
    process = run_ansible("ansible-playbook", "-i", "localhost,", "-e", "@%s" % variables, playbook, env=env)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert sorted(json.loads((tmp_path / "report.json").read_text())) == sorted(ids)
    stats = simulator.stats()
    assert stats["actions"] == {"DescribeExpressSyncShares": 1} and stats["errors"] == {}
