"""The cluster store: etcd's role (:class:`MemoryKV`, the :class:`KV`
contract) and the API server's storage role (:class:`APIStore`).

    from kubekit.store import APIStore, MemoryKV
    store = APIStore(MemoryKV(data_dir="/var/lib/kubekit/store"))
    pod = store.create({"apiVersion": "v1", "kind": "Pod",
                        "metadata": {"name": "web", "namespace": "default"}, "spec": {...}})
    items, rv = store.list("Pod", "default", label_selector="app=web")
    for ev in store.watch("Pod", "default", resource_version=rv): ...

See ``docs/store.md``.
"""

from __future__ import annotations

from kubekit.store.gc import GarbageCollector
from kubekit.store.kinds import DEFAULT_KINDS, Kind, Kinds
from kubekit.store.kv import KV, Compare, Delete, Event, Get, KeyValue, Put, Watch
from kubekit.store.leaderelection import LeaderElector
from kubekit.store.memory import MemoryKV
from kubekit.store.objects import APIStore, ObjectWatch, WatchEvent
from kubekit.store.selectors import from_label_selector, parse_fields, parse_labels

__all__ = [
    "APIStore", "Compare", "DEFAULT_KINDS", "Delete", "Event", "GarbageCollector", "Get", "KV", "KeyValue", "Kind",
    "Kinds", "LeaderElector", "MemoryKV", "ObjectWatch", "Put", "Watch", "WatchEvent", "from_label_selector",
    "parse_fields", "parse_labels",
]
