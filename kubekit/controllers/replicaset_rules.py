"""ReplicaSet controller decisions (``pkg/controller/replicaset/replica_set.go``,
``replica_set_utils.go``).

* :func:`manage_replicas_decision` — ``manageReplicas``: create or delete how many.
* :func:`slow_start_batches` / :func:`simulate_slow_start` — ``slowStartBatch``.
* :func:`replicaset_status` — ``calculateStatus`` plus observedGeneration.
* Deletion order lives in :mod:`kubekit.controllers.pod_ranking`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from kubekit.controllers.errors import ControllerInputError
from kubekit.controllers.podutil import (
    Pod, is_pod_available,
)
from kubekit.controllers.timeutil import format_time, parse_time

#: ``BurstReplicas`` of kube-controller-manager's ReplicaSet controller.
BURST_REPLICAS = 500
#: ``controller.SlowStartInitialBatchSize``.
SLOW_START_INITIAL_BATCH_SIZE = 1

CREATE = "create"
DELETE = "delete"
NONE = "none"


@dataclass(frozen=True, slots=True)
class ManageReplicasDecision:
    """``action`` is ``"create"``, ``"delete"`` or ``"none"``; ``count`` how many pods."""

    action: str
    count: int


def manage_replicas_decision(
    active_pods: Sequence[Pod] | int, desired: int, burst: int = BURST_REPLICAS,
) -> ManageReplicasDecision:
    """``diff = len(activePods) - spec.replicas``; create ``min(-diff, burst)``
    when short, delete ``min(diff, burst)`` when over, else nothing.

    ``active_pods`` is the list of the RS's active pods (or just their count).
    """
    count = active_pods if isinstance(active_pods, int) else len(active_pods)
    if isinstance(active_pods, bool) or count < 0:
        raise ControllerInputError(f"active_pods: {active_pods!r} is not a pod count")
    if desired < 0:
        raise ControllerInputError(f"desired: {desired} replicas is negative")
    if burst <= 0:
        raise ControllerInputError(f"burst: {burst} must be positive")
    diff = count - desired
    if diff < 0:
        return ManageReplicasDecision(CREATE, min(-diff, burst))
    if diff > 0:
        return ManageReplicasDecision(DELETE, min(diff, burst))
    return ManageReplicasDecision(NONE, 0)


def slow_start_batches(count: int, initial: int = SLOW_START_INITIAL_BATCH_SIZE) -> list[int]:
    """Batch sizes ``slowStartBatch`` runs when every call succeeds:
    ``min(initial, count)``, then doubling, capped by what remains."""
    if count < 0:
        raise ControllerInputError(f"count: {count} is negative")
    if initial <= 0:
        raise ControllerInputError(f"initial: {initial} batch size must be positive")
    batches: list[int] = []
    remaining = count
    batch = min(remaining, initial)
    while batch > 0:
        batches.append(batch)
        remaining -= batch
        batch = min(2 * batch, remaining)
    return batches


@dataclass(frozen=True, slots=True)
class SlowStartResult:
    """Outcome of :func:`simulate_slow_start`.

    ``successes`` calls succeeded, ``failures`` failed, ``attempted`` were
    made, and ``skipped = count - successes`` is what ``manageReplicas``
    subtracts from its expectations (failed plus never attempted).
    ``batches`` are the batch sizes actually run.
    """

    successes: int
    failures: int
    attempted: int
    skipped: int
    batches: tuple[int, ...]


def simulate_slow_start(
    count: int, fails: Callable[[int], bool], initial: int = SLOW_START_INITIAL_BATCH_SIZE,
) -> SlowStartResult:
    """Run ``slowStartBatch`` against ``fails(i)`` (True = the i-th call, 0-based, errors).

    Every call of a batch runs (they are parallel upstream); after the first
    batch with an error, no further batch starts.
    """
    if count < 0:
        raise ControllerInputError(f"count: {count} is negative")
    if initial <= 0:
        raise ControllerInputError(f"initial: {initial} batch size must be positive")
    successes = failures = attempted = 0
    batches: list[int] = []
    remaining = count
    batch = min(remaining, initial)
    while batch > 0:
        batches.append(batch)
        errors = sum(1 for i in range(attempted, attempted + batch) if fails(i))
        attempted += batch
        successes += batch - errors
        failures += errors
        if errors:
            break
        remaining -= batch
        batch = min(2 * batch, remaining)
    return SlowStartResult(successes, failures, attempted, count - successes, tuple(batches))


def _labels_match(template_labels: Mapping[str, str], pod_labels: Mapping[str, str]) -> bool:
    return all(pod_labels.get(k) == v for k, v in template_labels.items())


def _replicas(rs: Mapping[str, Any]) -> int:
    value = (rs.get("spec") or {}).get("replicas", 1)
    if value is None:
        value = 1
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ControllerInputError(f"spec.replicas: {value!r} is not a non-negative integer")
    return value


class PodCounts(NamedTuple):
    """The pod counts of a ReplicaSet's status: ``active`` (neither terminal
    nor being deleted), ``terminating`` (being deleted, not yet terminal),
    and, among the active, ``fully_labeled`` (carrying every label of the
    template), ``ready`` and ``available``."""

    active: int
    terminating: int
    fully_labeled: int
    ready: int
    available: int


#: ``pod_tally_key(pod)``: what a ReplicaSet's claim and status need of a pod.
TallyKey = tuple[tuple[tuple[str, str], ...], bool, bool, bool]


def pod_tally_key(pod: Pod) -> TallyKey:
    """``(labels, terminal, being deleted, Ready)`` of ``pod``.  A controller
    that keeps, per ReplicaSet, how many of its pods have each key (a
    *tally*, updated on every pod event) gets the status counts from
    :func:`counts_from_tally` without visiting the pods: the replicas of one
    template share a handful of keys."""
    meta = pod.get("metadata") or {}
    st = pod.get("status") or {}
    ready = False
    for cond in st.get("conditions") or ():
        if cond.get("type") == "Ready":
            ready = cond.get("status") == "True"
            break
    return (tuple((meta.get("labels") or {}).items()), (st.get("phase") or "") in ("Succeeded", "Failed"),
            bool(meta.get("deletionTimestamp")), ready)


def counts_from_tally(tally: Mapping[TallyKey, int], template_labels: Mapping[str, str],
                      available: int | None = None) -> PodCounts:
    """The :class:`PodCounts` of the pods ``tally`` counts.  ``available``
    defaults to ``ready`` (right when ``minReadySeconds`` is 0); otherwise the
    caller counts it from the ready pods' transition times."""
    active = terminating = fully = ready = 0
    for (labels, terminal, deleting, is_ready), n in tally.items():
        if terminal or not n:
            continue
        if deleting:
            terminating += n
            continue
        active += n
        if _labels_match(template_labels, dict(labels)):
            fully += n
        if is_ready:
            ready += n
    return PodCounts(active, terminating, fully, ready, ready if available is None else available)


