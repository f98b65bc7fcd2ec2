# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a credential source yields: an AccessKey (:class:`Credentials`), temporary credentials that
renew themselves (:class:`RefreshingCredentials`), or no credentials (:class:`Anonymous`).

The secret and the token never appear in a ``repr``, an exception or a log line.
"""

from __future__ import annotations

import datetime
import threading
import time

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwConfigError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.redaction import mask_key_id

# Temporary credentials are refreshed when less than this part of their lifetime is left (at most
# REFRESH_MARGIN_MAX seconds), so that a call signed with them never arrives after they expire.
REFRESH_FRACTION = 0.25
REFRESH_MARGIN_MAX = 300.0


class Credentials:
    """An AccessKey pair, an optional STS token, and where they came from."""

    __slots__ = ("access_key_id", "access_key_secret", "security_token", "source")

    def __init__(self, access_key_id, access_key_secret, security_token=None, source="options"):
        self.source = source
        self.access_key_id = _checked(access_key_id, "AccessKey ID", source)
        self.access_key_secret = _checked(access_key_secret, "AccessKey secret", source)
        for value, what in ((self.access_key_id, "AccessKey ID"), (self.access_key_secret, "AccessKey secret")):
            if not value:
                raise SgwConfigError("The %s from %s is empty." % (what, source))
        self.security_token = _checked(security_token, "security token", source) or None

    @property
    def masked_key_id(self) -> str:
        return mask_key_id(self.access_key_id)

    @property
    def identity(self) -> str:
        """What names this identity, known without any call (never shown: only digested)."""
        return "AccessKey %s" % self.access_key_id

    def describe(self) -> str:
        """Where the credentials came from, safe to print: the source and a masked key id."""
        return "%s (AccessKey ID %s%s)" % (self.source, self.masked_key_id, ", with STS token" if self.security_token else "")

    def current(self):
        """The credentials to sign the next request with: these, as they never expire."""
        return self

    def secret_values(self) -> tuple:
        """Every secret value that a message must never show."""
        return tuple(v for v in (self.access_key_secret, self.security_token) if v)

    def __repr__(self):
        return "Credentials(%s)" % self.describe()

    __str__ = __repr__


class Anonymous:
    """No credentials: the request is sent unsigned (STS ``AssumeRoleWithOIDC`` is such a call)."""

    source = "no credentials (an anonymous call)"
    identity = "anonymous"

    @staticmethod
    def current():
        return None

    @staticmethod
    def secret_values() -> tuple:
        return ()

    def describe(self) -> str:
        return self.source


class RefreshingCredentials:
    """Temporary credentials that renew themselves before they expire.

    ``fetch()`` returns ``(Credentials, expiration)``, the expiration in epoch seconds (None: never).
    :meth:`current` calls it again when less than a quarter of the lifetime (at most five minutes)
    is left; one thread refreshes while the others wait. Every secret ever fetched is kept (in
    memory only) so that error messages can still hide an older one.

    ``identity`` names where they come from (a role and the identity that assumes it, an ECS
    RAM role, a credentials URI...), known without any call: it is never shown, only digested
    (the inventory cache key). With ``lazy``, nothing is fetched before :meth:`current`.
    """

    def __init__(self, fetch, clock=time.time, identity=None, lazy=False):
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._secrets = []
        self.refreshes = 0
        self.identity = identity or "temporary credentials"
        self._current, self._expiration, self._margin = None, None, 0.0
        if not lazy:
            self._renew()

    def _renew(self):
        found, expiration = self._fetch()
        now = self._clock()
        self._current, self._expiration = found, expiration
        self._margin = 0.0 if expiration is None else min(REFRESH_MARGIN_MAX,
                                                          max(0.0, expiration - now) * REFRESH_FRACTION)
        self._secrets.extend(v for v in found.secret_values() if v not in self._secrets)

    def current(self) -> Credentials:
        with self._lock:
            if self._current is None:
                self._renew()
            elif self._expiration is not None and self._expiration - self._clock() <= self._margin:
                self._renew()
                self.refreshes += 1
            return self._current

    @property
    def expiration(self):
        return self._expiration

    @property
    def source(self):
        return self.current().source

    @property
    def access_key_id(self):
        return self.current().access_key_id

    @property
    def security_token(self):
        return self.current().security_token

    def secret_values(self) -> tuple:
        return tuple(self._secrets)

    def describe(self) -> str:
        found = self._current
        return found.describe() if found is not None else "temporary credentials, not fetched yet"

    def __repr__(self):
        return "RefreshingCredentials(%s)" % self.describe()

    __str__ = __repr__


def _checked(value, what, source):
    """A credential value without surrounding white space (a pasted newline, say).

    What is left must be printable ASCII without spaces, as every AccessKey and STS token is;
    anything else could not be sent in a header, and the error would show the value. The
    error here never shows it.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise SgwConfigError("The %s from %s must be a string, not %s." % (what, source, type(value).__name__))
    value = value.strip()
    bad = [c for c in value if not "!" <= c <= "~"]
    if bad:
        hint = ""
        if "{{" in value or "{%" in value:
            hint = " It looks like an unrendered Jinja template; templates are rendered only in options that allow them."
        raise SgwConfigError("The %s from %s contains %d space, control or non-ASCII character(s); an AccessKey and "
                             "an STS token never do, so check for a copy and paste error.%s" % (
                                 what, source, len(bad), hint))
    return value


def parse_expiration(value):
    """Epoch seconds of an ``Expiration`` such as ``2026-11-29T03:00:00Z``; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    for layout in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ"):
        try:
            moment = datetime.datetime.strptime(value, layout)
        except ValueError:
            continue
        return moment.replace(tzinfo=datetime.timezone.utc).timestamp()
    return None
