# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Calls of many groups side by side, at most ``max_concurrency`` in flight (the pool of the run)."""

from __future__ import annotations

import concurrent.futures

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwError


class Concurrent:
    """Runs lists of no-argument functions on ``self.pool`` (None: one after another, in this thread)."""

    pool = None

    def run_all(self, calls):
        """Run the no-argument functions ``calls`` at most ``max_concurrency`` at a time; raise the first error."""
        return [outcome.result() for outcome in self._submit(calls)]

    def run_each(self, calls):
        """Like :meth:`run_all`, but ``(True, result)`` or ``(False, error)`` for each call."""
        results = []
        for future in self._submit(calls):
            try:
                results.append((True, future.result()))
            except SgwError as error:
                results.append((False, error))
        return results

    def _submit(self, calls):
        if len(calls) <= 1 or self.pool is None:
            futures = []
            for call in calls:
                future = concurrent.futures.Future()
                try:
                    future.set_result(call())
                except SgwError as error:
                    future.set_exception(error)
                futures.append(future)
            return futures
        return [self.pool.submit(call) for call in calls]
