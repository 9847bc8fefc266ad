"""GPU-sharing placement: pods, nodes, the fit rule and GPU selection.

A node has CPU (millicores), memory (bytes) and ``gpu_count`` GPUs of one
model; each GPU has a remaining share of 0-1000 thousandths.  A pod asks for
``gpu_count`` GPUs and ``gpu_milli`` of *each* of them: ``gpu_milli < 1000``
with one GPU shares a GPU with other pods (OpenB's GPU-sharing tasks);
``gpu_milli == 1000`` takes whole GPUs.  ``gpu_models`` (``None`` = any)
lists the GPU models the pod accepts; a pod that asks for GPUs never fits a
node without GPUs.

Beyond those (optional; without them everything behaves as before): a node
may have an ephemeral-storage capacity and a pod limit (Kubernetes'
allocatable ``ephemeral-storage`` and ``pods``; absent = unlimited), a pod
may ask for ephemeral storage (and counts one against the pod limit), and a
pod may belong to a *node group*, a boolean mask over the cluster's nodes
(:meth:`GpuCluster.add_node_group`): the nodes the scheduler's non-resource
filters (taints, node selectors, affinity) let it use.  Fragmentation is
unchanged (CPU and GPUs only); only feasibility sees them.

The decision functions here are pure functions of small frozen values
(:class:`GpuPod`, :class:`GpuNode`) with table tests beside them; the batch
engine (:class:`GpuCluster`) keeps the same state as numpy columns and is
tested against them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np

from kubekit.packing.problem import PackingError

MILLI = 1000
"""Thousandths of one GPU: a whole GPU has 1000."""

UNLIMITED = 1 << 62
"""Memory of a :class:`GpuNode` built without one (table tests that do not
care about memory)."""


class GpuPackingError(PackingError):
    """A GPU pod or node is malformed (a share above 1000, a share without a
    GPU count, a negative amount...)."""


def _check_int(what: str, name: str, value: object, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise GpuPackingError(f"{what}: {name} must be an integer, got {value!r}")
    if value < minimum:
        raise GpuPackingError(f"{what}: {name} must be >= {minimum}, got {value}")
    return int(value)


@dataclass(frozen=True, slots=True)
class GpuPod:
    """A pod's requests.  ``gpu_milli`` is the share of *each* requested GPU
    (0 exactly when ``gpu_count`` is 0); ``gpu_models`` the accepted GPU
    models (``None``: any); ``ephemeral_storage_bytes`` its ephemeral
    storage; ``node_group`` the id of the nodes it may use
    (:meth:`GpuCluster.add_node_group`; -1: every node)."""

    cpu_milli: int
    memory_bytes: int = 0
    gpu_count: int = 0
    gpu_milli: int = 0
    gpu_models: tuple[str, ...] | None = None
    name: str = ""
    ephemeral_storage_bytes: int = 0
    node_group: int = -1

    def __post_init__(self) -> None:
        what = f"pod {self.name!r}" if self.name else "pod"
        _check_int(what, "cpu_milli", self.cpu_milli)
        _check_int(what, "memory_bytes", self.memory_bytes)
        _check_int(what, "gpu_count", self.gpu_count)
        _check_int(what, "gpu_milli", self.gpu_milli)
        _check_int(what, "ephemeral_storage_bytes", self.ephemeral_storage_bytes)
        _check_int(what, "node_group", self.node_group, -1)
        if self.gpu_milli > MILLI:
            raise GpuPackingError(f"{what}: gpu_milli {self.gpu_milli} is above {MILLI} (one whole GPU)")
        if (self.gpu_count == 0) != (self.gpu_milli == 0):
            raise GpuPackingError(f"{what}: gpu_milli must be 0 exactly when gpu_count is 0, "
                                  f"got gpu_count={self.gpu_count}, gpu_milli={self.gpu_milli}")
        if self.gpu_models is not None:
            models = tuple(self.gpu_models)
            if not models or not all(isinstance(m, str) and m for m in models):
                raise GpuPackingError(f"{what}: gpu_models must be None or non-empty model names, got {models!r}")
            object.__setattr__(self, "gpu_models", models)

    @property
    def gpu_total_milli(self) -> int:
        """All the GPU it takes, in thousandths (``gpu_count * gpu_milli``)."""
        return self.gpu_count * self.gpu_milli

    @property
    def sharing(self) -> bool:
        """A fraction of one GPU (it can share a GPU with other pods)."""
        return self.gpu_count == 1 and self.gpu_milli < MILLI

    @property
    def kind(self) -> str:
        """``cpu``, ``share`` or ``<n>-gpu`` (the GPU-affinity tag Clustering uses)."""
        if self.gpu_count == 0:
            return "cpu"
        if self.sharing:
            return "share"
        return f"{self.gpu_count}-gpu"


@dataclass(frozen=True, slots=True)
class GpuNode:
    """What is left on one node: CPU, memory, and each GPU's remaining share
    (one entry per GPU, 0-1000).  ``gpu_model`` is ``None`` for a node
    without GPUs.  ``ephemeral_storage_bytes_left`` and ``pods_left`` are
    ``None`` on a node without that limit."""

    cpu_milli_left: int
    gpu_milli_left: tuple[int, ...] = ()
    gpu_model: str | None = None
    memory_bytes_left: int = UNLIMITED
    ephemeral_storage_bytes_left: int | None = None
    pods_left: int | None = None

    def __post_init__(self) -> None:
        _check_int("node", "cpu_milli_left", self.cpu_milli_left)
        _check_int("node", "memory_bytes_left", self.memory_bytes_left)
        if self.ephemeral_storage_bytes_left is not None:
            _check_int("node", "ephemeral_storage_bytes_left", self.ephemeral_storage_bytes_left)
        if self.pods_left is not None:
            _check_int("node", "pods_left", self.pods_left)
        left = tuple(_check_int("node", "gpu_milli_left", g) for g in self.gpu_milli_left)
        if any(g > MILLI for g in left):
            raise GpuPackingError(f"node: a GPU cannot have more than {MILLI} left, got {left}")
        if left and self.gpu_model is None:
            raise GpuPackingError("node: a node with GPUs needs a gpu_model")
        object.__setattr__(self, "gpu_milli_left", left)

    @property
    def gpu_left_total(self) -> int:
        return sum(self.gpu_milli_left)

    @property
    def free_gpus(self) -> int:
        """GPUs nobody uses (all 1000 left)."""
        return sum(1 for g in self.gpu_milli_left if g == MILLI)


# -- the fit rule -------------------------------------------------------------------

def model_allows(node_model: str | None, pod_models: tuple[str, ...] | None) -> bool:
    """A pod with a model list only runs on GPUs of one of those models (and
    never on a node without GPUs); a pod without one accepts any node."""
    if pod_models is None:
        return True
    return node_model is not None and node_model in pod_models


def sufficient_gpus(gpu_left: Sequence[int], milli: int) -> int:
    """How many GPUs have at least ``milli`` left."""
    return sum(1 for g in gpu_left if g >= milli)


def room_for(node: GpuNode, pod: GpuPod) -> bool:
    """The node's ephemeral storage and pod limit (where it has them) take the pod."""
    if node.ephemeral_storage_bytes_left is not None and pod.ephemeral_storage_bytes > node.ephemeral_storage_bytes_left:
        return False
    return node.pods_left is None or node.pods_left >= 1


