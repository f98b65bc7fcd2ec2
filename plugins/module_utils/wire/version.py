# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's version, as galaxy.yml states it (a unit test keeps the two equal)."""

from __future__ import annotations

COLLECTION_NAME = "alibabacloud.sgw"
COLLECTION_VERSION = "1.2.0"
