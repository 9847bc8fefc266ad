"""PodDisruptionBudget arithmetic, as Kubernetes' disruption controller
computes ``status`` (``pkg/controller/disruption``), and the eviction check
the API server's eviction subresource makes with it.  Pure.

Which pods a budget covers: the pods of its namespace its ``selector``
matches (policy/v1: an empty selector ``{}`` matches every pod of the
namespace, a missing one matches none).

``expectedPods`` and ``desiredHealthy`` (``getExpectedPodCount``):

==========================  ======================================  ====================================
spec                         expectedPods                            desiredHealthy
==========================  ======================================  ====================================
``maxUnavailable`` (int/%)   sum of the covered pods' controllers'   expected − maxUnavailable (a percent
                             scale (each controller once)            of expected, rounded up), at least 0
``minAvailable`` int         number of covered pods                  minAvailable
``minAvailable`` percent     controllers' scale, as above            percent of expected, rounded up
neither                      0                                       0
==========================  ======================================  ====================================

``currentHealthy`` counts covered pods that are Ready and not being
deleted; ``disruptionsAllowed = currentHealthy − desiredHealthy`` (0 when
negative or when ``expectedPods`` is 0).  A covered pod without a controller,
or whose controller is gone, makes the scale unknown: the controller then
fails safe with 0 disruptions allowed (for the int ``minAvailable`` form no
scale is needed, so it is not affected).

The eviction subresource (``pkg/registry/core/pod/storage/eviction.go``):
a pod that is finished, Pending or already being deleted is deleted without
looking at budgets; more than one budget covering the pod is an error; a
pod that is not Ready may go while the budget is satisfied
(``currentHealthy >= desiredHealthy``, the default
``unhealthyPodEvictionPolicy: IfHealthyBudget``) or always
(``AlwaysAllow``); otherwise it needs ``disruptionsAllowed > 0``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubekit.controllers.errors import IntOrStringError
from kubekit.controllers.intorstr import scaled_value
from kubekit.controllers.podutil import is_pod_ready
from kubekit.validation.meta import selector_matches

__all__ = ["BudgetStatus", "EvictionVerdict", "ScaleLookup", "budget_status", "check_eviction", "covered_pods",
           "pdb_covers", "status_fields"]

#: ``controller_scale(pod) -> (controller uid, replicas)``, or None when the
#: pod has no controller or its controller cannot be found.
ScaleLookup = Callable[[Mapping[str, Any]], "tuple[str, int] | None"]

_TOO_MANY = "Cannot evict pod as it would violate the pod's disruption budget."


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    """A budget's status fields, as the disruption controller writes them."""

    expected_pods: int
    desired_healthy: int
    current_healthy: int
    disruptions_allowed: int
    error: str = ""                  # why the controller failed safe ("" when it did not)


@dataclass(frozen=True, slots=True)
class EvictionVerdict:
    """Whether an eviction may proceed: ``code`` is the HTTP status the API
    server answers (201 allowed, 429 refused by a budget, 500 for a pod under
    several budgets); ``budget`` names the budget that decided."""

    allowed: bool
    code: int
    message: str = ""
    budget: str = ""


def pdb_covers(pdb: Mapping[str, Any], pod: Mapping[str, Any]) -> bool:
    """``pdb`` selects ``pod``: same namespace and the selector matches."""
    pm, bm = pod.get("metadata") or {}, pdb.get("metadata") or {}
    if (pm.get("namespace") or "default") != (bm.get("namespace") or "default"):
        return False
    selector = (pdb.get("spec") or {}).get("selector")
    matched = selector_matches(selector, pm.get("labels") or {})
    return matched is None or matched        # None: the empty selector, every pod


