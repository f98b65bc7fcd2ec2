# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of every module: shared options, the client, and errors as one clear ``fail_json``."""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.alibabacloud.sgw.plugins.module_utils.options import (
    REGION_ENV,
    build_client,
    common_argument_spec,
    region_argument_spec,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.api import check_regions
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError, SgwCredentialError, SgwError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.validation import region_problem


class SgwModule:
    """An ``AnsibleModule`` with the options of the doc fragments ``alibabacloud.sgw.common`` and ``.region``."""

    def __init__(self, argument_spec, supports_check_mode=True, region_required=True, **kwargs):
        spec = common_argument_spec()
        spec.update(region_argument_spec())
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
        self.params = self.module.params
        self.region = self.params["region"]
        # A module whose every item may name its own region (region_required=False) needs none.
        problem = region_problem(self.region, REGION_ENV) if (self.region or region_required) else None
        if problem:
            self.module.fail_json(msg=problem)
        self._client = None

    @property
    def check_mode(self):
        return self.module.check_mode

    @property
    def client(self):
        return self.make_client()

    def make_client(self, pool_size=10):
        """The module's client (made on first use, with room for ``pool_size`` connections at once)."""
        if self._client is None:
            try:
                self._client = build_client(self.params, log=self.module.debug, pool_size=pool_size,
                                            region=self.region)
                if self.region:  # a region no endpoint is known to serve (a typo) is checked first
                    check_regions(self._client, [self.region])
            except SgwError as error:
                self.fail(error)
        return self._client

    def fail(self, error, message=None, **result):
        """Fail the task with the error's message (or ``message``), and its API ``Code`` and ``RequestId``."""
        if isinstance(error, (SgwApiError, SgwCredentialError)):
            result.setdefault("error_code", error.code)
            result.setdefault("request_id", error.request_id)
        self.module.fail_json(msg=message or str(error), **result)

    def exit(self, **result):
        if self._client is not None:
            self._client.close()
        self.module.exit_json(**result)
