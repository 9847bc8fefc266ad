"""The node agent: the kubelet's role on a real machine.

It registers its Node (capacity from the machine; allocatable minus the
kubelet's default eviction reserve, :mod:`kubekit.node.rules.allocatable`),
heartbeats through a Lease, and for every pod bound to it keeps reality
matching the manifest, level-triggered:

* a **sandbox** per pod (:class:`~kubekit.runtime.pod.PodSandbox`: the net, IPC
  and UTS namespaces the pod's containers share, and the pod cgroup with the
  pod's limits);
* each container from its **image** (resolved through the image store and
  ``imagePullPolicy``, :func:`kubekit.images.policy.ensure_image`), its
  command, args, env, workdir and user (:mod:`kubekit.runtime.fromimage`),
  its cgroup carrying requests and limits (cpu shares and quota, memory), its
  stdout and stderr in ``<log_dir>/<ns>_<pod>_<uid>/<container>/<restart>.log``;
  init containers run first, one at a time, each to success;
* **restarts** by ``restartPolicy`` (Always, OnFailure, Never) with the
  kubelet's crash-loop backoff (10 s doubling to 5 min), an exit's reason
  (Completed, Error, OOMKilled) kept as the container's last state;
* the pod's **status**: phase (``getPhase``), the Initialized /
  ContainersReady / Ready conditions, container states and restart counts;
* a deleted pod's containers get SIGTERM, then SIGKILL after the grace period.

* **probes**: liveness, readiness and startup probes (httpGet, tcpSocket,
  exec; :mod:`kubekit.node.probing`) on the kubelet's worker state machine
  (:mod:`kubekit.node.rules.probes`): readiness gates ``ready``, startup gates
  the others, a failed liveness or startup probe kills the container, which
  restarts by its policy.

* **volumes**: emptyDir, hostPath, and configMap, secret, downwardAPI and
  projected volumes written with the kubelet's atomic writer
  (:mod:`kubekit.node.volumes`; secret and projected ones on a tmpfs,
  unmounted with the pod), refreshed on every sync so a changed ConfigMap or
  Secret reaches the files (not ``subPath`` mounts, as upstream);
* **env** from ``value`` with ``$(VAR)`` expansion, ``valueFrom``
  (configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef) and
  ``envFrom`` (:mod:`kubekit.node.rules.envvars`); command and args expanded;
* **exec** (:meth:`NodeAgent.exec`, ``kubectl exec``) and exec probes through
  the runtime's exec (the container's namespaces and cgroup).

Not yet: resizing, sidecars' special ordering, serviceAccountToken projections;
a probe runs inside the agent's loop (up to its ``timeoutSeconds``).  Usage for
``top``/the autoscaler is read from each pod's cgroup by :meth:`NodeAgent.usage`.
"""

from __future__ import annotations

import logging
import os
import signal
from dataclasses import dataclass, field

from kubekit.cluster.events import EventRecorder
from kubekit.cluster.conditions import set_condition
from kubekit.controllers.informer import Informer, object_key
from kubekit.errors import KubekitError, NotFoundError
from kubekit.node.rules import (
    container_ready,
    container_started,
    containers_ready_condition,
    crash_loop_decision,
    kubelet_crash_loop_policy,
    node_capacity_and_allocatable,
    pod_initialized_condition,
    pod_phase,
    pod_ready_condition,
)
from kubekit.node.lease import renew_node_lease
from kubekit.node.rules.envvars import make_environment
from kubekit.node.rules.expansion import expand_command
from kubekit.node.rules.volume_payload import PROJECTED_KINDS, VolumeError, volume_payload
from kubekit.node.volumes import set_up_volume, unmount_under, volume_dir
from kubekit.store.meta import rfc3339

__all__ = ["ContainerConfigError", "ContainerNotRunning", "NodeAgent", "container_log_path", "container_resources", "pod_resources", "volume_mounts"]

log = logging.getLogger(__name__)

DEFAULT_GRACE = 30
HOST_IP = "127.0.0.1"        # status.hostIP: kubekit's pods have no cluster network


# -- pure helpers -------------------------------------------------------------------------

def container_log_path(log_dir: str, namespace: str, pod: str, uid: str, container: str, restart: int) -> str:
    """Where a container's stdout and stderr go:
    ``<log_dir>/<ns>_<pod>_<uid>/<container>/<restart>.log``."""
    return os.path.join(log_dir, f"{namespace}_{pod}_{uid}", container, f"{restart}.log")


def _quantity(text, milli: bool) -> int:
    from kubekit.api.quantity import Quantity

    q = Quantity(str(text))
    return q.milli_value() if milli else q.value()


