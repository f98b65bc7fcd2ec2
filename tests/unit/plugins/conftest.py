"""Fixtures shared by the plugins' unit tests: the in-process API and a module runner."""

from __future__ import annotations

import json
import sys
import types

import pytest

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19 (the core216 stage runs no module unit test)
    patch_module_args = None

from ansible_collections.alibabacloud.sgw.plugins.module_utils import module as module_base
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import tasks
from tests.support.fake_api import FakeApi
from tests.support.in_process import starter


@pytest.fixture
def fake_api():
    """The sample account of the simulator, in-process (see tests/support/fake_api.py)."""
    return FakeApi()


@pytest.fixture
def run_module(monkeypatch, capsys):
    """``run_module(main, client, **args)``: run a module's ``main`` with ``args`` against ``client``.

    Returns the module's JSON result, with ``rc`` (its exit code) and ``raw`` (its output) added.
    A module that waits waits on ``client.clock`` (a :class:`~tests.support.fake_api.FakeClock`),
    when it has one. ``runner.built`` lists the options that clients were built from.
    """
    built = []

    def build_client(params, log=None, pool_size=10, region=None):
        built.append(params)
        return client_of[0]

    client_of = []

    def runner(main, client, **args):
        client_of[:] = [client]
        monkeypatch.setattr(module_base, "build_client", build_client)
        clock = getattr(client, "clock", None)
        for module in (sys.modules[main.__module__], tasks):  # the module, and the waits it shares
            if clock is not None and hasattr(module, "time"):
                monkeypatch.setattr(module, "time", types.SimpleNamespace(sleep=clock.sleep, monotonic=clock.monotonic))
        args.setdefault("region", "cn-hangzhou")
        with patch_module_args(args):
            with pytest.raises(SystemExit) as exit_info:
                main()
        out = capsys.readouterr().out
        result = json.loads(out)
        result["rc"] = exit_info.value.code
        result["raw"] = out
        return result

    runner.built = built
    return runner


@pytest.fixture
def in_process(monkeypatch):
    """``in_process(**kwargs)``: a new :class:`~tests.support.in_process.InProcessSimulator`, reached
    by the real client at its ``url`` (no process, no socket)."""
    return starter(monkeypatch)
