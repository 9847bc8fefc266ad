"""The API server's etcd compactor: history older than one interval is
compacted away, every interval (``kube-apiserver --etcd-compaction-interval``,
5 minutes by default).

A port of ``staging/src/k8s.io/apiserver/pkg/storage/etcd3/compact.go``.
The key ``compact_rev_key`` (at the root of the KV, outside ``/registry``)
holds the revision last compacted to, and its *version* serves as a logical
"compact time" shared by every API server of a cluster:

* each round is one transaction: if the key's version still equals the
  compact time this compactor knows, put the revision it noted at its last
  round (the version goes up by one) and compact to that revision; else
  read the key and adopt its version (another API server compacted);
* a round notes the revision it ran at, so the next round (one interval
  later) compacts everything older than one interval;
* nothing is compacted at the first round (bootstrap), so the first
  compaction happens two intervals after start;
* a failure is logged and the next round comes one interval later.

:class:`Compactor` runs on the injected clock as a control-plane component
(``run_once`` / ``next_wakeup``); :func:`compact_round` is one round, pure
apart from the KV it is given.
"""

from __future__ import annotations

import logging

from kubekit.errors import StoreError
from kubekit.store.kv import Compare, Get, Put

__all__ = ["COMPACT_REV_KEY", "DEFAULT_COMPACTION_INTERVAL", "Compactor", "compact_round"]

log = logging.getLogger(__name__)

COMPACT_REV_KEY = "compact_rev_key"
DEFAULT_COMPACTION_INTERVAL = 300.0     # storagebackend.DefaultCompactInterval: 5 minutes


def compact_round(kv, expect_version: int, rev: int) -> tuple[int, int, int, StoreError | None]:
    """Upstream's ``compact()``: ``(compact time now, the store's revision
    now, the revision compacted to or 0, the compaction's error or None)``.
    ``expect_version`` is the compact time this compactor knows, ``rev`` the
    revision it noted at its last round (0 at the first).  A failed
    transaction raises (nothing changed); a failed compaction after it is
    returned, with the new compact time and revision, as upstream returns it."""
    r = kv.txn([Compare(COMPACT_REV_KEY, "version", "=", expect_version)],
               [Put(COMPACT_REV_KEY, str(rev).encode())],          # its version goes up: the compact time
               [Get(COMPACT_REV_KEY)])
    current_rev = r.revision
    if not r.succeeded:                  # another compactor went first: adopt its compact time
        got = r.responses[0].kvs[0]
        try:
            compacted = int(got.value)
        except ValueError:
            compacted = 0
        return got.version, current_rev, compacted, None
    if rev == 0:                         # no compaction on bootstrap
        return expect_version + 1, current_rev, 0, None
    try:
        kv.compact(rev)
    except StoreError as e:              # e.g. the store had already compacted past it
        return expect_version + 1, current_rev, 0, e
    return expect_version + 1, current_rev, rev, None


class Compactor:
    """Compacts ``kv`` every ``interval`` seconds of ``clock`` (0: never,
    as ``--etcd-compaction-interval=0`` turns it off)."""

    def __init__(self, kv, clock, interval: float = DEFAULT_COMPACTION_INTERVAL) -> None:
        if not interval >= 0:
            raise ValueError(f"compaction interval {interval!r}: expected 0 (off) or more seconds")
        self.kv, self.clock, self.interval = kv, clock, interval
        self.compact_revision = 0            # the last revision compacted to (by any compactor)
        self.errors = 0
        self._version = 0                    # the compact time this compactor knows
        self._rev = 0                        # the revision noted at the last round
        self._due = clock.monotonic() + interval

    def run_once(self) -> int:
        """One round if it is due; how many rounds ran (0 or 1)."""
        if not self.interval:
            return 0
        now = self.clock.monotonic()
        if now < self._due:
            return 0
        self._due = now + self.interval
        try:
            self._version, self._rev, compacted, error = compact_round(self.kv, self._version, self._rev)
        except StoreError as e:
            compacted, error = 0, e
        if error is not None:               # the next round comes one interval later, as upstream's
            self.errors += 1
            log.error("etcd: compact failed: %s", error)
            return 1
        if compacted:
            self.compact_revision = compacted
            log.debug("etcd: compacted rev (%d)", compacted)
        return 1

    def next_wakeup(self) -> float | None:
        if not self.interval:
            return None
        return max(0.0, self._due - self.clock.monotonic())
