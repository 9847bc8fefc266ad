"""Manifest builders mirroring the helpers of the upstream Go tests
(``newPod``, ``rs``, ``newRSWithStatus``, ``newDeployment``, ``deployment``)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

#: A fixed "now" for tests (upstream uses metav1.Now()).
NOW = datetime(2025, 6, 15, 12, 0, 0, tzinfo=timezone.utc)


def ts(t: datetime | None) -> str | None:
    if t is None:
        return None
    return t.isoformat().replace("+00:00", "Z")


def pod(
    name: str, node: str = "", phase: str = "Running", ready: bool = False, restarts: int | list[int] = 0,
    ready_since: datetime | None = None, created: datetime | None = None, annotations: dict | None = None,
    uid: str = "", labels: dict | None = None, deleted: datetime | None = None, ready_condition: str | None = None,
) -> dict[str, Any]:
    status: dict[str, Any] = {"phase": phase}
    if ready or ready_condition is not None:
        status["conditions"] = [{"type": "Ready", "status": ready_condition or "True",
                                 "lastTransitionTime": ts(ready_since)}]
    counts = restarts if isinstance(restarts, list) else [restarts]
    status["containerStatuses"] = [{"restartCount": r} for r in counts]
    meta: dict[str, Any] = {"name": name, "uid": uid, "creationTimestamp": ts(created)}
    if annotations:
        meta["annotations"] = annotations
    if labels:
        meta["labels"] = labels
    if deleted is not None:
        meta["deletionTimestamp"] = ts(deleted)
    return {"metadata": meta, "spec": {"nodeName": node}, "status": status}


def rs(
    name: str, replicas: int, created: datetime | None = None, available: int = 0, status_replicas: int | None = None,
    annotations: dict | None = None, uid: str | None = None, template: dict | None = None, **status: Any,
) -> dict[str, Any]:
    st = {"replicas": replicas if status_replicas is None else status_replicas, "availableReplicas": available}
    st.update(status)
    return {
        "metadata": {"name": name, "namespace": "default", "uid": uid if uid is not None else f"uid-{name}",
                     "creationTimestamp": ts(created), "annotations": dict(annotations or {})},
        "spec": {"replicas": replicas, "template": template or {}},
        "status": st,
    }


def deployment(
    name: str = "foo", replicas: int = 1, max_surge: int | str | None = 0, max_unavailable: int | str | None = 0,
    strategy: str = "RollingUpdate", revision_history_limit: int | None = None, template: dict | None = None,
    status: dict | None = None, generation: int = 0, progress_deadline: int | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"replicas": replicas, "template": template or {}}
    if strategy == "RollingUpdate":
        spec["strategy"] = {"type": strategy, "rollingUpdate": {"maxSurge": max_surge, "maxUnavailable": max_unavailable}}
    else:
        spec["strategy"] = {"type": strategy}
    if revision_history_limit is not None:
        spec["revisionHistoryLimit"] = revision_history_limit
    spec["progressDeadlineSeconds"] = progress_deadline  # None = Go nil (no deadline)
    return {"metadata": {"name": name, "generation": generation, "annotations": {}}, "spec": spec,
            "status": status or {}}
