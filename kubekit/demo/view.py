"""The demo's terminal view: tables of nodes, pods and the HPA, and one
narrative line per event.

The table functions are pure (objects in, lines out).  :class:`LiveView`
redraws them in place on a terminal; when the output is not a terminal (a
log, CI) it prints the narrative as it happens and a snapshot of the tables
at the end of each step.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from typing import TextIO

from kubekit.api.quantity import Quantity

__all__ = ["LiveView", "event_line", "hpa_lines", "node_lines", "pod_lines"]

# Events worth a narrative line, and how to read them.
NARRATED = {
    "Scheduled", "FailedScheduling", "SuccessfulCreate", "SuccessfulDelete", "Started", "BackOff", "Killing",
    "SuccessfulRescale", "TriggeredScaleUp", "NotTriggerScaleUp", "ScaledUpGroup", "ScaleDown", "ScaleDownEmpty",
    "NodeNotReady", "ScalingReplicaSet", "RemovingNode", "FailedGetResourceMetric",
}


def _milli(text) -> int:
    try:
        return Quantity(str(text)).milli_value()
    except (ValueError, TypeError):
        return 0


def _ready(pod: Mapping) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or ())


def _restarts(pod: Mapping) -> int:
    return sum(int(c.get("restartCount", 0)) for c in (pod.get("status") or {}).get("containerStatuses") or ())


def _requested_cpu(pod: Mapping) -> int:
    return sum(_milli(((c.get("resources") or {}).get("requests") or {}).get("cpu", 0))
               for c in (pod.get("spec") or {}).get("containers") or ())


def node_lines(nodes: Iterable[Mapping], pods: Iterable[Mapping], real: set[str]) -> list[str]:
    """One line per node: real or simulated, cpu requested / allocatable, pods."""
    nodes = sorted(nodes, key=lambda n: (n["metadata"]["name"] not in real, n["metadata"]["name"]))
    by_node: dict[str, list[Mapping]] = {}
    for p in pods:
        node = (p.get("spec") or {}).get("nodeName")
        if node and not p["metadata"].get("deletionTimestamp"):
            by_node.setdefault(node, []).append(p)
    out = [f"{'NODE':22} {'KIND':10} {'CPU REQ/ALLOC':>14} {'PODS':>4}  STATUS"]
    for n in nodes:
        name = n["metadata"]["name"]
        alloc = _milli(((n.get("status") or {}).get("allocatable") or {}).get("cpu", 0))
        req = sum(_requested_cpu(p) for p in by_node.get(name, ()))
        taints = [t["key"] for t in (n.get("spec") or {}).get("taints") or ()]
        status = "SchedulingDisabled" if (n.get("spec") or {}).get("unschedulable") else "Ready"
        if any("ToBeDeleted" in t for t in taints):
            status = "draining"
        out.append(f"{name[:22]:22} {'real' if name in real else 'simulated':10} "
                   f"{f'{req}m/{alloc}m':>14} {len(by_node.get(name, ())):>4}  {status}")
    return out


def pod_lines(pods: Iterable[Mapping], cpu_milli: Mapping[str, int], limit: int = 14) -> list[str]:
    """One line per pod (at most ``limit``): node, phase, ready, restarts, cpu now."""
    rows = sorted(pods, key=lambda p: (p["metadata"].get("namespace", ""), p["metadata"]["name"]))
    out = [f"{'POD':26} {'NODE':22} {'PHASE':9} {'READY':5} {'RESTARTS':>8} {'CPU':>6}"]
    for p in rows[:limit]:
        m = p["metadata"]
        key = f"{m.get('namespace', 'default')}/{m['name']}"
        phase = "Terminating" if m.get("deletionTimestamp") else (p.get("status") or {}).get("phase", "Pending")
        cpu = cpu_milli.get(key)
        out.append(f"{m['name'][:26]:26} {((p.get('spec') or {}).get('nodeName') or '<pending>')[:22]:22} "
                   f"{phase[:9]:9} {'yes' if _ready(p) else 'no':5} {_restarts(p):>8} "
                   f"{'-' if cpu is None else f'{cpu}m':>6}")
    if len(rows) > limit:
        out.append(f"... and {len(rows) - limit} more")
    return out


def hpa_lines(hpas: Iterable[Mapping]) -> list[str]:
    """kubectl's ``get hpa`` view: reference, targets, min/max, replicas."""
    out = [f"{'HPA':10} {'REFERENCE':16} {'TARGETS':14} {'MIN':>3} {'MAX':>3} {'CURRENT':>7} {'DESIRED':>7}"]
    for h in hpas:
        spec, st = h.get("spec") or {}, h.get("status") or {}
        ref = spec.get("scaleTargetRef") or {}
        target = current = "?"
        for m in spec.get("metrics") or ():
            if m.get("type") == "Resource":
                target = f"{(m['resource'].get('target') or {}).get('averageUtilization', '?')}%"
        for m in st.get("currentMetrics") or ():
            if m.get("type") == "Resource":
                cur = (m["resource"].get("current") or {}).get("averageUtilization")
                current = "?" if cur is None else f"{cur}%"
        out.append(f"{h['metadata']['name'][:10]:10} {(ref.get('kind', '') + '/' + ref.get('name', ''))[:16]:16} "
                   f"{current + '/' + target:14} {spec.get('minReplicas', 1):>3} {spec.get('maxReplicas', 0):>3} "
                   f"{st.get('currentReplicas', 0):>7} {st.get('desiredReplicas', 0):>7}")
    return out


