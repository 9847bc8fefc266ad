"""Crash-loop back-off: ``k8s.io/client-go/util/flowcontrol/backoff.go`` as the
kubelet configures it (``pkg/kubelet/kubelet.go`` ``newCrashLoopBackOff`` and
``kuberuntime_manager.go`` ``doBackOff``).

The kubelet's back-off for a container starts at 10 s, doubles on every restart
(no jitter) and is capped at 300 s (``MaxCrashLoopBackOff``); with
``KubeletCrashLoopBackOffMax`` (beta, on by default in v1.35) the cap is the
node's ``crashLoopBackOff.maxContainerRestartPeriod`` and the initial delay is
lowered to the cap when the cap is smaller.  An entry is forgotten (the next
restart starts again from the initial delay) when the new failure happened more
than 600 s after the entry was last updated -- the kubelet overrides
client-go's ``2 * max`` rule with a fixed 10 minutes.

Everything is a pure function of an immutable :class:`BackoffEntry`; ``now``
and the container's ``finished_at`` are parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

from kubekit.node.rules.errors import NodeRulesError

INITIAL_CRASH_LOOP_BACKOFF = 10.0
MAX_CRASH_LOOP_BACKOFF = 300.0
REDUCED_INITIAL_CRASH_LOOP_BACKOFF = 1.0  # ReduceDefaultCrashLoopBackOffDecay (alpha)
REDUCED_MAX_CRASH_LOOP_BACKOFF = 60.0
KUBELET_BACKOFF_RESET_AFTER = 600.0


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    """``initial``/``maximum`` delays in seconds.  ``reset_after``: when the
    gap between an event and the entry's last update exceeds it, the entry is
    reset; ``None`` means client-go's default ``2 * maximum``."""

    initial: float = INITIAL_CRASH_LOOP_BACKOFF
    maximum: float = MAX_CRASH_LOOP_BACKOFF
    reset_after: Optional[float] = KUBELET_BACKOFF_RESET_AFTER

    def __post_init__(self) -> None:
        if self.initial < 0 or self.maximum < 0:
            raise NodeRulesError(f"BackoffPolicy: negative delay (initial={self.initial}, maximum={self.maximum})")

    def expired(self, event_time: float, last_update: float) -> bool:
        """``hasExpired`` / the kubelet's ``HasExpiredFunc``."""
        limit = 2 * self.maximum if self.reset_after is None else self.reset_after
        return event_time - last_update > limit


def kubelet_crash_loop_policy(
    max_container_restart_period: Optional[float] = None, *, reduced_decay: bool = False
) -> BackoffPolicy:
    """``newCrashLoopBackOff(kubeCfg)``: the kubelet's policy.  Pass the node's
    ``crashLoopBackOff.maxContainerRestartPeriod`` (seconds) to model
    ``KubeletCrashLoopBackOffMax``; ``reduced_decay`` models the alpha
    ``ReduceDefaultCrashLoopBackOffDecay`` gate (1 s .. 60 s)."""
    maximum, initial = MAX_CRASH_LOOP_BACKOFF, INITIAL_CRASH_LOOP_BACKOFF
    if reduced_decay:
        maximum, initial = REDUCED_MAX_CRASH_LOOP_BACKOFF, REDUCED_INITIAL_CRASH_LOOP_BACKOFF
    if max_container_restart_period is not None:
        if max_container_restart_period < 1:
            raise NodeRulesError(
                f"crashLoopBackOff.maxContainerRestartPeriod: {max_container_restart_period}s, expected at least 1s"
            )
        maximum = float(max_container_restart_period)
        if maximum < initial:
            initial = maximum
    return BackoffPolicy(initial=initial, maximum=maximum, reset_after=KUBELET_BACKOFF_RESET_AFTER)


@dataclass(frozen=True, slots=True)
class BackoffEntry:
    """``backoffEntry``: the current delay and when it was last updated."""

    backoff: float
    last_update: float


def backoff_get(entry: Optional[BackoffEntry]) -> float:
    """``Backoff.Get``: the current delay, 0 without an entry."""
    return 0.0 if entry is None else entry.backoff


def backoff_next(entry: Optional[BackoffEntry], event_time: float, now: float, policy: BackoffPolicy) -> BackoffEntry:
    """``Backoff.Next(id, eventTime)``: start at ``initial`` (no entry, or the
    entry expired relative to ``event_time``), otherwise double up to ``maximum``.
    ``last_update`` becomes ``now``."""
    if entry is None or policy.expired(event_time, entry.last_update):
        return BackoffEntry(policy.initial, now)
    return BackoffEntry(min(entry.backoff * 2, policy.maximum), now)


def in_backoff_since(entry: Optional[BackoffEntry], event_time: float, now: float, policy: BackoffPolicy) -> bool:
    """``Backoff.IsInBackOffSince``: ``now - event_time < backoff`` unless expired."""
    if entry is None or policy.expired(event_time, entry.last_update):
        return False
    return now - event_time < entry.backoff


def in_backoff_since_update(entry: Optional[BackoffEntry], event_time: float, policy: BackoffPolicy) -> bool:
    """``Backoff.IsInBackOffSinceUpdate``: ``event_time - last_update < backoff``."""
    if entry is None or policy.expired(event_time, entry.last_update):
        return False
    return event_time - entry.last_update < entry.backoff


def backoff_gc_keeps(entry: BackoffEntry, now: float, policy: BackoffPolicy) -> bool:
    """``Backoff.GC``: whether the entry survives garbage collection (it is
    dropped when not updated for more than ``2 * maximum``)."""
    return not (now - entry.last_update > 2 * policy.maximum)


def go_duration(seconds: float) -> str:
    """Go's ``time.Duration.String`` for a non-negative whole or fractional
    number of seconds (``10s``, ``5m0s``, ``1h0m0s``, ``1.5s``, ``0s``)."""
    if seconds < 0:
        return "-" + go_duration(-seconds)
    if seconds == 0:
        return "0s"
    if seconds < 1:
        ms = seconds * 1000
        return f"{ms:g}ms" if ms >= 1 else f"{seconds * 1e6:g}\u00b5s"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    s = f"{secs:.9f}".rstrip("0").rstrip(".") + "s"
    if hours:
        return f"{int(hours)}h{int(minutes)}m{s}"
    if minutes:
        return f"{int(minutes)}m{s}"
    return s


def crash_loop_decision(
    entry: Optional[BackoffEntry],
    finished_at: Optional[float],
    now: float,
    policy: BackoffPolicy,
    *,
    container_name: str = "",
    pod_full_name: str = "",
) -> Tuple[bool, str, Optional[BackoffEntry]]:
    """``doBackOff``: may the exited container be started now?

    ``finished_at`` is the ``FinishedAt`` of the newest *exited* instance of the
    container (``None`` if there is none: no back-off).  Returns
    ``(in_backoff, message, new_entry)``: when in back-off the container's
    waiting reason is ``CrashLoopBackOff`` with ``message``; otherwise the
    entry is advanced with ``Next`` and the container may start."""
    if finished_at is None:
        return False, "", entry
    if in_backoff_since(entry, finished_at, now, policy):
        message = (
            f"back-off {go_duration(backoff_get(entry))} restarting failed "
            f"container={container_name} pod={pod_full_name}"
        )
        return True, message, entry
    return False, "", backoff_next(entry, finished_at, now, policy)
