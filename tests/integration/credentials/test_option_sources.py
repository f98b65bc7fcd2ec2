"""Every source of the shared options, through the real ``ansible-inventory``, a lookup and a module,
on the ansible-core that runs the tests (the ``core_matrix`` sessions run it on each supported one).

In each row, the values that must win are put in one place (the inventory file, the lookup's or
the module's arguments, a template, the environment, an aliyun CLI profile, a credentials URI,
the ECS metadata service) and wrong ones where they must lose: a closed port as the endpoint and
another account's keys in the environment. A row passes when the run succeeds against the
simulator, in the region the row asks for, without a secret or a traceback in the output.
"""

from __future__ import annotations

import json
import pathlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

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

pytestmark = pytest.mark.core_matrix

CLOSED_PORT = "http://127.0.0.1:9"
OTHER_ACCOUNT = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tOtherAccount0001",
                 "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "other-account-secret-01"}
# What loses: another account's keys, an endpoint nobody answers on, another region.
WRONG_ENV = dict(OTHER_ACCOUNT, ALIBABA_CLOUD_SGW_ENDPOINT=CLOSED_PORT, ALIBABA_CLOUD_REGION_ID="cn-qingdao")
KEYS = {"access_key_id": KEY_ID, "access_key_secret": KEY_SECRET}
GOOD_ENV_KEYS = {"ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": KEY_SECRET}
EMPTY = dict.fromkeys((
    "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
    "ALICLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE", "ALIBABA_CLOUD_ECS_METADATA",
    "ALICLOUD_ECS_ROLE_NAME", "ALIBABA_CLOUD_ECS_METADATA_URL", "ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_ROLE_SESSION_NAME",
    "ALIBABA_CLOUD_ROLE_SESSION_EXPIRATION", "ALIBABA_CLOUD_STS_ENDPOINT", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
    "ALIBABA_CLOUD_OIDC_TOKEN_FILE", "ALIBABA_CLOUD_CREDENTIALS_URI", "ALIBABA_CLOUD_SGW_ENDPOINT_TYPE",
    "ALIBABA_CLOUD_SGW_SIGNATURE_VERSION", "ALIBABA_CLOUD_SGW_TIMEOUT", "ALIBABA_CLOUD_SGW_VALIDATE_CERTS",
    "ALIBABA_CLOUD_SGW_CA_BUNDLE", "ALIBABA_CLOUD_SGW_MAX_RETRIES", "ALIBABA_CLOUD_SGW_MAX_RETRY_TIME",
    "ALIBABA_CLOUD_REGION_ID", "ALICLOUD_SHARED_CREDENTIALS_FILE"), "")
ALL = ("inventory", "lookup", "module")
PLUGINS = ("inventory", "lookup")

