"""Alibaba cluster-trace-v2018: ``machine_meta`` (about 4,000 machines).

File (schema: ``alibaba/clusterdata``, ``cluster-trace-v2018/schema.txt``;
the official CSV has no header, a copy with a header row is read too):
``machine_meta.csv`` — ``machine_id,time_stamp,failure_domain_1,
failure_domain_2,cpu_num,mem_size,status``, several event rows per machine.

One node per machine, taken from its **latest** row (greatest
``time_stamp``; on a tie, the later line).  A failure domain is the value of
the latest row that gives one: 34 rows of the published file leave
``failure_domain_2`` empty, which is read as "not stated", not as a change.

Units and conversions:

* ``cpu_num`` is a plain core count: ``cpu_milli = cpu_num × 1000``;
* ``mem_size`` is **normalized to [0, 100]** (every machine has 100).  It is
  converted with a stated reference: 100 = ``memory_reference_bytes``
  (default 512 GiB, an assumption — the trace does not publish machine
  sizes), rounded half up to bytes; ``Trace.scales`` records it.  In the same
  trace, ``container_meta``/``batch_task`` memory uses this scale, and CPU
  requests count hundredths of a core.

Labels: ``kubernetes.io/hostname`` and the two failure domains as
``kubekit.io/failure-domain-1`` / ``kubekit.io/failure-domain-2`` (292 and 21
values), for spreading and anti-affinity.  ``nodes.extra``: ``status``
(latest), ``first_seen_s`` (earliest ``time_stamp``), ``events`` (rows).
The trace has no pods here (``container_meta``/``batch_task`` were not
obtainable).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from kubekit.api.resources import FrozenMap
from kubekit.traces._parse import CsvTable, find_file, read_csv
from kubekit.traces.model import HOSTNAME_LABEL, NodeTable, PodTable, Scale, Trace, TraceError

__all__ = ["load_alibaba2018", "MACHINE_COLUMNS", "DEFAULT_MEMORY_REFERENCE_BYTES", "FAILURE_DOMAIN_LABELS",
           "ATTRIBUTION"]

MACHINE_COLUMNS = ("machine_id", "time_stamp", "failure_domain_1", "failure_domain_2", "cpu_num", "mem_size",
                   "status")
DEFAULT_MEMORY_REFERENCE_BYTES = 512 * 2**30
FAILURE_DOMAIN_LABELS = ("kubekit.io/failure-domain-1", "kubekit.io/failure-domain-2")

ATTRIBUTION = (
    "Alibaba cluster-trace-v2018 machine_meta (schema: GitHub alibaba/clusterdata, cluster-trace-v2018/schema.txt), "
    "as redistributed in GitHub gohsyi/cluster_optimization, file data/machine_meta.csv, commit "
    "d147f574ff6e93341e59a2ec657aae08b182eb7c. No license stated; the Alibaba Cluster Trace Program permits use "
    "for research or study purposes.")


def _units_note(reference: int) -> str:
    return (f"cpu_milli = cpu_num (cores) x 1000; memory normalized to [0, 100] (mem_size) converted with 100 = "
            f"{reference:,} bytes ({reference / 2**30:g} GiB, an assumed reference), rounded half up to bytes; "
            f"one node per machine from its latest machine_meta row.")


def _parse(t: CsvTable, scale: Scale, notes: list[str]) -> NodeTable:
    latest: dict[str, tuple[int, int, tuple[str, str], int, int, str]] = {}
    first_seen: dict[str, int] = {}
    events: dict[str, int] = {}
    domains: dict[str, tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]]]] = {}
    mem_cache: dict[str, int] = {}
    for row in t.rows:
        machine = t.cell(row, "machine_id").strip()
        if not machine:
            raise t.error(row.line, "column 'machine_id': expected a machine id, got an empty cell")
        ts = t.int_cell(row, "time_stamp", unit="seconds")
        fd = (t.cell(row, "failure_domain_1").strip(), t.cell(row, "failure_domain_2").strip())
        cores = t.int_cell(row, "cpu_num", unit="cores", minimum=1)
        text = t.cell(row, "mem_size")
        mem = mem_cache.get(text)
        if mem is None:
            mem = mem_cache[text] = scale.to_units(
                t.decimal_cell(row, "mem_size", unit="normalized memory ([0, 100], 100 = reference machine)",
                               maximum=100))
        status = t.cell(row, "status").strip()
        if not status:
            raise t.error(row.line, "column 'status': expected a machine status (e.g. USING), got an empty cell")
        events[machine] = events.get(machine, 0) + 1
        first_seen[machine] = min(first_seen.get(machine, ts), ts)
        known = domains.setdefault(machine, ({}, {}))
        for i, v in enumerate(fd):
            if v:  # an empty cell (34 rows of the published file) says nothing about the domain
                prev_fd = known[i].get(v)
                known[i][v] = (ts, row.line) if prev_fd is None else max(prev_fd, (ts, row.line))
        prev = latest.get(machine)
        if prev is None or ts >= prev[0]:
            latest[machine] = (ts, row.line, fd, cores * 1000, mem, status)
    moved = sum(1 for d in domains.values() if len(d[0]) > 1 or len(d[1]) > 1)
    if moved:
        notes.append(f"{moved} machines change failure domain during the trace; their latest domains are used")
    order = list(latest)
    n = len(order)
    rows = [latest[m] for m in order]
    labels = []
    unknown = 0
    for m in order:
        lb = {HOSTNAME_LABEL: m}
        for i, seen in enumerate(domains[m]):
            if seen:  # the value given on the latest row that gives one
                lb[FAILURE_DOMAIN_LABELS[i]] = max(seen, key=seen.__getitem__)
            else:
                unknown += 1
        labels.append(FrozenMap(lb))
    if unknown:
        notes.append(f"{unknown} failure domains are never given (empty cells): those labels are absent")
    return NodeTable(
        name=order,
        cpu_milli=np.fromiter((r[3] for r in rows), np.int64, n),
        memory_bytes=np.fromiter((r[4] for r in rows), np.int64, n),
        labels=tuple(labels),
        extra={"status": np.array([r[5] for r in rows], dtype=object),
               "first_seen_s": np.fromiter((first_seen[m] for m in order), np.int64, n),
               "events": np.fromiter((events[m] for m in order), np.int64, n)})


def load_alibaba2018(path: str | os.PathLike[str], *,
                     memory_reference_bytes: int = DEFAULT_MEMORY_REFERENCE_BYTES) -> Trace:
    """Load Alibaba 2018 machines from ``machine_meta.csv`` (``path`` is the
    file or its directory).  ``memory_reference_bytes`` is what normalized
    memory 100 stands for."""
    if memory_reference_bytes <= 0:
        raise ValueError(f"memory_reference_bytes={memory_reference_bytes}: expected a positive number of bytes")
    p = Path(path)
    if p.is_dir():
        file = find_file(p, ("machine_meta.csv", "machine_meta*.csv"), "machine_meta")
    elif p.is_file():
        file = str(p)
    else:
        raise TraceError(str(p), None, "no such file or directory")
    scale = Scale("memory_bytes", "mem_size", 100, memory_reference_bytes,
                  "assumed: 100 = one machine's memory, which the trace does not publish")
    notes: list[str] = ["machine_meta only: the trace has no pods"]
    nodes = _parse(read_csv(file, schema=MACHINE_COLUMNS, headerless=True), scale, notes)
    return Trace(
        name="alibaba2018", source=f"Alibaba cluster-trace-v2018: {Path(file).name}", nodes=nodes,
        pods=PodTable.empty(), units_note=_units_note(memory_reference_bytes), attribution=ATTRIBUTION,
        files=(file,), scales=(scale,), notes=tuple(notes))
