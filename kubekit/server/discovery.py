"""API discovery as kube-apiserver serves it, generated from the server's
route table (:func:`kubekit.server.routes.resources_from_kinds`, itself the
store's registered kinds).  Pure: every function returns a JSON body.

    GET /api                   APIVersions            (:func:`api_versions`)
    GET /apis                  APIGroupList           (:func:`api_group_list`)
    GET /api/v1, /apis/G/V     APIResourceList        (:func:`api_resource_list`)
    GET /api, /apis with       APIGroupDiscoveryList  (:func:`aggregated_discovery`, apidiscovery.k8s.io/v2)
      Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList
    GET /version               version.Info           (:func:`version_info`)

What a route table cannot say — upstream's short names and categories per
kind, and each subresource's verbs and response kind — is kept here as data
keyed by kind / subresource name; a kind registered without an entry is
served with no short names and no categories.
"""

from __future__ import annotations

import platform as _platform
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["AGGREGATED_CONTENT_TYPE", "NotAcceptable", "SERVED_MEDIA_TYPES", "VERSION", "aggregated_discovery", "api_group_list", "api_resource_list",
           "api_versions", "discovery_document", "media_types", "negotiate", "resource_entries", "version_info",
           "wants_aggregated"]

#: ``kubectl version``'s server version (``major``/``minor``/``gitVersion``)
VERSION = ("1", "34", "v1.34.0-kubekit")

#: the verbs every kind's main resource serves (:meth:`kubekit.server.api.API.handle`; no deletecollection)
RESOURCE_VERBS = ("create", "delete", "get", "list", "patch", "update", "watch")

#: upstream's ``ShortNames()`` per kind (the REST storages' ``ShortNamesProvider``)
SHORT_NAMES: Mapping[str, tuple[str, ...]] = {
    "Pod": ("po",), "Node": ("no",), "Namespace": ("ns",), "Event": ("ev",), "ConfigMap": ("cm",),
    "Service": ("svc",), "ServiceAccount": ("sa",), "Endpoints": ("ep",), "ReplicationController": ("rc",),
    "PersistentVolume": ("pv",), "PersistentVolumeClaim": ("pvc",), "ResourceQuota": ("quota",),
    "LimitRange": ("limits",), "Deployment": ("deploy",), "ReplicaSet": ("rs",), "DaemonSet": ("ds",),
    "StatefulSet": ("sts",), "CronJob": ("cj",), "HorizontalPodAutoscaler": ("hpa",),
    "PodDisruptionBudget": ("pdb",), "StorageClass": ("sc",), "Ingress": ("ing",), "NetworkPolicy": ("netpol",),
    "PriorityClass": ("pc",), "CustomResourceDefinition": ("crd", "crds"),
}

#: upstream's ``Categories()`` per kind (``kubectl get all``)
CATEGORIES: Mapping[str, tuple[str, ...]] = {
    k: ("all",) for k in ("Pod", "ReplicationController", "Service", "DaemonSet", "Deployment", "ReplicaSet",
                          "StatefulSet", "HorizontalPodAutoscaler", "Job", "CronJob")
}

#: subresources: (group, version, kind) of what they answer (None: the parent's) and their verbs
SUBRESOURCE_INFO: Mapping[str, tuple[tuple[str, str, str] | None, tuple[str, ...]]] = {
    "status": (None, ("get", "patch", "update")),
    "scale": (("autoscaling", "v1", "Scale"), ("get", "patch", "update")),
    "log": (None, ("get",)),
    "exec": (("", "v1", "PodExecOptions"), ("create", "get")),
    "eviction": (("policy", "v1", "Eviction"), ("create",)),
    "finalize": (None, ("update",)),
}

AGGREGATED_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


# -- content negotiation ------------------------------------------------------------------
#: the media types kubekit answers in (the 406's list)
SERVED_MEDIA_TYPES = ("application/json",)
#: the ``Accept`` types that JSON satisfies
_JSON_TYPES = ("application/json", "application/*", "*/*")


class NotAcceptable(ValueError):
    """No media type of the ``Accept`` header can be served: upstream's 406
    (``negotiation.NewNotAcceptableError``)."""

    def __init__(self, accepted: tuple[str, ...] = SERVED_MEDIA_TYPES) -> None:
        super().__init__(f"only the following media types are accepted: {', '.join(accepted)}")

    def status(self) -> dict[str, Any]:
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": str(self),
                "reason": "NotAcceptable", "code": 406}


def _quality(params: dict[str, str]) -> float:
    try:
        q = float(params.pop("q", "1"))
    except ValueError:
        return 0.0
    return q if 0.0 <= q <= 1.0 else 0.0


