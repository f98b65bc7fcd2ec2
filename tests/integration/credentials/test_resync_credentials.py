"""Every credential source through the writes: the module express_sync_resync and the playbook
heal_failed_shares, each run with static keys, an STS token, a CLI profile, a RAM role, a chained CLI
profile, an ECS RAM role, OIDC and a credentials URI.

The temporary credentials last 2 s (``--sts-duration``) while a run lasts several: they expire
during the run and are renewed. For the role sources the base AccessKey is denied every SGW action,
so a run that heals proves its calls were signed with the temporary credentials. The ECS metadata
service and the credentials URI are a small loopback server that hands out credentials it assumes
from the simulator's STS. No run prints a secret, a token or a traceback.
"""

from __future__ import annotations

import http.server
import json
import threading

import pytest
import yaml

from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.chain import Credentials
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.sts import StsClient
from tests.integration.credentials.test_sts_roles import (
    BASE_KEY,
    OIDC_PROVIDER,
    OIDC_TOKEN,
    READER,
    CENTRAL,
    SGW_ACTIONS,
    account_with_roles,
)
from tests.support.sim_process import (
    KEY_ID,
    KEY_SECRET,
    SECRETS,
    STS_KEY_ID,
    STS_SECRET,
    STS_TOKEN,
    Simulator,
    ansible_env,
    run_ansible,
)

SHARE = {"express_sync_id": "sync-0001xv7je357xn8t", "gateway_id": "gw-0004xq2m7bd1v9hke",
         "share_name": "render-frames", "region": "cn-hangzhou"}
LABEL = "render-frames@gw-0004xq2m7bd1v9hke"
ROLE_SOURCES = ("ram_role", "chained_profile", "ecs_role", "oidc", "credentials_uri")
SOURCES = ("static_keys", "sts_token", "cli_profile") + ROLE_SOURCES
WRITES = ("RemoveSharesFromExpressSync", "AddSharesToExpressSync", "DescribeTasks")


