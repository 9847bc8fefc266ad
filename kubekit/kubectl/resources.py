"""Resource names as kubectl accepts them (``po``, ``pods``, ``deploy``,
``deployment.apps``...) and the REST paths of kubekit serve.  Pure."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ResourceType", "RESOURCES", "UnknownResource", "resolve", "resource_for_kind", "split_type_name"]


class UnknownResource(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f'the server doesn\'t have a resource type "{name}"')


@dataclass(frozen=True, slots=True)
class ResourceType:
    kind: str
    api_version: str
    plural: str
    namespaced: bool
    aliases: tuple[str, ...] = ()

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def display(self) -> str:
        """``pod``, ``deployment.apps``: how kubectl names the type in output."""
        return f"{self.singular}.{self.group}" if self.group else self.singular

    def path(self, namespace: str | None = None, name: str | None = None, sub: str | None = None) -> str:
        base = f"/apis/{self.api_version}" if self.group else f"/api/{self.api_version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{namespace}"
        base += f"/{self.plural}"
        if name:
            base += f"/{name}"
            if sub:
                base += f"/{sub}"
        return base


RESOURCES: tuple[ResourceType, ...] = (
    ResourceType("Pod", "v1", "pods", True, ("po", "pod")),
    ResourceType("Node", "v1", "nodes", False, ("no", "node")),
    ResourceType("Namespace", "v1", "namespaces", False, ("ns", "namespace")),
    ResourceType("Event", "v1", "events", True, ("ev", "event")),
    ResourceType("Deployment", "apps/v1", "deployments", True, ("deploy", "deployment")),
    ResourceType("ReplicaSet", "apps/v1", "replicasets", True, ("rs", "replicaset")),
    ResourceType("Lease", "coordination.k8s.io/v1", "leases", True, ("lease",)),
    ResourceType("ConfigMap", "v1", "configmaps", True, ("cm", "configmap")),
    ResourceType("Secret", "v1", "secrets", True, ("secret",)),
    ResourceType("HorizontalPodAutoscaler", "autoscaling/v2", "horizontalpodautoscalers", True,
                 ("hpa", "horizontalpodautoscaler")),
    ResourceType("PersistentVolume", "v1", "persistentvolumes", False, ("pv", "persistentvolume")),
    ResourceType("PersistentVolumeClaim", "v1", "persistentvolumeclaims", True, ("pvc", "persistentvolumeclaim")),
    ResourceType("StorageClass", "storage.k8s.io/v1", "storageclasses", False, ("sc", "storageclass")),
)


def resolve(name: str) -> ResourceType:
    """``po``/``pod``/``pods``/``Pod``/``pods.v1``/``deployments.apps`` → the type."""
    n = name.strip().lower()
    base, _, group = n.partition(".")
    for r in RESOURCES:
        if base in (r.plural, r.singular, *r.aliases) and group in ("", r.group, r.api_version.lower()):
            return r
    raise UnknownResource(name)


def resource_for_kind(api_version: str, kind: str) -> ResourceType:
    """The type of a manifest (``apps/v1``, ``Deployment``)."""
    for r in RESOURCES:
        if r.kind == kind and r.api_version == api_version:
            return r
    raise UnknownResource(f"{kind}.{api_version}" if api_version else kind)


def split_type_name(args: list[str]) -> list[tuple[ResourceType, str | None]]:
    """kubectl's argument forms: ``pods``; ``pods web db``; ``pod/web deploy/api``;
    ``pods,deployments``.  Returns (type, name or None) pairs."""
    if not args:
        raise ValueError("you must specify the type of resource to get")
    if "/" in args[0]:
        out = []
        for a in args:
            t, sep, n = a.partition("/")
            if not sep or not n:
                raise ValueError(f"there is no need to specify a resource type as a separate argument when "
                                 f"passing arguments in resource/name form (e.g. 'kubekit get resource/<name>' "
                                 f"instead of 'kubekit get resource <name>'): {a!r}")
            out.append((resolve(t), n))
        return out
    types = [resolve(t) for t in args[0].split(",") if t]
    names = args[1:]
    if names and len(types) > 1:
        raise ValueError("names can only be given with a single resource type")
    if not names:
        return [(t, None) for t in types]
    return [(types[0], n) for n in names]