def media_types(accept: str | None) -> list[tuple[str, dict[str, str]]]:
    """An ``Accept`` header as ``[(type, {param: value})]``, most preferred
    first: by ``q`` (highest first; the client's order among equals), those
    with ``q=0`` (not acceptable) left out; ``q`` is not in the params."""
    out = []
    for part in (accept or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        params = {}
        for f in fields[1:]:
            k, _, v = f.partition("=")
            if k.strip():
                params[k.strip().lower()] = v.strip().strip('"')
        q = _quality(params)
        if q > 0:
            out.append((q, fields[0].lower(), params))
    out.sort(key=lambda t: -t[0])                 # stable: the client's order among equal q
    return [(m, p) for _, m, p in out]


def negotiate(accept: str | None, servable) -> dict[str, str]:
    """The params of the most preferred media type of ``accept`` that is
    JSON and ``servable(params)`` accepts (``{}`` with no ``Accept``:
    plain JSON); :class:`NotAcceptable` when there is none."""
    if not (accept or "").strip():
        return {}
    for mtype, p in media_types(accept):
        if mtype in _JSON_TYPES and servable(p):
            return p
    raise NotAcceptable()


def _discovery_servable(p: Mapping[str, str]) -> bool:
    return "as" not in p or (p.get("g"), p.get("v"), p.get("as")) == ("apidiscovery.k8s.io", "v2",
                                                                      "APIGroupDiscoveryList")


def wants_aggregated(accept: str | None) -> bool:
    """True when the most preferred media type of ``accept`` this server can
    answer is the aggregated discovery list (``apidiscovery.k8s.io/v2``);
    v2beta1 and other ``as=`` are skipped (the client then falls back to
    legacy JSON).  Nothing servable: :class:`NotAcceptable`."""
    return "as" in negotiate(accept, _discovery_servable)


# -- the route table, grouped -------------------------------------------------------------
def _split(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


def _group_versions(routes: Mapping[str, Mapping[str, Any]]) -> dict[str, list[str]]:
    """``{group: [version, ...]}`` in registration order (``""``: the core group)."""
    out: dict[str, list[str]] = {}
    for api_version in routes:
        group, version = _split(api_version)
        out.setdefault(group, [])
        if version not in out[group]:
            out[group].append(version)
    return out


def _sub_info(sub: str, res) -> tuple[tuple[str, str, str], tuple[str, ...]]:
    gvk, verbs = SUBRESOURCE_INFO.get(sub, (None, ("get",)))
    if gvk is None:
        gvk = (*_split(res.api_version), res.kind)
    return gvk, verbs


def resource_entries(resources: Iterable) -> list[dict[str, Any]]:
    """The ``APIResource`` entries of one group version: each resource, then
    its subresources (``pods/log``...), as ``GET /api/v1`` lists them."""
    out: list[dict[str, Any]] = []
    for res in resources:
        group, version = _split(res.api_version)
        entry: dict[str, Any] = {"name": res.plural, "singularName": res.kind.lower(), "namespaced": res.namespaced,
                                 "kind": res.kind, "verbs": list(RESOURCE_VERBS)}
        if SHORT_NAMES.get(res.kind):
            entry["shortNames"] = list(SHORT_NAMES[res.kind])
        if CATEGORIES.get(res.kind):
            entry["categories"] = list(CATEGORIES[res.kind])
        out.append(entry)
        for sub in sorted(res.subresources):
            (g, v, kind), verbs = _sub_info(sub, res)
            sub_entry: dict[str, Any] = {"name": f"{res.plural}/{sub}", "singularName": "",
                                         "namespaced": res.namespaced}
            if (g, v) != (group, version):
                sub_entry["group"], sub_entry["version"] = g, v
            sub_entry.update(kind=kind, verbs=list(verbs))
            out.append(sub_entry)
    return out


# -- legacy discovery ---------------------------------------------------------------------
def api_versions(server_address: str | None = None) -> dict[str, Any]:
    """``GET /api``: ``APIVersions``."""
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address or ""}]}


def api_group_list(routes: Mapping[str, Mapping[str, Any]], extra: Mapping[str, Any] | None = None
                   ) -> dict[str, Any]:
    """``GET /apis``: ``APIGroupList`` of every named group (``extra``:
    more group versions, ``{"metrics.k8s.io/v1beta1": APIResourceList}``)."""
    versions = _group_versions({**routes, **(extra or {})})
    groups = []
    for group, vs in versions.items():
        if not group:
            continue
        gvs = [{"groupVersion": f"{group}/{v}", "version": v} for v in vs]
        groups.append({"name": group, "versions": gvs, "preferredVersion": gvs[0]})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_resource_list(api_version: str, routes: Mapping[str, Mapping[str, Any]]) -> dict[str, Any] | None:
    """``GET /api/v1``, ``GET /apis/G/V``: ``APIResourceList`` (None: not served)."""
    table = routes.get(api_version)
    if table is None:
        return None
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": api_version,
            "resources": resource_entries(table.values())}