def fits(node: GpuNode, pod: GpuPod) -> bool:
    """The pod fits the node: CPU, memory, ephemeral storage and a pod slot
    (where the node limits them), the GPU model, and ``gpu_count`` distinct
    GPUs with ``gpu_milli`` left each.  (A pod's node group is the
    cluster's business: :meth:`GpuCluster.feasible`.)"""
    if pod.cpu_milli > node.cpu_milli_left or pod.memory_bytes > node.memory_bytes_left:
        return False
    if not room_for(node, pod):
        return False
    if pod.gpu_count == 0:
        return True
    if not model_allows(node.gpu_model, pod.gpu_models):
        return False
    return sufficient_gpus(node.gpu_milli_left, pod.gpu_milli) >= pod.gpu_count


def least_sufficient_gpus(gpu_left: Sequence[int], pod: GpuPod) -> tuple[int, ...]:
    """The GPUs a pod takes by default ("best" GPU selection): the
    ``gpu_count`` GPUs with the *least* share that still suffices, lowest
    index first among equal shares.  A whole-GPU pod therefore takes the
    first free GPUs by index; a sharing pod the fullest GPU it fits on.
    Empty when the pod needs no GPU; :class:`GpuPackingError` when it does
    not fit."""
    if pod.gpu_count == 0:
        return ()
    ok = sorted((g, i) for i, g in enumerate(gpu_left) if g >= pod.gpu_milli)
    if len(ok) < pod.gpu_count:
        raise GpuPackingError(f"{pod.kind} pod needs {pod.gpu_count} GPU(s) with {pod.gpu_milli} left, "
                              f"node has {tuple(gpu_left)}")
    return tuple(sorted(i for _, i in ok[:pod.gpu_count]))


