"""``describe`` output, laid out like kubectl's.  Pure: objects (and their
events) in, text out."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from kubekit.kubectl.age import age, human_duration, parse_time
from kubekit.kubectl.tables import Table, render, selector_string

__all__ = ["describe_pod", "describe_object", "events_section", "event_age"]


def _fmt_time(ts: str | None) -> str:
    t = parse_time(ts)
    return "<unknown>" if t is None else time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(t))


def _map_lines(label: str, values: Mapping[str, Any] | None, width: int, sep: str = "=") -> list[str]:
    items = sorted((values or {}).items())
    if not items:
        return [f"{label:<{width}}<none>"]
    out = []
    for i, (k, v) in enumerate(items):
        out.append(f"{label if i == 0 else '':<{width}}{k}{sep}{v}")
    return out


def _aligned(values: Mapping[str, Any], indent: str) -> list[str]:
    """``cpu:     100m`` / ``memory:  64Mi``: values aligned two spaces after the longest key."""
    width = max(len(k) for k in values) + 3
    return [f"{indent}{k + ':':<{width}}{v}" for k, v in sorted(values.items())]


def event_age(e: Mapping[str, Any], now: float) -> str:
    """kubectl describe's Age column: ``10s``, or ``3m (x5 over 10m)`` for repeats."""
    first = e.get("firstTimestamp") or e.get("eventTime") or (e.get("metadata") or {}).get("creationTimestamp")
    last = e.get("lastTimestamp") or first
    count = int(e.get("count") or 1)
    if count > 1:
        return f"{age(last, now)} (x{count} over {age(first, now)})"
    return age(first, now)


def events_section(events: Sequence[Mapping[str, Any]], now: float) -> list[str]:
    if not events:
        return ["Events:  <none>"]
    rows = []
    for e in events:
        src = e.get("source") or {}
        frm = src.get("component") or e.get("reportingComponent") or ""
        if src.get("host"):
            frm += f", {src['host']}"
        rows.append([e.get("type", ""), e.get("reason", ""), event_age(e, now), frm, (e.get("message") or "").strip()])
    header = ["Type", "Reason", "Age", "From", "Message"]
    table = render(Table(header, [["----", "------", "----", "----", "-------"]] + rows), gap=2)
    return ["Events:"] + ["  " + line for line in table.splitlines()]


def _container_lines(c: Mapping[str, Any], status: Mapping[str, Any] | None) -> list[str]:
    w = 20
    out = [f"  {c.get('name', '')}:", f"    {'Image:':<{w}}{c.get('image', '')}"]
    ports = c.get("ports") or []
    out.append(f"    {'Port:':<{w}}" + (", ".join(f"{p.get('containerPort')}/{p.get('protocol', 'TCP')}" for p in ports)
                                       or "<none>"))
    out.append(f"    {'Host Port:':<{w}}" + (", ".join(f"{p.get('hostPort', 0)}/{p.get('protocol', 'TCP')}"
                                                       for p in ports) or "<none>"))
    if c.get("command"):
        out.append(f"    {'Command:':<{w}}" + " ".join(map(str, c["command"])))
    if c.get("args"):
        out.append(f"    {'Args:':<{w}}" + " ".join(map(str, c["args"])))
    if status is not None:
        state = status.get("state") or {}
        if "running" in state:
            out.append(f"    {'State:':<{w}}Running")
            out.append(f"      {'Started:':<{w - 2}}{_fmt_time(state['running'].get('startedAt'))}")
        elif "waiting" in state:
            out.append(f"    {'State:':<{w}}Waiting")
            out.append(f"      {'Reason:':<{w - 2}}{state['waiting'].get('reason', '')}")
        elif "terminated" in state:
            t = state["terminated"]
            out.append(f"    {'State:':<{w}}Terminated")
            out.append(f"      {'Reason:':<{w - 2}}{t.get('reason', '')}")
            out.append(f"      {'Exit Code:':<{w - 2}}{t.get('exitCode', '')}")
        out.append(f"    {'Ready:':<{w}}{'True' if status.get('ready') else 'False'}")
        out.append(f"    {'Restart Count:':<{w}}{status.get('restartCount', 0)}")
    else:
        out.append(f"    {'State:':<{w}}Waiting")
    res = c.get("resources") or {}
    for label in ("limits", "requests"):
        if res.get(label):
            out.append(f"    {label.capitalize()}:")
            out += _aligned(res[label], "      ")
    env = c.get("env") or []
    if env:
        out.append("    Environment:")
        out += [f"      {e.get('name')}:  {e.get('value', '<set from a source>')}" for e in env]
    else:
        out.append(f"    {'Environment:':<{w}}<none>")
    return out


