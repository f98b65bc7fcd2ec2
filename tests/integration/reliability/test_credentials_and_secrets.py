"""Credential faults (wrong secret, expired timestamp, missing token) and where secrets could leak.

Authentication errors are never retried, explain their likely cause, and name the action, the
region, the Code, the RequestId and where the credentials came from, never the secret. No secret
or token appears in stdout, stderr, ``-vvvv`` logs, Ansible's log file or the cache, even when V1
signing puts them in every URL and a broken answer makes urllib3 log that URL.
"""

from __future__ import annotations

import pytest

from tests.integration.reliability.conftest import (
    HERE,
    WRONG_SECRET,
    assert_clean,
    credentials,
    golden,
    inventory,
)
from tests.integration.reliability.hostile_proxy import HostileProxy
from tests.support.sim_process import KEY_SECRET, STS_TOKEN

SKEWED_CLOCK = HERE / "skewed_clock"


def assert_not_retried(sim, run, code):
    """Every call failed with ``code`` and none was sent again (the run must be ``-vvvv``)."""
    stats = sim.stats()
    assert set(stats["errors"]) == {code} and stats["errors"][code] == stats["requests"], stats
    sent = [line for line in run.stdout.splitlines() if line.startswith("SGW DescribeExpressSyncs in ")]
    assert sent and len(sent) == len(set(sent)) == stats["requests"], sent
    assert ", retry " not in run.stdout


@pytest.mark.parametrize("version", ["v3", "v1"])
def test_a_wrong_secret_says_so_and_is_not_retried(sim, tmp_path, version):
    env = credentials(ALIBABA_CLOUD_ACCESS_KEY_SECRET=WRONG_SECRET, ALIBABA_CLOUD_SGW_SIGNATURE_VERSION=version)
    run = inventory(sim.url, tmp_path, "-vvvv", env=env)
    assert run.rc != 0
    line = run.error_line()
    assert "DescribeExpressSyncs in region cn-hangzhou failed: SignatureDoesNotMatch (HTTP 400)." in line
    assert "RequestId " in line
    assert "credentials from environment ALIBABA_CLOUD_ACCESS_KEY_ID (AccessKey ID LTAI****on01)" in line
    assert "hint: the AccessKey secret is most likely wrong for this AccessKey ID; check access_key_secret" in line
    # The API's message ends with its string-to-sign; it is cut, as it can hold a token.
    assert "string to sign" not in run.output
    assert_not_retried(sim, run, "SignatureDoesNotMatch")
    assert_clean(run)


def test_a_wrong_secret_with_an_sts_token_in_v1_does_not_echo_the_token(sim, tmp_path):
    env = credentials("sts", ALIBABA_CLOUD_ACCESS_KEY_SECRET=WRONG_SECRET, ALIBABA_CLOUD_SGW_SIGNATURE_VERSION="v1")
    run = inventory(sim.url, tmp_path, "-vvvv", env=env)
    assert run.rc != 0
    assert "SignatureDoesNotMatch" in run.error_line()
    assert "AccessKey ID STS.****bez2, with STS token" in run.error_line()
    assert_not_retried(sim, run, "SignatureDoesNotMatch")
    assert_clean(run)


def test_an_expired_timestamp_from_a_skewed_clock_says_to_check_the_clock(sim, tmp_path):
    env = credentials(PYTHONPATH=SKEWED_CLOCK, SGW_TEST_CLOCK_SKEW_SECONDS=-20 * 60)
    run = inventory(sim.url, tmp_path, "-vvvv", env=env)
    assert run.rc != 0
    line = run.error_line()
    assert "DescribeExpressSyncs in region cn-hangzhou failed: InvalidTimeStamp.Expired (HTTP 400)." in line
    assert "RequestId " in line and "credentials from environment ALIBABA_CLOUD_ACCESS_KEY_ID" in line
    assert "hint: the request timestamp is outside the allowed 15 minutes; check this machine's clock (NTP)" in line
    assert_not_retried(sim, run, "InvalidTimeStamp.Expired")
    assert_clean(run)


