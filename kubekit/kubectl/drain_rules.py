"""Which pods ``drain`` evicts, as kubectl's drain filters decide.  Pure.

In order, per pod: finished pods (Succeeded/Failed) are always deleted;
mirror pods (static pods' API copies) are skipped; DaemonSet pods are an
error unless ``--ignore-daemonsets`` (then skipped with a warning); pods with
``emptyDir`` volumes are an error unless ``--delete-emptydir-data``; pods
without a controller are an error unless ``--force`` (then deleted with a
warning).

:func:`ignorable_eviction_error`: an eviction refused because the pod's
namespace is being terminated is not a failure (kubectl's ``evictPods``):
the namespace controller deletes the pod; drain waits for it as for an
evicted one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DrainPlan", "plan_drain", "ignorable_eviction_error", "MIRROR_ANNOTATION"]

MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
NAMESPACE_TERMINATING_CAUSE = "NamespaceTerminating"      # v1.NamespaceTerminatingCause


@dataclass
class DrainPlan:
    evict: list[Mapping[str, Any]] = field(default_factory=list)
    warnings: dict[str, list[str]] = field(default_factory=dict)     # message -> pods
    errors: dict[str, list[str]] = field(default_factory=dict)       # message -> pods

    def error_text(self) -> str:
        return "; ".join(f"{msg}: {', '.join(pods)}" for msg, pods in self.errors.items())

    def warning_text(self) -> str:
        return "; ".join(f"{msg}: {', '.join(pods)}" for msg, pods in self.warnings.items())


def _controller(pod: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for r in (pod.get("metadata") or {}).get("ownerReferences") or ():
        if r.get("controller"):
            return r
    return None


def plan_drain(pods: Sequence[Mapping[str, Any]], *, ignore_daemonsets: bool = False, force: bool = False,
               delete_emptydir_data: bool = False) -> DrainPlan:
    plan = DrainPlan()
    for pod in pods:
        m = pod.get("metadata") or {}
        ident = f"{m.get('namespace', '')}/{m.get('name', '')}"
        if m.get("deletionTimestamp"):
            continue                                    # already going
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            plan.evict.append(pod)
            continue
        if MIRROR_ANNOTATION in (m.get("annotations") or {}):
            continue
        ctrl = _controller(pod)
        if ctrl is not None and ctrl.get("kind") == "DaemonSet":
            if ignore_daemonsets:
                plan.warnings.setdefault("ignoring DaemonSet-managed Pods", []).append(ident)
            else:
                plan.errors.setdefault("cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)",
                                       []).append(ident)
            continue
        if any("emptyDir" in v for v in (pod.get("spec") or {}).get("volumes") or ()) and not delete_emptydir_data:
            plan.errors.setdefault("cannot delete Pods with local storage (use --delete-emptydir-data to override)",
                                   []).append(ident)
            continue
        if ctrl is None:
            if force:
                plan.warnings.setdefault("deleting Pods that declare no controller", []).append(ident)
            else:
                plan.errors.setdefault("cannot delete Pods that declare no controller (use --force to override)",
                                       []).append(ident)
                continue
        plan.evict.append(pod)
    return plan


def ignorable_eviction_error(code: int, status: Mapping[str, Any]) -> bool:
    """``apierrors.IsForbidden(err) && apierrors.HasStatusCause(err,
    v1.NamespaceTerminatingCause)``: the eviction was refused only because
    the pod's namespace is being deleted (NamespaceLifecycle admission)."""
    if code != 403 and status.get("reason") != "Forbidden":
        return False
    causes = (status.get("details") or {}).get("causes") or ()
    return any(isinstance(c, Mapping) and c.get("reason") == NAMESPACE_TERMINATING_CAUSE for c in causes)
