"""The columns ``kubekit get`` prints per kind, kubectl's, with ``-o wide``
extras.  Pure: each row function takes an object and ``now``.

    print(render(table_for("Pod", pods, now, wide=False)))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubekit.kubectl.age import age, parse_time

__all__ = ["Table", "access_modes_string", "columns", "pod_status", "pod_ready", "pod_restarts", "node_status", "node_roles",
           "render", "table_for", "selector_string"]

Row = list[str]


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: list[Row]


def render(table: Table, *, header: bool = True, gap: int = 3) -> str:
    """kubectl's tabwriter: left-aligned, ``gap`` spaces between columns
    (three for ``get``, two in ``describe``)."""
    rows = ([table.header] if header else []) + table.rows
    if not rows:
        return ""
    widths = [max(len(r[i]) for r in rows) for i in range(len(table.header))]
    lines = []
    for r in rows:
        cells = [c.ljust(widths[i]) if i < len(r) - 1 else c for i, c in enumerate(r)]
        lines.append((" " * gap).join(cells).rstrip())
    return "\n".join(lines)


def _meta(o: Mapping[str, Any]) -> Mapping[str, Any]:
    return o.get("metadata") or {}


def _status(o: Mapping[str, Any]) -> Mapping[str, Any]:
    return o.get("status") or {}


def _spec(o: Mapping[str, Any]) -> Mapping[str, Any]:
    return o.get("spec") or {}


def selector_string(selector: Mapping[str, Any] | None) -> str:
    if not selector:
        return "<none>"
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for e in selector.get("matchExpressions") or ():
        op, vals = e.get("operator"), ",".join(e.get("values") or [])
        parts.append({"In": f"{e.get('key')} in ({vals})", "NotIn": f"{e.get('key')} notin ({vals})",
                      "Exists": str(e.get("key")), "DoesNotExist": f"!{e.get('key')}"}.get(op, str(e)))
    return ",".join(parts) or "<none>"


# -- pods ----------------------------------------------------------------------------------
def pod_ready(pod: Mapping[str, Any]) -> str:
    containers = _spec(pod).get("containers") or []
    statuses = _status(pod).get("containerStatuses") or []
    ready = sum(1 for c in statuses if c.get("ready"))
    return f"{ready}/{len(containers)}"


def pod_restarts(pod: Mapping[str, Any], now: float) -> str:
    statuses = _status(pod).get("containerStatuses") or []
    n = sum(int(c.get("restartCount") or 0) for c in statuses)
    last = max((parse_time(((c.get("lastState") or {}).get("terminated") or {}).get("finishedAt")) or 0
                for c in statuses), default=0)
    if n and last:
        from kubekit.kubectl.age import human_duration
        return f"{n} ({human_duration(now - last)} ago)"
    return str(n)


def pod_status(pod: Mapping[str, Any]) -> str:
    """kubectl's STATUS column (``printPod``): the phase, or the reason of the
    most telling container state, ``Terminating`` while being deleted."""
    st = _status(pod)
    reason = st.get("reason") or st.get("phase") or "Pending"    # no phase yet: created, not yet reported on
    initializing = False
    for i, c in enumerate(st.get("initContainerStatuses") or []):
        state = c.get("state") or {}
        term, wait = state.get("terminated"), state.get("waiting")
        if term and term.get("exitCode") == 0:
            continue
        if term:
            reason = "Init:" + (term.get("reason") or (f"Signal:{term['signal']}" if term.get("signal")
                                                        else f"ExitCode:{term.get('exitCode')}"))
        elif wait and wait.get("reason") and wait["reason"] != "PodInitializing":
            reason = "Init:" + wait["reason"]
        else:
            reason = f"Init:{i}/{len(_spec(pod).get('initContainers') or [])}"
        initializing = True
        break
    if not initializing:
        has_running = False
        for c in reversed(st.get("containerStatuses") or []):
            state = c.get("state") or {}
            wait, term = state.get("waiting"), state.get("terminated")
            if wait and wait.get("reason"):
                reason = wait["reason"]
            elif term and term.get("reason"):
                reason = term["reason"]
            elif term:
                reason = f"Signal:{term['signal']}" if term.get("signal") else f"ExitCode:{term.get('exitCode')}"
            elif state.get("running") and c.get("ready"):
                has_running = True
        if reason == "Completed" and has_running:
            reason = "Running"
    if _meta(pod).get("deletionTimestamp"):
        reason = "Unknown" if st.get("reason") == "NodeLost" else "Terminating"
    return reason


def _pod_row(pod, now, wide):
    st = _status(pod)
    row = [_meta(pod).get("name", ""), pod_ready(pod), pod_status(pod), pod_restarts(pod, now),
           age(_meta(pod).get("creationTimestamp"), now)]
    if wide:
        gates = _spec(pod).get("readinessGates") or []
        row += [st.get("podIP") or "<none>", _spec(pod).get("nodeName") or "<none>",
                st.get("nominatedNodeName") or "<none>",
                f"{len(gates)}/{len(gates)}" if gates else "<none>"]
    return row


# -- nodes ---------------------------------------------------------------------------------
def node_status(node: Mapping[str, Any]) -> str:
    conds = {c.get("type"): c.get("status") for c in _status(node).get("conditions") or []}
    ready = conds.get("Ready")
    out = "Ready" if ready == "True" else ("NotReady" if ready == "False" else "Unknown")
    if _spec(node).get("unschedulable"):
        out += ",SchedulingDisabled"
    return out


def node_roles(node: Mapping[str, Any]) -> str:
    labels = _meta(node).get("labels") or {}
    roles = sorted({k.split("/", 1)[1] for k in labels if k.startswith("node-role.kubernetes.io/") and "/" in k}
                   | {v for k, v in labels.items() if k == "kubernetes.io/role" and v})
    return ",".join(r for r in roles if r) or "<none>"


def _node_row(node, now, wide):
    info = _status(node).get("nodeInfo") or {}
    row = [_meta(node).get("name", ""), node_status(node), node_roles(node),
           age(_meta(node).get("creationTimestamp"), now), info.get("kubeletVersion") or ""]
    if wide:
        addrs = {a.get("type"): a.get("address") for a in _status(node).get("addresses") or []}
        row += [addrs.get("InternalIP") or "<none>", addrs.get("ExternalIP") or "<none>",
                info.get("osImage") or "<unknown>", info.get("kernelVersion") or "<unknown>",
                info.get("containerRuntimeVersion") or "<unknown>"]
    return row


# -- workloads -----------------------------------------------------------------------------
def _containers_images(o) -> list[str]:
    cs = ((_spec(o).get("template") or {}).get("spec") or {}).get("containers") or []
    return [",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs),
            selector_string(_spec(o).get("selector"))]


def _deployment_row(d, now, wide):
    st = _status(d)
    want = _spec(d).get("replicas", 1)
    row = [_meta(d).get("name", ""), f"{st.get('readyReplicas', 0)}/{want}", str(st.get("updatedReplicas", 0)),
           str(st.get("availableReplicas", 0)), age(_meta(d).get("creationTimestamp"), now)]
    return row + (_containers_images(d) if wide else [])


def _replicaset_row(rs, now, wide):
    st = _status(rs)
    row = [_meta(rs).get("name", ""), str(_spec(rs).get("replicas", 1)), str(st.get("replicas", 0)),
           str(st.get("readyReplicas", 0)), age(_meta(rs).get("creationTimestamp"), now)]
    return row + (_containers_images(rs) if wide else [])


def _event_row(e, now, wide):
    io = e.get("involvedObject") or {}
    last = e.get("lastTimestamp") or e.get("eventTime") or _meta(e).get("creationTimestamp")
    return [age(last, now), e.get("type", ""), e.get("reason", ""),
            f"{(io.get('kind') or '').lower()}/{io.get('name', '')}", (e.get("message") or "").strip()]


def _namespace_row(ns, now, wide):
    return [_meta(ns).get("name", ""), _status(ns).get("phase") or "Active", age(_meta(ns).get("creationTimestamp"), now)]


def _lease_row(lease, now, wide):
    return [_meta(lease).get("name", ""), _spec(lease).get("holderIdentity") or "", age(_meta(lease).get("creationTimestamp"), now)]


def _configmap_row(cm, now, wide):
    return [_meta(cm).get("name", ""), str(len(cm.get("data") or {}) + len(cm.get("binaryData") or {})),
            age(_meta(cm).get("creationTimestamp"), now)]


def _secret_row(secret, now, wide):
    return [_meta(secret).get("name", ""), secret.get("type") or "Opaque", str(len(secret.get("data") or {})),
            age(_meta(secret).get("creationTimestamp"), now)]


def _quantity(v: Any) -> str:
    from kubekit.api.quantity import Quantity

    try:
        return str(Quantity.from_manifest(v))
    except (ValueError, TypeError):
        return str(v)


def _hpa_target(spec: Mapping[str, Any], status: Mapping[str, Any] | None) -> str:
    """One metric of kubectl's ``formatHPAMetrics`` (``cpu: 40%/50%``, ``20/10``,
    ``<unknown>/100 (avg)``)."""
    kind = spec.get("type")
    member = {"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods",
              "Object": "object", "External": "external"}.get(str(kind))
    if member is None:
        return "<unknown type>"
    src = spec.get(member) or {}
    target = src.get("target") or {}
    cur = ((status or {}).get(member) or {}).get("current") if status and status.get("type") == kind else None
    if kind in ("Resource", "ContainerResource"):
        name = src.get("name", "")
        if target.get("averageValue") is not None:
            now = _quantity(cur["averageValue"]) if cur and cur.get("averageValue") is not None else "<unknown>"
            return f"{name}: {now}/{_quantity(target['averageValue'])}"
        now = f"{cur['averageUtilization']}%" if cur and cur.get("averageUtilization") is not None else "<unknown>"
        want = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
        return f"{name}: {now}/{want}"
    if kind == "Pods" or target.get("averageValue") is not None:
        now = _quantity(cur["averageValue"]) if cur and cur.get("averageValue") is not None else "<unknown>"
        avg = " (avg)" if kind != "Pods" else ""
        return f"{now}/{_quantity(target.get('averageValue'))}{avg}"
    now = _quantity(cur["value"]) if cur and cur.get("value") is not None else "<unknown>"
    return f"{now}/{_quantity(target.get('value'))}"


def hpa_targets(hpa: Mapping[str, Any]) -> str:
    """kubectl's TARGETS column: at most two metrics, then ``+ N more...``."""
    specs = _spec(hpa).get("metrics") or []
    if not specs:
        return "<none>"
    statuses = _status(hpa).get("currentMetrics") or []
    shown = [_hpa_target(s, statuses[i] if i < len(statuses) else None) for i, s in enumerate(specs)]
    text = ", ".join(shown[:2])
    return f"{text} + {len(shown) - 2} more..." if len(shown) > 2 else text


