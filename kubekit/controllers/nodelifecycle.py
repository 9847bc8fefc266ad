"""The node lifecycle controller: a node that stops heartbeating becomes
Unknown and is tainted; its pods are evicted after their toleration period,
and the ReplicaSet controller replaces them on healthy nodes.  The decisions
are in :mod:`kubekit.controllers.nodelifecycle_rules`; this class reads Nodes,
Leases and Pods from informers and writes conditions, taints and deletions.

``reconcile(node)`` runs whenever its Node changes and, each
``node-monitor-period`` (5 s), for every node that needs work; a Lease
renewal is read by the next periodic pass (upstream's ``monitorNodeHealth``
reads leases from its lister and is not woken by them).

The periodic pass costs O(nodes that changed or whose grace period ran out),
not O(nodes): a node found *quiet* (Ready, heartbeat within the grace
period, no taint to manage) can only stop being quiet when its Node changes,
when this controller reconciles it, when its Lease goes back in time (or
goes) or when the clock passes ``heartbeat + grace``.  The first three mark
it for the next pass; the last is a deadline in a heap, and a node whose
deadline comes is looked at again (its Lease may have been renewed since).
The pass takes the same decisions, at the same instants, as looking at
every node would.
"""

from __future__ import annotations

import heapq
import logging

from kubekit.controllers.informer import Informer
from kubekit.controllers.nodelifecycle_rules import (
    NODE_MONITOR_GRACE_PERIOD,
    NODE_MONITOR_PERIOD,
    NODE_STARTUP_GRACE_PERIOD,
    NOT_READY_TAINT,
    UNREACHABLE_TAINT,
    condition_taints,
    eviction_delay,
    last_heartbeat,
    node_ready_status,
    should_mark_unknown,
    unknown_conditions,
)
from kubekit.controllers.runner import Controller, Result
from kubekit.errors import NotFoundError
from kubekit.node.lease import LEASE_NAMESPACE
from kubekit.store.meta import parse_time, rfc3339

__all__ = ["NodeLifecycleController"]

log = logging.getLogger(__name__)
_MANAGED = {NOT_READY_TAINT, UNREACHABLE_TAINT}


def _epoch(text: str | None) -> float | None:
    return parse_time(text) if text else None


