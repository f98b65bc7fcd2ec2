# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The no-secret promise, in one file: what is hidden from messages, logs and descriptions.

- A V1 request carries its signature and STS token in the URL's query string: every URL that
  reaches a message or a log record loses its query (:func:`hide_query`, :func:`install_log_filter`).
- A server or a library may echo the AccessKey secret or the token (raw or percent-encoded):
  :func:`scrub` replaces them; :func:`safe_api_message` cuts the server's string-to-sign.
- An AccessKey ID is shown masked (:func:`mask_key_id`).
- The user and password of a URL (``https://user:pass@host``: an endpoint, a metadata URL, a
  credentials URI) are never shown or stored (:func:`hide_userinfo`); the journal keeps the
  endpoint in that form too.

Nothing else in the collection builds text out of a credential.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote_plus

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.signing import percent_encode

# ``?Name=value...``: the query string of a URL, which for V1 holds the signature and the STS token.
_QUERY = re.compile(r"\?[\w.~%-]+=[^\s'\"<>()]*")
QUERY_HIDDEN = "?<query hidden>"
MASK = "****"
# ``scheme://user:password@``: the userinfo of a URL, up to the first /, ?, # or space.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s@'\"<>]+@")

# The loggers that write full URLs (urllib3 logs ``Failed to parse headers (url=...)`` at WARNING,
# which a configured log file would keep).
LOGGERS_WITH_URLS = ("urllib3.connectionpool", "urllib3.connection", "urllib3.response", "urllib3.poolmanager",
                     "urllib3.util.retry", "urllib3.http2.connection", "urllib3.contrib.pyopenssl", "requests")


def hide_query(text: str) -> str:
    """``text`` with the query string of every URL in it replaced by ``?<query hidden>``."""
    return _QUERY.sub(QUERY_HIDDEN, text)


def hide_userinfo(text) -> str:
    """``text`` (a URL, or a message with URLs in it) with the user and password of every URL
    replaced by ``****``: ``https://user:pass@host`` becomes ``https://****@host``."""
    return _USERINFO.sub(r"\1" + MASK + "@", text) if isinstance(text, str) else text


def hide_urls(text) -> str:
    """``text`` with neither URL query strings nor URL userinfo."""
    return hide_userinfo(hide_query(str(text)))


def scrub(text, secrets=()) -> str:
    """``text`` without URL query strings or any of ``secrets`` (raw, percent-encoded or form-encoded).

    Values shorter than four characters are left alone: hiding them would garble the text and
    hide nothing worth hiding.
    """
    text = hide_urls(text)
    for value in secrets:
        if value and len(value) >= 4:
            for form in (value, percent_encode(value), quote_plus(value)):
                text = text.replace(form, MASK)
    return text


def safe_api_message(message) -> str:
    """The API's message without the server's string-to-sign, which can hold a token."""
    message = str(message or "")
    cut = message.find("server string to sign is")
    return message[:cut].rstrip(" .:") if cut >= 0 else message


def mask_key_id(key_id) -> str:
    """An AccessKey ID as it may be shown: its first and last four characters."""
    key = key_id or ""
    return key[:4] + MASK + key[-4:] if len(key) > 8 else MASK


class HideQueryFilter(logging.Filter):
    """Hides URL query strings and userinfo in the log records of a logger."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # pylint: disable=broad-except  # a record that cannot be formatted is left alone
            return True
        hidden = hide_urls(message)
        if hidden != message:
            record.msg, record.args = hidden, None
        return True


def install_log_filter(names=LOGGERS_WITH_URLS):
    """Put :class:`HideQueryFilter` on the loggers ``names`` (once each; calling again does nothing)."""
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, HideQueryFilter) for f in logger.filters):
            logger.addFilter(HideQueryFilter())