def replicaset_status(
    rs: Mapping[str, Any], pods: Sequence[Pod], now: datetime,
    manage_replicas_error: str | None = None, terminating_replicas: bool = True,
) -> dict[str, Any]:
    """The status the ReplicaSet controller writes (``calculateStatus`` +
    ``updateReplicaSetStatus``'s observedGeneration).

    ``pods`` are all pods the RS owns; active ones are counted in
    replicas/fullyLabeled/ready/available, terminating ones (deletionTimestamp
    set, not terminal) in ``terminatingReplicas``.  ``terminating_replicas``
    is the DeploymentReplicaSetTerminatingReplicas gate: alpha/off in 1.33–1.34,
    beta/on in 1.35 (the default here); when off the field is absent.

    ``manage_replicas_error`` is the error text of the last manageReplicas:
    with an error and no ReplicaFailure condition yet, one is added with
    reason FailedCreate (too few pods), FailedDelete (too many) or ``""``;
    with no error an existing ReplicaFailure condition is removed; otherwise
    conditions are unchanged.
    """
    spec = rs.get("spec") or {}
    min_ready = int(spec.get("minReadySeconds") or 0)
    template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    # One pass over the pods (a ReplicaSet may own thousands): the checks of
    # is_pod_active / is_pod_terminating / is_pod_ready, inlined.
    n_active = n_terminating = fully = ready = available = 0
    for pod in pods:
        st = pod.get("status") or {}
        if (st.get("phase") or "") in ("Succeeded", "Failed"):
            continue
        meta = pod.get("metadata") or {}
        if meta.get("deletionTimestamp"):
            n_terminating += 1
            continue
        n_active += 1
        if _labels_match(template_labels, meta.get("labels") or {}):
            fully += 1
        for cond in st.get("conditions") or ():
            if cond.get("type") == "Ready":
                if cond.get("status") == "True":
                    ready += 1
                    if min_ready == 0 or is_pod_available(pod, min_ready, now):
                        available += 1
                break
    return replicaset_status_from_counts(rs, PodCounts(n_active, n_terminating, fully, ready, available), now,
                                         manage_replicas_error, terminating_replicas)


def replicaset_status_from_counts(
    rs: Mapping[str, Any], counts: PodCounts, now: datetime,
    manage_replicas_error: str | None = None, terminating_replicas: bool = True,
) -> dict[str, Any]:
    """:func:`replicaset_status` from the pods' :class:`PodCounts`."""
    old_status = rs.get("status") or {}
    n_active = counts.active
    conditions = [dict(c) for c in old_status.get("conditions") or ()]
    failure = next((c for c in conditions if c.get("type") == "ReplicaFailure"), None)
    if manage_replicas_error is not None and failure is None:
        diff = n_active - _replicas(rs)
        reason = "FailedCreate" if diff < 0 else "FailedDelete" if diff > 0 else ""
        conditions = [c for c in conditions if c.get("type") != "ReplicaFailure"]
        conditions.append({
            "type": "ReplicaFailure", "status": "True", "lastTransitionTime": format_time(parse_time(now, "now")),
            "reason": reason, "message": manage_replicas_error,
        })
    elif manage_replicas_error is None and failure is not None:
        conditions = [c for c in conditions if c.get("type") != "ReplicaFailure"]
    status: dict[str, Any] = {
        "replicas": n_active,
        "fullyLabeledReplicas": counts.fully_labeled,
        "readyReplicas": counts.ready,
        "availableReplicas": counts.available,
        "observedGeneration": int((rs.get("metadata") or {}).get("generation") or 0),
    }
    if terminating_replicas:
        status["terminatingReplicas"] = counts.terminating
    if conditions:
        status["conditions"] = conditions
    return status