def container_resources(c: dict):
    """A container's requests and limits as runtime :class:`Resources`, the
    way kubelet maps them to cgroups: ``cpu.shares = max(2, milli*1024/1000)``
    from the cpu request, quota ``milli*100000/1000`` per 100 ms from the cpu
    limit (at least 1 ms), ``memory.max`` from the memory limit."""
    from kubekit.runtime.spec import Resources

    res = c.get("resources") or {}
    req, lim = res.get("requests") or {}, res.get("limits") or {}
    kw: dict = {}
    cpu_req = req.get("cpu", lim.get("cpu"))
    if cpu_req is not None:
        kw["cpu_shares"] = max(2, _quantity(cpu_req, True) * 1024 // 1000)
    if "cpu" in lim:
        kw["cpu_period"] = 100_000
        kw["cpu_quota"] = max(_quantity(lim["cpu"], True) * 100_000 // 1000, 1000)
    if "memory" in lim:
        kw["memory_limit"] = _quantity(lim["memory"], False)
    return Resources(**kw)


def pod_resources(pod: dict):
    """The pod cgroup's limits: the sums of the containers' limits when every
    container sets one (kubelet's ``ResourceConfigForPod`` for limited pods)."""
    from kubekit.runtime.spec import Resources

    cs = (pod.get("spec") or {}).get("containers") or []
    kw: dict = {}
    lims = [(c.get("resources") or {}).get("limits") or {} for c in cs]
    if cs and all("memory" in lim for lim in lims):
        kw["memory_limit"] = sum(_quantity(lim["memory"], False) for lim in lims)
    if cs and all("cpu" in lim for lim in lims):
        kw["cpu_period"] = 100_000
        kw["cpu_quota"] = max(sum(_quantity(lim["cpu"], True) for lim in lims) * 100_000 // 1000, 1000)
    return Resources(**kw)


class ContainerConfigError(KubekitError):
    """A container cannot be configured (kubelet's ``CreateContainerConfigError``)."""

    reason = "CreateContainerConfigError"


class ContainerNotRunning(KubekitError):
    """An exec names a container that does not run (not started yet, exited, or no such container)."""


def volume_mounts(pod: dict, c: dict, volume_root: str, claim_paths: dict | None = None):
    """The container's ``volumeMounts`` as runtime mounts: ``emptyDir`` (a
    directory per pod, shared by its containers, removed with the pod;
    ``medium: Memory`` lives on the host's ``/dev/shm``), ``hostPath``
    (``type`` Directory/DirectoryOrCreate/File/FileOrCreate checked as the
    kubelet checks them) and the configMap, secret, downwardAPI and projected
    volumes the agent wrote (:mod:`kubekit.node.volumes`), always read-only; a
    ``subPath`` into one of those is resolved once, so it is never updated
    (as upstream).  A ``persistentVolumeClaim`` volume mounts the bound
    PersistentVolume's path, as ``claim_paths`` (volume name -> host path,
    resolved by :meth:`NodeAgent._sync_volumes`) gives it, read-only if the
    volume says ``readOnly``.  Other volume types raise :class:`ContainerConfigError`."""
    from kubekit.runtime.spec import Mount

    volumes = {v.get("name"): v for v in (pod.get("spec") or {}).get("volumes") or ()}
    out = []
    for vm in c.get("volumeMounts") or ():
        read_only = False
        vol = volumes.get(vm.get("name"))
        if vol is None:
            raise ContainerConfigError(f'volumeMount "{vm.get("name")}": no volume of that name in the pod')
        if "emptyDir" in vol:
            if (vol["emptyDir"] or {}).get("medium") == "Memory":
                base = os.path.join("/dev/shm", "kubekit-" + os.path.basename(os.path.dirname(volume_root)))
            else:
                base = volume_root
            source = os.path.join(base, "kubernetes.io~empty-dir", vol["name"])
            if not os.path.isdir(source):
                os.makedirs(source, exist_ok=True)
                os.chmod(source, 0o777)               # kubelet's emptyDir mode
        elif "hostPath" in vol:
            hp = vol["hostPath"] or {}
            source, kind = hp.get("path", ""), hp.get("type") or ""
            if kind == "DirectoryOrCreate" and not os.path.exists(source):
                os.makedirs(source, 0o755, exist_ok=True)
            elif kind == "FileOrCreate" and not os.path.exists(source):
                os.makedirs(os.path.dirname(source), 0o755, exist_ok=True)
                open(source, "a").close()
            if kind in ("Directory", "DirectoryOrCreate") and not os.path.isdir(source):
                raise ContainerConfigError(f'hostPath type check failed: {source} is not a directory')
            if kind in ("File", "FileOrCreate") and not os.path.isfile(source):
                raise ContainerConfigError(f'hostPath type check failed: {source} is not a file')
            if not os.path.exists(source):
                raise ContainerConfigError(f'hostPath {source} does not exist')
        elif "persistentVolumeClaim" in vol:
            src = vol["persistentVolumeClaim"] or {}
            source = (claim_paths or {}).get(vol["name"])
            if source is None:
                raise ContainerConfigError(f'volume "{vol["name"]}": persistentvolumeclaim '
                                           f'"{src.get("claimName")}" is not bound yet')
            read_only = bool(src.get("readOnly"))
        elif any(k in vol for k in PROJECTED_KINDS):
            kind = next(k for k in PROJECTED_KINDS if k in vol)
            source = volume_dir(volume_root, kind, vol["name"])    # written by NodeAgent._sync_volumes
            read_only = True                                        # the kubelet mounts these read-only
            if not os.path.isdir(source):
                raise ContainerConfigError(f'volume "{vol["name"]}" is not set up yet')
        else:
            kind = next((k for k in vol if k != "name"), "?")
            raise ContainerConfigError(f'volume "{vol.get("name")}": type {kind} is not supported by kubekit\'s '
                                       "node agent (emptyDir, hostPath, persistentVolumeClaim, configMap, "
                                       "secret, downwardAPI and projected are)")
        sub = vm.get("subPath") or ""
        if sub:
            if sub.startswith("/") or ".." in sub.split("/"):
                raise ContainerConfigError(f'volumeMount "{vm["name"]}": subPath {sub!r} must be a relative path '
                                           "inside the volume")
            base, source = source, os.path.join(source, sub)
            if not os.path.lexists(source):
                os.makedirs(source, exist_ok=True)
            real = os.path.realpath(source)          # a key's symlink into ..data: resolved now, never updated
            if real != os.path.realpath(base) and not real.startswith(os.path.realpath(base) + "/"):
                raise ContainerConfigError(f'volumeMount "{vm["name"]}": subPath {sub!r} leaves the volume')
            source = real
        out.append(Mount(destination=vm["mountPath"], source=source,
                         options=("ro",) if vm.get("readOnly") or read_only else ()))
    return tuple(out)


def _restart_wanted(policy: str, code: int) -> bool:
    return policy == "Always" or (policy == "OnFailure" and code != 0)


# -- per-pod state -------------------------------------------------------------------------

@dataclass
class _ContainerState:
    name: str
    restarts: int = 0
    running: object | None = None          # the runtime Container
    started_at: float | None = None
    last: dict | None = None               # the last terminated state (API form)
    finished_at: float | None = None
    done: bool = False                     # exited and will not restart
    backoff: object | None = None          # BackoffEntry
    waiting: tuple[str, str] | None = None  # (reason, message)
    uid: int = 0                           # the process's uid/gid (exec probes run as them)
    gid: int = 0
    probes: dict = field(default_factory=dict)      # probe type -> ProbeState
    next_probe: dict = field(default_factory=dict)  # probe type -> when it may run again (clock.now())


@dataclass
class _PodWorker:
    uid: str
    key: str
    sandbox: object | None = None
    containers: dict[str, _ContainerState] = field(default_factory=dict)
    kill_deadline: float | None = None     # set once the pod is being torn down
    grace: int = DEFAULT_GRACE              # the pod's terminationGracePeriodSeconds, as last seen
    finished: bool = False                  # terminal phase reached; nothing more runs
    volumes: dict = field(default_factory=dict)     # volume name -> the payload last written
    volume_error: str | None = None         # why a volume cannot be set up (FailedMount), if it cannot


class NodeAgent:
    """Runs the pods bound to ``node_name`` through ``runtime`` (see the
    module docstring).  Drive it with :meth:`run_once`; :meth:`stop` kills
    every pod it runs."""

    def __init__(self, store, clock, *, node_name: str, runtime=None, images=None, puller=None,
                 log_dir: str = "/var/log/pods", reserved: dict | None = None, max_pods: int = 110,
                 backoff_max: float | None = None, register: bool = True, lease_renew: float = 10.0) -> None:
        self.store, self.clock, self.node_name = store, clock, node_name
        if runtime is None:
            from kubekit.runtime import Runtime

            runtime = Runtime()
        if images is None:
            from kubekit.images.imagestore import ImageStore

            images = ImageStore()
        self.runtime, self.images, self.puller = runtime, images, puller
        self.log_dir = log_dir
        self.reserved, self.max_pods = reserved, max_pods
        self.policy = kubelet_crash_loop_policy(backoff_max)
        self.events = EventRecorder(store, clock, "kubelet", host=node_name)
        self.pods = Informer(store, "Pod", field_selector=f"spec.nodeName={node_name}")
        self.workers: dict[str, _PodWorker] = {}
        self.lease_renew = lease_renew
        self._next_renew = 0.0
        self._register = register
        self._allocatable: dict | None = None

    # -- node registration and heartbeat ------------------------------------------------------
    def node_manifest(self) -> dict:
        import platform

        with open("/proc/meminfo", encoding="ascii") as f:
            mem = next(int(line.split()[1]) * 1024 for line in f if line.startswith("MemTotal:"))
        st = os.statvfs(self.runtime.data_dir)
        res = node_capacity_and_allocatable(os.cpu_count() or 1, mem, st.f_blocks * st.f_frsize,
                                            reserved=self.reserved, max_pods=self.max_pods)
        self._allocatable = res["allocatable"]
        now = rfc3339(self.clock.now())
        arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
        return {"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": self.node_name,
                             "labels": {"kubernetes.io/hostname": self.node_name, "kubernetes.io/os": "linux",
                                        "kubernetes.io/arch": arch}},
                "spec": {},
                "status": {**res,
                           "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                           "message": "kubelet is posting ready status",
                                           "lastHeartbeatTime": now, "lastTransitionTime": now}],
                           "nodeInfo": {"kubeletVersion": "kubekit", "operatingSystem": "linux",
                                        "architecture": arch, "kernelVersion": platform.release()}}}

    def register(self) -> None:
        m = self.node_manifest()
        try:
            self.store.create(m)
        except KubekitError:
            self.store.guaranteed_update("Node", None, self.node_name,
                                         lambda cur: {**cur, "status": m["status"]}, status=True)
        self._renew()

    def _renew(self) -> None:
        renew_node_lease(self.store, self.node_name, self.clock.now())
        self._next_renew = self.clock.monotonic() + self.lease_renew

    # -- the loop --------------------------------------------------------------------------------
    def run_once(self) -> int:
        """Sync every pod bound here once; renew the lease when due."""
        if self._register:
            self.register()
            self._register = False
        if self.clock.monotonic() >= self._next_renew:
            self._renew()
        self.pods.pump()
        seen = set()
        n = 0
        for pod in self.pods.list():
            uid = pod["metadata"].get("uid", "")
            seen.add(uid)
            try:
                n += self.sync_pod(pod)
            except KubekitError as e:
                log.warning("pod %s: %s", object_key(pod), e)
        for uid, w in list(self.workers.items()):
            if uid not in seen:
                self._begin_teardown(w, None, w.grace)   # deleted from the store: the pod's own grace period
            if w.kill_deadline is not None and self._progress_teardown(w):
                del self.workers[uid]
                n += 1
        return n

    def next_wakeup(self) -> float | None:
        return 0.2 if self.workers else max(0.0, self._next_renew - self.clock.monotonic())

    def stop(self) -> None:
        """Kill every pod this agent runs (SIGKILL) and remove their sandboxes."""
        for w in list(self.workers.values()):
            w.kill_deadline = None
            self._begin_teardown(w, None, 0)         # deadline now: SIGKILL
            self._progress_teardown(w)
        self.workers.clear()

    # -- one pod -------------------------------------------------------------------------------------
    def _worker(self, pod: dict) -> _PodWorker:
        uid = pod["metadata"]["uid"]
        w = self.workers.get(uid)
        if w is None:
            w = self.workers[uid] = _PodWorker(uid, object_key(pod))
        return w

    def sync_pod(self, pod: dict) -> int:
        """Level-triggered: compare the pod with what runs, act, write status."""
        w = self._worker(pod)
        spec = pod.get("spec") or {}
        w.grace = int(spec.get("terminationGracePeriodSeconds", DEFAULT_GRACE))
        if w.kill_deadline is not None:
            return 0                                     # being torn down
        if pod["metadata"].get("deletionTimestamp"):
            self._begin_teardown(w, pod)
            return 1
        if w.finished:
            return 0
        now = self.clock.now()
        did = 0
        if w.sandbox is None:
            w.sandbox = self.runtime.create_pod(_safe_uid(w.uid), hostname=pod["metadata"]["name"][:63],
                                                resources=pod_resources(pod))
            did += 1
        did += self._sync_volumes(pod, w)
        policy = spec.get("restartPolicy") or "Always"
        inits = spec.get("initContainers") or []
        for c in inits:                                  # one at a time, each to success
            st = w.containers.setdefault("init:" + c["name"], _ContainerState(c["name"]))
            did += self._reap(pod, st, "Never" if policy == "Never" else "OnFailure", now)
            if st.done and st.last is not None and st.last["terminated"]["exitCode"] == 0:
                continue
            if st.done:                                  # an init container failed for good
                break
            if st.running is None:
                did += self._start(pod, w, c, st, now)
            break
        else:
            for c in spec.get("containers") or []:
                st = w.containers.setdefault(c["name"], _ContainerState(c["name"]))
                did += self._reap(pod, st, policy, now)
                if st.running is None and not st.done:
                    did += self._start(pod, w, c, st, now)
                if st.running is not None:
                    did += self._probe(pod, w, c, st, now)
        phase = self._write_status(pod, w)
        if phase in ("Succeeded", "Failed") and all(st.running is None for st in w.containers.values()):
            w.finished = True                            # a terminal pod keeps its status, not its sandbox
            if w.sandbox is not None:
                w.sandbox.delete()
                w.sandbox = None
        return did

    def _reap(self, pod: dict, st: _ContainerState, policy: str, now: float) -> int:
        """Collect an exited container; decide whether it may restart."""
        c = st.running
        if c is None:
            return 0
        status = c.wait(timeout=0)
        if status is None:
            return 0
        st.running = None
        st.finished_at = now
        st.last = {"terminated": {"exitCode": status.code, "reason": status.reason,
                                  **({"signal": status.signal} if status.signal else {}),
                                  "startedAt": rfc3339(st.started_at or now), "finishedAt": rfc3339(now)}}
        try:
            c.delete()
        except KubekitError as e:
            log.warning("container %s: delete: %s", st.name, e)
        if not _restart_wanted(policy, status.code):
            st.done = True
        return 1

    def _start(self, pod: dict, w: _PodWorker, c: dict, st: _ContainerState, now: float) -> int:
        name = c["name"]
        if st.finished_at is not None:
            full = f"{pod['metadata']['name']}_{pod['metadata'].get('namespace', 'default')}({w.uid})"
            waiting, message, entry = crash_loop_decision(st.backoff, st.finished_at, now, self.policy,
                                                          container_name=name, pod_full_name=full)
            if waiting:
                if (st.waiting or ("",))[0] != "CrashLoopBackOff":     # kubelet's doBackOff, once per wait
                    self.events.warning(pod, "BackOff", f"Back-off restarting failed container {name} in pod {full}")
                st.waiting = ("CrashLoopBackOff", message)
                return 0
            st.backoff = entry
            st.restarts += 1
        if w.volume_error is not None:                   # the kubelet waits for every volume to be set up
            st.waiting = ("ContainerCreating", "")
            return 0
        try:
            spec = self._container_spec(pod, c, st)
        except KubekitError as e:
            reason = getattr(e, "reason", "CreateContainerConfigError")
            st.waiting = (reason, str(e))
            self.events.warning(pod, "Failed", f"Error: {e}")
            return 0
        cid = f"{_safe_uid(w.uid)[:12]}-{_safe_name(name)}-{st.restarts}"
        st.uid, st.gid = spec.uid, spec.gid
        try:
            container = w.sandbox.create(spec, name=cid)
            container.start()
        except KubekitError as e:
            st.waiting = ("CreateContainerError", str(e))
            st.finished_at = now
            self.events.warning(pod, "Failed", f"Error: {e}")
            return 0
        finally:
            for fd in (spec.stdout, spec.stderr):
                if fd is not None and fd > 2:
                    os.close(fd)
        st.running, st.started_at, st.waiting = container, now, None
        self.events.normal(pod, "Started", f"Started container {name}")
        return 1

    def _container_spec(self, pod: dict, c: dict, st: _ContainerState):
        import dataclasses

        from kubekit.images.policy import ensure_image
        from kubekit.runtime.fromimage import spec_from_image

        image = c.get("image") or ""
        img = ensure_image(self.images, image, c.get("imagePullPolicy"), self.puller)
        layers = self.images.layers(image)
        env_result = self._environment(pod, c)
        env = [f"{k}={v}" for k, v in env_result.env]
        command, args = expand_command(c.get("command"), c.get("args"), dict(env_result.env))
        sc = {**((pod.get("spec") or {}).get("securityContext") or {}), **(c.get("securityContext") or {})}
        m = pod["metadata"]
        mounts = volume_mounts(pod, c, self.volume_dir(pod), claim_paths={
            name: v[1] for name, v in self._worker(pod).volumes.items()
            if isinstance(v, tuple) and v[:1] == ("persistentVolumeClaim",)})
        spec = spec_from_image(img.config, layers, command=command, args=args, env=env,
                               workdir=c.get("workingDir"), run_as_user=sc.get("runAsUser"),
                               run_as_group=sc.get("runAsGroup"),
                               supplemental_groups=((pod.get("spec") or {}).get("securityContext") or {}).get(
                                   "supplementalGroups") or (),
                               resources=container_resources(c), mounts=mounts, stdin=None, die_with_parent=False)
        path = container_log_path(self.log_dir, m.get("namespace", "default"), m["name"], m["uid"], c["name"],
                                  st.restarts)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o640)
        return dataclasses.replace(spec, stdout=fd, stderr=os.dup(fd))

    def _lookup(self, kind: str, namespace: str):
        def get(name: str):
            try:
                return self.store.get(kind, namespace, name)
            except NotFoundError:
                return None
        return get

    def allocatable(self) -> dict:
        """The node's allocatable (what the downward API reports for a container without limits)."""
        if self._allocatable is None:
            self._allocatable = self.node_manifest()["status"]["allocatable"]
        return self._allocatable

    def _environment(self, pod: dict, c: dict):
        """The container's env (:func:`~kubekit.node.rules.envvars.make_environment`);
        its warnings become events, its failure a ``CreateContainerConfigError``."""
        ns = pod["metadata"].get("namespace") or "default"
        status = pod.get("status") or {}
        pod_ips = [p.get("ip", "") for p in status.get("podIPs") or ()] or ([status["podIP"]] if status.get("podIP")
                                                                          else [])
        result = make_environment(pod, c, get_config_map=self._lookup("ConfigMap", ns),
                                  get_secret=self._lookup("Secret", ns), allocatable=self.allocatable(),
                                  host_ips=[status.get("hostIP") or HOST_IP], pod_ips=pod_ips)
        for reason, message in result.warnings:
            self.events.warning(pod, reason, message)
        return result

    def _sync_volumes(self, pod: dict, w: _PodWorker) -> int:
        """Write (or refresh) the pod's configMap, secret, downwardAPI and
        projected volumes; level-triggered, so a changed ConfigMap or Secret
        reaches the mounted files on a later sync.  A volume that cannot be
        set up (a missing non-optional ConfigMap...) sets ``w.volume_error``
        (one ``FailedMount`` event per distinct error) and is retried."""
        ns = pod["metadata"].get("namespace") or "default"
        root = self.volume_dir(pod)
        did = 0
        errors = []
        for vol in (pod.get("spec") or {}).get("volumes") or ():
            if "persistentVolumeClaim" in vol:           # the bound PV's path, once resolved never changes
                if not isinstance(w.volumes.get(vol["name"]), tuple):
                    from kubekit.controllers.persistentvolume_mount import ClaimNotReady, claim_mount_path
                    try:
                        path = claim_mount_path(self.store, ns, (vol["persistentVolumeClaim"] or {}).get(
                            "claimName") or "")
                        w.volumes[vol["name"]] = ("persistentVolumeClaim", path)
                        did += 1
                    except (ClaimNotReady, OSError) as e:
                        errors.append(f'MountVolume.SetUp failed for volume "{vol["name"]}" : {e}')
                continue
            kind = next((k for k in PROJECTED_KINDS if k in vol), None)
            if kind is None:
                continue
            try:
                payload = volume_payload(vol, pod, get_config_map=self._lookup("ConfigMap", ns),
                                         get_secret=self._lookup("Secret", ns), allocatable=self.allocatable())
                if w.volumes.get(vol["name"]) != payload:
                    did += set_up_volume(root, kind, vol["name"], payload, self.clock.now())
                    w.volumes[vol["name"]] = payload
            except (VolumeError, ValueError, OSError) as e:
                errors.append(f'MountVolume.SetUp failed for volume "{vol["name"]}" : {e}')
        error = "; ".join(errors) or None
        if error is not None and error != w.volume_error:
            for message in errors:
                self.events.warning(pod, "FailedMount", message)
        w.volume_error = error
        return did

    def volume_dir(self, pod: dict) -> str:
        """Where a pod's emptyDir volumes live (kubelet's
        ``pods/<uid>/volumes/kubernetes.io~empty-dir``)."""
        return os.path.join(self.runtime.data_dir, "pods", _safe_uid(pod["metadata"]["uid"]), "volumes")

    # -- probes -----------------------------------------------------------------------------------
    _PROBES = (("startup", "startupProbe"), ("liveness", "livenessProbe"), ("readiness", "readinessProbe"))

    def _started(self, c: dict, st: _ContainerState) -> bool:
        startup = st.probes.get("startup")
        return container_started(st.running is not None, "startupProbe" in c,
                                 startup.result if startup is not None else None)

    def _ready(self, c: dict, st: _ContainerState) -> bool:
        readiness = st.probes.get("readiness")
        return container_ready(st.running is not None, self._started(c, st), "readinessProbe" in c,
                               readiness.result if readiness is not None else None)

    def _probe(self, pod: dict, w: _PodWorker, c: dict, st: _ContainerState, now: float) -> int:
        """One tick of the container's probe workers (prober/worker.go's
        doProbe, on the agent's clock); a failed liveness or startup probe
        kills the container, which then restarts by its policy."""
        from kubekit.node.probing import run_probe
        from kubekit.node.rules.probes import (
            ProbeTarget,
            new_probe_state,
            probe_due,
            probe_spec_from_manifest,
            probe_step,
        )

        did = 0
        for kind, field_name in self._PROBES:
            manifest = c.get(field_name)
            if not manifest or st.running is None:
                continue
            ps = st.probes.get(kind) or new_probe_state(kind, probe_spec_from_manifest(manifest, probe_type=kind))
            target = ProbeTarget(container_id=st.running.id, state="running", started_at=st.started_at or now,
                                 started=self._started(c, st))
            outcome = None
            if probe_due(ps, target, now) and now >= st.next_probe.get((kind, st.running.id), 0.0):
                outcome, output = run_probe(manifest, c, sandbox_pid=w.sandbox.pid, target=st.running)
                st.next_probe[(kind, st.running.id)] = now + ps.spec.period_seconds
                did += 1
                if outcome == "Failure":
                    self.events.warning(pod, "Unhealthy", f"{kind.capitalize()} probe failed: {output}".strip())
            ps, _ = probe_step(ps, target, now, outcome, pod=pod, container=c)
            st.probes[kind] = ps
            if kind in ("liveness", "startup") and ps.result == "Failure" and ps.on_hold:
                self.events.normal(pod, "Killing", f"Container {c['name']} failed {kind} probe, will be restarted")
                st.running.kill()
                return did + 1
        return did

    # -- status -----------------------------------------------------------------------------------
    def _api_status(self, c: dict, st: _ContainerState, init: bool = False, has_inits: bool = False) -> dict:
        if st.running is not None:
            state = {"running": {"startedAt": rfc3339(st.started_at or self.clock.now())}}
        elif st.waiting is not None:
            state = {"waiting": {"reason": st.waiting[0], **({"message": st.waiting[1]} if st.waiting[1] else {})}}
        elif st.last is not None and st.done:
            state = st.last
        else:   # convertToAPIContainerStatuses' default waiting state
            state = {"waiting": {"reason": "PodInitializing" if has_inits and not init else "ContainerCreating"}}
        ready = self._ready(c, st)
        if init:      # an init container is ready once it completed (convertToAPIContainerStatuses)
            ready = "terminated" in state and state["terminated"]["exitCode"] == 0
        out = {"name": c["name"], "image": c.get("image", ""), "imageID": "", "restartCount": st.restarts,
               "ready": ready, "started": self._started(c, st), "state": state}
        if st.last is not None and state is not st.last:
            out["lastState"] = st.last
        return out

    def _write_status(self, pod: dict, w: _PodWorker) -> str:
        spec = pod.get("spec") or {}
        init = [self._api_status(c, w.containers.get("init:" + c["name"], _ContainerState(c["name"])), init=True)
                for c in spec.get("initContainers") or []]
        regular = [self._api_status(c, w.containers.get(c["name"], _ContainerState(c["name"])),
                                    has_inits=bool(spec.get("initContainers")))
                   for c in spec.get("containers") or []]
        started = any(w.containers.get(c["name"]) is not None and
                      (w.containers[c["name"]].running is not None or w.containers[c["name"]].last is not None)
                      for c in spec.get("containers") or [])
        phase = pod_phase(pod, init + regular, pod_has_initialized=started)
        now = rfc3339(self.clock.now())

        def put(cur: dict) -> dict | None:
            old = cur.get("status") or {}
            st = {k: v for k, v in old.items()}
            st["phase"] = phase
            st["hostIP"] = st.get("hostIP") or HOST_IP
            st.setdefault("startTime", now)
            st["containerStatuses"] = regular
            if init:
                st["initContainerStatuses"] = init
            conds = [dict(c) for c in st.get("conditions") or []]
            st["conditions"] = conds
            for cond in (pod_initialized_condition(cur, init, phase), containers_ready_condition(cur, regular, phase),
                         pod_ready_condition(cur, conds, regular, phase)):
                set_condition(st, cond.type, cond.status, now, cond.reason or "", cond.message or "")
            if st == old:
                return None
            cur["status"] = st
            return cur
        if put(dict(pod)) is None:
            return phase                     # the cached pod already shows this status: no read, no write
        try:
            self.store.guaranteed_update("Pod", pod["metadata"].get("namespace"), pod["metadata"]["name"], put,
                                         status=True)
        except NotFoundError:
            pass
        return phase

    # -- teardown -----------------------------------------------------------------------------------
    def _begin_teardown(self, w: _PodWorker, pod: dict | None, grace: int | None = None) -> None:
        """SIGTERM every running container; :meth:`_progress_teardown` sends
        SIGKILL at the deadline and removes the sandbox once all are gone."""
        if w.kill_deadline is not None:
            return
        if grace is None:
            m, spec = (pod or {}).get("metadata") or {}, (pod or {}).get("spec") or {}
            grace = m.get("deletionGracePeriodSeconds")
            if grace is None:
                grace = spec.get("terminationGracePeriodSeconds", DEFAULT_GRACE)
        w.kill_deadline = self.clock.monotonic() + max(int(grace), 0)
        for st in w.containers.values():
            if st.running is not None:
                try:
                    st.running.signal(signal.SIGTERM if grace > 0 else signal.SIGKILL)
                except (KubekitError, OSError):
                    pass

    def _progress_teardown(self, w: _PodWorker) -> bool:
        """True once the pod is gone (containers reaped, sandbox removed)."""
        late = self.clock.monotonic() >= (w.kill_deadline or 0)
        alive = False
        for st in w.containers.values():
            c = st.running
            if c is None:
                continue
            if c.wait(timeout=0) is None:
                if not late:
                    alive = True
                    continue
                c.kill()
                c.wait()
            c.delete()
            st.running = None
        if alive:
            return False
        if w.sandbox is not None:
            w.sandbox.delete()
            w.sandbox = None
        self._remove_volumes(w.uid)
        return True

    def _remove_volumes(self, uid: str) -> None:
        import shutil

        for d in (os.path.join(self.runtime.data_dir, "pods", _safe_uid(uid)),
                  os.path.join("/dev/shm", "kubekit-" + _safe_uid(uid))):
            if os.path.isdir(d):
                unmount_under(d)                         # secret and projected volumes' tmpfs first
            shutil.rmtree(d, ignore_errors=True)

    # -- exec ---------------------------------------------------------------------------------------
    def _running_container(self, namespace: str, name: str, container: str):
        """The runtime container running the pod's ``container`` (an init
        container by its name too); :class:`ContainerNotRunning` if none."""
        key = f"{namespace}/{name}"
        w = next((w for w in list(self.workers.values()) if w.key == key and w.kill_deadline is None), None)
        st = (w.containers.get(container) or w.containers.get("init:" + container)) if w is not None else None
        running = st.running if st is not None else None
        if running is None:
            raise ContainerNotRunning(f'container "{container}" in pod "{name}" is not running')
        return running

    def exec(self, namespace: str, name: str, container: str, argv, *, input: bytes = b"",
             timeout: float | None = None):
        """Run ``argv`` in the pod's running ``container`` (``kubectl exec``)
        through the runtime's exec: the container's namespaces, cgroup, root,
        user, env and workdir (:func:`kubekit.runtime.execin.run_in`).  Safe to
        call from another thread than the agent's loop.  Raises
        :class:`ContainerNotRunning` when there is no such running container."""
        from kubekit.runtime.execin import run_in

        running = self._running_container(namespace, name, container)
        return run_in(running, list(argv), input=input, timeout=timeout)

    def exec_stream(self, namespace: str, name: str, container: str, argv, *, stdin: bool = False,
                    stdout: bool = True, stderr: bool = True, tty: bool = False,
                    tty_size: tuple[int, int] | None = None):
        """Start ``argv`` in the pod's running ``container`` for a streaming
        exec (``kubectl exec -it``) and return the
        :class:`~kubekit.runtime.execin.ExecProcess` with the parent's ends
        of its stdio (pipes, or with ``tty`` a terminal's master:
        :func:`kubekit.runtime.execin.start_in`); the caller pumps, waits and
        closes them.  Raises :class:`ContainerNotRunning` as :meth:`exec`."""
        from kubekit.runtime.execin import start_in

        running = self._running_container(namespace, name, container)
        return start_in(running, list(argv), stdin=stdin, stdout=stdout, stderr=stderr, tty=tty, tty_size=tty_size)

    # -- metrics ------------------------------------------------------------------------------------
    def usage(self) -> dict[str, dict]:
        """``pod key -> {"cpu_ns": ..., "memory_bytes": ..., "containers": {...}}``
        summed over the pod's running containers, read from their cgroups;
        ``containers`` maps each running container's name to its own
        ``{"id": <runtime container id>, "cpu_ns": ..., "memory_bytes": ...}``
        (the id changes on every restart, so a rate is never taken across one)."""
        out = {}
        for w in self.workers.values():
            cpu = mem = 0
            per: dict[str, dict] = {}
            for st in w.containers.values():
                if st.running is not None:
                    s = st.running.stats()
                    c_cpu = getattr(s, "cpu_usage_ns", 0) or 0
                    c_mem = getattr(s, "memory_working_set", 0) or 0
                    per[st.name] = {"id": getattr(st.running, "id", ""), "cpu_ns": c_cpu, "memory_bytes": c_mem}
                    cpu += c_cpu
                    mem += c_mem
            out[w.key] = {"cpu_ns": cpu, "memory_bytes": mem, "containers": per}
        return out


def _safe_uid(uid: str) -> str:
    return "".join(ch for ch in uid if ch.isalnum() or ch in "-_") or "pod"


def _safe_name(name: str) -> str:
    return "".join(ch for ch in name if ch.isalnum() or ch in "-_")[:40] or "c"
