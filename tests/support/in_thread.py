"""An executor that runs each call at once, in the caller's thread: for code under test that submits
work to a pool, driven on a fake clock (which is not thread-safe) from the test's own thread."""

from __future__ import annotations

import concurrent.futures


class InThread:
    """``submit`` runs the call now and returns its finished future; ``shutdown`` has nothing to wait for."""

    @staticmethod
    def submit(call):
        future = concurrent.futures.Future()
        try:
            future.set_result(call())
        except Exception as error:  # pylint: disable=broad-except
            future.set_exception(error)
        return future

    def shutdown(self, wait=True):
        pass
