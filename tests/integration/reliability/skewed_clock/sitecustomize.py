"""A clock that is wrong by ``SGW_TEST_CLOCK_SKEW_SECONDS``, for the Python that imports this module.

Put this directory on ``PYTHONPATH`` of an ``ansible-*`` command to run it on a machine whose
clock is off: ``datetime.datetime.now()`` (which signs every request's timestamp) is skewed, the
rest of the interpreter is left alone.
"""

from __future__ import annotations

import datetime
import os

_SKEW = datetime.timedelta(seconds=float(os.environ.get("SGW_TEST_CLOCK_SKEW_SECONDS") or 0))


class _SkewedDatetime(datetime.datetime):
    """``datetime.datetime`` whose ``now()`` is off by the skew."""

    @classmethod
    def now(cls, tz=None):
        return super().now(tz) + _SKEW


if _SKEW:
    datetime.datetime = _SkewedDatetime
