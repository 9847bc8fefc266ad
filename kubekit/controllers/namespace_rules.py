"""Pure decisions of the namespace controller
(``pkg/controller/namespace/deletion/namespaced_resources_deleter.go`` and
``status_condition_utils.go``; the queue delays of ``namespace_controller.go``).

They take plain values (namespaces and objects as dicts, an injected ``now``)
and return plain results; :mod:`kubekit.controllers.namespace` reads the
store, calls them and writes back.

* :func:`finalized`, :func:`finalize_spec` — is the namespace done, and its
  ``spec.finalizers`` once the controller's token is removed;
* :func:`estimate_for_pods`, :func:`allowed_estimate` — how long pods being
  deleted with a grace period may still take;
* :func:`remaining_content` — after deleting every object of one resource,
  what is left and whether that is expected (an estimate, finalizers) or an
  error;
* :func:`content_conditions`, :func:`delete_content_condition`,
  :func:`discovery_failure_condition`, :func:`update_conditions` — the
  ``NamespaceDeletion*`` / ``Namespace*Remaining`` status conditions;
* :func:`requeue_after` — when to look again while content remains.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CONDITION_TYPES", "DiscoveryFailed", "FINALIZER_ESTIMATE_SECONDS", "GVR", "GVRDeletion",
    "NAMESPACE_DELETION_GRACE_PERIOD", "ResourcesRemaining", "allowed_estimate", "content_conditions",
    "delete_content_condition", "discovery_failure_condition", "estimate_for_pods", "finalize_spec", "finalized",
    "remaining_content", "requeue_after", "successful_condition", "update_conditions",
]

#: a default estimate for finalizers to complete when found on items pending deletion (``finalizerEstimateSeconds``)
FINALIZER_ESTIMATE_SECONDS = 15
#: ``namespaceDeletionGracePeriod``: a deleted namespace's first sync waits this long, so that every API
#: server's admission sees the deletion and late creations in the namespace are visible before cleanup
NAMESPACE_DELETION_GRACE_PERIOD = 5.0

DISCOVERY_FAILURE = "NamespaceDeletionDiscoveryFailure"
GV_PARSING_FAILURE = "NamespaceDeletionGroupVersionParsingFailure"
CONTENT_FAILURE = "NamespaceDeletionContentFailure"
CONTENT_REMAINING = "NamespaceContentRemaining"
FINALIZERS_REMAINING = "NamespaceFinalizersRemaining"
#: the condition types the deleter maintains, in the order it appends them (``conditionTypes``)
CONDITION_TYPES = (DISCOVERY_FAILURE, GV_PARSING_FAILURE, CONTENT_FAILURE, CONTENT_REMAINING, FINALIZERS_REMAINING)
_OK_MESSAGES = {
    DISCOVERY_FAILURE: "All resources successfully discovered",
    GV_PARSING_FAILURE: "All legacy kube types successfully parsed",
    CONTENT_FAILURE: "All content successfully deleted, may be waiting on finalization",
    CONTENT_REMAINING: "All content successfully removed",
    FINALIZERS_REMAINING: "All content-preserving finalizers finished",
}
_OK_REASONS = {
    DISCOVERY_FAILURE: "ResourcesDiscovered",
    GV_PARSING_FAILURE: "ParsedGroupVersions",
    CONTENT_FAILURE: "ContentDeleted",
    CONTENT_REMAINING: "ContentRemoved",
    FINALIZERS_REMAINING: "ContentHasNoFinalizers",
}


@dataclass(frozen=True, slots=True, order=True)
class GVR:
    """``schema.GroupVersionResource``."""

    group: str
    version: str
    resource: str

    @classmethod
    def of(cls, api_version: str, plural: str) -> "GVR":
        group, _, version = api_version.rpartition("/")
        return cls(group, version, plural)

    def __str__(self) -> str:          # apimachinery's String(): "apps/v1, Resource=deployments", "/v1, Resource=pods"
        return f"{self.group}/{self.version}, Resource={self.resource}"


class ResourcesRemaining(Exception):
    """``ResourcesRemainingError``: content was deleted but is not gone yet."""

    def __init__(self, estimate: int) -> None:
        self.estimate = estimate
        super().__init__(f"some content remains in the namespace, estimate {estimate} seconds before it is removed")


class DiscoveryFailed(Exception):
    """``discovery.ErrGroupDiscoveryFailed``: some group versions could not be
    listed (``groups``: group version → error text); the others were."""

    def __init__(self, groups: Mapping[str, str]) -> None:
        self.groups = dict(groups)
        listed = ", ".join(sorted(f"{gv}: {err}" for gv, err in self.groups.items()))
        super().__init__(f"unable to retrieve the complete list of server APIs: {listed}")


@dataclass(frozen=True, slots=True)
class GVRDeletion:
    """``gvrDeletionMetadata``: an estimate in seconds (0: none made, which
    does not mean all is gone), how many objects remain, and how many of them
    wait on each finalizer."""

    finalizer_estimate_seconds: int = 0
    num_remaining: int = 0
    finalizers_to_num_remaining: Mapping[str, int] = field(default_factory=dict)


# -- the namespace -------------------------------------------------------------------------------
def finalized(ns: Mapping[str, Any]) -> bool:
    """``finalized``: ``spec.finalizers`` is empty."""
    return not (ns.get("spec") or {}).get("finalizers")


def finalize_spec(ns: Mapping[str, Any], token: str) -> list[str]:
    """``finalizeNamespace``'s new ``spec.finalizers``: the others, as a
    sorted set (upstream collects them in a ``sets.String``)."""
    return sorted({f for f in (ns.get("spec") or {}).get("finalizers") or [] if f != token})


def requeue_after(estimate: int) -> float:
    """The worker's delay after a ``ResourcesRemainingError``: half the estimate, plus one second."""
    return float(estimate // 2 + 1)


# -- estimates -----------------------------------------------------------------------------------
def estimate_for_pods(pods: Iterable[Mapping[str, Any]]) -> int:
    """``estimateGracefulTerminationForPods``: the longest
    ``terminationGracePeriodSeconds`` among pods that have not finished
    (Succeeded and Failed pods do not count; a pod without one does not either)."""
    estimate = 0
    for p in pods:
        if (p.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        grace = (p.get("spec") or {}).get("terminationGracePeriodSeconds")
        if grace is not None and int(grace) > estimate:
            estimate = int(grace)
    return estimate


def allowed_estimate(estimate: int, deleted_at: float, now: float) -> int:
    """``estimateGracefulTermination``: no estimate once as long as it has
    passed since the namespace's ``deletionTimestamp``."""
    return 0 if now - deleted_at >= estimate else estimate


def remaining_content(namespace: str, gvr: GVR, estimate: int,
                      remaining: Sequence[Mapping[str, Any]]) -> tuple[GVRDeletion, str | None]:
    """The end of ``deleteAllContentForGroupVersionResource``: ``remaining``
    are the objects of ``gvr`` still listed after deleting them all.  Nothing
    left is done; with an estimate, or with finalizers on what is left (then
    15 s), waiting is normal; otherwise the leftovers are an error (its
    message is returned)."""
    if not remaining:
        return GVRDeletion(0, 0), None
    fins: dict[str, int] = {}
    for item in remaining:
        for f in (item.get("metadata") or {}).get("finalizers") or []:
            fins[f] = fins.get(f, 0) + 1
    if estimate:
        return GVRDeletion(estimate, len(remaining), fins), None
    if fins:
        return GVRDeletion(FINALIZER_ESTIMATE_SECONDS, len(remaining), fins), None
    return (GVRDeletion(estimate, len(remaining)),
            f"unexpected items still remain in namespace: {namespace} for gvr: {gvr}")


# -- conditions ----------------------------------------------------------------------------------
def _condition(ctype: str, status: str, reason: str, message: str, now_text: str) -> dict:
    return {"type": ctype, "status": status, "lastTransitionTime": now_text, "reason": reason, "message": message}


def successful_condition(ctype: str, now_text: str) -> dict:
    """``newSuccessfulCondition``: status False with the "all is well" reason and message."""
    return _condition(ctype, "False", _OK_REASONS[ctype], _OK_MESSAGES[ctype], now_text)


def discovery_failure_condition(err: BaseException | str, now_text: str) -> dict:
    """``ProcessDiscoverResourcesErr``."""
    if isinstance(err, DiscoveryFailed):
        msg = f"Discovery failed for some groups, {len(err.groups)} failing: {err}"
    else:
        msg = str(err)
    return _condition(DISCOVERY_FAILURE, "True", "DiscoveryFailed", msg, now_text)


def content_conditions(gvr_to_num_remaining: Mapping[GVR, int], finalizers_to_num_remaining: Mapping[str, int],
                       now_text: str) -> list[dict]:
    """``ProcessContentTotals``: ``NamespaceContentRemaining`` and
    ``NamespaceFinalizersRemaining`` when anything remains (upstream's text,
    ``pods. has 2 resource instances`` for the core group included)."""
    out = []
    if gvr_to_num_remaining:
        parts = sorted(f"{g.resource}.{g.group} has {n} resource instances"
                       for g, n in gvr_to_num_remaining.items() if n)
        out.append(_condition(CONTENT_REMAINING, "True", "SomeResourcesRemain",
                              f"Some resources are remaining: {', '.join(parts)}", now_text))
    if finalizers_to_num_remaining:
        parts = sorted(f"{f} in {n} resource instances" for f, n in finalizers_to_num_remaining.items() if n)
        out.append(_condition(FINALIZERS_REMAINING, "True", "SomeFinalizersRemain",
                              f"Some content in the namespace has finalizers remaining: {', '.join(parts)}", now_text))
    return out


def delete_content_condition(errors: Sequence[str], now_text: str) -> dict | None:
    """``makeDeleteContentCondition``: one condition for every resource that failed."""
    if not errors:
        return None
    msgs = sorted(errors)
    return _condition(CONTENT_FAILURE, "True", "ContentDeletionFailed",
                      f"Failed to delete all resource types, {len(msgs)} remaining: {', '.join(msgs)}", now_text)


def update_conditions(conditions: Sequence[Mapping[str, Any]], new_conditions: Sequence[Mapping[str, Any]],
                      now_text: str) -> tuple[list[dict], bool]:
    """``updateConditions``: for each maintained type, the new condition (or
    its successful variant) replaces the old one in place — keeping its
    ``lastTransitionTime`` unless the status changed — or is appended.
    Conditions of other types stay.  Returns (conditions, changed)."""
    out = [dict(c) for c in conditions]
    changed = False
    for ctype in CONDITION_TYPES:
        new = next((c for c in new_conditions if c.get("type") == ctype), None) or successful_condition(ctype, now_text)
        old = next((c for c in out if c.get("type") == ctype), None)
        if old is None:
            out.append(dict(new))
            changed = True
        elif (old.get("status"), old.get("message"), old.get("reason")) != (new.get("status"), new.get("message"),
                                                                            new.get("reason")):
            if old.get("status") != new.get("status"):
                old["lastTransitionTime"] = now_text
            old.update(type=ctype, status=new.get("status"), reason=new.get("reason"), message=new.get("message"))
            changed = True
    return out, changed
