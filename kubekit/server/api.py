"""The API server's verbs over an :class:`~kubekit.store.APIStore`, without
HTTP: get, list, create, update, patch, delete, watch and the ``status``,
``scale``, ``eviction`` and (namespaces) ``finalize`` subresources.  Every
write passes the admission chain first (:mod:`kubekit.server.admission`:
NamespaceLifecycle).  Namespaces are written with their registry's rules
(:class:`kubekit.store.namespaces.NamespaceStore`).  Each returns ``(code, body)``;
:meth:`API.watch` returns an iterator of watch events.  Errors are raised
(kubekit's store errors, :class:`~kubekit.validation.InvalidError`,
:class:`~kubekit.server.status.BadRequest`...) and turned into Status
bodies by the transport (:func:`kubekit.server.status.status_for`).
"""

from __future__ import annotations

import copy
import datetime
import math
import operator
import struct
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from kubekit.errors import AlreadyExistsError, CompactedError, ConflictError, NotFoundError
from kubekit.server.admission import AdmissionDenied, Attributes, admit, default_plugins
from kubekit.server.patch import (
    JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, PatchRejected, apply_patch, patch_type,
)
from kubekit.server.routes import Route
from kubekit.server.scale import scale_of, with_replicas
from kubekit.server.status import BadRequest, MethodNotAllowed, int_param, status, status_for, success_status
from kubekit.store.meta import without_resource_version as _without_rv

__all__ = ["API", "Request", "prepare_for_create", "dry_run_store", "JSON_PATCH", "MERGE_PATCH",
           "STRATEGIC_MERGE_PATCH"]

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
    user_agent: str = ""          # the default field manager (upstream ``prefixFromUserAgent``)


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
    if res.kind == "Namespace" and not res.group:      # the namespace strategy's PrepareForCreate
        from kubekit.store.namespaces import prepare_for_create as prepare_namespace

        out = prepare_namespace(out)
    return out


def _truthy(v: str | None) -> bool:
    return v is not None and v.lower() in ("1", "true", "yes", "")


#: Go's strconv.ParseBool, how query parameters such as ``force`` are read
_PARSE_BOOL = {**dict.fromkeys(("1", "t", "T", "TRUE", "true", "True"), True),
               **dict.fromkeys(("0", "f", "F", "FALSE", "false", "False"), False)}


def _yaml_key(k: Any) -> str:
    """A YAML map key as sigs.k8s.io/yaml's YAML-to-JSON conversion
    (``convertToJSONableObject``) writes it: integers in decimal, floats as Go
    ``FormatFloat(k, 'g', -1, 32)``, booleans (YAML 1.1 ``yes``/``on``...)
    ``"true"``/``"false"``, null ``"null"``; timestamps stay the text they
    were (yaml.v2 decodes them into interface{} as strings)."""
    if isinstance(k, str):
        return k
    if isinstance(k, bool):
        return "true" if k else "false"
    if isinstance(k, int):
        return str(k)
    if isinstance(k, float):
        if math.isnan(k):
            return ".nan"
        if math.isinf(k):
            return ".inf" if k > 0 else "-.inf"
        f32 = struct.unpack("f", struct.pack("f", k))[0]
        for prec in range(1, 18):
            text = f"{f32:.{prec}g}"
            if struct.unpack("f", struct.pack("f", float(text)))[0] == f32:
                return text
        return repr(k)
    if k is None:
        return "null"
    if isinstance(k, (datetime.date, datetime.datetime)):
        return k.isoformat()
    raise BadRequest(f"unsupported map key of type: {type(k).__name__}, key: {k!r}")


