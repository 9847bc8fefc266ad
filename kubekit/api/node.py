"""Nodes as the scheduler sees them: labels, capacity, allocatable, taints."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kubekit.api.affinity import Taint, parse_labels, parse_taints
from kubekit.api.resources import (
    CPU,
    MEMORY,
    PODS,
    FrozenMap,
    parse_resource_list,
    resource_list_to_manifest,
)
from kubekit.errors import ManifestError

__all__ = ["Node"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """A node.  ``capacity`` and ``allocatable`` are canonical integers (cpu in
    millicores).  ``allocatable`` left as ``None`` becomes a copy of
    ``capacity``, as the API server's SetDefaults_NodeStatus does when the
    status has no allocatable at all (a present but partial allocatable is
    kept as it is)."""

    name: str
    labels: Mapping[str, str] = field(default_factory=FrozenMap)
    capacity: Mapping[str, int] = field(default_factory=FrozenMap)
    allocatable: Mapping[str, int] | None = None
    taints: tuple[Taint, ...] = ()
    unschedulable: bool = False

    def __post_init__(self) -> None:
        s = object.__setattr__
        if not isinstance(self.name, str) or not self.name:
            raise ManifestError("metadata.name", f"invalid value {self.name!r}: a node needs a name")
        s(self, "labels", self.labels if isinstance(self.labels, FrozenMap) else FrozenMap(self.labels))
        cap = self.capacity if isinstance(self.capacity, FrozenMap) else FrozenMap(self.capacity)
        s(self, "capacity", cap)
        if self.allocatable is None:
            s(self, "allocatable", cap)
        elif not isinstance(self.allocatable, FrozenMap):
            s(self, "allocatable", FrozenMap(self.allocatable))
        s(self, "taints", tuple(self.taints))
        for attr in ("capacity", "allocatable"):
            for rname, amount in getattr(self, attr).items():
                if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
                    raise ManifestError(
                        f"status.{attr}.{rname}",
                        f"invalid value {amount!r}: must be a non-negative integer in canonical units",
                    )

    @classmethod
    def simple(
        cls,
        name: str,
        cpu: str | int = "4",
        memory: str | int = "32Gi",
        pods: str | int = 110,
        *,
        labels: Mapping[str, str] | None = None,
        taints: Iterable[Taint] = (),
        extra: Mapping[str, str | int] | None = None,
        unschedulable: bool = False,
    ) -> Node:
        """A node with capacity = allocatable = ``cpu``/``memory``/``pods`` (quantity
        strings or numbers) plus ``extra`` resources; the defaults are the
        scheduler_perf ``node-default.yaml`` template (4 CPU, 32Gi, 110 pods)."""
        raw: dict[str, Any] = {CPU: cpu, MEMORY: memory, PODS: pods}
        raw.update(extra or {})
        cap = parse_resource_list(raw, "status.capacity")
        return cls(
            name=name,
            labels=labels or {},
            capacity=cap,
            taints=tuple(taints),
            unschedulable=unschedulable,
        )

    @classmethod
    def from_manifest(cls, m: Mapping[str, Any]) -> Node:
        """Parse a v1 Node.  ``metadata.generateName`` stands in for a missing
        ``metadata.name`` (scheduler_perf's templates use it)."""
        if not isinstance(m, Mapping):
            raise ManifestError("", f"a manifest must be a mapping, got {type(m).__name__}")
        kind = m.get("kind")
        if kind is not None and kind != "Node":
            raise ManifestError("kind", f"invalid value {kind!r}: expected Node")
        api = m.get("apiVersion")
        if api is not None and api != "v1":
            raise ManifestError("apiVersion", f"invalid value {api!r}: a Node is apiVersion v1")
        meta = _mapping(m.get("metadata"), "metadata")
        name = _opt_str(meta, "name", "metadata") or _opt_str(meta, "generateName", "metadata")
        if not name:
            raise ManifestError("metadata.name", "Required value: a node needs metadata.name")
        labels = parse_labels(meta.get("labels"), "metadata.labels")
        spec = _mapping(m.get("spec"), "spec")
        taints = parse_taints(spec.get("taints"), "spec.taints")
        unsched = spec.get("unschedulable", False)
        if unsched is None:
            unsched = False
        if not isinstance(unsched, bool):
            raise ManifestError("spec.unschedulable", f"invalid value {unsched!r}: must be a boolean")
        status = _mapping(m.get("status"), "status")
        capacity = parse_resource_list(status.get("capacity"), "status.capacity")
        alloc_raw = status.get("allocatable")
        allocatable = None if alloc_raw is None else parse_resource_list(alloc_raw, "status.allocatable")
        return cls(
            name=name,
            labels=labels,
            capacity=capacity,
            allocatable=allocatable,
            taints=taints,
            unschedulable=unsched,
        )

    def to_manifest(self) -> dict[str, Any]:
        """A v1 Node manifest; ``Node.from_manifest(n.to_manifest()) == n``."""
        meta: dict[str, Any] = {"name": self.name}
        if self.labels:
            meta["labels"] = dict(self.labels)
        spec: dict[str, Any] = {}
        if self.taints:
            spec["taints"] = [t.to_manifest() for t in self.taints]
        if self.unschedulable:
            spec["unschedulable"] = True
        assert self.allocatable is not None
        status = {
            "capacity": resource_list_to_manifest(self.capacity),
            "allocatable": resource_list_to_manifest(self.allocatable),
        }
        return {"apiVersion": "v1", "kind": "Node", "metadata": meta, "spec": spec, "status": status}


def _mapping(v: object, path: str) -> Mapping[str, Any]:
    if v is None:
        return {}
    if not isinstance(v, Mapping):
        raise ManifestError(path, f"must be a mapping, got {type(v).__name__} {v!r}")
    return v


def _opt_str(d: Mapping[str, Any], key: str, path: str) -> str:
    v = d.get(key)
    if v is None:
        return ""
    if not isinstance(v, str):
        raise ManifestError(f"{path}.{key}", f"invalid value {v!r}: must be a string")
    return v
