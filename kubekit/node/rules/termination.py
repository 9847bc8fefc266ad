"""Graceful termination: how long a container gets between SIGTERM and SIGKILL.

* ``pod_grace_period`` is ``calculateEffectiveGracePeriod``
  (``pkg/kubelet/pod_workers.go``): the grace period can only shrink; the
  API server's ``metadata.deletionGracePeriodSeconds`` and an eviction override
  lower it; otherwise ``spec.terminationGracePeriodSeconds`` (defaulted to 30 by
  the API server); never below 1.
* ``container_grace_period`` is ``setTerminationGracePeriod`` plus the floor of
  ``minimumGracePeriodInSeconds`` (2) and the override in ``killContainer``
  (``pkg/kubelet/kuberuntime/kuberuntime_container.go``).  A liveness/startup
  probe's ``terminationGracePeriodSeconds`` is used when the kill is due to that
  probe.  preStop hooks are not modelled (they would consume part of the period).
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from kubekit.node.rules.errors import NodeRulesError
from kubekit.node.rules.pod_spec import Manifest, spec_of

DEFAULT_TERMINATION_GRACE_PERIOD = 30
MINIMUM_GRACE_PERIOD = 2


def _check(value: Optional[int], what: str) -> Optional[int]:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise NodeRulesError(f"{what}: expected a non-negative integer number of seconds, got {value!r}")
    return value


def pod_grace_period(
    pod: Manifest, *, previous: int = 0, override: Optional[int] = None
) -> tuple[int, bool]:
    """``calculateEffectiveGracePeriod`` -> (grace period, changed).  ``previous``
    is the period already in effect for this termination (0 = none yet);
    ``override`` is ``KillPodOptions.PodTerminationGracePeriodSecondsOverride``
    (e.g. from eviction)."""
    grace = _check(previous, "previous grace period") or 0
    overridden = False
    deletion = _check((pod.get("metadata") or {}).get("deletionGracePeriodSeconds"), "metadata.deletionGracePeriodSeconds")
    if deletion is not None and (grace == 0 or deletion < grace):
        grace = deletion
        overridden = True
    override = _check(override, "grace period override")
    if override is not None and (grace == 0 or override < grace):
        grace = override
        overridden = True
    spec_grace = _check(spec_of(pod).get("terminationGracePeriodSeconds"), "spec.terminationGracePeriodSeconds")
    if not overridden and grace == 0 and spec_grace is not None:   # an explicit 0 is not replaced
        grace = spec_grace
    if grace < 1:
        grace = 1
    return grace, previous != 0 and previous != grace


def container_grace_period(
    pod: Manifest,
    container: Mapping[str, Any],
    *,
    reason: str = "",
    override: Optional[int] = None,
) -> int:
    """Seconds between SIGTERM and SIGKILL for one container.  ``reason`` is
    the kill reason (``LivenessProbe``/``StartupProbe``/other); ``override`` is
    the ``gracePeriodOverride`` the pod worker passes when killing a pod (it
    replaces the result, floor included)."""
    deletion = _check((pod.get("metadata") or {}).get("deletionGracePeriodSeconds"), "metadata.deletionGracePeriodSeconds")
    spec_grace = _check(spec_of(pod).get("terminationGracePeriodSeconds"), "spec.terminationGracePeriodSeconds")
    grace = MINIMUM_GRACE_PERIOD
    if deletion is not None:
        grace = deletion
    elif spec_grace is not None:
        grace = spec_grace
        probe_key = {"StartupProbe": "startupProbe", "LivenessProbe": "livenessProbe"}.get(reason)
        if probe_key is not None:
            probe_grace = (container.get(probe_key) or {}).get("terminationGracePeriodSeconds")
            if probe_grace is not None:
                grace = _check(probe_grace, f"{probe_key}.terminationGracePeriodSeconds")
    if grace < MINIMUM_GRACE_PERIOD:
        grace = MINIMUM_GRACE_PERIOD
    override = _check(override, "grace period override")
    if override is not None:
        grace = override
    return grace


def kill_deadline(sigterm_at: float, grace_period_seconds: int) -> float:
    """When the runtime escalates to SIGKILL: ``StopContainer(id, timeout)``
    sends the stop signal at ``sigterm_at`` and SIGKILL ``timeout`` seconds later."""
    _check(grace_period_seconds, "grace period")
    return sigterm_at + grace_period_seconds


def should_sigkill(now: float, sigterm_at: float, grace_period_seconds: int, *, exited: bool = False) -> bool:
    """Whether the agent should SIGKILL a container it sent SIGTERM at
    ``sigterm_at`` (it has not exited and the deadline has passed)."""
    return not exited and now >= kill_deadline(sigterm_at, grace_period_seconds)
