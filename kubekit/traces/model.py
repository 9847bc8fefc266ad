"""The common model every trace loader returns.

A :class:`Trace` holds a :class:`NodeTable` and a :class:`PodTable`.  Both are
column tables: one read-only numpy array per field, one row per node or pod,
so that a quarter of a million rows load in well under a second and feed the
packing kernels without copies.  Indexing a table gives a frozen record
(:class:`NodeRecord`, :class:`PodRecord`) for code that wants one object at a
time.

Conventions (the same as the rest of kubekit):

* quantities are exact ``int64`` in the unit the name says: ``cpu_milli``
  (millicores), ``memory_bytes``, ``gpu_milli`` (thousandths of one GPU);
  times are whole seconds from the trace's own origin (``arrival_s``);
* an integer that the trace does not give is :data:`MISSING` (the smallest
  int64, never a valid amount or time) in the columns, and ``None`` in
  records;
* string columns (names, owners, GPU models) are ``object`` arrays of
  ``str`` or ``None``.

Normalized traces (Alibaba 2017/2018, Google 2011) are converted to absolute
units against a stated reference machine; each conversion is recorded as a
:class:`Scale` in ``Trace.scales`` so that the original values can be
recovered (``Scale.to_raw``).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Union, overload

import numpy as np

from kubekit.api.resources import FrozenMap
from kubekit.errors import KubekitError

__all__ = [
    "MISSING", "TraceError", "Scale", "NodeRecord", "PodRecord", "NodeTable", "PodTable", "Trace",
    "GPU_COUNT_RESOURCE", "GPU_MILLI_RESOURCE", "GPU_MODEL_LABEL", "HOSTNAME_LABEL", "uniform_nodes", "present",
]

#: Marks an integer the trace does not give (a pod without a departure time,
#: a node without a pod limit).  It is the smallest int64, so it can never be
#: mistaken for an amount or a time, and sums that forget to mask it go wildly
#: negative instead of being quietly wrong.
MISSING: int = -(2**63)

#: Extended resources and label of Alibaba's OpenB Node manifests
#: (``cluster-trace-gpu-v2023/node_yaml``), used by :meth:`NodeTable.to_nodes`.
GPU_COUNT_RESOURCE = "alibabacloud.com/gpu-count"
GPU_MILLI_RESOURCE = "alibabacloud.com/gpu-milli"
GPU_MODEL_LABEL = "alibabacloud.com/gpu-card-model"
HOSTNAME_LABEL = "kubernetes.io/hostname"


class TraceError(KubekitError, ValueError):
    """A trace file is malformed or a trace table is inconsistent.

    ``path`` is the file (``None`` for a table built in memory), ``line`` the
    1-based line number of the bad row or header (``None`` when the problem is
    the file as a whole, e.g. a missing file), ``message`` what was found and
    what was expected."""

    def __init__(self, path: str | None, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = path if path is not None else "trace"
        if line is not None:
            where = f"{where}, line {line}"
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (TraceError, (self.path, self.line, self.message))


def present(column: np.ndarray) -> np.ndarray:
    """Boolean mask of the rows of an integer column that are not :data:`MISSING`."""
    return column != MISSING


@dataclass(frozen=True, slots=True)
class Scale:
    """How a normalized trace column was made absolute.

    ``raw_full_scale`` in the trace's normalized unit (``1`` when the trace
    normalizes to the largest machine, ``100`` for Alibaba 2018's [0, 100]
    memory) stands for ``reference`` of ``column``'s unit (e.g. bytes).  A raw
    value ``v`` becomes ``round_half_up(v * reference / raw_full_scale)``, so
    ``to_raw`` recovers ``v`` to within half a unit of ``column``."""

    column: str
    raw_columns: str
    raw_full_scale: Fraction
    reference: int
    assumption: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "raw_full_scale", Fraction(self.raw_full_scale))
        if self.raw_full_scale <= 0 or self.reference <= 0:
            raise ValueError(f"scale for {self.column}: full scale and reference must be positive")

    @property
    def factor(self) -> Fraction:
        """Absolute units per raw unit."""
        return Fraction(self.reference) / self.raw_full_scale

    def to_units(self, raw: Fraction | int | str) -> int:
        """A raw normalized value (exact text or fraction) in absolute units."""
        scaled = Fraction(raw) * self.factor
        return int((scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2))

    def to_raw(self, units: int | np.ndarray) -> Any:
        """Absolute units back to the trace's normalized unit (a ``Fraction``
        for an int, ``float64`` for an array)."""
        if isinstance(units, np.ndarray):
            return units.astype(np.float64) * float(self.raw_full_scale) / float(self.reference)
        return Fraction(int(units)) / self.factor

    def describe(self) -> str:
        return (f"{self.column}: {self.raw_columns} normalized, {_fmt_fraction(self.raw_full_scale)} = "
                f"{self.reference:,} ({self.assumption})")


def _fmt_fraction(f: Fraction) -> str:
    return str(f.numerator) if f.denominator == 1 else str(float(f))


# --- columns -------------------------------------------------------------------

# Set while a table builds another from arrays it has just made (take, expand):
# those arrays are fresh, so the constructor adopts them instead of copying.
_FRESH: contextvars.ContextVar[bool] = contextvars.ContextVar("kubekit_traces_fresh", default=False)


def _fresh_table(cls: Any, kw: dict[str, Any]) -> Any:
    token = _FRESH.set(True)
    try:
        return cls(**kw)
    finally:
        _FRESH.reset(token)


def _int_column(table: str, name: str, values: Any, n: int | None, *, allow_missing: bool,
                minimum: int | None = 0) -> np.ndarray:
    arr = np.asarray(values)
    if arr.size == 0:
        arr = arr.astype(np.int64)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise TraceError(None, None, f"{table}.{name} must hold integers, got {arr.dtype}")
    if not (_FRESH.get() and arr.dtype == np.int64 and arr.flags.c_contiguous):
        arr = np.array(arr, dtype=np.int64, copy=True)
    if arr.ndim != 1 or (n is not None and len(arr) != n):
        raise TraceError(None, None, f"{table}.{name} has shape {arr.shape}, expected ({n},)")
    if not allow_missing and len(arr) and int(arr.min()) == MISSING:
        i = int(np.argmin(arr))
        raise TraceError(None, None, f"{table}.{name}[{i}] is MISSING: every row needs a value")
    if minimum is not None and len(arr):
        low = arr[arr != MISSING] if allow_missing else arr
        if len(low) and int(low.min()) < minimum:
            i = int(np.flatnonzero(arr == low.min())[0])
            raise TraceError(None, None, f"{table}.{name}[{i}] = {int(arr[i])}: expected >= {minimum}")
    arr.setflags(write=False)
    return arr


def _object_column(table: str, name: str, values: Any, n: int) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype == object:
        arr = values if _FRESH.get() else values.copy()
    else:
        vals = values.tolist() if isinstance(values, np.ndarray) else list(values)
        arr = np.empty(len(vals), dtype=object)
        for i, v in enumerate(vals):  # element-wise: tuples must stay single cells
            arr[i] = v
    if arr.shape != (n,):
        raise TraceError(None, None, f"{table}.{name} has shape {arr.shape}, expected ({n},)")
    arr.setflags(write=False)
    return arr


def _frozen_extra(table: str, extra: Mapping[str, Any] | None, n: int) -> Mapping[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for key, values in (extra or {}).items():
        arr = values if _FRESH.get() and isinstance(values, np.ndarray) else np.array(values, copy=True)
        if arr.shape != (n,):
            raise TraceError(None, None, f"{table}.extra[{key!r}] has shape {arr.shape}, expected ({n},)")
        arr.setflags(write=False)
        out[key] = arr
    return MappingProxyType(out)


def _none_if_missing(v: Any) -> int | None:
    v = int(v)
    return None if v == MISSING else v


def _select(arr: np.ndarray, index: Any) -> np.ndarray:
    return np.ascontiguousarray(arr[index])


# --- nodes ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class NodeRecord:
    """One node of a trace (``ephemeral_storage_bytes``/``pods`` are ``None``
    when the trace does not give them)."""

    name: str
    cpu_milli: int
    memory_bytes: int
    gpu_count: int
    gpu_model: str | None
    ephemeral_storage_bytes: int | None
    pods: int | None
    labels: Mapping[str, str]


@dataclass(frozen=True, slots=True, eq=False)
class NodeTable:
    """The nodes of a trace as columns (see the module docstring).

    ``gpu_model`` is ``None`` for a node without GPUs; ``labels`` is one
    immutable mapping per node; ``extra`` holds trace-specific columns (e.g.
    Alibaba 2018's ``first_seen_s``), documented by each loader."""

    name: np.ndarray
    cpu_milli: np.ndarray
    memory_bytes: np.ndarray
    gpu_count: np.ndarray | None = None
    gpu_model: np.ndarray | None = None
    ephemeral_storage_bytes: np.ndarray | None = None
    pods: np.ndarray | None = None
    labels: tuple[Mapping[str, str], ...] | None = None
    extra: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        s = object.__setattr__
        n = len(self.name)
        t = "nodes"
        s(self, "name", _object_column(t, "name", self.name, n))
        s(self, "cpu_milli", _int_column(t, "cpu_milli", self.cpu_milli, n, allow_missing=False))
        s(self, "memory_bytes", _int_column(t, "memory_bytes", self.memory_bytes, n, allow_missing=False))
        gpu = self.gpu_count if self.gpu_count is not None else np.zeros(n, dtype=np.int64)
        s(self, "gpu_count", _int_column(t, "gpu_count", gpu, n, allow_missing=False))
        model = self.gpu_model if self.gpu_model is not None else np.full(n, None, dtype=object)
        s(self, "gpu_model", _object_column(t, "gpu_model", model, n))
        for name in ("ephemeral_storage_bytes", "pods"):
            col = getattr(self, name)
            col = col if col is not None else np.full(n, MISSING, dtype=np.int64)
            s(self, name, _int_column(t, name, col, n, allow_missing=True))
        labels = self.labels if self.labels is not None else (FrozenMap(),) * n
        labels = tuple(lb if isinstance(lb, FrozenMap) else FrozenMap(lb) for lb in labels)
        if len(labels) != n:
            raise TraceError(None, None, f"nodes.labels has {len(labels)} entries for {n} nodes")
        s(self, "labels", labels)
        s(self, "extra", _frozen_extra(t, self.extra, n))

    @classmethod
    def empty(cls) -> NodeTable:
        return cls(name=np.empty(0, dtype=object), cpu_milli=np.empty(0, np.int64),
                   memory_bytes=np.empty(0, np.int64))

    def __len__(self) -> int:
        return len(self.name)

    def __repr__(self) -> str:
        return f"NodeTable({len(self)} nodes, extra={sorted(self.extra)})"

    @overload
    def __getitem__(self, index: int) -> NodeRecord: ...
    @overload
    def __getitem__(self, index: slice | Sequence[int] | np.ndarray) -> NodeTable: ...

    def __getitem__(self, index: Any) -> Union[NodeRecord, NodeTable]:
        if isinstance(index, (int, np.integer)):
            i = int(index)
            if not -len(self) <= i < len(self):
                raise IndexError(f"node index {i} out of range for {len(self)} nodes")
            return NodeRecord(
                name=self.name[i], cpu_milli=int(self.cpu_milli[i]), memory_bytes=int(self.memory_bytes[i]),
                gpu_count=int(self.gpu_count[i]), gpu_model=self.gpu_model[i],
                ephemeral_storage_bytes=_none_if_missing(self.ephemeral_storage_bytes[i]),
                pods=_none_if_missing(self.pods[i]), labels=self.labels[i])
        return self.take(index)

    def __iter__(self) -> Iterator[NodeRecord]:
        for i in range(len(self)):
            yield self[i]

    def take(self, index: slice | Sequence[int] | np.ndarray) -> NodeTable:
        """The rows selected by a slice, index array or boolean mask, in that order."""
        idx = np.arange(len(self))[index]
        kw: dict[str, Any] = {
            f.name: _select(getattr(self, f.name), idx) for f in fields(self) if f.name not in ("labels", "extra")}
        kw["labels"] = tuple(self.labels[i] for i in idx.tolist())
        kw["extra"] = {k: v[idx] for k, v in self.extra.items()}
        return _fresh_table(NodeTable, kw)

    def to_nodes(self) -> list[Any]:
        """kubekit :class:`~kubekit.api.Node` objects (capacity = allocatable):
        ``cpu``, ``memory``, ``pods`` and ``ephemeral-storage`` when given,
        and for GPU nodes the OpenB extended resources
        ``alibabacloud.com/gpu-count`` and ``alibabacloud.com/gpu-milli``
        (1000 per GPU), as in Alibaba's published OpenB Node manifests."""
        from kubekit.api.node import Node

        out = []
        for rec in self:
            cap: dict[str, int] = {"cpu": rec.cpu_milli, "memory": rec.memory_bytes}
            if rec.pods is not None:
                cap["pods"] = rec.pods
            if rec.ephemeral_storage_bytes is not None:
                cap["ephemeral-storage"] = rec.ephemeral_storage_bytes
            if rec.gpu_count:
                cap[GPU_COUNT_RESOURCE] = rec.gpu_count
                cap[GPU_MILLI_RESOURCE] = 1000 * rec.gpu_count
            out.append(Node(name=rec.name, labels=rec.labels, capacity=cap))
        return out


def uniform_nodes(count: int, *, cpu_milli: int, memory_bytes: int, gpu_count: int = 0,
                  gpu_model: str | None = None, pods: int | None = None, prefix: str = "node-") -> NodeTable:
    """``count`` identical nodes named ``{prefix}0``, ``{prefix}1``... — for
    traces that publish no node list (Azure VM arrivals), where the server
    shape is the experimenter's stated assumption."""
    if count < 0:
        raise TraceError(None, None, f"node count {count}: expected >= 0")
    if (gpu_count > 0) != (gpu_model is not None):
        raise TraceError(None, None, "gpu_model must be given exactly when gpu_count > 0")
    width = len(str(max(count - 1, 0)))
    names = np.array([f"{prefix}{i:0{width}d}" for i in range(count)], dtype=object).reshape(count)
    labels = tuple(FrozenMap({HOSTNAME_LABEL: str(n)}) for n in names)
    return NodeTable(
        name=names, cpu_milli=np.full(count, cpu_milli, np.int64), memory_bytes=np.full(count, memory_bytes, np.int64),
        gpu_count=np.full(count, gpu_count, np.int64), gpu_model=np.full(count, gpu_model, dtype=object),
        pods=np.full(count, MISSING if pods is None else pods, np.int64), labels=labels)


# --- pods ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PodRecord:
    """One row of a :class:`PodTable`: ``count`` identical replicas numbered
    ``replica`` to ``replica + count - 1`` of the workload ``name``."""

    name: str
    cpu_milli: int
    memory_bytes: int
    gpu_count: int
    gpu_milli: int
    gpu_models: tuple[str, ...] | None
    arrival_s: int | None
    departure_s: int | None
    owner: str | None
    count: int = 1
    replica: int = 0


@dataclass(frozen=True, slots=True, eq=False)
class PodTable:
    """The pods of a trace as columns (see the module docstring).

    * ``gpu_count`` GPUs requested; ``gpu_milli`` the share of *each* of them,
      0–1000 (OpenB: ``gpu_milli < 1000`` with ``gpu_count == 1`` is a
      GPU-sharing pod; 0 when ``gpu_count == 0``).
    * ``gpu_models``: ``None`` (any model) or a tuple of the allowed GPU models.
    * ``arrival_s``/``departure_s``: seconds from the trace origin;
      ``departure_s`` is :data:`MISSING` when the pod had not ended when the
      trace was cut (or the trace has no times).
    * ``owner``: the job (or arrival batch) a pod belongs to, ``None`` if the
      trace has none.
    * ``count``/``replica``: a row stands for ``count`` identical replicas
      (Alibaba 2017 tasks with ``instance_num`` instances); :meth:`expand`
      gives one row per replica.  ``(name, replica)`` identifies a pod.
    """

    name: np.ndarray
    cpu_milli: np.ndarray
    memory_bytes: np.ndarray
    gpu_count: np.ndarray | None = None
    gpu_milli: np.ndarray | None = None
    gpu_models: np.ndarray | None = None
    arrival_s: np.ndarray | None = None
    departure_s: np.ndarray | None = None
    owner: np.ndarray | None = None
    count: np.ndarray | None = None
    replica: np.ndarray | None = None
    extra: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        s = object.__setattr__
        n = len(self.name)
        t = "pods"

        def default(col: Any, value: Any, dtype: Any) -> Any:
            return col if col is not None else np.full(n, value, dtype=dtype)

        s(self, "name", _object_column(t, "name", self.name, n))
        for name in ("cpu_milli", "memory_bytes"):
            s(self, name, _int_column(t, name, getattr(self, name), n, allow_missing=False))
        s(self, "gpu_count", _int_column(t, "gpu_count", default(self.gpu_count, 0, np.int64), n,
                                         allow_missing=False))
        s(self, "gpu_milli", _int_column(t, "gpu_milli", default(self.gpu_milli, 0, np.int64), n,
                                         allow_missing=False))
        s(self, "gpu_models", _object_column(t, "gpu_models", default(self.gpu_models, None, object), n))
        for name in ("arrival_s", "departure_s"):
            s(self, name, _int_column(t, name, default(getattr(self, name), MISSING, np.int64), n,
                                      allow_missing=True, minimum=None))
        s(self, "owner", _object_column(t, "owner", default(self.owner, None, object), n))
        s(self, "count", _int_column(t, "count", default(self.count, 1, np.int64), n, allow_missing=False,
                                     minimum=1))
        s(self, "replica", _int_column(t, "replica", default(self.replica, 0, np.int64), n, allow_missing=False))
        s(self, "extra", _frozen_extra(t, self.extra, n))
        if n:
            if int(self.gpu_milli.max()) > 1000:
                i = int(np.argmax(self.gpu_milli))
                raise TraceError(None, None, f"pods.gpu_milli[{i}] = {int(self.gpu_milli[i])}: expected 0-1000")
            bad = np.flatnonzero((self.gpu_count == 0) & (self.gpu_milli != 0))
            if len(bad):
                raise TraceError(None, None, f"pods.gpu_milli[{int(bad[0])}] must be 0 when gpu_count is 0")
            both = present(self.arrival_s) & present(self.departure_s)
            bad = np.flatnonzero(both & (self.departure_s < self.arrival_s))
            if len(bad):
                raise TraceError(None, None, f"pods.departure_s[{int(bad[0])}] is before its arrival_s")

    @classmethod
    def empty(cls) -> PodTable:
        return cls(name=np.empty(0, dtype=object), cpu_milli=np.empty(0, np.int64),
                   memory_bytes=np.empty(0, np.int64))

    def __len__(self) -> int:
        return len(self.name)

    def __repr__(self) -> str:
        return f"PodTable({len(self)} rows, {self.total} pods, extra={sorted(self.extra)})"

    @property
    def total(self) -> int:
        """Number of pods, counting every replica (``count.sum()``)."""
        return int(self.count.sum())

    @overload
    def __getitem__(self, index: int) -> PodRecord: ...
    @overload
    def __getitem__(self, index: slice | Sequence[int] | np.ndarray) -> PodTable: ...

    def __getitem__(self, index: Any) -> Union[PodRecord, PodTable]:
        if isinstance(index, (int, np.integer)):
            i = int(index)
            if not -len(self) <= i < len(self):
                raise IndexError(f"pod index {i} out of range for {len(self)} rows")
            models = self.gpu_models[i]
            return PodRecord(
                name=self.name[i], cpu_milli=int(self.cpu_milli[i]), memory_bytes=int(self.memory_bytes[i]),
                gpu_count=int(self.gpu_count[i]), gpu_milli=int(self.gpu_milli[i]),
                gpu_models=None if models is None else tuple(models),
                arrival_s=_none_if_missing(self.arrival_s[i]), departure_s=_none_if_missing(self.departure_s[i]),
                owner=self.owner[i], count=int(self.count[i]), replica=int(self.replica[i]))
        return self.take(index)

    def __iter__(self) -> Iterator[PodRecord]:
        for i in range(len(self)):
            yield self[i]

    def take(self, index: slice | Sequence[int] | np.ndarray) -> PodTable:
        """The rows selected by a slice, index array or boolean mask, in that order."""
        idx = np.arange(len(self))[index]
        kw: dict[str, Any] = {f.name: _select(getattr(self, f.name), idx) for f in fields(self) if f.name != "extra"}
        kw["extra"] = {k: v[idx] for k, v in self.extra.items()}
        return _fresh_table(PodTable, kw)

    def expand(self) -> PodTable:
        """One row per replica (``count == 1`` everywhere), rows of a group kept
        together and in order; ``replica`` numbers them.  Strings are shared,
        not copied: a pod costs 96 bytes (Alibaba 2017's first 12 hours, 7.0 M
        instances, take about 650 MB)."""
        reps = self.count
        if len(reps) == 0 or int(reps.max()) == 1:
            return self
        idx = np.repeat(np.arange(len(self)), reps)
        kw: dict[str, Any] = {
            f.name: getattr(self, f.name)[idx] for f in fields(self) if f.name not in ("extra", "count", "replica")}
        starts = np.cumsum(reps) - reps
        kw["replica"] = np.arange(len(idx), dtype=np.int64) - starts[idx] + self.replica[idx]
        kw["count"] = np.ones(len(idx), dtype=np.int64)
        kw["extra"] = {k: v[idx] for k, v in self.extra.items()}
        return _fresh_table(PodTable, kw)

    def order_by_arrival(self) -> PodTable:
        """Rows sorted by ``arrival_s`` (stable: the trace's order breaks ties;
        rows without an arrival time go last)."""
        key = np.where(present(self.arrival_s), self.arrival_s, np.iinfo(np.int64).max)
        return self.take(np.argsort(key, kind="stable"))


# --- trace ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class Trace:
    """A loaded trace.

    ``name`` is the trace family (``"openb"``, ``"alibaba2017"``...);
    ``source`` says which dataset and which files; ``units_note`` how the
    trace's units were turned into kubekit's; ``attribution`` the
    origin/license text to quote; ``scales`` the normalizations undone (empty
    for absolute traces); ``notes`` what the loader decided on the way
    (skipped rows, assumptions); ``end_s`` the time the trace was cut, when
    known (pods still running then have no ``departure_s``)."""

    name: str
    source: str
    nodes: NodeTable
    pods: PodTable
    units_note: str
    attribution: str
    files: tuple[str, ...] = ()
    scales: tuple[Scale, ...] = ()
    notes: tuple[str, ...] = ()
    end_s: int | None = None

    def __repr__(self) -> str:
        return (f"Trace({self.name!r}, {len(self.nodes)} nodes, {len(self.pods)} pod rows "
                f"({self.pods.total} pods), files={len(self.files)})")

    def scale(self, column: str) -> Scale | None:
        """The normalization applied to ``column`` (``"memory_bytes"``...), if any."""
        for sc in self.scales:
            if sc.column == column:
                return sc
        return None

    def summary(self) -> str:
        """A few human-readable lines: counts, totals and units."""
        n, p = self.nodes, self.pods
        lines = [f"{self.name}: {self.source}",
                 f"  nodes: {len(n):,}  cpu {int(n.cpu_milli.sum()) / 1000:,.0f} cores  "
                 f"memory {int(n.memory_bytes.sum()) / 2**30:,.0f} GiB  GPUs {int(n.gpu_count.sum()):,}",
                 f"  pods: {p.total:,} ({len(p):,} rows)  cpu {int((p.cpu_milli * p.count).sum()) / 1000:,.0f} cores  "
                 f"memory {int((p.memory_bytes * p.count).sum()) / 2**30:,.0f} GiB  "
                 f"GPUs {int((p.gpu_count * p.gpu_milli * p.count).sum()) / 1000:,.1f}"]
        lines += [f"  scale: {sc.describe()}" for sc in self.scales]
        lines += [f"  note: {s}" for s in self.notes]
        return "\n".join(lines)
