"""The lookups build their client from the shared options; configuration errors are lookup errors."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import lookup_loader

KEYS = {"access_key_id": "LTAI5tLookupUnitTest", "access_key_secret": "lookup-unit-secret"}


@pytest.fixture
def real_lookup(clean_env, monkeypatch, tmp_path):
    # No profile file, no ECS role: only what the test passes.
    monkeypatch.setenv("ALICLOUD_SHARED_CREDENTIALS_FILE", str(tmp_path / "none.json"))
    for name in ("ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE", "ALIBABA_CLOUD_ECS_METADATA", "ALICLOUD_ECS_ROLE_NAME",
                 "ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return lambda name: lookup_loader.get("alibabacloud.sgw.%s" % name)


@pytest.mark.parametrize("name", ["express_sync_shares", "express_syncs"])
def test_bad_endpoint_is_a_lookup_error(real_lookup, name):
    with pytest.raises(AnsibleLookupError, match="is not a valid http\\(s\\) URL"):
        real_lookup(name).run(["sync-a"], region="cn-hangzhou", endpoint="ftp://127.0.0.1", **KEYS)


def test_no_credentials_is_a_lookup_error(real_lookup):
    with pytest.raises(AnsibleLookupError, match="No Alibaba Cloud credentials found"):
        real_lookup("express_syncs").run([], region="cn-hangzhou", endpoint="http://127.0.0.1:9")


def test_unreachable_endpoint_is_one_clear_error(real_lookup):
    with pytest.raises(AnsibleLookupError) as caught:
        real_lookup("express_sync_shares").run(["sync-a"], region="cn-hangzhou", endpoint="http://127.0.0.1:9",
                                               max_retries=0, timeout=2, **KEYS)
    message = str(caught.value)
    assert message.startswith("DescribeExpressSyncShares in region cn-hangzhou failed: could not reach "
                              "http://127.0.0.1:9")
    assert KEYS["access_key_secret"] not in message
    assert caught.value.__cause__ is None
