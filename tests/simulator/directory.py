# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's resource directory: a management account, its member accounts and Resource
Manager ``ListAccounts`` (RPC, version 2020-03-31).

The management account is the account of ``--data`` (or ``--generate``); every ``--member-account``
file adds a member, the account of its ``account_id``. Who an API call comes from decides whose
estate it sees: an AccessKey given with ``--access-key`` is the management account's, and temporary
credentials issued by the simulator's STS belong to the account of the role's ARN
(``acs:ram::<account id>:role/...``) when that account is a member, else to the management account.

Every member has ``ResourceDirectoryAccountAccessRole``
(``acs:ram::<member id>:role/ResourceDirectoryAccountAccessRole``), which trusts every identity of
the management account and no other; a member file that lists a role of that ARN in its ``roles``
replaces it (``Trust: {Principals: []}`` makes a member whose role refuses the management account).

``ListAccounts`` answers the management account only (``NoPermission`` for anyone else,
``EntityNotExists.ResourceDirectory`` when there are no members). It pages with ``PageNumber``
(from 1) and ``PageSize`` (1 to 100, default 10), lists the management account first and the
members in the order they were given. Where the reference is silent the simulator plays either
way: the management account is listed or not (``rd_management``), ``TotalCount`` is sent or not
(``total_count``).
"""

from __future__ import annotations

import re
import zlib

from tests.simulator.errors import ApiError, invalid

RD_VERSION = "2020-03-31"
RD_ACTIONS = ("ListAccounts",)
ACCESS_ROLE = "ResourceDirectoryAccountAccessRole"
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
JOIN_TIME = "2023-01-01T00:00:00Z"
_ARN_ACCOUNT = re.compile(r"^acs:ram::(\d+):")


def access_role_arn(account_id: str, role_name: str = ACCESS_ROLE) -> str:
    return f"acs:ram::{account_id}:role/{role_name}"


class Directory:
    """The management account's service and the members' services, by account id."""

    def __init__(self, management, members=()):
        self.management = management
        self.members = {}
        for service in members:
            account_id = service.account.account_id
            if account_id == management.account.account_id or account_id in self.members:
                raise ValueError(f"member account {account_id} is given twice (or is the management account); "
                                 "every account file needs its own account_id")
            self.members[account_id] = service
        self.directory_id = "rd-%06x" % (zlib.crc32(management.account.account_id.encode()) % 0xFFFFFF)

    @property
    def management_id(self) -> str:
        return self.management.account.account_id

    def services(self) -> dict:
        """Every account's service, the management account first."""
        return {self.management_id: self.management, **self.members}

    def account_of(self, principal: str | None) -> str:
        """The account of a caller: a member's for a role ARN of a member, else the management account's."""
        match = _ARN_ACCOUNT.match(principal or "")
        if match and match.group(1) in self.members:
            return match.group(1)
        return self.management_id

    def service_of(self, principal: str | None):
        return self.services()[self.account_of(principal)]

    def roles(self) -> dict:
        """Every role STS knows: the management account's, each member's access role, each member's own."""
        roles = dict(self.management.account.roles)
        for account_id, service in self.members.items():
            arn = access_role_arn(account_id)
            roles[arn] = {"Arn": arn, "MaxSessionDuration": 3600, "Trust": {"Accounts": [self.management_id]}}
            roles.update(service.account.roles)
        return roles

    def list_accounts(self, params: dict, principal: str | None, management_listed: bool = True,
                      with_total: bool = True) -> dict:
        if not self.members:
            raise ApiError("EntityNotExists.ResourceDirectory")
        if self.account_of(principal) != self.management_id:
            raise ApiError("NoPermission", "Only the management account of the resource directory may call "
                                           "ListAccounts.")
        number = _page_param(params, "PageNumber", 1, None)
        size = _page_param(params, "PageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        ids = ([self.management_id] if management_listed else []) + list(self.members)
        page = ids[(number - 1) * size:number * size]
        body = {"PageNumber": number, "PageSize": size, "Accounts": {"Account": [self._record(i) for i in page]}}
        if with_total:
            body["TotalCount"] = len(ids)
        return body

    def _record(self, account_id: str) -> dict:
        account = self.services()[account_id].account
        name = account.display_name or f"account-{account_id}"
        root = "r-%06x" % (zlib.crc32(self.directory_id.encode()) % 0xFFFFFF)
        return {
            "AccountId": account_id, "DisplayName": name, "AccountName": f"{name.lower()}@{account_id}.onaliyun.com",
            "Type": "CloudAccount" if account_id == self.management_id else "ResourceAccount",
            "Status": "CreateSuccess", "JoinMethod": "invited" if account_id == self.management_id else "created",
            "JoinTime": JOIN_TIME, "ModifyTime": JOIN_TIME, "FolderId": root, "ResourceDirectoryId": self.directory_id,
            "ResourceDirectoryPath": f"{self.directory_id}/{root}/{account_id}",
        }


def _page_param(params: dict, name: str, default: int, largest: int | None) -> int:
    text = str(params.get(name, "")).strip() or str(default)
    if not text.isdigit() or int(text) < 1 or (largest is not None and int(text) > largest):
        raise invalid(name, "a whole number from 1" + (f" to {largest}" if largest else ""))
    return int(text)
