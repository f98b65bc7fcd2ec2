"""The account options: one table (options.ACCOUNT_OPTIONS), one rule for on_region_error and on_account_error."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.options import (
    ACCOUNT_OPTIONS,
    account_settings,
    fails,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwConfigError


@pytest.mark.parametrize("mode, failing", [
    ("fail", True),
    ("error", True),   # the word of 1.1.0's on_region_error: the same as fail
    ("warn", False),
])
def test_one_rule_for_on_region_error_and_on_account_error(mode, failing):
    assert fails(mode) is failing


@pytest.mark.parametrize("given, env, expected", [
    # nothing written: the defaults (one account)
    ({}, {}, {"accounts": [], "resource_directory": False,
              "resource_directory_role_name": "ResourceDirectoryAccountAccessRole", "account_ids": [],
              "on_account_error": "fail", "resource_manager_endpoint": "https://resourcemanager.aliyuncs.com"}),
    # the endpoint from its variable; written, it wins over the variable
    ({}, {"ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT": "http://127.0.0.1:1"},
     {"resource_manager_endpoint": "http://127.0.0.1:1"}),
    ({"resource_manager_endpoint": "http://127.0.0.1:2"}, {"ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT": "http://127.0.0.1:1"},
     {"resource_manager_endpoint": "http://127.0.0.1:2"}),
    # an empty variable counts as not set
    ({}, {"ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT": ""},
     {"resource_manager_endpoint": "https://resourcemanager.aliyuncs.com"}),
    # 1.1.0's word is kept as written (fails() reads it as fail)
    ({"on_account_error": "error"}, {}, {"on_account_error": "error"}),
    ({"on_account_error": "warn", "resource_directory": "yes", "account_ids": "1,2"}, {},
     {"on_account_error": "warn", "resource_directory": True, "account_ids": ["1", "2"]}),
])
def test_account_settings(given, env, expected):
    settings = account_settings(given, env)
    assert set(settings) == {option.name for option in ACCOUNT_OPTIONS}
    assert {name: settings[name] for name in expected} == expected


@pytest.mark.parametrize("given, said", [
    ({"on_account_error": "ignore"}, "on_account_error must be one of fail, warn, error, not 'ignore'"),
    ({"resource_directory": "maybe"}, "resource_directory must be true or false"),
])
def test_account_settings_refuse(given, said):
    with pytest.raises(SgwConfigError, match=said):
        account_settings(given, {})


def test_a_default_list_is_never_shared():
    first = account_settings({}, {})
    first["accounts"].append({"role_arn": "acs:ram::1:role/r"})
    assert account_settings({}, {})["accounts"] == []
