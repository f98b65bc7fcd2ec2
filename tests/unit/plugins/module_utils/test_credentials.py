"""The credential chain, as tables over options, environment, profile files and metadata."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.loader import lookup_loader

from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials import chain as creds
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.identity import parse_expiration
from ansible_collections.alibabacloud.sgw.plugins.module_utils import options
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwConfigError

SECRET = "s3cr3t-value-never-printed"


def resolve(env=None, http_get=None, sts=None, log=None, **given):
    """The chain for the options ``given`` (as a module or plugin passes them) and the environment ``env``."""
    return options.find_credentials(given, env=env, http_get=http_get, sts=sts, log=log)


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({
        "current": "main",
        "profiles": [
            {"name": "main", "mode": "AK", "access_key_id": "LTAIprofilemain", "access_key_secret": SECRET},
            {"name": "sts", "mode": "StsToken", "access_key_id": "STS.profile", "access_key_secret": SECRET,
             "sts_token": "tok-profile"},
            {"name": "role", "mode": "RamRoleArn", "access_key_id": "x", "access_key_secret": "y",
             "ram_role_arn": "acs:ram::1:role/profile", "ram_session_name": "p1", "expired_seconds": 1800},
            {"name": "chain", "mode": "ChainableRamRoleArn", "source_profile": "role",
             "ram_role_arn": "acs:ram::1:role/chained", "ram_session_name": "chained"},
            {"name": "empty", "mode": "AK"},
            {"name": "sso", "mode": "CloudSSO"},
            {"name": "loop1", "mode": "ChainableRamRoleArn", "source_profile": "loop2", "ram_role_arn": "a"},
            {"name": "loop2", "mode": "ChainableRamRoleArn", "source_profile": "loop1", "ram_role_arn": "b"},
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
    # A stale ALICLOUD_* pair never mixes with the documented one.
    ({}, {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAInew", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET,
          "ALICLOUD_ACCESS_KEY": "LTAIstale", "ALICLOUD_SECRET_KEY": "stale", "ALICLOUD_SECURITY_TOKEN": "old"},
     "LTAInew", None, "environment ALIBABA_CLOUD_ACCESS_KEY_ID"),
    # An explicit profile beats ambient AccessKey variables; the environment beats the implicit current profile.
    ({"profile": "sts"}, {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIenv", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET},
     "STS.profile", "tok-profile", "profile 'sts'"),
    ({}, {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIenv", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET},
     "LTAIenv", None, "environment ALIBABA_CLOUD_ACCESS_KEY_ID"),
    ({"profile": "sts"}, {}, "STS.profile", "tok-profile", "profile 'sts'"),
    ({}, {"ALIBABA_CLOUD_PROFILE": "sts"}, "STS.profile", "tok-profile", "profile 'sts'"),
    ({}, {"ALICLOUD_PROFILE": "sts"}, "STS.profile", "tok-profile", "profile 'sts'"),
    ({}, {}, "LTAIprofilemain", None, "profile 'main'"),
])
def test_chain_order(config_file, kwargs, env, expected_id, expected_token, source_starts):
    found = resolve(credentials_file=config_file, env=env, **kwargs)
    assert (found.access_key_id, found.security_token) == (expected_id, expected_token)
    assert found.source.startswith(source_starts)


@pytest.mark.parametrize("kwargs, env, message", [
    ({"access_key_id": "LTAIonly"}, {}, "access_key_id is set but access_key_secret is not"),
    ({"access_key_secret": SECRET}, {}, "access_key_secret is set but access_key_id is not"),
    ({"access_key_id": "LTAIonly"}, {"ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET},
     "options.*The environment has ALIBABA_CLOUD_ACCESS_KEY_SECRET.*same place"),
    ({}, {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIenv"},
     "environment: ALIBABA_CLOUD_ACCESS_KEY_ID is set but ALIBABA_CLOUD_ACCESS_KEY_SECRET is not"),
    ({}, {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIenv", "ALICLOUD_SECRET_KEY": SECRET},
     "ALIBABA_CLOUD_ACCESS_KEY_ID is set but ALIBABA_CLOUD_ACCESS_KEY_SECRET is not"),
    ({"profile": "nope"}, {}, "Profile 'nope' not found"),
    ({"profile": "sso"}, {}, "mode CloudSSO; supported modes are"),
    ({"profile": "role"}, {}, "ram_role_arn needs STS"),
    ({"profile": "empty"}, {}, "has no access_key_id"),
    ({"profile": "loop1"}, {}, "makes a loop"),
    ({"ram_role_arn": "acs:ram::1:role/r", "role_session_expiration": 60, "access_key_id": "LTAIx",
      "access_key_secret": SECRET}, {}, "from 900 to 43200"),
    ({"oidc_provider_arn": "acs:ram::1:oidc-provider/p"}, {}, "OIDC credentials from the options are incomplete"),
])
def test_chain_errors(config_file, kwargs, env, message):
    with pytest.raises(SgwConfigError, match=message) as info:
        resolve(credentials_file=config_file, env=env, **kwargs)
    assert SECRET not in str(info.value)


def test_implicit_profile_of_an_unsupported_mode_is_skipped_with_a_note(tmp_path, metadata):
    """A current profile of mode CloudSSO must not break the chain when an ECS role is named explicitly."""
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"current": "sso", "profiles": [{"name": "sso", "mode": "CloudSSO"}]}))
    notes = []
    url = "http://127.0.0.1:%d" % metadata.server_address[1]
    found = resolve(ecs_role_name="GoodRole", ecs_metadata_url=url, credentials_file=str(path),
                    env={}, log=notes.append)
    assert found.access_key_id == "STS.role"
    with pytest.raises(SgwConfigError, match="No Alibaba Cloud credentials"):
        resolve(credentials_file=str(path), env={}, log=notes.append)
    assert any("mode CloudSSO" in n and "skipped" in n for n in notes)


def test_explicit_ecs_role_beats_the_current_profile(tmp_path, metadata, config_file):
    url = "http://127.0.0.1:%d" % metadata.server_address[1]
    found = resolve(ecs_role_name="GoodRole", ecs_metadata_url=url, credentials_file=config_file,
                    env={})
    assert found.source == "ECS RAM role 'GoodRole'"


class _FakeSts:
    """Records the role calls; answers credentials that expire ``lifetime`` seconds after ``clock()``."""

    def __init__(self, lifetime=3600.0):
        self.calls = []
        self.lifetime = lifetime

    def _answer(self, what):
        import time  # pylint: disable=import-outside-toplevel
        number = len(self.calls)
        return (creds.Credentials("STS.k%d" % number, "sec-%d-%s" % (number, SECRET), "tok-%d" % number,
                                  "RAM role %s" % what), time.time() + self.lifetime)

    def assume_role(self, source, role_arn, session_name, duration, policy=None, external_id=None):
        self.calls.append(("AssumeRole", source.current().access_key_id, role_arn, session_name, duration,
                           external_id))
        return self._answer(role_arn)

    def assume_role_with_oidc(self, role_arn, provider_arn, token, session_name, duration):
        self.calls.append(("AssumeRoleWithOIDC", provider_arn, role_arn, token, duration))
        return self._answer(role_arn)


@pytest.mark.parametrize("kwargs, env, expected_calls", [
    ({"ram_role_arn": "acs:ram::1:role/a", "access_key_id": "LTAIopt", "access_key_secret": SECRET,
      "role_session_name": "s1", "external_id": "ext"}, {},
     [("AssumeRole", "LTAIopt", "acs:ram::1:role/a", "s1", 3600, "ext")]),
    ({}, {"ALIBABA_CLOUD_ROLE_ARN": "acs:ram::1:role/b", "ALIBABA_CLOUD_ROLE_SESSION_NAME": "s2",
          "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIenv", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET},
     [("AssumeRole", "LTAIenv", "acs:ram::1:role/b", "s2", 3600, None)]),
    ({"profile": "role"}, {}, [("AssumeRole", "x", "acs:ram::1:role/profile", "p1", 1800, None)]),
    ({"profile": "chain"}, {}, [("AssumeRole", "x", "acs:ram::1:role/profile", "p1", 1800, None),
                                ("AssumeRole", "STS.k1", "acs:ram::1:role/chained", "chained", 3600, None)]),
])
def test_role_steps(config_file, kwargs, env, expected_calls):
    sts = _FakeSts()
    found = resolve(credentials_file=config_file, env=env, sts=sts, **kwargs)
    assert [c[:6] for c in sts.calls] == expected_calls
    assert found.current().access_key_id == "STS.k%d" % len(expected_calls)


def test_oidc_from_the_environment_reads_the_token_file_at_each_renewal(tmp_path):
    token = tmp_path / "token"
    token.write_text("eyJhbGciOi.first.sig\n")
    env = {"ALIBABA_CLOUD_ROLE_ARN": "acs:ram::1:role/k8s", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": "acs:ram::1:oidc-provider/ack",
           "ALIBABA_CLOUD_OIDC_TOKEN_FILE": str(token)}
    sts = _FakeSts(lifetime=0.0)  # expired at once: every current() renews
    found = resolve(credentials_file=str(tmp_path / "none.json"), env=env, sts=sts)
    token.write_text("eyJhbGciOi.second.sig")
    found.current()
    assert [c[3] for c in sts.calls] == ["eyJhbGciOi.first.sig", "eyJhbGciOi.second.sig"]
    assert found.refreshes == 1
    assert "eyJhbGciOi.first.sig" not in repr(found)


def test_temporary_credentials_are_renewed_before_they_expire():
    clock = [1000.0]
    fetched = []

    def fetch():
        fetched.append(clock[0])
        return creds.Credentials("STS.x%d" % len(fetched), SECRET + str(len(fetched)), "t"), clock[0] + 100
    found = creds.RefreshingCredentials(fetch, clock=lambda: clock[0])
    clock[0] = 1074.0  # 26 s left of 100: not yet
    assert found.current().access_key_id == "STS.x1"
    clock[0] = 1076.0  # 24 s left, under a quarter of the lifetime: renewed
    assert found.current().access_key_id == "STS.x2"
    assert fetched == [1000.0, 1076.0]
    assert set(found.secret_values()) >= {SECRET + "1", SECRET + "2"}


def test_a_jinja_text_taken_as_a_secret_says_so():
    with pytest.raises(SgwConfigError, match="unrendered Jinja template"):
        creds.Credentials("LTAI5tABCDEFGH1234", "{{ lookup('env', 'X') }}")


def test_no_credentials_at_all_names_the_options(tmp_path):
    with pytest.raises(SgwConfigError) as info:
        resolve(credentials_file=str(tmp_path / "missing.json"), env={})
    message = str(info.value)
    for name in ("access_key_id", "access_key_secret", "ALIBABA_CLOUD_ACCESS_KEY_ID", "profile", "ecs_role_name"):
        assert name in message


def test_named_profile_with_missing_file_is_an_error(tmp_path):
    with pytest.raises(SgwConfigError, match="does not exist"):
        resolve(profile="main", credentials_file=str(tmp_path / "missing.json"), env={})


def test_unreadable_profile_file_does_not_echo_its_content(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"profiles": [{"access_key_secret": "%s"' % SECRET)
    with pytest.raises(SgwConfigError) as info:
        resolve(credentials_file=str(path), env={})
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
        elif self.path == "/credentials-uri":
            self._answer(200, json.dumps({"Code": "Success", "AccessKeyId": "STS.uri", "AccessKeySecret": SECRET,
                                          "SecurityToken": "uri-token", "Expiration": "2099-01-01T00:00:00Z"}))
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
    found = resolve(ecs_role_name="GoodRole", ecs_metadata_url=url,
                    credentials_file=str(tmp_path / "none.json"), env={})
    assert (found.access_key_id, found.security_token) == ("STS.role", "role-token")
    assert found.source == "ECS RAM role 'GoodRole'"
    expected_token = "the-imds-token" if metadata.imds_v2 else None
    assert metadata.seen == [("/latest/meta-data/ram/security-credentials/GoodRole", expected_token)]


@pytest.mark.parametrize("role, message", [("RefusedRole", "refused"), ("MissingRole", "Cannot get credentials")])
def test_ecs_role_failures(metadata, tmp_path, role, message):
    url = "http://127.0.0.1:%d" % metadata.server_address[1]
    with pytest.raises(SgwConfigError, match=message):
        resolve(ecs_role_name=role, ecs_metadata_url=url,
                credentials_file=str(tmp_path / "none.json"), env={})


def test_ecs_role_name_and_url_from_environment(metadata, tmp_path):
    env = {"ALIBABA_CLOUD_ECS_METADATA": "GoodRole",
           "ALIBABA_CLOUD_ECS_METADATA_URL": "http://127.0.0.1:%d" % metadata.server_address[1]}
    found = resolve(credentials_file=str(tmp_path / "none.json"), env=env)
    assert found.access_key_id == "STS.role"


@pytest.mark.parametrize("how", ["option", "environment", "profile"])
def test_credentials_uri(metadata, tmp_path, how):
    uri = "http://127.0.0.1:%d/credentials-uri" % metadata.server_address[1]
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"current": "uri", "profiles": [
        {"name": "uri", "mode": "CredentialsURI", "credentials_uri": uri}]}))
    kwargs = {"option": {"credentials_uri": uri, "credentials_file": str(tmp_path / "none.json")},
              "environment": {"env": {"ALIBABA_CLOUD_CREDENTIALS_URI": uri}, "credentials_file": str(tmp_path / "x")},
              "profile": {"credentials_file": str(path)}}[how]
    kwargs.setdefault("env", {})
    found = resolve(**kwargs)
    assert (found.access_key_id, found.security_token) == ("STS.uri", "uri-token")
    assert found.expiration == parse_expiration("2099-01-01T00:00:00Z")
    assert SECRET not in repr(found)


# ------------------------------------------------------------------------------ empty variables
# AWX injects an input of a credential type that was left blank as an empty string: every variable
# the collection reads counts as not set when it is empty, in the chain, in modules and in plugins.

ENV_PAIR = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIenv", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET}
CHAIN_VARIABLES = ("ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_ROLE_ARN",
                   "ALIBABA_CLOUD_ROLE_SESSION_NAME", "ALIBABA_CLOUD_ROLE_SESSION_EXPIRATION",
                   "ALIBABA_CLOUD_STS_ENDPOINT", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
                   "ALIBABA_CLOUD_CREDENTIALS_URI", "ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE",
                   "ALIBABA_CLOUD_ECS_METADATA", "ALICLOUD_ECS_ROLE_NAME", "ALIBABA_CLOUD_ECS_METADATA_URL",
                   "ALICLOUD_SHARED_CREDENTIALS_FILE")


@pytest.mark.parametrize("empty", [(name,) for name in CHAIN_VARIABLES] + [CHAIN_VARIABLES],
                         ids=list(CHAIN_VARIABLES) + ["all-at-once"])
def test_an_empty_variable_counts_as_unset_in_the_chain(tmp_path, empty):
    sts = _FakeSts()
    env = dict(ENV_PAIR, **dict.fromkeys(empty, ""))
    found = resolve(credentials_file=str(tmp_path / "none.json"), env=env, sts=sts)
    assert (found.access_key_id, found.security_token, found.source) == (
        "LTAIenv", None, "environment ALIBABA_CLOUD_ACCESS_KEY_ID")
    assert sts.calls == []


def test_a_role_with_empty_session_variables_takes_their_defaults(tmp_path):
    sts = _FakeSts()
    env = dict(ENV_PAIR, ALIBABA_CLOUD_ROLE_ARN="acs:ram::1:role/awx", ALIBABA_CLOUD_ROLE_SESSION_NAME="",
               ALIBABA_CLOUD_ROLE_SESSION_EXPIRATION="", ALIBABA_CLOUD_SECURITY_TOKEN="")
    found = resolve(credentials_file=str(tmp_path / "none.json"), env=env, sts=sts)
    ((action, key_id, role, session, duration, dummy),) = sts.calls
    assert (action, key_id, role, duration) == ("AssumeRole", "LTAIenv", "acs:ram::1:role/awx", 3600)
    assert session.startswith("alibabacloud-sgw-")
    assert found.current().access_key_id == "STS.k1"


MODULE_SPEC = dict(options.common_argument_spec(), **options.region_argument_spec())
MODULE_ENV = sorted((option, variable) for option, spec in MODULE_SPEC.items() if "fallback" in spec
                    for variable in spec["fallback"][1])


@pytest.mark.parametrize("option, variable", MODULE_ENV, ids=[v for dummy, v in MODULE_ENV])
def test_an_empty_variable_counts_as_unset_in_modules(monkeypatch, option, variable):
    for name in {v for dummy, v in MODULE_ENV}:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, "")
    result = ArgumentSpecValidator(MODULE_SPEC).validate({})
    assert result.error_messages == []
    assert result.validated_parameters[option] == MODULE_SPEC[option].get("default")


@pytest.mark.parametrize("option, documented, older, value", [
    ("region", "ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION", "cn-shanghai"),
    ("ecs_role_name", "ALIBABA_CLOUD_ECS_METADATA", "ALICLOUD_ECS_ROLE_NAME", "EcsRole"),
])
def test_an_empty_documented_variable_leaves_the_older_one_to_modules(monkeypatch, option, documented, older, value):
    monkeypatch.setenv(documented, "")
    monkeypatch.setenv(older, value)
    spec = {option: {"type": "str", "fallback": (options.env_fallback, [documented, older])}}
    assert ArgumentSpecValidator(spec).validate({}).validated_parameters[option] == value


PLUGIN_ENV = sorted((option, variable) for option, variables in options.OPTION_ENV.items() for variable in variables)


@pytest.mark.parametrize("option, variable", PLUGIN_ENV, ids=[v for dummy, v in PLUGIN_ENV])
def test_an_empty_variable_counts_as_unset_in_plugins(monkeypatch, option, variable):
    for name in {v for dummy, v in PLUGIN_ENV}:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, "")
    plugin = lookup_loader.get("alibabacloud.sgw.express_syncs")
    plugin.set_options(direct={})
    found = plugin.sgw_client_options()
    expected = None if option in options.IDENTITY_OPTIONS else MODULE_SPEC[option].get("default")
    assert found[option] == expected
