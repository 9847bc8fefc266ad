"""Which pods block removing a node, and which must move: the cluster
autoscaler's drain rules (``utils/drain.GetPodsForDeletionOnNodeDrain`` and
``simulator/drainability``).  Pure.

Per pod on the node, in order:

1. mirror pods (static pods' API copies) are ignored;
2. pods terminating for longer than their grace period + 30 s are ignored
   (as good as gone); finished pods (Succeeded, or Failed) are ignored;
3. a pod whose controller cannot be found blocks (``ControllerNotFound``);
4. DaemonSet pods are not moved (they go with the node) and never block;
5. unless annotated ``cluster-autoscaler.kubernetes.io/safe-to-evict: "true"``:
   a pod without a controller blocks (``NotReplicated``); a ``kube-system``
   pod that no ``kube-system`` PodDisruptionBudget covers blocks
   (``UnmovableKubeSystemPod``, with ``--skip-nodes-with-system-pods``); a pod
   with an ``emptyDir`` or ``hostPath`` volume blocks
   (``LocalStorageRequested``, with ``--skip-nodes-with-local-storage``); a pod
   annotated ``safe-to-evict: "false"`` blocks (``NotSafeToEvictAnnotation``);
6. every other pod must move.

Then the budgets: the pods to move may not take more disruptions from a
PodDisruptionBudget than it allows (``NotEnoughPdb``); :class:`RemainingBudgets`
keeps count across the nodes of one scale-down pass.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubekit.autoscaling.cluster.disruption import pdb_covers
from kubekit.autoscaling.cluster.owners import controller_ref
from kubekit.controllers.podutil import is_pod_ready
from kubekit.kubectl.drain_rules import MIRROR_ANNOTATION
from kubekit.store.meta import parse_time

__all__ = ["BlockingPod", "BlockingReason", "DrainPlan", "RemainingBudgets", "SAFE_TO_EVICT", "pod_name",
           "pods_to_move"]

SAFE_TO_EVICT = "cluster-autoscaler.kubernetes.io/safe-to-evict"
DAEMONSET_POD_ANNOTATION = "cluster-autoscaler.kubernetes.io/daemonset-pod"
LONG_TERMINATING_EXTRA = 30.0          # PodLongTerminatingExtraThreshold
DEFAULT_GRACE = 30


class BlockingReason(str, enum.Enum):
    """``drain.BlockingPodReason``."""

    CONTROLLER_NOT_FOUND = "ControllerNotFound"
    NOT_REPLICATED = "NotReplicated"
    LOCAL_STORAGE_REQUESTED = "LocalStorageRequested"
    NOT_SAFE_TO_EVICT_ANNOTATION = "NotSafeToEvictAnnotation"
    UNMOVABLE_KUBE_SYSTEM_POD = "UnmovableKubeSystemPod"
    NOT_ENOUGH_PDB = "NotEnoughPdb"


@dataclass(frozen=True, slots=True)
class BlockingPod:
    pod: str                       # namespace/name
    reason: BlockingReason
    message: str


@dataclass(frozen=True, slots=True)
class DrainPlan:
    """The pods that must move elsewhere, the DaemonSet pods that go with the
    node, and the first pod that forbids removing it (None: none does)."""

    to_move: tuple[Mapping[str, Any], ...] = ()
    daemonset: tuple[Mapping[str, Any], ...] = ()
    blocking: BlockingPod | None = None

    @property
    def drainable(self) -> bool:
        return self.blocking is None


def pod_name(pod: Mapping[str, Any]) -> str:
    m = pod.get("metadata") or {}
    return f"{m.get('namespace') or 'default'}/{m.get('name', '')}"


def is_mirror(pod: Mapping[str, Any]) -> bool:
    return MIRROR_ANNOTATION in ((pod.get("metadata") or {}).get("annotations") or {})


def is_daemonset_pod(pod: Mapping[str, Any]) -> bool:
    ref = controller_ref(pod)
    if ref is not None and ref.get("kind") == "DaemonSet":
        return True
    return ((pod.get("metadata") or {}).get("annotations") or {}).get(DAEMONSET_POD_ANNOTATION) == "true"


def is_long_terminating(pod: Mapping[str, Any], now: float) -> bool:
    """Terminating for longer than its grace period + 30 s
    (``drain.IsPodLongTerminating``; ``deletionTimestamp`` already holds
    the deletion time plus the grace period)."""
    ts = (pod.get("metadata") or {}).get("deletionTimestamp")
    if not ts:
        return False
    grace = (pod.get("spec") or {}).get("terminationGracePeriodSeconds")
    return parse_time(ts) + (DEFAULT_GRACE if grace is None else int(grace)) + LONG_TERMINATING_EXTRA < now


def is_finished(pod: Mapping[str, Any]) -> bool:
    """Succeeded or Failed: nothing to move (the drainability ``terminal`` rule)."""
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def has_local_storage(pod: Mapping[str, Any]) -> bool:
    return any("emptyDir" in v or "hostPath" in v for v in (pod.get("spec") or {}).get("volumes") or ())


def _annotation(pod: Mapping[str, Any], key: str) -> str | None:
    return ((pod.get("metadata") or {}).get("annotations") or {}).get(key)


def _blocked(pod: Mapping[str, Any], reason: BlockingReason, message: str) -> DrainPlan:
    return DrainPlan(blocking=BlockingPod(pod_name(pod), reason, message))


def pods_to_move(pods: Iterable[Mapping[str, Any]], *, pdbs: Sequence[Mapping[str, Any]] = (),
                 controller_exists: Callable[[Mapping[str, Any]], bool] = lambda p: controller_ref(p) is not None,
                 now: float = 0.0, skip_nodes_with_system_pods: bool = True,
                 skip_nodes_with_local_storage: bool = True) -> DrainPlan:
    """The drain rules (module docstring, steps 1-6) over one node's pods."""
    kube_system_pdbs = [b for b in pdbs if (b.get("metadata") or {}).get("namespace") == "kube-system"]
    move: list[Mapping[str, Any]] = []
    daemonset: list[Mapping[str, Any]] = []
    for pod in pods:
        if is_mirror(pod) or is_long_terminating(pod, now):
            continue
        name = pod_name(pod)
        ref = controller_ref(pod)
        if ref is not None and not controller_exists(pod):
            return _blocked(pod, BlockingReason.CONTROLLER_NOT_FOUND,
                            f"owner {ref.get('kind')} for {name} is not available")
        if is_daemonset_pod(pod):
            daemonset.append(pod)
            continue
        if is_finished(pod):
            continue
        if _annotation(pod, SAFE_TO_EVICT) != "true":
            if ref is None:
                return _blocked(pod, BlockingReason.NOT_REPLICATED, f"{name} is not replicated")
            if (skip_nodes_with_system_pods and (pod.get("metadata") or {}).get("namespace") == "kube-system"
                    and not any(pdb_covers(b, pod) for b in kube_system_pdbs)):
                return _blocked(pod, BlockingReason.UNMOVABLE_KUBE_SYSTEM_POD,
                                f"non-daemonset, non-mirrored, non-pdb-assigned kube-system pod present: {name}")
            if skip_nodes_with_local_storage and has_local_storage(pod):
                return _blocked(pod, BlockingReason.LOCAL_STORAGE_REQUESTED,
                                f"pod with local storage present: {name}")
            if _annotation(pod, SAFE_TO_EVICT) == "false":
                return _blocked(pod, BlockingReason.NOT_SAFE_TO_EVICT_ANNOTATION,
                                f"pod annotated as not safe to evict present: {name}")
        move.append(pod)
    return DrainPlan(tuple(move), tuple(daemonset))