def _hpa_row(hpa, now, wide):
    ref = _spec(hpa).get("scaleTargetRef") or {}
    mn = _spec(hpa).get("minReplicas")
    return [_meta(hpa).get("name", ""), f"{ref.get('kind', '')}/{ref.get('name', '')}", hpa_targets(hpa),
            "<unset>" if mn is None else str(mn), str(_spec(hpa).get("maxReplicas", 0)),
            str(_status(hpa).get("currentReplicas", 0)), age(_meta(hpa).get("creationTimestamp"), now)]


# -- storage (kubectl's printPersistentVolume, printPersistentVolumeClaim, printStorageClass) ----
def access_modes_string(modes: Sequence[str] | None) -> str:
    """``GetAccessModesAsString``: ``RWO,ROX,RWX,RWOP`` in that order, each once."""
    modes = modes or ()
    return ",".join(short for mode, short in (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"),
                                              ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP"))
                    if mode in modes)


def _storage_class_of(o: Mapping[str, Any]) -> str:
    ann = _meta(o).get("annotations") or {}
    return ann.get("volume.beta.kubernetes.io/storage-class", _spec(o).get("storageClassName") or "")


def _pv_row(pv, now, wide):
    spec = _spec(pv)
    ref = spec.get("claimRef")
    claim = f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref else ""
    cap = (spec.get("capacity") or {}).get("storage")
    phase = "Terminating" if _meta(pv).get("deletionTimestamp") else _status(pv).get("phase") or ""
    row = [_meta(pv).get("name", ""), _quantity(cap) if cap is not None else "0",
           access_modes_string(spec.get("accessModes")), spec.get("persistentVolumeReclaimPolicy") or "", phase,
           claim, _storage_class_of(pv), spec.get("volumeAttributesClassName") or "<unset>",
           _status(pv).get("reason") or "", age(_meta(pv).get("creationTimestamp"), now)]
    if wide:
        row.append(spec.get("volumeMode") or "<unset>")
    return row


def _pvc_row(pvc, now, wide):
    spec = _spec(pvc)
    phase = "Terminating" if _meta(pvc).get("deletionTimestamp") else _status(pvc).get("phase") or ""
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = access_modes_string(_status(pvc).get("accessModes"))
        cap = (_status(pvc).get("capacity") or {}).get("storage")
        capacity = _quantity(cap) if cap is not None else "0"
    row = [_meta(pvc).get("name", ""), phase, spec.get("volumeName") or "", capacity, modes, _storage_class_of(pvc),
           spec.get("volumeAttributesClassName") or "<unset>", age(_meta(pvc).get("creationTimestamp"), now)]
    if wide:
        row.append(spec.get("volumeMode") or "<unset>")
    return row


def _storage_class_row(sc, now, wide):
    ann = _meta(sc).get("annotations") or {}
    default = "true" in (ann.get("storageclass.kubernetes.io/is-default-class"),
                         ann.get("storageclass.beta.kubernetes.io/is-default-class"))
    return [_meta(sc).get("name", "") + (" (default)" if default else ""), sc.get("provisioner") or "",
            sc.get("reclaimPolicy") or "Delete", sc.get("volumeBindingMode") or "Immediate",
            "true" if sc.get("allowVolumeExpansion") else "false", age(_meta(sc).get("creationTimestamp"), now)]


_COLUMNS: dict[str, tuple[list[str], list[str], Callable[[Any, float, bool], Row]]] = {
    "Pod": (["NAME", "READY", "STATUS", "RESTARTS", "AGE"], ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"], _pod_row),
    "Node": (["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
             ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"], _node_row),
    "Deployment": (["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], ["CONTAINERS", "IMAGES", "SELECTOR"],
                   _deployment_row),
    "ReplicaSet": (["NAME", "DESIRED", "CURRENT", "READY", "AGE"], ["CONTAINERS", "IMAGES", "SELECTOR"], _replicaset_row),
    "Event": (["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"], [], _event_row),
    "Namespace": (["NAME", "STATUS", "AGE"], [], _namespace_row),
    "Lease": (["NAME", "HOLDER", "AGE"], [], _lease_row),
    "ConfigMap": (["NAME", "DATA", "AGE"], [], _configmap_row),
    "Secret": (["NAME", "TYPE", "DATA", "AGE"], [], _secret_row),
    "HorizontalPodAutoscaler": (["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"], [],
                                _hpa_row),
    "PersistentVolume": (["NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS",
                          "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"], ["VOLUMEMODE"], _pv_row),
    "PersistentVolumeClaim": (["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS",
                               "VOLUMEATTRIBUTESCLASS", "AGE"], ["VOLUMEMODE"], _pvc_row),
    "StorageClass": (["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"], [],
                     _storage_class_row),
}


def columns(kind: str, *, wide: bool = False, all_namespaces: bool = False) -> list[str]:
    base, extra, _ = _COLUMNS[kind]
    return (["NAMESPACE"] if all_namespaces else []) + base + (extra if wide else [])


def table_for(kind: str, objects: Sequence[Mapping[str, Any]], now: float, *, wide: bool = False,
              all_namespaces: bool = False) -> Table:
    _, _, row = _COLUMNS[kind]
    rows = [([_meta(o).get("namespace", "")] if all_namespaces else []) + row(o, now, wide) for o in objects]
    return Table(columns(kind, wide=wide, all_namespaces=all_namespaces), rows)
