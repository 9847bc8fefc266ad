"""Linux capabilities: names and numbers, masks, and ``/proc/PID/status``.

Numbers are those of ``linux/capability.h`` (CAP_CHOWN = 0 ...
CAP_CHECKPOINT_RESTORE = 40).  A mask is an int with bit ``n`` set for
capability ``n``, as capget(2) and ``/proc/PID/status`` give them.

Names are accepted as OCI writes them (``CAP_NET_ADMIN``) and as Kubernetes
does (``NET_ADMIN``), in any case; ``ALL`` means every capability listed here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kubekit.errors import RuntimeSpecError

# Index = capability number.
CAP_NAMES: tuple[str, ...] = (
    "CAP_CHOWN",               # 0
    "CAP_DAC_OVERRIDE",        # 1
    "CAP_DAC_READ_SEARCH",     # 2
    "CAP_FOWNER",              # 3
    "CAP_FSETID",              # 4
    "CAP_KILL",                # 5
    "CAP_SETGID",              # 6
    "CAP_SETUID",              # 7
    "CAP_SETPCAP",             # 8
    "CAP_LINUX_IMMUTABLE",     # 9
    "CAP_NET_BIND_SERVICE",    # 10
    "CAP_NET_BROADCAST",       # 11
    "CAP_NET_ADMIN",           # 12
    "CAP_NET_RAW",             # 13
    "CAP_IPC_LOCK",            # 14
    "CAP_IPC_OWNER",           # 15
    "CAP_SYS_MODULE",          # 16
    "CAP_SYS_RAWIO",           # 17
    "CAP_SYS_CHROOT",          # 18
    "CAP_SYS_PTRACE",          # 19
    "CAP_SYS_PACCT",           # 20
    "CAP_SYS_ADMIN",           # 21
    "CAP_SYS_BOOT",            # 22
    "CAP_SYS_NICE",            # 23
    "CAP_SYS_RESOURCE",        # 24
    "CAP_SYS_TIME",            # 25
    "CAP_SYS_TTY_CONFIG",      # 26
    "CAP_MKNOD",               # 27
    "CAP_LEASE",               # 28
    "CAP_AUDIT_WRITE",         # 29
    "CAP_AUDIT_CONTROL",       # 30
    "CAP_SETFCAP",             # 31
    "CAP_MAC_OVERRIDE",        # 32
    "CAP_MAC_ADMIN",           # 33
    "CAP_SYSLOG",              # 34
    "CAP_WAKE_ALARM",          # 35
    "CAP_BLOCK_SUSPEND",       # 36
    "CAP_AUDIT_READ",          # 37
    "CAP_PERFMON",             # 38
    "CAP_BPF",                 # 39
    "CAP_CHECKPOINT_RESTORE",  # 40
)
CAPS: dict[str, int] = {name: n for n, name in enumerate(CAP_NAMES)}
LAST_CAP: int = len(CAP_NAMES) - 1
ALL_MASK: int = (1 << len(CAP_NAMES)) - 1

_VALID_FORM = ("expected CAP_<NAME> or <NAME> (any case), or ALL, with NAME one of "
               + ", ".join(name[4:] for name in CAP_NAMES))


def number(name: str) -> int:
    """The capability number of ``name`` (``CAP_CHOWN``, ``chown`` ... -> 0)."""
    key = name.strip().upper()
    if not key.startswith("CAP_"):
        key = "CAP_" + key
    try:
        return CAPS[key]
    except KeyError:
        raise RuntimeSpecError(f"unknown capability {name!r}: {_VALID_FORM}") from None


def mask(names: Iterable[str]) -> int:
    """The mask with the bit of every named capability set (``ALL``: all of them)."""
    if isinstance(names, str):
        raise TypeError(f"mask() takes an iterable of capability names, not the string {names!r}")
    result = 0
    for name in names:
        if name.strip().upper() in ("ALL", "CAP_ALL"):
            result |= ALL_MASK
        else:
            result |= 1 << number(name)
    return result


def names(cap_mask: int) -> tuple[str, ...]:
    """The names of the bits set in ``cap_mask``, lowest first.  A bit above
    :data:`LAST_CAP` (a newer kernel's capability) is named ``CAP_<n>``."""
    if cap_mask < 0:
        raise ValueError(f"capability mask must be non-negative, got {cap_mask}")
    out = []
    n = 0
    while cap_mask:
        if cap_mask & 1:
            out.append(CAP_NAMES[n] if n <= LAST_CAP else f"CAP_{n}")
        cap_mask >>= 1
        n += 1
    return tuple(out)


@dataclass(frozen=True, slots=True)
class ProcCaps:
    """The five capability sets of a process, as ``/proc/PID/status`` shows them."""

    inheritable: int
    permitted: int
    effective: int
    bounding: int
    ambient: int


_STATUS_FIELDS = (("CapInh", "inheritable"), ("CapPrm", "permitted"), ("CapEff", "effective"),
                  ("CapBnd", "bounding"), ("CapAmb", "ambient"))


def parse_status(text: str) -> ProcCaps:
    """Parse the ``Cap*:`` hex lines of a ``/proc/PID/status`` text."""
    found: dict[str, int] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.startswith("Cap"):
            try:
                found[key] = int(value.strip(), 16)
            except ValueError:
                raise ValueError(f"bad {key} line in /proc status: {line!r}: expected a hex mask") from None
    missing = [key for key, _ in _STATUS_FIELDS if key not in found]
    if missing:
        raise ValueError(f"/proc status text lacks {', '.join(missing)}")
    return ProcCaps(**{attr: found[key] for key, attr in _STATUS_FIELDS})


def read_proc_caps(pid: int | str = "self") -> ProcCaps:
    """The capability sets of process ``pid`` (default: the caller)."""
    with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
        return parse_status(f.read())
