"""client-go's ``EventCorrelator`` (``tools/record/events_cache.go``): what
an event recorder does with an event before it writes it.

Three steps, each with client-go's defaults and its LRU caches of 4,096
entries:

1. **Aggregation.** Events that differ only in their message (same source,
   involved object, type, reason, reporting controller and instance) are
   *similar*.  Once 10 distinct messages of one such group arrive within 10
   minutes of each other, each further one becomes the group's single
   aggregate event, message ``(combined from similar events): <message>``.
2. **Counting.** An event seen before (every field of the key the same, or
   the same aggregate group) is not a new object: the last one's name and
   first timestamp are kept, ``count`` goes up, and the recorder patches
   ``count``, ``lastTimestamp`` and ``message``.
3. **Spam filter.** Each source may send an object 25 events at once, then
   one every 5 minutes (a token bucket per source and object, full at the
   start): beyond that an event is dropped.  The first two steps have
   already counted it.

Go's ``sets.String.PopAny`` removes an arbitrary message from a full
aggregation group; here it is the oldest one, so a run is reproducible.
The rest is pure bookkeeping on the injected clock's time.
"""

from __future__ import annotations

import struct
from collections import OrderedDict
from dataclasses import dataclass

from kubekit._fast._records import new_slots

__all__ = [
    "AGGREGATE_MAX_EVENTS", "AGGREGATE_INTERVAL_SECONDS", "AGGREGATE_PREFIX", "MAX_LRU_CACHE_ENTRIES",
    "SPAM_BURST", "SPAM_QPS", "Correlated", "EventCorrelator", "TokenBucket", "event_key",
]

MAX_LRU_CACHE_ENTRIES = 4096            # maxLruCacheEntries
AGGREGATE_MAX_EVENTS = 10               # defaultAggregateMaxEvents
AGGREGATE_INTERVAL_SECONDS = 600        # defaultAggregateIntervalInSeconds
SPAM_BURST = 25                         # defaultSpamBurst
SPAM_QPS = struct.unpack("f", struct.pack("f", 1.0 / 300.0))[0]    # defaultSpamQPS, a float32 as in Go
AGGREGATE_PREFIX = "(combined from similar events): "              # EventAggregatorByReasonMessageFunc


