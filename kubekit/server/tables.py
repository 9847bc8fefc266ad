"""Server-side printing: objects and lists as a ``meta.k8s.io/v1`` ``Table``
(what ``kubectl get`` asks for with ``Accept: application/json;as=Table;v=v1;g=meta.k8s.io``).
Pure.

The columns and cells are ``kubekit get``'s (:mod:`kubekit.kubectl.tables`):
its ``-o wide`` extras are columns of priority 1, which kubectl shows only
with ``-o wide``.  A kind without columns there gets upstream's default
table (Name, Age).  Each row carries its object as ``includeObject`` asks:
``Metadata`` (the default: a ``PartialObjectMetadata``), ``Object`` or ``None``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from kubekit.kubectl import tables as printers
from kubekit.kubectl.age import age
from kubekit.server.discovery import negotiate

__all__ = ["TABLE_VERSIONS", "column_definitions", "table_content_type", "table_version", "to_table", "watch_tables"]

#: the Table versions a client may ask for, as upstream serves them
TABLE_VERSIONS = ("v1", "v1beta1")

_NAME_DOC = ("Name must be unique within a namespace. Is required when creating resources, although some resources "
             "may allow a client to request the generation of an appropriate name automatically. Name is primarily "
             "intended for creation idempotence and configuration definition. Cannot be updated. More info: "
             "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names")
_AGE_DOC = ("CreationTimestamp is a timestamp representing the server time when this object was created. It is not "
            "guaranteed to be set in happens-before order across separate operations. Clients may not set this "
            "value. It is represented in RFC3339 form and is in UTC.")


def table_version(accept: str | None) -> str | None:
    """The Table version (``v1``, ``v1beta1``) when the most preferred media
    type of ``accept`` (by ``q``, :func:`~kubekit.server.discovery.media_types`)
    this server can answer is a ``meta.k8s.io`` Table; None for plain JSON;
    :class:`~kubekit.server.discovery.NotAcceptable` (406) when it can
    answer none of them (``as=Table;v=v2`` only, ``text/html`` only...)."""
    p = negotiate(accept, lambda p: "as" not in p or (p.get("as") == "Table" and p.get("g") == "meta.k8s.io"
                                                      and p.get("v") in TABLE_VERSIONS))
    return p["v"] if "as" in p else None


def table_content_type(version: str) -> str:
    return f"application/json;as=Table;v={version};g=meta.k8s.io"


def _title(header: str) -> str:
    """``NOMINATED NODE`` → ``Nominated Node`` (kubectl prints headers upper-cased)."""
    return " ".join(w.capitalize() for w in header.split(" "))


def _printer(kind: str):
    """``(headers, wide_from, row(obj, now) -> cells)`` from kubekit get's columns."""
    try:
        base = printers.columns(kind)
        headers = printers.columns(kind, wide=True)
    except KeyError:                     # no printer: upstream's default table convertor, with kubectl's AGE
        return ["NAME", "AGE"], 2, lambda o, now: [(o.get("metadata") or {}).get("name", ""),
                                                   age((o.get("metadata") or {}).get("creationTimestamp"), now)]
    return headers, len(base), lambda o, now: printers.table_for(kind, [o], now, wide=True).rows[0]


def column_definitions(kind: str) -> list[dict[str, Any]]:
    """``TableColumnDefinition`` of ``kind``'s columns (wide ones: priority 1)."""
    headers, wide_from, _ = _printer(kind)
    out = []
    for i, h in enumerate(headers):
        name = _title(h)
        d: dict[str, Any] = {"name": name, "type": "string", "format": "", "description": f"{name} of the {kind}.",
                             "priority": 0 if i < wide_from else 1}
        if h == "NAME":
            d.update(format="name", description=_NAME_DOC)
        elif h == "AGE":
            d["description"] = _AGE_DOC
        out.append(d)
    return out


def _row_object(obj: Mapping[str, Any], include: str, version: str) -> dict[str, Any] | None:
    if include == "None":
        return None
    if include == "Object":
        return dict(obj)
    return {"kind": "PartialObjectMetadata", "apiVersion": f"meta.k8s.io/{version}",
            "metadata": dict(obj.get("metadata") or {})}


def to_table(body: Mapping[str, Any], kind: str, *, version: str = "v1", include_object: str = "Metadata",
             now: float | None = None, headers: bool = True) -> dict[str, Any]:
    """A list body (``items``) or one object as a ``Table`` of ``kind``
    (``include_object``: ``Metadata``, ``Object`` or ``None``; ``headers``
    False leaves out columnDefinitions, as upstream does for watch events
    after the first)."""
    now = time.time() if now is None else now
    include = include_object or "Metadata"
    if include not in ("Metadata", "Object", "None"):
        from kubekit.server.status import BadRequest
        raise BadRequest(f'unrecognized includeObject value: "{include}"')
    _, _, row = _printer(kind)
    is_list = isinstance(body.get("items"), list)
    objects = list(body["items"]) if is_list else [body]
    if is_list:
        meta = {k: v for k, v in (body.get("metadata") or {}).items()
                if k in ("resourceVersion", "continue", "remainingItemCount")}
    else:
        meta = {k: v for k, v in (body.get("metadata") or {}).items() if k == "resourceVersion"}
    rows = []
    for o in objects:
        r: dict[str, Any] = {"cells": row(o, now)}
        obj = _row_object(o, include, version)
        if obj is not None:
            r["object"] = obj
        rows.append(r)
    return {"kind": "Table", "apiVersion": f"meta.k8s.io/{version}", "metadata": meta,
            "columnDefinitions": column_definitions(kind) if headers else [], "rows": rows}


def watch_tables(events, kind: str, version: str = "v1", include_object: str = "Metadata"):
    """Watch events whose objects are Tables of one row (``kubectl get -w``);
    only the first carries the columnDefinitions (upstream sets ``NoHeaders``
    after the first object); ``ERROR`` and ``BOOKMARK`` events pass through;
    None (keep-alives) are dropped."""
    headers = True
    for ev in events:
        if ev is None:
            continue
        if ev.get("type") in ("ADDED", "MODIFIED", "DELETED") and isinstance(ev.get("object"), Mapping):
            ev = dict(ev, object=to_table(ev["object"], kind, version=version, include_object=include_object,
                                          headers=headers))
            headers = False
        yield ev
