# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory's several accounts: which accounts (the options ``accounts`` or
``resource_directory``), the caller's account, the estate of each one (read side by side under one
``max_concurrency``), each account cached on its own, and the host variables and group of each.

Cache entries, under the inventory's own cache key: ``<key>_accounts`` holds the accounts found
(the caller's account id and, with ``resource_directory``, what ``ListAccounts`` listed), and
``<key>_account_<id>`` one account's estate, with the role and regions it was read with. An account
whose read failed (or one of whose regions failed) is not written, so it alone is read again next
time, while the others are served from the cache.
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
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwConfigError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.resource_manager import (
    ResourceManagerClient,
    list_accounts,
    resource_manager_endpoint,
)

ACCOUNT_GROUP = "sgw_account_%s"
DEFAULT_SESSION_SECONDS = 3600


def is_multi_account(settings) -> bool:
    """Whether the account options ``settings`` (:func:`...options.account_settings`) name several accounts."""
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


def account_vars(entry) -> dict:
    """The host variables every host of an account gets: its id, its name, and the role it was read
    through (None for the caller's own account), which modules acting on the account take as ``ram_role_arn``."""
    return {"sgw_account_id": entry["account_id"], "sgw_account_name": entry["name"],
            "sgw_account_role_arn": entry.get("role_arn")}


class AccountsReader:
    """Reads the estate of the accounts for the inventory plugin ``plugin``.

    ``client`` is the caller's client (its credentials, transport and endpoints serve every account);
    ``fetcher_of(client)`` the plugin's :class:`~...estate.fetch.EstateFetcher` of one account;
    ``settings`` the account options (:func:`...options.account_settings`);
    ``cache`` the plugin's cache (or None), ``key`` its cache key; with ``refresh`` the cache is
    written, not read.
    """

    def __init__(self, plugin, client, fetcher_of, settings, cache=None, key=None, refresh=False):
        self.refresh = refresh
        self.plugin = plugin
        self.option = lambda name: settings[name] if name in settings else plugin.get_option(name)
        self.client = client
        self.fetcher_of = fetcher_of
        self.cache = cache
        self.key = key
        options = plugin.sgw_client_options()
        self.sts = StsCaller(lambda creds, endpoint: client.with_credentials(creds, StsClient, endpoint),
                             sts_endpoint(options.get("sts_endpoint"), plugin.get_option("regions")[0]
                                          if plugin.get_option("regions") else None))
        self.session_name = options.get("role_session_name") or "alibabacloud-sgw-%d" % int(time.time())
        seconds = options.get("role_session_expiration") or DEFAULT_SESSION_SECONDS
        try:
            self.session_seconds = int(seconds)
        except (TypeError, ValueError):
            raise SgwConfigError("role_session_expiration must be a whole number of seconds, not %r." % (
                seconds,)) from None

    def read(self, regions) -> dict:
        """``{"accounts": [entry...]}`` (see :mod:`...estate.accounts`); raises AccountFailure with
        ``on_account_error: fail``. Accounts read (not cached) without a failure are cached.

        ``regions``: the regions to read, or a function that finds them (it may call ``DescribeRegions``). It
        runs side by side with the calls that find the accounts (``GetCallerIdentity`` and, with
        ``resource_directory``, ``ListAccounts``): none needs another's answer, so together they cost one round
        trip, not one each."""
        regions, (caller, targets) = self._regions_and_targets(regions)
        credentials = AccountCredentials(self.client.credentials, self.sts, caller, self.session_name,
                                         self.session_seconds)
        fetcher = AccountsFetcher(credentials, self.client.with_credentials, self.fetcher_of,
                                  max_concurrency=self.option("max_concurrency"),
                                  fail_fast=fails(self.option("on_account_error")),
                                  cached=lambda target: self._cached(target, regions))
        estate = fetcher.fetch(targets, regions)
        for target, entry in zip(targets, estate["accounts"]):
            entry["role_arn"] = None if entry["caller"] else target.role_arn
            self._store(target, regions, entry)
        return estate

    # ------------------------------------------------------------------------------ accounts

    def _regions_and_targets(self, regions):
        """The regions, and the caller's account id and the accounts to read (from the cache when it has them).
        The calls run side by side under ``max_concurrency``; the first error (regions, caller, accounts) is raised."""
        asks = [regions if callable(regions) else (lambda: list(regions))]
        found = self._get("accounts")
        if found is None:
            asks.append(lambda: self.sts.caller_account_id(self.client.credentials))
            if self.option("resource_directory"):
                asks.append(self._list_accounts)
        answers = side_by_side(asks, self.option("max_concurrency")) + [None]
        if found is None:
            found = {"caller": answers[1], "listed": answers[2]}
            self._put("accounts", found)
        if self.option("resource_directory"):
            targets = targets_from_directory(found["listed"], self.option("resource_directory_role_name"),
                                             self.option("account_ids"))
        else:
            targets = targets_from_options(self.option("accounts"))
        return answers[0], (found["caller"], targets)

    def _list_accounts(self):
        endpoint = resource_manager_endpoint(self.option("resource_manager_endpoint"))
        manager = self.client.with_credentials(self.client.credentials, ResourceManagerClient, endpoint)
        try:
            return list_accounts(manager)
        finally:
            manager.close()

    # --------------------------------------------------------------------------------- cache

    def _cached(self, target, regions):
        entry = self._get("account_%s" % target.account_id)
        if entry and entry.get("target") == target.key() and entry.get("regions_asked") == list(regions):
            self.plugin.display.vvv("alibabacloud.sgw.sgw: using the cached estate of account %s" % (
                describe_account(target)))
            return entry.get("regions")
        return None

    def _store(self, target, regions, entry):
        if entry["error"] is None and not any(data.get("error") for data in entry["regions"].values()):
            self._put("account_%s" % target.account_id,
                      {"target": target.key(), "regions_asked": list(regions), "regions": entry["regions"]})

    def _get(self, suffix):
        if self.cache is None or self.refresh:
            return None
        try:
            value = self.cache["%s_%s" % (self.key, suffix)]
        except KeyError:
            return None
        return value if isinstance(value, dict) else None

    def _put(self, suffix, value):
        if self.cache is not None:
            self.cache["%s_%s" % (self.key, suffix)] = value


def failure_message(failure: AccountFailure) -> str:
    where = " region %s:" % failure.region if failure.region else ""
    return ("alibabacloud.sgw.sgw: account %s failed:%s %s Set on_account_error: warn to keep the other accounts." % (
        describe_account(failure.target), where, failure.error))


def warnings_of(estate) -> list:
    """The warnings of a read of several accounts: each skipped account, each skipped region, named."""
    messages = []
    for entry in estate["accounts"]:
        name = entry["name"]
        if name != entry["account_id"]:
            name = "%s (%s)" % (name, entry["account_id"])
        if entry["error"]:
            where = " (region %s)" % entry["error"]["region"] if entry["error"].get("region") else ""
            messages.append("alibabacloud.sgw.sgw: account %s skipped%s: %s" % (name, where, entry["error"]["message"]))
            continue
        for region, data in entry["regions"].items():
            if data.get("error"):
                messages.append("alibabacloud.sgw.sgw: account %s: region %s skipped: %s" % (
                    name, region, data["error"]["message"]))
    return messages
