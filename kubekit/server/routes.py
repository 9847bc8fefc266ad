"""Kubernetes REST paths to (kind, namespace, name, subresource), as data.

Pure: :func:`parse_path` reads a URL path against a table of
:class:`Resource` (built from the store's kinds by :func:`resources_from_kinds`)
and returns a :class:`Route`, or raises :class:`RouteNotFound`.

    /api/v1/namespaces/default/pods              Pod, ns=default (collection)
    /api/v1/namespaces/default/pods/web/status   Pod, ns=default, name=web, subresource=status
    /api/v1/pods                                 Pod, every namespace
    /api/v1/nodes/n1                             Node n1
    /apis/apps/v1/namespaces/default/deployments/web/scale
    /api/v1/namespaces/kube-system               the Namespace kube-system
    /api/v1/namespaces/kube-system/finalize      its finalize subresource
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["Resource", "Route", "RouteNotFound", "parse_path", "resources_from_kinds", "SUBRESOURCES"]

#: subresources the server answers, per kind (``status`` for kinds with a status subresource).
SUBRESOURCES: Mapping[str, frozenset[str]] = {
    "Deployment": frozenset({"scale"}),
    "ReplicaSet": frozenset({"scale"}),
    "Pod": frozenset({"eviction", "log", "exec"}),
    "Namespace": frozenset({"finalize"}),        # PUT: the namespace controller's spec.finalizers
}


class RouteNotFound(LookupError):
    """No resource lives at this path (the API server's 404 for an unknown path)."""


@dataclass(frozen=True, slots=True)
class Resource:
    kind: str               # "Deployment"
    api_version: str        # "apps/v1"
    plural: str             # "deployments"
    namespaced: bool
    subresources: frozenset[str]

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    @property
    def qualified(self) -> str:
        """``deployments.apps``, ``pods``: the name in error messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


@dataclass(frozen=True, slots=True)
class Route:
    resource: Resource
    namespace: str | None = None     # None: cluster-scoped, or every namespace
    name: str | None = None          # None: the collection
    subresource: str | None = None


def resources_from_kinds(kinds: Iterable) -> dict[str, dict[str, Resource]]:
    """``{api_version: {plural: Resource}}`` for the store's kinds
    (:class:`kubekit.store.kinds.Kind` or anything with the same fields)."""
    out: dict[str, dict[str, Resource]] = {}
    for k in kinds:
        subs = set(SUBRESOURCES.get(k.kind, ()))
        if k.status_subresource:
            subs.add("status")
        out.setdefault(k.api_version, {})[k.plural] = Resource(k.kind, k.api_version, k.plural, k.namespaced,
                                                                 frozenset(subs))
    return out


def _api_version(parts: list[str]) -> tuple[str, list[str]]:
    if len(parts) >= 2 and parts[0] == "api":
        return parts[1], parts[2:]
    if len(parts) >= 3 and parts[0] == "apis":
        return f"{parts[1]}/{parts[2]}", parts[3:]
    raise RouteNotFound("/" + "/".join(parts))


def parse_path(path: str, table: Mapping[str, Mapping[str, Resource]]) -> Route:
    """The route of a URL path (without the query string)."""
    parts = [p for p in path.split("/") if p]
    api_version, rest = _api_version(parts)
    group = table.get(api_version)
    if group is None or not rest:
        raise RouteNotFound(path)
    ns: str | None = None
    if rest[0] == "namespaces" and len(rest) >= 3 and rest[2] in group:
        ns, rest = rest[1], rest[2:]
    res = group.get(rest[0])
    if res is None or len(rest) > 3:
        raise RouteNotFound(path)
    if ns is not None and not res.namespaced:
        raise RouteNotFound(path)
    name = rest[1] if len(rest) >= 2 else None
    sub = rest[2] if len(rest) == 3 else None
    if sub is not None and sub not in res.subresources:
        raise RouteNotFound(path)
    if res.namespaced and name is not None and ns is None:
        raise RouteNotFound(path)       # /api/v1/pods/x: a namespaced object needs its namespace
    return Route(res, ns, name, sub)

