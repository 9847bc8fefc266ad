"""The API server's storage role: Kubernetes objects over the KV store.

Objects are plain dicts (manifests: ``apiVersion``/``kind``/``metadata``/
``spec``/``status``), stored as JSON under ``/registry/<plural>/<ns>/<name>``.
``metadata.resourceVersion`` is the key's mod revision, as a string; it is not
stored in the value (as in the API server), so every write is one KV
transaction.  Updates are optimistic: a stale resourceVersion is
:class:`ConflictError`.
"""

from __future__ import annotations

import base64
import builtins
import json
import logging
import os
import random
import threading
import time
from typing import Any, Callable, Literal, Mapping, NamedTuple

from kubekit._fast._records import new_tuple
from kubekit.clock import Clock, RealClock
from kubekit.errors import AlreadyExistsError, ConflictError, InvalidObjectError, NotFoundError
from kubekit.store import jsoncodec
from kubekit.store.jsoncodec import dumps
from kubekit.store import meta as _meta
from kubekit.store.meta import copy_mapping, prepare_status_update, prepare_update, resolve_namespace
from kubekit.store.kinds import DEFAULT_KINDS, Kind, Kinds, field_values
from kubekit.store.kv import KV, Compare, Delete, KeyValue, Put, Watch, WatchBase, log_entry, prefix_end
from kubekit.store.memory import MemoryKV
from kubekit.store.watchcache import WatchCache
from kubekit.store.selectors import EVERYTHING, FieldSelector, LabelSelector, parse_fields, parse_labels

__all__ = ["APIStore", "WatchEvent", "ObjectWatch", "Propagation", "ORPHAN_FINALIZER", "FOREGROUND_FINALIZER"]

log = logging.getLogger(__name__)

Propagation = Literal["Background", "Foreground", "Orphan"]
ORPHAN_FINALIZER = "orphan"
FOREGROUND_FINALIZER = "foregroundDeletion"
_GENERATE_NAME_ATTEMPTS = 8   # the API server's maxNameGenerationCreateAttempts
_RETRIES = 100
_SEEN_MAX = 1 << 18           # entries of APIStore._seen before it starts over (memory: keys a short-lived watch saw)
# KUBEKIT_CHECK_SHARED=1 (the test suite sets it): every reuse of an object a
# watch delivered is checked against the stored bytes, so a consumer that
# changed a shared object fails loudly instead of corrupting the next write.
_CHECK_SHARED = os.environ.get("KUBEKIT_CHECK_SHARED", "") not in ("", "0")


class WatchEvent(NamedTuple):
    """``type`` is ``ADDED``, ``MODIFIED`` or ``DELETED``; ``object`` the
    object after the change (for DELETED: its last state, with the
    resourceVersion of the deletion).  (A NamedTuple, not a frozen
    dataclass: one is made per event per watch, and a tuple is built three
    times faster.)"""

    type: Literal["ADDED", "MODIFIED", "DELETED", "BOOKMARK"]
    object: dict


def _encode(obj: Mapping[str, Any]) -> bytes:
    return dumps(obj)


def _put_if_mod(kv, key: str, mod_revision: int, value: bytes, lease: int) -> int:
    """``kv.txn([Compare(key, "mod", "=", mod_revision)], [Put(key, value, lease)])``
    (``mod_revision`` 0: the key does not exist): the revision of the put,
    or 0 when the compare failed.  A :class:`MemoryKV` answers it directly
    (``put_if_mod``: the same effects without the transaction's records, a
    C call in the compiled module); any other KV (etcd, a dry run's view)
    runs the transaction."""
    if type(kv) is MemoryKV:
        memory = kv
        return memory.put_if_mod(key, mod_revision, value, lease)
    r = kv.txn([new_tuple(Compare, (key, "mod", "=", mod_revision))], [new_tuple(Put, (key, value, lease))])
    return r.revision if r.succeeded else 0


def _located(kinds: Kinds, obj: dict) -> tuple[Kind, str | None, str, str] | None:
    """``APIStore._locate`` of a dict with a kind and a metadata dict naming
    it with a string (reads typed in the compiled module: direct dict
    lookups); None for anything else, which the general path decides (and
    refuses with its errors)."""
    k = obj.get("kind")
    got = obj.get("metadata")
    if not k or type(got) is not dict:
        return None
    meta = got
    name = meta.get("name")
    if not name or type(name) is not str:
        return None
    kind = kinds.get(k)
    ns = resolve_namespace(kind, meta.get("namespace"))
    return kind, ns, name, kind.key(ns, name)


