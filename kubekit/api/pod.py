"""Pods and their containers, read from manifests the way the API server
would store them.

:meth:`Pod.from_manifest` accepts a v1 ``Pod``, a workload whose pods come
from ``spec.template`` (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job,
ReplicationController; CronJob through ``spec.jobTemplate``), a v1
``PodTemplate`` or a bare PodTemplateSpec.  It applies the defaulting that
matters for scheduling (``SetDefaults_Pod`` in pkg/apis/core/v1/defaults.go:
container requests default to limits; pod-level requests default from
container requests and pod-level limits) and rejects, with the exact field
path, what the API server's validation would reject in the fields kubekit
reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubekit.api.affinity import (
    NodeAffinity,
    Toleration,
    dns1123_label_errors,
    parse_labels,
    parse_node_affinity,
    parse_tolerations,
)
from kubekit.api.resources import (
    CPU,
    MEMORY,
    FrozenMap,
    field_key,
    is_hugepages_resource,
    is_overcommit_allowed,
    is_supported_pod_level_resource,
    format_quantity,
    nonzero_requests,
    parse_resource_list,
    pod_requests,
    resource_list_to_manifest,
)
from kubekit.errors import ManifestError

__all__ = ["Container", "Pod", "UNSUPPORTED_ANNOTATION", "WORKLOAD_KINDS", "DEFAULT_SCHEDULER_NAME"]

DEFAULT_SCHEDULER_NAME = "default-scheduler"

#: to_manifest records the scheduling features kubekit did not model under
#: this annotation, so that from_manifest(to_manifest(p)) == p.
UNSUPPORTED_ANNOTATION = "kubekit.dev/unsupported"

#: kinds whose pods are ``spec.template``.
WORKLOAD_KINDS = frozenset(
    {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController"}
)

_RESTART_POLICIES = ("Always", "OnFailure", "Never")

#: Volume types some scheduler plugin looks at (VolumeBinding, VolumeZone,
#: VolumeRestrictions, NodeVolumeLimits) and kubekit does not model.
#: ``persistentVolumeClaim`` is not listed: the Scheduler facade alone does not
#: check claims, but the scheduling loop does (kubekit.cluster.volumebinding:
#: the VolumeBinding plugin's claim and volume node affinity checks).
_SCHEDULING_VOLUME_TYPES = (
    "ephemeral",
    "csi",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "azureDisk",
    "iscsi",
    "rbd",
)

_INT32_MIN = -(2**31)
_INT32_MAX = 2**31 - 1


@dataclass(frozen=True, slots=True)
class Container:
    """A container's resources.  ``requests`` and ``limits`` are canonical
    integers (see :mod:`kubekit.api.resources`).  ``restart_policy`` "Always"
    on an init container makes it a sidecar."""

    name: str
    requests: Mapping[str, int] = field(default_factory=FrozenMap)
    limits: Mapping[str, int] = field(default_factory=FrozenMap)
    restart_policy: str | None = None
    image: str = ""

    def __post_init__(self) -> None:
        for attr in ("requests", "limits"):
            v = getattr(self, attr)
            if not isinstance(v, FrozenMap):
                object.__setattr__(self, attr, FrozenMap(v))
            for name, amount in getattr(self, attr).items():
                if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
                    raise ManifestError(
                        f"{self.name}.{attr}.{name}",
                        f"invalid value {amount!r}: must be a non-negative integer in canonical units",
                    )

    def to_manifest(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.image:
            out["image"] = self.image
        resources: dict[str, Any] = {}
        if self.requests:
            resources["requests"] = resource_list_to_manifest(self.requests)
        if self.limits:
            resources["limits"] = resource_list_to_manifest(self.limits)
        if resources:
            out["resources"] = resources
        if self.restart_policy is not None:
            out["restartPolicy"] = self.restart_policy
        return out


def _frozen(m: Mapping[str, Any] | None) -> FrozenMap[str, Any]:
    return m if isinstance(m, FrozenMap) else FrozenMap(m or {})


@dataclass(frozen=True, slots=True, kw_only=True)
class Pod:
    """A pod as the scheduler sees it.

    ``requests`` (what the Fit filter and the "requested" scoring compare) and
    ``nonzero_requests`` (what the least/most-allocated and balanced scores
    use, with 100m / 200Mi for containers that omit cpu / memory) are computed
    from the containers.  ``unsupported`` names scheduling features present
    in the manifest that kubekit's scheduler does not implement, so a caller
    can say so instead of silently ignoring them.
    """

    name: str
    containers: tuple[Container, ...]
    namespace: str = "default"
    uid: str = ""
    labels: Mapping[str, str] = field(default_factory=FrozenMap)
    init_containers: tuple[Container, ...] = ()
    overhead: Mapping[str, int] = field(default_factory=FrozenMap)
    pod_level_requests: Mapping[str, int] | None = None
    pod_level_limits: Mapping[str, int] | None = None
    priority: int = 0
    scheduler_name: str = DEFAULT_SCHEDULER_NAME
    node_name: str = ""
    node_selector: Mapping[str, str] = field(default_factory=FrozenMap)
    affinity: NodeAffinity | None = None
    tolerations: tuple[Toleration, ...] = ()
    unsupported: tuple[str, ...] = ()
    requests: Mapping[str, int] = field(init=False)
    nonzero_requests: Mapping[str, int] = field(init=False)

    def __post_init__(self) -> None:
        s = object.__setattr__
        s(self, "containers", tuple(self.containers))
        s(self, "init_containers", tuple(self.init_containers))
        s(self, "tolerations", tuple(self.tolerations))
        s(self, "unsupported", tuple(sorted(set(self.unsupported))))
        s(self, "labels", _frozen(self.labels))
        s(self, "node_selector", _frozen(self.node_selector))
        s(self, "overhead", _frozen(self.overhead))
        if self.pod_level_requests is not None:
            s(self, "pod_level_requests", _frozen(self.pod_level_requests))
        if self.pod_level_limits is not None:
            s(self, "pod_level_limits", _frozen(self.pod_level_limits))
        s(
            self,
            "requests",
            FrozenMap(pod_requests(self.containers, self.init_containers, self.overhead, self.pod_level_requests)),
        )
        s(
            self,
            "nonzero_requests",
            FrozenMap(
                nonzero_requests(self.containers, self.init_containers, self.overhead, self.pod_level_requests)
            ),
        )

    # --- construction -------------------------------------------------------

    @classmethod
    def simple(
        cls,
        name: str,
        cpu: str | int | None = "100m",
        memory: str | int | None = "500Mi",
        *,
        extra: Mapping[str, str | int] | None = None,
        **kw: Any,
    ) -> Pod:
        """A one-container pod requesting ``cpu`` and ``memory`` (quantity
        strings; ``None`` omits the resource) plus ``extra`` resources, e.g.
        ``Pod.simple("p", "250m", "1Gi", extra={"nvidia.com/gpu": 1},
        priority=10)``.  Other keywords go to :class:`Pod`."""
        raw: dict[str, Any] = {}
        if cpu is not None:
            raw[CPU] = cpu
        if memory is not None:
            raw[MEMORY] = memory
        raw.update(extra or {})
        requests = parse_resource_list(raw, "requests")
        limits = {k: v for k, v in requests.items() if not is_overcommit_allowed(k)}
        return cls(name=name, containers=(Container(name, requests, limits),), **kw)

    @classmethod
    def from_manifest(cls, m: Mapping[str, Any], *, name: str | None = None) -> Pod:
        """Parse a Pod, a workload (its ``spec.template``), a PodTemplate or a
        bare PodTemplateSpec.  A workload's pod takes the workload's name and
        namespace (``name`` overrides).  Raises ManifestError naming the field
        path within ``m``."""
        if not isinstance(m, Mapping):
            raise ManifestError("", f"a manifest must be a mapping, got {type(m).__name__}")
        kind = m.get("kind")
        if kind is not None and not isinstance(kind, str):
            raise ManifestError("kind", f"invalid value {kind!r}: must be a string")
        meta = _meta(m.get("metadata"), "metadata")
        extra_unsupported: list[str] = []
        if kind == "Pod":
            tmeta_path = "metadata"
            api = m.get("apiVersion")
            if api is not None and api != "v1":
                raise ManifestError("apiVersion", f"invalid value {api!r}: a Pod is apiVersion v1")
            tmeta, spec_raw, spath = meta, m.get("spec"), "spec"
            owner_meta = meta
        elif kind in WORKLOAD_KINDS or kind == "CronJob":
            wspec = _need_mapping(m.get("spec"), "spec")
            base = "spec"
            if kind == "CronJob":
                jt = _need_mapping(wspec.get("jobTemplate"), "spec.jobTemplate")
                wspec = _need_mapping(jt.get("spec"), "spec.jobTemplate.spec")
                base = "spec.jobTemplate.spec"
            tpl = _need_mapping(wspec.get("template"), f"{base}.template")
            tmeta_path = f"{base}.template.metadata"
            tmeta = _meta(tpl.get("metadata"), tmeta_path)
            spec_raw, spath = tpl.get("spec"), f"{base}.template.spec"
            owner_meta = meta
        elif kind == "PodTemplate":
            tpl = _need_mapping(m.get("template"), "template")
            tmeta_path = "template.metadata"
            tmeta = _meta(tpl.get("metadata"), tmeta_path)
            spec_raw, spath = tpl.get("spec"), "template.spec"
            owner_meta = meta
        elif kind is None and "spec" in m:
            tmeta_path = "metadata"
            tmeta, spec_raw, spath = meta, m.get("spec"), "spec"
            owner_meta = meta
        else:
            raise ManifestError(
                "kind",
                f"unsupported kind {kind!r}: expected Pod, a workload with a pod template "
                f"({', '.join(sorted(WORKLOAD_KINDS | {'CronJob'}))}), PodTemplate or a PodTemplateSpec",
            )

        pod_name = name or _object_name(owner_meta, "metadata") or _object_name(tmeta, tmeta_path)
        if not pod_name:
            raise ManifestError("metadata.name", "Required value: a pod needs metadata.name or metadata.generateName")
        namespace = _opt_str(owner_meta, "namespace", "metadata") or _opt_str(tmeta, "namespace", tmeta_path) or "default"
        uid = _opt_str(owner_meta, "uid", "metadata") if kind == "Pod" else ""
        labels = parse_labels(tmeta.get("labels"), f"{tmeta_path}.labels")
        annotations = tmeta.get("annotations") or {}
        if isinstance(annotations, Mapping):
            recorded = annotations.get(UNSUPPORTED_ANNOTATION)
            if isinstance(recorded, str) and recorded:
                extra_unsupported.extend(x for x in recorded.split(",") if x)

        spec = _need_mapping(spec_raw, spath)
        return _pod_from_spec(
            spec, spath, name=pod_name, namespace=namespace, uid=uid or "", labels=labels, extra_unsupported=extra_unsupported
        )

    def to_manifest(self) -> dict[str, Any]:
        """A v1 Pod manifest with canonical quantities;
        ``Pod.from_manifest(p.to_manifest()) == p``."""
        meta: dict[str, Any] = {"name": self.name, "namespace": self.namespace}
        if self.uid:
            meta["uid"] = self.uid
        if self.labels:
            meta["labels"] = dict(self.labels)
        if self.unsupported:
            meta["annotations"] = {UNSUPPORTED_ANNOTATION: ",".join(self.unsupported)}
        spec: dict[str, Any] = {}
        if self.scheduler_name != DEFAULT_SCHEDULER_NAME:
            spec["schedulerName"] = self.scheduler_name
        if self.priority:
            spec["priority"] = self.priority
        if self.node_name:
            spec["nodeName"] = self.node_name
        if self.init_containers:
            spec["initContainers"] = [c.to_manifest() for c in self.init_containers]
        spec["containers"] = [c.to_manifest() for c in self.containers]
        if self.overhead:
            spec["overhead"] = resource_list_to_manifest(self.overhead)
        if self.pod_level_requests is not None or self.pod_level_limits is not None:
            res: dict[str, Any] = {}
            if self.pod_level_requests is not None:
                res["requests"] = resource_list_to_manifest(self.pod_level_requests)
            if self.pod_level_limits is not None:
                res["limits"] = resource_list_to_manifest(self.pod_level_limits)
            spec["resources"] = res
        if self.node_selector:
            spec["nodeSelector"] = dict(self.node_selector)
        if self.affinity is not None:
            spec["affinity"] = {"nodeAffinity": self.affinity.to_manifest()}
        if self.tolerations:
            spec["tolerations"] = [t.to_manifest() for t in self.tolerations]
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}

    @property
    def key(self) -> str:
        """``namespace/name``, the scheduler's pod key."""
        return f"{self.namespace}/{self.name}"