def subtract(node: GpuNode, pod: GpuPod, gpus: Sequence[int]) -> GpuNode:
    """The node after the pod is bound to it on GPUs ``gpus``."""
    left = list(node.gpu_milli_left)
    if len(gpus) != pod.gpu_count or len(set(gpus)) != len(gpus):
        raise GpuPackingError(f"pod needs {pod.gpu_count} distinct GPU(s), got {tuple(gpus)}")
    for i in gpus:
        if left[i] < pod.gpu_milli:
            raise GpuPackingError(f"GPU {i} has {left[i]} left, pod needs {pod.gpu_milli}")
        left[i] -= pod.gpu_milli
    if pod.cpu_milli > node.cpu_milli_left or pod.memory_bytes > node.memory_bytes_left:
        raise GpuPackingError("pod does not fit the node's CPU or memory")
    if not room_for(node, pod):
        raise GpuPackingError("pod does not fit the node's ephemeral storage or pod limit")
    storage = node.ephemeral_storage_bytes_left
    return GpuNode(node.cpu_milli_left - pod.cpu_milli, tuple(left), node.gpu_model,
                   node.memory_bytes_left - pod.memory_bytes,
                   None if storage is None else storage - pod.ephemeral_storage_bytes,
                   None if node.pods_left is None else node.pods_left - 1)


# -- the cluster state (batch engine) -------------------------------------------------

@dataclass(frozen=True, slots=True)
class Binding:
    """Pod ``pod`` runs on node ``node`` using GPUs ``gpus`` (indices on that node)."""

    node: int
    gpus: tuple[int, ...]


