"""cgroup v2: one tree, one directory per cgroup, controllers enabled per level.

* Controllers reach a cgroup only if every ancestor lists them in
  ``cgroup.subtree_control``.  Creating enables, in each ancestor, the ones
  kubekit needs (those the limits write, plus cpu, memory and pids for stats
  and later updates) that the tree offers; nothing else.  A requested limit
  whose controller the tree does not offer is an error naming it.
* Lowering ``memory.max`` below ``memory.current`` is refused before writing
  (runc's CheckBeforeUpdate): the kernel would OOM-kill instead of refusing.
* ``cgroup.freeze`` / ``cgroup.kill`` (kernel >= 5.2 / 5.14) freeze and kill
  the whole subtree; completion is seen in ``cgroup.events``.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Sequence

from kubekit.errors import CgroupError
from kubekit.runtime.cgroups import files
from kubekit.runtime.cgroups.base import Cgroup, CgroupDriver
from kubekit.runtime.cgroups.convert import (
    Write,
    check_memory_update,
    controllers_of,
    parse_cpu_max,
    parse_v2_limit,
    v2_writes,
)
from kubekit.runtime.cgroups.stats import StatPlan, v2_stat_plan
from kubekit.runtime.spec import Resources

log = logging.getLogger(__name__)

# Enabled whenever the tree offers them: stats read memory.* and pids.*, and an
# update may add a cpu, memory or pids limit later.
BASE_CONTROLLERS = ("cpu", "memory", "pids")
FREEZE_TIMEOUT_S = 5.0
KILL_TIMEOUT_S = 5.0


def set_frozen(directory: str, frozen: bool) -> None:
    """Write cgroup.freeze and wait for cgroup.events to confirm."""
    files.write_file(directory, "cgroup.freeze", "1" if frozen else "0")
    if not files.wait_events(directory, "frozen", "1" if frozen else "0", FREEZE_TIMEOUT_S):
        raise CgroupError(errno.ETIMEDOUT, f"{'freeze' if frozen else 'thaw'} {directory}: cgroup.events did not "
                          f"show 'frozen {int(frozen)}' within {FREEZE_TIMEOUT_S:g} s", directory)


def is_frozen(directory: str) -> bool:
    return (files.read_optional(directory, "cgroup.freeze") or "0").strip() == "1"


def populated(directory: str) -> bool:
    """``cgroup.events``' populated line: any process in the subtree?"""
    text = files.read_optional(directory, "cgroup.events")
    return text is not None and "populated 1" in text.splitlines()


def kill_tree(directory: str) -> bool:
    """SIGKILL everything in ``directory`` and below with ``cgroup.kill`` and
    wait until it is unpopulated.  False if this kernel has no cgroup.kill."""
    try:
        files.write_file(directory, "cgroup.kill", "1")
    except CgroupError as e:
        if e.errno == errno.ENOENT:
            return not os.path.isdir(directory)     # gone: nothing to kill
        raise
    if not files.wait_events(directory, "populated", "0", KILL_TIMEOUT_S):
        raise CgroupError(errno.EBUSY, f"kill {directory}: still populated {KILL_TIMEOUT_S:g} s after cgroup.kill",
                          directory)
    return True


