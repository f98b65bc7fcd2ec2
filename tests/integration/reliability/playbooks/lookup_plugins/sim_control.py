# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A test helper: set the faults of the SGW simulator, or read its statistics, from a playbook."""

from __future__ import annotations

DOCUMENTATION = r"""
name: sim_control
short_description: Set the faults or read the statistics of the local SGW simulator (tests only)
description:
  - With O(faults), replaces the simulator's faults (C(PUT /_sim/faults)); then returns its statistics.
options:
  _terms:
    description: The simulator's base URL.
    required: true
  faults:
    description: The fault settings (the JSON object of C(PUT /_sim/faults)).
    type: dict
"""

import json
import urllib.request

from ansible.plugins.lookup import LookupBase


def _call(url, method="GET", payload=None):
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:  # nosec - the loopback test simulator
        return json.loads(response.read() or b"null")


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        base = str(terms[0]).rstrip("/")
        faults = self.get_option("faults")
        if faults is not None:
            _call(base + "/_sim/faults", "PUT", faults)
        return [_call(base + "/_sim/stats")]