# --- manifest helpers ---------------------------------------------------------------


def _need_mapping(v: object, path: str) -> Mapping[str, Any]:
    if v is None:
        raise ManifestError(path, "Required value")
    if not isinstance(v, Mapping):
        raise ManifestError(path, f"must be a mapping, got {type(v).__name__} {v!r}")
    return v


def _meta(v: object, path: str) -> Mapping[str, Any]:
    if v is None:
        return {}
    return _need_mapping(v, path)


def _opt_str(d: Mapping[str, Any], key: str, path: str) -> str:
    v = d.get(key)
    if v is None:
        return ""
    if not isinstance(v, str):
        raise ManifestError(f"{path}.{key}" if path else key, f"invalid value {v!r}: must be a string")
    return v


def _object_name(meta: Mapping[str, Any], path: str) -> str:
    return _opt_str(meta, "name", path) or _opt_str(meta, "generateName", path)


def _list(v: object, path: str) -> list[Any]:
    if v is None:
        return []
    if not isinstance(v, list):
        raise ManifestError(path, f"must be a list, got {type(v).__name__} {v!r}")
    return v


def _int_field(d: Mapping[str, Any], key: str, path: str, lo: int, hi: int) -> int | None:
    v = d.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int):
        raise ManifestError(f"{path}.{key}", f"invalid value {v!r}: must be an integer")
    if not lo <= v <= hi:
        raise ManifestError(f"{path}.{key}", f"invalid value {v}: must be between {lo} and {hi}")
    return v


