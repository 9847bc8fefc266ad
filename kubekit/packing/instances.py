"""Reading vector bin-packing instances in the VPSolver ``.vbp`` format (the
format of the vectorpack_cor2024 benchmark set) and their summary tables of
known bounds and optima.  Errors name the file and the line.

``.vbp``::

    d                       number of resources
    cap_1 ... cap_d         the bin capacity
    m                       number of item types
    w_1 ... w_d count       one line per item type (``count`` copies)

Blank lines are ignored.  The result is a :class:`PackingProblem` with
identical bins, as many as items (always enough), resources ``r0..r{d-1}``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from kubekit.packing.problem import PackingError, PackingProblem


class InstanceFormatError(PackingError):
    """An instance or summary file is malformed; ``source`` and ``line``
    (1-based, 0 when the whole file is at fault) say where."""

    def __init__(self, source: str, line: int, message: str) -> None:
        self.source = source
        self.line = line
        self.message = message
        super().__init__(f"{source}:{line}: {message}" if line else f"{source}: {message}")


def _ints(source: str, lineno: int, text: str, what: str) -> list[int]:
    try:
        return [int(tok) for tok in text.split()]
    except ValueError:
        bad = next(tok for tok in text.split() if not tok.lstrip("+-").isdigit())
        raise InstanceFormatError(source, lineno, f"{what}: {bad!r} is not an integer") from None


def parse_vbp(text: str, source: str = "<string>") -> PackingProblem:
    """Parse the text of a ``.vbp`` file."""
    lines = [(k + 1, ln) for k, ln in enumerate(text.splitlines()) if ln.strip()]
    it = iter(lines)

    def next_line(what: str) -> tuple[int, str]:
        try:
            return next(it)
        except StopIteration:
            last = lines[-1][0] if lines else 0
            raise InstanceFormatError(source, last, f"file ends before {what}") from None

    lineno, ln = next_line("the number of resources")
    vals = _ints(source, lineno, ln, "number of resources")
    if len(vals) != 1 or vals[0] < 1:
        raise InstanceFormatError(source, lineno, f"expected the number of resources (one integer >= 1), got {ln.strip()!r}")
    d = vals[0]
    lineno, ln = next_line("the bin capacity")
    cap = _ints(source, lineno, ln, "bin capacity")
    if len(cap) != d:
        raise InstanceFormatError(source, lineno, f"expected {d} capacities, got {len(cap)}")
    if any(c < 0 for c in cap):
        raise InstanceFormatError(source, lineno, f"negative capacity in {cap}")
    lineno, ln = next_line("the number of item types")
    vals = _ints(source, lineno, ln, "number of item types")
    if len(vals) != 1 or vals[0] < 0:
        raise InstanceFormatError(source, lineno, f"expected the number of item types (one integer >= 0), got {ln.strip()!r}")
    m = vals[0]
    rows: list[list[int]] = []
    for k in range(m):
        lineno, ln = next_line(f"item type {k + 1} of {m}")
        vals = _ints(source, lineno, ln, "item type")
        if len(vals) != d + 1:
            raise InstanceFormatError(source, lineno, f"expected {d + 1} integers ({d} sizes and a count), got {len(vals)}")
        *w, count = vals
        if count < 0:
            raise InstanceFormatError(source, lineno, f"negative item count {count}")
        for r, (s, c) in enumerate(zip(w, cap)):
            if s < 0:
                raise InstanceFormatError(source, lineno, f"negative size {s} in resource {r}")
            if s > c:
                raise InstanceFormatError(source, lineno, f"size {s} in resource {r} exceeds the bin capacity {c}: "
                                                          f"the item fits no bin")
        rows.extend([w] * count)
    extra = next(it, None)
    if extra is not None:
        raise InstanceFormatError(source, extra[0], f"unexpected content after the {m} item types: {extra[1].strip()!r}")
    demands = np.array(rows, dtype=np.int64).reshape(len(rows), d)
    try:
        return PackingProblem.identical(demands, cap, n_bins=len(rows))
    except PackingError as exc:
        raise InstanceFormatError(source, 0, str(exc)) from None


def load_vbp(path: str | os.PathLike) -> PackingProblem:
    """Read a ``.vbp`` file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InstanceFormatError(str(p), 0, f"not UTF-8 text ({exc.reason})") from None
    return parse_vbp(text, str(p))


@dataclass(frozen=True, slots=True)
class KnownResult:
    """One row of a ``*_summary_known.csv``: the published lower bound, the
    optimum (``None`` when unknown, ``-1`` in the file), and the best number
    of bins any algorithm of the paper found."""

    name: str
    lb: int
    opt: int | None
    best_heuristic: int


def parse_summary(text: str, source: str = "<string>") -> dict[str, KnownResult]:
    """Parse a tab-separated summary (header ``instance_name LB OPT
    best_overall ...``)."""
    lines = text.splitlines()
    if not lines:
        raise InstanceFormatError(source, 0, "empty file")
    header = lines[0].split("\t")
    need = ("instance_name", "LB", "OPT", "best_overall")
    missing = [c for c in need if c not in header]
    if missing:
        raise InstanceFormatError(source, 1, f"missing column(s) {', '.join(missing)} in the header")
    col = {c: header.index(c) for c in need}
    out: dict[str, KnownResult] = {}
    for k, ln in enumerate(lines[1:], start=2):
        if not ln.strip():
            continue
        f = ln.split("\t")
        if len(f) != len(header):
            raise InstanceFormatError(source, k, f"expected {len(header)} tab-separated fields, got {len(f)}")
        name = f[col["instance_name"]]
        try:
            lb, opt, best = (int(f[col[c]]) for c in ("LB", "OPT", "best_overall"))
        except ValueError:
            raise InstanceFormatError(source, k, "LB, OPT and best_overall must be integers") from None
        if name in out:
            raise InstanceFormatError(source, k, f"duplicate instance {name!r}")
        out[name] = KnownResult(name=name, lb=lb, opt=None if opt < 0 else opt, best_heuristic=best)
    return out


def load_summary(path: str | os.PathLike) -> dict[str, KnownResult]:
    p = Path(path)
    return parse_summary(p.read_text(encoding="utf-8"), str(p))


def find_instances(root: str | os.PathLike) -> Iterator[tuple[str, Path]]:
    """Every ``*.vbp`` under ``root`` as (name without suffix, path), sorted by path."""
    for p in sorted(Path(root).rglob("*.vbp")):
        yield p.stem, p
