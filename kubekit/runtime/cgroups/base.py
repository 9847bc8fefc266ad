"""What every cgroup driver does the same way, whatever the mode.

A driver knows the mounted hierarchies (:class:`~.detect.Hierarchy`); a
:class:`Cgroup` is one path (``/kubekit/podUID/CID``) in each of them.
Creating, attaching, listing processes, reading stats and removing work the
same on v1, v2 and hybrid; what differs (the writes that apply limits, what
to prepare after ``mkdir``, how to freeze and kill) is in :mod:`.v1`,
:mod:`.v2` and :mod:`.hybrid`.
"""

from __future__ import annotations

import errno
import logging
import os
import signal
import time
from collections.abc import Sequence

from kubekit.errors import CgroupError
from kubekit.runtime.cgroups import files
from kubekit.runtime.cgroups.convert import Write
from kubekit.runtime.cgroups.detect import Hierarchy
from kubekit.runtime.cgroups.stats import CgroupStats, StatPlan, open_stat_files, stats_from_values
from kubekit.runtime.spec import Resources

log = logging.getLogger(__name__)

# A kill by signals (pure v1, or a v2 kernel without cgroup.kill) repeats
# freeze / SIGKILL each / thaw until the cgroup is empty, at most this often,
# waiting up to KILL_WAIT_S for the processes to exit each round.
KILL_ROUNDS = 50
KILL_WAIT_S = 0.2
KILL_POLL_S = 0.002