def _json_object(v: Any) -> Any:
    """A YAML document as JSON (``yaml.YAMLToJSON``): map keys strings
    (:func:`_yaml_key`), timestamps their text."""
    if isinstance(v, dict):
        return {_yaml_key(k): _json_object(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_json_object(x) for x in v]
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()
    return v


def _invalid_options(options: str, field_: str, reason: str, detail: str, message: str) -> tuple[int, dict]:
    """The 422 of ``ValidatePatchOptions`` / ``ValidateFieldManager``."""
    return 422, status(422, "Invalid", f'{options}.meta.k8s.io "" is invalid: {field_}: {message}',
                       {"group": "meta.k8s.io", "kind": options,
                        "causes": [{"reason": reason, "message": message, "field": field_}]})


DRY_RUN_ALL = "All"


class _DryRunKV:
    """A view of a KV for dry-run requests (``dryRun=All``): reads go to
    ``kv``; a transaction evaluates its compares against the live keys and
    reports the outcome without running any operation (nothing is written,
    no revision is taken, no watch event happens); leases are not granted.
    A transaction's ``revision`` is the mod_revision of the key it compares
    (the object's current resourceVersion), so the store hands back the
    object with the version it has now."""

    def __init__(self, kv) -> None:
        self._kv = kv

    def __getattr__(self, name: str) -> Any:
        if name in ("put", "delete", "compact", "revoke", "keepalive"):
            raise RuntimeError(f"a dry run may not call {name}() on the store")
        return getattr(self._kv, name)

    def grant(self, ttl: int, lease_id: int = 0) -> int:
        return 0

    @staticmethod
    def _holds(c, kv) -> bool:
        if c.target == "value":
            actual: Any = kv.value if kv is not None else b""
        elif kv is None:
            actual = 0
        else:
            actual = {"mod": kv.mod_revision, "create": kv.create_revision, "version": kv.version,
                      "lease": kv.lease}[c.target]
        return {"=": operator.eq, "!=": operator.ne, "<": operator.lt, ">": operator.gt}[c.op](actual, c.value)

    def txn(self, compares, success, failure=()):
        from kubekit.store.kv import TxnResult

        rev = None
        ok = True
        for c in compares:
            kv = self._kv.get(c.key)
            ok = ok and self._holds(c, kv)
            if rev is None and kv is not None:
                rev = kv.mod_revision
        return TxnResult(ok, rev if rev is not None else self._kv.revision, [None] * len(success if ok else failure))


def dry_run_store(store):
    """``store`` (an :class:`~kubekit.store.APIStore`) over a
    :class:`_DryRunKV`: its writes run every check and return what they
    would store, and store nothing."""
    dry = copy.copy(store)
    dry.kv = _DryRunKV(store.kv)
    # Its own map of shared objects: what a dry run builds (a bind, a marked
    # deletion) would be remembered at the key's current revision, where the
    # real store holds another object, and would become what its watches share.
    dry._seen = {}
    return dry


class API:
    """Serves requests against ``store``.  ``on_write`` is called after every
    successful write (the control loop uses it to wake up at once);
    ``stopping`` ends open watches."""

    def __init__(self, store, *, on_write: Callable[[str], None] | None = None,
                 stopping: threading.Event | None = None, validate: bool = True, admission=None) -> None:
        """``admission``: the admission plugins (:mod:`kubekit.server.admission`);
        None: kube-apiserver's default chain (NamespaceLifecycle), ``()``: none."""
        self.store = store
        self.on_write = on_write or (lambda _verb: None)
        self.stopping = stopping or threading.Event()
        self.validate = validate
        self.admission = default_plugins() if admission is None else tuple(admission)
        self._field_managers: dict = {}

    # -- admission (kubekit.server.admission) --------------------------------------------------
    def _admit(self, operation: str, route: Route, *, name: str | None = None, namespace: str | None = None) -> None:
        """Run the admission chain for ``operation`` on ``route`` (``name``
        / ``namespace``: the created object's); raises AdmissionDenied."""
        if not self.admission:
            return
        res = route.resource
        if not res.namespaced:
            namespace = ""
        elif namespace is None:
            namespace = route.namespace or ""
        a = Attributes(operation, res.kind, res.group, res.plural, namespace=namespace,
                       name=name if name is not None else route.name or "", subresource=route.subresource or "")
        admit(self.admission, a, self.store)

    def _writer(self, route: Route):
        """What stores objects of ``route``'s kind: the store, or for Namespaces
        a :class:`~kubekit.store.namespaces.NamespaceStore` over it."""
        from kubekit.store.namespaces import writer_for

        return writer_for(self.store, route.resource.kind) if not route.resource.group else self.store

    # -- managed fields (kubekit.server.fieldmanager) ----------------------------------------
    def _fm(self, route: Route, subresource: str | None = None):
        """The FieldManager of ``route``'s kind for ``subresource``."""
        from kubekit.server.fieldmanager import FieldManager

        res = route.resource
        key = (res.kind, res.api_version, subresource)
        fm = self._field_managers.get(key)
        if fm is None:
            fm = self._field_managers[key] = FieldManager(res.kind, res.api_version, subresource=subresource,
                                                          status_subresource="status" in res.subresources)
        return fm

    @staticmethod
    def _manager(req: Request) -> str:
        """``managerOrUserAgent``: the ``fieldManager`` query, else the
        User-Agent's first segment."""
        from kubekit.server.fieldmanager import manager_from_user_agent

        return req.query.get("fieldManager") or manager_from_user_agent(req.user_agent)

    def _options_error(self, req: Request, options: str) -> tuple[int, dict] | None:
        """A 422 for an invalid ``fieldManager`` (``ValidateFieldManager``)."""
        from kubekit.server.fieldmanager import field_manager_errors

        name = req.query.get("fieldManager")
        if not name:
            return None
        errs = field_manager_errors(name)
        if not errs:
            return None
        what, _, msg = errs[0].partition(": ")
        return _invalid_options(options, what, "FieldValueInvalid" if "Invalid" in msg else "FieldValueTooLong",
                                msg, msg)

    def _tracker(self, req: Request, subresource: str | None) -> Callable[[dict, dict], dict]:
        fm = self._fm(req.route, subresource)
        manager = self._manager(req)
        return lambda old, new: fm.update(old, new, manager)

    # -- validation ----------------------------------------------------------------------
    def _check(self, obj: dict) -> dict:
        if not self.validate:
            return obj
        from kubekit.validation import check
        return check(obj)

    def _check_update(self, new: dict, old: dict, subresource: str | None = None) -> dict:
        if not self.validate:
            return new
        if subresource in ("status", "finalize") and new.get("kind") == "Namespace" and new.get("apiVersion") == "v1":
            from kubekit.validation import namespace as nsv
            from kubekit.validation.field import InvalidError

            check = nsv.validate_namespace_status_update if subresource == "status" else \
                nsv.validate_namespace_finalize_update
            new, old = nsv.default_namespace(new), nsv.default_namespace(old)     # defaulted as decoded upstream
            errs = check(new, old)
            if errs:
                raise InvalidError("Namespace", "", (new.get("metadata") or {}).get("name") or "", errs)
            return new
        from kubekit.validation import check_update
        return check_update(new, old)

    # -- dispatch ------------------------------------------------------------------------
    def _dry_run_error(self, req: Request, values: Any) -> tuple[int, dict] | None:
        """``ValidateDryRun``: only ``All`` is supported (a 422 on the verb's options)."""
        if not values or all(v == DRY_RUN_ALL for v in values):
            return None
        options = {"POST": "CreateOptions", "PUT": "UpdateOptions", "PATCH": "PatchOptions",
                   "DELETE": "DeleteOptions"}.get(req.method, "CreateOptions")
        if req.route.subresource == "eviction":
            options = "DeleteOptions"
        shown = "[]string{" + ", ".join('"' + str(v).replace('"', '\\"') + '"' for v in values) + "}"
        msg = f'Unsupported value: {shown}: supported values: "All"'
        return _invalid_options(options, "dryRun", "FieldValueNotSupported", "", msg)

    def handle(self, req: Request) -> tuple[int, Any]:
        """Serve ``req``; a write with ``dryRun=All`` (query, or a delete's
        DeleteOptions body) runs against :func:`dry_run_store` and tells
        nobody (no ``on_write``)."""
        values: list = []
        if req.method != "GET":
            if "dryRun" in req.query:
                values = [req.query["dryRun"]]
            body = req.body if isinstance(req.body, dict) else {}
            if req.method == "DELETE" and body.get("kind") in (None, "DeleteOptions"):
                dr = body.get("dryRun")
                values += dr if isinstance(dr, list) else ([dr] if dr else [])
            if req.route.subresource == "eviction":
                dr = (body.get("deleteOptions") or {}).get("dryRun")
                values += dr if isinstance(dr, list) else ([dr] if dr else [])
            bad = self._dry_run_error(req, values)
            if bad is not None:
                return bad
        api = self
        if values:
            api = copy.copy(self)
            api.store = dry_run_store(self.store)
            api.on_write = lambda _verb: None
        try:
            return api._handle(req)
        except PatchRejected as e:          # a JSON patch that cannot apply: upstream's exact Status
            return e.status["code"], e.status
        except AdmissionDenied as e:        # an admission plugin refused: its Status
            return e.status["code"], e.status

    def _handle(self, req: Request) -> tuple[int, Any]:
        r = req.route
        m = req.method
        if r.subresource == "scale":
            return self._scale(req)
        if r.subresource == "eviction":
            if m != "POST":
                raise MethodNotAllowed(f"{m} is not supported on pods/eviction (use POST)")
            return self._evict(req)
        if r.subresource == "finalize" and m != "PUT":
            raise MethodNotAllowed(f"{m} is not supported on {r.resource.qualified}/finalize (use PUT)")
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
        bad = self._options_error(req, "CreateOptions")
        if bad is not None:
            return bad
        obj = prepare_for_create(req.body, req.route)
        self._admit_create(req.route, obj)
        obj = self._check(obj)
        obj = self._fm(req.route).update(None, obj, self._manager(req))
        out = self._writer(req.route).create(obj)
        if isinstance(self.store.kv, _DryRunKV):        # a dry run: nothing stored, no resourceVersion
            out["metadata"].pop("resourceVersion", None)
        self.on_write("create")
        return 201, out

    def _admit_create(self, route: Route, obj: Mapping[str, Any]) -> None:
        """Admission of a create: the object's namespace and its name (or
        ``generateName``), as the create handler names it."""
        meta = obj.get("metadata") or {}
        self._admit("CREATE", route, name=meta.get("name") or meta.get("generateName") or "",
                    namespace=meta.get("namespace") or "")

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

    def _write(self, route: Route, make: Callable[[dict], dict], *, status_only: bool,
               track: Callable[[dict, dict], dict] | None = None, skip_unchanged: bool = False) -> dict:
        """Read, build the new object, validate it as an update, write.  When
        ``make`` gives no resourceVersion the write is unconditional (retried
        on conflict); with one, a stale version is a 409.  ``track(old,
        new)`` records managedFields on the validated object;
        ``skip_unchanged``: an object equal to the stored one is not written
        (as the storage layer upstream skips a no-op update)."""
        res = route.resource
        writer = self._writer(route)
        for _ in range(_UPDATE_RETRIES):
            old = self.store.get(res.kind, route.namespace, route.name)
            self._admit("UPDATE", route)        # upstream: in the update's transformers, once the object is read
            new = make(old)
            conditional = bool((new.get("metadata") or {}).get("resourceVersion"))
            if not conditional:
                new = dict(new, metadata=dict(new.get("metadata") or {},
                                              resourceVersion=old["metadata"]["resourceVersion"]))
            if status_only:         # the status subresource changes status only (PrepareForUpdate)
                meta = dict(old["metadata"], resourceVersion=new["metadata"]["resourceVersion"])
                if "managedFields" in new["metadata"]:      # an apply's (track() recomputes an update's)
                    meta["managedFields"] = new["metadata"]["managedFields"]
                new = dict(old, status=new.get("status"), metadata=meta)
            elif "status" in res.subresources:      # ... and the main resource everything but status
                new = dict(new, status=old.get("status"))
                if new["status"] is None:
                    del new["status"]
            new = self._check_update(new, old, route.subresource)
            if track is not None:
                new = track(old, new)
            if skip_unchanged and new == old:
                return old
            try:
                if status_only:
                    out = writer.update_status(new)
                elif route.subresource == "finalize":
                    out = writer.finalize(new)
                else:
                    out = writer.update(new)
            except ConflictError:
                if conditional:
                    raise
                continue
            if status_only:
                out = self._store_managed_fields(writer, out, (new.get("metadata") or {}).get("managedFields"))
            self.on_write("update")
            return out
        raise ConflictError(f'Operation cannot be fulfilled on {res.qualified} "{route.name}": '
                            f"gave up after {_UPDATE_RETRIES} attempts under contention")

    def _store_managed_fields(self, writer, out: dict, managed: Any) -> dict:
        """The store's status update keeps the stored metadata, so the
        managedFields a status write recorded follow in a second write
        (conditional on the status write's resourceVersion; lost, as a
        best effort, when another write came in between).  ``writer`` is
        the kind's (:meth:`_writer`): a Namespace's update must keep the
        registry's rules, or the generic store would remove a Terminating
        namespace whose ``metadata.finalizers`` are empty."""
        meta = out.get("metadata") or {}
        if meta.get("managedFields") == managed:
            return out
        new_meta = {k: v for k, v in meta.items() if k != "managedFields"}
        if managed:
            new_meta["managedFields"] = managed
        try:
            return writer.update(dict(out, metadata=new_meta))
        except ConflictError:
            return out

    def _update(self, req: Request) -> tuple[int, Any]:
        bad = self._options_error(req, "UpdateOptions")
        if bad is not None:
            return bad
        body = self._body_object(req)
        sub = req.route.subresource
        return 200, self._write(req.route, lambda _old: body, status_only=sub == "status",
                                track=self._tracker(req, sub))

    def _patch_body(self, req: Request, kind: str | None) -> tuple[str, Any]:
        """The patch type (415 for one kubekit does not apply to ``kind``;
        ``kind`` None: the Scale subresource) and the patch."""
        ctype = patch_type(req.content_type, kind)
        if ctype == JSON_PATCH:
            return ctype, req.body                  # an array of operations (apply_patch checks it)
        if not isinstance(req.body, dict):
            raise BadRequest("a merge patch must be a JSON object" if ctype == MERGE_PATCH
                             else "a strategic merge patch must be a JSON object")
        return ctype, req.body

    def _patch(self, req: Request) -> tuple[int, Any]:
        from kubekit.server.fieldmanager import APPLY_PATCH

        r = req.route
        if (req.content_type or "").split(";")[0].strip() == APPLY_PATCH:
            return self._apply(req)
        bad = self._options_error(req, "PatchOptions")
        if bad is not None:
            return bad
        if "force" in req.query:
            return _invalid_options("PatchOptions", "force", "FieldValueForbidden", "",
                                    "Forbidden: may not be specified for non-apply patch")
        ctype, patch = self._patch_body(req, r.resource.kind)

        def make(old: dict) -> dict:
            new = apply_patch(ctype, _without_rv(old), patch, r.resource.kind)
            m = new.get("metadata") or {}
            if m.get("name") != r.name or (r.resource.namespaced and m.get("namespace") != r.namespace):
                raise BadRequest("a patch may not change metadata.name or metadata.namespace")
            return new
        return 200, self._write(r, make, status_only=r.subresource == "status",
                                track=self._tracker(req, r.subresource))

    def _apply(self, req: Request) -> tuple[int, Any]:
        """``PATCH`` with ``application/apply-patch+yaml``: server-side apply
        (:mod:`kubekit.server.fieldmanager`).  Creates the object when it is
        missing (201); a conflict with another manager is upstream's 409."""
        from kubekit.api.serversideapply import ApplyError, Conflicts
        from kubekit.server.fieldmanager import conflict_status

        r, q = req.route, req.query
        manager = q.get("fieldManager") or ""
        if not manager:
            return _invalid_options("PatchOptions", "fieldManager", "FieldValueRequired", "",
                                    "Required value: is required for apply patch")
        bad = self._options_error(req, "PatchOptions")
        if bad is not None:
            return bad
        force_raw = q.get("force")
        if force_raw not in (None, "", *_PARSE_BOOL):
            raise BadRequest(f'force: invalid value "{force_raw}": expected true or false')
        force = _PARSE_BOOL.get(force_raw or "false", False)
        config = req.body
        if not isinstance(config, dict):
            raise BadRequest("an apply patch must be a YAML or JSON object")
        config = _json_object(config)       # the YAML body as JSON: non-string keys as upstream converts them
        meta = config.get("metadata")
        meta = dict(meta) if isinstance(meta, dict) else {}
        if meta.get("name") not in (None, r.name):
            raise BadRequest(f"the name of the object ({meta['name']}) does not match the name on the URL ({r.name})")
        if r.resource.namespaced and meta.get("namespace") not in (None, "", r.namespace):
            raise BadRequest("the namespace of the provided object does not match the namespace sent on the request")
        meta["name"] = r.name
        if r.resource.namespaced:
            meta["namespace"] = r.namespace
        config = dict(config, metadata=meta)
        fm = self._fm(r, r.subresource)

        def applied(live: dict | None) -> dict:
            try:
                return fm.apply(live, config, manager, force)
            except (ApplyError, ValueError) as e:
                raise BadRequest(str(e)) from None

        try:
            for _ in range(_UPDATE_RETRIES):
                try:
                    return 200, self._write(r, lambda old: applied(_without_rv(old)),
                                            status_only=r.subresource == "status", skip_unchanged=True)
                except NotFoundError:
                    if r.subresource is not None:
                        raise
                obj = prepare_for_create(applied(None), r)     # apply creates (upstream: 201)
                self._admit_create(r, obj)
                obj = self._check(obj)
                try:
                    out = self._writer(r).create(obj)
                except AlreadyExistsError:
                    continue
                if isinstance(self.store.kv, _DryRunKV):
                    out["metadata"].pop("resourceVersion", None)
                self.on_write("create")
                return 201, out
        except Conflicts as e:
            return 409, conflict_status(e)
        raise ConflictError(f'Operation cannot be fulfilled on {r.resource.qualified} "{r.name}": '
                            f"gave up after {_UPDATE_RETRIES} attempts under contention")

    def _delete(self, req: Request) -> tuple[int, Any]:
        r, q = req.route, req.query
        self._admit("DELETE", r)
        opts = req.body if isinstance(req.body, dict) else {}
        return 200, self._do_delete(r, opts, q)

    def _do_delete(self, r: Route, opts: Mapping[str, Any], q: Mapping[str, str]) -> dict:
        propagation = q.get("propagationPolicy") or opts.get("propagationPolicy") or None
        grace = int_param(q, "gracePeriodSeconds")
        if grace is None and opts.get("gracePeriodSeconds") is not None:
            grace = int(opts["gracePeriodSeconds"])
        pre = {k: v for k, v in (opts.get("preconditions") or {}).items() if v}
        writer = self._writer(r)
        if writer is self.store:
            out = self.store.delete(r.resource.kind, r.namespace, r.name, propagation=propagation or "Background",
                                    preconditions=pre or None, grace_period_seconds=grace)
        else:       # a Namespace: no policy given is not Background (the finalizers it has stay)
            orphan = q.get("orphanDependents") or opts.get("orphanDependents")
            if isinstance(orphan, str):
                orphan = _PARSE_BOOL.get(orphan)
            out = writer.delete(r.resource.kind, r.namespace, r.name, propagation=propagation,
                                preconditions=pre or None, grace_period_seconds=grace,
                                orphan_dependents=orphan if isinstance(orphan, bool) else None)
        self.on_write("delete")
        return out

    def _evict(self, req: Request) -> tuple[int, Any]:
        from kubekit.autoscaling.cluster.removal import eviction_verdict

        body = req.body if isinstance(req.body, dict) else {}
        self._admit("CREATE", req.route)        # an eviction is a create of pods/eviction
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
            return 200, scale_of(self._write(r, lambda old: with_replicas(_without_rv(old), body), status_only=False,
                                             track=self._tracker(req, "scale")))
        if m == "PATCH":
            ctype, patch = self._patch_body(req, None)

            def make(old: dict) -> dict:
                sc = scale_of(_without_rv(old))
                return with_replicas(_without_rv(old), apply_patch(ctype, sc, patch, None))
            return 200, scale_of(self._write(r, make, status_only=False, track=self._tracker(req, "scale")))
        raise MethodNotAllowed(f"{m} is not supported on {res.qualified}/scale")
