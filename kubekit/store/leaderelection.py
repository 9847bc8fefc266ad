"""Leader election on a ``coordination.k8s.io/v1`` Lease object.

:func:`decide` is client-go's ``tryAcquireOrRenew`` as a pure function: the
Lease as read, what this candidate observed before (and when, on its own
clock), its identity, the lease duration and now.  Expiry is judged on the
candidate's *observation* time, not the holder's ``renewTime``, so clock
skew between candidates does not matter (client-go's rule).

:class:`LeaderElector` is the effectful edge: it reads the Lease from an
:class:`~kubekit.store.objects.APIStore`, calls :func:`decide`, and writes
with the read resourceVersion (losing a race is a conflict: not leader).
Node heartbeats are the same object renewed by its only holder (the node,
in namespace ``kube-node-lease``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Literal

from kubekit.clock import Clock
from kubekit.errors import AlreadyExistsError, ConflictError, NotFoundError
from kubekit.store.meta import micro_time, parse_time
from kubekit.store.objects import APIStore

__all__ = ["LeaderRecord", "Observation", "Decision", "decide", "LeaderElector", "record_of", "lease_manifest"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LeaderRecord:
    holder: str
    lease_duration_seconds: int
    acquire_time: float
    renew_time: float
    transitions: int = 0


@dataclass(frozen=True, slots=True)
class Observation:
    """The record a candidate last saw change, and when (its clock)."""

    record: LeaderRecord
    time: float


@dataclass(frozen=True, slots=True)
class Decision:
    action: Literal["create", "update", "none"]
    record: LeaderRecord | None        # what to write (create/update)
    observed: Observation | None
    reason: str


def decide(current: LeaderRecord | None, observed: Observation | None, identity: str,
           lease_duration: int, now: float) -> Decision:
    """What a candidate does on one ``tryAcquireOrRenew`` step."""
    if current is None:
        rec = LeaderRecord(identity, lease_duration, now, now, 0)
        return Decision("create", rec, Observation(rec, now), "no lease yet")
    if observed is None or observed.record != current:
        observed = Observation(current, now)
    is_leader = observed.record.holder == identity
    valid = observed.time + observed.record.lease_duration_seconds > now
    if current.holder and valid and not is_leader:
        return Decision("none", None, observed, f"held by {current.holder!r} and not yet expired")
    if is_leader:
        rec = LeaderRecord(identity, lease_duration, current.acquire_time, now, current.transitions)
        return Decision("update", rec, observed, "renew")
    rec = LeaderRecord(identity, lease_duration, now, now, current.transitions + 1)
    why = "the lease is free" if not current.holder else f"{current.holder!r} let the lease expire"
    return Decision("update", rec, observed, why)


def record_of(lease: dict) -> LeaderRecord:
    spec = lease.get("spec") or {}
    return LeaderRecord(
        holder=spec.get("holderIdentity") or "",
        lease_duration_seconds=int(spec.get("leaseDurationSeconds") or 0),
        acquire_time=parse_time(spec["acquireTime"]) if spec.get("acquireTime") else 0.0,
        renew_time=parse_time(spec["renewTime"]) if spec.get("renewTime") else 0.0,
        transitions=int(spec.get("leaseTransitions") or 0),
    )


def _spec(rec: LeaderRecord) -> dict:
    return {"holderIdentity": rec.holder, "leaseDurationSeconds": rec.lease_duration_seconds,
            "acquireTime": micro_time(rec.acquire_time), "renewTime": micro_time(rec.renew_time),
            "leaseTransitions": rec.transitions}


def lease_manifest(namespace: str, name: str, rec: LeaderRecord) -> dict:
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"namespace": namespace, "name": name}, "spec": _spec(rec)}


class LeaderElector:
    """One candidate.  The owner calls :meth:`try_acquire_or_renew` every
    retry period (client-go: 2 s, with a 15 s lease) on its clock."""

    def __init__(self, store: APIStore, namespace: str, name: str, identity: str, *,
                 lease_duration: int = 15, clock: Clock | None = None) -> None:
        self.store, self.namespace, self.name, self.identity = store, namespace, name, identity
        self.lease_duration = lease_duration
        self.clock = clock or store.clock
        self._observed: Observation | None = None

    @property
    def is_leader(self) -> bool:
        return self._observed is not None and self._observed.record.holder == self.identity

    def try_acquire_or_renew(self) -> bool:
        """One step; true if this candidate holds the lease afterwards."""
        try:
            lease = self.store.get("Lease", self.namespace, self.name)
        except NotFoundError:
            lease = None
        d = decide(record_of(lease) if lease else None, self._observed, self.identity,
                   self.lease_duration, self.clock.now())
        self._observed = d.observed
        if d.action == "none":
            return False
        assert d.record is not None
        try:
            if d.action == "create":
                self.store.create(lease_manifest(self.namespace, self.name, d.record))
            else:
                assert lease is not None
                new = dict(lease, spec=_spec(d.record))
                self.store.update(new)  # carries the read resourceVersion
        except (ConflictError, AlreadyExistsError):
            log.debug("%s: lost the race for lease %s/%s", self.identity, self.namespace, self.name)
            return False
        if self._observed is None or self._observed.record.holder != self.identity:
            log.info("%s: became leader of %s/%s (%s)", self.identity, self.namespace, self.name, d.reason)
        self._observed = Observation(d.record, self.clock.now())
        return True

    def release(self) -> bool:
        """Give the lease up (client-go's ReleaseOnCancel): an empty holder
        that others may take at once."""
        if not self.is_leader:
            return False
        try:
            lease = self.store.get("Lease", self.namespace, self.name)
            rec = record_of(lease)
            if rec.holder != self.identity:
                return False
            now = self.clock.now()
            rec = replace(rec, holder="", lease_duration_seconds=1, renew_time=now, acquire_time=now)
            self.store.update(dict(lease, spec=_spec(rec)))
        except (ConflictError, NotFoundError):
            return False
        self._observed = None
        return True
