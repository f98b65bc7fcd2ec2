# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the lookup plugins share: options, the client, ``on_missing`` / ``on_denied``, ``query``.

A lookup subclasses :class:`SgwLookupBase` and implements two hooks:

* :meth:`SgwLookupBase.prepare` checks the terms and options and returns what the fetch needs,
  before any API call;
* :meth:`SgwLookupBase.fetch` makes the calls and returns a list of records.

The base turns every error into one ``AnsibleLookupError`` (no traceback), applies ``query`` and
marks the result unsafe. The term helpers are plain functions, tested with tables.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

try:
    import jmespath
    import jmespath.exceptions
    HAS_JMESPATH = True
except ImportError:  # pragma: no cover - reported when the query option is used
    HAS_JMESPATH = False

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.alibabacloud.sgw.plugins.module_utils import accounts as across
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.accounts import describe_account
from ansible_collections.alibabacloud.sgw.plugins.module_utils.options import (
    REGION_ENV,
    account_settings,
    concurrency_problem,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.api import check_regions
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError, SgwError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.validation import (
    invalid_express_sync_ids,
    region_problem,
)
from ansible_collections.alibabacloud.sgw.plugins.plugin_utils.base import (
    SgwPluginMixin,
    make_unsafe,
    unknown_options,
)

NOT_FOUND_CODE = "ExpressSyncNotExist"


# ------------------------------------------------------------------------------- pure helpers

def split_terms(terms) -> list:
    """Express sync group ids from lookup terms.

    A term is a string that may hold several ids separated by commas, or a list of such strings
    (``lookup('...', ['sync-a', 'sync-b'])``). Ids are stripped, empty ones dropped, duplicates
    dropped keeping the first; anything that is not a string is an error.
    """
    ids = []
    for term in _flat(terms):
        if not isinstance(term, str):
            raise AnsibleLookupError("Terms must be express sync group ids (strings), not %s %r." % (
                type(term).__name__, term))
        for part in term.split(","):
            part = part.strip()
            if part and part not in ids:
                ids.append(part)
    return ids


def _flat(terms):
    if terms is None:
        return
    if isinstance(terms, (str, bytes, Mapping)) or not hasattr(terms, "__iter__"):
        yield terms
        return
    for term in terms:
        if isinstance(term, (str, bytes, Mapping)) or not hasattr(term, "__iter__"):
            yield term
        else:
            yield from _flat(term)


def express_sync_ids_from_terms(terms, required=True) -> list:
    """The checked group ids of ``terms``; an error names every bad id, or says that none was given."""
    ids = split_terms(terms)
    if not ids and required:
        raise AnsibleLookupError("No express sync group id given: pass one or more ids (sync-...) as terms, for "
                                 "example lookup('alibabacloud.sgw.express_sync_shares', 'sync-0123abcd').")
    problems = invalid_express_sync_ids(ids)
    if problems:
        raise AnsibleLookupError("Invalid terms: %s." % "; ".join(problems))
    return ids


def compile_query(expression):
    """A compiled JMESPath expression, or None when there is none; a bad one is a clear error."""
    if expression is None or expression == "":
        return None
    if not HAS_JMESPATH:
        raise AnsibleLookupError("The option query needs the Python library jmespath on the controller: "
                                 "pip install jmespath.")
    if not isinstance(expression, str):
        raise AnsibleLookupError("The option query must be a JMESPath expression (a string), not %s." %
                                 type(expression).__name__)
    try:
        return jmespath.compile(str(expression))
    except jmespath.exceptions.JMESPathError as exc:
        raise AnsibleLookupError("The option query %r is not a valid JMESPath expression: %s" % (
            str(expression), _one_line(exc))) from None


def apply_query(records, compiled) -> list:
    """``records`` through a compiled JMESPath expression, as the list a lookup returns.

    Without an expression the records are returned as they are. A list result is returned as it
    is; any other result (a number, a string, an object, null) is the only element of the list.
    """
    if compiled is None:
        return list(records)
    try:
        value = compiled.search(records)
    except jmespath.exceptions.JMESPathError as exc:
        raise AnsibleLookupError("The option query %r failed on the result: %s" % (
            compiled.expression, _one_line(exc))) from None
    return value if isinstance(value, list) else [value]


def _one_line(exc) -> str:
    return " ".join(str(exc).split())


def missing_ids(ids, existing) -> list:
    """The ids of ``ids`` that are not in ``existing``, in the order of ``ids``."""
    existing = set(existing)
    return [i for i in ids if i not in existing]


# ------------------------------------------------------------------------------------ the base

class SgwLookupBase(LookupBase, SgwPluginMixin):
    """The base of the collection's lookups (options of ``alibabacloud.sgw.common``, ``.region``,
    ``.accounts`` and ``.concurrency``, plus ``query``, ``on_missing`` and ``on_denied``).

    With ``accounts`` or ``resource_directory``, :meth:`fetch` runs once per account, side by side
    (so it keeps no state of its own between calls but per client), and each row gets the
    ``account_id`` and ``account_name`` of its account."""

    NAME = "alibabacloud.sgw"
    sgw_error_class = AnsibleLookupError

    region = None

    def run(self, terms, variables=None, **kwargs):
        problems = unknown_options(kwargs, self.option_definitions)
        if problems:
            raise AnsibleLookupError("Invalid options: %s." % "; ".join(problems))
        # Types and choices (on_missing, on_denied...) are checked here, by Ansible's configuration manager.
        self.set_options(var_options=variables, direct=kwargs)
        self.sgw_given = kwargs
        self.region = self._checked_region()
        accounts = self._account_settings()
        compiled = compile_query(self.get_option("query"))
        prepared = self.prepare(terms)
        self._reading = threading.local()  # the account that the current thread reads
        client = self.sgw_client(region=self.region)
        try:
            check_regions(client, [self.region])
            self._across, self._unsure = across.is_multi_account(accounts), False
            if self._across:
                records = self._fetch_accounts(client, prepared, accounts)
            else:
                records = self.fetch(client, prepared)
        except SgwError as exc:
            raise AnsibleLookupError(str(exc)) from None
        finally:
            client.close()
        return make_unsafe(apply_query(records, compiled))

    def _account_settings(self):
        """The account options, checked before any call."""
        try:
            settings = account_settings(self.sgw_given)
        except SgwError as exc:
            raise AnsibleLookupError("Invalid options: %s" % exc) from None
        problems = across.option_problems(settings)
        problems += [p for p in (concurrency_problem(self.get_option("max_concurrency")),) if p]
        if problems:
            raise AnsibleLookupError("Invalid options: %s." % "; ".join(problems))
        return settings

    def _fetch_accounts(self, client, prepared, settings):
        """The rows of every account, each with its account_id and account_name; a failed account as
        ``on_account_error`` says."""
        session = across.AccountSession(client, self.sgw_client_options(), settings, self.region,
                                        max_concurrency=self.get_option("max_concurrency"))

        unread = []  # accounts that could not say what they have (on_denied warn or skip)

        def read(account_client, target):
            self._reading.target = target
            try:
                rows = self.fetch_account(account_client, prepared)
            except AnsibleLookupError as exc:  # on_missing / on_denied said error: the account failed
                raise across.AccountReadError(exc.message) from None
            finally:
                self._reading.target = None
            if rows is None:
                unread.append(target)
            return rows or []

        try:
            rows, warnings = across.rows_of_accounts(session, read, self.region, self.NAME)
        except across.AccountFailure as failure:
            raise AnsibleLookupError(across.failure_message(failure, self.NAME)) from None
        for message in warnings:
            self._display.warning(message)
        self._unsure = bool(warnings or unread)  # an id may be in an account that could not be read
        self.missing_across(prepared, rows)
        return rows

    @property
    def calls_at_once(self):
        """How many calls one read may make at once: one, when the accounts are read side by side."""
        reading = getattr(self, "_reading", None)
        return 1 if getattr(reading, "target", None) else self.get_option("max_concurrency")

    def warn(self, message):
        """A warning of this lookup, naming the account it is about when several are read."""
        target = getattr(getattr(self, "_reading", None), "target", None)
        where = "account %s: " % describe_account(target) if target else ""
        self._display.warning("%s: %s%s" % (self.NAME, where, message))

    # ------------------------------------------------------------------------------- hooks

    def prepare(self, terms):
        """Check the terms and options before any call; return what :meth:`fetch` needs."""
        raise NotImplementedError

    def fetch(self, client, prepared) -> list:
        """The records (plain dicts) that the lookup returns before ``query``."""
        raise NotImplementedError

    def fetch_account(self, client, prepared) -> list:
        """The records of one account of several: by default those of :meth:`fetch`; None when the account
        could not be read and the lookup's options say to go on (then no id is said to be missing)."""
        return self.fetch(client, prepared)

    def missing_across(self, prepared, rows):
        """After every account was read (``rows``): ``on_missing`` for what no account had."""

    def report_missing(self, message):
        """``on_missing`` for ``message``; a warning instead when an account that was not read may have it."""
        if getattr(self, "_unsure", False) and self.get_option("on_missing") != "skip":
            self.warn("%s; an account that could not be read may have it" % message)
            return
        self.handle("on_missing", "%s (on_missing=%s)" % (message, self.get_option("on_missing")))

    def across_what(self) -> str:
        """`` in any of the accounts`` while several accounts are read (for the messages of missing groups)."""
        return " in any of the accounts" if getattr(self, "_across", False) else ""

    # ------------------------------------------------------------------------------ errors

    def _checked_region(self):
        region = self.sgw_region_option()
        problem = region_problem(region, REGION_ENV)
        if problem:
            raise AnsibleLookupError(problem)
        return region

    def handle(self, option, message, default=None):
        """Apply ``on_missing`` or ``on_denied``: raise, warn and return ``default``, or return ``default``."""
        mode = self.get_option(option)
        if mode == "warn":
            self.warn(message)
            return default
        if mode == "skip":
            self._display.vvv("%s: skipped (%s=skip): %s" % (self.NAME, option, message))
            return default
        raise AnsibleLookupError(message) from None

    def handle_error(self, error, default=None, missing_message=None):
        """An API error through ``on_denied`` (denied), ``on_missing`` (``ExpressSyncNotExist``) or raised.

        ``missing_message`` replaces the message of a not-found error (to name the ids concerned).
        """
        if isinstance(error, SgwApiError) and error.is_denied:
            return self.handle("on_denied", "%s (on_denied=%s)" % (error, self.get_option("on_denied")), default)
        if isinstance(error, SgwApiError) and error.code == NOT_FOUND_CODE:
            message = missing_message or str(error)
            return self.handle("on_missing", "%s (on_missing=%s)" % (message, self.get_option("on_missing")),
                               default)
        raise error

    def call(self, fn, *args, default=None, **kwargs):
        """``fn(*args, **kwargs)``, with its API error handled by :meth:`handle_error`."""
        try:
            return fn(*args, **kwargs)
        except SgwApiError as error:
            return self.handle_error(error, default)
