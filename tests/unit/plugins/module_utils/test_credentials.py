"""The credential chain, as tables over options, environment, profile files and metadata."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils import credentials as creds
from ansible_collections.alibabacloud.sgw.plugins.module_utils.errors import SgwConfigError

SECRET = "s3cr3t-value-never-printed"


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({
        "current": "main",
        "profiles": [
            {"name": "main", "mode": "AK", "access_key_id": "LTAIprofilemain", "access_key_secret": SECRET},
            {"name": "sts", "mode": "StsToken", "access_key_id": "STS.profile", "access_key_secret": SECRET,
             "sts_token": "tok-profile"},
            {"name": "role", "mode": "RamRoleArn", "access_key_id": "x", "access_key_secret": "y"},
            {"name": "empty", "mode": "AK"},
        ],
    }))
    return str(path)


@pytest.mark.parametrize("kwargs, env, expected_id, expected_token, source_starts", [
    ({"access_key_id": "LTAIoptions", "access_key_secret": SECRET},
     {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIenv", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET},
     "LTAIoptions", None, "options"),
    ({}, {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIenv", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET,
          "ALIBABA_CLOUD_SECURITY_TOKEN": "tok"}, "LTAIenv", "tok", "environment ALIBABA_CLOUD_ACCESS_KEY_ID"),
    ({}, {"ALICLOUD_ACCESS_KEY": "LTAIold", "ALICLOUD_SECRET_KEY": SECRET, "ALICLOUD_SECURITY_TOKEN": "t2"},
     "LTAIold", "t2", "environment ALICLOUD_ACCESS_KEY"),
    ({}, {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAInew", "ALICLOUD_ACCESS_KEY": "LTAIold",
          "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET}, "LTAInew", None, "environment"),
    ({"profile": "sts"}, {}, "STS.profile", "tok-profile", "profile 'sts'"),
    ({}, {"ALIBABA_CLOUD_PROFILE": "sts"}, "STS.profile", "tok-profile", "profile 'sts'"),
    ({}, {"ALICLOUD_PROFILE": "sts"}, "STS.profile", "tok-profile", "profile 'sts'"),
    ({}, {}, "LTAIprofilemain", None, "profile 'main'"),
    ({"access_key_id": "LTAIoptions", "access_key_secret": SECRET, "explicit_source": "environment X"}, {},
     "LTAIoptions", None, "environment X"),
])
def test_chain_order(config_file, kwargs, env, expected_id, expected_token, source_starts):
    found = creds.resolve_credentials(credentials_file=config_file, env=env, **kwargs)
    assert (found.access_key_id, found.security_token) == (expected_id, expected_token)
    assert found.source.startswith(source_starts)


@pytest.mark.parametrize("kwargs, env, message", [
    ({"access_key_id": "LTAIonly"}, {}, "access_key_secret is missing"),
    ({"access_key_secret": SECRET}, {}, "access_key_id is missing"),
    ({}, {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIenv"}, "access_key_secret is missing"),
    ({"profile": "nope"}, {}, "Profile 'nope' not found"),
    ({"profile": "role"}, {}, "mode RamRoleArn"),
    ({"profile": "empty"}, {}, "has no access_key_id"),
])
def test_chain_errors(config_file, kwargs, env, message):
    with pytest.raises(SgwConfigError, match=message) as info:
        creds.resolve_credentials(credentials_file=config_file, env=env, **kwargs)
    assert SECRET not in str(info.value)


def test_no_credentials_at_all_names_the_options(tmp_path):
    with pytest.raises(SgwConfigError) as info:
        creds.resolve_credentials(credentials_file=str(tmp_path / "missing.json"), env={})
    message = str(info.value)
    for name in ("access_key_id", "access_key_secret", "ALIBABA_CLOUD_ACCESS_KEY_ID", "profile", "ecs_role_name"):
        assert name in message


def test_named_profile_with_missing_file_is_an_error(tmp_path):
    with pytest.raises(SgwConfigError, match="does not exist"):
        creds.resolve_credentials(profile="main", credentials_file=str(tmp_path / "missing.json"), env={})


def test_unreadable_profile_file_does_not_echo_its_content(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"profiles": [{"access_key_secret": "%s"' % SECRET)
    with pytest.raises(SgwConfigError) as info:
        creds.resolve_credentials(credentials_file=str(path), env={})
    assert SECRET not in str(info.value)


def test_repr_and_describe_hide_the_secret_and_token():
    found = creds.Credentials("LTAI5tABCDEFGH1234", SECRET, "token-value", "options")
    for text in (repr(found), str(found), found.describe()):
        assert SECRET not in text and "token-value" not in text
    assert "LTAI****1234" in found.describe()


class _Metadata(BaseHTTPRequestHandler):
    """A loopback ECS metadata service; ``server.imds_v2`` decides whether tokens are handed out."""

    def log_message(self, *args):
        pass

    def do_PUT(self):
        if not self.server.imds_v2:
            self.send_error(404)
            return
        self._answer(200, "the-imds-token")

    def do_GET(self):
        self.server.seen.append((self.path, self.headers.get("X-aliyun-ecs-metadata-token")))
        if self.path.endswith("/security-credentials/GoodRole"):
            self._answer(200, json.dumps({"Code": "Success", "AccessKeyId": "STS.role", "AccessKeySecret": SECRET,
                                          "SecurityToken": "role-token", "Expiration": "2099-01-01T00:00:00Z"}))
        elif self.path.endswith("/security-credentials/RefusedRole"):
            self._answer(200, json.dumps({"Code": "Failed"}))
        else:
            self.send_error(404)

    def _answer(self, status, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(params=[True, False], ids=["imdsv2", "imdsv1"])
def metadata(request):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Metadata)
    server.imds_v2 = request.param
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_ecs_role_from_loopback_metadata(metadata, tmp_path):
    url = "http://127.0.0.1:%d" % metadata.server_address[1]
    found = creds.resolve_credentials(ecs_role_name="GoodRole", ecs_metadata_url=url,
                                      credentials_file=str(tmp_path / "none.json"), env={})
    assert (found.access_key_id, found.security_token) == ("STS.role", "role-token")
    assert found.source == "ECS RAM role 'GoodRole'"
    expected_token = "the-imds-token" if metadata.imds_v2 else None
    assert metadata.seen == [("/latest/meta-data/ram/security-credentials/GoodRole", expected_token)]


@pytest.mark.parametrize("role, message", [("RefusedRole", "refused"), ("MissingRole", "Cannot get credentials")])
def test_ecs_role_failures(metadata, tmp_path, role, message):
    url = "http://127.0.0.1:%d" % metadata.server_address[1]
    with pytest.raises(SgwConfigError, match=message):
        creds.resolve_credentials(ecs_role_name=role, ecs_metadata_url=url,
                                  credentials_file=str(tmp_path / "none.json"), env={})


def test_ecs_role_name_and_url_from_environment(metadata, tmp_path):
    env = {"ALIBABA_CLOUD_ECS_METADATA": "GoodRole",
           "ALIBABA_CLOUD_ECS_METADATA_URL": "http://127.0.0.1:%d" % metadata.server_address[1]}
    found = creds.resolve_credentials(credentials_file=str(tmp_path / "none.json"), env=env)
    assert found.access_key_id == "STS.role"