def _default_requests_to_limits(requests: dict[str, int], limits: Mapping[str, int]) -> dict[str, int]:
    """SetDefaults_Pod: limits set but requests not -> requests = limits."""
    out = dict(requests)
    for k, v in limits.items():
        out.setdefault(k, v)
    return out


def _check_requests_vs_limits(requests: Mapping[str, int], limits: Mapping[str, int], path: str) -> None:
    """ValidateContainerResourceRequirements' request/limit rules."""
    for name, req in requests.items():
        rpath = field_key(f"{path}.requests", name)
        if name in limits:
            lim = limits[name]
            if not is_overcommit_allowed(name) and req != lim:
                raise ManifestError(
                    rpath,
                    f"invalid value {format_quantity(name, req)!r}: must be equal to {name} limit of "
                    f"{format_quantity(name, lim)}",
                )
            if req > lim:
                raise ManifestError(
                    rpath,
                    f"invalid value {format_quantity(name, req)!r}: must be less than or equal to "
                    f"{name} limit of {format_quantity(name, lim)}",
                )
        elif not is_overcommit_allowed(name):
            raise ManifestError(
                field_key(f"{path}.limits", name),
                "Required value: Limit must be set for non overcommitable resources",
            )


def _container(raw: object, path: str, *, seen: set[str]) -> tuple[Container, list[str]]:
    c = _need_mapping(raw, path)
    name = c.get("name")
    if name is None or name == "":
        raise ManifestError(f"{path}.name", "Required value")
    if not isinstance(name, str):
        raise ManifestError(f"{path}.name", f"invalid value {name!r}: must be a string")
    errs = dns1123_label_errors(name)
    if errs:
        raise ManifestError(f"{path}.name", f"invalid value {name!r}: {errs[0]}")
    if name in seen:
        raise ManifestError(f"{path}.name", f"Duplicate value: {name!r}")
    seen.add(name)
    image = _opt_str(c, "image", path)
    res = c.get("resources")
    rpath = f"{path}.resources"
    res = {} if res is None else _need_mapping(res, rpath)
    requests = parse_resource_list(res.get("requests"), f"{rpath}.requests")
    limits = parse_resource_list(res.get("limits"), f"{rpath}.limits")
    requests = _default_requests_to_limits(requests, limits)
    _check_requests_vs_limits(requests, limits, rpath)
    restart = c.get("restartPolicy")
    if restart is not None:
        if not isinstance(restart, str) or restart not in _RESTART_POLICIES:
            raise ManifestError(
                f"{path}.restartPolicy",
                f"Unsupported value: {restart!r}: supported values: "
                + ", ".join(f'"{p}"' for p in _RESTART_POLICIES),
            )
    unsupported: list[str] = []
    for j, port in enumerate(_list(c.get("ports"), f"{path}.ports")):
        pd = _need_mapping(port, f"{path}.ports[{j}]")
        hp = pd.get("hostPort")
        if hp not in (None, 0):
            unsupported.append("hostPorts")
    if res.get("claims"):
        unsupported.append("resourceClaims")
    return Container(name, requests, limits, restart, image), unsupported


