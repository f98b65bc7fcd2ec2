"""Fixtures of the event source's unit tests: the source module, and ``run_source``, which runs its
``main(queue, args)`` against the in-process API and releases its polls one at a time."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util

import pytest

from tests.support.fake_api import FakeApi
from tests.support.in_process import starter
from tests.support.sim_process import REPO_ROOT

SOURCE_PATH = REPO_ROOT / "extensions" / "eda" / "plugins" / "event_source" / "express_sync_health.py"


def load_source():
    """The source module, loaded by path as ansible-rulebook loads it."""
    spec = importlib.util.spec_from_file_location("express_sync_health_under_test", SOURCE_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def source():
    return load_source()


class SourceRun:
    """``main(queue, args)`` running as a task; each poll ends in ``pause``, which waits for :meth:`next_poll`."""

    def __init__(self, source, args):
        self.queue = asyncio.Queue()
        self.delays = []
        self.paused = asyncio.Event()
        self.release = asyncio.Event()
        self.events = []
        source.pause = self._pause
        self.task = asyncio.create_task(source.main(self.queue, args))

    async def _pause(self, delay):
        self.delays.append(delay)
        self.paused.set()
        await self.release.wait()
        self.release.clear()

    async def poll(self, timeout=10):
        """Wait until the current poll has ended; return its events."""
        waiter = asyncio.create_task(self.paused.wait())
        done, dummy = await asyncio.wait({waiter, self.task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if self.task in done:
            waiter.cancel()
            self.task.result()
            raise AssertionError("the source returned")
        assert waiter in done, "no poll ended within %ss" % timeout
        self.paused.clear()
        events = []
        while not self.queue.empty():
            events.append(self.queue.get_nowait())
        self.events += events
        return events

    async def next_poll(self, timeout=10):
        """Release the source for its next poll; return that poll's events."""
        self.release.set()
        return await self.poll(timeout)

    async def stop(self):
        if self.task.done():  # it ended by itself: the test has seen why, through poll()
            return
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


@pytest.fixture
def run_source(source, monkeypatch):
    """``async with run_source(args, client) as run``: the source polling ``client`` (a FakeApi by default)."""
    built = []

    @contextlib.asynccontextmanager
    async def start(args=None, client=None, routed=False):
        client = client or FakeApi()
        if not routed:
            def build_client(options, **kwargs):
                built.append((options, kwargs))
                return client
            monkeypatch.setattr(source, "build_client", build_client)
        run = SourceRun(source, dict({"poll_interval": 5, "regions": ["cn-hangzhou", "cn-shanghai", "ap-southeast-1"]},
                                     **(args or {})))
        run.client = client
        try:
            yield run
        finally:
            await run.stop()

    start.built = built
    return start


@pytest.fixture
def in_process(monkeypatch):
    """``in_process(**kwargs)``: an :class:`~tests.support.in_process.InProcessSimulator` that the real client reaches."""
    return starter(monkeypatch)
