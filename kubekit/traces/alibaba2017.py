"""Alibaba cluster-trace-v2017: 1,313 machines and their batch tasks.

Files (schema: ``alibaba/clusterdata``, ``cluster-trace-v2017/trace_201708.md``;
the official CSVs have no header, copies with a header row are read too):

* ``server_event.csv`` — ``timestamp,machine_id,event_type,event_detail,
  capacity_cpu,capacity_memory,capacity_disk``.  One ``add`` row per machine
  gives its capacity; ``softerror``/``harderror`` rows (capacities 0) mark a
  machine temporarily unavailable.
* ``batch_task.csv`` — ``create_timestamp,modify_timestamp,job_id,task_id,
  instance_num,status,plan_cpu,plan_mem``; every task has ``instance_num``
  identical instances.

Units and conversions:

* machine CPU is a plain core count: ``cpu_milli = capacity_cpu × 1000``;
* ``plan_cpu`` counts hundredths of a core (values 50, 100, 40...; the same
  convention as v2018's ``plan_cpu``): ``cpu_milli = plan_cpu × 10``;
* memory is **normalized** (``capacity_memory`` ≈ 0.69 for most machines, 1.0
  for the largest; ``plan_mem`` on the same scale).  It is converted with a
  stated reference: normalized 1.0 = ``memory_reference_bytes`` (default
  256 GiB, an assumption — the trace does not publish machine sizes), rounded
  half up to whole bytes; ``Trace.scales`` records it and
  ``Scale.to_raw`` undoes it.  Packing results within this trace do not
  depend on the reference, since nodes and pods share it;
* disk is normalized too and is not converted (``ephemeral_storage_bytes``
  stays :data:`MISSING`).

A task is one :class:`PodTable` row with ``count = instance_num``
(``pods.expand()`` gives one row per instance; the full trace has millions).
``name`` is ``task-<task_id>``, ``owner`` is ``job-<job_id>``;
``arrival_s = create_timestamp`` (0 or negative: before the trace start);
``departure_s = modify_timestamp`` for tasks that ended (Terminated, Failed,
Cancelled), :data:`MISSING` otherwise.  ``pods.extra["status"]`` keeps the
status.  Tasks without ``plan_cpu``/``plan_mem`` (about 11%, mostly Waiting)
are skipped by default and counted in ``Trace.notes``.

``nodes.extra["error_events"]`` counts each machine's soft/hard error events.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import numpy as np

from kubekit.api.resources import FrozenMap
from kubekit.traces._parse import CsvTable, find_file, first_row_cells, read_csv
from kubekit.traces.model import HOSTNAME_LABEL, MISSING, NodeTable, PodTable, Scale, Trace, TraceError

__all__ = ["load_alibaba2017", "MACHINE_COLUMNS", "TASK_COLUMNS", "DEFAULT_MEMORY_REFERENCE_BYTES", "ATTRIBUTION"]

MACHINE_COLUMNS = ("timestamp", "machine_id", "event_type", "event_detail", "capacity_cpu", "capacity_memory",
                   "capacity_disk")
TASK_COLUMNS = ("create_timestamp", "modify_timestamp", "job_id", "task_id", "instance_num", "status", "plan_cpu",
                "plan_mem")
DEFAULT_MEMORY_REFERENCE_BYTES = 256 * 2**30
_STATUSES = frozenset({"Ready", "Waiting", "Running", "Terminated", "Failed", "Cancelled"})
_ENDED = frozenset({"Terminated", "Failed", "Cancelled"})
_EVENTS = frozenset({"add", "softerror", "harderror"})

ATTRIBUTION = (
    "Alibaba cluster-trace-v2017 (schema: GitHub alibaba/clusterdata, cluster-trace-v2017/trace_201708.md). "
    "Machines: server_event.csv as copied in GitHub Prasanna2002/Alibaba_trace, commit "
    "1b1d720cdddfc8571bd76c321a0f31af8815255a. Batch tasks: batch_task.csv as copied in GitHub "
    "PriyadarshiniDas/Workload-Prediction-of-Alibaba-Cluster-Dataset, commit "
    "53aa3e8cdc6017036590947b959e0cc4f6694f8f. No license stated; the Alibaba Cluster Trace Program permits "
    "use for research or study purposes.")


def _units_note(reference: int) -> str:
    return (f"machines: cpu_milli = capacity_cpu (cores) x 1000; tasks: cpu_milli = plan_cpu (100 = 1 core) x 10; "
            f"memory normalized (capacity_memory, plan_mem; 1.0 = largest machine) converted with 1.0 = "
            f"{reference:,} bytes ({reference / 2**30:g} GiB, an assumed reference), rounded half up to bytes; "
            f"disk not converted; times in seconds from the trace start (0 or negative = before it).")


def _parse_machines(t: CsvTable, scale: Scale) -> NodeTable:
    order: list[str] = []
    capacity: dict[str, tuple[int, int]] = {}
    errors: dict[str, int] = {}
    lines: dict[str, int] = {}
    for row in t.rows:
        t.int_cell(row, "timestamp", unit="seconds", minimum=None)
        machine = t.cell(row, "machine_id").strip()
        if not machine:
            raise t.error(row.line, "column 'machine_id': expected a machine id, got an empty cell")
        event = t.cell(row, "event_type").strip()
        if event not in _EVENTS:
            raise t.error(row.line, f"column 'event_type': expected one of {', '.join(sorted(_EVENTS))}, "
                                    f"got {event!r}")
        if event != "add":
            errors[machine] = errors.get(machine, 0) + 1
            continue
        cores = t.int_cell(row, "capacity_cpu", unit="cores (not normalized)", minimum=1)
        memory = t.decimal_cell(row, "capacity_memory", unit="normalized memory (1.0 = largest machine)",
                                maximum=1)
        if machine in capacity and capacity[machine] != (cores * 1000, scale.to_units(memory)):
            raise t.error(row.line, f"machine {machine!r} added again with a different capacity "
                                    f"(first added on line {lines[machine]})")
        if machine not in capacity:
            order.append(machine)
            lines[machine] = row.line
        capacity[machine] = (cores * 1000, scale.to_units(memory))
    missing = sorted(set(errors) - set(capacity))
    if missing:
        raise TraceError(t.path, None, f"machine(s) {', '.join(missing[:5])} have error events but no 'add' "
                                       f"event giving their capacity")
    n = len(order)
    return NodeTable(
        name=order,
        cpu_milli=np.fromiter((capacity[m][0] for m in order), np.int64, n),
        memory_bytes=np.fromiter((capacity[m][1] for m in order), np.int64, n),
        labels=tuple(FrozenMap({HOSTNAME_LABEL: m}) for m in order),
        extra={"error_events": np.fromiter((errors.get(m, 0) for m in order), np.int64, n)})


def _parse_tasks(t: CsvTable, scale: Scale, missing_requests: str, notes: list[str]) -> PodTable:
    n = len(t.rows)
    cpu = np.empty(n, np.int64)
    mem = np.empty(n, np.int64)
    count = np.empty(n, np.int64)
    arrival = np.empty(n, np.int64)
    departure = np.empty(n, np.int64)
    names: list[str] = []
    owners: list[str] = []
    statuses: list[str] = []
    skipped: list[int] = []
    empty_tasks: list[int] = []
    cpu_cache: dict[str, int] = {}  # the same few request values repeat on most rows
    mem_cache: dict[str, int] = {}
    k = 0
    for row in t.rows:
        create = t.int_cell(row, "create_timestamp", unit="seconds", minimum=None)
        modify = t.int_cell(row, "modify_timestamp", unit="seconds", minimum=None)
        job = t.cell(row, "job_id").strip()
        task = t.cell(row, "task_id").strip()
        if not job or not task:
            raise t.error(row.line, f"column '{'job_id' if not job else 'task_id'}': expected an id, got an empty cell")
        instances = t.int_cell(row, "instance_num", unit="instances")
        status = t.cell(row, "status").strip()
        if status not in _STATUSES:
            raise t.error(row.line, f"column 'status': expected one of {', '.join(sorted(_STATUSES))}, got {status!r}")
        plan_cpu = t.cell(row, "plan_cpu").strip()
        plan_mem = t.cell(row, "plan_mem").strip()
        if not plan_cpu or not plan_mem:
            if missing_requests == "error":
                col = "plan_cpu" if not plan_cpu else "plan_mem"
                raise t.error(row.line, f"column {col!r}: expected a request, got an empty cell")
            skipped.append(row.line)
            continue
        milli = cpu_cache.get(plan_cpu)
        if milli is None:
            hundredths = t.decimal_cell(row, "plan_cpu", unit="hundredths of a core (100 = 1 core)")
            if (hundredths * 10).denominator != 1:
                raise t.error(row.line, f"column 'plan_cpu': {plan_cpu!r} hundredths of a core is not a whole "
                                        f"number of millicores")
            milli = cpu_cache[plan_cpu] = int(hundredths * 10)
        memory = mem_cache.get(plan_mem)
        if memory is None:
            memory = mem_cache[plan_mem] = scale.to_units(
                t.decimal_cell(row, "plan_mem", unit="normalized memory (1.0 = largest machine)", maximum=1))
        if instances == 0:
            empty_tasks.append(row.line)
            continue
        if status in _ENDED:
            if modify < create:
                raise t.error(row.line, f"column 'modify_timestamp': a {status} task ends at {modify}, before "
                                        f"it was created at {create}")
            departure[k] = modify
        else:
            departure[k] = MISSING
        cpu[k] = milli
        mem[k] = memory
        count[k] = instances
        arrival[k] = create
        names.append(f"task-{task}")
        owners.append(f"job-{job}")
        statuses.append(status)
        k += 1
    if skipped:
        notes.append(f"skipped {len(skipped):,} tasks without plan_cpu/plan_mem (lines {_lines(skipped)})")
    if empty_tasks:
        notes.append(f"skipped {len(empty_tasks):,} tasks with instance_num 0 (lines {_lines(empty_tasks)})")
    return PodTable(name=names, cpu_milli=cpu[:k], memory_bytes=mem[:k], arrival_s=arrival[:k],
                    departure_s=departure[:k], owner=owners, count=count[:k],
                    extra={"status": np.array(statuses, dtype=object)})


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(x) for x in lines[:5])
    return shown + (", ..." if len(lines) > 5 else "")


def _kind(path: Path) -> str:
    cells = [c.strip() for c in first_row_cells(path)]
    if set(cells) & set(MACHINE_COLUMNS) or (not set(cells) & set(TASK_COLUMNS) and len(cells) == 7):
        return "machines"
    if set(cells) & set(TASK_COLUMNS) or len(cells) == 8:
        return "tasks"
    raise TraceError(str(path), 1, f"neither server_event ({len(MACHINE_COLUMNS)} columns) nor batch_task "
                                   f"({len(TASK_COLUMNS)} columns): got {len(cells)} fields")


def load_alibaba2017(path: str | os.PathLike[str], *, memory_reference_bytes: int = DEFAULT_MEMORY_REFERENCE_BYTES,
                     missing_requests: Literal["skip", "error"] = "skip", expand: bool = False) -> Trace:
    """Load Alibaba 2017 machines and batch tasks.

    ``path`` is the trace directory (``server_event.csv`` and
    ``batch_task*.csv``) or one of the two files (a task file is paired with
    ``server_event.csv`` next to it when present).  ``memory_reference_bytes``
    is what normalized memory 1.0 stands for.  ``expand=True`` returns one pod
    row per task instance instead of one row per task.
    """
    if missing_requests not in ("skip", "error"):
        raise ValueError(f"missing_requests={missing_requests!r}: expected 'skip' or 'error'")
    if memory_reference_bytes <= 0:
        raise ValueError(f"memory_reference_bytes={memory_reference_bytes}: expected a positive number of bytes")
    p = Path(path)
    machines_path: str | None = None
    tasks_path: str | None = None
    notes: list[str] = []
    if p.is_dir():
        machines_path = find_file(p, ("server_event.csv", "server_event*.csv"), "server_event")
        tasks_path = find_file(p, ("batch_task.csv", "batch_task*.csv"), "batch_task")
    elif p.is_file():
        if _kind(p) == "machines":
            machines_path = str(p)
            notes.append("server_event only: the trace has no pods")
        else:
            tasks_path = str(p)
            sibling = p.parent / "server_event.csv"
            if sibling.is_file():
                machines_path = str(sibling)
                notes.append("machines read from server_event.csv next to the task file")
            else:
                notes.append("batch_task only: no server_event.csv next to it")
    else:
        raise TraceError(str(p), None, "no such file or directory")

    scale = Scale("memory_bytes", "capacity_memory, plan_mem", 1, memory_reference_bytes,
                  "assumed: 1.0 = the largest machine's memory, which the trace does not publish")
    nodes = NodeTable.empty()
    pods = PodTable.empty()
    files = []
    if machines_path is not None:
        nodes = _parse_machines(read_csv(machines_path, schema=MACHINE_COLUMNS, headerless=True), scale)
        files.append(machines_path)
    if tasks_path is not None:
        pods = _parse_tasks(read_csv(tasks_path, schema=TASK_COLUMNS, headerless=True), scale, missing_requests,
                            notes)
        files.append(tasks_path)
        if expand:
            pods = pods.expand()
    return Trace(
        name="alibaba2017",
        source="Alibaba cluster-trace-v2017: " + ", ".join(Path(f).name for f in files),
        nodes=nodes, pods=pods, units_note=_units_note(memory_reference_bytes), attribution=ATTRIBUTION,
        files=tuple(files), scales=(scale,), notes=tuple(notes))
