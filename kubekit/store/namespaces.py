"""Namespaces as the API server stores them: the namespace registry's
strategy and its own delete (``pkg/registry/core/namespace/strategy.go`` and
``storage/storage.go``).

A Namespace is not deleted the way other objects are:

* **create** (``PrepareForCreate``): ``status.phase`` becomes ``Active`` and
  ``spec.finalizers`` gets ``kubernetes`` (appended when the client gave
  others);
* **every write** but ``/status`` (``Canonicalize``): the label
  ``kubernetes.io/metadata.name`` is the namespace's name (a generated name
  is drawn here, before the label is set, as the API server generates it
  before ``Canonicalize``);
* **update** (``PrepareForUpdate``): ``spec.finalizers`` and ``status`` are
  kept from the stored object; only ``/status`` changes the status and only
  ``/finalize`` changes ``spec.finalizers``;
* **delete** (``REST.Delete``): the first delete sets ``deletionTimestamp``
  and ``status.phase: Terminating`` and keeps the object (and decides the
  garbage collector's ``orphan`` / ``foregroundDeletion`` finalizers from the
  delete options); later deletes change nothing while ``spec.finalizers`` is
  not empty; once it is, the delete is an ordinary one;
* **an update that empties both finalizer lists** of a Namespace being
  deleted removes it (``ShouldDeleteNamespaceDuringUpdate``): that is how
  the namespace controller's ``/finalize`` (``spec.finalizers`` without
  ``kubernetes``) makes the namespace go.

The decisions are the pure functions below.  :class:`NamespaceStore` applies
them to an :class:`~kubekit.store.APIStore`'s key space.  It writes the KV
itself (one compare-and-swap per write, as the store does) because
``APIStore.update`` removes any object whose deletion is pending once its
``metadata.finalizers`` are empty: it has no hook for the namespace rule,
which also waits for ``spec.finalizers``.  Every writer of Namespaces in
kubekit goes through here: the API server, the namespace controller, the
garbage collector (``docs/namespaces.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kubekit.errors import AlreadyExistsError, ConflictError, InvalidObjectError, NotFoundError
from kubekit.store import jsoncodec
from kubekit.store import meta as _meta
from kubekit.store.kv import Compare, Delete, Put

__all__ = [
    "ACTIVE", "FINALIZER_KUBERNETES", "LABEL_METADATA_NAME", "NamespaceStore", "TERMINATING", "DeletePlan",
    "delete_finalizers", "with_name_label",
    "plan_delete", "prepare_for_create", "prepare_for_finalize", "prepare_for_status_update",
    "prepare_for_update", "should_delete_during_update", "spec_finalizers", "writer_for",
]

FINALIZER_KUBERNETES = "kubernetes"     # v1.FinalizerKubernetes: the namespace controller's token
ACTIVE, TERMINATING = "Active", "Terminating"
ORPHAN, FOREGROUND = "orphan", "foregroundDeletion"     # metav1.FinalizerOrphanDependents / DeleteDependents
LABEL_METADATA_NAME = "kubernetes.io/metadata.name"     # v1.LabelMetadataName
_RETRIES = 100
_GENERATE_NAME_ATTEMPTS = 8         # createWithGenerateNameRetry, as APIStore.create


# -- the strategy (pure) ------------------------------------------------------------------------
def spec_finalizers(ns: Mapping[str, Any]) -> list[str]:
    return list((ns.get("spec") or {}).get("finalizers") or [])


def _with_spec_finalizers(ns: Mapping[str, Any], finalizers: list[str]) -> dict:
    spec = {k: v for k, v in (ns.get("spec") or {}).items() if k != "finalizers"}
    if finalizers:
        spec["finalizers"] = list(finalizers)
    return dict(ns, spec=spec)


def with_name_label(ns: Mapping[str, Any]) -> dict:
    """``namespaceStrategy.Canonicalize`` (and ``SetDefaults_Namespace``):
    the label ``kubernetes.io/metadata.name`` is the name (unchanged while
    there is no name yet: a ``generateName`` not drawn)."""
    meta = ns.get("metadata") or {}
    name = meta.get("name")
    if not name:
        return dict(ns)
    return dict(ns, metadata=dict(meta, labels={**(meta.get("labels") or {}), LABEL_METADATA_NAME: name}))


def prepare_for_create(ns: Mapping[str, Any]) -> dict:
    """``namespaceStrategy.PrepareForCreate``: the status is ``{phase:
    Active}`` whatever the client sent, and ``kubernetes`` is among
    ``spec.finalizers`` (appended after the client's own); then
    ``Canonicalize``'s name label."""
    fins = spec_finalizers(ns)
    if FINALIZER_KUBERNETES not in fins:
        fins.append(FINALIZER_KUBERNETES)
    return with_name_label(dict(_with_spec_finalizers(ns, fins), status={"phase": ACTIVE}))


def _kept(new: Mapping[str, Any], old: Mapping[str, Any], field: str) -> dict:
    """``new`` with ``old``'s ``field`` (absent when ``old`` has none)."""
    out = dict(new)
    if field in old:
        out[field] = old[field]
    else:
        out.pop(field, None)
    return out


def prepare_for_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> dict:
    """``namespaceStrategy.PrepareForUpdate``: ``spec.finalizers`` and the
    status stay what they were; then ``Canonicalize``'s name label."""
    return with_name_label(_kept(_with_spec_finalizers(new, spec_finalizers(old)), old, "status"))


def prepare_for_status_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> dict:
    """``namespaceStatusStrategy.PrepareForUpdate``: the spec stays."""
    return _kept(new, old, "spec")


def prepare_for_finalize(new: Mapping[str, Any], old: Mapping[str, Any]) -> dict:
    """``namespaceFinalizeStrategy.PrepareForUpdate``: the status stays; the
    spec (its finalizers) is the client's; then ``Canonicalize``'s name label."""
    return with_name_label(_kept(_with_spec_finalizers(new, spec_finalizers(new)), old, "status"))


def should_delete_during_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> bool:
    """``ShouldDeleteNamespaceDuringUpdate``: an update removes the namespace
    when the new object has neither ``spec.finalizers`` nor
    ``metadata.finalizers`` and the stored one was being deleted with no (or
    a zero) grace period (the generic ``ShouldDeleteDuringUpdate``)."""
    if spec_finalizers(new) or (new.get("metadata") or {}).get("finalizers"):
        return False
    old_meta = old.get("metadata") or {}
    if not old_meta.get("deletionTimestamp"):
        return False
    return not old_meta.get("deletionGracePeriodSeconds")


def delete_finalizers(existing: list[str], propagation: str | None, orphan_dependents: bool | None) -> list[str]:
    """The ``metadata.finalizers`` a namespace's first delete leaves
    (``shouldHaveOrphanFinalizer`` / ``shouldHaveDeleteDependentsFinalizer``):
    the deprecated ``orphanDependents`` wins over ``propagationPolicy``; with
    neither, the finalizers it has stay.  Other finalizers are kept in order;
    one that must be added goes last."""
    if orphan_dependents is not None:
        want = {ORPHAN: orphan_dependents, FOREGROUND: not orphan_dependents}
    elif propagation is not None:
        want = {ORPHAN: propagation == "Orphan", FOREGROUND: propagation == "Foreground"}
    else:
        want = {ORPHAN: ORPHAN in existing, FOREGROUND: FOREGROUND in existing}
    out = [f for f in existing if f not in want or want[f]]
    out += [f for f in (ORPHAN, FOREGROUND) if want[f] and f not in out]
    return out


@dataclass(frozen=True, slots=True)
class DeletePlan:
    """What a delete does: ``mark`` (store ``obj``: Terminating),
    ``keep`` (finalizers remain: answer ``obj`` unchanged), ``delete`` (an
    ordinary delete, the finalizers are done) or ``conflict`` (a failed
    precondition, ``message`` says which)."""

    action: str
    obj: dict | None = None
    message: str = ""


def plan_delete(ns: Mapping[str, Any], *, now: float, propagation: str | None = None,
                orphan_dependents: bool | None = None, preconditions: Mapping[str, str] | None = None) -> DeletePlan:
    """The namespace storage's ``Delete`` for the stored ``ns`` (with its
    ``resourceVersion``)."""
    m = ns.get("metadata") or {}
    pre = preconditions or {}
    for field, label in (("uid", "UID"), ("resourceVersion", "ResourceVersion")):
        want = pre.get(field)
        if want is not None and str(want) != str(m.get(field)):
            return DeletePlan("conflict", message=f"Precondition failed: {label} in precondition: {want}, "
                                                  f"{label} in object meta: {m.get(field)}")
    if not m.get("deletionTimestamp"):
        meta = dict(m, deletionTimestamp=_meta.rfc3339(now))
        fins = delete_finalizers(list(m.get("finalizers") or []), propagation, orphan_dependents)
        if fins:
            meta["finalizers"] = fins
        else:
            meta.pop("finalizers", None)
        status = dict(ns.get("status") or {}, phase=TERMINATING)
        return DeletePlan("mark", dict(ns, metadata=meta, status=status))
    if spec_finalizers(ns):
        return DeletePlan("keep", dict(ns))
    return DeletePlan("delete")


# -- the storage ---------------------------------------------------------------------------------
def _with_rv(obj: Mapping[str, Any], rev: int) -> dict:
    return dict(obj, metadata=dict(obj.get("metadata") or {}, resourceVersion=str(rev)))


class NamespaceStore:
    """Namespace writes with the registry's rules over ``store`` (an
    :class:`~kubekit.store.APIStore`), shaped like the store's own methods
    so that a writer can take either (:func:`writer_for`).  Reads go to the
    store as usual."""

    kind_name = "Namespace"

    def __init__(self, store) -> None:
        self.store = store

    @property
    def _kind(self):
        return self.store.kinds.get(self.kind_name)

    def _conflict(self, name: str, why: str = "the object has been modified; please apply your changes to the "
                                                "latest version and try again") -> ConflictError:
        return ConflictError(f'Operation cannot be fulfilled on {self._kind.resource} "{name}": {why}')

    # -- writes ------------------------------------------------------------------------------------
    def create(self, obj: Mapping[str, Any]) -> dict:
        """The registry's create.  A ``generateName`` is drawn here (retried
        when taken, as the store retries), so that the name label carries
        the generated name."""
        ns = prepare_for_create(obj)
        meta = ns.get("metadata") or {}
        base = meta.get("generateName")
        if meta.get("name") or not isinstance(base, str) or not base:
            return self.store.create(ns)
        from kubekit.validation.defaults import simple_name_generator

        for attempt in range(_GENERATE_NAME_ATTEMPTS):
            try:
                return self.store.create(with_name_label(dict(ns, metadata=dict(meta, name=simple_name_generator(base)))))
            except AlreadyExistsError:
                if attempt == _GENERATE_NAME_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def update(self, obj: Mapping[str, Any]) -> dict:
        kind = self._kind
        return self._write(obj, lambda old: _meta.prepare_update(old, prepare_for_update(obj, old), kind))

    def update_status(self, obj: Mapping[str, Any]) -> dict:
        return self._write(obj, lambda old: _meta.prepare_status_update(old, prepare_for_status_update(obj, old)))

    def finalize(self, obj: Mapping[str, Any]) -> dict:
        """The ``/finalize`` subresource: ``spec.finalizers`` as given."""
        kind = self._kind
        return self._write(obj, lambda old: _meta.prepare_update(old, prepare_for_finalize(obj, old), kind))

    def guaranteed_update(self, kind: str, namespace: str | None, name: str,
                          mutate: Callable[[dict], dict | None], *, status: bool = False) -> dict:
        """:meth:`APIStore.guaranteed_update` for a Namespace (read, mutate,
        write; retried on conflict)."""
        self._check_kind(kind, namespace)
        for _ in range(_RETRIES):
            cur = self.store.get(self.kind_name, None, name)
            new = mutate(cur)
            if new is None:
                return cur
            try:
                return self.update_status(new) if status else self.update(new)
            except ConflictError:
                continue
        raise self._conflict(name, f"gave up after {_RETRIES} attempts under contention")

    def delete(self, kind: str, namespace: str | None, name: str, *, propagation: str | None = None,
               preconditions: Mapping[str, str] | None = None, grace_period_seconds: int | None = None,
               orphan_dependents: bool | None = None) -> dict:
        """The namespace storage's ``Delete``: the first delete marks the
        namespace Terminating and returns it; while ``spec.finalizers``
        remain a delete returns it unchanged; then it is an ordinary delete
        (:meth:`APIStore.delete`).  ``propagation`` None: no policy was given
        (the finalizers the namespace has stay)."""
        self._check_kind(kind, namespace)
        key = self._kind.key(None, name)
        for _ in range(_RETRIES):
            cur = self._current(key, name)
            stored = _with_rv(jsoncodec.loads(cur.value), cur.mod_revision)
            plan = plan_delete(stored, now=self.store.clock.now(), propagation=propagation,
                               orphan_dependents=orphan_dependents, preconditions=preconditions)
            if plan.action == "conflict":
                raise self._conflict(name, plan.message)
            if plan.action == "keep":
                return stored
            if plan.action == "delete":
                fins = (stored["metadata"].get("finalizers") or [])
                policy = propagation or ("Orphan" if ORPHAN in fins else "Foreground" if FOREGROUND in fins
                                         else "Background")
                if orphan_dependents is not None:
                    policy = "Orphan" if orphan_dependents else "Background"
                pre = {"uid": stored["metadata"].get("uid"), **(preconditions or {})}
                return self.store.delete(self.kind_name, None, name, propagation=policy, preconditions=pre,
                                         grace_period_seconds=grace_period_seconds)
            r = self.store.kv.txn([Compare(key, "mod", "=", cur.mod_revision)],
                                  [Put(key, jsoncodec.dumps(_meta.without_resource_version(plan.obj)))])
            if r.succeeded:
                return _with_rv(plan.obj, r.revision)
        raise self._conflict(name, f"gave up after {_RETRIES} attempts under contention")

    # -- helpers -----------------------------------------------------------------------------------
    def _check_kind(self, kind: str, namespace: str | None) -> None:
        if kind not in (self.kind_name, self._kind.plural) or namespace:
            raise InvalidObjectError(f"NamespaceStore writes Namespaces only, not {kind} in {namespace!r}")

    def _current(self, key: str, name: str):
        """The namespace's KV entry now (NotFoundError without one)."""
        cur = self.store.kv.get(key)
        if cur is None:
            raise NotFoundError(f'{self._kind.resource} "{name}" not found')
        return cur

    def _write(self, obj: Mapping[str, Any], build: Callable[[dict], dict]) -> dict:
        """One update of the stored namespace: ``build(stored)`` is the object
        to store (without resourceVersion).  ``obj``'s resourceVersion, when
        set, must be the stored one (else a conflict); without, the write is
        unconditional (retried).  An update that finishes a pending deletion
        removes the namespace (:func:`should_delete_during_update`)."""
        m = obj.get("metadata") or {}
        name = m.get("name")
        if not name:
            raise InvalidObjectError("Namespace: metadata.name: Required value")
        want_rv = m.get("resourceVersion") or None
        key = self._kind.key(None, name)
        for _ in range(_RETRIES):
            cur = self._current(key, name)
            if want_rv is not None and str(want_rv) != str(cur.mod_revision):
                raise self._conflict(name)
            old = jsoncodec.loads(cur.value)
            new = build(old)
            if new == old:
                return _with_rv(old, cur.mod_revision)     # nothing changed: no write
            old_meta, new_meta = old["metadata"], new["metadata"]
            if old_meta.get("deletionTimestamp"):
                added = [f for f in new_meta.get("finalizers") or [] if f not in (old_meta.get("finalizers") or [])]
                if added:
                    raise InvalidObjectError(f"Namespace {name!r}: metadata.finalizers: Forbidden: no new finalizers "
                                             "can be added if the object is being deleted, found new finalizers "
                                             f"{added}")
            if should_delete_during_update(new, old):
                op: Any = Delete(key)
            else:
                op = Put(key, jsoncodec.dumps(new))
            r = self.store.kv.txn([Compare(key, "mod", "=", cur.mod_revision)], [op])
            if r.succeeded:
                return _with_rv(new, r.revision)
            if want_rv is not None:
                raise self._conflict(name)
        raise self._conflict(name, f"gave up after {_RETRIES} attempts under contention")


def writer_for(store, kind: str):
    """What writes objects of ``kind``: a :class:`NamespaceStore` over
    ``store`` for Namespaces, the store itself for any other kind."""
    return NamespaceStore(store) if kind in (NamespaceStore.kind_name, "namespaces") else store
