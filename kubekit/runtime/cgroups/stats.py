"""A container's resource usage: which files hold it, and how they are read.

The hot path is the Cython kernel ``kubekit._fast._cgstats.StatFiles``: the
files stay open and each read is one ``pread`` per file, parsed in C.  This
module holds its plain-Python twin (:class:`PyStatFiles`, :func:`parse_value`,
:func:`parse_key` — the same grammar, see ``_cgstats.pxd``), the file plans for
v1 and v2, and the :class:`CgroupStats` record.

Working set is ``usage - inactive_file`` (0 if negative), as cAdvisor computes
it for the kubelet's eviction and ``kubectl top``: v2 ``memory.current`` and
``memory.stat inactive_file``; v1 ``memory.usage_in_bytes`` and ``memory.stat
total_inactive_file`` (hierarchical).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from dataclasses import dataclass

INT64_MAX = (1 << 63) - 1
BUF_SIZE = 65536          # CGSTATS_BUF_SIZE: only the first 64 KiB of a file count
MAX_FILES = 16
MAX_FIELDS = 32
MAX_KEY = 63

Field = tuple[int, bytes, int]          # (file index, key or b"" for a whole-file integer, scale)


@dataclass(frozen=True, slots=True)
class CgroupStats:
    """Usage of a cgroup and everything below it.  None: the kernel does not
    give it here (controller not mounted/enabled, file absent on this kernel)."""

    cpu_usage_ns: int | None
    memory_current: int | None
    memory_peak: int | None
    memory_working_set: int | None
    pids_current: int | None
    oom_kills: int | None


def stats_from_values(values: Sequence[int | None]) -> CgroupStats:
    """CgroupStats from a plan's six fields: cpu, current, peak,
    inactive_file, pids, oom_kills."""
    cpu, current, peak, inactive, pids, oom = values
    if current is None:
        working = None
    elif inactive is None:
        working = current
    else:
        working = current - inactive if current > inactive else 0
    return CgroupStats(cpu, current, peak, working, pids, oom)


# ---- file plans ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class StatPlan:
    """The files to keep open and the six fields read from them, in the order
    of :func:`stats_from_values`."""

    paths: tuple[str | None, ...]
    fields: tuple[Field, ...]


def v2_stat_plan(directory: str) -> StatPlan:
    """cgroup v2: cpu.stat usage_usec (µs → ns), memory.current, memory.peak,
    memory.stat inactive_file, pids.current, memory.events oom_kill."""
    d = directory
    return StatPlan(
        (f"{d}/cpu.stat", f"{d}/memory.current", f"{d}/memory.peak", f"{d}/memory.stat", f"{d}/pids.current",
         f"{d}/memory.events"),
        ((0, b"usage_usec", 1000), (1, b"", 1), (2, b"", 1), (3, b"inactive_file", 1), (4, b"", 1),
         (5, b"oom_kill", 1)),
    )


def v1_stat_plan(cpuacct: str | None, memory: str | None, pids: str | None,
                 unified: str | None = None) -> StatPlan:
    """cgroup v1 (each argument: that controller's directory, None if not
    mounted): cpuacct.usage (ns) — or, without cpuacct, the unified tree's
    cpu.stat —, memory.usage_in_bytes, memory.max_usage_in_bytes, memory.stat
    total_inactive_file, pids.current, memory.oom_control oom_kill."""
    if cpuacct is not None:
        cpu_path, cpu_field = f"{cpuacct}/cpuacct.usage", (0, b"", 1)
    elif unified is not None:
        cpu_path, cpu_field = f"{unified}/cpu.stat", (0, b"usage_usec", 1000)
    else:
        cpu_path, cpu_field = None, (0, b"", 1)
    m = memory
    return StatPlan(
        (cpu_path,
         f"{m}/memory.usage_in_bytes" if m else None,
         f"{m}/memory.max_usage_in_bytes" if m else None,
         f"{m}/memory.stat" if m else None,
         f"{pids}/pids.current" if pids else None,
         f"{m}/memory.oom_control" if m else None),
        (cpu_field, (1, b"", 1), (2, b"", 1), (3, b"total_inactive_file", 1), (4, b"", 1), (5, b"oom_kill", 1)),
    )


# ---- the plain-Python twin of the kernel -------------------------------------

_BLANK = (0x20, 0x09)
_END_OF_VALUE = (0x20, 0x09, 0x0A)


def parse_value(data: bytes, pos: int = 0) -> int | None:
    """Optional blanks, 1+ digits, then end of data, a blank or a newline."""
    n = len(data)
    i = pos
    while i < n and data[i] in _BLANK:
        i += 1
    start = i
    while i < n and 0x30 <= data[i] <= 0x39:
        i += 1
    if i == start or (i < n and data[i] not in _END_OF_VALUE):
        return None
    value = int(data[start:i])
    return value if value <= INT64_MAX else None


def parse_key(data: bytes, key: bytes) -> int | None:
    """The value of the first line that starts with ``key`` and a blank."""
    if not key or any(c in key for c in b" \t\n"):
        raise ValueError(f"bad key {key!r}: non-empty, no blanks")
    pos, n, k = 0, len(data), len(key)
    while True:
        if n - pos > k and data.startswith(key, pos) and data[pos + k] in _BLANK:
            return parse_value(data, pos + k + 1)
        nl = data.find(b"\n", pos)
        if nl < 0:
            return None
        pos = nl + 1


def parse_field(data: bytes, key: bytes, scale: int) -> int | None:
    value = parse_value(data) if not key else parse_key(data, key)
    if value is None or scale == 1:
        return value
    value *= scale
    return value if value <= INT64_MAX else None


class PyStatFiles:
    """Twin of ``_cgstats.StatFiles``: same constructor, ``read``, ``close``,
    ``closed`` and ``open_count``."""

    def __init__(self, paths: Sequence[str | None], fields: Sequence[Field]) -> None:
        paths, fields = list(paths), list(fields)
        if len(paths) > MAX_FILES:
            raise ValueError(f"StatFiles: {len(paths)} files, at most {MAX_FILES}")
        if len(fields) > MAX_FIELDS:
            raise ValueError(f"StatFiles: {len(fields)} fields, at most {MAX_FIELDS}")
        for i, (file, key, scale) in enumerate(fields):
            if not 0 <= file < len(paths):
                raise ValueError(f"StatFiles: field {i} names file {file}, expected 0..{len(paths) - 1}")
            if len(key) > MAX_KEY or any(c in key for c in b" \t\n"):
                raise ValueError(f"StatFiles: bad key {key!r}: at most {MAX_KEY} bytes, no blanks")
            if scale < 1:
                raise ValueError(f"StatFiles: scale {scale} of field {i}, expected >= 1")
        self._fields = fields
        self._fds: list[int] = []
        self.closed = False
        for path in paths:
            fd = -1
            if path is not None:
                try:
                    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
                except OSError as e:
                    if e.errno != errno.ENOENT:
                        self.close()
                        raise
            self._fds.append(fd)

    def read(self) -> tuple[int | None, ...]:
        if self.closed:
            raise ValueError("StatFiles.read() on closed files")
        datas: list[bytes | None] = []
        for fd in self._fds:
            data = None
            if fd >= 0:
                try:
                    data = os.pread(fd, BUF_SIZE, 0)
                except OSError:
                    data = None
            datas.append(data)
        out = []
        for file, key, scale in self._fields:
            data = datas[file]
            out.append(None if data is None else parse_field(data, key, scale))
        return tuple(out)

    def close(self) -> None:
        for fd in self._fds:
            if fd >= 0:
                os.close(fd)
        self._fds = [-1] * len(self._fds)
        self.closed = True

    def open_count(self) -> int:
        return sum(fd >= 0 for fd in self._fds)


def open_stat_files(plan: StatPlan, *, twin: bool = False):
    """Open a plan with the Cython kernel (or, ``twin=True``, the twin)."""
    if twin:
        return PyStatFiles(plan.paths, plan.fields)
    from kubekit._fast._cgstats import StatFiles

    return StatFiles(plan.paths, plan.fields)
