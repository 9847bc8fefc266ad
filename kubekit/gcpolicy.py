"""The interpreter's cyclic garbage collector, set for a control plane.

A control plane keeps every object it watches decoded in its informers'
caches: 10,000 pods are about 130,000 dicts and lists that live as long as
the pods do.  CPython's collector was set for small heaps: it runs a young
collection every 700 net allocations of container objects and a full one
each time the long-lived heap grew by a quarter, and each full collection
walks every one of those objects.  While a cluster grows from nothing to
10,000 pods that is seven full collections (0.74 s of a 3.1 s run, measured
with ``gc.callbacks`` in ``bench/cluster_fleet.py``).

:func:`control_plane_gc` raises the young generation's threshold to
20,000 allocations, so the objects a reconcile allocates and drops are
mostly freed by reference counting before a collection looks at them, and
the long-lived heap is walked far less often while it grows.  It also walks
the middle generation every 50 young collections instead of every 10: what
survives a young collection is mostly informer objects that the next change
of the same pod replaces within the second, and waiting lets most of them
go by reference counting first (``bench/cluster_fleet.py``, apply phase,
2026-11-27, alternating runs: collector 0.07-0.10 s instead of 0.17-0.22 s,
wall 1.34-1.62 s instead of 1.64-1.77 s).  Nothing is
disabled: cycles are still collected, later.  ``kubekit serve`` runs under
it; a program embedding a :class:`~kubekit.cluster.local.ControlPlane`
chooses for itself (the setting is the whole interpreter's).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["CONTROL_PLANE_THRESHOLDS", "control_plane_gc"]

CONTROL_PLANE_THRESHOLDS = (20_000, 50, 10)
"""``gc.set_threshold`` arguments: CPython's defaults are ``(700, 10, 10)``."""


@contextmanager
def control_plane_gc(thresholds: tuple[int, int, int] = CONTROL_PLANE_THRESHOLDS) -> Iterator[tuple[int, ...]]:
    """Run the body with the collector's ``thresholds``; the previous ones
    are restored on the way out (also on an exception).  Yields the
    previous thresholds."""
    if len(thresholds) != 3 or any(not isinstance(t, int) or t < 1 for t in thresholds):
        raise ValueError(f"thresholds {thresholds!r}: expected three positive integers")
    previous = gc.get_threshold()
    gc.set_threshold(*thresholds)
    try:
        yield previous
    finally:
        gc.set_threshold(*previous)
