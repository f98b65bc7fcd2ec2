"""Hostile names from the API go through ansible-inventory, a playbook, the lookup and the module
unchanged and inert.

The account is the sample one with a gateway named by a Jinja expression that would create a
file if it were ever templated, a gateway id with Jinja, quotes, a newline and unicode, a share
named with 1,000 characters, another with Jinja, quotes, a newline and an emoji, and a group
whose bucket and description hold Jinja.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml

from tests.integration.reliability.conftest import HERE, assert_clean, credentials, inventory, unsafe
from tests.support.sim_process import KEY_ID, KEY_SECRET, SAMPLE_ACCOUNT, Simulator, ansible_env, run_ansible

SYNC_ID = "sync-0002xetjdlxne2sd"
OLD_GATEWAY = "gw-0001b2odzvl3b1mhi"
HOSTILE_GATEWAY_ID = "gw-{{ 7 * 7 }}-'\"\n-ünï-%{x}"
LONG_SHARE = "x" * 1000
ODD_SHARE = "share {% raw %}\n'\"ünïcødé 🚀 {{ 7 * 7 }}"
BUCKET = "bucket-{{ 7 * 7 }}"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """``(simulator, marker, names)``: the simulator of the hostile account; marker must never exist."""
    directory = tmp_path_factory.mktemp("hostile")
    marker = directory / "TEMPLATED"
    jinja = "{{ lookup('ansible.builtin.pipe', 'touch %s') }}" % marker
    account = yaml.safe_load(SAMPLE_ACCOUNT.read_text())
    (gateway,) = [g for g in account["gateways"] if g["GatewayId"] == OLD_GATEWAY]
    gateway.update(GatewayId=HOSTILE_GATEWAY_ID, Name=jinja, Description="quote ' \" and\nnewline {% if x %}")
    tags = account.get("gateway_tags") or {}
    if OLD_GATEWAY in tags:
        tags[HOSTILE_GATEWAY_ID] = tags.pop(OLD_GATEWAY)
    (group,) = [g for g in account["express_syncs"] if g["ExpressSyncId"] == SYNC_ID]
    group.update(BucketName=BUCKET, Description=jinja)
    members = []
    for share in account["shares"]:
        if share["GatewayId"] == OLD_GATEWAY:
            share["GatewayId"] = HOSTILE_GATEWAY_ID
        if share["BucketName"] == "acme-media-assets":
            share["BucketName"] = BUCKET
        if share.get("ExpressSyncId") == SYNC_ID:
            members.append(share)
    members[1]["ShareName"] = LONG_SHARE
    members[2]["ShareName"] = ODD_SHARE
    path = directory / "hostile_account.yml"
    path.write_text(yaml.safe_dump(account, allow_unicode=True))
    names = {(share["ShareName"], share["GatewayId"]) for share in members}
    with Simulator(data=path) as sim:
        yield sim, marker, jinja, names


def hostvars_keys(hostvars):
    return [(unsafe(v["share_name"]), unsafe(v["gateway_id"])) for v in hostvars.values()]


def test_hostile_names_go_through_ansible_inventory_unchanged_and_unsafe(hostile, tmp_path):
    sim, marker, jinja, names = hostile
    run = inventory(sim.url, tmp_path)
    assert run.rc == 0, run.explain()
    hostvars = run.listing["_meta"]["hostvars"]
    for share_name, gateway_id in names:
        host = "%s@%s" % (share_name, gateway_id)
        assert host in hostvars, sorted(hostvars)
        variables = hostvars[host]
        assert unsafe(variables["share_name"]) == share_name
        assert unsafe(variables["gateway_id"]) == gateway_id
        assert unsafe(variables["express_sync_bucket_name"]) == BUCKET
        assert unsafe(variables["express_sync_description"]) == jinja
        if gateway_id == HOSTILE_GATEWAY_ID:
            assert unsafe(variables["gateway_name"]) == jinja
        assert host in run.listing["sgw_sync_sync_0002xetjdlxne2sd"]["hosts"]
    # Every string variable of every host is marked unsafe; every group name is sanitised.
    for variables in hostvars.values():
        for name, value in variables.items():
            if isinstance(value, str):
                raise AssertionError("%s is not marked unsafe: %r" % (name, value))
    for group in run.listing:
        assert group == "_meta" or all(c.isalnum() or c == "_" for c in group), group
    gateway_group = "sgw_gateway_" + re.sub(r"\W", "_", HOSTILE_GATEWAY_ID)
    assert gateway_group == "sgw_gateway_gw____7___7________ünï___x_"
    assert set(run.listing[gateway_group]["hosts"]) == {
        "%s@%s" % (share, gateway) for share, gateway in hostvars_keys(hostvars) if gateway == HOSTILE_GATEWAY_ID}
    assert not marker.exists()
    assert_clean(run)


def test_hostile_names_go_through_a_playbook_the_lookup_and_the_module_unchanged_and_inert(hostile, tmp_path):
    sim, marker, jinja, names = hostile
    source = tmp_path / "hostile.sgw.yml"
    source.write_text(yaml.safe_dump({"plugin": "alibabacloud.sgw.sgw", "regions": ["cn-hangzhou"]}))
    report = tmp_path / "report.json"
    extra = {"report_path": str(report), "sync_id": SYNC_ID, "sgw_endpoint": sim.url, "sgw_key_id": KEY_ID,
             "sgw_key_secret": KEY_SECRET}
    (tmp_path / "extra.json").write_text(json.dumps(extra))
    env = ansible_env(ALIBABA_CLOUD_SGW_ENDPOINT=sim.url, ALIBABA_CLOUD_REGION_ID="cn-hangzhou",
                      **credentials())
    process = run_ansible("ansible-playbook", "-vvvv", "-i", source, "-e", "@%s" % (tmp_path / "extra.json"),
                          HERE / "playbooks" / "hostile_names.yml", env=env, cwd=tmp_path)
    assert process.returncode == 0, process.stdout[-4000:] + process.stderr[-2000:]
    assert not marker.exists(), "a name was templated"
    result = json.loads(report.read_text())
    from_inventory = {(v["share_name"], v["gateway_id"]) for v in result["inventory"].values()}
    assert names <= from_inventory
    for host, variables in result["inventory"].items():
        assert variables["inventory_hostname"] == host == "%s@%s" % (variables["share_name"], variables["gateway_id"])
        if variables["gateway_id"] == HOSTILE_GATEWAY_ID:
            assert variables["gateway_name"] == jinja
    assert {(s["share_name"], s["gateway_id"]) for s in result["lookup"]} == names
    assert {s["gateway_name"] for s in result["lookup"] if s["gateway_id"] == HOSTILE_GATEWAY_ID} == {jinja}
    (group,) = result["module"]
    assert group["bucket_name"] == BUCKET and group["description"] == jinja
    assert {(s["share_name"], s["gateway_id"]) for s in group["shares"]} == names
    assert sorted(result["rendered"].split("|")) == sorted(share for share, dummy in names)
    assert "{{ 7 * 7 }}" in process.stdout and "49" not in result["rendered"]
    # The module's secret option is no_log: where -vvvv shows the invocation (ansible-core 2.19 and
    # 2.20; 2.21 no longer returns it), it is masked.
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in process.stdout or '"invocation"' not in process.stdout
    for text in (process.stdout, process.stderr, report.read_text()):
        assert KEY_SECRET not in text
        assert "Traceback" not in text