class GpuCluster:
    """The mutable state of a GPU cluster, one row per node (numpy columns):
    ``cpu_left``, ``memory_left``, ``gpu_left`` (nodes × max GPUs per node;
    slots beyond a node's GPU count stay 0 and never fit a GPU pod),
    ``model`` (index into ``models``, -1 without GPUs), ``storage_left``
    and ``pod_limit`` (:data:`UNLIMITED` on a node without that limit;
    storage is tracked only when some node has a limit),
    ``pods_on``, and per node the count of GPU pods by kind (``affinity``,
    for GPU Clustering).  ``node_groups`` holds the node masks pods refer
    to by :attr:`GpuPod.node_group`.

    :meth:`feasible` is the batch form of :func:`fits` (plus the pod's node
    group); :meth:`bind` and :meth:`unbind` change one node and tell the
    listeners (the fragmentation table, the metrics) which node changed."""

    def __init__(self, names: Sequence[str], cpu_milli: Sequence[int], memory_bytes: Sequence[int],
                 gpu_count: Sequence[int], gpu_model: Sequence[str | None], *,
                 ephemeral_storage_bytes: Sequence[int | None] | None = None,
                 max_pods: Sequence[int | None] | None = None) -> None:
        n = len(names)
        self.names = tuple(str(s) for s in names)
        self.cpu_capacity = np.asarray(cpu_milli, dtype=np.int64).reshape(n).copy()
        self.memory_capacity = np.asarray(memory_bytes, dtype=np.int64).reshape(n).copy()
        self.gpu_count = np.asarray(gpu_count, dtype=np.int64).reshape(n).copy()
        if n and (min(int(self.cpu_capacity.min()), int(self.memory_capacity.min()), int(self.gpu_count.min())) < 0):
            raise GpuPackingError("node capacities must be >= 0")
        models = [m if m else None for m in gpu_model]
        for i, (g, m) in enumerate(zip(self.gpu_count.tolist(), models)):
            if (g > 0) != (m is not None):
                raise GpuPackingError(f"node {self.names[i]!r}: a GPU model is needed exactly when it has GPUs "
                                      f"(gpu_count={g}, model={m!r})")
        self.models: tuple[str, ...] = tuple(sorted({m for m in models if m is not None}))
        index = {m: k for k, m in enumerate(self.models)}
        self.model = np.array([index[m] if m is not None else -1 for m in models], dtype=np.int64).reshape(n)
        self.max_gpus = int(self.gpu_count.max()) if n else 0
        self.cpu_left = self.cpu_capacity.copy()
        self.memory_left = self.memory_capacity.copy()
        self.gpu_left = np.zeros((n, self.max_gpus), dtype=np.int64)
        for i, g in enumerate(self.gpu_count.tolist()):
            self.gpu_left[i, :g] = MILLI
        self.storage_capacity = self._limits("ephemeral_storage_bytes", ephemeral_storage_bytes)
        self.storage_left = self.storage_capacity.copy()
        self.pod_limit = self._limits("max_pods", max_pods)
        self.has_storage_limit = bool((self.storage_capacity < UNLIMITED).any())
        self.has_pod_limit = bool((self.pod_limit < UNLIMITED).any())
        self.pods_on = np.zeros(n, dtype=np.int64)
        self.affinity: list[Counter[str]] = [Counter() for _ in range(n)]
        self.node_groups: list[np.ndarray] = []
        self._group_ids: dict[bytes, int] = {}
        self.listeners: list[Callable[[int], None]] = []

    def _limits(self, what: str, values: Sequence[int | None] | None) -> np.ndarray:
        """A per-node limit column: :data:`UNLIMITED` where none is given."""
        n = len(self.names)
        if values is None:
            return np.full(n, UNLIMITED, dtype=np.int64)
        vals = list(values)
        if len(vals) != n:
            raise GpuPackingError(f"{what}: {len(vals)} values for {n} nodes")
        out = np.full(n, UNLIMITED, dtype=np.int64)
        for i, v in enumerate(vals):
            if v is not None:
                out[i] = min(_check_int(f"node {self.names[i]!r}", what, v), UNLIMITED)
        return out

    @classmethod
    def from_table(cls, nodes, *, gpu_only: bool = False) -> "GpuCluster":
        """From a :class:`kubekit.traces.NodeTable`; ``gpu_only`` keeps the
        nodes with GPUs (the FGD paper's emulated cluster).  The table's
        ``ephemeral_storage_bytes`` and ``pods`` become limits where given."""
        from kubekit.traces.model import MISSING

        keep = np.flatnonzero(nodes.gpu_count > 0) if gpu_only else np.arange(len(nodes))

        def limits(col: np.ndarray) -> list[int | None] | None:
            vals = col[keep]
            if not (vals != MISSING).any():
                return None
            return [None if v == MISSING else v for v in vals.tolist()]

        return cls([nodes.name[i] for i in keep], nodes.cpu_milli[keep], nodes.memory_bytes[keep],
                   nodes.gpu_count[keep], [nodes.gpu_model[i] for i in keep],
                   ephemeral_storage_bytes=limits(nodes.ephemeral_storage_bytes), max_pods=limits(nodes.pods))

    def __len__(self) -> int:
        return len(self.names)

    @property
    def total_gpu_milli(self) -> int:
        return MILLI * int(self.gpu_count.sum())

    def node(self, i: int) -> GpuNode:
        """Node ``i`` as a :class:`GpuNode` value."""
        g = int(self.gpu_count[i])
        m = int(self.model[i])
        storage = None if self.storage_capacity[i] >= UNLIMITED else int(self.storage_left[i])
        pods = None if self.pod_limit[i] >= UNLIMITED else int(self.pod_limit[i] - self.pods_on[i])
        return GpuNode(int(self.cpu_left[i]), tuple(int(v) for v in self.gpu_left[i, :g]),
                       self.models[m] if m >= 0 else None, int(self.memory_left[i]), storage, pods)

    # -- node groups (the scheduler's non-resource filters) ------------------------

    def add_node_group(self, mask: Sequence[bool] | np.ndarray) -> int:
        """Register the nodes a set of pods may use (one bool per node) and
        return its id for :attr:`GpuPod.node_group`; an identical mask gets
        the id it already has."""
        m = np.asarray(mask)
        if m.shape != (len(self),) or not (m.dtype == bool or np.isin(m, (0, 1)).all()):
            raise GpuPackingError(f"a node group is one bool per node ({len(self)}), got shape {m.shape} {m.dtype}")
        m = m.astype(bool)
        key = np.packbits(m).tobytes()
        gid = self._group_ids.get(key)
        if gid is None:
            gid = len(self.node_groups)
            m.setflags(write=False)
            self.node_groups.append(m)
            self._group_ids[key] = gid
        return gid

    def eligible(self, pod: GpuPod) -> np.ndarray | None:
        """The pod's node-group mask (``None``: every node)."""
        g = pod.node_group
        if g < 0:
            return None
        if g >= len(self.node_groups):
            raise GpuPackingError(f"pod {pod.name!r}: node group {g} is not one of this cluster's "
                                  f"{len(self.node_groups)} (add it with add_node_group)")
        return self.node_groups[g]

    def model_mask(self, models: tuple[str, ...] | None) -> np.ndarray:
        """Nodes whose GPU model the pod accepts (all nodes for ``None``)."""
        if models is None:
            return np.ones(len(self), dtype=bool)
        ids = [k for k, m in enumerate(self.models) if m in models]
        return np.isin(self.model, ids)

    def feasible(self, pod: GpuPod) -> np.ndarray:
        """Boolean mask of the nodes the pod fits now (:func:`fits` on every
        node) among those of its node group."""
        ok = (self.cpu_left >= pod.cpu_milli) & (self.memory_left >= pod.memory_bytes)
        group = self.eligible(pod)
        if group is not None:
            ok &= group
        if self.has_storage_limit and pod.ephemeral_storage_bytes:
            ok &= self.storage_left >= pod.ephemeral_storage_bytes
        if self.has_pod_limit:
            ok &= self.pods_on < self.pod_limit
        if pod.gpu_count:
            ok &= self.model_mask(pod.gpu_models)
            ok &= (self.gpu_left >= pod.gpu_milli).sum(axis=1) >= pod.gpu_count
        return ok

    def bind(self, i: int, pod: GpuPod, gpus: Sequence[int]) -> Binding:
        """Put the pod on node ``i``, GPUs ``gpus``; checks capacity first."""
        gpus = tuple(int(g) for g in gpus)
        if len(gpus) != pod.gpu_count or len(set(gpus)) != len(gpus):
            raise GpuPackingError(f"pod {pod.name!r} needs {pod.gpu_count} distinct GPU(s), got {gpus}")
        if pod.node_group >= 0 and not self.eligible(pod)[i]:
            raise GpuPackingError(f"pod {pod.name!r} may not use node {self.names[i]!r}: it is not in the pod's "
                                  f"node group {pod.node_group} (the scheduler's filters rule it out)")
        if not (pod.cpu_milli <= self.cpu_left[i] and pod.memory_bytes <= self.memory_left[i]):
            raise GpuPackingError(f"pod {pod.name!r} does not fit node {self.names[i]!r}: CPU or memory")
        if self.has_storage_limit and pod.ephemeral_storage_bytes > self.storage_left[i]:
            raise GpuPackingError(f"pod {pod.name!r} does not fit node {self.names[i]!r}: ephemeral storage "
                                  f"({pod.ephemeral_storage_bytes} asked, {int(self.storage_left[i])} left)")
        if self.has_pod_limit and self.pods_on[i] >= self.pod_limit[i]:
            raise GpuPackingError(f"pod {pod.name!r} does not fit node {self.names[i]!r}: it already runs "
                                  f"{int(self.pods_on[i])} pods, its limit")
        if gpus:
            if not model_allows(self.models[self.model[i]] if self.model[i] >= 0 else None, pod.gpu_models):
                raise GpuPackingError(f"pod {pod.name!r} does not accept node {self.names[i]!r}'s GPU model")
            for g in gpus:
                if not (0 <= g < self.gpu_count[i]) or self.gpu_left[i, g] < pod.gpu_milli:
                    raise GpuPackingError(f"pod {pod.name!r} does not fit GPU {g} of node {self.names[i]!r}")
        self.cpu_left[i] -= pod.cpu_milli
        self.memory_left[i] -= pod.memory_bytes
        if self.has_storage_limit:          # (without any limit, storage is not tracked)
            self.storage_left[i] -= pod.ephemeral_storage_bytes
        for g in gpus:
            self.gpu_left[i, g] -= pod.gpu_milli
        self.pods_on[i] += 1
        if pod.gpu_count:
            self.affinity[i][pod.kind] += 1
        self._changed(i)
        return Binding(i, gpus)

    def unbind(self, pod: GpuPod, binding: Binding) -> None:
        """Take a bound pod off its node (a departure)."""
        i = binding.node
        self.cpu_left[i] += pod.cpu_milli
        self.memory_left[i] += pod.memory_bytes
        over = False
        if self.has_storage_limit:
            self.storage_left[i] += pod.ephemeral_storage_bytes
            over = self.storage_left[i] > self.storage_capacity[i]
        for g in binding.gpus:
            self.gpu_left[i, g] += pod.gpu_milli
        if (over or self.cpu_left[i] > self.cpu_capacity[i] or self.memory_left[i] > self.memory_capacity[i]
                or self.pods_on[i] <= 0 or (self.gpu_left[i] > MILLI).any()):
            raise GpuPackingError(f"unbind of pod {pod.name!r} from node {self.names[i]!r} frees more than it holds")
        self.pods_on[i] -= 1
        if pod.gpu_count:
            c = self.affinity[i]
            c[pod.kind] -= 1
            if c[pod.kind] <= 0:
                del c[pod.kind]
        self._changed(i)

    def _changed(self, i: int) -> None:
        for f in self.listeners:
            f(i)

    def record_binds(self, nodes: np.ndarray, kind: np.ndarray, kinds: Sequence[str],
                     notified: Callable[[int], None] | None = None) -> None:
        """The bookkeeping :meth:`bind` does, after a kernel has bound pod
        ``i`` on ``nodes[i]`` (-1: not placed) by writing ``cpu_left``,
        ``memory_left``, ``gpu_left``, ``storage_left`` and ``pods_on``
        itself (the kernel needs them current between the pods of a batch):
        the GPU pods by kind (``kinds[kind[i]]``; -1: a pod without GPU), and
        the listeners other than ``notified`` (which already knows), told once
        per changed node, in ascending order.  Listeners re-derive a node from
        its state, so one call after the batch ends where one call per bind
        would."""
        nodes = np.asarray(nodes, dtype=np.int64)
        placed = nodes >= 0
        on = nodes[placed]
        gpu = placed & (np.asarray(kind) >= 0)
        if gpu.any():
            k = len(kinds)
            keys, counts = np.unique(nodes[gpu] * k + np.asarray(kind)[gpu], return_counts=True)
            for key, cnt in zip(keys.tolist(), counts.tolist()):
                self.affinity[key // k][kinds[key % k]] += cnt
        others = [f for f in self.listeners if f != notified]
        if others:
            for i in np.unique(on).tolist():
                for f in others:
                    f(i)

    # -- totals ----------------------------------------------------------------

    def allocated(self) -> dict[str, int]:
        """Allocated amounts: ``cpu_milli``, ``memory_bytes``, ``gpu_milli``."""
        gpu_cap = self.total_gpu_milli
        return {"cpu_milli": int(self.cpu_capacity.sum() - self.cpu_left.sum()),
                "memory_bytes": int(self.memory_capacity.sum() - self.memory_left.sum()),
                "gpu_milli": gpu_cap - int(self.gpu_left.sum())}

    def capacity(self) -> dict[str, int]:
        return {"cpu_milli": int(self.cpu_capacity.sum()), "memory_bytes": int(self.memory_capacity.sum()),
                "gpu_milli": self.total_gpu_milli}

    def nodes_in_use(self) -> int:
        return int((self.pods_on > 0).sum())


def pods_from_table(pods, names: Iterable[str] | None = None) -> list[GpuPod]:
    """:class:`GpuPod` values from a :class:`kubekit.traces.PodTable` (one
    per row; expand replicas first)."""
    out = []
    nm = list(names) if names is not None else [str(s) for s in pods.name]
    for i in range(len(pods)):
        models = pods.gpu_models[i]
        out.append(GpuPod(int(pods.cpu_milli[i]), int(pods.memory_bytes[i]), int(pods.gpu_count[i]),
                          int(pods.gpu_milli[i]), None if models is None else tuple(models), nm[i]))
    return out