class RemainingBudgets:
    """``RemainingPdbTracker``: how many more disruptions each budget allows
    in this pass.  ``allowed`` maps a budget's ``namespace/name`` to its
    ``disruptionsAllowed``."""

    def __init__(self, pdbs: Sequence[Mapping[str, Any]], allowed: Mapping[str, int]) -> None:
        self.pdbs = list(pdbs)
        self.left = {pod_name(b): int(allowed.get(pod_name(b), 0)) for b in self.pdbs}

    def _needs(self, pods: Iterable[Mapping[str, Any]]) -> tuple[dict[str, int], Mapping[str, Any] | None]:
        need: dict[str, int] = {}
        for pod in pods:
            if not is_pod_ready(pod):
                continue        # an unready pod takes nothing from a budget
            for b in self.pdbs:
                if pdb_covers(b, pod):
                    key = pod_name(b)
                    need[key] = need.get(key, 0) + 1
                    if need[key] > self.left[key]:
                        return need, pod
        return need, None

    def check(self, pods: Sequence[Mapping[str, Any]]) -> BlockingPod | None:
        """The first pod whose move no budget has room for (None: all fit)."""
        _, pod = self._needs(pods)
        if pod is None:
            return None
        return BlockingPod(pod_name(pod), BlockingReason.NOT_ENOUGH_PDB,
                           f"not enough pod disruption budget to move {pod_name(pod)}")

    def take(self, pods: Sequence[Mapping[str, Any]]) -> None:
        need, _ = self._needs(pods)
        for key, n in need.items():
            self.left[key] -= n
