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

**Zone-aware, rate-limited tainting** (:mod:`.nodelifecycle_zones`): a node
that stops being Ready gets its NoSchedule taint at once, but its NoExecute
taint waits in its zone's queue, released at ``node-eviction-rate`` (0.1
nodes/s) by a tainting pass every 100 ms; a zone mostly down slows or stops
it, and when every zone is down the controller removes its NoExecute taints
and stops (master disruption).  The zones' states are worked out after each
periodic pass, from every node's Ready status (kept by the node informer's
events and the reconciles).
"""

from __future__ import annotations

import functools
import heapq
import logging
import math

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
    condition_status,
    node_ready_status,
    ready_condition,
    renewal_needs_look,
    should_mark_unknown,
    unknown_conditions,
)
from kubekit.controllers.nodelifecycle_zones import (
    INITIAL,
    LARGE_CLUSTER_SIZE_THRESHOLD,
    NODE_EVICTION_PERIOD,
    NODE_EVICTION_RATE,
    SECONDARY_NODE_EVICTION_RATE,
    UNHEALTHY_ZONE_THRESHOLD,
    RateLimitedQueue,
    disruption_decision,
    zone_key,
)
from kubekit.controllers.runner import Controller, Result
from kubekit.errors import NotFoundError
from kubekit.node.lease import LEASE_NAMESPACE
from kubekit.store.meta import parse_time, rfc3339

__all__ = ["NodeLifecycleController"]

log = logging.getLogger(__name__)
_MANAGED = {NOT_READY_TAINT, UNREACHABLE_TAINT}
_LEASE_KEY_PREFIX = f"{LEASE_NAMESPACE}/"      # + node name: its Lease's informer key


@functools.lru_cache(maxsize=4096)
def _epoch(text: str | None) -> float | None:
    """Epoch seconds of an RFC 3339 text (remembered: a fleet's kubelets
    renew their leases at the same instants, so hundreds of nodes carry the
    same ``renewTime``; a pure function of the text, so the same value)."""
    return parse_time(text) if text else None


class NodeLifecycleController(Controller):
    name = "node-lifecycle"

    def __init__(self, store, clock, *, nodes: Informer | None = None, pods: Informer | None = None,
                 leases: Informer | None = None, grace: float = NODE_MONITOR_GRACE_PERIOD,
                 startup_grace: float = NODE_STARTUP_GRACE_PERIOD, events=None,
                 node_eviction_rate: float = NODE_EVICTION_RATE,
                 secondary_node_eviction_rate: float = SECONDARY_NODE_EVICTION_RATE,
                 unhealthy_zone_threshold: float = UNHEALTHY_ZONE_THRESHOLD,
                 large_cluster_size_threshold: int = LARGE_CLUSTER_SIZE_THRESHOLD) -> None:
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
        self._beats: dict[str, tuple] = {}      # node -> (node heartbeat text, lease renewTime, their epochs)
        self._next_pass = 0.0
        # The periodic pass looks at the nodes in ``_dirty`` and at those whose
        # quiet deadline (heartbeat + grace, epoch s) in ``_deadlines`` has come;
        # ``_quiet_until`` is each quiet node's current deadline (heap entries
        # that disagree with it are stale).
        self._dirty: set[str] = set()
        # (A heap of the distinct deadlines, the nodes of each in
        # ``_due_at``: a fleet renews its leases at the same instants, so
        # hundreds of nodes share a deadline, and a heap of (deadline, node)
        # pairs would compare their names in every sift.)
        self._deadlines: list[float] = []
        self._due_at: dict[float, list[str]] = {}
        self._quiet_until: dict[str, float] = {}
        # zones: each node's zone and Ready status, each zone's state and its
        # NoExecute tainting queue; tainting passes run on a 100 ms grid
        self.eviction_qps = node_eviction_rate
        self._decide_disruption = functools.partial(
            disruption_decision, threshold=unhealthy_zone_threshold, eviction_qps=node_eviction_rate,
            secondary_qps=secondary_node_eviction_rate, large_cluster_threshold=large_cluster_size_threshold)
        self.zone_of: dict[str, str] = {}
        self.ready_of: dict[str, str] = {}
        self.zone_states: dict[str, str] = {}
        # bumped whenever ``zone_of`` or ``ready_of`` changes: the disruption
        # decision is a pure function of them and of ``zone_states``, so it is
        # remembered with the version and the states it was made from
        self._zones_version = 0
        self._disruption: tuple | None = None
        self.tainters: dict[str, RateLimitedQueue] = {}
        self._probe_floor = 0.0                  # epoch s: leaving master disruption restarts every grace period
        self._tick0 = clock.monotonic()
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
        zone = zone_key(node["metadata"].get("labels"))
        ready = node_ready_status(node)
        if self.zone_of.get(name) != zone or self.ready_of.get(name) != ready:
            self._zones_version += 1
        self.zone_of[name] = zone
        self.ready_of[name] = ready
        if zone not in self.tainters:                  # addPodEvictorForNewZone
            self.zone_states[zone] = INITIAL
            self.tainters[zone] = RateLimitedQueue(self.eviction_qps)
        self._mark(name)
        self.enqueue(name)

    def _mark(self, name: str) -> None:
        self._dirty.add(name)
        self._quiet_until.pop(name, None)

    def _lease_changed(self, lease: dict) -> None:
        if lease["metadata"].get("namespace") == LEASE_NAMESPACE:
            self._mark(lease["metadata"]["name"])

    def _lease_updated(self, old: dict, new: dict) -> None:
        m = new["metadata"]
        name = m["name"]
        if name in self._quiet_until and m.get("namespace") == LEASE_NAMESPACE and renewal_needs_look(old, new):
            self._mark(name)             # not plainly later: look again

    def _forget(self, name: str) -> None:
        # (a deleted node stays in its tainting queue, as upstream: the pass drops it)
        self._zones_version += 1
        self.zone_of.pop(name, None)
        self.ready_of.pop(name, None)
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
        done = 0
        if self._taint_wait(now) == 0.0:
            done += self._taint_pass(now)
        if now >= self._next_pass:
            self._next_pass = now + NODE_MONITOR_PERIOD
            self._monitor(self.clock.now())
            done += super().run_once(limit)
            self._handle_disruption()
            return done
        return done + super().run_once(limit)

    def _monitor(self, wall: float) -> None:
        """The periodic pass: queue every node that is not quiet at ``wall``."""
        look = self._dirty
        self._dirty = set()
        heap, until, due_at = self._deadlines, self._quiet_until, self._due_at
        while heap and heap[0] < wall:
            deadline = heapq.heappop(heap)
            for name in due_at.pop(deadline):
                if until.get(name) == deadline:
                    del until[name]
                    look.add(name)
        for name in sorted(look):
            node = self.nodes.get(name)
            if node is None:
                continue
            deadline = self._quiet_deadline(node, wall)     # quiet while wall <= deadline
            if deadline is None:
                self.enqueue(name)
                self._dirty.add(name)    # looked at again next pass, until it is quiet
                continue
            until[name] = deadline
            names = due_at.get(deadline)
            if names is None:
                due_at[deadline] = [name]
                heapq.heappush(heap, deadline)
            else:
                names.append(name)

    def next_wakeup(self) -> float | None:
        now = self.clock.monotonic()
        waits = [max(0.0, self._next_pass - now)]
        queued = self.queue.next_ready_in()
        if queued is not None:
            waits.append(queued)
        taint = self._taint_wait(now)
        if taint is not None:
            waits.append(taint)
        return min(waits)

    # -- NoExecute tainting (doNoExecuteTaintingPass, handleDisruption) ----------------------
    def _taint_wait(self, now: float) -> float | None:
        """Seconds until the next tainting pass that can taint a node: the
        first 100 ms tick at or after a queue's next token (None: none)."""
        ready = [t for t in (q.next_try(now) for q in self.tainters.values()) if t is not None]
        if not ready:
            return None
        k = math.ceil((min(ready) - self._tick0) / NODE_EVICTION_PERIOD - 1e-9)
        return max(0.0, self._tick0 + k * NODE_EVICTION_PERIOD - now)

    def _taint_pass(self, now: float) -> int:
        """Each zone's queue releases the nodes its rate allows: each gets
        the NoExecute taint of its Ready status (a node Ready again, or
        gone, just leaves the queue)."""
        wall = self.clock.now()
        done = 0

        def taint(name: str) -> tuple[bool, float]:
            nonlocal done
            node = self.nodes.get(name)
            if node is None:
                return True, 0.0
            ready = node_ready_status(node)
            if ready not in ("False", "Unknown"):
                return True, 0.0                  # Ready again: nothing to taint
            add = NOT_READY_TAINT if ready == "False" else UNREACHABLE_TAINT
            done += 1
            return self._set_no_execute(name, {add}, wall), 0.0
        for zone in sorted(self.tainters):
            self.tainters[zone].try_(taint, now)
        return done

    def _mark_for_tainting(self, name: str, ready: str, have: set[str], now: float) -> None:
        """``markNodeForTainting``: (re)queue a node whose NoExecute taint is not there yet."""
        queue = self.tainters[self.zone_of.get(name, "")]
        if (NOT_READY_TAINT if ready == "False" else UNREACHABLE_TAINT) not in have:
            queue.remove(name)
        queue.add(name, now)

    def _handle_disruption(self) -> None:
        """After a periodic pass: each zone's state from its nodes' Ready
        statuses; the tainting rates; master disruption."""
        key = (self._zones_version, tuple(self.zone_states.items()))
        if self._disruption is not None and self._disruption[0] == key:
            d = self._disruption[1]
        else:
            statuses: dict[str, list[str]] = {}
            for name, zone in self.zone_of.items():
                statuses.setdefault(zone, []).append(self.ready_of.get(name, "Unknown"))
            d = self._decide_disruption(self.zone_states, statuses)
            self._disruption = (key, d)
        now, wall = self.clock.monotonic(), self.clock.now()
        for zone, qps in d.rates.items():
            self.tainters[zone].swap_limiter(qps, now)
        for zone, state in d.states.items():
            if state != self.zone_states.get(zone):
                log.info("zone %r is now in state %s", zone.replace("\x00", ""), state)
        self.zone_states = dict(d.states)
        if d.enter_master_disruption:
            log.warning("all nodes are not Ready: entering master disruption mode (no more NoExecute taints)")
            for name in list(self.zone_of):
                self._set_no_execute(name, set(), wall)
                self.tainters[self.zone_of[name]].remove(name)
        if d.exit_master_disruption:
            log.info("some nodes are Ready: exiting master disruption mode")
            self._probe_floor = wall
            for name in list(self.zone_of):
                self._mark(name)

    def _heartbeat(self, name: str, node: dict, cond: dict | None = None) -> float:
        """The node's last heartbeat: its Ready condition's (``cond``, found
        if not given) or its Lease's, whichever is newer (the times are
        parsed once per text)."""
        if cond is None:
            cond = ready_condition(node)
        lease = self.leases.get(_LEASE_KEY_PREFIX + name)
        node_text = cond.get("lastHeartbeatTime") if cond else None
        lease_text = (lease.get("spec") or {}).get("renewTime") if lease else None
        hit = self._beats.get(name)
        if hit is None or hit[0] != node_text or hit[1] != lease_text:
            hit = self._beats[name] = (node_text, lease_text, _epoch(node_text), _epoch(lease_text))
        beat = last_heartbeat(hit[2], hit[3], self.first_seen[name])
        floor = self._probe_floor
        return floor if floor > beat else beat        # max(beat, floor)

    def _quiet(self, node: dict, now: float) -> bool:
        """Whether :meth:`reconcile` would do nothing for this node now: it is
        Ready, its heartbeat is within the grace period, and it has no taint
        this controller manages and no NoExecute taint to evict for."""
        return self._quiet_deadline(node, now) is not None

    def _quiet_deadline(self, node: dict, now: float) -> float | None:
        """Until when (heartbeat + grace, epoch s) the node stays quiet, if it
        is quiet now (see :meth:`_quiet`); None if it is not."""
        name = node["metadata"]["name"]
        cond = ready_condition(node)
        if name not in self.first_seen or condition_status(cond) != "True":
            return None
        self.ever_ready.add(name)
        heartbeat = self._heartbeat(name, node, cond)
        if should_mark_unknown("True", True, heartbeat, now, self.grace, self.startup_grace):
            return None
        for t in (node.get("spec") or {}).get("taints") or ():
            if t.get("key") in _MANAGED or t.get("effect") == "NoExecute":
                return None
        if self.taint_added and any(k[0] == name for k in self.taint_added):
            return None
        return heartbeat + self.grace

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
        if self.ready_of.get(name) != ready:
            self._zones_version += 1
        self.ready_of[name] = ready
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
        """The NoSchedule taint of the Ready status, at once
        (``doNoScheduleTaintingPass``); the NoExecute one as
        ``processTaintBaseEviction``: removed when Ready, swapped at once
        between not-ready and unreachable, otherwise queued in the node's
        zone (the tainting pass adds it)."""
        cached = self.nodes.get(name)
        have = {t.get("key") for t in ((cached or {}).get("spec") or {}).get("taints") or ()
                if t.get("key") in _MANAGED and t.get("effect") == "NoExecute"}
        if ready == "True":
            want = set()
            self.tainters[self.zone_of.get(name, "")].remove(name)
        elif have and (NOT_READY_TAINT if ready == "False" else UNREACHABLE_TAINT) not in have:
            want = {NOT_READY_TAINT if ready == "False" else UNREACHABLE_TAINT}       # swapped at once
        else:
            want = have
            self._mark_for_tainting(name, ready, have, self.clock.monotonic())
        return self._write_taints(name, {k for k, e in condition_taints(ready) if e == "NoSchedule"}, want, now) or []

    def _set_no_execute(self, name: str, keys: set[str], now: float) -> bool:
        """Make the node's managed NoExecute taints ``keys`` (its NoSchedule
        ones stay); whether the node was found."""
        node = self.nodes.get(name)
        if node is None:
            return False
        no_schedule = {t.get("key") for t in (node.get("spec") or {}).get("taints") or ()
                       if t.get("key") in _MANAGED and t.get("effect") == "NoSchedule"}
        return self._write_taints(name, no_schedule, keys, now) is not None

    def _write_taints(self, name: str, no_schedule: set[str], no_execute: set[str],
                      now: float) -> list[dict] | None:
        """Set the node's managed taints to these keys (NoExecute ones
        stamped with ``timeAdded`` when added; kept ones keep theirs), writing
        only on a change; the node's taints afterwards (None: the node is gone)."""
        want = {(k, "NoSchedule") for k in no_schedule} | {(k, "NoExecute") for k in no_execute}

        def change(cur: dict) -> dict | None:
            spec = cur.setdefault("spec", {})
            old = spec.get("taints") or []
            keep = [t for t in old if t.get("key") not in _MANAGED]
            have = {(t.get("key"), t.get("effect")) for t in old if t.get("key") in _MANAGED}
            add = [{"key": k, "effect": e, "timeAdded": rfc3339(now)} if e == "NoExecute" else {"key": k, "effect": e}
                   for k, e in sorted(want) if (k, e) not in have]
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
                return None
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
