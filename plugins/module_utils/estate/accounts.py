# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fetch the estate of several accounts side by side, under one bound of calls in flight.

Each account is one plain function, :meth:`AccountsFetcher._account`, run on a thread of its own:
it gets the account's credentials (an STS ``AssumeRole``, or the caller's own for the calling
account), then fetches the account's regions with an :class:`~.fetch.EstateFetcher`. Every API
call of every account (the ``AssumeRole`` calls included) runs on ONE pool of ``max_concurrency``
threads, so ``max_concurrency`` stays the cap of the calls in flight however many accounts there
are, and a slow account never holds the others back.

An account fails when its credentials cannot be had, or when one of its regions fails and the
region fetch is ``fail_fast`` (``on_region_error: fail``). With ``fail_fast`` here
(``on_account_error: fail``) the first failed account (in the order given) raises
:class:`AccountFailure` once the calls in flight have ended, and the accounts not yet started are
not read; otherwise a failed account is kept with its error and no data, and the others are whole.

The result is ``{"accounts": [entry, ...]}`` in the order given, each entry
``{"account_id", "name", "caller", "regions", "error"}``: ``regions`` is the
:class:`~.fetch.EstateFetcher` data of the account (None when it failed), ``caller`` whether it
was read with the caller's own credentials. ``cached(target)`` may give an account's regions from
a cache: that account is then neither assumed nor read.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor, wait

from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.fetch import RegionFailure, error_record
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwError


class AccountFailure(Exception):
    """An account could not be read; carries the account (an ``AccountTarget``) and the original error."""

    def __init__(self, target, error, region=None):
        self.target = target
        self.error = error
        self.region = region
        super().__init__("account %s: %s" % (describe_account(target), error))


class _NotRead(SgwError):
    """An account not read because another one failed first and ``fail_fast`` is set."""


def side_by_side(functions, max_concurrency) -> list:
    """The results of ``functions`` (each called with no argument), called side by side on at most
    ``max_concurrency`` threads; when some raise, the error of the first of them (in the order given) is raised
    once all have ended."""
    with ThreadPoolExecutor(max_workers=max(1, min(int(max_concurrency), len(functions) or 1)),
                            thread_name_prefix="sgw") as pool:
        futures = [pool.submit(function) for function in functions]
        wait(futures)
    return [future.result() for future in futures]


def describe_account(target) -> str:
    """``name (id)``, or the id alone when the account has no other name."""
    return target.account_id if target.name == target.account_id else "%s (%s)" % (target.name, target.account_id)


class AccountsFetcher:
    """Fetch the estate of several accounts on one pool of ``max_concurrency`` threads.

    ``credentials`` is an :class:`~..credentials.accounts.AccountCredentials`; ``client_of(credentials)``
    returns a client that signs with them (closed after its account is read); ``fetcher_of(client, target)``
    returns the :class:`~.fetch.EstateFetcher` of one account (or anything whose ``fetch(regions, calls)``
    returns ``{"regions": ...}`` and makes its calls on the pool ``calls``).
    """

    def __init__(self, credentials, client_of, fetcher_of, max_concurrency=8, fail_fast=True, cached=None):
        self.credentials = credentials
        self.client_of = client_of
        self.fetcher_of = fetcher_of
        self.max_concurrency = max(1, int(max_concurrency))
        self.fail_fast = fail_fast
        self.cached = cached or (lambda target: None)

    def fetch(self, targets, regions) -> dict:
        targets = list(targets)
        run = _Run(self)
        with ThreadPoolExecutor(max_workers=self.max_concurrency, thread_name_prefix="sgw") as calls, \
                ThreadPoolExecutor(max_workers=max(1, len(targets)), thread_name_prefix="sgw-account") as chains:
            futures = [chains.submit(run.account, target, list(regions), calls) for target in targets]
            entries = [future.result() for future in futures]
        if self.fail_fast:
            failed = [(t, e) for t, e in zip(targets, entries) if e["error"] is not None]
            real = [(t, e) for t, e in failed if not isinstance(run.errors.get(t.account_id), _NotRead)]
            if real:
                target = real[0][0]
                raise AccountFailure(target, run.errors[target.account_id], run.regions.get(target.account_id))
        return {"accounts": entries}


class _Run:
    """One fetch of several accounts; the account functions run on their own threads."""

    def __init__(self, fetcher):
        self.fetcher = fetcher
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.errors = {}   # account id -> the error that failed it
        self.regions = {}  # account id -> the region whose failure failed it

    def account(self, target, regions, calls) -> dict:
        fetcher = self.fetcher
        entry = {"account_id": target.account_id, "name": target.name,
                 "caller": fetcher.credentials.is_caller(target), "regions": None, "error": None}
        cached = fetcher.cached(target)
        if cached is not None:
            entry["regions"] = cached
            return entry
        try:
            if self.stop.is_set():
                raise _NotRead("not read: another account failed first")
            credentials = calls.submit(fetcher.credentials.of, target).result()  # the AssumeRole: a call in flight
            client = fetcher.client_of(credentials)
            try:
                entry["regions"] = fetcher.fetcher_of(client, target).fetch(regions, calls)["regions"]
            finally:
                client.close()
        except RegionFailure as failure:
            self._failed(target, entry, failure.error, failure.region)
        except SgwError as error:
            self._failed(target, entry, error)
        return entry

    def _failed(self, target, entry, error, region=None):
        with self.lock:
            self.errors[target.account_id] = error
            if region:
                self.regions[target.account_id] = region
        record = error_record(error)
        if region:
            record["region"] = region
        entry["error"] = record
        if self.fetcher.fail_fast and not isinstance(error, _NotRead):
            self.stop.set()