# id, kinds, environment, written options. "{sim}", "{metadata}" and "{profiles}" are filled in;
# the region asked for is always cn-hangzhou (written, or from the environment when nothing is written).
ROWS = [
    ("written-beats-the-environment", ALL, WRONG_ENV, dict(KEYS, endpoint="{sim}", region="cn-hangzhou")),
    ("written-by-alias-beats-the-environment", ALL, WRONG_ENV,
     {"access_key": KEY_ID, "secret_key": KEY_SECRET, "endpoint": "{sim}", "region_id": "cn-hangzhou"}),
    ("environment-alone", ALL,
     dict(GOOD_ENV_KEYS, ALIBABA_CLOUD_SGW_ENDPOINT="{sim}", ALIBABA_CLOUD_REGION_ID="cn-hangzhou"), {}),
    ("documented-variables-first", ALL,
     dict(GOOD_ENV_KEYS, ALICLOUD_ACCESS_KEY="LTAI5tStaleOldKey0001", ALICLOUD_SECRET_KEY="stale-secret-0001",
          ALIBABA_CLOUD_SGW_ENDPOINT="{sim}", ALIBABA_CLOUD_REGION_ID="cn-hangzhou", ALICLOUD_REGION="cn-qingdao"),
     {}),
    ("empty-variables-are-unset", ALL,
     dict(EMPTY, ALICLOUD_ACCESS_KEY=KEY_ID, ALICLOUD_SECRET_KEY=KEY_SECRET, ALIBABA_CLOUD_SGW_ENDPOINT="{sim}",
          ALICLOUD_REGION="cn-hangzhou"), {}),
    ("templated", ("inventory", "module"), dict(WRONG_ENV, SIM_URL="{sim}", SIM_SECRET=KEY_SECRET),
     {"access_key_id": KEY_ID, "access_key_secret": "{{ lookup('ansible.builtin.env', 'SIM_SECRET') }}",
      "endpoint": "{{ lookup('ansible.builtin.env', 'SIM_URL') }}", "region": "cn-hangzhou"}),
    ("written-settings-beat-their-variables", ALL,
     dict(GOOD_ENV_KEYS, ALIBABA_CLOUD_SGW_ENDPOINT="{sim}", ALIBABA_CLOUD_SGW_SIGNATURE_VERSION="v0",
          ALIBABA_CLOUD_SGW_TIMEOUT="not-a-number", ALIBABA_CLOUD_SGW_ENDPOINT_TYPE="nowhere"),
     {"signature_version": "v1", "timeout": 20, "endpoint_type": "vpc", "region": "cn-hangzhou"}),
    ("cli-profile-written", ALL, WRONG_ENV,
     {"profile": "sim", "credentials_file": "{profiles}", "endpoint": "{sim}", "region": "cn-hangzhou"}),
    ("cli-profile-from-the-environment", PLUGINS,
     dict(ALIBABA_CLOUD_PROFILE="sim", ALICLOUD_SHARED_CREDENTIALS_FILE="{profiles}", ALIBABA_CLOUD_SGW_ENDPOINT="{sim}",
          ALIBABA_CLOUD_REGION_ID="cn-hangzhou"), {}),
    ("cli-current-profile", PLUGINS,
     dict(ALICLOUD_SHARED_CREDENTIALS_FILE="{profiles}", ALIBABA_CLOUD_SGW_ENDPOINT="{sim}",
          ALIBABA_CLOUD_REGION_ID="cn-hangzhou"), {}),
    ("sts-token-written", ALL, WRONG_ENV,
     {"access_key_id": STS_KEY_ID, "access_key_secret": STS_SECRET, "security_token": STS_TOKEN,
      "endpoint": "{sim}", "region": "cn-hangzhou"}),
    ("sts-token-from-the-environment", PLUGINS,
     dict(ALIBABA_CLOUD_ACCESS_KEY_ID=STS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET=STS_SECRET,
          ALIBABA_CLOUD_SECURITY_TOKEN=STS_TOKEN, ALIBABA_CLOUD_SGW_ENDPOINT="{sim}",
          ALIBABA_CLOUD_REGION_ID="cn-hangzhou"), {}),
    ("credentials-uri-written", ALL, WRONG_ENV,
     {"credentials_uri": "{metadata}/credentials", "endpoint": "{sim}", "region": "cn-hangzhou"}),
    ("credentials-uri-from-the-environment", PLUGINS,
     dict(ALIBABA_CLOUD_CREDENTIALS_URI="{metadata}/credentials", ALIBABA_CLOUD_SGW_ENDPOINT="{sim}",
          ALIBABA_CLOUD_REGION_ID="cn-hangzhou"), {}),
    ("ecs-role-written", ALL, WRONG_ENV,
     {"ecs_role_name": "SimRole", "ecs_metadata_url": "{metadata}", "endpoint": "{sim}", "region": "cn-hangzhou"}),
    ("ecs-role-from-the-environment", PLUGINS,
     dict(ALIBABA_CLOUD_ECS_METADATA="SimRole", ALIBABA_CLOUD_ECS_METADATA_URL="{metadata}",
          ALIBABA_CLOUD_SGW_ENDPOINT="{sim}", ALIBABA_CLOUD_REGION_ID="cn-hangzhou"), {}),
]
CASES = [(row, kind) for row in ROWS for kind in row[1]]


