"""The runtime: turns a ContainerSpec into an isolated, limited process.

Start path (and why it is fast):

* the cgroup is created and every limit written before the child exists;
* on cgroup v2 and hybrid hosts the child is born inside its cgroup with
  ``clone3(CLONE_INTO_CGROUP)``, which never takes the cgroup threadgroup
  lock, so no RCU grace period is paid;
* the v1 hierarchies still need a ``cgroup.procs`` write.  The parent makes
  those writes (back to back, so only the first can wait for a grace period)
  *while* the child builds its namespaces and mounts; the child waits for
  the start byte only right before ``execve``, so the payload never runs
  outside its cgroups;
* one clone gives PID 1 directly; no re-exec, no helper process.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from kubekit.errors import ContainerError, RuntimeSpecError
from kubekit.runtime import plan
from kubekit.runtime.container import Container, ExitStatus, remove_bundle, remove_tree
from kubekit.runtime.lowerview import check_overlay_path
from kubekit.runtime.mountinfo import read_host_submounts
from kubekit.runtime.spec import ContainerSpec, Resources, lower_dirs
from kubekit.runtime.state import DEFAULT_STATE_DIR, Record, StateDir, owner_alive, process_start_time

if TYPE_CHECKING:
    from kubekit.runtime.pod import PodSandbox

log = logging.getLogger(__name__)

# Overridable from the environment so tools and tests can run side by side.
DEFAULT_DATA_DIR = os.environ.get("KUBEKIT_DATA_DIR", "/var/lib/kubekit")
DEFAULT_CGROUP_ROOT = os.environ.get("KUBEKIT_CGROUP_ROOT", "/kubekit")


def _last_cap() -> int:
    with open("/proc/sys/kernel/cap_last_cap", encoding="ascii") as f:
        return int(f.read())



def _host_id(maps, container_id: int) -> int:
    for m in maps:
        if m.container_id <= container_id < m.container_id + m.size:
            return m.host_id + container_id - m.container_id
    raise RuntimeSpecError(f"id mappings: container id {container_id} is not mapped")


class Runtime:
    """Creates and tracks containers.  Creating a Runtime sweeps the leftovers
    of runtimes that died mid-start (see :mod:`kubekit.runtime.state`)."""

    def __init__(self, state_dir: str = DEFAULT_STATE_DIR, data_dir: str = DEFAULT_DATA_DIR,
                 cgroup_root: str = DEFAULT_CGROUP_ROOT, driver=None, sweep: bool = True) -> None:
        self.state = StateDir(state_dir)
        self.data_dir = data_dir
        self.containers_dir = os.path.join(data_dir, "containers")
        os.makedirs(self.containers_dir, mode=0o711, exist_ok=True)
        # Every container mounts its overlay here, each in its own mount
        # namespace, so no per-container mount point is made or removed.
        self.mount_point = os.path.join(data_dir, "rootfs")
        os.makedirs(self.mount_point, mode=0o755, exist_ok=True)
        self.cgroup_root = cgroup_root.rstrip("/")
        if driver is None:
            from kubekit.runtime.cgroups import open_driver

            driver = open_driver()
        self.driver = driver
        self.owner_pid = os.getpid()
        start = process_start_time(self.owner_pid)
        assert start is not None
        self.owner_start = start
        self.last_cap = _last_cap()
        self._host_submounts: tuple[str, ...] | None = None
        self.live: dict[str, Container] = {}
        if sweep:
            self.sweep()

    # -- creation ------------------------------------------------------------------
    def _submounts(self) -> tuple[str, ...]:
        if self._host_submounts is None:
            exclude = (os.path.dirname(self.state.dir), self.data_dir)
            self._host_submounts = read_host_submounts(exclude)
        return self._host_submounts

    def create(self, spec: ContainerSpec, name: str | None = None, pod: str | None = None) -> Container:
        """Set everything up; the payload waits before ``execve`` until
        :meth:`Container.start`.  ``pod`` names an existing pod cgroup to
        create the container under (``<cgroup_root>/pod<pod>/<id>``); without
        it the container gets a pod cgroup of its own."""
        plan.validate(spec)
        cid = name or os.urandom(6).hex()
        if not cid.replace("-", "").replace("_", "").isalnum():
            raise RuntimeSpecError(f"name: {cid!r} must be letters, digits, '-' and '_'")
        bundle = os.path.join(self.containers_dir, cid)
        for what, path in (("data dir", bundle), ("data dir", self.mount_point)):
            check_overlay_path(what, path)
        pod_dir = f"{self.cgroup_root}/pod{pod or cid}"
        record = Record(cid, self.owner_pid, self.owner_start, f"{pod_dir}/{cid}", bundle,
                        None if pod else pod_dir, layers=tuple(spec.rootfs_layers))
        try:
            os.mkdir(bundle, 0o711)
        except FileExistsError:
            raise RuntimeSpecError(f"name: a container named {cid!r} already exists") from None
        self.state.save(record)
        layout = plan.Layout(rootfs=self.mount_point, upper=f"{bundle}/upper", work=f"{bundle}/work",
                             lowers=lower_dirs(spec))
        opened: list[int] = []
        cgroup = None
        container = None
        try:
            for d in (layout.upper, layout.work):
                os.mkdir(d, 0o755)
                if "user" in spec.namespaces:  # the container's root must own its layers
                    os.chown(d, _host_id(spec.uid_mappings, 0), _host_id(spec.gid_mappings, 0))
            cgroup = self.driver.create(record.cgroup, spec.resources)
            cgroup_fd = cgroup.v2_fd()
            if cgroup_fd is not None:
                opened.append(cgroup_fd)
            ns_fds = {}
            for ns, path in spec.join_namespaces.items():
                ns_fds[ns] = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
                opened.append(ns_fds[ns])
            stdio = []
            for fd, mode in ((spec.stdin, os.O_RDONLY), (spec.stdout, os.O_WRONLY), (spec.stderr, os.O_WRONLY)):
                if fd is None:
                    stdio.append(os.open("/dev/null", mode | os.O_CLOEXEC))
                else:
                    stdio.append(os.dup(fd))  # a fresh fd >= 3 cannot collide with 0..2 below
                    os.set_inheritable(stdio[-1], False)
                opened.append(stdio[-1])
            born_in_cgroups = cgroup_fd is not None and self.driver.mode == "v2"
            setup = plan.Setup(layout, ns_fds, (stdio[0], stdio[1], stdio[2]), born_in_cgroups,
                               self.last_cap, self._submounts() if spec.host_rootfs else ())
            program = plan.build(spec, setup)
            container = Container(self, record, spec, program, cgroup)
            self._spawn(container, plan.clone_flags(spec, setup.born_in_cgroups), cgroup_fd,
                        spec if "user" in spec.namespaces else None)
        except BaseException:
            if container is not None and container.pid > 0:
                container.delete()
            else:
                if cgroup is not None:
                    cgroup.destroy()
                self._cleanup_files(record)
            raise
        finally:
            for fd in opened:
                os.close(fd)
        return container

    def _spawn(self, c: Container, flags: int, cgroup_fd: int | None, userns: ContainerSpec | None) -> None:
        """Clone ``c.program``; write id maps (``userns``); attach to the
        cgroups; return once the child waits before its payload."""
        from kubekit._fast import _spawn

        pid, pidfd, sync_w, report_r, into = _spawn.spawn(c.program, flags, -1 if cgroup_fd is None else cgroup_fd)
        c.pid, c.pidfd, c._sync_w, c._report_r = pid, pidfd, sync_w, report_r
        if userns is not None:
            c._expect_wait()
            self._write_id_maps(pid, userns)
            c._release()
        # The v1 hierarchies (and v2 on the clone fallback): the child is busy
        # with its mounts meanwhile and waits for us before execve.
        c.cgroup.attach(pid, include_v2=not into)
        c._expect_wait()
        c.status = "created"
        self.live[c.id] = c

    @staticmethod
    def _write_id_maps(pid: int, spec: ContainerSpec) -> None:
        for name, maps in (("uid_map", spec.uid_mappings), ("gid_map", spec.gid_mappings)):
            text = "".join(f"{m.container_id} {m.host_id} {m.size}\n" for m in maps)
            try:
                with open(f"/proc/{pid}/{name}", "w", encoding="ascii") as f:
                    f.write(text)
            except OSError as e:
                raise ContainerError(e.errno or 0, f"write /proc/{pid}/{name}: {e.strerror}") from None

    def _forget(self, c: Container, keep_upper: bool) -> None:
        self.live.pop(c.id, None)
        self._cleanup_files(c.record, keep_upper)

    def _cleanup_files(self, rec: Record, keep_upper: bool = False) -> None:
        if rec.pod_cgroup:
            self.driver.remove_if_empty(rec.pod_cgroup)
        if keep_upper:
            remove_tree(os.path.join(rec.bundle, "work"))

            from dataclasses import replace

            self.state.save(replace(rec, status="exited"))
            return
        remove_bundle(rec.bundle)
        self.state.remove(rec.id)

    def create_pod(self, uid: str, hostname: str | None = None, resources: Resources = Resources(),
                   namespaces: frozenset[str] = plan.SANDBOX_NAMESPACES) -> PodSandbox:
        """A pod: its cgroup (with pod-level limits) and a sandbox process that
        holds the network, IPC and UTS namespaces its containers join, as
        kubelet's pause container does.  See :mod:`kubekit.runtime.pod`."""
        from kubekit.runtime.pod import PodSandbox

        return PodSandbox.launch(self, uid, hostname, resources, namespaces)

    # -- conveniences ------------------------------------------------------------------
    @contextmanager
    def container(self, spec: ContainerSpec, name: str | None = None) -> Iterator[Container]:
        """Create and start; delete on exit, whatever happens."""
        c = self.create(spec, name)
        try:
            c.start()
            yield c
        finally:
            c.delete()

    def run(self, spec: ContainerSpec, name: str | None = None) -> ExitStatus:
        """Create, start, wait and delete; the container's exit status."""
        with self.container(spec, name) as c:
            status = c.wait()
            assert status is not None
            return status

    def layers_in_use(self) -> set[str]:
        """The image layer directories this runtime's containers stack."""
        return self.state.layers_in_use()

    # -- recovery ----------------------------------------------------------------
    def sweep(self, include_exited: bool = False) -> list[str]:
        """Remove containers whose owner died (and, with ``include_exited``,
        the kept upper layers of exited ones).  Returns the ids removed."""
        removed = []
        pods = set()
        for cid in self.state.ids():
            if cid in self.live:
                continue
            try:
                rec = self.state.load(cid)
            except (OSError, ValueError, TypeError):
                log.warning("unreadable container record %s; removing it", cid)
                self.state.remove(cid)
                continue
            if rec.status == "exited" and not include_exited:
                continue
            if rec.status != "exited" and owner_alive(rec):
                continue
            self._destroy_cgroup(rec.cgroup)
            self._cleanup_files(rec)
            pods.add(rec.cgroup.rsplit("/", 1)[0])
            removed.append(cid)
            log.info("swept container %s (owner %d gone)", cid, rec.owner_pid)
        for pod in sorted(pods):  # a pod's containers may be swept after its sandbox
            self.driver.remove_if_empty(pod)
        return removed

    def _destroy_cgroup(self, path: str) -> None:
        try:
            self.driver.open(path).destroy()
        except FileNotFoundError:
            pass
        except OSError as e:
            if e.errno != errno.ENOENT:
                raise
