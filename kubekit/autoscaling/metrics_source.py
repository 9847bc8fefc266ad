"""Where the HPA controller reads metrics: upstream's ``MetricsClient``
(``pkg/controller/podautoscaler/metrics/interfaces.go``) as a small interface,
and the sources kubekit has.

:class:`MetricsSource` has upstream's four calls:

* :meth:`~MetricsSource.resource_metrics` — ``GetResourceMetric``: the usage
  of ``cpu`` or ``memory`` of every pod matching a selector in a namespace
  (summed over the pod's containers, or of one container for a
  ContainerResource metric), what metrics-server serves;
* :meth:`~MetricsSource.pods_metric` — ``GetRawMetric``: a custom metric per
  pod (``custom.metrics.k8s.io``);
* :meth:`~MetricsSource.object_metric` — ``GetObjectMetric``: a custom metric
  describing one object;
* :meth:`~MetricsSource.external_metric` — ``GetExternalMetric``: the values
  of an external metric (``external.metrics.k8s.io``).

**Units.** A resource value is **cpu in milli-cores** and **memory in bytes**
(a :class:`ResourceValue`); Pods, Object and External values are milli-units
(``Quantity.MilliValue()``, what upstream's clients return).  A pod without a
metric is simply absent from the answer: the decision functions treat it as
missing.  A failed call raises :class:`MetricsUnavailable`, whose text the
controller reports as upstream reports the client's error.

Sources:

* :class:`FleetMetrics` — the usage of a :class:`~kubekit.node.simulated.SimulatedFleet`;
* :class:`AgentMetrics` — the real node agent's cgroup samples
  (:class:`~kubekit.server.metrics.MetricsSampler`), with metrics-server's
  semantics;
* :class:`StaticMetrics` — settable Pods/Object/External values: what a
  custom-metrics adapter (prometheus-adapter, KEDA) would serve;
* :class:`CombinedMetrics` — several sources merged (one real node plus
  simulated ones).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple, Protocol, runtime_checkable

from kubekit._fast._records import new_tuple
from kubekit.errors import KubekitError
from kubekit.store.selectors import EVERYTHING, LabelSelector

__all__ = [
    "AgentMetrics",
    "CombinedMetrics",
    "FleetMetrics",
    "MetricsSource",
    "MetricsUnavailable",
    "ObjectRef",
    "ResourceValue",
    "StaticMetrics",
    "select_pods",
]

#: metrics-server's default ``--metric-resolution`` (the window it reports).
DEFAULT_WINDOW = 15.0


class MetricsUnavailable(KubekitError):
    """A metrics call failed; the message is what the metrics API said
    (``no metrics returned from resource metrics API``...)."""


class ResourceValue(NamedTuple):    # a NamedTuple: one per pod per query, cheap to build
    """One pod's resource usage: ``value`` is cpu milli-cores or memory bytes;
    ``timestamp`` (Unix seconds) and ``window`` (seconds) are the sample's, as
    a ``PodMetrics`` item reports them."""

    value: int
    timestamp: float
    window: float


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """``CrossVersionObjectReference``: the object an Object metric describes."""

    kind: str
    name: str
    api_version: str = ""


@runtime_checkable
class MetricsSource(Protocol):
    def resource_metrics(self, resource: str, namespace: str, selector: LabelSelector,
                         container: str = "") -> dict[str, ResourceValue]:
        """``pod name -> value`` for the pods of ``namespace`` matching
        ``selector``; raises :class:`MetricsUnavailable` when there is no item
        at all (upstream: ``no metrics returned from resource metrics API``)."""

    def pods_metric(self, metric: str, namespace: str, selector: LabelSelector,
                    metric_selector: LabelSelector = EVERYTHING) -> tuple[dict[str, int], float]:
        """``(pod name -> milli-value, timestamp)``."""

    def object_metric(self, metric: str, namespace: str, ref: ObjectRef,
                      metric_selector: LabelSelector = EVERYTHING) -> tuple[int, float]:
        """``(milli-value, timestamp)``."""

    def external_metric(self, metric: str, namespace: str,
                        metric_selector: LabelSelector = EVERYTHING) -> tuple[list[int], float]:
        """``(milli-values, timestamp)``."""


PodLookup = Callable[[str], "dict | None"]


def select_pods(keys: Iterable[str], namespace: str, selector: LabelSelector,
                lookup: PodLookup) -> Iterable[tuple[str, str]]:
    """``(key, name)`` of the pod keys (``ns/name``) in ``namespace`` whose
    labels (read with ``lookup(key)``) match ``selector``.  Pure."""
    prefix = namespace + "/"
    for key in keys:
        if not key.startswith(prefix):
            continue
        if not selector.empty:
            pod = lookup(key)
            if pod is None or not selector.matches(pod["metadata"].get("labels")):
                continue
        yield key, key[len(prefix):]


def _selected_name(key: str, namespace: str, selector: LabelSelector, lookup: PodLookup) -> str | None:
    """The pod's name if :func:`select_pods` selects ``key``, else None."""
    for _, name in select_pods((key,), namespace, selector, lookup):
        return name
    return None