class _LRU:
    """groupcache's ``lru.Cache``: ``get`` and ``add`` make an entry the most
    recently used; adding beyond ``size`` drops the least recently used."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._d: OrderedDict = OrderedDict()

    def get(self, key):
        d = self._d
        v = d.get(key)
        if v is not None:
            d.move_to_end(key)
        return v

    def add(self, key, value) -> None:
        d = self._d
        if key in d:
            d.move_to_end(key)
        d[key] = value                        # a new key goes last
        if len(d) > self.size:
            d.popitem(last=False)


class TokenBucket:
    """``flowcontrol.NewTokenBucketRateLimiterWithClock``'s ``TryAccept``
    (golang.org/x/time/rate's ``AllowN(now, 1)``): full at the start, refilled
    at ``qps`` tokens a second up to ``burst``; a refused take changes nothing."""

    def __init__(self, qps: float, burst: int) -> None:
        self.qps, self.burst = qps, burst
        self._tokens = float(burst)
        self._last: float | None = None

    def try_accept(self, now: float) -> bool:
        tokens = self._tokens
        if self._last is not None:
            tokens = min(float(self.burst), tokens + max(0.0, now - self._last) * self.qps)
        if tokens < 1.0:
            return False
        self._tokens, self._last = tokens - 1.0, now
        return True


def _keys(ev: dict) -> tuple[str, str, str]:
    """``(getSpamKey, the EventAggregatorByReasonFunc group, getEventKey)``
    of an event, each its fields joined with no separator as client-go joins
    them (so two events whose fields only split differently share a key, as
    they do there): source and involved object; those with type, reason and
    reporting controller and instance; source, involved object with its
    field path, type, reason and message."""
    src = ev.get("source") or {}
    io = ev.get("involvedObject") or {}
    component, host = src.get("component") or "", src.get("host") or ""
    kind, ns, name = io.get("kind") or "", io.get("namespace") or "", io.get("name") or ""
    uid, api_version = io.get("uid") or "", io.get("apiVersion") or ""
    type_, reason = ev.get("type") or "", ev.get("reason") or ""
    spam = "".join((component, host, kind, ns, name, uid, api_version))
    group = "".join((spam, type_, reason, ev.get("reportingComponent") or "", ev.get("reportingInstance") or ""))
    key = "".join((component, host, kind, ns, name, io.get("fieldPath") or "", uid, api_version, type_, reason,
                   ev.get("message") or ""))
    return spam, group, key


def event_key(ev: dict) -> str:
    """``getEventKey``: source, involved object (with its field path), type,
    reason and message, joined with no separator."""
    return _keys(ev)[2]


@dataclass(frozen=True, slots=True)
class Correlated:
    """``EventCorrelateResult``: the event to write (None: dropped by the
    spam filter) and whether it updates an existing one (``count > 1``:
    patch ``count``, ``lastTimestamp`` and ``message`` of ``event``'s name)."""

    event: dict | None
    update: bool = False
    key: str = ""            # the event's getEventKey, for update_state


class EventCorrelator:
    """See the module docstring.  The limits default to client-go's; each
    call is given the time (Unix seconds) and its timestamp text."""

    def __init__(self, *, lru_size: int = MAX_LRU_CACHE_ENTRIES, max_events: int = AGGREGATE_MAX_EVENTS,
                 max_interval: float = AGGREGATE_INTERVAL_SECONDS, burst: int = SPAM_BURST,
                 qps: float = SPAM_QPS) -> None:
        self.max_events, self.max_interval, self.burst, self.qps = max_events, max_interval, burst, qps
        self._aggregates = _LRU(lru_size)     # group -> [messages seen (ordered), last time]
        self._observed = _LRU(lru_size)       # event or group key -> (count, firstTimestamp, name, resourceVersion)
        self._spam = _LRU(lru_size)           # source+object -> TokenBucket

    def _aggregate(self, ev: dict, group: str, key: str, now: float, stamp: str, name_of) -> tuple[dict, str]:
        """``EventAggregate``: the event to record and its cache key."""
        record = self._aggregates.get(group)
        if record is None or now - record[1] > self.max_interval:
            record = [OrderedDict(), now]
        messages = record[0]
        messages[ev.get("message") or ""] = None
        record[1] = now
        self._aggregates.add(group, record)
        if len(messages) < self.max_events:
            return ev, key
        messages.popitem(last=False)          # PopAny: the oldest here
        io = ev.get("involvedObject") or {}
        combined = {
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": name_of(io.get("name") or ""), "namespace": (ev.get("metadata") or {}).get("namespace")},
            "count": 1, "firstTimestamp": stamp, "lastTimestamp": stamp, "involvedObject": io,
            "message": AGGREGATE_PREFIX + (ev.get("message") or ""), "type": ev.get("type"),
            "reason": ev.get("reason"), "source": ev.get("source"),
        }
        return combined, group

    def _observe(self, ev: dict, key: str) -> dict:
        """``eventObserve``: a repeat takes the last one's name, resourceVersion
        and first timestamp, and the next count.  The cache keeps ``eventLog``s
        as ``(count, firstTimestamp, name, resourceVersion)``."""
        last = self._observed.get(key)
        if last is not None and last[0] > 0:
            meta = {**(ev.get("metadata") or {}), "name": last[2]}
            if last[3]:
                meta["resourceVersion"] = last[3]
            ev = {**ev, "metadata": meta, "firstTimestamp": last[1], "count": last[0] + 1}
        meta = ev.get("metadata") or {}
        self._observed.add(key, (int(ev.get("count") or 0), ev.get("firstTimestamp"), meta.get("name") or "",
                                 meta.get("resourceVersion") or ""))
        return ev

    def _filtered(self, spam_key: str, now: float) -> bool:
        """``EventSourceObjectSpamFilter.Filter``: True to drop the event."""
        bucket = self._spam.get(spam_key)
        if bucket is None:
            bucket = TokenBucket(self.qps, self.burst)
        accepted = bucket.try_accept(now)
        self._spam.add(spam_key, bucket)
        return not accepted

    def correlate(self, ev: dict, now: float, stamp: str, name_of) -> Correlated:
        """``EventCorrelate``: ``ev`` as the recorder made it (count 1);
        ``name_of(object name)`` names a new aggregate event.  (The spam key
        of an aggregate event is its original's: the same source and object.)"""
        spam_key, group, key = _keys(ev)
        aggregated, cache_key = self._aggregate(ev, group, key, now, stamp, name_of)
        observed = self._observe(aggregated, cache_key)
        if self._filtered(spam_key, now):
            return new_slots(Correlated, (None, False, ""))       # (Correlated(None), built in C)
        if aggregated is not ev:             # its own event key: the combined message
            key = event_key(aggregated)
        return new_slots(Correlated, (observed, int(observed.get("count") or 1) > 1, key))

    def update_state(self, ev: dict, key: str | None = None) -> None:
        """``UpdateState``: what the server returned, under its full event key
        (``key``: already known, as :meth:`correlate` gives it)."""
        m = ev.get("metadata") or {}
        self._observed.add(key if key is not None else event_key(ev), (int(ev.get("count") or 0), ev.get("firstTimestamp"), m.get("name") or "",
                                           m.get("resourceVersion") or ""))
