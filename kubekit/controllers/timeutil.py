"""Timestamps as the controllers see them.

Kubernetes serialises ``metav1.Time`` as RFC 3339 (``2016-05-20T02:00:00Z``);
an absent or empty value is Go's zero time, which sorts before every real
time.  Decisions accept either such strings or timezone-aware
:class:`datetime.datetime` values; naive datetimes are taken as UTC.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from kubekit.controllers.errors import ControllerInputError

#: Go's zero ``time.Time`` (``0001-01-01T00:00:00Z``).
ZERO_TIME = datetime(1, 1, 1, tzinfo=timezone.utc)


# text -> its parse_time (a datetime is immutable, so one object serves every
# caller; its hash is then computed once, for the memos keyed by time).
# Cleared when full.
_PARSED: dict[str, datetime] = {}


def parse_time(value: object, field: str = "timestamp") -> datetime:
    """Return ``value`` as an aware datetime; ``None``/``""`` give :data:`ZERO_TIME`."""
    if value is None or value == "":
        return ZERO_TIME
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    if isinstance(value, str):
        hit = _PARSED.get(value)
        if hit is not None:
            return hit
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ControllerInputError(f"{field}: {value!r} is not an RFC 3339 timestamp") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        if len(_PARSED) >= 4096:
            _PARSED.clear()
        _PARSED[value] = parsed
        return parsed
    raise ControllerInputError(f"{field}: {value!r} is not a timestamp (want an RFC 3339 string or a datetime)")


def is_zero(t: datetime) -> bool:
    """True for Go's zero time."""
    return t == ZERO_TIME


def duration_ns(later: datetime, earlier: datetime) -> int:
    """``later - earlier`` in nanoseconds (Go's ``time.Time.Sub``), exact to the microsecond."""
    delta: timedelta = later - earlier
    return ((delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds) * 1000


def format_time(t: datetime) -> str:
    """RFC 3339 with a ``Z`` suffix, as ``metav1.Time`` marshals (second precision)."""
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
