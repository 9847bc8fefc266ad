"""Go durations (time.ParseDuration / Duration.String, used by metav1.Duration)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from kubekit.scheduler.config.field_errors import _go_quote


_UNITS = {"ns": 1, "us": 1000, "µs": 1000, "μs": 1000, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}
_DUR_ITEM = re.compile(r"(\d*)(?:\.(\d*))?([^\d.]*)")


def _parse_go_duration(s: str) -> int:
    """Nanoseconds; raises ValueError with Go's message."""
    orig = s
    neg = False
    if s[:1] in "+-" and s:
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        raise ValueError(f"time: invalid duration {_go_quote(orig)}")
    total = Fraction(0)
    while s:
        m = _DUR_ITEM.match(s)
        whole, frac, unit = m.group(1), m.group(2), m.group(3)
        if not whole and not frac:
            raise ValueError(f"time: invalid duration {_go_quote(orig)}")
        if not unit:
            raise ValueError(f"time: missing unit in duration {_go_quote(orig)}")
        if unit not in _UNITS:
            # Go's unit is everything up to the next '.' or digit.
            raise ValueError(f"time: unknown unit {_go_quote(unit)} in duration {_go_quote(orig)}")
        value = Fraction(int(whole or "0"))
        if frac:
            value += Fraction(int(frac), 10 ** len(frac))
        total += value * _UNITS[unit]
        s = s[m.end():]
    ns = int(total)
    if ns > 2**63 - 1:
        raise ValueError(f"time: invalid duration {_go_quote(orig)}")
    return -ns if neg else ns


def _fmt_frac(v: int, prec: int) -> tuple[str, int]:
    digits = ""
    printed = False
    for _ in range(prec):
        d = v % 10
        printed = printed or d != 0
        if printed:
            digits = str(d) + digits
        v //= 10
    return ("." + digits if printed else ""), v


def _go_duration_str(ns: int) -> str:
    if ns == 0:
        return "0s"
    neg = ns < 0
    u = -ns if neg else ns
    if u < 10**9:
        if u < 1000:
            out = f"{u}ns"
        elif u < 10**6:
            frac, whole = _fmt_frac(u, 3)
            out = f"{whole}{frac}µs"
        else:
            frac, whole = _fmt_frac(u, 6)
            out = f"{whole}{frac}ms"
    else:
        frac, secs = _fmt_frac(u, 9)
        out = f"{secs % 60}{frac}s"
        mins = secs // 60
        if mins > 0:
            out = f"{mins % 60}m" + out
            hours = mins // 60
            if hours > 0:
                out = f"{hours}h" + out
    return "-" + out if neg else out


@dataclass(frozen=True, slots=True)
class _Duration:
    ns: int

    def __str__(self) -> str:
        return _go_duration_str(self.ns)