def normalize_path(path: str, *, allow_root: bool = False) -> str:
    """``/a//b/`` → ``/a/b``.  The path is absolute in every hierarchy (not
    relative to the caller's own cgroup); ``.`` and ``..`` are refused."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise CgroupError(f"invalid cgroup path {path!r}: expected an absolute path such as /kubekit/pod1/c1")
    parts = [p for p in path.split("/") if p]
    if any(p in (".", "..") for p in parts) or "\0" in path:
        raise CgroupError(f"invalid cgroup path {path!r}: '.', '..' and NUL are not allowed")
    if not parts and not allow_root:
        raise CgroupError(f"invalid cgroup path {path!r}: the root cgroup cannot be a container's")
    return "/" + "/".join(parts)


class Cgroup:
    """One cgroup path in every hierarchy of its driver."""

    def __init__(self, driver: CgroupDriver, path: str) -> None:
        self.driver = driver
        self.path = path
        self.dirs: tuple[tuple[Hierarchy, str], ...] = tuple(
            (h, h.mount.rstrip("/") + path) for h in driver.hierarchies)
        self._stat_files = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path} ({self.driver.mode})>"

    # ---- where things are ------------------------------------------------------
    @property
    def v2_dir(self) -> str | None:
        """The cgroup's directory in the v2 tree (the unified one on hybrid)."""
        for h, d in self.dirs:
            if h.version == 2:
                return d
        return None

    def dir_for(self, controller: str) -> str | None:
        """The directory holding ``controller``'s files (None: not mounted)."""
        for h, d in self.dirs:
            if h.version == 1 and controller in h.controllers:
                return d
        return None

    def _dir_for_read(self, controller: str) -> str:
        d = self.v2_dir if controller == "" else self.dir_for(controller)
        if d is None:
            what = "no cgroup v2 tree" if controller == "" else f"controller {controller!r} is not mounted"
            raise CgroupError(errno.ENOENT, f"cgroup {self.path}: {what} on this {self.driver.mode} host")
        return d

    def exists(self) -> bool:
        """True if the directory exists in any hierarchy."""
        return any(os.path.isdir(d) for _, d in self.dirs)

    def v2_fd(self) -> int | None:
        """A new ``O_DIRECTORY|O_CLOEXEC`` fd of the v2 directory (the caller
        closes it) for ``clone3(CLONE_INTO_CGROUP)``; None on pure v1."""
        d = self.v2_dir
        if d is None:
            return None
        try:
            return os.open(d, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as e:
            raise CgroupError(e.errno, f"open {d}: {files.why(e)}", d) from None

    # ---- processes -------------------------------------------------------------
    def attach(self, pid: int, *, include_v2: bool = True) -> None:
        """Write ``pid`` to ``cgroup.procs`` in every hierarchy, back to back
        (the first migration may wait one RCU grace period; the rest are cheap).
        ``include_v2=False`` skips the v2 tree (CLONE_INTO_CGROUP put it there)."""
        value = str(pid)
        for h, d in self.dirs:
            if h.version == 2 and not include_v2:
                continue
            files.write_file(d, "cgroup.procs", value)

    def pids(self) -> list[int]:
        """Every process in the cgroup and its sub-cgroups, in any hierarchy."""
        out: set[int] = set()
        for _, d in self.dirs:
            out |= files.procs_recursive(d)
        return sorted(out)

    def _kill_by_signals(self, freeze, thaw) -> None:
        """Freeze, SIGKILL each process, thaw; repeat until empty (bounded)."""
        for _ in range(KILL_ROUNDS):
            pids = self.pids()
            if not pids:
                return
            frozen = freeze()
            try:
                for pid in self.pids() if frozen else pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            finally:
                if frozen:
                    thaw()
            deadline = time.monotonic() + KILL_WAIT_S
            while self.pids() and time.monotonic() < deadline:
                time.sleep(KILL_POLL_S)
        left = self.pids()
        if left:
            raise CgroupError(errno.EBUSY, f"kill cgroup {self.path}: processes {left[:10]} survive "
                              f"{KILL_ROUNDS} rounds of SIGKILL")

    # ---- limits ----------------------------------------------------------------
    def _write_dir(self, w: Write) -> str:
        raise NotImplementedError

    def _explain(self, w: Write, directory: str, err: CgroupError) -> CgroupError:
        """A clearer error for a refused write (the drivers override)."""
        return err

    def _write(self, directory: str, w: Write) -> None:
        try:
            files.write_file(directory, w.name, w.value, create=self.driver.plain)
        except CgroupError as e:
            if w.optional and e.errno == errno.ENOENT:
                return
            raise self._explain(w, directory, e) from None

    def _apply(self, writes: Sequence[Write]) -> None:
        """Execute writes in order.  A ``retry_after_next`` write refused with
        EINVAL is retried once, right after the next write."""
        deferred: tuple[str, Write] | None = None
        for w in writes:
            d = self._write_dir(w)
            try:
                self._write(d, w)
            except CgroupError as e:
                if w.retry_after_next and e.errno == errno.EINVAL and deferred is None:
                    deferred = (d, w)
                    continue
                raise
            if deferred is not None:
                self._write(*deferred)
                deferred = None
        if deferred is not None:
            self._write(*deferred)

    def _apply_limits(self, writes: Sequence[Write]) -> None:
        """Apply converted limits (v1 adds a cpu.shares read-back)."""
        self._apply(writes)

    def update(self, resources: Resources) -> None:
        raise NotImplementedError

    def read_resources(self) -> Resources:
        raise NotImplementedError

    def read_file(self, controller: str, name: str) -> str:
        """The raw content of one control file (``controller=""``: the v2 /
        unified tree), trailing newline stripped."""
        return files.read_file(self._dir_for_read(controller), name)

    # ---- stats -----------------------------------------------------------------
    def _stat_plan(self) -> StatPlan:
        raise NotImplementedError

    def stats(self) -> CgroupStats:
        """Usage now.  The first call opens the stat files; later calls only
        pread them (the Cython kernel).  :meth:`destroy` / :meth:`close` close them."""
        sf = self._stat_files
        if sf is None:
            sf = self._stat_files = open_stat_files(self._stat_plan())
        return stats_from_values(sf.read())

    def oom_kills(self) -> int:
        """Processes of this cgroup the OOM killer killed (v2 memory.events
        oom_kill; v1 memory.oom_control oom_kill).  0 when the memory
        controller is not there (no memory limit can apply then)."""
        return self.stats().oom_kills or 0

    def close(self) -> None:
        """Close the stat files (they reopen on the next :meth:`stats`)."""
        if self._stat_files is not None:
            self._stat_files.close()
            self._stat_files = None

    # ---- freezing and killing ---------------------------------------------------
    def freeze(self) -> None:
        raise NotImplementedError

    def thaw(self) -> None:
        raise NotImplementedError

    def is_frozen(self) -> bool:
        raise NotImplementedError

    def kill(self) -> None:
        raise NotImplementedError

    def populated(self) -> bool:
        """True if any process is in the cgroup or below it (v2 and hybrid
        read one line of ``cgroup.events``; v1 lists ``cgroup.procs``)."""
        return bool(self.pids())

    def destroy(self) -> None:
        """Kill every process, then remove the cgroup and every sub-cgroup
        bottom-up in every hierarchy (EBUSY retried, bounded).  Idempotent.

        The common case — the container's processes are gone, no sub-cgroups —
        costs one populated check and one rmdir(2) per hierarchy; anything the
        kernel calls busy sends it down the full path (kill, walk the tree)."""
        self.close()
        errors: list[CgroupError] = []
        killed = False
        if self.populated():
            killed = self._kill_collecting(errors)
        for _, d in self.dirs:
            try:
                if not killed and not self.driver.plain:
                    try:
                        os.rmdir(d)
                        continue
                    except FileNotFoundError:
                        continue
                    except OSError as e:
                        if e.errno not in (errno.EBUSY, errno.ENOTEMPTY):
                            raise CgroupError(e.errno, f"rmdir {d}: {files.why(e)}", d) from None
                    killed = self._kill_collecting(errors)
                files.rmdir_tree(d, plain=self.driver.plain)
            except CgroupError as e:
                errors.append(e)
        if errors:
            raise errors[0]

    def _kill_collecting(self, errors: list[CgroupError]) -> bool:
        try:
            self.kill()
        except CgroupError as e:
            errors.append(e)
        return True


class CgroupDriver:
    """Creates and finds cgroups in the hierarchies of one mode."""

    mode = ""
    cgroup_class: type[Cgroup] = Cgroup

    def __init__(self, root: str, hierarchies: Sequence[Hierarchy], *, plain: bool = False) -> None:
        self.root = root
        self.hierarchies = tuple(hierarchies)
        # a fake tree of plain files (tests): writes create files, rmdir unlinks them
        self.plain = plain

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.mode} at {self.root}: {[h.label for h in self.hierarchies]}>"

    # ---- mode hooks ------------------------------------------------------------
    def _plan(self, resources: Resources) -> list[Write]:
        """Validate and convert (before anything is created)."""
        raise NotImplementedError

    def _prepare(self, cg: Cgroup, writes: Sequence[Write], created: Sequence[str]) -> None:
        """Make new directories usable (v1 cpuset seeding, v2 subtree_control);
        ``created``: the directories this create made."""

    # ---- operations ------------------------------------------------------------
    def create(self, path: str, resources: Resources | None = None) -> Cgroup:
        """Create ``path`` in every hierarchy (missing parents too) and write
        every limit.  An existing cgroup is reused only if empty and not frozen.
        On failure, what was created is removed and CgroupError raised."""
        path = normalize_path(path)
        writes = self._plan(resources if resources is not None else Resources())
        cg = self.cgroup_class(self, path)
        created: list[str] = []
        try:
            existed = False
            for h, _ in cg.dirs:
                new = self._mkdirs(h.mount.rstrip("/"), path)
                existed = existed or not new
                created += new
            if existed:
                self._check_reusable(cg)
            self._prepare(cg, writes, created)
            cg._apply_limits(writes)
        except BaseException:
            for d in reversed(created):
                try:
                    files.rmdir(d, plain=self.plain)
                except CgroupError as e:
                    log.warning("could not remove %s after a failed create: %s", d, e)
            raise
        return cg

    def _check_reusable(self, cg: Cgroup) -> None:
        if not cg.exists():
            return
        left = cg.pids()
        if left:
            raise CgroupError(errno.EBUSY, f"cgroup {cg.path} is not empty: processes {left[:10]} are in it")
        if cg.is_frozen():
            raise CgroupError(errno.EBUSY, f"cgroup {cg.path} is unexpectedly frozen")

    def _mkdirs(self, mount: str, path: str) -> list[str]:
        """mkdir ``mount + path`` and any missing parent, leaf first (one
        system call when the parent exists); returns what was created."""
        d = mount + path
        try:
            os.mkdir(d, 0o755)
            return [d]
        except FileExistsError:
            return []
        except FileNotFoundError:
            parent = path.rsplit("/", 1)[0]
            if not parent:
                raise CgroupError(errno.ENOENT, f"mkdir {d}: the hierarchy {mount} is missing", d) from None
            created = self._mkdirs(mount, parent)
        except OSError as e:
            raise CgroupError(e.errno, f"mkdir {d}: {files.why(e)}", d) from None
        try:
            os.mkdir(d, 0o755)
        except FileExistsError:
            return created
        except OSError as e:
            raise CgroupError(e.errno, f"mkdir {d}: {files.why(e)}", d) from None
        return [*created, d]

    def open(self, path: str) -> Cgroup:
        """An existing cgroup (for gc and recovery); CgroupError(ENOENT) if it
        exists in no hierarchy."""
        cg = self.cgroup_class(self, normalize_path(path))
        if not cg.exists():
            raise CgroupError(errno.ENOENT, f"cgroup {cg.path} does not exist under {self.root}", cg.path)
        return cg

    def list_children(self, path: str) -> list[str]:
        """Immediate child cgroup paths of ``path``, across hierarchies."""
        path = normalize_path(path, allow_root=True)
        names: set[str] = set()
        for h in self.hierarchies:
            names.update(files.subdirs(h.mount.rstrip("/") + (path if path != "/" else "")))
        base = path.rstrip("/")
        return [f"{base}/{n}" for n in sorted(names)]

    def remove_if_empty(self, path: str) -> bool:
        """Remove ``path`` (a pod cgroup) in every hierarchy if it has no child
        cgroup and no process in any.  True if it is gone.  The kernel refuses
        rmdir(2) of a cgroup with children or processes (EBUSY), so the first
        hierarchy answers the question for all of them in one system call."""
        path = normalize_path(path)
        dirs = [h.mount.rstrip("/") + path for h in self.hierarchies]
        if self.plain:
            for d in dirs:
                if os.path.isdir(d) and (files.subdirs(d) or files.procs(d)):
                    return False
        for i, d in enumerate(dirs):
            try:
                os.rmdir(d) if not self.plain else files.rmdir(d, plain=True)
            except FileNotFoundError:
                pass
            except OSError as e:
                if e.errno in (errno.EBUSY, errno.ENOTEMPTY) and i == 0:
                    return False
                raise CgroupError(e.errno, f"rmdir {d}: {files.why(e)}", d) from None
        return True
