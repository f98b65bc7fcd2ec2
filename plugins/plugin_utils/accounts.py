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

from ansible_collections.alibabacloud.sgw.plugins.module_utils import accounts as across
from ansible_collections.alibabacloud.sgw.plugins.module_utils.accounts import AccountFailure, AccountSession
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.accounts import describe_account, side_by_side

ACCOUNT_GROUP = "sgw_account_%s"
WHO = "alibabacloud.sgw.sgw"


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
        self.fetcher_of = fetcher_of
        self.cache = cache
        self.key = key
        regions = plugin.get_option("regions")
        self.session = AccountSession(client, plugin.sgw_client_options(), settings, regions[0] if regions else None,
                                      max_concurrency=plugin.get_option("max_concurrency"))

    def read(self, regions) -> dict:
        """``{"accounts": [entry...]}`` (see :mod:`...estate.accounts`); raises AccountFailure with
        ``on_account_error: fail``. Accounts read (not cached) without a failure are cached.

        ``regions``: the regions to read, or a function that finds them (it may call ``DescribeRegions``). It
        runs side by side with the calls that find the accounts (``GetCallerIdentity`` and, with
        ``resource_directory``, ``ListAccounts``): none needs another's answer, so together they cost one round
        trip, not one each."""
        regions, (caller, targets) = self._regions_and_targets(regions)
        fetcher = self.session.fetcher(caller, lambda client, target: self.fetcher_of(client),
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
            asks += self.session.asks()
        answers = side_by_side(asks, self.session.max_concurrency)
        if found is None:
            found = AccountSession.found(answers[1:])
            self._put("accounts", found)
        return answers[0], (found["caller"], self.session.targets(found))

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
    return across.failure_message(failure, WHO)


def warnings_of(estate) -> list:
    """The warnings of a read of several accounts: each skipped account, each skipped region, named."""
    return across.warnings_of(estate["accounts"], WHO)
