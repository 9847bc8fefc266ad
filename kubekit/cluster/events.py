"""Recording core/v1 Events, as client-go's EventRecorder does.

An event names the object it is about (``involvedObject``), a ``reason``
(``FailedScheduling``, ``Scheduled``, ``Pulled``, ``BackOff`` ...), a
``message`` and a ``type`` (``Normal`` or ``Warning``).  Repeats of the same
event (same object, component, type, reason and message) are not new
objects: the recorder bumps ``count`` and ``lastTimestamp`` of the first, as
client-go's EventCorrelator aggregates them.  Like client-go's, the recorder
remembers the last 4,096 distinct events (``maxLruCacheEntries``); an older
repeat is recorded afresh.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from kubekit.errors import AlreadyExistsError, KubekitError, NotFoundError
from kubekit.store.meta import rfc3339

__all__ = ["EventRecorder", "events_for"]

log = logging.getLogger(__name__)

#: client-go's ``maxLruCacheEntries``: how many distinct events the correlator remembers.
MAX_REMEMBERED = 4096


class EventRecorder:
    """Writes Events for ``component`` into ``store``, on ``clock``."""

    def __init__(self, store, clock, component: str, host: str = "") -> None:
        self.store, self.clock, self.component, self.host = store, clock, component, host
        # correlation key -> (namespace, event name), least recently used first
        self._seen: OrderedDict[tuple, tuple[str, str]] = OrderedDict()
        self._last_stamp = 0
        self._lock = threading.Lock()

    def event(self, obj: dict, type_: str, reason: str, message: str) -> dict | None:
        """Record one event about ``obj``; the stored Event (None if the
        store refused it: events are best effort, as in Kubernetes)."""
        if type_ not in ("Normal", "Warning"):
            raise ValueError(f"event type {type_!r}: expected 'Normal' or 'Warning'")
        m = obj["metadata"]
        ns = m.get("namespace") or "default"
        key = (obj.get("kind"), ns, m["name"], m.get("uid"), self.component, type_, reason, message)
        now = rfc3339(self.clock.now())
        try:
            with self._lock:
                known = self._seen.get(key)
                if known is not None:
                    self._seen.move_to_end(key)
            if known is not None:
                def bump(ev: dict) -> dict:
                    ev["count"] = int(ev.get("count") or 1) + 1
                    ev["lastTimestamp"] = now
                    return ev
                try:
                    return self.store.guaranteed_update("Event", known[0], known[1], bump)
                except NotFoundError:
                    pass                                  # expired or deleted: record afresh
            with self._lock:
                # client-go names events <object>.<unix nanos in hex>; a fake
                # clock can stand still, so never reuse a stamp.
                stamp = max(int(self.clock.now() * 1e9), self._last_stamp + 1)
                self._last_stamp = stamp
            involved = {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"), "namespace": m.get("namespace"),
                        "name": m["name"], "uid": m.get("uid"), "resourceVersion": m.get("resourceVersion")}
            ev = {
                "apiVersion": "v1", "kind": "Event",
                "metadata": {"name": f"{m['name']}.{stamp:x}", "namespace": ns},
                "involvedObject": involved if all(involved.values()) else {k: v for k, v in involved.items() if v},
                "reason": reason, "message": message, "type": type_,
                "source": {"component": self.component, "host": self.host} if self.host else
                          {"component": self.component},
                "firstTimestamp": now, "lastTimestamp": now, "count": 1,
                "reportingComponent": self.component,
            }
            for _ in range(8):     # another recorder may have taken the same stamp
                try:
                    stored = self.store.create(ev)
                    break
                except AlreadyExistsError:
                    stamp += 1
                    ev["metadata"]["name"] = f"{m['name']}.{stamp:x}"
            else:
                raise AlreadyExistsError(f"events {ev['metadata']['name']!r}: no free name")
            with self._lock:
                self._seen[key] = (ns, stored["metadata"]["name"])
                if len(self._seen) > MAX_REMEMBERED:
                    self._seen.popitem(last=False)
            return stored
        except (AlreadyExistsError, KubekitError, ValueError) as e:
            log.warning("could not record event %s/%s %s: %s", ns, m["name"], reason, e)
            return None

    def normal(self, obj: dict, reason: str, message: str) -> dict | None:
        return self.event(obj, "Normal", reason, message)

    def warning(self, obj: dict, reason: str, message: str) -> dict | None:
        return self.event(obj, "Warning", reason, message)


def events_for(store, obj: dict) -> list[dict]:
    """The Events about ``obj``, oldest first (for ``describe``)."""
    m = obj["metadata"]
    items, _ = store.list("Event", m.get("namespace") or "default")
    uid = m.get("uid")
    out = [e for e in items if e.get("involvedObject", {}).get("name") == m["name"]
           and e.get("involvedObject", {}).get("kind") == obj.get("kind")
           and (uid is None or e["involvedObject"].get("uid") in (None, uid))]
    return sorted(out, key=lambda e: (e.get("firstTimestamp") or "", e["metadata"]["name"]))
