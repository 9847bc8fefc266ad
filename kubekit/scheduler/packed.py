"""The packed cluster: one row per node slot, one column per resource, label
key or taint position, as the Cython kernels read it.  The resource arrays
(``alloc``, ``inv_alloc``, ``used``, ``nzu``) are stored resource-major, one
contiguous array per resource, so that the scan reads each as a vector; the
attributes are (slot, resource) views of them.

Strings are interned to small integers once (label keys to columns, label
values and node names to value ids, taints to taint ids), so the kernels
compare integers only.  Arrays grow by doubling; every growth or new column
bumps ``layout`` so that compiled pods and indexes built on the old layout are
rebuilt.  Binding a pod changes only its node's row and is appended to the
change log, which lets indexes catch up in O(changes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from kubekit._fast import _sched
from kubekit.api.affinity import parse_go_int64
from kubekit.errors import SchedulerError
from kubekit.scheduler.resource_names import CPU, EPHEMERAL_STORAGE, MEMORY, PODS, is_tracked

if TYPE_CHECKING:  # pragma: no cover
    from kubekit.api import Node

FLAG_LIVE = 1
FLAG_UNSCHEDULABLE = 2
def _slot_view(name: str) -> property:
    """A read-only (slot, resource) view of the resource-major array ``name``."""
    return property(lambda self: self._res[name].T, doc=f"``{name}`` as a (slot, resource) view.")


class PackedCluster:
    BASE_RESOURCES = (CPU, MEMORY, EPHEMERAL_STORAGE)

    def __init__(self, capacity: int = 16) -> None:
        self.res_col: dict[str, int] = {r: i for i, r in enumerate(self.BASE_RESOURCES)}
        self.key_col: dict[str, int] = {}
        self.value_id: dict[str, int] = {}
        self.value_names: list[str] = []
        self.taint_id: dict[tuple[str, str, str], int] = {}
        self.taints_by_id: list[tuple[str, str, str]] = []
        self.layout = 0
        self.taint_version = 0
        self.changes: list[int] = []
        self.change_base = 0
        self._fast: _sched.FastCluster | None = None
        cap = max(1, capacity)
        # [n_res, capacity] (nzu: [2, capacity]), C-contiguous
        self._res = {
            "alloc": np.zeros((len(self.res_col), cap), np.int64),
            "inv_alloc": np.zeros((len(self.res_col), cap), np.float64),
            "used": np.zeros((len(self.res_col), cap), np.int64),
            "nzu": np.zeros((2, cap), np.int64),
        }
        self.npods = np.zeros(cap, np.int64)
        self.maxpods = np.zeros(cap, np.int64)
        self.flags = np.zeros(cap, np.uint8)
        self.labels = np.full((cap, 1), -1, np.int32)
        self.taints = np.full((cap, 1), -1, np.int32)
        self.name_id = np.full(cap, -1, np.int32)
        self.val_isint = np.zeros(16, np.uint8)
        self.val_int = np.zeros(16, np.int64)

    # -- (slot, resource) views of the resource-major arrays ---------------------
    alloc = _slot_view("alloc")
    inv_alloc = _slot_view("inv_alloc")
    used = _slot_view("used")
    nzu = _slot_view("nzu")

    # -- interning ---------------------------------------------------------------
    @property
    def capacity(self) -> int:
        return self.npods.shape[0]

    @property
    def change_seq(self) -> int:
        return self.change_base + len(self.changes)

    def intern_value(self, v: str) -> int:
        vid = self.value_id.get(v)
        if vid is None:
            vid = len(self.value_names)
            self.value_id[v] = vid
            self.value_names.append(v)
            if vid >= self.val_int.shape[0]:
                self.val_int = np.resize(self.val_int, 2 * vid)
                self.val_isint = np.resize(self.val_isint, 2 * vid)
                self._fast = None
            parsed = parse_go_int64(v)
            self.val_isint[vid] = parsed is not None
            self.val_int[vid] = parsed or 0
        return vid

    def intern_key(self, k: str) -> int:
        col = self.key_col.get(k)
        if col is None:
            col = len(self.key_col)
            self.key_col[k] = col
            if col >= self.labels.shape[1]:
                self.labels = self._widen(self.labels, 2 * self.labels.shape[1], -1)
            else:
                # Compiled pods encoded this key as absent everywhere: recompile.
                self.layout += 1
        return col

    def resource_col(self, name: str) -> int:
        col = self.res_col.get(name)
        if col is None:
            col = len(self.res_col)
            if col >= _sched.MAX_RESOURCES:
                raise SchedulerError(f"too many distinct resources: kubekit tracks at most {_sched.MAX_RESOURCES}")
            self.res_col[name] = col
            for k in ("alloc", "inv_alloc", "used"):
                a = self._res[k]
                self._res[k] = np.concatenate([a, np.zeros((1, a.shape[1]), a.dtype)])
            self._relayout()
        return col

    def intern_taint(self, key: str, value: str, effect: str) -> int:
        t = (key, value, effect)
        tid = self.taint_id.get(t)
        if tid is None:
            tid = len(self.taints_by_id)
            self.taint_id[t] = tid
            self.taints_by_id.append(t)
            self.taint_version += 1
        return tid

    def _widen(self, a: np.ndarray, ncols: int, fill: int) -> np.ndarray:
        out = np.full((a.shape[0], ncols), fill, a.dtype)
        out[:, : a.shape[1]] = a
        self._relayout()
        return out

    def _relayout(self) -> None:
        self.layout += 1
        self._fast = None

    def ensure_capacity(self, slots: int) -> None:
        cap = self.capacity
        if slots <= cap:
            return
        new = max(slots, 2 * cap)
        for name, fill in (("npods", 0), ("maxpods", 0), ("flags", 0), ("labels", -1), ("taints", -1), ("name_id", -1)):
            a = getattr(self, name)
            b = np.full((new,) + a.shape[1:], fill, a.dtype)
            b[:cap] = a
            setattr(self, name, b)
        for name, a in self._res.items():
            b = np.zeros((a.shape[0], new), a.dtype)
            b[:, :cap] = a
            self._res[name] = b
        self._relayout()

    def fast(self) -> _sched.FastCluster:
        if self._fast is None:
            r = self._res
            self._fast = _sched.FastCluster(
                r["alloc"], r["inv_alloc"], r["used"], r["nzu"], self.npods, self.maxpods, self.flags,
                self.labels, self.taints, self.name_id, self.val_isint, self.val_int,
            )
        return self._fast

    # -- rows ----------------------------------------------------------------------
    def write_node(self, slot: int, node: "Node") -> None:
        """Write a node's allocatable, labels, taints and flags into ``slot``
        (requests of pods on it are kept)."""
        self.ensure_capacity(slot + 1)
        cols = [(self.resource_col(r), q) for r, q in node.allocatable.items() if r != PODS and is_tracked(r)]
        keys = [(self.intern_key(k), self.intern_value(v)) for k, v in node.labels.items()]
        tids = [self.intern_taint(t.key, t.value, t.effect) for t in node.taints]
        if len(tids) > self.taints.shape[1]:
            self.taints = self._widen(self.taints, max(len(tids), 2 * self.taints.shape[1]), -1)
        self.alloc[slot] = 0
        self.inv_alloc[slot] = 0
        for c, q in cols:
            self.alloc[slot, c] = q
            self.inv_alloc[slot, c] = 1.0 / q if q else 0.0
        self.maxpods[slot] = node.allocatable.get(PODS, 0)
        self.labels[slot] = -1
        for c, v in keys:
            self.labels[slot, c] = v
        self.taints[slot] = -1
        self.taints[slot, : len(tids)] = tids
        self.name_id[slot] = self.intern_value(node.name)
        self.flags[slot] = FLAG_LIVE | (FLAG_UNSCHEDULABLE if node.unschedulable else 0)
        self._rows_changed()
        self.log(slot)

    def clear_slot(self, slot: int) -> None:
        for a in (self.alloc, self.inv_alloc, self.used, self.nzu):
            a[slot] = 0
        self.npods[slot] = self.maxpods[slot] = self.flags[slot] = 0
        self.labels[slot] = -1
        self.taints[slot] = -1
        self.name_id[slot] = -1
        self._rows_changed()
        self.log(slot)

    def _rows_changed(self) -> None:
        """A row's flags, labels, taints or name changed: the constraint
        tables of compiled pods (keyed by the cluster's stamp) are stale."""
        if self._fast is not None:
            self._fast.touch()

    def log(self, slot: int) -> None:
        self.changes.append(slot)
        if len(self.changes) > 4 * self.capacity + 1024:
            self.change_base += len(self.changes)
            self.changes.clear()

    def changes_since(self, seq: int) -> list[int] | None:
        """Slots changed since ``seq``, or None when the log no longer reaches back."""
        if seq < self.change_base:
            return None
        return self.changes[seq - self.change_base:]

    def nbytes(self) -> int:
        arrays = (self.alloc, self.inv_alloc, self.used, self.nzu, self.npods, self.maxpods, self.flags,
                  self.labels, self.taints, self.name_id, self.val_isint, self.val_int)
        return int(sum(a.nbytes for a in arrays))