def _with_rv(raw: dict, rev: int) -> dict:
    out = dict(raw)
    m = copy_mapping(raw["metadata"])
    m["resourceVersion"] = str(rev)
    out["metadata"] = m
    return out


def _without_rv(obj: dict) -> dict:
    """``obj`` without ``metadata.resourceVersion`` (a new top level and metadata)."""
    raw = dict(obj)
    m = raw["metadata"] = copy_mapping(obj["metadata"])
    del m["resourceVersion"]
    return raw


def _unchanged(new: dict, old: dict, old_has_rv: bool) -> bool:
    """Whether an update's result ``new`` equals the stored object ``old``
    (leaving out ``old``'s resourceVersion when it has one: a shared object)."""
    if not old_has_rv:
        return new == old
    # new == _without_rv(old), without the copy: the top level but metadata
    # first (a spec change ends it there), then the metadata but old's
    # resourceVersion.
    if len(new) != len(old):
        return False
    for k, v in new.items():
        if k != "metadata" and (k not in old or not v == old[k]):
            return False
    nm, om = new["metadata"], old["metadata"]
    if len(nm) != len(om) - 1 or "resourceVersion" in nm:
        return False
    for k, v in nm.items():
        if k not in om or not v == om[k]:
            return False
    return True


_loads = jsoncodec.loads
_VALUE, _MOD = 1, 3          # fields of a KeyValue, and of a log entry's records (see kv.log_entry)


def _decode(kv: KeyValue | tuple, rev: int | None = None) -> dict:
    """The object in ``kv`` (a KeyValue, or a log entry's record: the same
    fields), its resourceVersion ``rev`` (default: its mod revision)."""
    obj = _loads(kv[_VALUE])
    obj["metadata"]["resourceVersion"] = str(rev or kv[_MOD])
    return obj


def _label_selector(sel: str | LabelSelector | None) -> LabelSelector:
    if sel is None:
        return EVERYTHING
    return sel if isinstance(sel, LabelSelector) else parse_labels(sel)


def _field_selector(sel: str | FieldSelector | None) -> FieldSelector:
    if sel is None:
        return FieldSelector()
    return sel if isinstance(sel, FieldSelector) else parse_fields(sel)


class _Filter:
    """An object matches when its labels match and its selectable fields do."""

    __slots__ = ("kind", "labels", "fields", "everything")

    def __init__(self, kind: Kind, labels: LabelSelector, fields: FieldSelector) -> None:
        self.kind, self.labels, self.fields = kind, labels, fields
        field_values(kind, {}, fields.fields)  # reject unsupported fields now, not at the first event
        self.everything = labels.empty and fields.empty

    def __call__(self, obj: Mapping[str, Any]) -> bool:
        if self.everything:
            return True
        if not self.labels.matches(obj["metadata"].get("labels")):
            return False
        return self.fields.empty or self.fields.matches(field_values(self.kind, obj, self.fields.fields))


