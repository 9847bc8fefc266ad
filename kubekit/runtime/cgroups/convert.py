"""OCI ``linux.resources`` → the ordered cgroup file writes that apply them.

Pure functions: a :class:`~kubekit.runtime.spec.Resources` (plus, for an
update, what the kernel holds now) in, a list of :class:`Write` out.  The
drivers execute the list in order.  Mapping and order follow runc
(``opencontainers/cgroups`` ``fs/*.go`` and ``fs2/*.go``) and crun
(``cgroup-resources.c``); see ``docs/runtime-cgroups.md`` for the table.

Value conventions (as in runc):

* ``None`` and ``0`` mean "unset" for every integer field: nothing is written.
* ``-1`` means unlimited for the memory fields, ``cpu_quota`` and ``pids_limit``.
* ``pids_limit == 0`` is written as ``1``, as runc does (systemd cannot
  express 0 and a cgroup with no process cannot start one); crun instead
  skips it, and the OCI spec says 0 SHOULD be honoured as 0.
* ``cpuset_cpus`` / ``cpuset_mems`` of ``""`` are unset.
* ``memory_swap`` is memory+swap, as in OCI; v2's ``memory.swap.max`` gets
  ``swap - limit``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kubekit.errors import CgroupError
from kubekit.runtime.spec import Resources

DEFAULT_CPU_PERIOD_US = 100000
MIN_SHARES, MAX_SHARES = 2, 262144
MAX_WEIGHT = 10000

# The v1 limit files read back "unlimited" as PAGE_COUNTER_MAX * PAGE_SIZE
# (9223372036854771712 with 4 KiB pages); anything this large is unlimited.
V1_UNLIMITED_THRESHOLD = 1 << 62


@dataclass(frozen=True, slots=True)
class Write:
    """Write ``value`` to the file ``name`` of the ``controller``'s cgroup
    directory (v2: the one directory; ``"cgroup"`` owns the core files).

    ``optional``: a missing file is skipped (swap accounting disabled).
    ``retry_after_next``: on EINVAL, write the next entry first and then retry
    this one once (v1 ``cfs_period_us`` vs ``cfs_quota_us``: the kernel may
    refuse a new period under the old quota)."""

    controller: str
    name: str
    value: str
    optional: bool = False
    retry_after_next: bool = False


def shares_to_weight(shares: int) -> int:
    """cpu.shares [2, 262144] → cpu.weight [1, 10000] with the quadratic fit in
    log2 used by runc >= 1.3.2 (opencontainers/cgroups) and crun >= 1.23:
    min → 1, default 1024 → 100, max → 10000.  0 ("unset") → 0."""
    if shares < 0:
        raise CgroupError(f"invalid cpu_shares {shares}: expected a positive number")
    if shares == 0:
        return 0
    if shares <= MIN_SHARES:
        return 1
    if shares >= MAX_SHARES:
        return MAX_WEIGHT
    log = math.log2(shares)
    return math.ceil(10 ** ((log * log + 125 * log) / 612.0 - 7.0 / 34.0))


def _limit(name: str, value: int | None) -> int | None:
    """None/0 → None (unset); -1 → -1 (unlimited); > 0 → itself."""
    if value is None or value == 0:
        return None
    if value == -1 or value > 0:
        return value
    raise CgroupError(f"invalid {name} {value}: expected -1 (unlimited) or a positive number")


def _positive(name: str, value: int | None) -> int | None:
    if value is None or value == 0:
        return None
    if value > 0:
        return value
    raise CgroupError(f"invalid {name} {value}: expected a positive number")


def _v1_num(value: int) -> str:
    return str(value)


def _v2_num(value: int) -> str:
    return "max" if value == -1 else str(value)


def pids_value(limit: int | None) -> str | None:
    """pids.max for an OCI pids limit (same on v1 and v2): -1 → "max", 0 → "1"
    (runc), n → n; None → nothing."""
    if limit is None:
        return None
    if limit == -1:
        return "max"
    if limit == 0:
        return "1"
    if limit > 0:
        return str(limit)
    raise CgroupError(f"invalid pids_limit {limit}: expected -1 (unlimited), 0 (runc: 1) or a positive number")


def _check_swap(swap: int | None, limit: int | None) -> None:
    if swap is not None and swap > 0 and limit is not None and limit > 0 and swap < limit:
        raise CgroupError(f"invalid memory_swap {swap}: memory+swap must be >= memory_limit {limit}")


def swap_to_v2(swap: int | None, limit: int | None) -> int | None:
    """OCI memory+swap → v2 ``memory.swap.max`` (swap alone); None = write
    nothing, -1 = "max".  runc's ``ConvertMemorySwapToCgroupV2Value``: memory
    unlimited and swap unset → swap unlimited too; swap needs a memory limit;
    swap == limit → 0 (no swap)."""
    if limit == -1 and swap is None:
        return -1
    if swap is None or swap == -1:
        return swap
    if limit is None or limit == -1:
        raise CgroupError(f"invalid memory_swap {swap}: cgroup v2 needs a memory_limit to set swap "
                          "(memory.swap.max = memory_swap - memory_limit)")
    _check_swap(swap, limit)
    return swap - limit


def _unified_controller(key: str) -> str:
    if "/" in key or key in ("", ".", ".."):
        raise CgroupError(f"invalid unified key {key!r}: must be a file name without '/'")
    controller, dot, param = key.partition(".")
    if not dot or not controller or not param:
        raise CgroupError(f"invalid unified key {key!r}: must be CONTROLLER.PARAMETER")
    return controller


def unified_writes(unified: Mapping[str, str]) -> list[Write]:
    """The ``unified`` map, in its order, as v2 writes."""
    out = []
    for key, value in unified.items():
        if not isinstance(value, str):
            raise CgroupError(f"invalid unified value for {key!r}: {value!r}, expected a string")
        out.append(Write(_unified_controller(key), key, value))
    return out


def _cpuset(r: Resources) -> list[Write]:
    out = []
    if r.cpuset_cpus:
        out.append(Write("cpuset", "cpuset.cpus", r.cpuset_cpus))
    if r.cpuset_mems:
        out.append(Write("cpuset", "cpuset.mems", r.cpuset_mems))
    return out


def v1_writes(r: Resources, *, current_memory_limit: int | None = None) -> list[Write]:
    """The cgroup v1 writes for ``r``, in runc's subsystem order: cpuset,
    memory, cpu, pids.

    ``current_memory_limit`` (bytes, -1 unlimited; None = a new cgroup, i.e.
    unlimited) decides the memory/memsw order as runc's ``setMemoryAndSwap``:
    the kernel keeps memory.limit <= memsw.limit at every step, so when swap
    grows past the current limit (or becomes unlimited) memsw goes first."""
    if r.unified:
        raise CgroupError(f"invalid configuration: unified resources {sorted(r.unified)} need cgroup v2, "
                          "this host's limits are on cgroup v1")
    out = _cpuset(r)

    limit = _limit("memory_limit", r.memory_limit)
    swap = _limit("memory_swap", r.memory_swap)
    reservation = _limit("memory_reservation", r.memory_reservation)
    _check_swap(swap, limit)
    mem = [Write("memory", "memory.limit_in_bytes", _v1_num(limit))] if limit is not None else []
    if swap is None and limit == -1:
        # unlimited memory with swap unset: lift the memsw limit as well
        swap_w = [Write("memory", "memory.memsw.limit_in_bytes", "-1", optional=True)]
    else:
        swap_w = [Write("memory", "memory.memsw.limit_in_bytes", _v1_num(swap))] if swap is not None else []
    current = -1 if current_memory_limit is None else current_memory_limit
    swap_first = bool(mem and swap_w) and (
        swap_w[0].value == "-1" or (current != -1 and swap is not None and current < swap))
    out += swap_w + mem if swap_first else mem + swap_w
    if reservation is not None:
        out.append(Write("memory", "memory.soft_limit_in_bytes", _v1_num(reservation)))

    shares = _positive("cpu_shares", r.cpu_shares)
    if shares is not None:
        out.append(Write("cpu", "cpu.shares", str(shares)))
    period = _positive("cpu_period", r.cpu_period)
    quota = _limit("cpu_quota", r.cpu_quota)
    if period is not None:
        out.append(Write("cpu", "cpu.cfs_period_us", str(period), retry_after_next=quota is not None))
    if quota is not None:
        out.append(Write("cpu", "cpu.cfs_quota_us", _v1_num(quota)))

    pids = pids_value(r.pids_limit)
    if pids is not None:
        out.append(Write("pids", "pids.max", pids))
    return out


def cpu_max_value(quota: int | None, period: int | None,
                  current: tuple[int, int] | None = None) -> str | None:
    """v2 ``cpu.max`` ("QUOTA PERIOD", quota "max" when -1) for an OCI
    quota/period; None when neither is set.  A missing half comes from
    ``current`` (quota -1 = max, period) when given — an update keeps what it
    does not change — else quota → max and period → 100000."""
    quota = _limit("cpu_quota", quota)
    period = _positive("cpu_period", period)
    if quota is None and period is None:
        return None
    if quota is None:
        quota = current[0] if current is not None else -1
    if period is None:
        period = current[1] if current is not None else DEFAULT_CPU_PERIOD_US
    return f"{_v2_num(quota)} {period}"


def v2_writes(r: Resources, *, current_cpu_max: tuple[int, int] | None = None,
              current_memory_limit: int | None = None) -> list[Write]:
    """The cgroup v2 writes for ``r``, in runc's order: pids, memory (swap.max,
    max, low), cpu (weight, max), cpuset, then the ``unified`` map, which
    overrides anything before it.

    For an update pass what the kernel holds: ``current_cpu_max`` (quota, -1 =
    max; period) fills a missing quota or period, ``current_memory_limit``
    (-1 = max) a missing memory limit when swap is set."""
    out = []
    pids = pids_value(r.pids_limit)
    if pids is not None:
        out.append(Write("pids", "pids.max", pids))

    limit = _limit("memory_limit", r.memory_limit)
    swap = _limit("memory_swap", r.memory_swap)
    reservation = _limit("memory_reservation", r.memory_reservation)
    base = limit if limit is not None else (current_memory_limit if swap is not None else None)
    swap_max = swap_to_v2(swap, base)
    if swap_max is not None:
        value = _v2_num(swap_max)
        out.append(Write("memory", "memory.swap.max", value, optional=value in ("max", "0")))
    if limit is not None:
        out.append(Write("memory", "memory.max", _v2_num(limit)))
    if reservation is not None:
        out.append(Write("memory", "memory.low", _v2_num(reservation)))

    shares = _positive("cpu_shares", r.cpu_shares)
    if shares is not None:
        out.append(Write("cpu", "cpu.weight", str(shares_to_weight(shares))))
    cpu_max = cpu_max_value(r.cpu_quota, r.cpu_period, current_cpu_max)
    if cpu_max is not None:
        out.append(Write("cpu", "cpu.max", cpu_max))

    out += _cpuset(r)
    out += unified_writes(r.unified)
    return out


def controllers_of(writes: Sequence[Write]) -> list[str]:
    """The controllers the writes need, in first-use order (v2's core
    ``cgroup.*`` files need none)."""
    seen: dict[str, None] = {}
    for w in writes:
        if w.controller != "cgroup":
            seen.setdefault(w.controller, None)
    return list(seen)


def check_memory_update(limit: int | None, usage: int | None) -> None:
    """Refuse a memory limit at or below the current usage (runc's
    ``CheckBeforeUpdate`` on v2): the kernel would OOM-kill instead."""
    if limit is not None and limit > 0 and usage is not None and limit <= usage:
        raise CgroupError(f"rejecting memory_limit {limit}: at or below the current usage {usage}; "
                          "the old limit stays")


# ---- reading back -----------------------------------------------------------

def parse_v1_limit(text: str) -> int:
    """A v1 memory limit file: bytes, or -1 for the kernel's "unlimited"."""
    value = int(text.strip())
    return -1 if value >= V1_UNLIMITED_THRESHOLD or value < 0 else value


def parse_v2_limit(text: str) -> int:
    """A v2 limit file ("max" or bytes/count): -1 for "max"."""
    text = text.strip()
    return -1 if text == "max" else int(text)


def parse_cpu_max(text: str) -> tuple[int, int]:
    """``cpu.max`` "QUOTA PERIOD" → (quota, -1 for max; period)."""
    parts = text.split()
    if len(parts) != 2:
        raise CgroupError(f"invalid cpu.max {text!r}: expected 'QUOTA PERIOD'")
    return parse_v2_limit(parts[0]), int(parts[1])


def check_shares_readback(requested: int, stored: int) -> None:
    """v1 clamps cpu.shares to [2, 262144] silently; runc reports it."""
    if stored != requested:
        raise CgroupError(f"invalid cpu_shares {requested}: the kernel stored {stored} "
                          f"(cpu.shares must be within {MIN_SHARES}..{MAX_SHARES})")