def _default_pod_level(
    containers: Sequence[Container],
    init_containers: Sequence[Container],
    requests: dict[str, int] | None,
    limits: dict[str, int] | None,
) -> tuple[dict[str, int] | None, dict[str, int] | None]:
    """defaultHugePagePodLimits then defaultPodRequests (defaults.go).
    defaultPodLimits only fills limits, which never affect scheduling, and is
    not ported."""
    if limits or requests:
        aggr_limits = _aggregate_limits(containers, init_containers)
        lims = dict(limits or {})
        for k, v in aggr_limits.items():
            if not is_supported_pod_level_resource(k) or not is_hugepages_resource(k):
                continue
            if requests and k in requests:
                continue
            lims.setdefault(k, v)
        if lims:
            limits = lims
    if limits:
        reqs = dict(requests or {})
        aggr = pod_requests(containers, init_containers, None)
        for k, v in aggr.items():
            if k not in reqs and is_supported_pod_level_resource(k) and is_overcommit_allowed(k):
                reqs[k] = v
        for k, v in limits.items():
            if k not in reqs and is_supported_pod_level_resource(k):
                reqs[k] = v
        if reqs:
            requests = reqs
    return requests, limits


class _Limits:
    __slots__ = ("requests", "restart_policy")

    def __init__(self, c: Container) -> None:
        self.requests = c.limits
        self.restart_policy = c.restart_policy


