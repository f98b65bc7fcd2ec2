"""One run over several accounts (writes/heal.py): which account completes each pending entry, and the
warnings of every account, against the in-process API of two accounts on a fake clock."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwCredentialError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import journal as journals
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import tasks
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes.heal import CALLER, Heal
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes.resync import Resync
from tests.support.fake_api import FakeApi, FakeClock
from tests.support.heal_accounts import DATA, MEDIA, MEDIA_ROLE
from tests.support.in_thread import InThread

ENDPOINT = "http://127.0.0.1:1"
OTHER_ENDPOINT = "http://127.0.0.1:2"
OURS = {"key_id": "LTAI****ey01", "identity": "a" * 24}
THEIRS = {"key_id": "LTAI****zz99", "identity": "c" * 24}
CALLER_ID = "1638094425718837"
PARAMS = {"wait_timeout": 60, "max_concurrency": 4, "wait_healthy": True, "healthy_timeout": 60}
MEDIA_GROUP = "sync-0005m3diasync01"


def engine(api, journal, account, clock):
    waits = tasks.Waits(sleep=clock.sleep, clock=clock, rand=lambda: 1.0, wall=clock)
    return Resync(api, journal, account, lambda region: ENDPOINT, dict(PARAMS), waits=waits)


def entry(account, endpoint=ENDPOINT, group="sync-0001xv7je357xn8t"):
    return journals.new_entry(account, endpoint, "cn-hangzhou", group, [("gw-0004xq2m7bd1v9hke", "render-frames")])


@pytest.mark.parametrize("account, endpoint, given, with_roles, caller_id, key", [
    (OURS, ENDPOINT, False, True, None, CALLER),                       # written by these credentials
    (dict(OURS, account_id=CALLER_ID), ENDPOINT, False, True, None, CALLER),
    (OURS, OTHER_ENDPOINT, False, True, None, "other"),                # another endpoint
    (THEIRS, ENDPOINT, False, True, None, "other"),                    # 1.1.0: other credentials are left alone
    (THEIRS, ENDPOINT, True, True, None, CALLER),                      # 1.1.0: given back, resumed (with a warning)
    (dict(THEIRS, account_id=CALLER_ID), ENDPOINT, False, True, CALLER_ID, CALLER),  # the same account
    (dict(THEIRS, account_id=MEDIA), ENDPOINT, True, True, CALLER_ID, "other"),      # another account: never here
    (dict(THEIRS, account_id=MEDIA), ENDPOINT, True, True, None, "other"),           # the caller's account unknown
    (dict(THEIRS, account_id=MEDIA, role_arn=MEDIA_ROLE), ENDPOINT, False, True, None, MEDIA_ROLE),  # its role
    (dict(OURS, account_id=MEDIA, role_arn=MEDIA_ROLE), ENDPOINT, False, False, None, "other"),  # no role reached
])
def test_each_entry_is_completed_in_its_own_account_or_left_alone(tmp_path, account, endpoint, given, with_roles,
                                                                  caller_id, key):
    clock = FakeClock()
    caller = engine(FakeApi(clock=clock), journals.Journal(tmp_path / "j.json"), OURS, clock)
    heal = Heal(caller.journal, caller, (lambda role: None) if with_roles else None, lambda: caller_id)
    found = heal.key_of(journals.clean_entry(entry(account, endpoint)), given)
    assert (found if found is CALLER or isinstance(found, str) else "other") == key


def test_every_accounts_warnings_are_the_runs_and_a_refused_role_keeps_its_entries(tmp_path):
    clock = FakeClock()
    journal = journals.Journal(tmp_path / "j.json", clock=clock, sleep=clock.sleep)
    caller = engine(FakeApi(clock=clock), journal, OURS, clock)
    member = engine(FakeApi(DATA / "member_media.yml", clock=clock), journal,
                    dict(OURS, account_id=MEDIA, role_arn=MEDIA_ROLE), clock)
    # the member's share named in a group it is not a member of: the member's own warning
    requested = {MEDIA_ROLE: {("cn-hangzhou", "sync-0001xv7je357xn8t"): [("gw-0005m3dia0gatew1", "proxies")]}}
    heal = Heal(journal, caller, lambda role: member)
    heal.run(requested, pool_factory=InThread)
    assert any("proxies@gw-0005m3dia0gatew1" in w for w in heal.warnings), heal.warnings

    # an entry of a role that cannot be assumed stays, named; the caller's own entry is completed all the same
    theirs = entry(dict(OURS, account_id=MEDIA, role_arn=MEDIA_ROLE), group=MEDIA_GROUP)
    ours = entry(OURS)
    journal.entries = [theirs, ours]
    journal.save()

    def refused(role):
        raise SgwCredentialError("AssumeRole of role %s failed: NoPermission." % role, code="NoPermission")

    caller = engine(FakeApi(clock=clock), journal, OURS, clock)
    heal = Heal(journal, caller, refused)
    result = heal.run({}, resume_only=True, pool_factory=InThread)
    assert [e["id"] for e in result["pending"]] == [theirs["id"]]
    assert journals.decode_token(result["resume_token"]) == result["pending"]
    assert [a["account_id"] for a in result["failed_accounts"]] == [MEDIA]
    assert [r["express_sync_id"] for r in result["resumed"]] == ["sync-0001xv7je357xn8t"]
    assert any("account %s" % MEDIA in w and "the other accounts went on" in w for w in heal.warnings)
    assert "NoPermission" in heal.failure_message() and heal.errors


def test_the_accounts_health_is_waited_for_within_one_healthy_timeout(tmp_path):
    clock = FakeClock()
    journal = journals.Journal(tmp_path / "j.json", clock=clock, sleep=clock.sleep)
    # the caller's share takes far longer than healthy_timeout (60 s) to sync, the member's longer than 60 s too
    caller = engine(FakeApi(clock=clock, full_sync_seconds=10_000), journal, OURS, clock)
    member = engine(FakeApi(DATA / "member_media.yml", clock=clock, full_sync_seconds=100), journal,
                    dict(OURS, account_id=MEDIA, role_arn=MEDIA_ROLE), clock)
    start = clock()
    requested = {CALLER: {("cn-hangzhou", "sync-0001xv7je357xn8t"): [("gw-0004xq2m7bd1v9hke", "render-frames")]},
                 MEDIA_ROLE: {("cn-hangzhou", MEDIA_GROUP): [("gw-0005m3dia0gatew1", "proxies")]}}
    result = Heal(journal, caller, lambda role: member).run(requested, pool_factory=InThread)
    assert result["not_recovered"] == ["proxies@gw-0005m3dia0gatew1", "render-frames@gw-0004xq2m7bd1v9hke"]
    # the member's wait had what was left of the one healthy_timeout: one read, no wait of its own
    assert member.health_rounds == 1 and caller.health_rounds > 1
    assert clock() - start < 100