class APIStore:
    """CRUD + watch of Kubernetes objects on a :class:`~kubekit.store.kv.KV`.

    ``kv`` defaults to an in-memory :class:`MemoryKV`; ``clock`` stamps
    ``creationTimestamp``/``deletionTimestamp``; ``rng`` makes uids and
    ``generateName`` suffixes (seed it for reproducible runs).  Thread-safe:
    all coordination is the KV's transactions.

    Objects handed in are never modified.  What ``get`` and ``list``
    return is freshly decoded, the caller's to change.  Watch objects are
    shared and read-only (as client-go's shared informers treat theirs): the
    store remembers, per key, the last object decoded for a watch and its
    revision; every watch of the same change gets that one object, and a
    write to a key still at that revision builds on it instead of decoding
    the stored bytes again (a bind's result is remembered for its revision,
    so no watch decodes it at all).  ``KUBEKIT_CHECK_SHARED=1`` checks every
    reuse against the stored bytes.  What ``create``,
    ``update``, ``bind`` and ``delete`` return is a new top level and
    ``metadata``; their nested values (``spec``...) may be shared with the
    argument or with objects watches delivered: copy before changing them.
    With ``handoff=True`` (``create``, ``update``, ``update_status``,
    ``guaranteed_update``) the result is the shared object itself, read-only.
    """

    def __init__(self, kv: KV | None = None, *, clock: Clock | None = None, kinds: Kinds | None = None,
                 rng: random.Random | None = None) -> None:
        self.clock = clock or RealClock()
        self.kv: KV = kv if kv is not None else MemoryKV(self.clock)
        self.kinds = kinds or DEFAULT_KINDS
        self._rng = rng or random.Random()
        self._rng_lock = threading.Lock()
        self._caches: dict[str, WatchCache] = {}
        self._caches_lock = threading.Lock()
        self._ttl_leases: dict[int, tuple[int, float]] = {}   # ttl -> (lease id, its expiry on the clock)
        self._ttl_lock = threading.Lock()
        # key -> (mod revision, the object a watch of this store decoded at
        # it).  Watches hand these objects out read-only (an informer's cache
        # holds them); a write that finds the key still at that revision
        # starts from the object instead of decoding the stored bytes again.
        self._seen: dict[str, tuple[int, dict]] = {}

    # ------------------------------------------------------------ helpers

    def _stored(self, kv: KeyValue) -> dict:
        """The object stored in ``kv``, without ``resourceVersion``, to build
        a write on: a new top level and ``metadata``; the nested values may
        be shared with what watches delivered (never change them: copy what
        you change)."""
        seen = self._shared_at(kv)
        return _loads(kv.value) if seen is None else _without_rv(seen)

    def _shared_at(self, kv: KeyValue) -> dict | None:
        """The object watches share for ``kv``'s key at its revision (with
        its ``resourceVersion``; read-only), or None."""
        return _shared_hit(self._seen.get(kv.key), kv.mod_revision, kv)

    def _kind_of(self, obj: Mapping[str, Any]) -> Kind:
        k = obj.get("kind") if type(obj) is dict or isinstance(obj, Mapping) else None
        if not k:
            raise InvalidObjectError("kind: Required value: an object needs a kind")
        return self.kinds.get(k)

    def _locate(self, obj: Mapping[str, Any]) -> tuple[Kind, str | None, str, str]:
        if type(obj) is dict:
            hit = _located(self.kinds, obj)
            if hit is not None:
                return hit
        kind = self._kind_of(obj)
        m = obj.get("metadata") or {}
        name = m.get("name")
        if not name:
            raise InvalidObjectError(f"{kind.kind}: metadata.name: Required value")
        ns = resolve_namespace(kind, m.get("namespace"))
        return kind, ns, name, kind.key(ns, name)

    def _lease_for(self, kind: Kind) -> int:
        """The KV lease that expires objects of a kind with a TTL (Events),
        shared by the writes of a short window as the API server's
        leaseManager does; 0 for kinds without one."""
        ttl = kind.ttl_seconds
        if not ttl:
            return 0
        now = self.clock.monotonic()
        with self._ttl_lock:
            prev = self._ttl_leases.get(ttl)
            if prev is not None and reuse_lease(now, ttl, prev[1]):
                return prev[0]
            extra = lease_reuse_seconds(ttl)
            lease_id = self.kv.grant(ttl + extra)
            self._ttl_leases[ttl] = (lease_id, now + ttl + extra)
            return lease_id

    @staticmethod
    def _conflict(kind: Kind, name: str, why: str = "the object has been modified; please apply your changes "
                                                   "to the latest version and try again") -> ConflictError:
        return ConflictError(f'Operation cannot be fulfilled on {kind.resource} "{name}": {why}')

    @staticmethod
    def _not_found(kind: Kind, name: str) -> NotFoundError:
        return NotFoundError(f'{kind.resource} "{name}" not found')

    # ------------------------------------------------------------ CRUD

    def create(self, obj: Mapping[str, Any], *, handoff: bool = False) -> dict:
        """Store a new object; returns it with uid, creationTimestamp,
        generation and resourceVersion set.  ``handoff=True``: the caller
        gives ``obj`` up, as for :meth:`update`; the object returned is then
        the one watches share, read-only."""
        kind = self._kind_of(obj)
        meta = obj.get("metadata") if type(obj) is dict or isinstance(obj, Mapping) else None
        generated = ((type(meta) is dict or isinstance(meta, Mapping)) and not meta.get("name")
                     and bool(meta.get("generateName")))
        # A generated name that is taken is drawn again, up to 8 attempts in
        # all (the API server's createWithGenerateNameRetry, feature
        # RetryGenerateName, GA in 1.32); a name the caller chose is not.
        for _ in range(_GENERATE_NAME_ATTEMPTS if generated else 1):
            with self._rng_lock:
                uid = _meta.random_uid(self._rng)
                stored = _meta.prepare_create(obj, kind, now=self.clock.now(), uid=uid, rng=self._rng)
            m = stored["metadata"]
            key = kind.key(m.get("namespace"), m["name"])
            rev = _put_if_mod(self.kv, key, 0, _encode(stored), self._lease_for(kind))    # 0: if it does not exist
            if rev:
                m["resourceVersion"] = str(rev)
                if handoff:
                    remember(self._seen, key, rev, stored)
                return stored
        raise AlreadyExistsError(f'{kind.resource} "{m["name"]}" already exists')

    def get(self, kind: str, namespace: str | None, name: str) -> dict:
        k = self.kinds.get(kind)
        kv = self.kv.get(k.key(resolve_namespace(k, namespace), name))
        if kv is None:
            raise self._not_found(k, name)
        return _decode(kv)

    def get_shared(self, kind: str, namespace: str | None, name: str) -> dict:
        """:meth:`get` as a shared, read-only object (never change it): the
        one watches delivered at the object's revision when there is one, so
        nothing is decoded; else decoded and kept for them (a controller's
        read of an object it only looks at, as the HPA's scale read)."""
        k = self.kinds.get(kind)
        kv = self.kv.get(k.key(resolve_namespace(k, namespace), name))
        if kv is None:
            raise self._not_found(k, name)
        shared = _shared_hit(self._seen.get(kv.key), kv.mod_revision, kv)
        if shared is not None:
            return shared
        obj = _decode(kv)
        remember(self._seen, kv.key, kv.mod_revision, obj)
        return obj

    def list(self, kind: str, namespace: str | None = None, *, label_selector: str | LabelSelector | None = None,
             field_selector: str | FieldSelector | None = None) -> tuple[list[dict], str]:
        """Matching objects (sorted by namespace, name) and the
        resourceVersion of the list: watch from it to miss nothing."""
        k = self.kinds.get(kind)
        match = _Filter(k, _label_selector(label_selector), _field_selector(field_selector))
        r = self.kv.range(k.prefix(namespace), prefix=True)
        items = [o for o in map(_decode, r.kvs) if match(o)]
        return items, str(r.revision)

    def list_page(self, kind: str, namespace: str | None = None, *, limit: int, continue_: str | None = None,
                  label_selector: str | LabelSelector | None = None,
                  field_selector: str | FieldSelector | None = None) -> tuple[builtins.list[dict], str, str]:
        """One page of :meth:`list`: at most ``limit`` matching objects, the
        list's resourceVersion and a continue token (``""`` after the last
        page).  Every page is read at the first page's revision, a
        consistent snapshot, as the API server's ``limit``/``continue`` do;
        a token older than the compacted history is
        :class:`~kubekit.errors.CompactedError` (410: list again)."""
        if limit < 1:
            raise InvalidObjectError(f"limit: Invalid value: {limit!r}: must be at least 1")
        k = self.kinds.get(kind)
        match = _Filter(k, _label_selector(label_selector), _field_selector(field_selector))
        prefix = k.prefix(namespace)
        rev: int | None = None
        start = prefix
        if continue_:
            rev, start = _decode_continue(continue_, prefix)
        end = prefix_end(prefix)
        items: builtins.list[dict] = []
        while True:
            r = self.kv.range(start, range_end=end, revision=rev, limit=limit)
            rev = r.revision
            for i, kv in enumerate(r.kvs):
                obj = _decode(kv)
                if match(obj):
                    items.append(obj)
                if len(items) == limit:
                    more = i < len(r.kvs) - 1 or r.more
                    token = _encode_continue(rev, kv.key, prefix) if more else ""
                    return items, str(rev), token
            if not r.more:
                return items, str(rev), ""
            start = r.kvs[-1].key + "\0"

    def update(self, obj: Mapping[str, Any], *, handoff: bool = False) -> dict:
        """Replace an object.  With ``metadata.resourceVersion`` set, a stale
        one is :class:`ConflictError`; without, the update is unconditional.
        For kinds with a status subresource the stored status is kept.

        ``handoff=True``: the caller gives ``obj`` up, it will never change
        it or anything in it again, so the object written is delivered to
        watches as it is instead of decoded from the stored bytes (the
        simulated kubelet's status writes and lease renewals hand off
        objects they built for the write); the object returned is then that
        shared object too, read-only like everything a watch delivers."""
        return self._update(obj, status=False, handoff=handoff)

    def update_status(self, obj: Mapping[str, Any], *, handoff: bool = False) -> dict:
        """The status subresource: only ``status`` changes (``handoff``: see :meth:`update`)."""
        return self._update(obj, status=True, handoff=handoff)

    def _update(self, obj: Mapping[str, Any], *, status: bool, handoff: bool = False) -> dict:
        kind, ns, name, key = self._locate(obj)
        want_rv = (obj.get("metadata") or {}).get("resourceVersion") or None
        if status and not kind.status_subresource:
            raise InvalidObjectError(f"{kind.kind} has no status subresource")
        for _ in range(_RETRIES):
            cur = self.kv.get(key)
            if cur is None:
                raise self._not_found(kind, name)
            # The update is built on the stored object: the one watches share
            # at this revision if there is one, used as it is (not copied
            # without its resourceVersion as _stored does: prepare_update and
            # prepare_status_update never read the old resourceVersion, nor
            # does anything below but the no-change test), else decoded.
            shared = self._shared_at(cur)
            # (a precondition that is the shared object's own resourceVersion
            # text, as when the caller built on it, is that revision's)
            if want_rv is not None and (shared is None or want_rv is not shared["metadata"].get("resourceVersion")) \
                    and str(want_rv) != str(cur.mod_revision):
                raise self._conflict(kind, name)
            old = _loads(cur.value) if shared is None else shared
            new = prepare_status_update(old, obj) if status else prepare_update(old, obj, kind)
            if _unchanged(new, old, shared is not None):
                raw = old if shared is None else _without_rv(shared)
                return _with_rv(raw, cur.mod_revision)   # nothing changed: no write (as the API server)
            nm = new["metadata"]
            old_meta = old["metadata"]
            if old_meta.get("deletionTimestamp"):
                added = [f for f in nm.get("finalizers") or [] if f not in (old_meta.get("finalizers") or [])]
                if added:
                    raise InvalidObjectError(f"{kind.kind} {name!r}: metadata.finalizers: Forbidden: no new "
                                             "finalizers can be added if the object is being deleted, found new "
                                             f"finalizers {added}")
            if nm.get("deletionTimestamp") and not nm.get("finalizers") and not nm.get("deletionGracePeriodSeconds"):
                # the last finalizer went (and no grace period runs): the deletion completes
                r = self.kv.txn([Compare(key, "mod", "=", cur.mod_revision)], [Delete(key)])
                rev = r.revision if r.succeeded else 0
            else:
                rev = _put_if_mod(self.kv, key, cur.mod_revision, dumps(new),
                                  self._lease_for(kind) if kind.ttl_seconds else 0)
                if handoff and rev:
                    # Its values are the store's and the caller's, who gave
                    # them up; its top level and metadata are prepare_*'s own:
                    # it becomes the shared object (what _with_rv would copy),
                    # and the caller's result.
                    nm["resourceVersion"] = str(rev)
                    remember(self._seen, key, rev, new)
                    return new
            if rev:
                return _with_rv(new, rev)
            if want_rv is not None:
                raise self._conflict(kind, name)
        raise self._conflict(kind, name, f"gave up after {_RETRIES} attempts under contention")

    def bind(self, namespace: str | None, name: str, node_name: str, *, uid: str | None = None) -> dict:
        """The ``pods/binding`` subresource (the API server's ``BindingREST``):
        in one write, set ``spec.nodeName`` and the ``PodScheduled=True``
        condition.  A pod already bound (to any node), being deleted, or with
        another ``uid`` is refused with :class:`ConflictError` /
        :class:`NotFoundError`, as ``assignPod`` refuses it."""
        kind = self.kinds.get("Pod")
        key = kind.key(resolve_namespace(kind, namespace), name)
        for _ in range(_RETRIES):
            cur = self.kv.get(key)
            if cur is None:
                raise self._not_found(kind, name)
            raw = self._stored(cur)
            m = raw["metadata"]
            if uid is not None and m.get("uid") != uid:
                raise self._not_found(kind, name)
            if m.get("deletionTimestamp"):
                raise self._conflict(kind, name, "pod is being deleted, cannot be assigned to a host")
            spec = raw["spec"] = dict(raw.get("spec") or {})          # copies: the nested values may be shared
            if spec.get("nodeName"):
                raise ConflictError(f'Operation cannot be fulfilled on pods/binding "{name}": pod {name} is '
                                    f'already assigned to node "{spec["nodeName"]}"')
            spec["nodeName"] = node_name
            now = _meta.rfc3339(self.clock.now())
            st = raw["status"] = dict(raw.get("status") or {})
            conds = [c for c in (st.get("conditions") or []) if c.get("type") != "PodScheduled"]
            conds.append({"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": now})
            st["conditions"] = conds
            rev = _put_if_mod(self.kv, key, cur.mod_revision, _encode(raw), 0)
            if rev:
                # Everything in ``raw`` is the store's own (the remembered
                # object's values, copies where it changed them): watches
                # deliver it for this revision instead of decoding the bytes.
                remember(self._seen, key, rev, _with_rv(raw, rev))
                return _with_rv(raw, rev)
        raise self._conflict(kind, name, f"gave up after {_RETRIES} attempts under contention")

    def guaranteed_update(self, kind: str, namespace: str | None, name: str,
                          mutate: Callable[[dict], dict | None], *, status: bool = False,
                          handoff: bool = False) -> dict:
        """Read, ``mutate`` (which may change the dict in place and return it,
        or return ``None`` for "no change"), write; retried on conflict (the
        API server's ``GuaranteedUpdate``, client-go's ``RetryOnConflict``).
        The object ``mutate`` gets is decoded for this call alone.
        ``handoff=True``: what ``mutate`` returns, with anything it put in,
        is given up as for :meth:`update` (watches share it; the object
        returned is that shared object, read-only)."""
        for _ in range(_RETRIES):
            cur = self.get(kind, namespace, name)
            new = mutate(cur)
            if new is None:
                return cur
            try:
                return self._update(new, status=status, handoff=handoff)
            except ConflictError:
                continue
        k = self.kinds.get(kind)
        raise self._conflict(k, name, f"gave up after {_RETRIES} attempts under contention")

    def delete(self, kind: str, namespace: str | None, name: str, *, propagation: Propagation = "Background",
               preconditions: Mapping[str, str] | None = None, grace_period_seconds: int | None = None) -> dict:
        """Delete an object, as the API server does (``rest.BeforeDelete``).

        - Finalizers (including the one the propagation policy adds:
          ``orphan`` for Orphan, ``foregroundDeletion`` for Foreground) hold
          the object: it gets ``deletionTimestamp`` and stays until an update
          removes the last one.
        - Kinds with graceful deletion (Pod): a bound, unfinished pod gets
          ``deletionTimestamp`` = now + the grace period
          (``grace_period_seconds``, else ``spec.terminationGracePeriodSeconds``,
          else 30) and stays until deleted again with a shorter period (the
          node agent's final ``grace_period_seconds=0``).
        - Otherwise the object goes at once.

        Returns the object as deleted (or as now marked).
        ``preconditions``: ``{"uid": ..., "resourceVersion": ...}``."""
        k = self.kinds.get(kind)
        ns = resolve_namespace(k, namespace)
        key = k.key(ns, name)
        if propagation not in ("Background", "Foreground", "Orphan"):
            raise InvalidObjectError(f"propagationPolicy: Unsupported value: {propagation!r}: supported values: "
                                     '"Background", "Foreground", "Orphan"')
        for _ in range(_RETRIES):
            cur = self.kv.get(key)
            if cur is None:
                raise self._not_found(k, name)
            # Built on the object watches share at this revision if there is
            # one (only its top level is copied: plan_delete makes new
            # metadata, and nothing nested is changed), else decoded.
            shared = self._shared_at(cur)
            raw = _loads(cur.value) if shared is None else copy_mapping(shared)
            m = raw["metadata"]
            for field, actual in (("uid", m.get("uid")), ("resourceVersion", str(cur.mod_revision))):
                want = (preconditions or {}).get(field)
                if want is not None and str(want) != actual:
                    label = "UID" if field == "uid" else "ResourceVersion"
                    raise self._conflict(k, name, f"Precondition failed: {label} in precondition: {want}, "
                                                  f"{label} in object meta: {actual}")
            grace = _meta.pod_grace_period(raw, grace_period_seconds) if k.graceful_deletion else None
            finalizers = _finalizers_for(m.get("finalizers") or [], propagation)
            action, new_meta = _meta.plan_delete(m, finalizers, grace, self.clock.now())
            if action == "none":
                return _with_rv(raw, cur.mod_revision)
            if action == "delete":
                r = self.kv.txn([Compare(key, "mod", "=", cur.mod_revision)], [Delete(key)])
                rev = r.revision if r.succeeded else 0
            else:
                new_meta.pop("resourceVersion", None)         # a shared object's: never stored
                raw["metadata"] = new_meta
                rev = _put_if_mod(self.kv, key, cur.mod_revision, _encode(raw), self._lease_for(k))
                if rev:
                    # The marked object is the store's own (a new top level and
                    # metadata over read-only values): watches share it.
                    new_meta["resourceVersion"] = str(rev)
                    remember(self._seen, key, rev, raw)
            if rev:
                return _with_rv(raw, rev)
        raise self._conflict(k, name, f"gave up after {_RETRIES} attempts under contention")

    # ------------------------------------------------------------ watch

    def watch(self, kind: str, namespace: str | None = None, *, resource_version: str | int | None = None,
              label_selector: str | LabelSelector | None = None,
              field_selector: str | FieldSelector | None = None, bookmarks: bool = False) -> "ObjectWatch":
        """Changes to matching objects.  ``resource_version`` ``"N"``: every
        change after N (pass a list's resourceVersion: nothing missed, nothing
        twice); unset or ``"0"``: first an ADDED for each object that exists
        now, then the changes.  A change that moves an object into or out of
        the selection is ADDED or DELETED.  A version older than the
        compacted history raises :class:`~kubekit.errors.CompactedError`
        (the API server's 410 Gone): relist.  With ``bookmarks``, a
        ``next_batch`` that times out after the store moved on returns a
        BOOKMARK event whose object carries only the kind and the
        resourceVersion to resume from (allowWatchBookmarks)."""
        k = self.kinds.get(kind)
        match = _Filter(k, _label_selector(label_selector), _field_selector(field_selector))
        cache = self._watch_cache(k)
        rv = int(resource_version) if resource_version not in (None, "") else 0
        initial: list[WatchEvent] = []
        if rv == 0:
            items, list_rv = self.list(kind, namespace, label_selector=match.labels, field_selector=match.fields)
            initial = [WatchEvent("ADDED", o) for o in items]
            rv = int(list_rv)
        index = next(((r.field, r.value) for r in match.fields.requirements
                      if r.op in ("=", "==") and r.field in k.indexed_fields), None)
        source = cache.reader(rv + 1, k.prefix(namespace), index)
        return ObjectWatch(source, match, initial, seen=self._seen,
                           bookmark={"apiVersion": k.api_version, "kind": k.kind} if bookmarks else None)

    def _watch_cache(self, kind: Kind) -> WatchCache:
        with self._caches_lock:
            cache = self._caches.get(kind.kind)
            if cache is None or cache.broken is not None or cache.closed:
                cache = self._caches[kind.kind] = WatchCache(self.kv, kind)
            return cache

    def close(self) -> None:
        """Stop the watch caches (the KV is the caller's to close)."""
        with self._caches_lock:
            for cache in self._caches.values():
                cache.close()
            self._caches.clear()


