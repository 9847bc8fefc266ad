"""A whole cluster in one process: the store, the scheduling loop, the
ReplicaSet, Deployment and node lifecycle controllers and (simulated) nodes, sharing one
informer per kind, driven on one clock.

``ControlPlane.step()`` lets every component do what is ready now;
``run_until(predicate)`` repeats that and, when nothing is ready, moves a
fake clock straight to the next thing that is due (a backoff ending, a pod
starting, a lease renewal) — so a simulated cluster runs much faster than
real time, deterministically::

    from kubekit.clock import FakeClock
    cp = ControlPlane(FakeClock())
    cp.fleet.add_nodes([f"node-{i}" for i in range(1000)])
    cp.store.create(deployment_manifest)
    cp.run_until(lambda: cp.all_running("default", "app=web", 10_000))
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kubekit.cluster.scheduling import SchedulingLoop
from kubekit.controllers.deployment import DeploymentController
from kubekit.controllers.informer import Informer
from kubekit.controllers.nodelifecycle import NodeLifecycleController
from kubekit.controllers.replicaset import ReplicaSetController
from kubekit.node.simulated import SimulatedFleet
from kubekit.store import APIStore
from kubekit.store.compactor import DEFAULT_COMPACTION_INTERVAL, Compactor

__all__ = ["ControlPlane"]

LEASE_DURATION = 15       # kube-controller-manager's --leader-elect-lease-duration
RETRY_PERIOD = 2.0        # --leader-elect-retry-period

log = logging.getLogger(__name__)


class ControlPlane:
    """See the module docstring.  ``store`` defaults to an in-memory
    :class:`~kubekit.store.APIStore` on ``clock``.  The store's history is
    compacted every ``compaction_interval`` seconds as kube-apiserver's
    compactor does (:mod:`kubekit.store.compactor`; 0 turns it off)."""

    def __init__(self, clock, store: APIStore | None = None, *, seed: int = 0, scheduler_config=None,
                 start_delay: float = 0.0, identity: str | None = None,
                 compaction_interval: float = DEFAULT_COMPACTION_INTERVAL) -> None:
        self.clock = clock
        self.store = store or APIStore(clock=clock)
        self.compactor = Compactor(self.store.kv, clock, compaction_interval)   # the API server's, on every one
        # With an identity, the controllers and the scheduler run only while this
        # control plane holds the lease (kube-controller-manager's leader election:
        # 15 s lease, tried every 2 s); without, they always run.
        self.elector = None
        if identity is not None:
            from kubekit.store.leaderelection import LeaderElector

            self.elector = LeaderElector(self.store, "kube-system", "kube-controller-manager", identity,
                                         lease_duration=LEASE_DURATION, clock=clock)
        self._next_election = 0.0
        self.pods = Informer(self.store, "Pod")
        self.nodes = Informer(self.store, "Node")
        self.replicasets = Informer(self.store, "ReplicaSet")
        self.deployments = Informer(self.store, "Deployment")
        self.scheduler = SchedulingLoop(self.store, clock, config=scheduler_config, seed=seed,
                                        pods=self.pods, nodes=self.nodes)
        self.rs_controller = ReplicaSetController(self.store, clock, pods=self.pods, owners=self.replicasets)
        self.deployment_controller = DeploymentController(self.store, clock, replicasets=self.replicasets,
                                                          pods=self.pods, deployments=self.deployments)
        self.fleet = SimulatedFleet(self.store, clock, start_delay=start_delay, pods=self.pods)
        self.leases = Informer(self.store, "Lease", "kube-node-lease")
        self.node_lifecycle = NodeLifecycleController(self.store, clock, nodes=self.nodes, pods=self.pods,
                                                      leases=self.leases)
        self._informers = [self.nodes, self.leases, self.deployments, self.replicasets, self.pods]
        self._pod_counts: dict[tuple[str | None, str | None], int] = {}    # (namespace, phase) -> pods
        self.pods.add_handler(lambda p: self._count(self._count_key(p), 1), self._count_update,
                              lambda p: self._count(self._count_key(p), -1))
        self._components: list = []
        self._started = False

    def add_component(self, component) -> None:
        """Run another component (a controller, an autoscaler, a node agent) on
        the leader after the built-in ones: anything with ``run_once() -> int``
        (how much it did) and, optionally, ``next_wakeup() -> float | None``
        (seconds until it next has work; None or absent: only when woken by a
        change)."""
        self._components.append(component)

    def start(self) -> ControlPlane:
        if not self._started:
            for inf in self._informers:     # nodes first: pending pods find them at once
                inf.start()
            self._started = True
        return self

    def sync(self) -> int:
        return sum(inf.pump() for inf in self._informers)

    @property
    def is_leader(self) -> bool:
        return self.elector is None or self.elector.is_leader

    def _elect(self) -> None:
        if self.elector is not None and self.clock.monotonic() >= self._next_election:
            self.elector.try_acquire_or_renew()
            self._next_election = self.clock.monotonic() + RETRY_PERIOD

    def step(self) -> int:
        """Every component does what is ready now; how much was done.  The
        simulated kubelets always run; the controllers and the scheduler only
        on the leader."""
        self.start()
        self._elect()
        done = self.compactor.run_once() + self.sync()
        if not self.is_leader:
            return done + self.fleet.run_once()
        done += self.deployment_controller.run_once()
        done += self.rs_controller.run_once()
        done += self.scheduler.run_once()
        done += self.fleet.run_once()
        done += self.node_lifecycle.run_once()
        for c in self._components:
            done += c.run_once()
        return done

    def next_wakeup(self) -> float | None:
        if not self.is_leader:
            waits = [w for w in (self.fleet.next_wakeup(), max(0.0, self._next_election - self.clock.monotonic()),
                                 self.compactor.next_wakeup())
                     if w is not None]
            return min(waits) if waits else None
        waits = [w for w in (self.compactor.next_wakeup(),
                             self.deployment_controller.next_wakeup(), self.rs_controller.next_wakeup(),
                             self.scheduler.next_wakeup(), self.fleet.next_wakeup(),
                             self.node_lifecycle.next_wakeup(),
                             *(c.next_wakeup() for c in self._components if hasattr(c, "next_wakeup")))
                 if w is not None]
        return min(waits) if waits else None

    def run_until(self, done: Callable[[], bool], *, max_sim_seconds: float = 3600.0,
                  max_steps: int = 1_000_000) -> float:
        """Step until ``done()``; when idle, advance a fake clock to the next
        wake-up.  Returns the simulated seconds that passed.  Raises
        ``TimeoutError`` if ``done()`` never holds within the bounds."""
        start = self.clock.monotonic()
        for _ in range(max_steps):
            did = self.step()
            if done():
                return self.clock.monotonic() - start
            if did:
                continue
            wait = self.next_wakeup()
            elapsed = self.clock.monotonic() - start
            if wait is None or elapsed + wait > max_sim_seconds or not hasattr(self.clock, "advance"):
                break
            self.clock.advance(max(wait, 0.001))
        raise TimeoutError(f"the cluster did not reach the wanted state within {max_sim_seconds} simulated seconds")

    # -- reading the state ----------------------------------------------------------------
    def count_pods(self, namespace: str | None = None, phase: str | None = None) -> int:
        """Pods not being deleted (in ``namespace``, in ``phase``), from a
        count kept current by the pod informer (a predicate asked after every
        step costs no scan)."""
        if namespace is not None and phase is not None:
            return self._pod_counts.get((namespace, phase), 0)
        return sum(n for (ns, ph), n in self._pod_counts.items()
                   if (namespace is None or ns == namespace) and (phase is None or ph == phase))

    def _count_key(self, pod: dict) -> tuple[str | None, str | None] | None:
        m = pod["metadata"]
        if m.get("deletionTimestamp"):
            return None
        return m.get("namespace"), (pod.get("status") or {}).get("phase")

    def _count(self, key: tuple | None, delta: int) -> None:
        if key is not None:
            n = self._pod_counts.get(key, 0) + delta
            if n:
                self._pod_counts[key] = n
            else:
                del self._pod_counts[key]

    def _count_update(self, old: dict, new: dict) -> None:
        before, after = self._count_key(old), self._count_key(new)
        if before != after:
            self._count(before, -1)
            self._count(after, 1)