class _NoCustomMetrics:
    """The custom and external calls of a source that serves resource metrics only."""

    def pods_metric(self, metric, namespace, selector, metric_selector=EVERYTHING):
        raise MetricsUnavailable(f'the server could not find the metric {metric} for pods')

    def object_metric(self, metric, namespace, ref, metric_selector=EVERYTHING):
        raise MetricsUnavailable(f'the server could not find the metric {metric} for {ref.kind.lower()}s')

    def external_metric(self, metric, namespace, metric_selector=EVERYTHING):
        raise MetricsUnavailable("the server could not find the requested resource")


def _no_items() -> MetricsUnavailable:
    return MetricsUnavailable("no metrics returned from resource metrics API")


class FleetMetrics(_NoCustomMetrics):
    """Resource metrics of a :class:`~kubekit.node.simulated.SimulatedFleet`:
    its ``usage()`` (cpu milli, memory bytes per running pod), stamped with the
    fleet clock's ``now()`` and reported over ``window`` seconds.

    A simulated pod has no containers of its own, so a ContainerResource query
    gets the whole pod's usage when the pod has a container of that name (and
    nothing otherwise).  One ``usage()`` snapshot serves every query made at
    the same clock instant (a control loop asks once per HPA).

    When the fleet's ``pods`` is an informer (it has ``add_handler``), which
    pod keys a selector takes in a namespace is remembered until a pod of
    that namespace is added, changed or deleted (its informer events count
    the namespace's changes); a plain mapping is matched at every query."""

    def __init__(self, fleet, *, window: float = DEFAULT_WINDOW) -> None:
        self.fleet, self.window = fleet, window
        self._at: float | None = None
        self._by_ns: dict[str, dict[str, tuple[int, int]]] = {}
        self._changes: dict[str, int] | None = None           # namespace -> pod events seen (a version)
        # (namespace, id(selector)) -> (the namespace's version, pod key -> name if selected, else None,
        # the selector)
        self._selected: dict[tuple[str, int], tuple[int, dict[str, str | None], LabelSelector]] = {}
        add_handler = getattr(fleet.pods, "add_handler", None)
        if add_handler is not None:
            self._changes = {}
            add_handler(self._pod_changed, lambda _old, new: self._pod_changed(new), self._pod_changed)

    def _pod_changed(self, pod: dict) -> None:
        ns = pod["metadata"].get("namespace") or ""
        changes = self._changes
        changes[ns] = changes.get(ns, 0) + 1      # type: ignore[index]

    def _selection(self, namespace: str, selector: LabelSelector) -> dict[str, str | None] | None:
        """The remembered ``key -> name or None`` of ``selector`` in
        ``namespace`` (empty when the namespace changed since), or None when
        pods are not tracked."""
        if self._changes is None:
            return None
        version = self._changes.get(namespace, 0)
        # keyed by the selector object (an HPA parses its selector text once):
        # a frozen LabelSelector's hash and equality are Python-level
        # dataclass methods, where its identity is one comparison; the entry
        # holds the selector, so its id is not reused while it lives
        key = (namespace, id(selector))
        hit = self._selected.get(key)
        if hit is not None and hit[0] == version and hit[2] is selector:
            return hit[1]
        memo: dict[str, str | None] = {}
        if len(self._selected) >= 4096:
            self._selected.clear()
        self._selected[key] = (version, memo, selector)
        return memo

    def _snapshot(self, namespace: str) -> dict[str, tuple[int, int]]:
        """The namespace's usage at this clock instant (asked of the fleet once per instant)."""
        now = self.fleet.clock.monotonic()
        if self._at != now:
            self._by_ns, self._at = {}, now
        usage = self._by_ns.get(namespace)
        if usage is None:
            usage = self._by_ns[namespace] = self.fleet.usage(namespace)
        return usage

    def resource_metrics(self, resource, namespace, selector, container=""):
        index = 0 if resource == "cpu" else 1 if resource == "memory" else None
        usage = self._snapshot(namespace)
        stamp = self.fleet.clock.now()
        out: dict[str, ResourceValue] = {}
        lookup, window = self.fleet.pods.get, self.window
        memo = self._selection(namespace, selector)
        if memo is None:
            selected = list(select_pods(usage, namespace, selector, lookup))
        elif index is not None and not container:
            # the common query, in one pass: select_pods' answer for each key
            # (decided once per version of the namespace), and its value
            for key, values in usage.items():
                name = memo.get(key, False)
                if name is False:
                    name = memo[key] = _selected_name(key, namespace, selector, lookup)
                if name is not None:
                    out[name] = new_tuple(ResourceValue, (int(values[index]), stamp, window))
            if not out:                  # keys are ns/name: every selected pod has its own entry
                raise _no_items()
            return out
        else:
            selected = []
            for key in usage:
                name = memo.get(key, False)
                if name is False:
                    name = memo[key] = _selected_name(key, namespace, selector, lookup)
                if name is not None:
                    selected.append((key, name))
        if not selected:
            raise _no_items()
        if index is None:
            return out
        for key, name in selected:
            if container:
                names = [c.get("name") for c in ((lookup(key) or {}).get("spec") or {}).get("containers") or ()]
                if container not in names:
                    continue
            out[name] = new_tuple(ResourceValue, (int(usage[key][index]), stamp, window))
        return out