def lease_reuse_seconds(ttl: int) -> int:
    """How long past its TTL an object may live so that writes close in time
    share one lease: 5% of the TTL, at most 60 s (the API server's
    leaseManager)."""
    return min(ttl // 20, 60)


def reuse_lease(now: float, ttl: int, prev_expiry: float) -> bool:
    """Whether the lease expiring at ``prev_expiry`` can carry a write made
    at ``now`` that must live ``ttl`` seconds: it outlives the TTL, by no
    more than the reuse window."""
    return now + ttl < prev_expiry <= now + ttl + lease_reuse_seconds(ttl)


def _encode_continue(rev: int, last_key: str, prefix: str) -> str:
    token = {"v": "meta.k8s.io/v1", "rv": rev, "start": last_key[len(prefix):] + "\0"}
    return base64.urlsafe_b64encode(json.dumps(token).encode()).decode()


def _decode_continue(token: str, prefix: str) -> tuple[int, str]:
    try:
        t = json.loads(base64.urlsafe_b64decode(token.encode()))
        rev, start = int(t["rv"]), t["start"]
        if t.get("v") != "meta.k8s.io/v1" or not isinstance(start, str) or rev < 1 or "/.." in "/" + start:
            raise ValueError(t)
    except (ValueError, KeyError, TypeError, json.JSONDecodeError) as e:
        raise InvalidObjectError(f"continue key is not valid: {token!r} ({e})") from None
    return rev, prefix + start


def _finalizers_for(finalizers: list[str], propagation: str) -> list[str]:
    """The finalizers a delete leaves on the object (the API server's
    ``deletionFinalizersForGarbageCollection``)."""
    out = [f for f in finalizers if f not in (ORPHAN_FINALIZER, FOREGROUND_FINALIZER)]
    if propagation == "Orphan":
        out.append(ORPHAN_FINALIZER)
    elif propagation == "Foreground":
        out.append(FOREGROUND_FINALIZER)
    return out


def remember(seen: dict, key: str, rev: int, obj: dict) -> None:
    """Record ``obj`` as ``key``'s shared object at revision ``rev`` in a
    store's ``seen`` map (which starts over at ``_SEEN_MAX`` keys)."""
    if len(seen) >= _SEEN_MAX:
        seen.clear()
    seen[key] = (rev, obj)


def _shared_hit(hit: tuple | None, rev: int, record: tuple) -> dict | None:
    """The object of ``hit`` (a ``seen`` entry, ``(revision, object)``, or
    None) if it is the shared object at revision ``rev``, else None.  Under
    ``KUBEKIT_CHECK_SHARED`` a reuse is first checked against ``record``,
    the KV record it must equal (a :class:`KeyValue` or its plain tuple)."""
    if hit is None or hit[0] != rev:
        return None
    if _CHECK_SHARED:
        check_unchanged(hit[1], new_tuple(KeyValue, record))
    return hit[1]


def check_unchanged(obj: dict, kv: KeyValue) -> None:
    """Raise if ``obj`` (decoded from ``kv`` and handed out read-only) is no
    longer what ``kv`` holds: someone changed a shared object."""
    stored = jsoncodec.loads(kv.value)      # the check's own decode, apart from the store's (``_loads``)
    stored["metadata"]["resourceVersion"] = str(kv.mod_revision)
    if stored != obj:
        raise AssertionError(f"{kv.key}: an object a watch delivered (resourceVersion {kv.mod_revision}) was changed "
                             "by its receiver; watch and informer objects are shared and read-only")


def to_watch_event(entry: tuple, match: _Filter, seen: dict | None = None) -> WatchEvent | None:
    """A KV change (a log entry: ``(type, record, previous record)``, see
    :func:`kubekit.store.kv.log_entry`) as the API server's watch shows it
    through a selector.  ``seen``: the store's ``key -> (revision, object)``
    of the objects its watches delivered, kept current here."""
    kind, rec, prev = entry
    if kind == "DELETE":
        # The key's shared object at the revision it was deleted from, if a
        # watch has one, is its last state: shared (a copy with the
        # deletion's resourceVersion) instead of decoded again.
        last = _shared_hit(seen.pop(rec[0], None) if seen is not None else None, prev[_MOD], prev)
        gone = _decode(prev, rec[_MOD]) if last is None else _with_rv(last, rec[_MOD])
        return new_tuple(WatchEvent, ("DELETED", gone)) if match(gone) else None
    # decoded by another watch, or built by the write: shared, read-only
    obj = _shared_hit(seen.get(rec[0]) if seen is not None else None, rec[_MOD], rec)
    if obj is None:
        obj = _decode(rec)
        if seen is not None:
            remember(seen, rec[0], rec[_MOD], obj)
    if match.everything:
        return new_tuple(WatchEvent, ("MODIFIED" if prev is not None else "ADDED", obj))
    now_in = match(obj)
    was_in = prev is not None and match(_decode(prev))
    if now_in:
        return new_tuple(WatchEvent, ("MODIFIED" if was_in else "ADDED", obj))
    return new_tuple(WatchEvent, ("DELETED", obj)) if was_in else None


class ObjectWatch(WatchBase):
    """A stream of :class:`WatchEvent` (see :meth:`APIStore.watch`).
    ``resource_version`` is where to resume: every change up to it has been
    delivered or filtered out (a bookmark)."""

    def __init__(self, kvwatch: Watch, match: _Filter, initial: list[WatchEvent],
                 bookmark: dict | None = None, seen: dict | None = None) -> None:
        self._w = kvwatch
        self._seen = seen
        # the KV's changes as plain log entries (a MemoryKV watch and the watch
        # cache hand those out as they are: no Event and KeyValue tuples per change)
        self._next = getattr(kvwatch, "next_entries", None) or (
            lambda timeout: [log_entry(e) for e in kvwatch.next_batch(timeout)])
        self._match = match
        self._pending = initial
        self._idle = getattr(kvwatch, "idle", None)    # see next_batch
        self._bookmark = bookmark
        self._sent = kvwatch.revision      # the version the consumer can resume from

    @property
    def resource_version(self) -> str:
        return str(self._w.revision)

    def next_batch(self, timeout: float | None = None) -> list[WatchEvent]:
        if self._pending:
            out, self._pending = self._pending, []
            return out + self._convert(self._next(0))
        if timeout == 0 and self.idle():
            return []         # what the loop below would return, without its layers of locks
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            events = self._next(left)
            if not events:
                if self._bookmark is not None and self._w.revision > self._sent:
                    self._sent = self._w.revision
                    obj = dict(self._bookmark, metadata={"resourceVersion": str(self._sent)})
                    return [WatchEvent("BOOKMARK", obj)]
                return []
            out = self._convert(events)
            if out:
                self._sent = events[-1][1][_MOD]
                return out

    def idle(self) -> bool:
        """Whether ``next_batch(0)`` would return ``[]`` and change nothing
        (a cheap check for a consumer that polls; False when it cannot be
        told exactly): no initial events pending, the source's ``next_entries(0)``
        would return ``[]`` and change nothing (its ``idle``), and no
        bookmark is due (the source's revision has not moved past what was
        sent; it does not move either)."""
        return (not self._pending and self._idle is not None and self._idle()
                and (self._bookmark is None or self._w.revision <= self._sent))

    def _convert(self, events: list[tuple]) -> list[WatchEvent]:
        match, seen = self._match, self._seen
        out = []
        for e in events:
            we = to_watch_event(e, match, seen)
            if we is not None:
                out.append(we)
        return out

    def close(self) -> None:
        self._w.close()