def event_line(seconds: float, ev: Mapping) -> str | None:
    """The narrative line for an Event (None for events not narrated)."""
    reason = ev.get("reason", "")
    if reason not in NARRATED:
        return None
    obj = ev.get("involvedObject") or {}
    who = (ev.get("source") or {}).get("component") or ev.get("reportingComponent") or ""
    return f"{seconds:6.1f}s  {obj.get('kind', '').lower()}/{obj.get('name', '')}: {reason} — {ev.get('message', '')} [{who}]"


class LiveView:
    """Narrative lines and tables on ``out`` (see the module docstring)."""

    def __init__(self, out: TextIO, *, live: bool | None = None, keep: int = 14) -> None:
        self.out = out
        self.live = out.isatty() if live is None else live
        self.keep = keep
        self.lines: list[str] = []
        self.title = ""

    def step(self, title: str) -> None:
        self.title = title
        self.say("")
        self.say(f"== {title}")

    def say(self, line: str) -> None:
        self.lines.append(line)
        del self.lines[:-200]
        if not self.live:
            print(line, file=self.out, flush=True)

    def frame(self, tables: list[list[str]]) -> None:
        """Redraw (on a terminal); elsewhere nothing (see :meth:`snapshot`)."""
        if not self.live:
            return
        width = shutil.get_terminal_size((120, 40)).columns
        body = [f"kubekit demo — {self.title or 'starting'}", ""]
        for t in tables:
            body += t + [""]
        body += ["-" * min(width, 100), *self.lines[-self.keep:]]
        self.out.write("\x1b[H\x1b[J" + "\n".join(line[:width] for line in body) + "\n")
        self.out.flush()

    def close(self, tables: list[list[str]]) -> None:
        """On a terminal: leave the last frame and the whole narrative on screen."""
        if self.live:
            self.live = False
            self.out.write("\x1b[H\x1b[J")
            self.snapshot(tables)
            print("\n".join(self.lines), file=self.out, flush=True)

    def snapshot(self, tables: list[list[str]]) -> None:
        """Print the tables once (the non-terminal view, at the end of a step)."""
        if self.live:
            return
        for t in tables:
            print("\n".join("    " + line for line in t), file=self.out, flush=True)
