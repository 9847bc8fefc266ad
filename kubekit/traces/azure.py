"""Azure Public Dataset V1 (2017): VM arrivals by size, with binned lifetimes.

Files (processed from Azure's ``vmtable.csv`` by Huawei Cloud,
``huaweicloud/trace_generation_rnn``, ``resources/``):

* ``flav_map.txt`` — one VM size per line, ``<vCPUs>,<memory GiB> <letter>``
  (16 sizes, from ``1,0.75 a`` to ``16,112 d``);
* ``v1.<split>.txt`` — one line per 300-s bin: ``<bin start s> <tokens>``;
  tokens are comma-separated size letters in arrival order, ``|`` closes a
  batch (VMs of one tenant arriving in the same bin);
* ``v1.<split>.c<cut-off>.txt`` — the same layout, one token per VM:
  ``U<k>`` (the VM ended before the cut-off; its lifetime is in bin ``k``) or
  ``C<k>`` (still running at the cut-off: right-censored);
* ``v1.interval_map.txt`` — ``<duration s> <bin>``: which lifetime falls in
  which bin (5-minute steps to 1 h, hourly to 1 day, daily to 10 days, then
  "more than 10 days").

Units and conversions: ``cpu_milli = vCPUs × 1000``; memory is in GiB (Azure
lists VM memory in GiB: 0.75 = 768 MiB, 1.75, 3.5, 7...), converted exactly:
``memory_bytes = GiB × 2^30``.  ``arrival_s`` is the bin start (VMs of one
bin keep their order).  ``departure_s = arrival_s +`` the **shortest**
duration the interval map puts in the VM's lifetime bin (the lower edge: 0 s
for bin 0, i.e. lifetimes under 5 minutes); censored VMs have
``departure_s = MISSING`` and run past ``Trace.end_s`` (the cut-off).

``owner`` is the arrival batch, ``batch-<n>`` (numbered through the file);
``pods.extra``: ``flavor`` (the letter), ``batch`` (its number),
``lifetime_bin`` (:data:`MISSING` without a lifetimes file), ``censored``.
No host data is published: pair the pods with :func:`uniform_nodes` of a
stated server size.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from kubekit.traces._parse import exact_units, find_file, parse_decimal, parse_int, text_lines
from kubekit.traces.model import MISSING, NodeTable, PodTable, Trace, TraceError

__all__ = ["load_azure_v1", "read_flavors", "read_interval_map", "ATTRIBUTION"]

ATTRIBUTION = (
    "Azure Public Dataset V1 (GitHub Azure/AzurePublicDataset; Cortez et al., \"Resource Central\", SOSP 2017), "
    "as processed by Huawei Cloud in GitHub huaweicloud/trace_generation_rnn, commit "
    "fa856db037539396ae5dbc71f5a255f74c888443, files resources/maps/flav_map.txt, "
    "resources/maps/v1.interval_map.txt, resources/traces/v1.dev.txt, resources/traces/v1.dev.c2100000.txt. "
    "License: CC BY 4.0 (resources/traces/LICENSE of that repository, inherited from AzurePublicDataset).")
UNITS_NOTE = (
    "cpu_milli = vCPUs x 1000; memory_bytes = GiB x 2^30 (exact); arrival_s = start of the 300-s bin; "
    "departure_s = arrival_s + shortest duration of the lifetime bin (v1.interval_map.txt), MISSING for VMs "
    "still running at the cut-off (Trace.end_s).")

_GIB = 1 << 30
_FLAVOR_RE = re.compile(r"\s*([^,\s]+)\s*,\s*(\S+)\s+(\S+)\s*")
_LIFETIME_RE = re.compile(r"([UC])([0-9]+)")


def read_flavors(path: str) -> dict[str, tuple[int, int]]:
    """``flav_map.txt`` as ``{letter: (cpu_milli, memory_bytes)}``."""
    out: dict[str, tuple[int, int]] = {}
    lines: dict[str, int] = {}
    for line, text in text_lines(path):
        m = _FLAVOR_RE.fullmatch(text)
        if m is None:
            raise TraceError(path, line, f"expected '<vCPUs>,<memory GiB> <letter>' (e.g. '1,1.75 b'), got {text!r}")
        raw_cpu, raw_mem, letter = m.groups()
        try:
            vcpus = parse_int(raw_cpu, unit="vCPUs", minimum=1)
            gib = parse_decimal(raw_mem, unit="GiB")
            memory = exact_units(gib, _GIB, what=f"{raw_mem} GiB")
        except ValueError as exc:
            raise TraceError(path, line, str(exc)) from None
        if memory <= 0:
            raise TraceError(path, line, f"expected a positive memory size in GiB, got {raw_mem!r}")
        if letter == "|" or _LIFETIME_RE.fullmatch(letter):
            raise TraceError(path, line, f"{letter!r} cannot name a VM size (it is a separator or lifetime token)")
        if letter in out:
            raise TraceError(path, line, f"VM size {letter!r} defined twice (first on line {lines[letter]})")
        out[letter] = (vcpus * 1000, memory)
        lines[letter] = line
    if not out:
        raise TraceError(path, None, "the file is empty: expected one '<vCPUs>,<memory GiB> <letter>' per line")
    return out


def read_interval_map(path: str) -> dict[int, int]:
    """``v1.interval_map.txt`` as ``{bin: shortest duration in seconds}``;
    bins must not decrease as durations grow."""
    lower: dict[int, int] = {}
    last = (-1, -1)
    for line, text in text_lines(path):
        parts = text.split()
        if len(parts) != 2:
            raise TraceError(path, line, f"expected '<duration s> <bin>', got {text!r}")
        try:
            duration = parse_int(parts[0], unit="seconds")
            b = parse_int(parts[1], unit="lifetime bin")
        except ValueError as exc:
            raise TraceError(path, line, str(exc)) from None
        if duration <= last[0] or b < last[1]:
            raise TraceError(path, line, f"durations must increase and bins must not decrease: {duration} s -> bin "
                                         f"{b} after {last[0]} s -> bin {last[1]}")
        last = (duration, b)
        lower.setdefault(b, duration)
    if not lower:
        raise TraceError(path, None, "the file is empty: expected '<duration s> <bin>' lines")
    return lower


def _split_line(path: str, line: int, text: str) -> tuple[int, list[str]]:
    head, _, rest = text.strip().partition(" ")
    try:
        start = parse_int(head, unit="seconds (bin start)")
    except ValueError as exc:
        raise TraceError(path, line, f"{exc}; expected '<bin start s> <token>,<token>,...,|'") from None
    rest = rest.strip()
    if not rest:
        return start, []
    tokens = rest.split(",")
    if tokens[-1] != "|":
        raise TraceError(path, line, f"expected the line to end with '|' closing its last batch, got "
                                     f"{tokens[-1]!r}")
    return start, tokens


def _parse(arrivals: str, flavors: dict[str, tuple[int, int]], lifetimes: str | None,
           bins: dict[int, int] | None) -> tuple[PodTable, int]:
    letters = list(flavors)
    index = {letter: i for i, letter in enumerate(letters)}
    codes: list[int] = []
    batch_of: list[int] = []
    times: list[int] = []
    per_line: list[int] = []
    line_numbers: list[int] = []
    token_lists: list[list[str]] = []
    batch = 0
    prev_start: int | None = None
    for line, text in text_lines(arrivals):
        start, tokens = _split_line(arrivals, line, text)
        if prev_start is not None and start <= prev_start:
            raise TraceError(arrivals, line, f"bin start {start} is not after the previous line's {prev_start}")
        prev_start = start
        before = len(codes)
        in_batch = 0
        for tok in tokens:
            if tok == "|":
                if in_batch == 0:
                    raise TraceError(arrivals, line, "empty batch: '|' must follow at least one VM size letter")
                batch += 1
                in_batch = 0
                continue
            code = index.get(tok)
            if code is None:
                raise TraceError(arrivals, line, f"unknown VM size {tok!r}: expected one of {', '.join(letters)} "
                                                 f"(flav_map.txt) or '|'")
            codes.append(code)
            batch_of.append(batch)
            in_batch += 1
        times.append(start)
        per_line.append(len(codes) - before)
        line_numbers.append(line)
        token_lists.append(tokens)
    n = len(codes)
    code_arr = np.array(codes, dtype=np.int64)
    cpu_by = np.array([flavors[x][0] for x in letters], np.int64)
    mem_by = np.array([flavors[x][1] for x in letters], np.int64)
    arrival = np.repeat(np.array(times, np.int64), per_line)
    departure = np.full(n, MISSING, np.int64)
    lifetime_bin = np.full(n, MISSING, np.int64)
    censored = np.zeros(n, dtype=bool)
    if lifetimes is not None:
        assert bins is not None
        _read_lifetimes(lifetimes, arrivals, times, line_numbers, token_lists, bins, arrival, departure,
                        lifetime_bin, censored)
    width = len(str(max(n - 1, 0)))
    names = np.array([f"vm-{i:0{width}d}" for i in range(n)], dtype=object).reshape(n)
    batch_arr = np.array(batch_of, np.int64)
    batch_names = np.array([f"batch-{b}" for b in range(batch)], dtype=object).reshape(batch)
    letter_arr = np.array(letters, dtype=object)
    pods = PodTable(
        name=names, cpu_milli=cpu_by[code_arr], memory_bytes=mem_by[code_arr], arrival_s=arrival,
        departure_s=departure, owner=batch_names[batch_arr] if n else np.empty(0, object),
        extra={"flavor": letter_arr[code_arr] if n else np.empty(0, object), "batch": batch_arr,
               "lifetime_bin": lifetime_bin, "censored": censored})
    return pods, batch


def _read_lifetimes(path: str, arrivals: str, times: list[int], line_numbers: list[int],
                    token_lists: list[list[str]], bins: dict[int, int], arrival: np.ndarray, departure: np.ndarray,
                    lifetime_bin: np.ndarray, censored: np.ndarray) -> None:
    i = 0  # VM index
    k = 0  # arrivals line index
    for line, text in text_lines(path):
        start, tokens = _split_line(path, line, text)
        if k >= len(times):
            raise TraceError(path, line, f"more lines than the arrivals file {Path(arrivals).name} "
                                         f"({len(times)} lines)")
        if start != times[k]:
            raise TraceError(path, line, f"bin start {start} does not match line {line_numbers[k]} of "
                                         f"{Path(arrivals).name} ({times[k]})")
        expected = token_lists[k]
        if len(tokens) != len(expected):
            raise TraceError(path, line, f"{len(tokens)} tokens, but line {line_numbers[k]} of "
                                         f"{Path(arrivals).name} has {len(expected)}: expected one U<bin>/C<bin> "
                                         f"per VM and the same '|' batch marks")
        for tok, size in zip(tokens, expected):
            if (tok == "|") != (size == "|"):
                raise TraceError(path, line, f"token {tok!r} where {Path(arrivals).name} has {size!r}: expected "
                                             f"the same '|' batch marks")
            if tok == "|":
                continue
            m = _LIFETIME_RE.fullmatch(tok)
            if m is None:
                raise TraceError(path, line, f"expected a lifetime token U<bin> or C<bin>, got {tok!r}")
            b = int(m.group(2))
            if b not in bins:
                raise TraceError(path, line, f"lifetime bin {b} is not in the interval map (bins "
                                             f"{min(bins)}-{max(bins)})")
            lifetime_bin[i] = b
            if m.group(1) == "C":
                censored[i] = True
            else:
                departure[i] = arrival[i] + bins[b]
            i += 1
        k += 1
    if k != len(times):
        raise TraceError(path, None, f"{k} lines, but the arrivals file {Path(arrivals).name} has {len(times)}")


def load_azure_v1(path: str | os.PathLike[str], *, split: str = "dev") -> Trace:
    """Load Azure V1 VM arrivals.

    ``path`` is the directory (``flav_map.txt``, ``v1.<split>.txt`` and, when
    present, ``v1.<split>.c<cut-off>.txt`` with ``v1.interval_map.txt``) or
    the arrivals file itself (the other files are read next to it).  Without
    a lifetimes file every ``departure_s`` is :data:`MISSING`.  The trace has
    no nodes (see :func:`~kubekit.traces.model.uniform_nodes`).
    """
    p = Path(path)
    notes: list[str] = []
    if p.is_dir():
        directory = p
        arrivals = find_file(p, (f"v1.{split}.txt",), f"arrivals (split {split!r})")
    elif p.is_file():
        if re.search(r"\.c[0-9]+\.txt$", p.name):
            raise TraceError(str(p), None, "is a lifetimes file: pass the arrivals file (v1.<split>.txt) or the "
                                           "directory")
        directory = p.parent
        arrivals = str(p)
        split = p.name[3:-4] if p.name.startswith("v1.") and p.name.endswith(".txt") else split
    else:
        raise TraceError(str(p), None, "no such file or directory")
    flavors = read_flavors(find_file(directory, ("flav_map.txt",), "VM size map"))
    stem = Path(arrivals).name[:-4]
    candidates = sorted(directory.glob(f"{stem}.c*.txt"))
    lifetimes: str | None = None
    cutoff: int | None = None
    bins: dict[int, int] | None = None
    if len(candidates) > 1:
        raise TraceError(str(directory), None, f"several lifetimes files for {stem}: "
                                               f"{', '.join(c.name for c in candidates)}")
    files = [str(directory / "flav_map.txt"), arrivals]
    if candidates:
        lifetimes = str(candidates[0])
        m = re.search(r"\.c([0-9]+)\.txt$", lifetimes)
        cutoff = int(m.group(1)) if m else None
        interval = find_file(directory, ("v1.interval_map.txt", "*interval_map*.txt"), "lifetime interval map")
        bins = read_interval_map(interval)
        files += [lifetimes, interval]
    else:
        notes.append("no lifetimes file: every departure_s is MISSING")
    pods, batches = _parse(arrivals, flavors, lifetimes, bins)
    notes.append("no hosts are published: choose a server size (uniform_nodes) and state it")
    return Trace(
        name="azure_v1", source=f"Azure Public Dataset V1 VM arrivals ({split} split): "
                                f"{pods.total:,} VMs in {batches:,} batches",
        nodes=NodeTable.empty(), pods=pods, units_note=UNITS_NOTE, attribution=ATTRIBUTION, files=tuple(files),
        notes=tuple(notes), end_s=cutoff)