class CredentialServer(http.server.ThreadingHTTPServer):
    """ECS metadata (IMDSv2 token, then the role's credentials) and a credentials URI on 127.0.0.1: each
    request for credentials assumes the role READER at the simulator's STS with the base key."""

    def __init__(self, sim_url):
        self.sts = StsClient(Credentials(KEY_ID, KEY_SECRET, source="tests"), endpoint=sim_url)
        self.fetched = 0
        super().__init__(("127.0.0.1", 0), _CredentialHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server_address[1]

    def credentials(self):
        self.fetched += 1
        body = self.sts.call("AssumeRole", "cn-hangzhou", {
            "RoleArn": READER, "RoleSessionName": "metadata", "DurationSeconds": 900})
        return dict(body["Credentials"], Code="Success")

    def stop(self):
        self.shutdown()
        self.server_close()
        self.sts.close()


class _CredentialHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def do_PUT(self):  # pylint: disable=invalid-name
        self._answer(b"imds-token-for-tests" if self.path == "/latest/api/token" else None)

    def do_GET(self):  # pylint: disable=invalid-name
        if self.path in ("/latest/meta-data/ram/security-credentials/sgw-heal", "/credentials"):
            self._answer(json.dumps(self.server.credentials()).encode())
        else:
            self._answer(None)

    def _answer(self, body):
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")


@pytest.fixture
def world(tmp_path):
    """``start(source)``: a simulator and the environment of that credential source."""
    started = []

    def start(source):
        role = source in ROLE_SOURCES
        denies = [arg for action in SGW_ACTIONS + WRITES[:2] for arg in ("--deny", "%s@%s" % (action, KEY_ID))]
        sim = Simulator(*(denies if role else []), "--sts-duration", "2", "--task-seconds", "1",
                        "--full-sync-seconds", "2", data=account_with_roles(tmp_path))
        started.append(sim)
        env = {"ALIBABA_CLOUD_SGW_ENDPOINT": sim.url, "ALIBABA_CLOUD_STS_ENDPOINT": sim.url,
               "ALIBABA_CLOUD_SGW_RESYNC_JOURNAL": str(tmp_path / "journal.json")}
        config = tmp_path / "config.json"
        if source == "static_keys":
            env.update(BASE_KEY)
        elif source == "sts_token":
            env.update(ALIBABA_CLOUD_ACCESS_KEY_ID=STS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET=STS_SECRET,
                       ALIBABA_CLOUD_SECURITY_TOKEN=STS_TOKEN)
        elif source in ("cli_profile", "chained_profile"):
            config.write_text(json.dumps({"current": "base", "profiles": [
                {"name": "base", "mode": "AK", "access_key_id": KEY_ID, "access_key_secret": KEY_SECRET},
                {"name": "central", "mode": "RamRoleArn", "access_key_id": KEY_ID, "access_key_secret": KEY_SECRET,
                 "ram_role_arn": CENTRAL, "ram_session_name": "central-session"},
                {"name": "reader", "mode": "ChainableRamRoleArn", "source_profile": "central",
                 "ram_role_arn": READER},
            ]}))
            env.update(ALICLOUD_SHARED_CREDENTIALS_FILE=str(config),
                       ALIBABA_CLOUD_PROFILE="base" if source == "cli_profile" else "reader")
        elif source == "ram_role":
            env.update(BASE_KEY, ALIBABA_CLOUD_ROLE_ARN=READER, ALIBABA_CLOUD_ROLE_SESSION_NAME="heal")
        elif source == "oidc":
            token = tmp_path / "oidc-token"
            token.write_text(OIDC_TOKEN)
            env.update(ALIBABA_CLOUD_ROLE_ARN=READER, ALIBABA_CLOUD_OIDC_PROVIDER_ARN=OIDC_PROVIDER,
                       ALIBABA_CLOUD_OIDC_TOKEN_FILE=str(token))
        else:
            server = CredentialServer(sim.url)
            started.append(server)
            if source == "ecs_role":
                env.update(ALIBABA_CLOUD_ECS_METADATA="sgw-heal", ALIBABA_CLOUD_ECS_METADATA_URL=server.url)
            else:
                env.update(ALIBABA_CLOUD_CREDENTIALS_URI=server.url + "/credentials")
        return sim, env

    yield start
    for item in started:
        item.stop()


def assert_clean(run):
    for text in (run.stdout, run.stderr):
        assert "Traceback" not in text
        for secret in SECRETS + (OIDC_TOKEN,):
            assert secret not in text
        assert "CAIS" not in text  # the simulator's STS tokens


def members(sim):
    account = sim.control("/_sim/account")
    return sorted("%s@%s" % (s["ShareName"], s["GatewayId"]) for s in account["shares"] if s["ExpressSyncId"])


def assert_renewed(sim, source):
    stats = sim.stats()
    assert "InvalidSecurityToken.Expired" not in stats["errors"], stats
    assert "Forbidden.RAM" not in stats["errors"], stats
    if source in ROLE_SOURCES:  # the credentials of 2 s were renewed during the run
        assumed = stats["actions"].get("AssumeRole", 0) + stats["actions"].get("AssumeRoleWithOIDC", 0)
        assert assumed >= 2, stats


@pytest.mark.parametrize("source", SOURCES)
def test_express_sync_resync_with_every_credential_source(world, source):
    sim, env = world(source)
    before = members(sim)
    run = run_ansible("ansible", "localhost", "-i", "localhost,", "-c", "local", "-m",
                      "alibabacloud.sgw.express_sync_resync", "-a", json.dumps({
                          "shares": [SHARE], "healthy_timeout": 60, "max_retries": 0}), env=ansible_env(**env))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "masked_key_id" not in run.stdout and LABEL in run.stdout
    assert sim.stats()["actions"]["RemoveSharesFromExpressSync"] == 1
    assert members(sim) == before
    assert_renewed(sim, source)
    assert_clean(run)


@pytest.mark.parametrize("source", SOURCES)
def test_the_heal_playbook_with_every_credential_source(world, source, tmp_path):
    sim, env = world(source)
    before = members(sim)
    inventory = tmp_path / "heal.sgw.yml"
    inventory.write_text(yaml.safe_dump({"plugin": "alibabacloud.sgw.sgw", "endpoint": sim.url,
                                         "sts_endpoint": sim.url, "regions": ["cn-hangzhou", "cn-shanghai"]}))
    run = run_ansible("ansible-playbook", "alibabacloud.sgw.heal_failed_shares", "-i", inventory,
                      "-e", "sgw_heal_delay=0.5", "-e", "sgw_heal_retries=60", env=ansible_env(**env))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert sim.stats()["actions"]["AddSharesToExpressSync"] == 3  # the three failed shares of the account
    assert members(sim) == before
    assert_renewed(sim, source)
    assert_clean(run)