class AgentMetrics(_NoCustomMetrics):
    """Resource metrics of the real node agent, as metrics-server computes
    them from the last two samples of a :class:`~kubekit.server.metrics.MetricsSampler`:
    cpu is the rate between them (nanocores, reported here rounded up to
    milli-cores as ``Quantity.MilliValue()`` rounds), memory the working set
    of the newer one; ``timestamp`` is the newer sample's wall time and
    ``window`` their interval.  ``pods`` finds a pod's labels by key (an
    :class:`~kubekit.controllers.informer.Informer`, or any mapping)."""

    def __init__(self, sampler, *, pods) -> None:
        self.sampler, self.pods = sampler, pods

    def resource_metrics(self, resource, namespace, selector, container=""):
        from kubekit.server.metrics import usage_between

        window = self.sampler.window()
        if window is None:
            raise _no_items()
        prev, cur = window
        usage = usage_between(prev, cur)
        out: dict[str, ResourceValue] = {}
        found = False
        for key, name in select_pods(usage, namespace, selector, self.pods.get):
            found = True
            value = _container_value(usage[key].containers, resource, container)
            if value is not None:
                out[name] = ResourceValue(value, cur.wall, cur.time - prev.time)
        if not found:
            raise _no_items()
        return out


def _container_value(containers, resource: str, container: str) -> int | None:
    """cpu milli-cores (nanocores rounded up) or memory bytes, summed over the
    containers, or of the one named ``container`` (None if absent)."""
    if container:
        containers = [c for c in containers if c.name == container]
        if not containers:
            return None
    if resource == "cpu":
        return sum(-(-c.nanocores // 1_000_000) for c in containers)
    if resource == "memory":
        return sum(c.memory_bytes for c in containers)
    return None


class StaticMetrics:
    """Settable custom and external metrics, what a custom-metrics adapter
    (prometheus-adapter, KEDA's metrics server) would serve: set the values
    and the controller reads them at its next sync.  Values are milli-units
    (``set_pods_metric("ns", "qps", {"web-1": 20_000})`` is 20 qps);
    ``timestamp`` defaults to the clock's ``now()`` at the time of the read.
    It serves no resource metrics (combine it with a resource source)."""

    def __init__(self, clock) -> None:
        self.clock = clock
        self._pods: dict[tuple[str, str], dict[str, int]] = {}
        self._objects: dict[tuple[str, str, str, str], int] = {}
        self._external: dict[tuple[str, str], list[int]] = {}

    def set_pods_metric(self, namespace: str, metric: str, values: Mapping[str, int]) -> None:
        self._pods[(namespace, metric)] = dict(values)

    def set_object_metric(self, namespace: str, metric: str, ref: ObjectRef, value: int) -> None:
        self._objects[(namespace, metric, ref.kind, ref.name)] = int(value)

    def set_external_metric(self, namespace: str, metric: str, values: Iterable[int]) -> None:
        self._external[(namespace, metric)] = [int(v) for v in values]

    def resource_metrics(self, resource, namespace, selector, container=""):
        raise _no_items()

    def pods_metric(self, metric, namespace, selector, metric_selector=EVERYTHING):
        values = self._pods.get((namespace, metric))
        if values is None:
            raise MetricsUnavailable(f"the server could not find the metric {metric} for pods")
        return dict(values), self.clock.now()

    def object_metric(self, metric, namespace, ref, metric_selector=EVERYTHING):
        value = self._objects.get((namespace, metric, ref.kind, ref.name))
        if value is None:
            raise MetricsUnavailable(f"the server could not find the metric {metric} for {ref.kind.lower()}s "
                                     f"{ref.name}")
        return value, self.clock.now()

    def external_metric(self, metric, namespace, metric_selector=EVERYTHING):
        values = self._external.get((namespace, metric))
        if values is None:
            raise MetricsUnavailable("the server could not find the requested resource")
        return list(values), self.clock.now()


class CombinedMetrics:
    """Several sources as one: resource and Pods metrics are the union of
    what each source has (a pod reported by two keeps the first source's
    value); Object and External metrics come from the first source that has
    them.  A call fails only when every source failed (with the first error)."""

    def __init__(self, *sources: MetricsSource) -> None:
        if not sources:
            raise ValueError("CombinedMetrics needs at least one source")
        self.sources = sources

    def _merged(self, call: Callable[[MetricsSource], tuple[dict, float]]) -> tuple[dict, float]:
        out: dict = {}
        stamp: float | None = None
        first: MetricsUnavailable | None = None
        ok = False
        for source in self.sources:
            try:
                values, ts = call(source)
            except MetricsUnavailable as err:
                first = first or err
                continue
            ok = True
            for k, v in values.items():
                out.setdefault(k, v)
            stamp = ts if stamp is None else stamp
        if not ok:
            assert first is not None
            raise first
        return out, stamp if stamp is not None else 0.0

    def _first(self, call):
        first: MetricsUnavailable | None = None
        for source in self.sources:
            try:
                return call(source)
            except MetricsUnavailable as err:
                first = first or err
        assert first is not None
        raise first

    def resource_metrics(self, resource, namespace, selector, container=""):
        values, _ = self._merged(lambda s: (s.resource_metrics(resource, namespace, selector, container), 0.0))
        return values

    def pods_metric(self, metric, namespace, selector, metric_selector=EVERYTHING):
        return self._merged(lambda s: s.pods_metric(metric, namespace, selector, metric_selector))

    def object_metric(self, metric, namespace, ref, metric_selector=EVERYTHING):
        return self._first(lambda s: s.object_metric(metric, namespace, ref, metric_selector))

    def external_metric(self, metric, namespace, metric_selector=EVERYTHING):
        return self._first(lambda s: s.external_metric(metric, namespace, metric_selector))
