"""Garbage collection of dependents (ownerReferences), finalizer-driven.

:func:`plan` is the decision: given every object, what the collector must do
next.  :class:`GarbageCollector` reads the store, applies the plan and
repeats until nothing is left to do (level-triggered: a failed or raced step
is simply planned again).

The rules are the Kubernetes garbage collector's:

- a dependent whose owners are all gone (no object with the owner's uid,
  kind and name) is deleted in the background;
- a dependent with some owners gone and some alive loses the dangling
  references;
- an owner deleted with ``Orphan`` propagation carries the ``orphan``
  finalizer: its dependents lose their reference to it, then the finalizer
  goes (and with it the owner);
- an owner deleted with ``Foreground`` propagation carries
  ``foregroundDeletion``: its dependents are deleted (in the foreground
  too), and the finalizer goes once no dependent with
  ``blockOwnerDeletion: true`` remains.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Iterable, Literal, Mapping

from kubekit.errors import ConflictError, NotFoundError
from kubekit.store.kinds import Kinds
from kubekit.store.objects import FOREGROUND_FINALIZER, ORPHAN_FINALIZER, APIStore

__all__ = ["Action", "plan", "GarbageCollector"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Action:
    verb: Literal["delete", "remove_owner_refs", "remove_finalizer"]
    kind: str
    namespace: str | None
    name: str
    uid: str
    propagation: str = "Background"        # delete
    owner_uids: tuple[str, ...] = ()       # remove_owner_refs
    finalizer: str = ""                    # remove_finalizer


def _ident(o: Mapping[str, Any]) -> tuple[str, str | None, str, str]:
    m = o["metadata"]
    return o["kind"], m.get("namespace"), m["name"], m["uid"]


def plan(objects: Iterable[Mapping[str, Any]], kinds: Kinds) -> list[Action]:
    """What the collector should do now, given every object in the store."""
    objs = list(objects)
    by_uid = {o["metadata"]["uid"]: o for o in objs}
    dependents: dict[str, list[Mapping[str, Any]]] = {}
    for o in objs:
        for ref in o["metadata"].get("ownerReferences") or ():
            dependents.setdefault(ref.get("uid", ""), []).append(o)

    def owner_alive(dep: Mapping[str, Any], ref: Mapping[str, Any]) -> bool:
        owner = by_uid.get(ref.get("uid", ""))
        if owner is None or owner["kind"] != ref.get("kind") or owner["metadata"]["name"] != ref.get("name"):
            return False
        # a namespaced owner must share the dependent's namespace
        own_ns = owner["metadata"].get("namespace")
        return own_ns is None or own_ns == dep["metadata"].get("namespace")

    actions: list[Action] = []
    for o in objs:
        kind, ns, name, uid = _ident(o)
        m = o["metadata"]
        fins = m.get("finalizers") or []
        deleting = bool(m.get("deletionTimestamp"))
        deps = [d for d in dependents.get(uid, ()) if owner_alive(d, _ref_to(d, uid))]
        if deleting and ORPHAN_FINALIZER in fins:
            for d in deps:
                actions.append(Action("remove_owner_refs", *_ident(d), owner_uids=(uid,)))
            if not deps:
                actions.append(Action("remove_finalizer", kind, ns, name, uid, finalizer=ORPHAN_FINALIZER))
            continue
        if deleting and FOREGROUND_FINALIZER in fins:
            for d in deps:
                if not d["metadata"].get("deletionTimestamp"):
                    actions.append(Action("delete", *_ident(d), propagation="Foreground"))
            if not any(_ref_to(d, uid).get("blockOwnerDeletion") for d in deps):
                actions.append(Action("remove_finalizer", kind, ns, name, uid, finalizer=FOREGROUND_FINALIZER))
        refs = m.get("ownerReferences") or []
        if refs and not deleting:
            dangling = tuple(r.get("uid", "") for r in refs if not owner_alive(o, r))
            if len(dangling) == len(refs):
                actions.append(Action("delete", kind, ns, name, uid))
            elif dangling:
                actions.append(Action("remove_owner_refs", kind, ns, name, uid, owner_uids=dangling))
    return actions


def _ref_to(dep: Mapping[str, Any], owner_uid: str) -> Mapping[str, Any]:
    for ref in dep["metadata"].get("ownerReferences") or ():
        if ref.get("uid") == owner_uid:
            return ref
    return {}


class GarbageCollector:
    """Applies :func:`plan` to an :class:`APIStore` until it is stable."""

    def __init__(self, store: APIStore) -> None:
        self.store = store

    def objects(self) -> list[dict]:
        out: list[dict] = []
        for k in self.store.kinds:
            out += self.store.list(k.kind)[0]
        return out

    def sweep(self) -> int:
        """One pass: plan on a fresh read, apply; returns how many actions
        took effect."""
        done = 0
        for a in plan(self.objects(), self.store.kinds):
            try:
                done += self._apply(a)
            except (NotFoundError, ConflictError) as e:   # raced; the next sweep replans
                log.debug("gc: %s %s/%s: %s", a.verb, a.kind, a.name, e)
        return done

    def run_until_stable(self, max_sweeps: int = 100) -> int:
        """Sweep until a sweep changes nothing; returns the sweeps it took."""
        for n in range(1, max_sweeps + 1):
            if not self.sweep():
                return n
        raise RuntimeError(f"garbage collection did not settle in {max_sweeps} sweeps")

    def _apply(self, a: Action) -> int:
        from kubekit.store.namespaces import writer_for

        s = writer_for(self.store, a.kind)      # Namespaces: the namespace registry's delete and updates
        pre = {"uid": a.uid}
        if a.verb == "delete":
            s.delete(a.kind, a.namespace, a.name, propagation=a.propagation, preconditions=pre)  # type: ignore[arg-type]
            log.info("gc: deleted %s %s/%s (%s)", a.kind, a.namespace or "", a.name, a.propagation)
            return 1

        def mutate(o: dict) -> dict | None:
            if o["metadata"]["uid"] != a.uid:
                raise NotFoundError(f"{a.kind} {a.name!r} was replaced")
            m = o["metadata"]
            if a.verb == "remove_owner_refs":
                refs = m.get("ownerReferences") or []
                keep = [r for r in refs if r.get("uid") not in a.owner_uids]
                if len(keep) == len(refs):
                    return None
                if keep:
                    m["ownerReferences"] = keep
                else:
                    m.pop("ownerReferences", None)
            else:
                fins = m.get("finalizers") or []
                if a.finalizer not in fins:
                    return None
                m["finalizers"] = [f for f in fins if f != a.finalizer]
            return o

        before = self.store.get(a.kind, a.namespace, a.name)["metadata"]["resourceVersion"]
        after = s.guaranteed_update(a.kind, a.namespace, a.name, mutate)
        return int(after["metadata"]["resourceVersion"] != before)
