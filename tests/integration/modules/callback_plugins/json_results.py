# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stdout callback for the integration tests: the whole run as one JSON document.

ansible-core has no JSON stdout callback of its own (``ansible.builtin.json`` redirects to
``ansible.posix.json``, which is not installed), so the tests load this one through
``ANSIBLE_CALLBACK_PLUGINS``. The shape is that of ``ansible.posix.json``: ``plays``, each with its
``tasks``, each with ``hosts`` (host name -> result); then ``stats`` (host name -> counters).
Unlike the default callback it keeps ``diff`` in the results, so that the tests can check it.
"""

from __future__ import annotations

import json

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: json_results
type: stdout
short_description: Every task result of a run as one JSON document, diffs included
description:
  - Prints one JSON document at the end of the run, for tests to parse.
"""


class CallbackModule(CallbackBase):

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "json_results"

    def __init__(self, display=None):
        super().__init__(display)
        self.plays = []
        self.tasks = {}

    def v2_playbook_on_play_start(self, play):
        self.plays.append({"play": {"name": play.get_name(), "id": str(play._uuid)}, "tasks": []})

    def _task_start(self, task):
        entry = {"task": {"name": task.get_name(), "id": str(task._uuid)}, "hosts": {}}
        self.plays[-1]["tasks"].append(entry)
        self.tasks[str(task._uuid)] = entry

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task_start(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._task_start(task)

    def _record(self, result, **flags):
        # TaskResult has public result, task and host from ansible-core 2.19 on; before, only the private ones.
        values = getattr(result, "result", None)
        values = result._result if values is None else values
        task = getattr(result, "task", None) or result._task
        host = getattr(result, "host", None) or result._host
        data = self._dump_results(values, serialize=False)
        if "diff" in values:
            data["diff"] = values["diff"]
        data.update(flags)
        entry = self.tasks.get(str(task._uuid))
        if entry is None:  # results of a task whose start was not reported (none known); keep them anyway
            entry = self.tasks[str(task._uuid)] = {"task": {"name": task.get_name()}, "hosts": {}}
            if not self.plays:
                self.plays.append({"play": {"name": ""}, "tasks": []})
            self.plays[-1]["tasks"].append(entry)
        entry["hosts"][host.get_name()] = data

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True, ignored=bool(ignore_errors))

    def v2_runner_on_skipped(self, result):
        self._record(result, skipped=True)

    def v2_runner_on_unreachable(self, result):
        self._record(result, unreachable=True)

    def v2_playbook_on_stats(self, stats):
        summary = {host: stats.summarize(host) for host in sorted(stats.processed)}
        self._display.display(json.dumps({"plays": self.plays, "stats": summary}, default=str, sort_keys=True))