def _qos(pod: Mapping[str, Any]) -> str:
    st = (pod.get("status") or {}).get("qosClass")
    if st:
        return st
    reqs = lims = 0
    guaranteed = True
    cs = (pod.get("spec") or {}).get("containers") or []
    for c in cs:
        r = c.get("resources") or {}
        reqs += len(r.get("requests") or {})
        lims += len(r.get("limits") or {})
        if not all(k in (r.get("limits") or {}) for k in ("cpu", "memory")):
            guaranteed = False
        elif any((r.get("requests") or {}).get(k, r["limits"][k]) != r["limits"][k] for k in ("cpu", "memory")):
            guaranteed = False
    if not reqs and not lims:
        return "BestEffort"
    return "Guaranteed" if guaranteed and cs else "Burstable"


def describe_pod(pod: Mapping[str, Any], events: Sequence[Mapping[str, Any]], now: float) -> str:
    m, spec, st = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    w = 18
    lines = [f"{'Name:':<{w}}{m.get('name', '')}", f"{'Namespace:':<{w}}{m.get('namespace', '')}",
             f"{'Priority:':<{w}}{spec.get('priority', 0)}"]
    if spec.get("priorityClassName"):
        lines.append(f"{'Priority Class Name:':<{w}}{spec['priorityClassName']}")
    lines.append(f"{'Service Account:':<{w}}{spec.get('serviceAccountName') or 'default'}")
    node = spec.get("nodeName")
    lines.append(f"{'Node:':<{w}}" + (f"{node}/{st.get('hostIP', '')}" if node else "<none>"))
    if st.get("startTime"):
        lines.append(f"{'Start Time:':<{w}}{_fmt_time(st.get('startTime'))}")
    lines += _map_lines("Labels:", m.get("labels"), w)
    lines += _map_lines("Annotations:", m.get("annotations"), w, sep=": ")
    if m.get("deletionTimestamp"):
        lines.append(f"{'Status:':<{w}}Terminating (lasts {human_duration(now - (parse_time(m['deletionTimestamp']) or now))})")
        lines.append(f"{'Termination Grace Period:':<{w}}{m.get('deletionGracePeriodSeconds', 30)}s")
    else:
        lines.append(f"{'Status:':<{w}}{st.get('phase', 'Unknown')}")
    if st.get("reason"):
        lines.append(f"{'Reason:':<{w}}{st['reason']}")
    if st.get("message"):
        lines.append(f"{'Message:':<{w}}{st['message']}")
    lines.append(f"{'IP:':<{w}}{st.get('podIP', '')}")
    ips = st.get("podIPs") or ([{"ip": st["podIP"]}] if st.get("podIP") else [])
    lines.append("IPs:" if ips else f"{'IPs:':<{w}}<none>")
    lines += [f"  IP:  {i.get('ip')}" for i in ips]
    ctrl = next((r for r in m.get("ownerReferences") or () if r.get("controller")), None)
    if ctrl:
        lines.append(f"{'Controlled By:':<{w}}{ctrl.get('kind')}/{ctrl.get('name')}")
    statuses = {c.get("name"): c for c in st.get("containerStatuses") or ()}
    lines.append("Containers:")
    for c in spec.get("containers") or ():
        lines += _container_lines(c, statuses.get(c.get("name")))
    conds = st.get("conditions") or []
    if conds:
        lines.append("Conditions:")
        lines += ["  " + line for line in render(Table(["Type", "Status"],
                                                       [[c.get("type", ""), c.get("status", "")] for c in conds]),
                                                 gap=2).splitlines()]
    lines.append(f"{'QoS Class:':<{w}}{_qos(pod)}")
    lines += _map_lines("Node-Selectors:", spec.get("nodeSelector"), w)
    tols = spec.get("tolerations") or []
    if tols:
        for i, t in enumerate(tols):
            txt = t.get("key", "") + (f"={t['value']}" if t.get("value") else "") + (f":{t['effect']}" if t.get("effect") else "")
            if t.get("operator") == "Exists" and not t.get("key"):
                txt = "op=Exists"
            elif t.get("operator") == "Exists":
                txt += " op=Exists"
            if t.get("tolerationSeconds") is not None:
                txt += f" for {t['tolerationSeconds']}s"
            lines.append(f"{'Tolerations:' if i == 0 else '':<{w}}{txt}")
    else:
        lines.append(f"{'Tolerations:':<{w}}<none>")
    lines += events_section(events, now)
    return "\n".join(lines)