class _Metadata(BaseHTTPRequestHandler):
    """A loopback ECS metadata service and credentials URI that hand out the simulator's STS key."""

    def log_message(self, *args):
        pass

    def do_PUT(self):
        self._answer(200, "imds-token")

    def do_GET(self):
        if self.path in ("/credentials", "/latest/meta-data/ram/security-credentials/SimRole"):
            self._answer(200, json.dumps({"Code": "Success", "AccessKeyId": STS_KEY_ID, "AccessKeySecret": STS_SECRET,
                                          "SecurityToken": STS_TOKEN, "Expiration": "2099-01-01T00:00:00Z"}))
        else:
            self.send_error(404)

    def _answer(self, status, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def sim():
    with Simulator() as running:
        yield running


@pytest.fixture(scope="module")
def metadata():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Metadata)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def profiles(tmp_path_factory):
    path = tmp_path_factory.mktemp("aliyun") / "config.json"
    path.write_text(json.dumps({"current": "sim", "profiles": [
        {"name": "other", "mode": "AK", "access_key_id": "LTAI5tOtherAccount0001", "access_key_secret": "x-other"},
        {"name": "sim", "mode": "AK", "access_key_id": KEY_ID, "access_key_secret": KEY_SECRET}]}))
    return str(path)


def fill(mapping, values):
    return {k: v.format(**values) if isinstance(v, str) and "{{" not in v else v for k, v in mapping.items()}


def run(kind, directory, env, written):
    if kind == "inventory":
        config = {"plugin": "alibabacloud.sgw.sgw", "max_retries": 0, "gateway_details": False}
        config.update({k: v for k, v in written.items() if k not in ("region", "region_id")})
        region = written.get("region") or written.get("region_id")
        config["regions"] = [region or env.get("ALIBABA_CLOUD_REGION_ID") or env.get("ALICLOUD_REGION")]
        path = pathlib.Path(directory) / "sources.sgw.yml"
        path.write_text(yaml.safe_dump(config))
        return run_ansible("ansible-inventory", "-i", path, "--list", env=env)
    arguments = dict(written, max_retries=0)
    if kind == "lookup":
        expression = "{{ lookup('alibabacloud.sgw.express_syncs', %s) | length }}" % ", ".join(
            "%s=%s" % (k, json.dumps(v)) for k, v in arguments.items())
        module, arguments = "ansible.builtin.debug", {"msg": expression}
    else:
        module = "alibabacloud.sgw.express_sync_info"
    return run_ansible("ansible", "localhost", "-i", "localhost,", "-c", "local", "-m", module, "-a",
                       json.dumps(arguments), env=env)


@pytest.mark.parametrize("row, kind", CASES, ids=["%s-%s" % (row[0], kind) for row, kind in CASES])
def test_each_option_source_wins_where_it_should(sim, metadata, profiles, tmp_path, row, kind):
    name, dummy, environment, written = row
    values = {"sim": sim.url, "metadata": metadata, "profiles": profiles}
    sim.reset()
    result = run(kind, tmp_path, ansible_env(**fill(environment, values)), fill(written, values))
    text = result.stdout + result.stderr
    assert result.returncode == 0, text
    stats = sim.stats()
    assert stats["errors"] == {} and stats["total"] > 0, (name, stats)
    assert set(stats["regions"]) == {"cn-hangzhou"}
    assert "Traceback" not in text
    for secret in SECRETS + (OTHER_ACCOUNT["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],):
        assert secret not in text


@pytest.mark.parametrize("kind", ALL)
def test_a_region_typo_is_the_same_error_everywhere_with_a_custom_endpoint(sim, tmp_path, kind):
    """A region that no SGW endpoint is known to serve is checked with DescribeRegions, whatever the endpoint."""
    sim.reset()
    result = run(kind, tmp_path, ansible_env(), dict(KEYS, endpoint=sim.url, region="cn-hangzou"))
    text = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0, text
    assert "'cn-hangzou' is not served by SGW; DescribeRegions lists: " in text
    assert sim.stats()["actions"] == {"DescribeRegions": 1}
    assert "Traceback" not in text
