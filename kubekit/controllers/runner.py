"""The shape every controller shares: informers feed a work queue of keys,
and one verb, ``reconcile(key)``, closes the gap between desired and actual
state, idempotently (level-triggered: it reads the whole state each time,
never trusts the event that woke it).

A reconcile returns a :class:`Result`; raising is a failure and the key is
retried with the queue's per-key exponential backoff (client-go: 5 ms
doubling to 1,000 s); success ``forget``\\ s the key's backoff.
``requeue_after`` asks for another look later (a pod that becomes available
after ``minReadySeconds``, a progress deadline).

``run_once`` processes the keys that are ready now, so a simulation on a fake
clock drives controllers deterministically; ``next_wakeup`` says when the
next delayed key is due.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from dataclasses import dataclass

from kubekit.controllers.workqueue import WorkQueue

__all__ = ["Controller", "Result"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Result:
    requeue_after: float | None = None


class Controller:
    """Base class: subclasses set ``name``, create informers, wire their
    handlers to :meth:`enqueue`, and implement :meth:`reconcile`."""

    name = "controller"

    def __init__(self, store, clock) -> None:
        self.store, self.clock = store, clock
        self.queue = WorkQueue(clock, name=self.name)
        self.informers: list = []
        self.errors = 0

    def enqueue(self, key: Hashable) -> None:
        self.queue.add(key)

    def reconcile(self, key: Hashable) -> Result:
        raise NotImplementedError

    def start(self) -> Controller:
        for inf in self.informers:
            if not inf.has_synced:
                inf.start()
        return self

    def sync(self) -> int:
        n = 0
        for inf in self.informers:
            n += inf.pump()
        return n

    def process_one(self) -> bool:
        """Reconcile one ready key; False if none was ready."""
        key = self.queue.try_get()
        if key is None:
            return False
        try:
            result = self.reconcile(key)
        except Exception as e:          # a failed reconcile is retried, never fatal to the loop
            self.errors += 1
            log.warning("%s: reconcile %s failed: %s", self.name, key, e, exc_info=log.isEnabledFor(logging.DEBUG))
            self.queue.add_rate_limited(key)
        else:
            self.queue.forget(key)
            if result is not None and result.requeue_after is not None:
                self.queue.add_after(key, result.requeue_after)
        finally:
            self.queue.done(key)
        return True

    def run_once(self, limit: int | None = None) -> int:
        """Sync the informers, then reconcile every ready key (at most ``limit``)."""
        self.sync()
        n = 0
        while (limit is None or n < limit) and self.process_one():
            n += 1
        return n

    def next_wakeup(self) -> float | None:
        return self.queue.next_ready_in()
