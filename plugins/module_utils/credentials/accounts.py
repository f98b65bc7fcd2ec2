# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The accounts of a multi-account read, and the credentials of each.

An account is named by the role to assume in it (the option ``accounts``: a list of
``{role_arn, name, external_id}``), or found in the caller's resource directory (Resource
Manager ``ListAccounts``), where the role is ``acs:ram::<account id>:role/<role name>`` with the
role name ``ResourceDirectoryAccountAccessRole`` by default. The calling account (STS
``GetCallerIdentity``) is read with the caller's own credentials when it is one of them. Every
other account's credentials are STS ``AssumeRole`` of its role with the caller's credentials,
renewed before they expire (:class:`~.chain.RefreshingCredentials`); they are made only when
first asked for, so that the role calls of several accounts can run side by side.
"""

from __future__ import annotations

import re
import threading

from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.chain import RefreshingCredentials

DEFAULT_DIRECTORY_ROLE = "ResourceDirectoryAccountAccessRole"
ACCOUNT_FIELDS = ("role_arn", "name", "external_id")
_ROLE_ARN = re.compile(r"^acs:ram::(\d+):role/([A-Za-z0-9._\-/]+)$")
_ROLE_NAME = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")
_ACCOUNT_ID = re.compile(r"^\d+$")


class AccountTarget:
    """One account to read: its id, the name shown (``sgw_account_name``), the role to assume in it."""

    __slots__ = ("account_id", "name", "role_arn", "external_id")

    def __init__(self, account_id, name=None, role_arn=None, external_id=None):
        self.account_id = account_id
        self.name = name or account_id
        self.role_arn = role_arn
        self.external_id = external_id

    def __eq__(self, other):
        return isinstance(other, AccountTarget) and all(getattr(self, s) == getattr(other, s) for s in self.__slots__)

    def __hash__(self):
        return hash(self.account_id)

    def __repr__(self):
        return "AccountTarget(%s)" % ", ".join("%s=%r" % (s, getattr(self, s)) for s in self.__slots__)

    def key(self) -> dict:
        """What the account's cache entry depends on (no secret: an external id is a shared name, not a key)."""
        return {"account_id": self.account_id, "role_arn": self.role_arn, "external_id": self.external_id}


def role_account_id(role_arn):
    """The account id of a role ARN such as ``acs:ram::1234:role/name``; None when it is not one."""
    match = _ROLE_ARN.match(role_arn) if isinstance(role_arn, str) else None
    return match.group(1) if match else None


def directory_role_arn(account_id, role_name=DEFAULT_DIRECTORY_ROLE) -> str:
    return "acs:ram::%s:role/%s" % (account_id, role_name)


def account_option_problems(accounts, role_name=None, account_ids=None) -> list:
    """What is wrong with the options ``accounts``, ``resource_directory_role_name`` and ``account_ids``."""
    problems = []
    for number, entry in enumerate(accounts or ()):
        where = "accounts[%d]" % number
        if not isinstance(entry, dict):
            problems.append("%s must be a mapping with role_arn (and optionally name, external_id)" % where)
            continue
        unknown = sorted(str(k) for k in entry if k not in ACCOUNT_FIELDS)
        if unknown:
            problems.append("%s: unknown key(s) %s; the keys are %s"
                            % (where, ", ".join(unknown), ", ".join(ACCOUNT_FIELDS)))
        if role_account_id(entry.get("role_arn")) is None:
            problems.append("%s: role_arn %r is not a role ARN such as acs:ram::<account id>:role/<role name>" % (
                where, entry.get("role_arn")))
        for field in ("name", "external_id"):
            if entry.get(field) is not None and not isinstance(entry.get(field), str):
                problems.append("%s: %s must be a string" % (where, field))
    ids = [role_account_id(e.get("role_arn")) for e in accounts or () if isinstance(e, dict)]
    twice = sorted({i for i in ids if i and ids.count(i) > 1})
    if twice:
        problems.append("accounts: the account %s is named twice" % ", ".join(twice))
    if role_name is not None and not _ROLE_NAME.match(str(role_name)):
        problems.append("resource_directory_role_name %r is not a RAM role name" % (role_name,))
    for account_id in account_ids or ():
        if not _ACCOUNT_ID.match(str(account_id)):
            problems.append("account_ids: %r is not an account id (digits only)" % (account_id,))
    return problems


def targets_from_options(accounts) -> list:
    """The accounts of the option ``accounts`` (checked by :func:`account_option_problems`), in order."""
    return [AccountTarget(role_account_id(e["role_arn"]), e.get("name"), e["role_arn"], e.get("external_id"))
            for e in accounts]


def targets_from_directory(listed, role_name=DEFAULT_DIRECTORY_ROLE, account_ids=None) -> list:
    """The accounts that ``ListAccounts`` listed (``{"account_id", "name"}``), kept to ``account_ids`` when given."""
    wanted = {str(i) for i in account_ids or ()}
    return [AccountTarget(a["account_id"], a["name"], directory_role_arn(a["account_id"], role_name))
            for a in listed if not wanted or a["account_id"] in wanted]


class AccountCredentials:
    """The credentials of each account, from the caller's ``base`` credentials.

    ``sts`` is a :class:`~.sts.StsCaller`; ``caller_account_id`` the caller's account (its own
    credentials serve it). :meth:`of` is safe to call from several threads: each account's role is
    assumed once, and its credentials are renewed before they expire.
    """

    def __init__(self, base, sts, caller_account_id, session_name, duration, clock=None):
        self.clock = clock
        self.base = base
        self.sts = sts
        self.caller_account_id = caller_account_id
        self.session_name = session_name
        self.duration = duration
        self._lock = threading.Lock()
        self._made = {}  # account id -> (lock, credentials or None)

    def is_caller(self, target) -> bool:
        return target.account_id == self.caller_account_id

    def of(self, target):
        """The credentials of ``target``; an STS failure raises :class:`~.errors.SgwCredentialError`."""
        if self.is_caller(target):
            return self.base
        with self._lock:
            entry = self._made.setdefault(target.account_id, [threading.Lock(), None])
        with entry[0]:
            if entry[1] is None:
                def fetch():
                    return self.sts.assume_role(self.base, target.role_arn, self.session_name, self.duration,
                                                external_id=target.external_id)
                entry[1] = RefreshingCredentials(fetch, **({"clock": self.clock} if self.clock else {}))
            return entry[1]
