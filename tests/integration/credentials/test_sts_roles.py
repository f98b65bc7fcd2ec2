"""RAM roles and OIDC against the simulator's STS, through the real ``ansible-*`` commands.

AssumeRole from environment keys, from an aliyun CLI profile chain, OIDC from a token file,
temporary credentials renewed in the middle of a module that waits longer than they last, a role
whose trust rule refuses the caller, and an STS endpoint that is down. The base AccessKey is denied
every SGW action in the simulator, so a run that lists hosts proves that the SGW calls were signed
with the role's temporary credentials. No run prints a secret, a token or a traceback.
"""

from __future__ import annotations

import json
import pathlib
import socket

import pytest
import yaml

from tests.support.sim_process import (
    KEY_ID,
    KEY_SECRET,
    SAMPLE_ACCOUNT,
    SECRETS,
    Simulator,
    ansible_env,
    run_ansible,
)

pytestmark = pytest.mark.core_matrix

ACCOUNT = "1638094425718837"
CENTRAL = "acs:ram::%s:role/central" % ACCOUNT
READER = "acs:ram::%s:role/sgw-reader" % ACCOUNT
REFUSING = "acs:ram::%s:role/locked" % ACCOUNT
OIDC_PROVIDER = "acs:ram::%s:oidc-provider/ack-rrsa" % ACCOUNT
OIDC_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlLW9mLXRoZS10ZXN0"
ROLES = [
    {"Arn": CENTRAL, "Trust": {"Principals": [KEY_ID]}},
    {"Arn": READER, "Trust": {"Principals": [KEY_ID, CENTRAL], "OidcProviderArn": OIDC_PROVIDER}},
    {"Arn": REFUSING, "Trust": {"Principals": ["LTAI5tSomebodyElse000"]}},
]
SGW_ACTIONS = ("DescribeRegions", "DescribeExpressSyncs", "DescribeExpressSyncShares", "DescribeGateways",
               "DescribeTasks", "AddSharesToExpressSync")
BASE_KEY = {"ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": KEY_SECRET}


def account_with_roles(directory) -> pathlib.Path:
    document = yaml.safe_load(SAMPLE_ACCOUNT.read_text())
    document["roles"] = ROLES
    path = pathlib.Path(directory) / "account.yml"
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.fixture
def sim_factory(tmp_path):
    started = []

    def start(*args):
        # The base key may call STS only: every SGW action is denied to it.
        denies = [arg for action in SGW_ACTIONS for arg in ("--deny", "%s@%s" % (action, KEY_ID))]
        sim = Simulator(*denies, *args, data=account_with_roles(tmp_path))
        started.append(sim)
        return sim
    yield start
    for sim in started:
        sim.stop()


def inventory(sim, directory, env, **options):
    config = {"plugin": "alibabacloud.sgw.sgw", "regions": ["cn-hangzhou"], "endpoint": sim.url,
              "sts_endpoint": sim.url, "max_retries": 0}
    config.update(options)
    path = pathlib.Path(directory) / "roles.sgw.yml"
    path.write_text(yaml.safe_dump(config))
    return run_ansible("ansible-inventory", "-i", path, "--list", env=ansible_env(**env))


def adhoc(module, args, env):
    """``ansible localhost -m <module> -a <json args>`` (a lookup runs through ansible.builtin.debug)."""
    return run_ansible("ansible", "localhost", "-i", "localhost,", "-c", "local", "-m", module, "-a", json.dumps(args),
                       env=ansible_env(**env))


def assert_clean(run, *extra):
    text = run.stdout + run.stderr
    assert "Traceback" not in text, text
    for secret in SECRETS + (OIDC_TOKEN,) + extra:
        assert secret not in text, text


def role_calls(sim):
    actions = sim.stats()["actions"]
    return actions.get("AssumeRole", 0), actions.get("AssumeRoleWithOIDC", 0)


def test_assume_role_from_environment_keys(sim_factory, tmp_path):
    sim = sim_factory()
    run = inventory(sim, tmp_path, dict(BASE_KEY, ALIBABA_CLOUD_ROLE_ARN=READER,
                                        ALIBABA_CLOUD_ROLE_SESSION_NAME="inventory-test"))
    assert run.returncode == 0, run.stderr
    listing = json.loads(run.stdout)
    assert "media-nfs@gw-0001b2odzvl3b1mhi" in listing["_meta"]["hostvars"]
    assert role_calls(sim) == (1, 0)
    assert "Forbidden.RAM" not in sim.stats()["errors"]
    assert_clean(run)


