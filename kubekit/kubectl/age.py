"""Durations and ages as kubectl prints them.  Pure."""

from __future__ import annotations

from datetime import datetime, timezone

__all__ = ["human_duration", "age", "parse_time"]


def human_duration(seconds: float) -> str:
    """``k8s.io/apimachinery/pkg/util/duration.HumanDuration``: ``5s``,
    ``3m12s``, ``15m``, ``5h3m``, ``20h``, ``2d4h``, ``30d``, ``2y``."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m" if s % 60 == 0 else f"{minutes}m{s % 60}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        return f"{hours}h" if minutes % 60 == 0 else f"{hours}h{minutes % 60}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{hours // 24}d" if hours % 24 == 0 else f"{hours // 24}d{hours % 24}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if days == 0 else f"{hours // 24 // 365}y{days}d"
    return f"{hours // 24 // 365}y"


def parse_time(text: str | None) -> float | None:
    """RFC 3339 (``2026-11-26T18:05:42Z``, with or without fraction) → epoch seconds."""
    if not text:
        return None
    t = text.replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(t)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def age(timestamp: str | None, now: float) -> str:
    """kubectl's ``translateTimestampSince``: ``<unknown>`` without a time."""
    t = parse_time(timestamp)
    return "<unknown>" if t is None else human_duration(now - t)
