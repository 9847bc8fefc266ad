"""A container the caller holds: its pidfd, its cgroup and its files.

There is no resident helper per container (no conmon, no shim): the caller
keeps the pidfd, waits on it (blocking or from asyncio) and reaps the child.
"""

from __future__ import annotations

import os
import select
import signal
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kubekit.errors import ContainerError
from kubekit.runtime.ops import read_report

if TYPE_CHECKING:
    from kubekit.runtime.cgroups import Cgroup, CgroupStats
    from kubekit.runtime.ops import Program
    from kubekit.runtime.runtime import Runtime
    from kubekit.runtime.spec import ContainerSpec, Resources
    from kubekit.runtime.state import Record

@dataclass(frozen=True, slots=True)
class ExitStatus:
    """How a container's init ended.  ``code`` follows the shell and Docker:
    the exit code, or 128 + the signal number."""

    code: int
    signal: int | None
    reason: str                  # Completed | Error | OOMKilled
    user_cpu_s: float = 0.0
    system_cpu_s: float = 0.0
    max_rss_kib: int = 0


def exit_reason(code: int, sig: int | None, oom_killed: bool) -> str:
    """Kubernetes' container termination reason (pure)."""
    if oom_killed and sig == signal.SIGKILL:
        return "OOMKilled"
    return "Completed" if code == 0 and sig is None else "Error"


class Container:
    """Created by :meth:`Runtime.create`; the child waits before ``execve``
    until :meth:`start`."""

    def __init__(self, runtime: Runtime, record: Record, spec: ContainerSpec | None, program: Program | None,
                 cgroup: Cgroup) -> None:
        self.runtime = runtime
        self.record = record
        self.id = record.id
        self.spec = spec
        self.program = program
        self.cgroup = cgroup
        self.pid = -1
        self.pidfd = -1
        self._sync_w = -1
        self._report_r = -1
        self.status: str = "creating"
        self.exit_status: ExitStatus | None = None
        # processes exec'd into this container and not reaped yet
        # (kubekit.runtime.execin; each leaves when reaped): delete reaps those
        # nobody waited for, or the kernel keeps the cgroup populated.  Strong
        # references: an ExecProcess its caller dropped is still a child to reap.
        self.execs: set = set()

    # -- start-up protocol -------------------------------------------------
    def _fail(self, index: int, err: int) -> ContainerError:
        ops = self.program.ops if self.program is not None else ()
        label = ops[index].label if 0 <= index < len(ops) else f"step {index}"
        return ContainerError(err, f"{label}: {os.strerror(err)}" if err else label)

    def _expect_wait(self) -> int:
        """Read until the child announces a WAIT; return its op index."""
        rec = read_report(self._report_r)
        if rec is None:
            raise ContainerError(0, f"container {self.id}: init exited during setup")
        index, err = rec
        if err:
            raise self._fail(index, err)
        return index

    def _release(self) -> None:
        os.write(self._sync_w, b"\x01")

    def start(self) -> None:
        """Let the payload ``execve``; raise if that fails (e.g. command not found)."""
        if self.status != "created":
            raise ContainerError(0, f"container {self.id}: cannot start in state {self.status}")
        self._release()
        rec = read_report(self._report_r)
        os.close(self._report_r)
        os.close(self._sync_w)
        self._report_r = self._sync_w = -1
        if rec is not None:
            self.status = "stopped"
            raise self._fail(*rec)
        self.status = "running"
        self.program = None  # the op labels were only needed to explain a failed start

    # -- signals and waiting -------------------------------------------------
    def signal(self, sig: int = signal.SIGTERM) -> None:
        if self.status in ("running", "created"):
            signal.pidfd_send_signal(self.pidfd, sig)

    def kill(self) -> None:
        """SIGKILL every process of the container, escaped ones included."""
        self.cgroup.kill()

    def _reap(self, options: int) -> ExitStatus | None:
        if self.exit_status is not None:
            return self.exit_status
        pid, status, ru = os.wait4(self.pid, options)
        if pid == 0:
            return None
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        code = 128 + sig if sig is not None else os.WEXITSTATUS(status)
        oom = sig == signal.SIGKILL and self.cgroup.oom_kills() > 0
        self.exit_status = ExitStatus(code, sig, exit_reason(code, sig, oom), ru.ru_utime, ru.ru_stime, ru.ru_maxrss)
        self.status = "stopped"
        os.close(self.pidfd)
        self.pidfd = -1
        return self.exit_status

    def wait(self, timeout: float | None = None) -> ExitStatus | None:
        """Block until the init exits (None if ``timeout`` seconds pass first)."""
        if self.exit_status is None and timeout is not None:
            ready, _, _ = select.select([self.pidfd], [], [], timeout)
            if not ready:
                return None
        return self._reap(0)

    async def wait_async(self) -> ExitStatus:
        """Wait from asyncio: the pidfd becomes readable when the init exits."""
        if self.exit_status is not None:
            return self.exit_status
        import asyncio  # not at the top: `kubekit run` never pays for it

        loop = asyncio.get_running_loop()
        done = loop.create_future()
        loop.add_reader(self.pidfd, lambda: done.done() or done.set_result(None))
        try:
            await done
        finally:
            loop.remove_reader(self.pidfd)
        status = self._reap(0)
        assert status is not None
        return status

    # -- resources -----------------------------------------------------------
    def update(self, resources: Resources) -> None:
        self.cgroup.update(resources)

    def stats(self) -> CgroupStats:
        return self.cgroup.stats()

    # -- teardown --------------------------------------------------------------
    def delete(self, keep_upper: bool = False) -> None:
        """Kill everything left, reap, and remove cgroups, overlay dirs and the
        record.  Idempotent."""
        if self.status == "deleted":
            return
        for proc in list(self.execs):     # an unreaped exec (a zombie) would keep the cgroup populated
            proc.kill_and_reap()
        try:
            self.cgroup.destroy()
        finally:
            if self.pidfd >= 0:
                try:
                    signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self._reap(0)
            for fd in (self._sync_w, self._report_r):
                if fd >= 0:
                    os.close(fd)
            self._sync_w = self._report_r = -1
            self.runtime._forget(self, keep_upper)
            self.status = "deleted"

    def __enter__(self) -> Container:
        return self

    def __exit__(self, *exc: object) -> None:
        self.delete()

    def __repr__(self) -> str:
        return f"<Container {self.id} pid={self.pid} {self.status}>"


def remove_tree(path: str) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


# What a bundle holds when its container wrote nothing (overlayfs makes work/work).
BUNDLE_DIRS = ("work/work", "work", "upper", "")


def remove_bundle(bundle: str) -> None:
    """Remove a container's directories: four rmdir(2) when the container
    left its upper layer empty, a full tree walk otherwise."""
    for d in BUNDLE_DIRS:
        try:
            os.rmdir(os.path.join(bundle, d) if d else bundle)
        except FileNotFoundError:
            continue
        except OSError:
            remove_tree(bundle)
            return
