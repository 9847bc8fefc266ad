"""cgroup v1: one directory per mounted hierarchy (``cpu``, ``memory``,
``cpuset`` ... possibly co-mounted), limits written controller by controller.

* A new cpuset cgroup starts with empty ``cpuset.cpus``/``cpuset.mems`` and
  refuses tasks (ENOSPC), so every level down the path is seeded from its
  parent, as runc's ``cpusetCopyIfNeeded`` and crun's
  ``initialize_cpuset_subsystem`` do.
* The kernel refuses a memory limit it cannot reclaim down to with EBUSY;
  that becomes a CgroupError that says so, and the old limit stays.
* cpu.shares is clamped silently by the kernel; it is read back and a clamp
  reported, as runc does.
* freeze/thaw use the freezer hierarchy; kill is freeze, SIGKILL each, thaw,
  repeated until empty.
"""

from __future__ import annotations

import errno
import logging
import time
from collections.abc import Sequence

from kubekit.errors import CgroupError
from kubekit.runtime.cgroups import files
from kubekit.runtime.cgroups.base import Cgroup, CgroupDriver
from kubekit.runtime.cgroups.convert import (
    Write,
    check_shares_readback,
    parse_v1_limit,
    parse_v2_limit,
    v1_writes,
)
from kubekit.runtime.cgroups.stats import StatPlan, v1_stat_plan
from kubekit.runtime.spec import Resources

log = logging.getLogger(__name__)

FREEZE_ATTEMPTS = 1000
FREEZE_POLL_S = 0.001


class V1Cgroup(Cgroup):
    driver: V1Driver

    def _write_dir(self, w: Write) -> str:
        d = self.dir_for(w.controller)
        if d is None:
            raise CgroupError(f"cgroup v1 controller {w.controller!r} is not mounted under {self.driver.root}; "
                              f"needed for {w.name}={w.value}")
        return d

    def _explain(self, w: Write, directory: str, err: CgroupError) -> CgroupError:
        if w.name == "memory.limit_in_bytes" and err.errno == errno.EBUSY:
            usage = files.read_optional(directory, "memory.usage_in_bytes")
            peak = files.read_optional(directory, "memory.max_usage_in_bytes")
            return CgroupError(errno.EBUSY, f"write {w.name}={w.value} in {directory}: refused, the current usage "
                               f"{usage} cannot be reclaimed below it (peak {peak}); the old limit stays",
                               err.filename)
        return err

    def _apply_limits(self, writes: Sequence[Write]) -> None:
        self._apply(writes)
        for w in writes:
            if w.name == "cpu.shares":
                check_shares_readback(int(w.value), int(files.read_file(self._write_dir(w), "cpu.shares")))

    def update(self, resources: Resources) -> None:
        """Change limits in place (None fields are left as they are)."""
        current = None
        d = self.dir_for("memory")
        if resources.memory_limit and resources.memory_swap and d is not None:
            current = parse_v1_limit(files.read_file(d, "memory.limit_in_bytes"))
        writes = v1_writes(resources, current_memory_limit=current)
        self.driver._check_mounted(writes)
        self._apply_limits(writes)

    def read_resources(self) -> Resources:
        """What the kernel holds, as Resources (unlimited = -1; None: that
        controller or file is not there)."""
        mem, cpu, cpuset, pids = (self.dir_for(c) for c in ("memory", "cpu", "cpuset", "pids"))

        def read(d: str | None, name: str, parse):
            if d is None:
                return None
            text = files.read_optional(d, name)
            return None if text is None else parse(text)

        return Resources(
            memory_limit=read(mem, "memory.limit_in_bytes", parse_v1_limit),
            memory_reservation=read(mem, "memory.soft_limit_in_bytes", parse_v1_limit),
            memory_swap=read(mem, "memory.memsw.limit_in_bytes", parse_v1_limit),
            cpu_shares=read(cpu, "cpu.shares", int),
            cpu_quota=read(cpu, "cpu.cfs_quota_us", int),
            cpu_period=read(cpu, "cpu.cfs_period_us", int),
            cpuset_cpus=read(cpuset, "cpuset.cpus", str.strip),
            cpuset_mems=read(cpuset, "cpuset.mems", str.strip),
            pids_limit=read(pids, "pids.max", parse_v2_limit),
        )

    def _stat_plan(self) -> StatPlan:
        return v1_stat_plan(self.dir_for("cpuacct"), self.dir_for("memory"), self.dir_for("pids"), self.v2_dir)

    # ---- freezer ---------------------------------------------------------------
    def _freezer(self) -> str:
        d = self.dir_for("freezer")
        if d is None:
            raise CgroupError(f"cgroup {self.path}: the freezer controller is not mounted under {self.driver.root}")
        return d

    def _set_freezer(self, state: str) -> None:
        d = self._freezer()
        for _ in range(FREEZE_ATTEMPTS):
            files.write_file(d, "freezer.state", state)
            if files.read_file(d, "freezer.state").strip() == state:
                return
            time.sleep(FREEZE_POLL_S)
        if state == "FROZEN":
            files.write_file(d, "freezer.state", "THAWED")
        raise CgroupError(errno.EBUSY, f"write freezer.state={state} in {d}: still "
                          f"{files.read_file(d, 'freezer.state')} after {FREEZE_ATTEMPTS} attempts")

    def freeze(self) -> None:
        self._set_freezer("FROZEN")

    def thaw(self) -> None:
        self._set_freezer("THAWED")

    def is_frozen(self) -> bool:
        d = self.dir_for("freezer")
        state = files.read_optional(d, "freezer.state") if d is not None else None
        return state is not None and state.strip() != "THAWED"

    def _freeze_if_possible(self) -> bool:
        """Freeze through the v1 freezer when it is there (False if not)."""
        d = self.dir_for("freezer")
        if d is None or files.read_optional(d, "freezer.state") is None:
            return False
        try:
            self._set_freezer("FROZEN")
        except CgroupError as e:          # stuck FREEZING: kill without it
            log.warning("kill %s without freezing: %s", self.path, e)
            return False
        return True

    def _v1_thaw(self) -> None:
        self._set_freezer("THAWED")

    def kill(self) -> None:
        """SIGKILL every process, sub-cgroups included: freeze (so nothing
        forks or exits under us), signal each, thaw; repeat until empty."""
        self._kill_by_signals(self._freeze_if_possible, self._v1_thaw)


