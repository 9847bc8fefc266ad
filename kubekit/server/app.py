"""``kubekit serve`` assembled: a persistent store, the control plane driven
by a :class:`~kubekit.server.controlloop.ControlLoop`, optional simulated
nodes, an optional local node (a node agent running real containers, with its
logs and metrics endpoints), and the HTTP API.

    srv = Server(ServerConfig(socket_path="/tmp/kubekit.sock", data_dir="/tmp/kubekit-data", sim_nodes=3))
    srv.start()          # returns once the socket accepts connections
    ...
    srv.stop()           # ends watches, stops the loop and the local node's containers, flushes the WAL,
                         # removes the socket file
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from dataclasses import dataclass

__all__ = ["DEFAULT_DATA_DIR", "DEFAULT_POD_LOG_DIR", "DEFAULT_SOCKET", "Server", "ServerConfig", "sim_node_names"]

log = logging.getLogger(__name__)

DEFAULT_SOCKET = "/run/kubekit/kubekit.sock"
DEFAULT_DATA_DIR = "/var/lib/kubekit/cluster"
DEFAULT_POD_LOG_DIR = "/var/log/pods"
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


@dataclass(frozen=True, slots=True)
class ServerConfig:
    socket_path: str | None = DEFAULT_SOCKET      # a unix socket ...
    listen: tuple[str, int] | None = None         # ... or (host, port); exactly one of them
    data_dir: str | None = DEFAULT_DATA_DIR       # None: memory only, nothing survives a restart
    # etcd's client URL (kube-apiserver's --etcd-servers): the objects live there instead of data_dir,
    # and several servers can share them, the controllers running on the elected leader only
    etcd_servers: str | None = None
    # kube-apiserver's --etcd-compaction-interval: history older than this is compacted, this often (0: never)
    compaction_interval: float = 300.0
    fsync: bool = True
    sim_nodes: int = 0
    sim_node_cpu: str = "8"
    sim_node_memory: str = "32Gi"
    sim_node_pods: str = "110"
    sim_start_delay: float = 1.0                  # seconds from binding to Running on a simulated node
    validate: bool = True
    # Kubernetes' pod deletion: a bound pod is only marked (deletionTimestamp) until its node confirms.
    # Off by default, like the store's DEFAULT_KINDS; simulated nodes confirm at once, the local node
    # once it has stopped the pod's containers.
    graceful_pod_deletion: bool = False
    # The local node: a node agent running this machine's pods as real containers (needs root).
    # Off here (tests and embedders opt in); the `kubekit serve` command turns it on unless --no-local-node.
    local_node: bool = False
    node_name: str | None = None                  # None: the hostname
    image_root: str | None = None                 # None: $KUBEKIT_IMAGE_ROOT or /var/lib/kubekit/images
    pod_log_dir: str = DEFAULT_POD_LOG_DIR
    runtime_state_dir: str | None = None          # None: the runtime's defaults ($KUBEKIT_STATE_DIR,
    runtime_data_dir: str | None = None           #   $KUBEKIT_DATA_DIR, $KUBEKIT_CGROUP_ROOT)
    cgroup_root: str | None = None
    metrics_interval: float = 5.0                 # seconds between two usage samples (the metrics window)
    # The kubekit.dev/hostpath provisioner's directories (docs/persistent-volumes.md); None: <data_dir>/hostpath,
    # or <tmp>/kubekit-hostpath without a data dir
    hostpath_dir: str | None = None
    default_storage_class: bool = True            # create the default StorageClass "standard" at start
    # kube-apiserver's admission plugins to turn off (--disable-admission-plugins); kubekit has NamespaceLifecycle
    disable_admission_plugins: tuple[str, ...] = ()


def sim_node_names(n: int) -> list[str]:
    return [f"sim-node-{i}" for i in range(n)]


class Server:
    """See the module docstring.  Not restartable: make a new one."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.kv = self.store = self.control_plane = self.loop = self.http = None
        self.local_node = None
        self.pv_controller = None
        self.namespace_controller = None
        self._lock_fd: int | None = None
        self._serve_thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._stopped = False

    @property
    def address(self) -> str:
        """Where clients connect: the socket path or ``host:port``."""
        return self.http.where if self.http is not None else (self.config.socket_path or "")

    def start(self) -> "Server":
        try:
            self._open()
        except BaseException:
            self.stop()
            raise
        return self

    def _open(self) -> None:
        from kubekit.clock import RealClock
        from kubekit.cluster.local import ControlPlane
        from kubekit.node.simulated import NodeTemplate
        from kubekit.server.api import API
        from kubekit.server.controlloop import ControlLoop
        from kubekit.server.podlogs import PodLogs
        from kubekit.server.routes import resources_from_kinds
        from kubekit.server.simnodes import SimulatedPodTerminator
        from kubekit.server.transport import make_http_server
        from kubekit.store import DEFAULT_KINDS, APIStore, GarbageCollector, MemoryKV

        cfg = self.config
        clock = RealClock()
        identity = None
        if cfg.etcd_servers is not None:
            import socket
            import uuid

            from kubekit.store.etcd import EtcdKV

            self.kv = EtcdKV(cfg.etcd_servers)
            identity = f"{socket.gethostname()}_{uuid.uuid4()}"     # kube-controller-manager's identity
        else:
            if cfg.data_dir is not None:
                self._lock_data_dir(cfg.data_dir)
            self.kv = MemoryKV(clock, data_dir=cfg.data_dir, fsync=cfg.fsync)
        kinds = DEFAULT_KINDS
        if cfg.graceful_pod_deletion:
            from kubekit.store.kinds import with_graceful_pods
            kinds = with_graceful_pods(DEFAULT_KINDS)
        self.store = APIStore(self.kv, clock=clock, kinds=kinds)
        cp = self.control_plane = ControlPlane(clock, store=self.store, start_delay=cfg.sim_start_delay,
                                               identity=identity, compaction_interval=cfg.compaction_interval)
        terminator = SimulatedPodTerminator(self.store, cp.pods, lambda node: node in cp.fleet.nodes)
        if cfg.sim_nodes:
            cp.fleet.add_nodes(sim_node_names(cfg.sim_nodes),
                               NodeTemplate(cpu=cfg.sim_node_cpu, memory=cfg.sim_node_memory, pods=cfg.sim_node_pods))
        self._system_namespaces()
        self._open_namespaces(clock)
        self._open_volumes(clock)
        self.loop = ControlLoop(cp, gc=GarbageCollector(self.store), extra=[terminator])
        api = API(self.store, on_write=self.loop.wake, stopping=self._stopping, validate=cfg.validate,
                  admission=self._admission_plugins())
        self.http = make_http_server(api, resources_from_kinds(self.store.kinds), socket_path=cfg.socket_path,
                                     listen=cfg.listen)
        if cfg.local_node:                      # after the socket is ours: a refused start touches no container
            self._open_local_node(clock)
        self.http.logs = PodLogs(self.store, self.local_node.node_name if self.local_node else None,
                                 cfg.pod_log_dir, self._stopping)
        self.loop.start()
        self._serve_thread = threading.Thread(target=self.http.serve_forever, kwargs={"poll_interval": 0.2},
                                              name="kubekit-http", daemon=True)
        self._serve_thread.start()
        log.info("kubekit serve: listening on %s, data in %s, %d simulated nodes, local node %s", self.address,
                 cfg.etcd_servers or cfg.data_dir or "(memory)", cfg.sim_nodes, self.local_node.node_name if self.local_node else "none")

    def _system_namespaces(self) -> None:
        """The namespaces kube-apiserver's system-namespaces controller keeps
        (``default``, ``kube-system``, ``kube-public``, ``kube-node-lease``),
        created at start if missing (``status.phase: Active``, the
        ``kubernetes`` finalizer).  Admission refuses objects in namespaces
        that do not exist, so these must be there before the API serves."""
        from kubekit.errors import AlreadyExistsError
        from kubekit.store.namespaces import NamespaceStore

        for name in SYSTEM_NAMESPACES:
            try:
                NamespaceStore(self.store).create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
            except AlreadyExistsError:
                pass

    def _admission_plugins(self) -> tuple:
        """kube-apiserver's default admission chain (as far as kubekit has it)
        without the plugins ``disable_admission_plugins`` names."""
        from kubekit.server.admission import default_plugins, plugins_by_name

        unknown = sorted(set(self.config.disable_admission_plugins) - set(plugins_by_name))
        if unknown:
            raise ValueError(f"unknown admission plugin(s) {', '.join(unknown)} (kubekit has: "
                             f"{', '.join(sorted(plugins_by_name))})")
        return tuple(p for p in default_plugins() if p.name not in self.config.disable_admission_plugins)

    def _open_namespaces(self, clock) -> None:
        """The namespace controller (on the leader, as a control-plane
        component): empties deleted namespaces and releases them."""
        from kubekit.controllers.namespace import NamespaceController

        self.namespace_controller = NamespaceController(self.store, clock)
        self.control_plane.add_component(self.namespace_controller)

    def _open_volumes(self, clock) -> None:
        """The PersistentVolume controller with the hostpath provisioner (on
        the leader, as a control-plane component) and minikube's default
        StorageClass ``standard``."""
        import tempfile

        from kubekit.controllers.persistentvolume import PersistentVolumeController
        from kubekit.controllers.persistentvolume_hostpath import HostPathProvisioner, default_storage_class

        cfg = self.config
        base = cfg.hostpath_dir or (os.path.join(cfg.data_dir, "hostpath") if cfg.data_dir is not None
                                    else os.path.join(tempfile.gettempdir(), "kubekit-hostpath"))
        self.pv_controller = PersistentVolumeController(self.store, clock, pods=self.control_plane.pods,
                                                        provisioner=HostPathProvisioner(base))
        self.control_plane.add_component(self.pv_controller)
        if cfg.default_storage_class:
            from kubekit.errors import AlreadyExistsError

            try:
                self.store.create(default_storage_class())
            except AlreadyExistsError:
                pass

    def _open_local_node(self, clock) -> None:
        from kubekit.server.localnode import LocalNode, LocalNodeConfig, default_node_name
        from kubekit.server.metrics import MetricsAPI

        cfg = self.config
        try:
            self.local_node = LocalNode.open(self.store, clock, LocalNodeConfig(
                node_name=cfg.node_name or default_node_name(), image_root=cfg.image_root,
                pod_log_dir=cfg.pod_log_dir, state_dir=cfg.runtime_state_dir, data_dir=cfg.runtime_data_dir,
                cgroup_root=cfg.cgroup_root, metrics_interval=cfg.metrics_interval))
        except PermissionError as e:
            raise OSError(f"the local node needs root (namespaces, cgroups, mounts): {e}; "
                          "run as root or with --no-local-node") from e
        self.loop.extra.extend(self.local_node.components())
        self.http.metrics = MetricsAPI(self.store, self.local_node.sampler, self.local_node.node_name)
        from kubekit.server.podexec import PodExec

        self.http.exec = PodExec(self.store, self.local_node.agent)

    def _lock_data_dir(self, data_dir: str) -> None:
        os.makedirs(data_dir, exist_ok=True)
        fd = os.open(os.path.join(data_dir, ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OSError(f"the data directory {data_dir} is in use by another kubekit serve") from None
        self._lock_fd = fd

    def request_stop(self) -> None:
        """Ask :meth:`wait` to return (safe from a signal handler); the caller then calls :meth:`stop`."""
        self._stopping.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until :meth:`stop` (from another thread or a signal handler); True if stopped."""
        return self._stopping.wait(timeout)

    def stop(self) -> None:
        """Graceful shutdown: refuse new connections and end open ones (and
        their watches), stop the control loop, close the store (flushing the
        WAL) and remove the socket file.  Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        self._stopping.set()
        if self.http is not None:
            if self._serve_thread is not None:
                self.http.shutdown()
                self._serve_thread.join()
            self.http.close()
            if self.config.socket_path and os.path.exists(self.config.socket_path):
                try:
                    os.unlink(self.config.socket_path)
                except FileNotFoundError:
                    pass
        if self.loop is not None:
            self.loop.stop()
        elector = self.control_plane.elector if self.control_plane is not None else None
        if elector is not None and elector.is_leader:
            elector.release()                   # ReleaseOnCancel: another server may lead at once
        if self.local_node is not None:         # the loop (the agent's thread) has stopped: kill every container
            try:
                self.local_node.stop()
            except Exception:  # noqa: BLE001 - the store must still be closed
                log.exception("stopping the local node failed")
        if self.control_plane is not None:
            for inf in (self.control_plane.pods, self.control_plane.nodes, self.control_plane.replicasets,
                        self.control_plane.deployments):
                inf.stop()
        for controller in (self.pv_controller, self.namespace_controller):
            if controller is not None:
                for inf in controller.informers:
                    inf.stop()
        if self.store is not None:
            self.store.close()
        if self.kv is not None:
            self.kv.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