def test_a_clock_a_little_off_is_still_accepted(sim, tmp_path):
    env = credentials(PYTHONPATH=SKEWED_CLOCK, SGW_TEST_CLOCK_SKEW_SECONDS=-5 * 60)
    run = inventory(sim.url, tmp_path, env=env)
    assert run.rc == 0, run.explain()
    assert run.listing == golden()


def test_sts_credentials_without_their_token_say_to_set_it(sim, tmp_path):
    run = inventory(sim.url, tmp_path, "-vvvv", env=credentials("sts-no-token"))
    assert run.rc != 0
    line = run.error_line()
    assert "DescribeExpressSyncs in region cn-hangzhou failed: MissingSecurityToken (HTTP 400)." in line
    assert "credentials from environment ALIBABA_CLOUD_ACCESS_KEY_ID (AccessKey ID STS.****bez2)" in line
    assert "hint: these are STS credentials: set security_token as well" in line
    assert_not_retried(sim, run, "MissingSecurityToken")
    assert_clean(run)


def test_sts_credentials_with_their_token_work_in_both_signatures(sim, tmp_path):
    for version in ("v3", "v1"):
        run = inventory(sim.url, tmp_path, env=credentials("sts", ALIBABA_CLOUD_SGW_SIGNATURE_VERSION=version))
        assert run.rc == 0, run.explain()
        assert run.listing == golden()
        assert_clean(run)


def test_a_pasted_newline_around_a_secret_is_ignored(sim, tmp_path):
    run = inventory(sim.url, tmp_path, env=credentials(ALIBABA_CLOUD_ACCESS_KEY_SECRET=KEY_SECRET + "\n"))
    assert run.rc == 0, run.explain()
    assert run.listing == golden()


@pytest.mark.parametrize("variable, value, what", [
    ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", KEY_SECRET[:8] + "\n" + KEY_SECRET[8:], "AccessKey secret"),
    ("ALIBABA_CLOUD_SECURITY_TOKEN", STS_TOKEN[:10] + " " + STS_TOKEN[10:], "security token"),
])
def test_a_mangled_credential_fails_before_any_call_without_showing_it(sim, tmp_path, variable, value, what):
    env = credentials("sts", **{variable: value})
    run = inventory(sim.url, tmp_path, env=env)
    assert run.rc != 0
    assert run.error_line() == ("The %s from environment ALIBABA_CLOUD_ACCESS_KEY_ID contains 1 space, control or "
                                "non-ASCII character(s); an AccessKey and an STS token never do, so check for a "
                                "copy and paste error." % what)
    assert sim.stats()["requests"] == 0
    assert_clean(run, value.split()[0], value.split()[1])


def test_no_secret_in_vvvv_logs_log_file_or_cache_when_urllib3_logs_the_url(sim, tmp_path):
    # V1 with an STS token: the signature and the token are in the query of every URL. The proxy
    # adds a header line that does not parse, so urllib3 logs "Failed to parse headers (url=...)"
    # at WARNING, which Ansible's log file (ANSIBLE_LOG_PATH) keeps.
    log = tmp_path / "ansible.log"
    cache = tmp_path / "cache"
    env = credentials("sts", ALIBABA_CLOUD_SGW_SIGNATURE_VERSION="v1", ANSIBLE_LOG_PATH=log)
    with HostileProxy(sim.url, broken_header=True) as proxy:
        run = inventory(proxy.url, tmp_path, "-vvvv", env=env, files=[cache], logs=[log], cache=True,
                        cache_plugin="ansible.builtin.jsonfile", cache_connection=str(cache))
    assert run.rc == 0, run.explain()
    assert run.listing == golden()
    logged = log.read_text()
    assert "Failed to parse headers (url=%s/?<query hidden>)" % proxy.url in logged
    assert "SignatureNonce" not in logged and "Signature=" not in logged
    assert list(cache.iterdir())
    assert_clean(run)
