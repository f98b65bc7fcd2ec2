# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection: the settings (the same from the command line and ``PUT /_sim/faults``) and
the ways a success body can be corrupted."""

from __future__ import annotations

import dataclasses
import json
import math

MALFORMED_KINDS = ("truncated", "null-wrapper", "missing-wrapper", "wrong-type")
# How the answer of a call that was applied is lost: a proxy's 502 page, the connection dropped
# without an answer, or a success body cut in half.
LOST_KINDS = ("502", "drop", "truncated")
# The behaviours where the service's documentation is silent: setting -> its choices, the default first.
BEHAVIOURS = {
    "region_scope": ("region", "account"),
    "candidate_sync_id": ("group", "empty"),
    "unknown_ids": ("error", "omit"),
    "total_count": ("present", "absent"),
    "alert_share": ("name", "index_id"),
    "alert_events": ("list", "wrapped"),
    "rd_management": ("listed", "unlisted"),
}
BAD_GATEWAY_PAGE = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Tengine</center>\r\n"
                    b"</body>\r\n</html>\r\n")
URI_TOO_LONG_PAGE = (b"<html>\r\n<head><title>414 Request-URI Too Large</title></head>\r\n<body>\r\n"
                     b"<center><h1>414 Request-URI Too Large</h1></center>\r\n<hr><center>Tengine</center>\r\n"
                     b"</body>\r\n</html>\r\n")


@dataclasses.dataclass(frozen=True)
class Faults:
    """What goes wrong, and where. The JSON form uses the field names as keys."""

    latency_ms: float = 0
    throttle_rate: float = 0.0
    unavailable_regions: tuple = ()
    html_regions: tuple = ()
    hang_regions: tuple = ()
    malformed: dict = dataclasses.field(default_factory=dict)
    deny: tuple = ()
    retry_after_ms: int | None = None
    fail_tasks: tuple = ()
    region_scope: str = "region"
    candidate_sync_id: str = "group"
    unknown_ids: str = "error"
    total_count: str = "present"
    alert_share: str = "name"
    alert_events: str = "list"
    rd_management: str = "listed"
    missing_gateways: tuple = ()
    max_query_bytes: int = 0
    hang_actions: tuple = ()
    lose_replies: dict = dataclasses.field(default_factory=dict)
    hold_actions: dict = dataclasses.field(default_factory=dict)

    @classmethod
    def from_json(cls, data) -> Faults:
        """Validate a JSON object of fault settings; keys that are left out keep their defaults."""
        if not isinstance(data, dict):
            raise ValueError("the faults must be a JSON object")
        unknown = sorted(set(data) - {field.name for field in dataclasses.fields(cls)})
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(unknown)}")
        defaults = cls()
        retry_after = data.get("retry_after_ms")
        return cls(
            latency_ms=_number(data.get("latency_ms", defaults.latency_ms), "latency_ms", 0, math.inf),
            throttle_rate=_number(data.get("throttle_rate", defaults.throttle_rate), "throttle_rate", 0, 1),
            unavailable_regions=_names(data, "unavailable_regions"),
            html_regions=_names(data, "html_regions"),
            hang_regions=_names(data, "hang_regions"),
            malformed=_malformed(data.get("malformed", {})),
            deny=_names(data, "deny"),
            retry_after_ms=None if retry_after is None else int(_number(retry_after, "retry_after_ms", 0, math.inf)),
            fail_tasks=_names(data, "fail_tasks"),
            missing_gateways=_names(data, "missing_gateways"),
            max_query_bytes=int(_number(data.get("max_query_bytes", defaults.max_query_bytes), "max_query_bytes", 0,
                                        math.inf)),
            **{name: _choice(data, name, choices) for name, choices in BEHAVIOURS.items()},
            hang_actions=_names(data, "hang_actions"),
            lose_replies=_lose_replies(data.get("lose_replies", {})),
            hold_actions=_hold_actions(data.get("hold_actions", {})),
        )

    def to_json(self) -> dict:
        return {field.name: _jsonable(getattr(self, field.name)) for field in dataclasses.fields(self)}

    def denies(self, action: str, key_id: str) -> bool:
        """Whether ``deny`` holds ``ACTION`` or ``ACTION@ACCESS_KEY_ID`` for this call."""
        return action in self.deny or f"{action}@{key_id}" in self.deny


def _jsonable(value):
    return list(value) if isinstance(value, tuple) else value


def _number(value, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ValueError(f"{name} must be a number from {low} to {high}, not {value!r}")
    return value


def _names(data: dict, name: str) -> tuple:
    value = data.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ValueError(f"{name} must be a list of non-empty strings")
    return tuple(value)


def _choice(data: dict, name: str, choices: tuple) -> str:
    value = data.get(name, choices[0])
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _lose_replies(value) -> dict:
    """``{ACTION: {"kind": KIND, "count": N}}``: the next N calls of ACTION are applied, their answer lost."""
    problem = "lose_replies must map actions to {kind: one of %s, count: a number of calls}" % ", ".join(LOST_KINDS)
    if not isinstance(value, dict):
        raise ValueError(problem)
    found = {}
    for action, setting in value.items():
        if not isinstance(setting, dict) or set(setting) - {"kind", "count"} or \
                setting.get("kind", "502") not in LOST_KINDS:
            raise ValueError(problem)
        found[action] = {"kind": setting.get("kind", "502"),
                         "count": int(_number(setting.get("count", 1), "count", 0, math.inf))}
    return found


def _hold_actions(value) -> dict:
    """``{ACTION: SECONDS}``: each call of ACTION is held that long, then applied (and answered, if the
    client still waits)."""
    if not isinstance(value, dict):
        raise ValueError("hold_actions must map actions to seconds")
    return {action: _number(seconds, "hold_actions", 0, 3600) for action, seconds in value.items()}


def _malformed(value) -> dict:
    if not isinstance(value, dict) or not all(kind in MALFORMED_KINDS for kind in value.values()):
        raise ValueError("malformed must map regions to one of " + ", ".join(MALFORMED_KINDS))
    return dict(value)


def _wrapper(body: dict) -> tuple[str, str] | None:
    """The ``(wrapper, item)`` keys of the body's list, as in ``{"Shares": {"Share": [...]}}``."""
    for key, value in body.items():
        if isinstance(value, dict) and len(value) == 1:
            (item, items), = value.items()
            if isinstance(items, list):
                return key, item
    return None


def corrupt(body: dict, kind: str) -> bytes:
    """The success body, broken in the way ``kind`` says.

    ``truncated`` cuts the JSON text in half; the wrapper kinds change the list's wrapper
    (``null-wrapper``: ``"Shares": null``, ``missing-wrapper``: no ``Shares`` key,
    ``wrong-type``: ``"Shares": {"Share": "oops"}``) and leave bodies without a list alone.
    """
    body = dict(body)
    wrapper = _wrapper(body)
    if kind == "null-wrapper" and wrapper:
        body[wrapper[0]] = None
    elif kind == "missing-wrapper" and wrapper:
        del body[wrapper[0]]
    elif kind == "wrong-type" and wrapper:
        body[wrapper[0]] = {wrapper[1]: "oops"}
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return data[:len(data) // 2] if kind == "truncated" else data
