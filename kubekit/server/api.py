"""The API server's verbs over an :class:`~kubekit.store.APIStore`, without
HTTP: get, list, create, update, patch, delete, watch and the ``status``,
``scale`` and ``eviction`` subresources.  Each returns ``(code, body)``;
:meth:`API.watch` returns an iterator of watch events.  Errors are raised
(kubekit's store errors, :class:`~kubekit.validation.InvalidError`,
:class:`~kubekit.server.status.BadRequest`...) and turned into Status
bodies by the transport (:func:`kubekit.server.status.status_for`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from kubekit.errors import CompactedError, ConflictError
from kubekit.server.patch import MERGE_PATCH, STRATEGIC_MERGE_PATCH, apply_patch, patch_type
from kubekit.server.routes import Route
from kubekit.server.scale import scale_of, with_replicas
from kubekit.server.status import BadRequest, MethodNotAllowed, int_param, status, status_for, success_status

__all__ = ["API", "Request", "prepare_for_create", "MERGE_PATCH", "STRATEGIC_MERGE_PATCH"]

_UPDATE_RETRIES = 20
#: kinds whose status a create resets, as their registry strategies do (``PrepareForCreate``).
_FRESH_STATUS = {"Pod": {"phase": "Pending"}, "Deployment": {}, "ReplicaSet": {}}


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    route: Route
    query: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    content_type: str = "application/json"


def prepare_for_create(obj: Mapping[str, Any], route: Route) -> dict[str, Any]:
    """The object a create stores before defaulting and validation: kind and
    apiVersion from the URL when missing (a mismatch is 400), the URL's
    namespace (a different one in the body is 400), no resourceVersion, and
    the status reset for kinds whose status only controllers write."""
    if not isinstance(obj, Mapping):
        raise BadRequest(f"the request body must be a JSON object, got {type(obj).__name__}")
    res = route.resource
    out = dict(obj)
    if out.setdefault("kind", res.kind) != res.kind:
        raise BadRequest(f"the kind of the provided object ({out['kind']!r}) does not match the URL ({res.kind!r})")
    if out.setdefault("apiVersion", res.api_version) != res.api_version:
        raise BadRequest(f"the apiVersion of the provided object ({out['apiVersion']!r}) does not match the URL "
                         f"({res.api_version!r})")
    meta = dict(out.get("metadata") or {})
    if res.namespaced:
        ns = meta.get("namespace")
        if ns and route.namespace and ns != route.namespace:
            raise BadRequest("the namespace of the provided object does not match the namespace sent on the request")
        meta["namespace"] = ns or route.namespace or "default"
    meta.pop("resourceVersion", None)
    out["metadata"] = meta
    if res.kind in _FRESH_STATUS:
        out["status"] = dict(_FRESH_STATUS[res.kind])
    return out


def _without_rv(obj: Mapping[str, Any]) -> dict[str, Any]:
    return dict(obj, metadata={k: v for k, v in (obj.get("metadata") or {}).items() if k != "resourceVersion"})


def _truthy(v: str | None) -> bool:
    return v is not None and v.lower() in ("1", "true", "yes", "")


class API:
    """Serves requests against ``store``.  ``on_write`` is called after every
    successful write (the control loop uses it to wake up at once);
    ``stopping`` ends open watches."""

    def __init__(self, store, *, on_write: Callable[[str], None] | None = None,
                 stopping: threading.Event | None = None, validate: bool = True) -> None:
        self.store = store
        self.on_write = on_write or (lambda _verb: None)
        self.stopping = stopping or threading.Event()
        self.validate = validate

    # -- validation ----------------------------------------------------------------------
    def _check(self, obj: dict) -> dict:
        if not self.validate:
            return obj
        from kubekit.validation import check
        return check(obj)

    def _check_update(self, new: dict, old: dict) -> dict:
        if not self.validate:
            return new
        from kubekit.validation import check_update
        return check_update(new, old)

    # -- dispatch ------------------------------------------------------------------------
    def handle(self, req: Request) -> tuple[int, Any]:
        r = req.route
        m = req.method
        if r.subresource == "scale":
            return self._scale(req)
        if r.subresource == "eviction":
            if m != "POST":
                raise MethodNotAllowed(f"{m} is not supported on pods/eviction (use POST)")
            return self._evict(req)
        if r.name is None:
            if m == "GET":
                return self._list(req)
            if m == "POST":
                return self._create(req)
            raise MethodNotAllowed(f"{m} is not supported on a collection of {r.resource.qualified}")
        if m == "GET":
            obj = self.store.get(r.resource.kind, r.namespace, r.name)
            return 200, obj
        if m == "PUT":
            return self._update(req)
        if m == "PATCH":
            return self._patch(req)
        if m == "DELETE" and r.subresource is None:
            return self._delete(req)
        raise MethodNotAllowed(f"{m} is not supported on {r.resource.qualified}"
                               + (f"/{r.subresource}" if r.subresource else ""))

    # -- reads ---------------------------------------------------------------------------
    def _list(self, req: Request) -> tuple[int, Any]:
        r, q = req.route, req.query
        res = r.resource
        limit = int_param(q, "limit")
        kw = dict(label_selector=q.get("labelSelector") or None, field_selector=q.get("fieldSelector") or None)
        meta: dict[str, Any] = {}
        if limit:
            items, rv, token = self.store.list_page(res.kind, r.namespace, limit=limit,
                                                    continue_=q.get("continue") or None, **kw)
            if token:
                meta["continue"] = token
        else:
            items, rv = self.store.list(res.kind, r.namespace, **kw)
        meta["resourceVersion"] = rv
        return 200, {"kind": f"{res.kind}List", "apiVersion": res.api_version, "metadata": meta, "items": items}

    def watch(self, req: Request, *, poll: float = 0.5) -> Iterator[dict | None]:
        """Watch events as ``{"type": ..., "object": ...}``; ``None`` now and
        then while nothing happens (so the transport can notice a gone client
        or a stopping server).  Opening the watch raises CompactedError (410)
        for a too old resourceVersion; a watch that falls behind the
        compacted history later ends with an ERROR event holding that Status."""
        r, q = req.route, req.query
        fields = q.get("fieldSelector") or ""
        if r.name is not None:
            fields = ",".join(f for f in (fields, f"metadata.name={r.name}") if f)
        timeout = int_param(q, "timeoutSeconds")
        w = self.store.watch(r.resource.kind, r.namespace, resource_version=q.get("resourceVersion") or None,
                             label_selector=q.get("labelSelector") or None, field_selector=fields or None,
                             bookmarks=_truthy(q.get("allowWatchBookmarks")) if "allowWatchBookmarks" in q else False)
        return self._stream(w, timeout, poll)

    def _stream(self, w, timeout: int | None, poll: float) -> Iterator[dict | None]:
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while not self.stopping.is_set():
                left = poll if deadline is None else min(poll, deadline - time.monotonic())
                if left <= 0:
                    return
                try:
                    batch = w.next_batch(left)
                except CompactedError as e:
                    yield {"type": "ERROR", "object": status_for(e)}
                    return
                if not batch:
                    yield None
                for ev in batch:
                    yield {"type": ev.type, "object": ev.object}
        finally:
            w.close()

    # -- writes --------------------------------------------------------------------------
    def _create(self, req: Request) -> tuple[int, Any]:
        obj = self._check(prepare_for_create(req.body, req.route))
        out = self.store.create(obj)
        self.on_write("create")
        return 201, out

    def _body_object(self, req: Request) -> dict:
        body = req.body
        if not isinstance(body, dict):
            raise BadRequest("the request body must be a JSON object")
        r = req.route
        name = (body.get("metadata") or {}).get("name")
        if name is not None and name != r.name:
            raise BadRequest(f"the name of the object ({name}) does not match the name on the URL ({r.name})")
        ns = (body.get("metadata") or {}).get("namespace")
        if r.resource.namespaced and ns and ns != r.namespace:
            raise BadRequest("the namespace of the provided object does not match the namespace sent on the request")
        out = dict(body)
        out.setdefault("kind", r.resource.kind)
        out.setdefault("apiVersion", r.resource.api_version)
        meta = dict(out.get("metadata") or {}, name=r.name)
        if r.resource.namespaced:
            meta["namespace"] = r.namespace
        out["metadata"] = meta
        return out

    def _write(self, route: Route, make: Callable[[dict], dict], *, status_only: bool) -> dict:
        """Read, build the new object, validate it as an update, write.  When
        ``make`` gives no resourceVersion the write is unconditional (retried
        on conflict); with one, a stale version is a 409."""
        res = route.resource
        for _ in range(_UPDATE_RETRIES):
            old = self.store.get(res.kind, route.namespace, route.name)
            new = make(old)
            conditional = bool((new.get("metadata") or {}).get("resourceVersion"))
            if not conditional:
                new = dict(new, metadata=dict(new.get("metadata") or {},
                                              resourceVersion=old["metadata"]["resourceVersion"]))
            if status_only:         # the status subresource changes status only (PrepareForUpdate)
                new = dict(old, status=new.get("status"), metadata=dict(old["metadata"],
                                                                        resourceVersion=new["metadata"]["resourceVersion"]))
            elif "status" in res.subresources:      # ... and the main resource everything but status
                new = dict(new, status=old.get("status"))
                if new["status"] is None:
                    del new["status"]
            new = self._check_update(new, old)
            try:
                out = self.store.update_status(new) if status_only else self.store.update(new)
            except ConflictError:
                if conditional:
                    raise
                continue
            self.on_write("update")
            return out
        raise ConflictError(f'Operation cannot be fulfilled on {res.qualified} "{route.name}": '
                            f"gave up after {_UPDATE_RETRIES} attempts under contention")

    def _update(self, req: Request) -> tuple[int, Any]:
        body = self._body_object(req)
        return 200, self._write(req.route, lambda _old: body, status_only=req.route.subresource == "status")

    def _patch_body(self, req: Request, kind: str | None) -> tuple[str, dict]:
        """The patch type (415 for one kubekit does not apply to ``kind``;
        ``kind`` None: the Scale subresource) and the patch."""
        ctype = patch_type(req.content_type, kind)
        if not isinstance(req.body, dict):
            raise BadRequest("a merge patch must be a JSON object" if ctype == MERGE_PATCH
                             else "a strategic merge patch must be a JSON object")
        return ctype, req.body

    def _patch(self, req: Request) -> tuple[int, Any]:
        r = req.route
        ctype, patch = self._patch_body(req, r.resource.kind)

        def make(old: dict) -> dict:
            new = apply_patch(ctype, _without_rv(old), patch, r.resource.kind)
            m = new.get("metadata") or {}
            if m.get("name") != r.name or (r.resource.namespaced and m.get("namespace") != r.namespace):
                raise BadRequest("a patch may not change metadata.name or metadata.namespace")
            return new
        return 200, self._write(r, make, status_only=r.subresource == "status")

    def _delete(self, req: Request) -> tuple[int, Any]:
        r, q = req.route, req.query
        opts = req.body if isinstance(req.body, dict) else {}
        return 200, self._do_delete(r, opts, q)

    def _do_delete(self, r: Route, opts: Mapping[str, Any], q: Mapping[str, str]) -> dict:
        propagation = q.get("propagationPolicy") or opts.get("propagationPolicy") or "Background"
        grace = int_param(q, "gracePeriodSeconds")
        if grace is None and opts.get("gracePeriodSeconds") is not None:
            grace = int(opts["gracePeriodSeconds"])
        pre = {k: v for k, v in (opts.get("preconditions") or {}).items() if v}
        out = self.store.delete(r.resource.kind, r.namespace, r.name, propagation=propagation,
                                preconditions=pre or None, grace_period_seconds=grace)
        self.on_write("delete")
        return out

    def _evict(self, req: Request) -> tuple[int, Any]:
        from kubekit.autoscaling.cluster.removal import eviction_verdict

        body = req.body if isinstance(req.body, dict) else {}
        verdict = eviction_verdict(self.store, req.route.namespace, req.route.name)   # PodDisruptionBudgets
        if not verdict.allowed:
            reason = "TooManyRequests" if verdict.code == 429 else "InternalError"
            return verdict.code, status(verdict.code, reason, verdict.message,
                                        {"causes": [{"reason": "DisruptionBudget", "message": verdict.message}]})
        self._do_delete(req.route, body.get("deleteOptions") or {}, {})
        return 201, success_status(201)

    def _scale(self, req: Request) -> tuple[int, Any]:
        r, m = req.route, req.method
        res = r.resource
        if m == "GET":
            return 200, scale_of(self.store.get(res.kind, r.namespace, r.name))
        if m == "PUT":
            body = req.body if isinstance(req.body, dict) else {}
            return 200, scale_of(self._write(r, lambda old: with_replicas(_without_rv(old), body), status_only=False))
        if m == "PATCH":
            ctype, patch = self._patch_body(req, None)

            def make(old: dict) -> dict:
                sc = scale_of(_without_rv(old))
                return with_replicas(_without_rv(old), apply_patch(ctype, sc, patch, None))
            return 200, scale_of(self._write(r, make, status_only=False))
        raise MethodNotAllowed(f"{m} is not supported on {res.qualified}/scale")
