"""``top pods`` / ``top nodes``: usage from the metrics API
(``metrics.k8s.io/v1beta1``), with kubectl's columns and rounding.  The table
builders are pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kubekit.kubectl.client import APIError
from kubekit.kubectl.context import CommandError, Context
from kubekit.kubectl.tables import Table, render

__all__ = ["cmd_top", "cpu_cell", "memory_cell", "node_table", "pod_table"]

METRICS = "/apis/metrics.k8s.io/v1beta1"
UNKNOWN = "<unknown>"


def _milli(q: Any) -> int:
    from kubekit.api.quantity import Quantity

    return Quantity(str(q if q is not None else "0")).milli_value()


def _value(q: Any) -> int:
    from kubekit.api.quantity import Quantity

    return Quantity(str(q if q is not None else "0")).value()


def cpu_cell(q: Any) -> str:
    """kubectl: ``%vm`` of the milli-value (rounded up, as Quantity.MilliValue)."""
    return f"{_milli(q)}m"


def memory_cell(q: Any) -> str:
    """kubectl: ``%vMi`` of the bytes, rounded down."""
    return f"{_value(q) // (1024 * 1024)}Mi"


def _percent(used: int, available: int) -> str:
    return f"{used * 100 // available}%" if available > 0 else UNKNOWN


def _pod_usage(item: Mapping[str, Any]) -> tuple[int, int]:
    """The pod's usage as kubectl sums it: the containers' quantities added
    exactly, then the cpu's milli-value (rounded up) and the memory's bytes."""
    from kubekit.api.quantity import Quantity

    cpu, mem = Quantity("0"), Quantity("0")
    for c in item.get("containers") or []:
        u = c.get("usage") or {}
        cpu = cpu + Quantity(str(u.get("cpu") or "0"))
        mem = mem + Quantity(str(u.get("memory") or "0"))
    return cpu.milli_value(), mem.value()


def _sorted(items: Sequence[Mapping[str, Any]], sort_by: str | None, usage) -> list:
    if not sort_by:
        return list(items)
    i = {"cpu": 0, "memory": 1}[sort_by]
    return sorted(items, key=lambda it: -usage(it)[i])      # stable: ties keep the API's order


def pod_table(items: Sequence[Mapping[str, Any]], *, all_namespaces: bool = False, containers: bool = False,
              sort_by: str | None = None) -> Table:
    """``NAME CPU(cores) MEMORY(bytes)`` per pod (``-A``: NAMESPACE first;
    ``--containers``: POD, NAME per container)."""
    header = (["NAMESPACE"] if all_namespaces else []) + (["POD", "NAME"] if containers else ["NAME"]) \
        + ["CPU(cores)", "MEMORY(bytes)"]
    rows = []
    for it in _sorted(items, sort_by, _pod_usage):
        m = it.get("metadata") or {}
        ns = [m.get("namespace", "")] if all_namespaces else []
        if containers:
            for c in it.get("containers") or []:
                u = c.get("usage") or {}
                rows.append(ns + [m.get("name", ""), c.get("name", ""), cpu_cell(u.get("cpu")),
                                  memory_cell(u.get("memory"))])
        else:
            cpu, mem = _pod_usage(it)
            rows.append(ns + [m.get("name", ""), f"{cpu}m", f"{mem // (1024 * 1024)}Mi"])
    return Table(header, rows)


def node_table(items: Sequence[Mapping[str, Any]], allocatable: Mapping[str, Mapping[str, Any]],
               sort_by: str | None = None) -> Table:
    """``NAME CPU(cores) CPU% MEMORY(bytes) MEMORY%``: usage against each
    node's allocatable; nodes without metrics last, as ``<unknown>``."""
    def usage(it):
        u = it.get("usage") or {}
        return _milli(u.get("cpu")), _value(u.get("memory"))

    rows = []
    seen = set()
    for it in _sorted(items, sort_by, usage):
        name = (it.get("metadata") or {}).get("name", "")
        seen.add(name)
        cpu, mem = usage(it)
        alloc = allocatable.get(name) or {}
        rows.append([name, f"{cpu}m", _percent(cpu, _milli(alloc.get("cpu"))),
                     f"{mem // (1024 * 1024)}Mi", _percent(mem, _value(alloc.get("memory")))])
    for name in sorted(n for n in allocatable if n not in seen):
        rows.append([name, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN])
    return Table(["NAME", "CPU(cores)", "CPU%", "MEMORY(bytes)", "MEMORY%"], rows)


def _metrics_get(ctx: Context, path: str, **query: Any) -> Any:
    try:
        return ctx.client.get(METRICS + path, **query)
    except APIError as e:
        if e.code == 404 and e.status.get("message") == "the server could not find the requested resource":
            raise CommandError("Metrics API not available") from None
        raise


def _top_pods(ctx: Context, args) -> int:
    ns = None if args.all_namespaces else ctx.namespace
    base = "" if ns is None else f"/namespaces/{ns}"
    q = {"labelSelector": args.selector, "fieldSelector": args.field_selector}
    if args.name:
        items = [_metrics_get(ctx, f"{base}/pods/{args.name}")]
    else:
        items = _metrics_get(ctx, f"{base}/pods", **q).get("items") or []
    if not items:
        pods = ctx.client.get("/api/v1" + base + "/pods", **q).get("items") or []
        if pods:
            raise CommandError("metrics not available yet")
        ctx.warn("No resources found" if ns is None else f"No resources found in {ns} namespace.")
        return 0
    ctx.print(render(pod_table(items, all_namespaces=ns is None, containers=args.containers, sort_by=args.sort_by),
                     header=not args.no_headers))
    return 0


def _top_nodes(ctx: Context, args) -> int:
    if args.name:
        items = [_metrics_get(ctx, f"/nodes/{args.name}")]
        nodes = [ctx.client.get(f"/api/v1/nodes/{args.name}")]
    else:
        items = _metrics_get(ctx, "/nodes", labelSelector=args.selector).get("items") or []
        if not items:
            raise CommandError("metrics not available yet")
        nodes = ctx.client.get("/api/v1/nodes", labelSelector=args.selector).get("items") or []
    alloc = {n["metadata"]["name"]: (n.get("status") or {}).get("allocatable") or {} for n in nodes}
    ctx.print(render(node_table(items, alloc, sort_by=args.sort_by), header=not args.no_headers))
    return 0


def cmd_top(ctx: Context, args) -> int:
    what = args.what
    if what in ("pod", "pods", "po"):
        return _top_pods(ctx, args)
    if what in ("node", "nodes", "no"):
        if args.all_namespaces or args.containers:
            raise CommandError("top nodes: -A and --containers apply to pods only")
        return _top_nodes(ctx, args)
    raise CommandError(f'top: unknown resource {what!r}: expected "pods" or "nodes"')
