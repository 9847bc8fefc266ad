"""An informer: one kind listed, then watched, into a local cache, with
handlers called on every change (client-go's Reflector + Indexer +
SharedInformer, in one small class).

``start()`` lists and calls ``on_add`` for every object, then watches from
the list's resourceVersion, so nothing is missed and nothing is seen twice.
``pump()`` applies the watch events that have arrived (non-blocking by
default, so a simulation drives it deterministically; a thread can call
``run()``).  If the watch's history was compacted away (410 Gone), it lists
again and turns the difference into add, update and delete calls, as
client-go's relist does.

Handlers receive the store's dicts; treat them as read-only (the cache holds
the same objects).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

from kubekit.errors import CompactedError, InvalidObjectError, NotFoundError, SelectorError, StoreError

__all__ = ["Informer", "object_key"]

log = logging.getLogger(__name__)

# store errors a retry cannot cure: raised, never retried
_PERMANENT = (SelectorError, InvalidObjectError, NotFoundError)


def object_key(obj: dict) -> str:
    """``namespace/name``, or ``name`` for a cluster-scoped object (client-go's
    ``MetaNamespaceKeyFunc``)."""
    m = obj["metadata"]
    ns = m.get("namespace")
    return f"{ns}/{m['name']}" if ns else m["name"]


class Informer:
    """Objects of ``kind`` (in ``namespace``, or all), kept current."""

    def __init__(self, store, kind: str, namespace: str | None = None, *, label_selector: str | None = None,
                 field_selector: str | None = None) -> None:
        self.store, self.kind, self.namespace = store, kind, namespace
        self.label_selector, self.field_selector = label_selector, field_selector
        self._cache: dict[str, dict] = {}
        self._by_ns: dict[str, dict[str, dict]] = {}     # client-go's namespace index
        # the handlers' callbacks by event, in registration order
        self._on_add: list[Callable[[dict], None]] = []
        self._on_update: list[Callable[[dict, dict], None]] = []
        self._on_delete: list[Callable[[dict], None]] = []
        self._watch = None
        # the watch's "would a poll find nothing and change nothing?" (the
        # store's watches have one), or None: always poll
        self._watch_idle: Callable[[], bool] | None = None
        self._lock = threading.RLock()
        self.resource_version = "0"
        self._synced = False
        self.relists = 0

    # -- handlers and reads ----------------------------------------------------------
    def add_handler(self, on_add: Callable[[dict], None] | None = None,
                    on_update: Callable[[dict, dict], None] | None = None,
                    on_delete: Callable[[dict], None] | None = None) -> None:
        """Register handlers; if the informer already runs, ``on_add`` sees
        every cached object first (as client-go's AddEventHandler does)."""
        with self._lock:
            for callbacks, fn in ((self._on_add, on_add), (self._on_update, on_update), (self._on_delete, on_delete)):
                if fn is not None:
                    callbacks.append(fn)
            if self._synced and on_add is not None:
                for obj in list(self._cache.values()):
                    on_add(obj)

    def get(self, key: str) -> dict | None:
        return self._cache.get(key)      # one dict read is atomic: no lock (hot: every controller's lookups)

    def list(self) -> list[dict]:
        with self._lock:
            return list(self._cache.values())

    def list_namespace(self, namespace: str) -> list[dict]:
        """The cached objects in ``namespace`` (client-go's ``ByIndex(NamespaceIndex, ns)``)."""
        with self._lock:
            return list(self._by_ns.get(namespace, {}).values())

    def __iter__(self) -> Iterator[dict]:
        return iter(self.list())

    def __len__(self) -> int:
        return len(self._cache)

    @property
    def has_synced(self) -> bool:
        return self._synced

    # -- list and watch --------------------------------------------------------------
    def _list(self) -> tuple[list[dict], str]:
        return self.store.list(self.kind, self.namespace, label_selector=self.label_selector,
                               field_selector=self.field_selector)

    def _open_watch(self) -> None:
        self._watch = self.store.watch(self.kind, self.namespace, resource_version=self.resource_version,
                                       label_selector=self.label_selector, field_selector=self.field_selector)
        self._watch_idle = getattr(self._watch, "idle", None)

    def start(self) -> Informer:
        """List into the cache (``on_add`` for each object), then watch."""
        with self._lock:
            items, rv = self._list()
            for obj in items:
                self._apply("ADDED", obj)
            self.resource_version = rv
            self._synced = True
            self._open_watch()
        return self

    def _relist(self) -> None:
        """The watch fell behind the compacted history: list again and
        reconcile the cache with what the list says."""
        self.relists += 1
        items, rv = self._list()
        fresh = {object_key(o): o for o in items}
        for key in [k for k in self._cache if k not in fresh]:
            self._apply("DELETED", self._cache[key])
        for obj in items:
            old = self._cache.get(object_key(obj))
            if old is None or old["metadata"].get("resourceVersion") != obj["metadata"].get("resourceVersion"):
                self._apply("MODIFIED" if old is not None else "ADDED", obj)
        self.resource_version = rv
        self._open_watch()

    def pump(self, timeout: float | None = 0) -> int:
        """Apply the watch events that have arrived (waiting up to
        ``timeout`` real seconds for the first); returns how many.  A watch
        (or list) that fails because the store cannot be reached is closed
        and tried again at the next pump, after waiting ``timeout`` (capped
        at 1 s) so a loop of pumps does not spin; errors that retrying
        cannot cure (a bad selector, ...) are raised."""
        with self._lock:
            idle = self._watch_idle
            if timeout == 0 and idle is not None and self._watch is not None and idle():
                return 0              # nothing has arrived (the watch's exact check): what the rest returns
            try:
                if self._watch is None:
                    if not self._synced:
                        self.start()
                    else:
                        self._open_watch()        # resume where the last watch stopped
                events = self._watch.next_batch(timeout)
            except CompactedError:
                log.info("%s informer: watch history compacted; relisting", self.kind)
                self._drop_watch()
                try:
                    self._relist()
                except _PERMANENT:
                    raise
                except StoreError as e:
                    self._unavailable(e, timeout)
                return 0
            except _PERMANENT:
                raise
            except StoreError as e:
                self._unavailable(e, timeout)
                return 0
            for ev in events:
                self._apply(ev.type, ev.object)
                self.resource_version = ev.object["metadata"]["resourceVersion"]
            return len(events)

    def _drop_watch(self) -> None:
        if self._watch is not None:
            self._watch.close()
        self._watch = None

    def _unavailable(self, e: StoreError, timeout: float | None) -> None:
        """The watch broke or the store could not be reached (an etcd member
        went away): as client-go's reflector, watch again from the last
        resourceVersion at the next pump (relisting if that history is gone)."""
        log.warning("%s informer: watch ended (%s); watching again from %s", self.kind, e, self.resource_version)
        self._drop_watch()
        pause = 1.0 if timeout is None else min(timeout, 1.0)
        if pause > 0:
            time.sleep(pause)

    def run(self, stop: threading.Event, poll: float = 0.2) -> None:
        """Pump until ``stop`` is set (for a thread)."""
        while not stop.is_set():
            self.pump(poll)

    def stop(self) -> None:
        """Close the watch; the next :meth:`pump` resumes from where it stopped
        (relisting if that history was compacted meanwhile)."""
        with self._lock:
            if self._watch is not None:
                self._watch.close()
                self._watch = None

    # -- applying ----------------------------------------------------------------------
    def _apply(self, kind: str, obj: dict) -> None:
        m = obj["metadata"]
        ns = m.get("namespace")
        key = f"{ns}/{m['name']}" if ns else m["name"]       # object_key, inline (every event)
        ns = ns or ""
        if kind == "DELETED":
            self._cache.pop(key, None)
            bucket = self._by_ns.get(ns)
            if bucket is not None:
                bucket.pop(key, None)
                if not bucket:
                    del self._by_ns[ns]
            for on_delete in self._on_delete:
                on_delete(obj)
            return
        old = self._cache.get(key)
        self._cache[key] = obj
        if old is None:
            self._by_ns.setdefault(ns, {})[key] = obj
            for on_add in self._on_add:
                on_add(obj)
        else:
            self._by_ns[ns][key] = obj                      # a cached object is in its namespace's bucket
            for on_update in self._on_update:
                on_update(old, obj)
