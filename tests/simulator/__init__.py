# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local simulator of the Alibaba Cloud Cloud Storage Gateway (SGW) API, version 2018-05-11.

Run it with ``python -m tests.simulator`` from the collection root; see ``docs/simulator.md``.
It needs only the standard library and PyYAML (plus ``cryptography`` for ``--tls``).
"""
