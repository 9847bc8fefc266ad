"""Which kinds the object store knows, as data.

A :class:`Kind` says where objects of a kind live in the key space
(``/registry/<plural>/<namespace>/<name>``, or ``/registry/<plural>/<name>``
for cluster-scoped kinds), whether ``status`` is a subresource (then a plain
update keeps the stored status and only :meth:`APIStore.update_status`
changes it), which fields a field selector may name (and which of them the
watch cache indexes), whether the server keeps ``metadata.generation``
(as Kubernetes, only for the kinds whose strategy does), and whether
objects expire (Events: one hour after their last write, as
kube-apiserver's ``--event-ttl``; a KV lease does it).  Another engineer's
kind is one :meth:`Kinds.register` call.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable, Iterator, Mapping

from kubekit.errors import InvalidObjectError, SelectorError

__all__ = ["Kind", "Kinds", "DEFAULT_KINDS", "field_value", "field_values", "with_graceful_pods"]

_META_FIELDS = ("metadata.name", "metadata.namespace")


@dataclass(frozen=True, slots=True)
class Kind:
    kind: str                       # "Pod"
    api_version: str                # "v1", "apps/v1", "coordination.k8s.io/v1"
    plural: str                     # "pods": names keys and error messages
    namespaced: bool = True
    status_subresource: bool = True
    selectable_fields: tuple[str, ...] = ()   # beyond metadata.name / metadata.namespace
    indexed_fields: tuple[str, ...] = ()      # the watch cache indexes these (field selectors with =)
    ttl_seconds: int | None = None            # objects expire this long after their last write (Events)
    # A delete waits a grace period for the node agent (Kubernetes does this
    # for pods).  Off for the default Pod kind until a node agent completes
    # deletions: see docs/store.md, "Graceful deletion".
    graceful_deletion: bool = False
    # The server keeps metadata.generation (1 at create, +1 when the spec
    # changes or the object is first marked for deletion).  Kubernetes does
    # it only for kinds whose registry strategy sets it (workloads, Pods,
    # PodDisruptionBudgets, custom resources); a Node, Lease, Event,
    # ConfigMap or HorizontalPodAutoscaler has no generation at all.
    generation: bool = True

    @property
    def resource(self) -> str:
        """The API server's name for error messages: ``pods``,
        ``deployments.apps``, ``leases.coordination.k8s.io``."""
        group = self.api_version.rpartition("/")[0]
        return f"{self.plural}.{group}" if group else self.plural

    def prefix(self, namespace: str | None = None) -> str:
        """The key prefix of every object of this kind (in ``namespace``)."""
        if self.namespaced and namespace:
            return f"/registry/{self.plural}/{namespace}/"
        return f"/registry/{self.plural}/"

    def key(self, namespace: str | None, name: str) -> str:
        if self.namespaced:
            return f"/registry/{self.plural}/{namespace}/{name}"
        return f"/registry/{self.plural}/{name}"


class Kinds:
    """A registry of kinds by name (``"Pod"``) and plural (``"pods"``)."""

    def __init__(self, kinds: Iterable[Kind] = ()) -> None:
        self._by_name: dict[str, Kind] = {}
        for k in kinds:
            self.register(k)

    def register(self, kind: Kind) -> None:
        self._by_name[kind.kind] = kind
        self._by_name[kind.plural] = kind

    def get(self, name: str) -> Kind:
        k = self._by_name.get(name)
        if k is None:
            known = ", ".join(sorted({k.kind for k in self._by_name.values()}))
            raise InvalidObjectError(f"kind {name!r} is not registered (known: {known})")
        return k

    def __iter__(self) -> Iterator[Kind]:
        seen = set()
        for k in self._by_name.values():
            if k.kind not in seen:
                seen.add(k.kind)
                yield k

    def copy(self) -> "Kinds":
        return Kinds(self)


def with_graceful_pods(kinds: "Kinds") -> "Kinds":
    """A copy of ``kinds`` whose Pods are deleted gracefully (Kubernetes'
    behaviour: a bound pod waits for its node agent's final delete)."""
    out = kinds.copy()
    out.register(replace(out.get("Pod"), graceful_deletion=True))
    return out


DEFAULT_KINDS = Kinds([
    Kind("Pod", "v1", "pods", selectable_fields=(
        "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
        "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"),
         indexed_fields=("spec.nodeName",)),
    Kind("Node", "v1", "nodes", namespaced=False, generation=False, selectable_fields=("spec.unschedulable",)),
    Kind("Namespace", "v1", "namespaces", namespaced=False, generation=False, selectable_fields=("status.phase",)),
    Kind("Event", "v1", "events", status_subresource=False, generation=False, ttl_seconds=3600, selectable_fields=(
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
        "reason", "reportingComponent", "source", "type")),
    Kind("Deployment", "apps/v1", "deployments"),
    Kind("ReplicaSet", "apps/v1", "replicasets", selectable_fields=("status.replicas",)),
    Kind("Lease", "coordination.k8s.io/v1", "leases", status_subresource=False, generation=False),
    Kind("ConfigMap", "v1", "configmaps", status_subresource=False, generation=False),
    Kind("Secret", "v1", "secrets", status_subresource=False, generation=False, selectable_fields=("type",)),
    Kind("HorizontalPodAutoscaler", "autoscaling/v2", "horizontalpodautoscalers", generation=False),
    Kind("PodDisruptionBudget", "policy/v1", "poddisruptionbudgets"),
    # storage: see docs/persistent-volumes.md
    Kind("PersistentVolume", "v1", "persistentvolumes", namespaced=False, generation=False,
         selectable_fields=("status.phase",)),
    Kind("PersistentVolumeClaim", "v1", "persistentvolumeclaims", generation=False),
    Kind("StorageClass", "storage.k8s.io/v1", "storageclasses", namespaced=False, status_subresource=False,
         generation=False),
])


def field_value(obj: Mapping[str, Any], path: str) -> str:
    """The value of a dotted field path as a field selector sees it."""
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, Mapping):
            return ""
        cur = cur.get(part)
        if cur is None:
            return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    if isinstance(cur, Mapping) and path == "source":  # Event.source: "component" as the API server does
        return str(cur.get("component", ""))
    return str(cur)


def field_values(kind: Kind, obj: Mapping[str, Any], fields: Iterable[str]) -> dict[str, str]:
    """The values of ``fields`` in ``obj`` as a field selector sees them
    (missing = ``""``, booleans ``"true"``/``"false"``).  A field the kind
    does not support is :class:`SelectorError` (the API server's 400)."""
    out = {}
    for f in fields:
        if f not in _META_FIELDS and f not in kind.selectable_fields:
            raise SelectorError(f'field label not supported: {f} (for {kind.kind}: '
                                f'{", ".join(_META_FIELDS + kind.selectable_fields)})')
        out[f] = field_value(obj, f)
    return out