# -- aggregated discovery (apidiscovery.k8s.io/v2) ----------------------------------------
def _gvk(group: str, version: str, kind: str) -> dict[str, str]:
    return {"group": group, "version": version, "kind": kind}


def _aggregated_resources(api_version: str, entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``APIResourceDiscovery`` from legacy ``APIResource`` entries (subresources nested)."""
    group, version = _split(api_version)
    out: dict[str, dict[str, Any]] = {}
    for e in entries:
        name, _, sub = e["name"].partition("/")
        gvk = _gvk(e.get("group", group), e.get("version", version), e["kind"])
        if sub:
            parent = out.get(name)
            if parent is not None:
                parent.setdefault("subresources", []).append({"subresource": sub, "responseKind": gvk,
                                                              "verbs": list(e["verbs"])})
            continue
        r: dict[str, Any] = {"resource": name, "responseKind": gvk,
                             "scope": "Namespaced" if e["namespaced"] else "Cluster",
                             "singularResource": e.get("singularName") or e["kind"].lower(), "verbs": list(e["verbs"])}
        for key in ("shortNames", "categories"):
            if e.get(key):
                r[key] = list(e[key])
        out[name] = r
    return list(out.values())


def aggregated_discovery(routes: Mapping[str, Mapping[str, Any]], *, core: bool,
                         extra: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """``GET /api`` (``core``) or ``GET /apis`` as an ``APIGroupDiscoveryList``
    (``extra``: more group versions as legacy ``APIResourceList`` bodies)."""
    lists = {av: resource_entries(t.values()) for av, t in routes.items()}
    for av, body in (extra or {}).items():
        lists[av] = list(body.get("resources") or [])
    items = []
    for group, vs in _group_versions(lists).items():
        if (group == "") != core:
            continue
        versions = [{"version": v, "resources": _aggregated_resources(f"{group}/{v}" if group else v,
                                                                     lists[f"{group}/{v}" if group else v]),
                     "freshness": "Current"} for v in vs]
        meta: dict[str, Any] = {"creationTimestamp": None}
        if group:
            meta["name"] = group
        items.append({"metadata": meta, "versions": versions})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items}


def discovery_document(path: str, routes: Mapping[str, Mapping[str, Any]], *, accept: str | None = None,
                       extra: Mapping[str, Mapping[str, Any]] | None = None,
                       server_address: str | None = None) -> tuple[str, dict[str, Any]] | None:
    """``(content_type, body)`` for a discovery path, None for any other
    path; :class:`NotAcceptable` when ``accept`` lists nothing it can be
    answered in."""
    path = "/" + "/".join(p for p in path.split("/") if p)
    if path in ("/api", "/apis"):
        if wants_aggregated(accept):
            return AGGREGATED_CONTENT_TYPE, aggregated_discovery(routes, core=path == "/api", extra=extra)
        if path == "/api":
            return "application/json", api_versions(server_address)
        return "application/json", api_group_list(routes, extra)
    parts = path.strip("/").split("/")
    if len(parts) == 2 and parts[0] == "api":
        api_version = parts[1]
    elif len(parts) == 3 and parts[0] == "apis":
        api_version = f"{parts[1]}/{parts[2]}"
    else:
        return None
    if extra and api_version in extra:
        body = dict(extra[api_version])
    else:
        body = api_resource_list(api_version, routes)
        if body is None:
            return None
    negotiate(accept, lambda p: "as" not in p)       # an APIResourceList is plain JSON only (else 406)
    return "application/json", body


def version_info() -> dict[str, str]:
    """``GET /version``: ``version.Info``."""
    major, minor, git = VERSION
    machine = {"x86_64": "amd64", "aarch64": "arm64"}.get(_platform.machine(), _platform.machine())
    return {"major": major, "minor": minor, "emulationMajor": major, "emulationMinor": minor,
            "minCompatibilityMajor": major, "minCompatibilityMinor": str(int(minor) - 1), "gitVersion": git,
            "gitCommit": "", "gitTreeState": "clean", "buildDate": "1970-01-01T00:00:00Z",
            "goVersion": f"python{_platform.python_version()}", "compiler": "cpython",
            "platform": f"linux/{machine}"}