def _aggregate_limits(containers: Iterable[Container], init_containers: Iterable[Container]) -> dict[str, int]:
    """AggregateContainerLimits: the same max-of-sums walk over limits."""
    return pod_requests([_Limits(c) for c in containers], [_Limits(c) for c in init_containers], None)


def _spec_unsupported(spec: Mapping[str, Any], spath: str) -> list[str]:
    out: list[str] = []
    aff = spec.get("affinity")
    if isinstance(aff, Mapping):
        if aff.get("podAffinity"):
            out.append("podAffinity")
        if aff.get("podAntiAffinity"):
            out.append("podAntiAffinity")
    if spec.get("topologySpreadConstraints"):
        out.append("topologySpreadConstraints")
    if spec.get("resourceClaims"):
        out.append("resourceClaims")
    if spec.get("schedulingGates"):
        out.append("schedulingGates")
    if spec.get("priorityClassName") and spec.get("priority") is None:
        out.append("priorityClassName")
    if spec.get("runtimeClassName") and spec.get("overhead") is None:
        out.append("runtimeClassName")
    if spec.get("hostNetwork") is True:
        # defaultHostNetworkPorts: every containerPort becomes a hostPort.
        for key in ("containers", "initContainers"):
            for c in spec.get(key) or ():
                if isinstance(c, Mapping) and c.get("ports"):
                    out.append("hostPorts")
    for i, vol in enumerate(_list(spec.get("volumes"), f"{spath}.volumes")):
        if isinstance(vol, Mapping):
            for vtype in _SCHEDULING_VOLUME_TYPES:
                if vol.get(vtype) is not None:
                    out.append(f"volumes.{vtype}")
    return out


