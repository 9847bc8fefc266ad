"""The demo's cluster: an embedded control plane, the local node running real
containers, and an autoscaled group of simulated nodes.

:func:`open_setting` builds it and :meth:`Setting.close` takes it all down
again (pods, containers, cgroups, the image store and every file), whatever
happened in between.  Without root, cgroups or a static busybox the local
node is a simulated one too (:attr:`Setting.fallback` says why).

The long Kubernetes windows are shortened so that the story takes about a
minute (:data:`COMPRESSED` lists each one next to Kubernetes' default; the
demo prints it).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field

from kubekit.cluster.local import ControlPlane
from kubekit.node.simulated import NodeTemplate

__all__ = ["COMPRESSED", "DEMO_IMAGE", "LOCAL_LABEL", "LoadSwitch", "Setting", "label_local_node", "open_setting"]

log = logging.getLogger(__name__)

DEMO_IMAGE = "kubekit.local/demo-busybox:1"
LOCAL_LABEL = ("kubekit.io/demo-node", "local")
LOCAL_CPU = "600m"                   # what the local node offers pods (the rest is reserved)
SIM_GROUP = "burst"
SIM_TEMPLATE = NodeTemplate(cpu="1", memory="4Gi", pods="110", labels={"kubekit.io/demo-node": "simulated"})
SIM_START_DELAY = 1.0                # a simulated pod is Running this long after it is bound
LOAD_MILLI, IDLE_MILLI = 300, 5      # a simulated worker's cpu with the load on / off (a real one: its cgroup's)

# (what, the demo's value, Kubernetes' default) -- printed by the demo
COMPRESSED = (
    ("HPA sync period", "5s", "15s (--horizontal-pod-autoscaler-sync-period)"),
    ("HPA scale-down stabilization", "20s", "300s (behavior.scaleDown.stabilizationWindowSeconds, set in web.yaml)"),
    ("metrics resolution", "2s", "15s (metrics-server --metric-resolution)"),
    ("cluster-autoscaler scan interval", "2s", "10s (--scan-interval)"),
    ("cluster-autoscaler scale-down unneeded time", "15s", "10m (--scale-down-unneeded-time)"),
    ("cluster-autoscaler scale-down delay after add", "10s", "10m (--scale-down-delay-after-add)"),
)
HPA_SYNC, METRICS_INTERVAL = 5.0, 2.0
CA_SCAN, CA_UNNEEDED, CA_DELAY_AFTER_ADD = 2.0, 15.0, 10.0


class LoadSwitch:
    """The demo's load: the file ``<dir>/on`` (the real workers burn cpu
    while it exists) and the usage the simulated workers report."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.on = False

    def set(self, on: bool) -> None:
        path = os.path.join(self.directory, "on")
        if on:
            with open(path, "w"):
                pass
        elif os.path.exists(path):
            os.unlink(path)
        self.on = on

    def simulated_usage(self, pod: dict, now: float) -> tuple[int, int]:
        """The fleet's usage model: what a simulated worker reports."""
        return (LOAD_MILLI if self.on else IDLE_MILLI), 12 << 20


class _Periodic:
    """Runs ``fn`` every ``interval`` seconds as a control-plane component."""

    def __init__(self, fn, clock, interval: float) -> None:
        self.fn, self.clock, self.interval = fn, clock, interval
        self._due = 0.0

    def run_once(self) -> int:
        now = self.clock.monotonic()
        if now < self._due:
            return 0
        self._due = now + self.interval
        return self.fn()

    def next_wakeup(self) -> float:
        return max(0.0, self._due - self.clock.monotonic())


@dataclass
class Setting:
    clock: object
    cp: ControlPlane
    top: str                                  # every file the demo writes lives under here
    load: LoadSwitch
    local_node_name: str
    local: object | None = None               # the LocalNode running real containers, or None
    fallback: str | None = None               # why the local node is simulated
    hpa: object | None = None
    autoscaler: object | None = None
    metrics: object | None = None
    hpa_sync: float = HPA_SYNC
    metrics_interval: float = METRICS_INTERVAL
    _closers: list = field(default_factory=list)

    @property
    def store(self):
        return self.cp.store

    @property
    def real(self) -> bool:
        return self.local is not None

    def close(self) -> None:
        """Stop every container, remove cgroups, mounts and files.  Idempotent."""
        errors = []
        while self._closers:
            try:
                self._closers.pop()()
            except Exception as e:  # noqa: BLE001 - the rest must still be cleaned up
                log.exception("demo clean-up step failed")
                errors.append(e)
        if errors:
            raise errors[0]


def _local_node_unavailable() -> str | None:
    """Why real containers cannot run here, or None."""
    if os.geteuid() != 0:
        return "not running as root (real containers need namespaces, cgroups and mounts)"
    from kubekit.runtime.busybox import find_static_busybox
    from kubekit.runtime.cgroups.driver import open_driver

    try:
        open_driver()
    except Exception as e:  # noqa: BLE001 - any failure means: no cgroup support
        return f"no usable cgroup hierarchy ({e})"
    try:
        find_static_busybox()
    except Exception as e:  # noqa: BLE001
        return str(e)
    return None


