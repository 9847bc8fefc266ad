"""Node-group backoff after a failed scale-up (cluster-autoscaler's
``utils/backoff`` exponential backoff, keyed by node group).

* A failure backs the group off for ``initial`` seconds (5 min upstream,
  ``--initial-node-group-backoff-duration``); a failure after that backoff
  has ended doubles the previous duration, up to ``maximum`` (30 min,
  ``--max-node-group-backoff-duration``).  A failure *during* a backoff
  keeps its duration (concurrent scale-ups failing together count once).
* A backed-off group is skipped by scale-up (``in backoff after failed
  scale-up``) while ``until > now``.
* A failure may carry the cloud's error (``error_code`` such as
  ``OutOfResource.STOCKOUT`` and its message), which the status shows.
* As upstream today, a completed scale-up leaves the backoff alone; an
  entry whose last failure is older than ``reset_timeout`` (3 h,
  ``--node-group-backoff-reset-timeout``) is dropped.

Times are the autoscaler's monotonic clock, in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BackoffInfo", "GroupBackoff"]


@dataclass(frozen=True, slots=True)
class BackoffInfo:
    duration: float
    until: float
    last_failure: float
    error_code: str = ""
    error_message: str = ""


class GroupBackoff:
    """Per node group backoff state (see the module docstring)."""

    def __init__(self, initial: float = 300.0, maximum: float = 1800.0, reset_timeout: float = 10800.0) -> None:
        if not 0 < initial <= maximum:
            raise ValueError(f"backoff durations: initial {initial}, maximum {maximum}: "
                             f"expected 0 < initial <= maximum")
        self.initial, self.maximum, self.reset_timeout = initial, maximum, reset_timeout
        self._info: dict[str, BackoffInfo] = {}

    def backoff(self, group: str, now: float, *, error_code: str = "", error_message: str = "") -> float:
        """Record a failed scale-up of ``group`` at ``now`` (with the cloud's
        error, if any); the time until which it is backed off."""
        duration = self.initial
        info = self._info.get(group)
        if info is not None:
            duration = min(2 * info.duration, self.maximum) if info.until < now else info.duration
        until = now + duration
        self._info[group] = BackoffInfo(duration, until, now, error_code, error_message)
        return until

    def is_backed_off(self, group: str, now: float) -> bool:
        info = self._info.get(group)
        return info is not None and info.until > now

    def info(self, group: str) -> BackoffInfo | None:
        return self._info.get(group)

    def remove(self, group: str) -> None:
        """A scale-up of ``group`` completed: forget its failures."""
        self._info.pop(group, None)

    def remove_stale(self, now: float) -> None:
        """Drop entries whose last failure is older than ``reset_timeout``."""
        for group in [g for g, i in self._info.items() if i.last_failure + self.reset_timeout < now]:
            del self._info[group]
