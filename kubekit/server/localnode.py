"""The local node of ``kubekit serve``: a :class:`~kubekit.node.agent.NodeAgent`
running this machine's pods as real containers, driven by the control loop,
with its metrics sampler.

    node = LocalNode.open(store, clock, LocalNodeConfig(node_name="host", ...))
    loop = ControlLoop(cp, extra=[..., *node.components()])
    ...
    node.stop()        # after the loop stopped: kills every container, removes cgroups and the cgroup root
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass

from kubekit.server.metrics import MetricsSampler

__all__ = ["LocalNode", "LocalNodeConfig", "LocalPodTerminator", "default_node_name"]

log = logging.getLogger(__name__)


def default_node_name() -> str:
    """The hostname, lower-cased and cut at the first dot (a node name is a DNS label here)."""
    name = socket.gethostname().split(".")[0].lower()
    name = "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in name).strip("-")
    return name[:63] or "localhost"


@dataclass(frozen=True, slots=True)
class LocalNodeConfig:
    node_name: str
    image_root: str | None = None       # None: $KUBEKIT_IMAGE_ROOT or /var/lib/kubekit/images
    pod_log_dir: str = "/var/log/pods"
    state_dir: str | None = None        # None: the runtime's defaults ($KUBEKIT_STATE_DIR, ...)
    data_dir: str | None = None
    cgroup_root: str | None = None
    metrics_interval: float = 5.0
    reserved: dict | None = None        # kubelet's {"kube": {...}, "system": {...}} reservations


def _puller():
    def pull_into(ref, store):
        from kubekit.images.registry.pull import pull

        with store.lease():          # a concurrent gc must not take blobs not yet named
            return pull(ref, store.oci)

    return pull_into


class LocalPodTerminator:
    """The kubelet's last word on a gracefully deleted pod: once the agent
    has torn the pod down (its worker is gone), delete it for good (grace
    period 0, on the pod's uid).  Runs right after the agent, in its thread;
    with the store's default immediate deletion it has nothing to do."""

    def __init__(self, agent) -> None:
        self.agent = agent

    def run_once(self) -> int:
        from kubekit.errors import ConflictError, NotFoundError

        done = 0
        for pod in self.agent.pods.list():
            m = pod["metadata"]
            uid = m.get("uid", "")
            if not m.get("deletionTimestamp") or uid in self.agent.workers:
                continue
            try:
                self.agent.store.delete("Pod", m.get("namespace"), m["name"], grace_period_seconds=0,
                                        preconditions={"uid": uid})
                done += 1
            except (NotFoundError, ConflictError):
                pass                     # gone already, or replaced by a new pod of the same name
        return done


class LocalNode:
    """The agent, its runtime and its sampler.  Everything runs in the
    control loop's thread (:meth:`components`); :meth:`stop` must be called
    after that thread stopped."""

    def __init__(self, agent, runtime, sampler: MetricsSampler) -> None:
        self.agent, self.runtime, self.sampler = agent, runtime, sampler
        self._stopped = False

    @property
    def node_name(self) -> str:
        return self.agent.node_name

    @classmethod
    def open(cls, store, clock, cfg: LocalNodeConfig) -> "LocalNode":
        from kubekit.images.imagestore import ImageStore
        from kubekit.node.agent import NodeAgent
        from kubekit.runtime import Runtime

        kw = {k: v for k, v in (("state_dir", cfg.state_dir), ("data_dir", cfg.data_dir),
                                ("cgroup_root", cfg.cgroup_root)) if v}
        runtime = Runtime(**kw)        # sweeps what a previous server that died left behind
        os.makedirs(cfg.pod_log_dir, exist_ok=True)
        agent = NodeAgent(store, clock, node_name=cfg.node_name, runtime=runtime, images=ImageStore(cfg.image_root),
                          puller=_puller(), log_dir=cfg.pod_log_dir, reserved=cfg.reserved)
        return cls(agent, runtime, MetricsSampler(agent.usage, clock, cfg.metrics_interval))

    def components(self) -> list:
        """What the control loop runs after the control plane: the agent, the
        confirmation of its pods' graceful deletions, the sampler."""
        return [self.agent, LocalPodTerminator(self.agent), self.sampler]

    def stop(self) -> None:
        """Kill every pod's containers, remove their sandboxes, cgroups and
        files, and the runtime's cgroup root once empty.  Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        try:
            self.agent.stop()
        finally:
            try:
                self._delete_leftovers()
                self.runtime.sweep(include_exited=True)
            finally:
                self.runtime.driver.remove_if_empty(self.runtime.cgroup_root)

    def _delete_leftovers(self) -> None:
        """A safety net after the agent's stop: every container this runtime
        still holds (one the agent lost track of, e.g. after a failed step) is
        killed and removed — the pods' containers first, their sandboxes last
        — and the pod cgroups left empty are removed."""
        live = list(self.runtime.live.values())
        if not live:
            return
        log.warning("the node agent left %d container(s) behind; deleting them", len(live))
        pods = set()
        for c in sorted(live, key=lambda c: c.id.endswith("-sandbox")):
            pods.add(c.record.cgroup.rsplit("/", 1)[0])
            try:
                c.delete()
            except Exception:  # noqa: BLE001 - keep going: the others must go too
                log.exception("deleting container %s failed", c.id)
        for pod in sorted(pods):
            self.runtime.driver.remove_if_empty(pod)