def test_temporary_credentials_never_reach_the_cache_or_the_output(sim_factory, tmp_path):
    sim = sim_factory()
    cache = tmp_path / "cache"
    run = inventory(sim, tmp_path, dict(BASE_KEY), ram_role_arn=READER, cache=True,
                    cache_plugin="ansible.builtin.jsonfile", cache_connection=str(cache))
    assert run.returncode == 0, run.stderr
    written = "".join(path.read_text() for path in cache.rglob("*") if path.is_file())
    assert written and "sgw" in written
    # The simulator's temporary keys start with STS. and its tokens with CAIS: neither is kept or shown.
    for text in (written, run.stdout, run.stderr):
        assert "STS." not in text and "CAIS" not in text
    assert_clean(run)
    # A hit makes no call at all: not even AssumeRole (the role and its source name the identity).
    before = sim.stats()["total"]
    again = inventory(sim, tmp_path, dict(BASE_KEY), ram_role_arn=READER, cache=True,
                      cache_plugin="ansible.builtin.jsonfile", cache_connection=str(cache))
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == json.loads(run.stdout)
    assert sim.stats()["total"] == before
    # Another role is another identity: fetched afresh.
    other = inventory(sim, tmp_path, dict(BASE_KEY), ram_role_arn=CENTRAL, cache=True,
                      cache_plugin="ansible.builtin.jsonfile", cache_connection=str(cache))
    assert sim.stats()["actions"].get("AssumeRole", 0) == 2, other.stderr


def test_assume_role_from_a_cli_profile_chain(sim_factory, tmp_path):
    """base (AK) -> central (RamRoleArn) -> sgw-reader (ChainableRamRoleArn), named by profile in a lookup."""
    sim = sim_factory()
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"current": "base", "profiles": [
        {"name": "central", "mode": "RamRoleArn", "access_key_id": KEY_ID, "access_key_secret": KEY_SECRET,
         "ram_role_arn": CENTRAL, "ram_session_name": "central-session"},
        {"name": "reader", "mode": "ChainableRamRoleArn", "source_profile": "central", "ram_role_arn": READER},
    ]}))
    msg = ("{{ lookup('alibabacloud.sgw.express_syncs', region='cn-hangzhou', endpoint='%s', sts_endpoint='%s', "
           "profile='reader', credentials_file='%s', max_retries=0) | map(attribute='express_sync_id') | list }}" % (
               sim.url, sim.url, config))
    # Ambient AccessKey variables lose to the profile named explicitly.
    run = adhoc("ansible.builtin.debug", {"msg": msg}, dict(BASE_KEY))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "sync-0002xetjdlxne2sd" in run.stdout
    assert role_calls(sim) == (2, 0)
    assert_clean(run)


def test_oidc_from_a_token_file(sim_factory, tmp_path):
    sim = sim_factory()
    token = tmp_path / "token"
    token.write_text(OIDC_TOKEN)
    env = {"ALIBABA_CLOUD_ROLE_ARN": READER, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": OIDC_PROVIDER,
           "ALIBABA_CLOUD_OIDC_TOKEN_FILE": str(token), "ALIBABA_CLOUD_STS_ENDPOINT": sim.url,
           "ALIBABA_CLOUD_SGW_ENDPOINT": sim.url, "ALIBABA_CLOUD_REGION_ID": "cn-hangzhou"}
    run = adhoc("alibabacloud.sgw.express_sync_info", {"max_retries": 0}, env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "sync-0002xetjdlxne2sd" in run.stdout
    assert role_calls(sim) == (0, 1)
    assert_clean(run)


def test_temporary_credentials_are_renewed_while_a_module_waits(sim_factory, tmp_path):
    """The role's credentials last 2 s; the module waits about 6 s for its task, and never sends expired ones."""
    sim = sim_factory("--sts-duration", "2", "--task-seconds", "6")
    args = {"express_sync_id": "sync-0002xetjdlxne2sd", "region": "cn-hangzhou", "endpoint": sim.url,
            "sts_endpoint": sim.url, "ram_role_arn": READER,
            "shares": [{"gateway_id": "gw-0002c8pz1kq7y4rtd", "share_name": "media-archive"}]}
    run = adhoc("alibabacloud.sgw.express_sync", args, dict(BASE_KEY))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "CHANGED" in run.stdout
    stats = sim.stats()
    assert stats["actions"]["AssumeRole"] >= 3, stats
    assert "InvalidSecurityToken.Expired" not in stats["errors"], stats
    assert_clean(run)


def test_a_role_whose_trust_rule_refuses_the_caller(sim_factory, tmp_path):
    sim = sim_factory()
    run = inventory(sim, tmp_path, dict(BASE_KEY), ram_role_arn=REFUSING)
    assert run.returncode != 0
    text = " ".join(run.stderr.split())
    assert "AssumeRole of role %s failed at %s: NoPermission (HTTP 403)" % (REFUSING, sim.url) in text
    assert "RequestId " in text and "trust policy" in text and "sts:AssumeRole" in text
    assert "LTAI****on01" in text
    assert role_calls(sim) == (1, 0)
    assert sim.stats()["actions"].get("DescribeExpressSyncs") is None
    assert_clean(run)


def test_an_sts_endpoint_that_is_down(sim_factory, tmp_path):
    sim = sim_factory()
    with socket.socket() as probe:  # a loopback port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        down = "http://127.0.0.1:%d" % probe.getsockname()[1]
    run = inventory(sim, tmp_path, dict(BASE_KEY), ram_role_arn=READER, sts_endpoint=down)
    assert run.returncode != 0
    text = " ".join(run.stderr.split())
    assert "AssumeRole of role %s failed: could not reach the STS endpoint %s" % (READER, down) in text
    assert "sts_endpoint" in text
    assert sim.stats()["total"] == 0
    assert_clean(run)