class V1Driver(CgroupDriver):
    mode = "v1"
    cgroup_class = V1Cgroup

    def _hierarchy_dir(self, controller: str) -> str | None:
        for h in self.hierarchies:
            if h.version == 1 and controller in h.controllers:
                return h.mount.rstrip("/")
        return None

    def _check_mounted(self, writes: Sequence[Write]) -> None:
        for w in writes:
            if self._hierarchy_dir(w.controller) is None:
                raise CgroupError(f"cgroup v1 controller {w.controller!r} is not mounted under {self.root}; "
                                  f"needed for {w.name}={w.value}")

    def _plan(self, resources: Resources) -> list[Write]:
        writes = v1_writes(resources)
        self._check_mounted(writes)
        return writes

    def _prepare(self, cg: Cgroup, writes: Sequence[Write], created: Sequence[str]) -> None:
        top = self._hierarchy_dir("cpuset")
        if top is not None:
            seed_cpuset(top, cg.path, created, create=self.plain)
        devices = cg.dir_for("devices")
        if devices is not None:
            for name in ("devices.deny", "devices.allow"):
                rules = [rule for n, rule in DEFAULT_DEVICE_RULES if n == name]
                files.write_lines(devices, name, rules, create=self.plain)


# runc's default device cgroup (libcontainer/specconv AllowedDevices): deny
# everything, then allow creating any node (CAP_MKNOD is a default
# capability) but opening only the OCI default devices, ptys and tun.
DEFAULT_DEVICE_RULES: tuple[tuple[str, str], ...] = (
    ("devices.deny", "a"),
    ("devices.allow", "c *:* m"), ("devices.allow", "b *:* m"),
    ("devices.allow", "c 1:3 rwm"), ("devices.allow", "c 1:5 rwm"), ("devices.allow", "c 1:7 rwm"),
    ("devices.allow", "c 1:8 rwm"), ("devices.allow", "c 1:9 rwm"), ("devices.allow", "c 5:0 rwm"),
    ("devices.allow", "c 5:2 rwm"), ("devices.allow", "c 136:* rwm"), ("devices.allow", "c 10:200 rwm"),
)


def seed_cpuset(top: str, path: str, created: Sequence[str] = (), *, create: bool = False) -> None:
    """Copy ``cpuset.cpus``/``cpuset.mems`` from each parent to each level of
    ``path`` whose own are empty, from the top down (as runc's
    cpusetCopyIfNeeded), and turn ``cgroup.clone_children`` on in the levels
    this create made, so the kernel seeds their future children itself."""
    parent = top
    for part in path.strip("/").split("/"):
        d = f"{parent}/{part}"
        for name in ("cpuset.cpus", "cpuset.mems"):
            own = files.read_optional(d, name)
            if own is None or own.strip() == "":
                value = (files.read_optional(parent, name) or "").strip()
                if value:
                    files.write_file(d, name, value, create=create)
        if d in created and (files.read_optional(d, "cgroup.clone_children") or "").strip() != "1":
            files.write_file(d, "cgroup.clone_children", "1", create=create)
        parent = d