def data_section(obj: Mapping[str, Any]) -> list[str]:
    """kubectl's ConfigMap (values) and Secret (type, sizes only) sections."""
    import base64

    if obj.get("kind") == "Secret":
        data = obj.get("data") or {}
        lines = ["", f"Type:  {obj.get('type') or 'Opaque'}", "", "Data", "===="]
        width = max((len(k) for k in data), default=0) + 3      # "key:" and two spaces, as kubectl's tabwriter
        for k in sorted(data):
            lines.append(f"{k + ':':<{width}}{len(base64.b64decode(data[k] or ''))} bytes")
        return lines
    lines = ["", "Data", "===="]
    for k, v in sorted((obj.get("data") or {}).items()):
        lines += [f"{k}:", "----", str(v), ""]
    lines += ["", "BinaryData", "===="]
    for k, v in sorted((obj.get("binaryData") or {}).items()):
        lines.append(f"{k}: {len(base64.b64decode(v or ''))} bytes")
    return lines


def describe_object(obj: Mapping[str, Any], events: Sequence[Mapping[str, Any]], now: float) -> str:
    """The generic layout (nodes, deployments, replica sets...): identity,
    labels, annotations, the most useful spec/status fields, then events."""
    m, spec, st = obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}
    w = 24
    lines = [f"{'Name:':<{w}}{m.get('name', '')}"]
    if m.get("namespace"):
        lines.append(f"{'Namespace:':<{w}}{m['namespace']}")
    lines.append(f"{'CreationTimestamp:':<{w}}{_fmt_time(m.get('creationTimestamp'))}")
    lines += _map_lines("Labels:", m.get("labels"), w)
    lines += _map_lines("Annotations:", m.get("annotations"), w, sep=": ")
    kind = obj.get("kind")
    if kind in ("Deployment", "ReplicaSet"):
        lines.append(f"{'Selector:':<{w}}{selector_string(spec.get('selector'))}")
        if kind == "Deployment":
            lines.append(f"{'Replicas:':<{w}}{spec.get('replicas', 1)} desired | {st.get('updatedReplicas', 0)} updated"
                         f" | {st.get('replicas', 0)} total | {st.get('availableReplicas', 0)} available"
                         f" | {st.get('unavailableReplicas', 0)} unavailable")
            strategy = spec.get("strategy") or {}
            lines.append(f"{'StrategyType:':<{w}}{strategy.get('type', 'RollingUpdate')}")
            ru = strategy.get("rollingUpdate") or {}
            if ru:
                lines.append(f"{'RollingUpdateStrategy:':<{w}}{ru.get('maxUnavailable', '25%')} max unavailable, "
                             f"{ru.get('maxSurge', '25%')} max surge")
        else:
            lines.append(f"{'Replicas:':<{w}}{st.get('replicas', 0)} current / {spec.get('replicas', 1)} desired")
        cs = ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
        lines.append("Pod Template:")
        lines += _map_lines("  Labels:", ((spec.get("template") or {}).get("metadata") or {}).get("labels"), w)
        lines.append("  Containers:")
        for c in cs:
            lines += ["  " + line for line in _container_lines(c, None) if "State:" not in line]
    if kind == "Node":
        lines.append(f"{'Unschedulable:':<{w}}{'true' if spec.get('unschedulable') else 'false'}")
        taints = spec.get("taints") or []
        lines.append(f"{'Taints:':<{w}}" + (", ".join(f"{t.get('key')}={t.get('value', '')}:{t.get('effect')}" for t in taints)
                                            or "<none>"))
        for label in ("capacity", "allocatable"):
            if st.get(label):
                lines.append(f"{label.capitalize()}:")
                lines += _aligned(st[label], "  ")
    if kind in ("ConfigMap", "Secret"):
        lines += data_section(obj)
    conds = st.get("conditions") or []
    if conds:
        lines.append("Conditions:")
        rows = [[c.get("type", ""), c.get("status", ""), c.get("reason", "")] for c in conds]
        lines += ["  " + line for line in render(Table(["Type", "Status", "Reason"], rows), gap=2).splitlines()]
    lines += events_section(events, now)
    return "\n".join(lines)
