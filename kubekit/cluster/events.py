"""Recording core/v1 Events, as client-go's EventRecorder does.

An event names the object it is about (``involvedObject``), a ``reason``
(``FailedScheduling``, ``Scheduled``, ``Pulled``, ``BackOff`` ...), a
``message`` and a ``type`` (``Normal`` or ``Warning``).  Before it is
written it goes through client-go's ``EventCorrelator``
(:mod:`kubekit.cluster.event_correlator`): repeats of the same event are
not new objects (``count`` and ``lastTimestamp`` of the first are patched),
more than 10 messages of one reason about one object within 10 minutes
become one ``(combined from similar events)`` event, and a source may send
an object 25 events at once and then one every 5 minutes; beyond that an
event is dropped.
"""

from __future__ import annotations

import logging
import threading

from kubekit.cluster.event_correlator import EventCorrelator
from kubekit.errors import AlreadyExistsError, KubekitError, NotFoundError
from kubekit.store.meta import rfc3339

__all__ = ["EventRecorder", "events_for"]

log = logging.getLogger(__name__)


class EventRecorder:
    """Writes Events for ``component`` into ``store``, on ``clock``
    (``correlator``: a correlator of one's own, to change client-go's limits)."""

    def __init__(self, store, clock, component: str, host: str = "", *,
                 correlator: EventCorrelator | None = None) -> None:
        self.store, self.clock, self.component, self.host = store, clock, component, host
        self.correlator = correlator if correlator is not None else EventCorrelator()
        self.dropped = 0                  # events the spam filter dropped
        self._last_stamp = 0
        self._lock = threading.Lock()

    def _name_for(self, object_name: str) -> str:
        """client-go's event name, ``<object>.<unix nanos in hex>``; a fake
        clock can stand still, so a stamp is never reused (call with the lock held)."""
        stamp = max(int(self.clock.now() * 1e9), self._last_stamp + 1)
        self._last_stamp = stamp
        return f"{object_name}.{stamp:x}"

    def event(self, obj: dict, type_: str, reason: str, message: str) -> dict | None:
        """Record one event about ``obj``; the stored Event (None if the spam
        filter dropped it or the store refused it: events are best effort,
        as in Kubernetes)."""
        if type_ not in ("Normal", "Warning"):
            raise ValueError(f"event type {type_!r}: expected 'Normal' or 'Warning'")
        m = obj["metadata"]
        ns = m.get("namespace") or "default"
        t = self.clock.now()
        now = rfc3339(t)
        involved = {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"), "namespace": m.get("namespace"),
                    "name": m["name"], "uid": m.get("uid"), "resourceVersion": m.get("resourceVersion")}
        with self._lock:
            ev = {
                "apiVersion": "v1", "kind": "Event",
                "metadata": {"name": self._name_for(m["name"]), "namespace": ns},
                "involvedObject": involved if all(involved.values()) else {k: v for k, v in involved.items() if v},
                "reason": reason, "message": message, "type": type_,
                "source": {"component": self.component, "host": self.host} if self.host else
                          {"component": self.component},
                "firstTimestamp": now, "lastTimestamp": now, "count": 1,
                "reportingComponent": self.component,
            }
            result = self.correlator.correlate(ev, t, now, self._name_for)
            if result.event is None:
                self.dropped += 1
                return None
        ev = result.event
        try:
            stored = self._patch(ev, now) if result.update else None
            if stored is None:
                stored = self._create(ev)
        except (AlreadyExistsError, KubekitError, ValueError) as e:
            log.warning("could not record event %s/%s %s: %s", ns, m["name"], reason, e)
            return None
        with self._lock:
            self.correlator.update_state(stored, result.key)
        return stored

    def _patch(self, ev: dict, now: str) -> dict | None:
        """``recordEvent``'s patch of an existing event: its count,
        lastTimestamp and message; None if it is gone (then it is created)."""
        meta = ev["metadata"]

        def bump(cur: dict) -> dict:
            cur["count"], cur["lastTimestamp"], cur["message"] = ev["count"], now, ev["message"]
            return cur
        try:
            return self.store.guaranteed_update("Event", meta["namespace"], meta["name"], bump)
        except NotFoundError:
            return None

    def _create(self, ev: dict) -> dict:
        ev = {**ev, "metadata": {k: v for k, v in ev["metadata"].items() if k != "resourceVersion"}}
        for _ in range(8):     # another recorder may have taken the same name
            try:
                return self.store.create(ev)
            except AlreadyExistsError:
                with self._lock:
                    ev["metadata"]["name"] = self._name_for(ev["involvedObject"].get("name") or "")
        raise AlreadyExistsError(f"events {ev['metadata']['name']!r}: no free name")

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