def _pod_from_spec(
    spec: Mapping[str, Any],
    spath: str,
    *,
    name: str,
    namespace: str,
    uid: str,
    labels: Mapping[str, str],
    extra_unsupported: list[str],
) -> Pod:
    unsupported = list(extra_unsupported) + _spec_unsupported(spec, spath)
    seen: set[str] = set()
    containers_raw = _list(spec.get("containers"), f"{spath}.containers")
    if not containers_raw:
        raise ManifestError(f"{spath}.containers", "Required value: a pod needs at least one container")
    containers = []
    for i, c in enumerate(containers_raw):
        cont, u = _container(c, f"{spath}.containers[{i}]", seen=seen)
        containers.append(cont)
        unsupported.extend(u)
    init_containers = []
    for i, c in enumerate(_list(spec.get("initContainers"), f"{spath}.initContainers")):
        cont, u = _container(c, f"{spath}.initContainers[{i}]", seen=seen)
        init_containers.append(cont)
        unsupported.extend(u)

    overhead = parse_resource_list(spec.get("overhead"), f"{spath}.overhead")
    pl_requests: dict[str, int] | None = None
    pl_limits: dict[str, int] | None = None
    pres = spec.get("resources")
    if pres is not None:
        ppath = f"{spath}.resources"
        pres = _need_mapping(pres, ppath)
        if pres.get("requests") is not None:
            pl_requests = parse_resource_list(pres.get("requests"), f"{ppath}.requests")
        if pres.get("limits") is not None:
            pl_limits = parse_resource_list(pres.get("limits"), f"{ppath}.limits")
        for group, rl in (("requests", pl_requests), ("limits", pl_limits)):
            for rname in rl or {}:
                if not is_supported_pod_level_resource(rname):
                    raise ManifestError(
                        field_key(f"{ppath}.{group}", rname),
                        f"Unsupported value: {rname!r}: supported values: \"cpu\", \"hugepages-\", \"memory\"",
                    )
        # Defaulting runs before validation in the API server.
        pl_requests, pl_limits = _default_pod_level(containers, init_containers, pl_requests, pl_limits)
        _check_requests_vs_limits(pl_requests or {}, pl_limits or {}, ppath)
        if pl_requests is not None:
            # validatePodResourceConsistency, for the resources set at pod level.
            aggr = pod_requests(containers, init_containers, None)
            for rname, amount in aggr.items():
                if rname in pl_requests and amount > pl_requests[rname]:
                    raise ManifestError(
                        field_key(f"{ppath}.requests", rname),
                        f"invalid value {format_quantity(rname, pl_requests[rname])!r}: must be greater than "
                        f"or equal to aggregate container requests of {format_quantity(rname, amount)}",
                    )

    priority = _int_field(spec, "priority", spath, _INT32_MIN, _INT32_MAX)
    scheduler_name = _opt_str(spec, "schedulerName", spath) or DEFAULT_SCHEDULER_NAME
    node_name = _opt_str(spec, "nodeName", spath)
    node_selector = parse_labels(spec.get("nodeSelector"), f"{spath}.nodeSelector")
    affinity = None
    aff = spec.get("affinity")
    if aff is not None:
        apath = f"{spath}.affinity"
        aff = _need_mapping(aff, apath)
        affinity = parse_node_affinity(aff.get("nodeAffinity"), f"{apath}.nodeAffinity")
    tolerations = parse_tolerations(spec.get("tolerations"), f"{spath}.tolerations")

    return Pod(
        name=name,
        namespace=namespace,
        uid=uid,
        labels=labels,
        containers=tuple(containers),
        init_containers=tuple(init_containers),
        overhead=overhead,
        pod_level_requests=pl_requests,
        pod_level_limits=pl_limits,
        priority=priority or 0,
        scheduler_name=scheduler_name,
        node_name=node_name,
        node_selector=node_selector,
        affinity=affinity,
        tolerations=tolerations,
        unsupported=tuple(unsupported),
    )