def covered_pods(pdb: Mapping[str, Any], pods: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [p for p in pods if pdb_covers(pdb, p)]


def _healthy(pod: Mapping[str, Any]) -> bool:
    return not (pod.get("metadata") or {}).get("deletionTimestamp") and is_pod_ready(pod)


def _expected_scale(pods: Sequence[Mapping[str, Any]], controller_scale: ScaleLookup) -> int | None:
    seen: dict[str, int] = {}
    for p in pods:
        found = controller_scale(p)
        if found is None:
            return None
        seen[found[0]] = found[1]
    return sum(seen.values())


def budget_status(pdb: Mapping[str, Any], pods: Iterable[Mapping[str, Any]],
                  controller_scale: ScaleLookup) -> BudgetStatus:
    """The status of ``pdb`` given every pod of its namespace (see the module
    docstring)."""
    mine = covered_pods(pdb, pods)
    spec = pdb.get("spec") or {}
    healthy = sum(1 for p in mine if _healthy(p))
    max_unavailable, min_available = spec.get("maxUnavailable"), spec.get("minAvailable")
    try:
        if max_unavailable is not None:
            expected = _expected_scale(mine, controller_scale)
            if expected is None:
                return BudgetStatus(0, 0, healthy, 0, "found no controller (or its scale) for a covered pod")
            desired = max(0, expected - scaled_value(max_unavailable, expected, True))
        elif isinstance(min_available, int) and not isinstance(min_available, bool):
            expected, desired = len(mine), min_available
        elif min_available is not None:
            expected = _expected_scale(mine, controller_scale)
            if expected is None:
                return BudgetStatus(0, 0, healthy, 0, "found no controller (or its scale) for a covered pod")
            desired = scaled_value(min_available, expected, True)
        else:
            expected, desired = 0, 0
    except IntOrStringError as e:
        return BudgetStatus(0, 0, healthy, 0, str(e))
    allowed = healthy - desired
    if expected <= 0 or allowed <= 0:
        allowed = 0
    return BudgetStatus(expected, desired, healthy, allowed)


def status_fields(st: BudgetStatus, generation: int | None = None) -> dict[str, Any]:
    """``status`` of a PodDisruptionBudget object for ``st``."""
    out: dict[str, Any] = {"expectedPods": st.expected_pods, "desiredHealthy": st.desired_healthy,
                           "currentHealthy": st.current_healthy, "disruptionsAllowed": st.disruptions_allowed}
    if generation is not None:
        out["observedGeneration"] = generation
    return out


def _name(obj: Mapping[str, Any]) -> str:
    m = obj.get("metadata") or {}
    return f"{m.get('namespace') or 'default'}/{m.get('name', '')}"


def check_eviction(pod: Mapping[str, Any], pdbs: Iterable[Mapping[str, Any]], pods: Iterable[Mapping[str, Any]],
                   controller_scale: ScaleLookup) -> EvictionVerdict:
    """May ``pod`` be evicted now?  ``pdbs`` and ``pods``: the budgets and
    pods of its namespace (the statuses are computed from them, so a
    budget's ``status`` never lags the pods)."""
    if (pod.get("metadata") or {}).get("deletionTimestamp") or \
            (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed", "Pending", None):
        return EvictionVerdict(True, 201)
    mine = [b for b in pdbs if pdb_covers(b, pod)]
    if not mine:
        return EvictionVerdict(True, 201)
    if len(mine) > 1:
        return EvictionVerdict(False, 500, "This pod has more than one PodDisruptionBudget, which the eviction "
                                           "subresource does not support.", _name(mine[0]))
    pdb = mine[0]
    st = budget_status(pdb, pods, controller_scale)
    policy = (pdb.get("spec") or {}).get("unhealthyPodEvictionPolicy") or "IfHealthyBudget"
    if not is_pod_ready(pod) and (policy == "AlwaysAllow" or st.current_healthy >= st.desired_healthy):
        return EvictionVerdict(True, 201, budget=_name(pdb))
    if st.disruptions_allowed <= 0:
        return EvictionVerdict(False, 429, f"{_TOO_MANY} The disruption budget {pdb['metadata']['name']} needs "
                                           f"{st.desired_healthy} healthy pods and has {st.current_healthy} "
                                           f"currently", _name(pdb))
    return EvictionVerdict(True, 201, budget=_name(pdb))
