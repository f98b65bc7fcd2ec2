"""The resync journal: paths, identities, atomic writes, damaged files, entries given back, the lock."""

from __future__ import annotations

import base64
import json
import os
import re
import stat
import zlib

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import journal as journals
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.chain import (
    Credentials,
    RefreshingCredentials,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwConfigError

SECRET = "journal-unit-secret-Q7"
TOKEN = "journal-unit-token-CAIS8x"


def entry(**changes):
    account = {"key_id": "LTAI****ey01", "identity": "a" * 24}
    made = journals.new_entry(account, "https://sgw.cn-shanghai.aliyuncs.com", "cn-hangzhou", "sync-0001abc",
                              [("gw-0001abc", "media"), ("gw-0002abc", "edit")])
    made.update(changes)
    return made


@pytest.mark.parametrize("env, expected", [
    ({journals.JOURNAL_ENV: "/srv/heal/journal.json", "ANSIBLE_HOME": "/x"}, "/srv/heal/journal.json"),
    ({"ANSIBLE_HOME": "/opt/ansible"}, "/opt/ansible/alibabacloud.sgw/resync-journal.json"),
    ({}, os.path.expanduser("~/.ansible/alibabacloud.sgw/resync-journal.json")),
])
def test_default_path(env, expected):
    assert journals.default_path(env) == expected


def test_account_is_masked_and_matched_by_key_or_by_the_source_of_sts_credentials():
    permanent = journals.account_of(Credentials("LTAI5tJournalKey01", SECRET, source="environment"))
    again = journals.account_of(Credentials("LTAI5tJournalKey01", "other-secret", source="profile prod"))
    other = journals.account_of(Credentials("LTAI5tJournalKey02", SECRET, source="environment"))
    assert permanent["key_id"] == "LTAI****ey01"
    assert permanent["identity"] == again["identity"] != other["identity"]
    # STS key ids change with every session: the source is what stays
    first = journals.account_of(Credentials("STS.NUgYrLnoC37mZZ01", SECRET, TOKEN, source="ECS RAM role ops"))
    next_session = journals.account_of(Credentials("STS.NUgYrLnoC37mZZ02", SECRET, TOKEN + "2",
                                                   source="ECS RAM role ops"))
    assert first["identity"] == next_session["identity"] != permanent["identity"]
    text = json.dumps([permanent, first])
    assert SECRET not in text and TOKEN not in text and "LTAI5tJournalKey01" not in text


def test_save_and_load_round_trip_private_file_removed_when_empty(tmp_path):
    journal = journals.Journal(tmp_path / "deep" / "journal.json")
    journal.entries = [entry()]
    journal.save()
    assert stat.S_IMODE(os.stat(journal.path).st_mode) == 0o600
    assert json.loads(open(journal.path, encoding="utf-8").read())["version"] == journals.FORMAT_VERSION
    loaded = journals.Journal(journal.path)
    assert loaded.load() == journal.entries
    loaded.drop(loaded.entries)
    loaded.save()
    assert not os.path.exists(journal.path)
    assert os.listdir(tmp_path / "deep") == []


def test_a_write_that_dies_leaves_the_previous_journal_whole(tmp_path, monkeypatch):
    journal = journals.Journal(tmp_path / "journal.json")
    journal.entries = [entry()]
    journal.save()
    before = open(journal.path, encoding="utf-8").read()

    def replace(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(journals.os, "replace", replace)
    journal.update(journal.entries, step="removed")
    with pytest.raises(OSError):
        journal.save()
    assert open(journal.path, encoding="utf-8").read() == before
    assert os.listdir(tmp_path) == ["journal.json"]  # no temporary file left behind


@pytest.mark.parametrize("text, message", [
    ("{not json", "cannot be read"),
    ('{"entries": {}}', "not a journal"),
    ('{"version": 1, "entries": [{"region": "cn-hangzhou"}]}', "entry 0 of the resync journal"),
    ('{"entries": []}', "is of version None, and this collection reads version 1 only"),
    ('{"version": 99, "entries": []}', "is of version 99, and this collection reads version 1 only"),
    ('{"version": "1", "entries": []}', "is of version '1', and this collection reads version 1 only"),
])
def test_a_damaged_journal_is_an_error_never_emptied(tmp_path, text, message):
    path = tmp_path / "journal.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SgwConfigError, match=message) as raised:
        journals.Journal(path).load()
    assert str(path) in str(raised.value)
    assert path.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("changes, problem", [
    ({}, None),
    ({"region": "Hangzhou"}, "is not a region id"),
    ({"express_sync_id": "group-1"}, "is not an express sync group id"),
    ({"step": "done"}, "step 'done' is not one of"),
    ({"endpoint": ""}, "endpoint is missing"),
    ({"account": {"key_id": "x"}}, "account must have key_id and identity"),
    ({"shares": []}, "shares must be a non-empty list"),
    ({"shares": [{"gateway_id": "gw-1"}]}, "the share name of gateway gw-1 is empty"),
    ({"shares": [{"gateway_id": "gw-1", "share_name": "a,b"}]}, "contains a comma, which GatewayShares cannot carry"),
    ({"shares": ["gw-1/a"]}, "every share needs gateway_id and share_name"),
    ({"lands_by": "soon"}, "lands_by must be a number of seconds or null"),
    ({"shares": [{"gateway_id": "nope", "share_name": "a"}]}, "is not a gateway id"),
])
def test_invalid_entry(changes, problem):
    problems = journals.invalid_entry(entry(**changes))
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def test_entries_given_back_keep_only_the_journal_fields():
    given = entry(secret=SECRET)
    given["account"]["access_key_secret"] = SECRET
    given["shares"][0]["token"] = TOKEN
    cleaned = journals.clean_entry(given)
    assert set(cleaned) == set(journals.ENTRY_FIELDS)
    assert SECRET not in json.dumps(cleaned) and TOKEN not in json.dumps(cleaned)


class Clock:
    def __init__(self):
        self.now = 0.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_a_second_run_waits_for_the_lock_then_fails_clearly(tmp_path):
    first = journals.Journal(tmp_path / "journal.json")
    first.lock(0)
    clock = Clock()
    second = journals.Journal(tmp_path / "journal.json", clock=clock.monotonic, sleep=clock.sleep)
    with pytest.raises(journals.JournalLocked) as raised:
        second.lock(5)
    assert clock.now == pytest.approx(5.0)
    message = str(raised.value)
    assert "is locked by another run (pid %d since " % os.getpid() in message
    assert "within 5s (wait_timeout)" in message
    first.unlock()
    second.lock(0)  # free now
    second.unlock()


def test_temporary_credentials_are_journalled_by_their_source_never_their_secret():
    fetched = iter([Credentials("STS.NUk1a2b3c4d5e6f7", SECRET, TOKEN, source="RAM role central"),
                    Credentials("STS.NUk9z8y7x6w5v4u3", SECRET, TOKEN, source="RAM role central")])
    refreshing = RefreshingCredentials(lambda: (next(fetched), None))
    account = journals.account_of(refreshing)
    assert account["key_id"] == "STS.****e6f7"
    assert SECRET not in json.dumps(account) and TOKEN not in json.dumps(account)
    other_session = journals.account_of(Credentials("STS.NUkOtherSession", "x", "y", source="RAM role central"))
    assert account["identity"] == other_session["identity"]


HOSTILE = ["{{ lookup('pipe', 'id') }}", "{% raw %}x", "{# c #}", "média 影像", "a'b\"c", "${HOME}"]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_resume_token_holds_no_template_character_and_gives_the_entries_back(name):
    entries = [entry(shares=[{"gateway_id": "gw-0001abc", "share_name": name}]), entry()]
    token = journals.encode_token(entries)
    assert re.fullmatch(r"[A-Za-z0-9._-]+", token)
    assert journals.decode_token(token) == [journals.clean_entry(e) for e in entries]
    assert journals.encode_token([]) == ""


@pytest.mark.parametrize("token, problem", [
    ("hello", "does not start with sgwresume1."),
    ("sgwresume1.!!!", "cannot be decoded"),
    ("sgwresume1." + base64.urlsafe_b64encode(zlib.compress(b'{"a": 1}')).decode(), "holds no list of entries"),
    ("sgwresume1." + base64.urlsafe_b64encode(zlib.compress(b"[" * 10 + b"0" * 5_000_000)).decode(), "holds more"),
])
def test_a_damaged_resume_token_is_an_error(token, problem):
    with pytest.raises(ValueError, match=problem):
        journals.decode_token(token)