def _open_local_node(s: Setting) -> None:
    import secrets

    from kubekit.images import ImageStore, build_image
    from kubekit.runtime.busybox import make_busybox_rootfs
    from kubekit.server.localnode import LocalNode, LocalNodeConfig

    image_root = os.path.join(s.top, "images")
    rootfs = make_busybox_rootfs(os.path.join(s.top, "busybox-rootfs"))
    build_image(ImageStore(image_root), rootfs, tag=DEMO_IMAGE, created=1_700_000_000)
    cpus = os.cpu_count() or 1
    local = LocalNode.open(s.store, s.clock, LocalNodeConfig(
        node_name=s.local_node_name, image_root=image_root, pod_log_dir=os.path.join(s.top, "logs"),
        state_dir=os.path.join(s.top, "state"), data_dir=os.path.join(s.top, "data"),
        cgroup_root=f"/kubekit-demo-{secrets.token_hex(3)}", metrics_interval=s.metrics_interval,
        reserved={"system": {"cpu": f"{max(0, cpus * 1000 - 600)}m"}}))    # LOCAL_CPU left for pods
    s.local = local
    s._closers.append(local.stop)
    for c in local.components():
        s.cp.add_component(c)


def label_local_node(s: Setting) -> None:
    """``kubectl label node <local> kubekit.io/demo-node=local`` once the agent registered it."""
    def label(cur: dict) -> dict | None:
        labels = cur["metadata"].setdefault("labels", {})
        if labels.get(LOCAL_LABEL[0]) == LOCAL_LABEL[1]:
            return None
        labels[LOCAL_LABEL[0]] = LOCAL_LABEL[1]
        return cur
    s.store.guaranteed_update("Node", None, s.local_node_name, label)


def _add_autoscalers(s: Setting) -> None:
    """The HPA controller (metrics: the local node's cgroups and the
    simulated nodes' reports) and the cluster autoscaler with two node
    groups: the local node alone (fixed) and the simulated ``burst`` group."""
    from kubekit.autoscaling.cluster import AutoscalerOptions, ClusterAutoscaler, FleetProvider, NodeGroup
    from kubekit.autoscaling.metrics_source import AgentMetrics, CombinedMetrics, FleetMetrics
    from kubekit.controllers.hpa import HPAController

    sources = [FleetMetrics(s.cp.fleet)]
    if s.local is not None:
        sources.insert(0, AgentMetrics(s.local.sampler, pods=s.cp.pods))
    s.metrics = CombinedMetrics(*sources)
    s.hpa = HPAController(s.store, s.clock, s.metrics, pods=s.cp.pods, sync_period=s.hpa_sync)
    burst = NodeGroup(SIM_GROUP, 1, 3, SIM_TEMPLATE, price=1.0, provider=FleetProvider(s.cp.fleet))
    burst.provider.increase_size(burst, 1)                 # the group starts at its min size
    groups = [NodeGroup.fixed("local", [s.local_node_name]), burst]
    s.autoscaler = ClusterAutoscaler(
        s.store, s.clock, groups, pods=s.cp.pods, nodes=s.cp.nodes,
        options=AutoscalerOptions(scan_interval=CA_SCAN, scale_down_unneeded_time=CA_UNNEEDED,
                                  scale_down_delay_after_add=CA_DELAY_AFTER_ADD, expander="least-waste"))
    s.cp.add_component(s.hpa)
    s.cp.add_component(s.autoscaler)


def open_setting(clock=None, *, simulated_only: bool = False, hpa_sync: float = HPA_SYNC,
                 metrics_interval: float = METRICS_INTERVAL) -> Setting:
    """The demo's cluster (see the module docstring).  ``simulated_only``
    forces the fallback (tests drive it on a fake clock); ``hpa_sync`` and
    ``metrics_interval`` are the HPA's sync period and the local node's
    metrics resolution (the benchmark also runs Kubernetes' 15 s / 15 s)."""
    from kubekit.clock import RealClock
    from kubekit.server.localnode import default_node_name
    from kubekit.store import APIStore, GarbageCollector

    clock = clock if clock is not None else RealClock()
    top = tempfile.mkdtemp(prefix="kubekit-demo-")
    os.chmod(top, 0o711)
    load_dir = os.path.join(top, "load")
    os.mkdir(load_dir)
    os.chmod(load_dir, 0o755)
    store = APIStore(clock=clock)
    cp = ControlPlane(clock, store, start_delay=SIM_START_DELAY)
    s = Setting(clock, cp, top, LoadSwitch(load_dir), default_node_name(), hpa_sync=hpa_sync,
                metrics_interval=metrics_interval)
    s._closers.append(lambda: shutil.rmtree(top, ignore_errors=True))
    s._closers.append(store.close)
    try:
        gc = GarbageCollector(store)
        cp.add_component(_Periodic(gc.sweep, clock, 1.0))
        s.fallback = "asked for simulated nodes only" if simulated_only else _local_node_unavailable()
        if s.fallback is None:
            try:
                _open_local_node(s)
            except (OSError, RuntimeError) as e:
                s.fallback = f"the local node could not start ({e})"
                log.debug("local node failed", exc_info=True)
        if s.local is None:
            s.local_node_name = "local-sim"
            cp.fleet.add_nodes([s.local_node_name], NodeTemplate(cpu=LOCAL_CPU, memory="4Gi",
                                                                 labels=dict([LOCAL_LABEL])))
        cp.fleet.usage_model = s.load.simulated_usage
        _add_autoscalers(s)
    except BaseException:
        s.close()
        raise
    return s