class NodeLifecycleController(Controller):
    name = "node-lifecycle"

    def __init__(self, store, clock, *, nodes: Informer | None = None, pods: Informer | None = None,
                 leases: Informer | None = None, grace: float = NODE_MONITOR_GRACE_PERIOD,
                 startup_grace: float = NODE_STARTUP_GRACE_PERIOD, events=None) -> None:
        super().__init__(store, clock)
        from kubekit.cluster.events import EventRecorder

        self.grace, self.startup_grace = grace, startup_grace
        self.events = events or EventRecorder(store, clock, "node-controller")
        self.nodes = nodes if nodes is not None else Informer(store, "Node")
        self.pods = pods if pods is not None else Informer(store, "Pod")
        self.leases = leases if leases is not None else Informer(store, "Lease", LEASE_NAMESPACE)
        self.informers = [self.nodes, self.leases, self.pods]
        self.first_seen: dict[str, float] = {}
        self.ever_ready: set[str] = set()
        self.taint_added: dict[tuple[str, str], float] = {}      # (node, taint key) -> when (epoch s)
        self._beats: dict[str, tuple] = {}                        # node -> (heartbeat texts, their epochs)
        self._next_pass = 0.0
        # The periodic pass looks at the nodes in ``_dirty`` and at those whose
        # quiet deadline (heartbeat + grace, epoch s) in ``_deadlines`` has come;
        # ``_quiet_until`` is each quiet node's current deadline (heap entries
        # that disagree with it are stale).
        self._dirty: set[str] = set()
        self._deadlines: list[tuple[float, str]] = []
        self._quiet_until: dict[str, float] = {}
        self.nodes.add_handler(self._node_changed, lambda _o, n: self._node_changed(n),
                               lambda n: self._forget(n["metadata"]["name"]))
        # Lease renewals wake nothing: as upstream's monitorNodeHealth, the
        # periodic pass reads the lease from the cache (a renewal every 10 s per
        # node would otherwise cost a reconcile each).  A renewal only moves a
        # heartbeat later, which cannot end a node's quiet; a lease that is
        # created, deleted or set back in time has the node looked at again.
        self.leases.add_handler(self._lease_changed, self._lease_updated, self._lease_changed)

    def _node_changed(self, node: dict) -> None:
        name = node["metadata"]["name"]
        self._mark(name)
        self.enqueue(name)

    def _mark(self, name: str) -> None:
        self._dirty.add(name)
        self._quiet_until.pop(name, None)

    def _lease_changed(self, lease: dict) -> None:
        if lease["metadata"].get("namespace") == LEASE_NAMESPACE:
            self._mark(lease["metadata"]["name"])

    def _lease_updated(self, old: dict, new: dict) -> None:
        name = new["metadata"]["name"]
        if name not in self._quiet_until or new["metadata"].get("namespace") != LEASE_NAMESPACE:
            return
        before = (old.get("spec") or {}).get("renewTime")
        after = (new.get("spec") or {}).get("renewTime")
        if before != after and not (before and after and len(before) == len(after) and after > before):
            self._mark(name)             # not plainly later (RFC 3339 of one width sorts as time): look again

    def _forget(self, name: str) -> None:
        self._dirty.discard(name)
        self._quiet_until.pop(name, None)
        self.first_seen.pop(name, None)
        self._beats.pop(name, None)
        self.ever_ready.discard(name)
        for k in [k for k in self.taint_added if k[0] == name]:
            del self.taint_added[k]

    # -- the periodic pass (monitorNodeHealth) -------------------------------------------
    def run_once(self, limit: int | None = None) -> int:
        """Sync; every ``node-monitor-period``, queue the nodes that need work
        (looking only at those that may have started to: see the module
        docstring); then reconcile the queued ones."""
        self.sync()
        now = self.clock.monotonic()
        if now >= self._next_pass:
            self._next_pass = now + NODE_MONITOR_PERIOD
            self._monitor(self.clock.now())
        return super().run_once(limit)

    def _monitor(self, wall: float) -> None:
        """The periodic pass: queue every node that is not quiet at ``wall``."""
        look = self._dirty
        self._dirty = set()
        heap, until = self._deadlines, self._quiet_until
        while heap and heap[0][0] < wall:
            deadline, name = heapq.heappop(heap)
            if until.get(name) == deadline:
                del until[name]
                look.add(name)
        for name in sorted(look):
            node = self.nodes.get(name)
            if node is None:
                continue
            if not self._quiet(node, wall):
                self.enqueue(name)
                self._dirty.add(name)    # looked at again next pass, until it is quiet
                continue
            deadline = self._heartbeat(name, node) + self.grace     # quiet while wall <= deadline
            until[name] = deadline
            heapq.heappush(heap, (deadline, name))

    def next_wakeup(self) -> float | None:
        waits = [max(0.0, self._next_pass - self.clock.monotonic())]
        queued = self.queue.next_ready_in()
        if queued is not None:
            waits.append(queued)
        return min(waits)

    def _heartbeat(self, name: str, node: dict) -> float:
        """The node's last heartbeat: its Ready condition's or its Lease's,
        whichever is newer (the times are parsed once per value)."""
        cond = next((c for c in (node.get("status") or {}).get("conditions") or () if c.get("type") == "Ready"), {})
        lease = self.leases.get(f"{LEASE_NAMESPACE}/{name}")
        texts = (cond.get("lastHeartbeatTime"), ((lease or {}).get("spec") or {}).get("renewTime"))
        hit = self._beats.get(name)
        if hit is None or hit[0] != texts:
            hit = self._beats[name] = (texts, (_epoch(texts[0]), _epoch(texts[1])))
        return last_heartbeat(hit[1][0], hit[1][1], self.first_seen[name])

    def _quiet(self, node: dict, now: float) -> bool:
        """Whether :meth:`reconcile` would do nothing for this node now: it is
        Ready, its heartbeat is within the grace period, and it has no taint
        this controller manages and no NoExecute taint to evict for."""
        name = node["metadata"]["name"]
        if name not in self.first_seen or node_ready_status(node) != "True":
            return False
        self.ever_ready.add(name)
        if should_mark_unknown("True", True, self._heartbeat(name, node), now, self.grace, self.startup_grace):
            return False
        for t in (node.get("spec") or {}).get("taints") or ():
            if t.get("key") in _MANAGED or t.get("effect") == "NoExecute":
                return False
        return not (self.taint_added and any(k[0] == name for k in self.taint_added))

    def reconcile(self, name: str) -> Result:
        self._mark(name)                 # what it does may change whether the node is quiet
        node = self.nodes.get(name)
        if node is None:
            return Result()
        now = self.clock.now()
        self.first_seen.setdefault(name, now)
        ready = node_ready_status(node)
        if ready == "True":
            self.ever_ready.add(name)
        if should_mark_unknown(ready, name in self.ever_ready, self._heartbeat(name, node), now, self.grace,
                               self.startup_grace):
            self._mark_unknown(node, now)
            ready = "Unknown"
        taints = self._sync_taints(name, ready, now)
        wake = self._evict(name, taints, now)
        # the periodic pass looks again in node-monitor-period; an eviction due sooner wakes this node then
        return Result(wake) if wake is not None and wake < NODE_MONITOR_PERIOD else Result()

    def _mark_unknown(self, node: dict, now: float) -> None:
        stamp = rfc3339(now)
        name = node["metadata"]["name"]

        def change(cur: dict) -> dict:
            st = cur.setdefault("status", {})
            st["conditions"] = unknown_conditions(st.get("conditions") or [], stamp)
            return cur
        try:
            self.store.guaranteed_update("Node", None, name, change, status=True)
            self.events.normal(node, "NodeNotReady", f"Node {name} status is now: NodeNotReady")
        except NotFoundError:
            pass

    def _sync_taints(self, name: str, ready: str, now: float) -> list[dict]:
        want = condition_taints(ready)

        def change(cur: dict) -> dict | None:
            spec = cur.setdefault("spec", {})
            old = spec.get("taints") or []
            keep = [t for t in old if t.get("key") not in _MANAGED]
            have = {(t.get("key"), t.get("effect")) for t in old if t.get("key") in _MANAGED}
            add = [{"key": k, "effect": e, "timeAdded": rfc3339(now)} if e == "NoExecute" else {"key": k, "effect": e}
                   for k, e in want if (k, e) not in have]
            kept_managed = [t for t in old if t.get("key") in _MANAGED and (t.get("key"), t.get("effect")) in want]
            new = keep + kept_managed + add
            if new == old:
                return None
            spec["taints"] = new
            return cur
        cached = self.nodes.get(name)
        if cached is not None and change(dict(cached, spec=dict(cached.get("spec") or {}))) is None:
            node = cached                    # the cache already has the right taints: no read, no write
        else:
            try:
                node = self.store.guaranteed_update("Node", None, name, change)
            except NotFoundError:
                return []
        taints = (node.get("spec") or {}).get("taints") or []
        for t in taints:
            if t.get("effect") == "NoExecute":
                self.taint_added.setdefault((name, t["key"]), _epoch(t.get("timeAdded")) or now)
        for key in [k for k in self.taint_added if k[0] == name and
                    not any(t.get("key") == k[1] and t.get("effect") == "NoExecute" for t in taints)]:
            del self.taint_added[key]
        return taints

    def _evict(self, name: str, taints: list[dict], now: float) -> float | None:
        """Delete the pods whose toleration ran out; seconds until the next one will."""
        no_exec = [t for t in taints if t.get("effect") == "NoExecute"]
        if not no_exec:
            return None
        since = min(self.taint_added.get((name, t["key"]), now) for t in no_exec)
        wake = None
        for pod in self.pods.list():
            if (pod.get("spec") or {}).get("nodeName") != name or pod["metadata"].get("deletionTimestamp"):
                continue
            delay = eviction_delay(pod, no_exec)
            if delay is None:
                continue
            due = since + delay
            if due <= now:
                m = pod["metadata"]
                try:
                    self.store.delete("Pod", m.get("namespace"), m["name"])
                    self.events.normal(pod, "TaintManagerEviction",
                                       f"Marking for deletion Pod {m.get('namespace', 'default')}/{m['name']}")
                except NotFoundError:
                    pass
            else:
                wake = due - now if wake is None else min(wake, due - now)
        return wake