class V2Cgroup(Cgroup):
    driver: V2Driver

    def populated(self) -> bool:
        if self.driver.plain:
            return super().populated()
        assert self.v2_dir is not None
        return populated(self.v2_dir)

    def _write_dir(self, w: Write) -> str:
        assert self.v2_dir is not None
        return self.v2_dir

    def _explain(self, w: Write, directory: str, err: CgroupError) -> CgroupError:
        if err.errno in (errno.ENOENT, errno.EACCES, errno.EPERM):
            return CgroupError(err.errno, f"write {w.name}={w.value} in {directory}: {os.strerror(err.errno)} "
                               f"(no such control file: unknown key, or controller {w.controller!r} "
                               "not enabled here)", err.filename)
        return err

    def dir_for(self, controller: str) -> str | None:
        return self.v2_dir

    def _dir_for_read(self, controller: str) -> str:
        assert self.v2_dir is not None
        return self.v2_dir

    def update(self, resources: Resources) -> None:
        """Change limits in place (None fields keep what the kernel holds; a
        quota without a period keeps the current period and vice versa).
        A memory limit at or below memory.current is refused, nothing written."""
        d = self.v2_dir
        assert d is not None
        r = resources
        cpu_max = None
        if (r.cpu_quota is None) != (r.cpu_period is None):
            text = files.read_optional(d, "cpu.max")
            cpu_max = parse_cpu_max(text) if text is not None else None
        memory = None
        if r.memory_swap and not r.memory_limit:
            text = files.read_optional(d, "memory.max")
            memory = parse_v2_limit(text) if text is not None else None
        writes = v2_writes(r, current_cpu_max=cpu_max, current_memory_limit=memory)
        self.driver._check_available(writes)
        if r.memory_limit is not None and r.memory_limit > 0:
            usage = files.read_optional(d, "memory.current")
            check_memory_update(r.memory_limit, int(usage) if usage is not None else None)
        self.driver._enable(self, writes)
        self._apply(writes)

    def read_resources(self) -> Resources:
        """What the kernel holds.  cpu.weight cannot be turned back into
        shares exactly, so it is returned as ``unified["cpu.weight"]``; the
        result fed to :meth:`update` writes back the same values."""
        d = self.v2_dir
        assert d is not None

        def read(name: str, parse):
            text = files.read_optional(d, name)
            return None if text is None else parse(text)

        limit = read("memory.max", parse_v2_limit)
        swap_max = read("memory.swap.max", parse_v2_limit)
        swap = None
        if swap_max is not None and limit is not None:
            swap = -1 if swap_max == -1 or limit == -1 else limit + swap_max
        quota, period = read("cpu.max", parse_cpu_max) or (None, None)
        weight = read("cpu.weight", str.strip)
        return Resources(
            memory_limit=limit,
            memory_reservation=read("memory.low", parse_v2_limit),
            memory_swap=swap,
            cpu_quota=quota,
            cpu_period=period,
            cpuset_cpus=read("cpuset.cpus", str.strip) or None,
            cpuset_mems=read("cpuset.mems", str.strip) or None,
            pids_limit=read("pids.max", parse_v2_limit),
            unified={"cpu.weight": weight} if weight is not None else {},
        )

    def _stat_plan(self) -> StatPlan:
        assert self.v2_dir is not None
        return v2_stat_plan(self.v2_dir)

    def freeze(self) -> None:
        assert self.v2_dir is not None
        set_frozen(self.v2_dir, True)

    def thaw(self) -> None:
        assert self.v2_dir is not None
        set_frozen(self.v2_dir, False)

    def is_frozen(self) -> bool:
        return self.v2_dir is not None and is_frozen(self.v2_dir)

    def kill(self) -> None:
        """cgroup.kill (the whole subtree, atomically against forks); on a
        kernel without it, freeze / SIGKILL each / thaw until empty."""
        d = self.v2_dir
        assert d is not None
        if not kill_tree(d):
            self._kill_by_signals(self._freeze_for_kill, self.thaw)

    def _freeze_for_kill(self) -> bool:
        if self.v2_dir is None or files.read_optional(self.v2_dir, "cgroup.freeze") is None:
            return False
        try:
            self.freeze()
        except CgroupError as e:
            log.warning("kill %s without freezing: %s", self.path, e)
            return False
        return True


class V2Driver(CgroupDriver):
    mode = "v2"
    cgroup_class = V2Cgroup

    @property
    def available(self) -> frozenset[str]:
        """Controllers the tree's root offers (``cgroup.controllers``)."""
        return self.hierarchies[0].controllers

    def _check_available(self, writes: Sequence[Write]) -> None:
        for w in writes:
            if w.controller != "cgroup" and w.controller not in self.available:
                have = " ".join(sorted(self.available)) or "none"
                raise CgroupError(f"cgroup v2 controller {w.controller!r} is not available under "
                                  f"{self.hierarchies[0].mount} (cgroup.controllers: {have}); "
                                  f"needed for {w.name}={w.value}")

    def _plan(self, resources: Resources) -> list[Write]:
        writes = v2_writes(resources)
        self._check_available(writes)
        return writes

    def _prepare(self, cg: Cgroup, writes: Sequence[Write], created: Sequence[str]) -> None:
        self._enable(cg, writes)

    def wanted_controllers(self, writes: Sequence[Write]) -> list[str]:
        """What to enable down the path: the writes' controllers and
        BASE_CONTROLLERS, limited to what the tree offers."""
        wanted = list(BASE_CONTROLLERS) + [c for c in controllers_of(writes) if c not in BASE_CONTROLLERS]
        return [c for c in wanted if c in self.available]

    def _enable(self, cg: Cgroup, writes: Sequence[Write]) -> None:
        """Enable the wanted controllers in every ancestor's subtree_control
        (root → parent; the leaf keeps none, so its processes may live in it)."""
        wanted = self.wanted_controllers(writes)
        if not wanted:
            return
        d = self.hierarchies[0].mount.rstrip("/")
        for part in [""] + cg.path.strip("/").split("/")[:-1]:
            if part:
                d = f"{d}/{part}"
            enabled = {c.lstrip("+") for c in (files.read_optional(d, "cgroup.subtree_control") or "").split()}
            missing = [c for c in wanted if c not in enabled]
            if missing:
                files.write_file(d, "cgroup.subtree_control", " ".join("+" + c for c in missing),
                                 create=self.plain)
