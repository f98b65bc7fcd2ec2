# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resource Manager (RPC, version 2020-03-31): ``ListAccounts``, the accounts of a resource directory.

The call goes through the collection's own client (same signer, transport, retries and secret
scrubbing as the SGW calls), to the central endpoint ``resourcemanager.aliyuncs.com`` unless
another is set. Only the management account of a resource directory (or a delegated
administrator) may call it. See https://www.alibabacloud.com/help/doc-detail/160016.htm.
"""

from __future__ import annotations

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import api
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.endpoints import endpoint_url
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import HINTS, SgwApiError, SgwConfigError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.transport import SgwClient

RESOURCE_MANAGER_VERSION = "2020-03-31"
DEFAULT_RESOURCE_MANAGER_ENDPOINT = "https://resourcemanager.aliyuncs.com"
# The region sent with the calls (the service is global; the SDKs send one all the same).
RESOURCE_MANAGER_REGION = "cn-hangzhou"
# ListAccounts takes PageSize from 1 to 100.
ACCOUNTS_PAGE_SIZE = 100

LIST_ACCOUNTS_HINTS = {
    "EntityNotExists.ResourceDirectory": "this account has no resource directory; use the option accounts to name "
                                         "the accounts, or the credentials of the management account",
    "NoPermission": "ListAccounts needs the management account of the resource directory (or a delegated "
                    "administrator) and the RAM action resourcemanager:ListAccounts (see docs/accounts.md)",
    "Forbidden.RAM": "grant the RAM action resourcemanager:ListAccounts to this identity (see docs/accounts.md)",
}


class ListAccountsError(SgwApiError):
    """A failed ListAccounts, with what to check about the resource directory."""

    hints = dict(HINTS, **LIST_ACCOUNTS_HINTS)

    @classmethod
    def of(cls, error):
        return cls(error.code, error.api_message, action=error.action, region=None, status=error.status,
                   request_id=error.request_id, credential_source=error.credential_source, endpoint=error.endpoint,
                   attempts=error.attempts)


class ResourceManagerClient(SgwClient):
    """The collection's client, speaking Resource Manager instead of SGW."""

    api_version = RESOURCE_MANAGER_VERSION


def resource_manager_endpoint(endpoint=None) -> str:
    """The Resource Manager endpoint: ``endpoint`` when set, else the central one."""
    if not endpoint:
        return DEFAULT_RESOURCE_MANAGER_ENDPOINT
    try:
        return endpoint_url(None, endpoint)
    except SgwConfigError:
        raise SgwConfigError("resource_manager_endpoint %r is not a valid http(s) URL." % (endpoint,)) from None


def account_record(entry) -> dict:
    """``{"account_id", "name"}`` of an ``Accounts.Account`` entry; an entry without an id is a broken answer."""
    account_id = entry.get("AccountId")
    if isinstance(account_id, int) and not isinstance(account_id, bool):
        account_id = str(account_id)
    if not isinstance(account_id, str) or not account_id.isdigit():
        raise SgwApiError("InvalidResponse", "an account of ListAccounts has no AccountId of digits",
                          action="ListAccounts")
    name = entry.get("DisplayName")
    return {"account_id": account_id, "name": name if isinstance(name, str) and name else account_id}


def list_accounts(client) -> list:
    """Every account of the caller's resource directory (``{"account_id", "name"}``), in the order
    listed, each once; paged by ``TotalCount``, or page after page up to a short one without it.
    An error is an :class:`SgwApiError` whose message says what to check."""
    try:
        entries = api.paginate(client, "ListAccounts", RESOURCE_MANAGER_REGION, {}, "Accounts", "Account",
                               ACCOUNTS_PAGE_SIZE)
    except SgwApiError as error:
        raise ListAccountsError.of(error) from None
    accounts, seen = [], set()
    for entry in entries:
        record = account_record(entry)
        if record["account_id"] not in seen:
            seen.add(record["account_id"])
            accounts.append(record)
    return accounts
