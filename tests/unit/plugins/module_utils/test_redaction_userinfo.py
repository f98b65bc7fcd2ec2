"""The user and password of a URL (``https://user:pass@host``) are never shown or stored: in
messages of the client, of STS, of the endpoint checks and of the metadata service, in logs, and
in the journal's entries."""

from __future__ import annotations

import socket

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils import options
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.identity import Credentials
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.sts import StsCaller, StsClient
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import redaction
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwConfigError, SgwError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.transport import RetryPolicy, SgwClient
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import journal

PASSWORD = "url-pass-w0rd-never-shown"


@pytest.fixture(scope="module")
def closed_port():
    """A loopback port that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("text, expected", [
    ("https://user:%s@sgw.example.com" % PASSWORD, "https://****@sgw.example.com"),
    ("could not reach http://u:%s@127.0.0.1:9 (refused)" % PASSWORD, "could not reach http://****@127.0.0.1:9 (refused)"),
    ("HTTPS://token-only@host/path?x=1", "HTTPS://****@host/path?x=1"),
    ("http://host/path@not-userinfo", "http://host/path@not-userinfo"),
    ("someone@example.com wrote", "someone@example.com wrote"),
    (None, None),
])
def test_hide_userinfo(text, expected):
    assert redaction.hide_userinfo(text) == expected


def test_scrub_hides_userinfo_and_queries():
    text = "GET http://u:%s@h/?Signature=abc failed" % PASSWORD
    assert redaction.scrub(text) == "GET http://****@h/?<query hidden> failed"


def test_an_unreachable_endpoint_is_shown_without_its_password(closed_port):
    client = SgwClient(Credentials("LTAI5tRedactionTest01", "redaction-secret"),
                       endpoint="http://sgw-user:%s@127.0.0.1:%d" % (PASSWORD, closed_port),
                       retry=RetryPolicy(max_retries=0), timeout=2)
    with pytest.raises(SgwError) as caught:
        client.call("DescribeRegions", "cn-hangzhou")
    assert PASSWORD not in str(caught.value) and PASSWORD not in repr(client)
    assert "http://****@127.0.0.1:%d" % closed_port in str(caught.value)


def test_an_invalid_endpoint_is_shown_without_its_password():
    with pytest.raises(SgwConfigError) as caught:
        options.build_client({"endpoint": "ftp://u:%s@127.0.0.1" % PASSWORD, "access_key_id": "LTAI5tRedaction02",
                              "access_key_secret": "x-secret", "timeout": 5, "max_retries": 0})
    assert PASSWORD not in str(caught.value) and "ftp://****@127.0.0.1" in str(caught.value)


def test_an_unreachable_sts_endpoint_is_shown_without_its_password(closed_port):
    endpoint = "http://sts-user:%s@127.0.0.1:%d" % (PASSWORD, closed_port)
    sts = StsCaller(lambda creds, url: StsClient(creds, endpoint=url, retry=RetryPolicy(max_retries=0), timeout=2),
                    endpoint)
    with pytest.raises(SgwError) as caught:
        sts.assume_role(Credentials("LTAI5tRedaction03", "x-secret"), "acs:ram::1:role/r", "s", 3600)
    assert PASSWORD not in str(caught.value) and "http://****@127.0.0.1" in str(caught.value)


def test_a_metadata_url_is_shown_without_its_password(closed_port, tmp_path):
    with pytest.raises(SgwConfigError) as caught:
        options.find_credentials({"ecs_role_name": "Role", "credentials_file": str(tmp_path / "none.json"),
                                  "ecs_metadata_url": "http://md:%s@127.0.0.1:%d" % (PASSWORD, closed_port)},
                                 env={}).current()
    assert PASSWORD not in str(caught.value) and "http://****@127.0.0.1" in str(caught.value)


def test_the_journal_never_keeps_a_password():
    account = {"key_id": "LTAI****0001", "identity": "abc"}
    entry = journal.new_entry(account, "https://u:%s@sgw.example.com" % PASSWORD, "cn-hangzhou", "sync-0001",
                              [("gw-0001", "share")])
    assert entry["endpoint"] == "https://****@sgw.example.com"
    given_back = dict(entry, endpoint="https://u:%s@sgw.example.com" % PASSWORD)
    assert journal.clean_entry(given_back)["endpoint"] == "https://****@sgw.example.com"


def test_credentials_uri_is_no_log_in_modules():
    assert options.common_argument_spec()["credentials_uri"]["no_log"] is True
