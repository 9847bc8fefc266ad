"""The disruption controller's writing half: keeps every
PodDisruptionBudget's ``status`` (``expectedPods``, ``desiredHealthy``,
``currentHealthy``, ``disruptionsAllowed``) up to date, for ``kubectl get
pdb`` and anyone reading it.

kubekit's own decisions never read that status: the eviction check and the
autoscaler compute it from the pods at the moment they decide
(:func:`~kubekit.autoscaling.cluster.disruption.budget_status`), so there is
no window in which a stale ``disruptionsAllowed`` lets two evictions through
(the API server closes that window with the status's resourceVersion; an
in-process store can simply recompute).  Run this writer only to show the
status."""

from __future__ import annotations

from kubekit.autoscaling.cluster.disruption import budget_status, status_fields
from kubekit.autoscaling.cluster.owners import StoreOwners
from kubekit.controllers.informer import Informer
from kubekit.errors import NotFoundError

__all__ = ["PdbStatusWriter"]


class PdbStatusWriter:
    """A component (``run_once``/``next_wakeup``) that rewrites the budgets'
    status every ``interval`` seconds when it changed."""

    def __init__(self, store, clock, *, pods: Informer | None = None, interval: float = 5.0) -> None:
        self.store, self.clock, self.interval = store, clock, interval
        self.pods = pods if pods is not None else Informer(store, "Pod")
        self._own_pods = pods is None
        self.pdbs = Informer(store, "PodDisruptionBudget")
        self._next = clock.monotonic()

    def run_once(self) -> int:
        now = self.clock.monotonic()
        if now < self._next:
            return 0
        self._next = now + self.interval
        for inf in ([self.pods] if self._own_pods else []) + [self.pdbs]:
            if not inf.has_synced:
                inf.start()
            inf.pump()
        owners = StoreOwners(self.store)
        by_ns: dict[str, list[dict]] = {}
        for p in self.pods.list():
            by_ns.setdefault(p["metadata"].get("namespace") or "default", []).append(p)
        written = 0
        for pdb in self.pdbs.list():
            m = pdb["metadata"]
            want = status_fields(budget_status(pdb, by_ns.get(m.get("namespace") or "default", []), owners.scale),
                                 m.get("generation"))
            if (pdb.get("status") or {}) == want:
                continue
            try:
                self.store.guaranteed_update("PodDisruptionBudget", m.get("namespace"), m["name"],
                                             lambda cur: {**cur, "status": want}, status=True)
                written += 1
            except NotFoundError:
                pass
        return written

    def next_wakeup(self) -> float | None:
        return max(0.0, self._next - self.clock.monotonic())
