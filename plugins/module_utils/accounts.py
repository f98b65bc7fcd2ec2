# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A read of several accounts, from the account options (``options.ACCOUNT_OPTIONS``): for the
inventory, the lookups and the modules alike.

:class:`AccountSession` holds what every account's read needs from the caller's client and options:
the STS caller, the role session's name and duration, which accounts (``accounts``, or
``resource_directory`` with ``ListAccounts``) and the caller's own account id. Its
:meth:`AccountSession.fetcher` is the :class:`~.estate.accounts.AccountsFetcher` that reads them
side by side, on one pool of ``max_concurrency`` threads. :func:`read_accounts` reads, in every
account, what one function reads of one account (a lookup's rows, a module's groups): each account's
read is one task on that pool, so its calls, one after another, hold one place of the bound.
"""

from __future__ import annotations

import time

from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.accounts import (
    AccountCredentials,
    account_option_problems,
    targets_from_directory,
    targets_from_options,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.sts import StsCaller, StsClient, sts_endpoint
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.accounts import (
    AccountFailure,
    AccountsFetcher,
    describe_account,
    side_by_side,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.options import fails
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwConfigError, SgwError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.resource_manager import (
    ResourceManagerClient,
    list_accounts,
    resource_manager_endpoint,
)

DEFAULT_SESSION_SECONDS = 3600
DEFAULT_MAX_CONCURRENCY = 8

__all__ = ("AccountFailure", "AccountSession", "AccountReadError", "failure_message", "is_multi_account",
           "label_rows", "option_problems", "read_accounts", "rows_of_accounts", "warnings_of")


class AccountReadError(SgwError):
    """What a read of one account stopped at that is not an API error (a lookup's ``on_missing=error``...):
    the account's failure all the same, so that ``on_account_error`` decides."""


def is_multi_account(settings) -> bool:
    """Whether the account options ``settings`` (:func:`~.options.account_settings`) name several accounts."""
    return bool(settings.get("accounts") or settings.get("resource_directory"))


def option_problems(settings) -> list:
    """What is wrong with the account options ``settings``, before any call."""
    problems = account_option_problems(settings.get("accounts"), settings.get("resource_directory_role_name"),
                                       settings.get("account_ids"))
    if settings.get("accounts") and settings.get("resource_directory"):
        problems.append("accounts and resource_directory: true exclude each other (name the accounts, or list "
                        "those of the resource directory)")
    if settings.get("account_ids") and not settings.get("resource_directory"):
        problems.append("account_ids needs resource_directory: true (with accounts, list only the accounts wanted)")
    return problems


class AccountSession:
    """The accounts to read and their credentials, from the caller's ``client`` (its credentials,
    transport and endpoints serve every account), the shared options ``options`` (``sts_endpoint``,
    ``role_session_name``, ``role_session_expiration``), the account options ``settings`` and the
    ``region`` whose regional STS endpoint is used (None: the central one)."""

    def __init__(self, client, options, settings, region=None, max_concurrency=DEFAULT_MAX_CONCURRENCY):
        self.client = client
        self.settings = settings
        self.max_concurrency = max_concurrency
        self.sts = StsCaller(lambda creds, endpoint: client.with_credentials(creds, StsClient, endpoint),
                             sts_endpoint(options.get("sts_endpoint"), region))
        self.session_name = options.get("role_session_name") or "alibabacloud-sgw-%d" % int(time.time())
        seconds = options.get("role_session_expiration") or DEFAULT_SESSION_SECONDS
        try:
            self.session_seconds = int(seconds)
        except (TypeError, ValueError):
            raise SgwConfigError("role_session_expiration must be a whole number of seconds, not %r." % (
                seconds,)) from None

    def asks(self) -> list:
        """The calls that find the accounts, to run side by side (none needs another's answer): the caller's
        account id (STS ``GetCallerIdentity``), and with ``resource_directory`` the accounts ``ListAccounts`` lists."""
        asks = [lambda: self.sts.caller_account_id(self.client.credentials)]
        if self.settings.get("resource_directory"):
            asks.append(self._list_accounts)
        return asks

    @staticmethod
    def found(answers) -> dict:
        """``{"caller": the caller's account id, "listed": ListAccounts' accounts, or None}`` of the answers of
        :meth:`asks`."""
        return {"caller": answers[0], "listed": answers[1] if len(answers) > 1 else None}

    def find(self) -> dict:
        """What :meth:`found` says, the calls of :meth:`asks` made side by side."""
        return self.found(side_by_side(self.asks(), self.max_concurrency))

    def _list_accounts(self):
        endpoint = resource_manager_endpoint(self.settings.get("resource_manager_endpoint"))
        manager = self.client.with_credentials(self.client.credentials, ResourceManagerClient, endpoint)
        try:
            return list_accounts(manager)
        finally:
            manager.close()

    def targets(self, found) -> list:
        """The accounts to read (``AccountTarget``), in order, from what :meth:`find` found."""
        if self.settings.get("resource_directory"):
            return targets_from_directory(found["listed"], self.settings.get("resource_directory_role_name"),
                                          self.settings.get("account_ids"))
        return targets_from_options(self.settings.get("accounts"))

    def fetcher(self, caller, fetcher_of, cached=None) -> AccountsFetcher:
        """The fetcher of the accounts, ``fetcher_of(client, target)`` reading one (see AccountsFetcher)."""
        credentials = AccountCredentials(self.client.credentials, self.sts, caller, self.session_name,
                                         self.session_seconds)
        return AccountsFetcher(credentials, self.client.with_credentials, fetcher_of,
                               max_concurrency=self.max_concurrency,
                               fail_fast=fails(self.settings.get("on_account_error")), cached=cached)


class _OneRead:
    """One account's read as the fetcher of an account: ``read(client, target)`` as one task on the pool."""

    def __init__(self, read, client, target):
        self.read, self.client, self.target = read, client, target

    def fetch(self, regions, calls):
        return {"regions": {region: calls.submit(self.read, self.client, self.target).result() for region in regions}}


def read_accounts(session, read, region) -> list:
    """``[entry...]`` of every account (see :mod:`.estate.accounts`), each entry's ``rows`` being what
    ``read(client, target)`` returned for it (None when the account failed). With ``on_account_error:
    fail`` the first failed account raises :class:`AccountFailure`."""
    found = session.find()
    fetcher = session.fetcher(found["caller"], lambda client, target: _OneRead(read, client, target))
    entries = fetcher.fetch(session.targets(found), [region])["accounts"]
    for entry in entries:
        entry["rows"] = entry["regions"][region] if entry["regions"] else None
    return entries


def rows_of_accounts(session, read, region, who, nested=()) -> tuple:
    """``(rows, warnings)``: what ``read(client, target)`` returned in every account read, each row (and
    each row of its lists ``nested``) with its ``account_id`` and ``account_name``, in the order of the
    accounts; the warnings name each account skipped (``on_account_error: warn``). With ``fail``, the first
    failed account raises :class:`AccountFailure`."""
    entries = read_accounts(session, read, region)
    rows = [row for entry in entries if entry["rows"] is not None for row in label_rows(entry, entry["rows"], nested)]
    return rows, warnings_of(entries, who)


def label_rows(entry, rows, nested=()) -> list:
    """``rows`` (dicts) of the account of ``entry``, each with its ``account_id`` and ``account_name``, and so
    each dict of its lists ``nested``."""
    labels = {"account_id": entry["account_id"], "account_name": entry["name"]}
    labelled = []
    for row in rows:
        row = dict(row, **labels)
        for key in nested:
            if key in row:
                row[key] = [dict(item, **labels) for item in row[key]]
        labelled.append(row)
    return labelled


def failure_message(failure: AccountFailure, who, option="on_account_error") -> str:
    """The message of an account that failed a read (``who``: the plugin or module)."""
    where = " region %s:" % failure.region if failure.region else ""
    return "%s: account %s failed:%s %s Set %s: warn to keep the other accounts." % (
        who, describe_account(failure.target), where, str(failure.error).rstrip(), option)


def warnings_of(entries, who) -> list:
    """The warnings of a read of several accounts: each skipped account, each skipped region, named."""
    messages = []
    for entry in entries:
        name = entry["name"]
        if name != entry["account_id"]:
            name = "%s (%s)" % (name, entry["account_id"])
        if entry["error"]:
            where = " (region %s)" % entry["error"]["region"] if entry["error"].get("region") else ""
            messages.append("%s: account %s skipped%s: %s" % (who, name, where, entry["error"]["message"]))
            continue
        for region, data in (entry["regions"] or {}).items():
            if isinstance(data, dict) and data.get("error"):
                messages.append("%s: account %s: region %s skipped: %s" % (who, name, region, data["error"]["message"]))
    return messages
