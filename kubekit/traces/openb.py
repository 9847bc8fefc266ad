"""Alibaba cluster-trace-gpu-v2023 ("OpenB"): a Kubernetes GPU cluster.

Files (``alibaba/clusterdata``, ``cluster-trace-gpu-v2023/csv/``):

* ``openb_node_list_all_node.csv`` — ``sn,cpu_milli,memory_mib,gpu,model``
  (1,523 nodes; ``model`` empty for CPU-only nodes);
* ``openb_pod_list_<variant>.csv`` — ``name,cpu_milli,memory_mib,num_gpu,
  gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,
  scheduled_time``; ``default`` is the production list (8,152 pods), the
  other variants (``gpushare100``, ``multigpu50``, ``gpuspec33``,
  ``cpu050``...) are resampled from it by the trace authors.  Some variants
  have only the first five columns.

The units are already Kubernetes': millicores, MiB (converted exactly to
bytes, ``MiB × 2^20``), whole GPUs and thousandths of a GPU.  Nothing is
normalized.

Pod columns kept in ``pods.extra``: ``qos`` and ``pod_phase`` (``str``, when
the file has them) and ``scheduled_s`` (``int64``, :data:`MISSING` for pods
never scheduled).  OpenB has no job ids: ``owner`` is ``None``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from kubekit.api.resources import FrozenMap
from kubekit.traces._parse import CsvTable, Row, read_csv
from kubekit.traces.model import (
    GPU_MODEL_LABEL, HOSTNAME_LABEL, MISSING, NodeTable, PodTable, Trace, TraceError,
)

__all__ = ["load_openb", "NODE_COLUMNS", "POD_COLUMNS", "NODE_FILE", "pod_file", "ATTRIBUTION"]

NODE_COLUMNS = ("sn", "cpu_milli", "memory_mib", "gpu", "model")
POD_COLUMNS = ("name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli", "gpu_spec", "qos", "pod_phase",
               "creation_time", "deletion_time", "scheduled_time")
_POD_OPTIONAL = POD_COLUMNS[5:]
NODE_FILE = "openb_node_list_all_node.csv"
_GPU_NODE_FILE = "openb_node_list_gpu_node.csv"
_POD_PREFIX = "openb_pod_list_"

ATTRIBUTION = (
    "Alibaba cluster-trace-gpu-v2023 (OpenB): GitHub alibaba/clusterdata, folder cluster-trace-gpu-v2023/csv/, "
    "commit 7a6c496e4f4b6ce6150be8f881cb051bf2abff42. Weng et al., \"Beware of Fragmentation: Scheduling "
    "GPU-Sharing Workloads with Fragmentation Gradient Descent\", USENIX ATC 2023. No license file for this "
    "folder; the Alibaba Cluster Trace Program permits use for research or study purposes and asks users to "
    "cite the paper.")
UNITS_NOTE = (
    "Kubernetes units as published: cpu_milli = cpu_milli (millicores); memory_bytes = memory_mib x 2^20 "
    "(exact); gpu_count = gpu/num_gpu; gpu_milli = gpu_milli (share of each requested GPU, 1000 = whole GPU); "
    "gpu_models = gpu_spec split on '|'; arrival_s/departure_s = creation_time/deletion_time (seconds).")

_MIB = 1 << 20


def pod_file(variant: str) -> str:
    """The file name of a pod-list variant: ``openb_pod_list_<variant>.csv``."""
    return f"{_POD_PREFIX}{variant}.csv"


def _variants(directory: Path) -> list[str]:
    return sorted(p.name[len(_POD_PREFIX):-4] for p in directory.glob(f"{_POD_PREFIX}*.csv"))


def _kind(path: Path) -> str:
    """``"nodes"`` or ``"pods"``, from the header row."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            first = next((line for line in f if line.strip()), "")
    except FileNotFoundError:
        raise TraceError(str(path), None, "no such file") from None
    names = {c.strip() for c in first.strip().split(",")}
    if "sn" in names:
        return "nodes"
    if "name" in names:
        return "pods"
    raise TraceError(str(path), 1, f"not an OpenB node or pod list: expected a header {','.join(NODE_COLUMNS)} "
                                   f"or {','.join(POD_COLUMNS)}, got {first.strip()!r}")


def _parse_nodes(t: CsvTable) -> NodeTable:
    n = len(t.rows)
    names: list[str] = []
    cpu = np.empty(n, np.int64)
    mem = np.empty(n, np.int64)
    gpu = np.empty(n, np.int64)
    models: list[str | None] = []
    labels = []
    seen: dict[str, int] = {}
    for i, row in enumerate(t.rows):
        name = t.cell(row, "sn").strip()
        if not name:
            raise t.error(row.line, "column 'sn': expected a node name, got an empty cell")
        if name in seen:
            raise t.error(row.line, f"duplicate node name {name!r} (first on line {seen[name]})")
        seen[name] = row.line
        cpu[i] = t.int_cell(row, "cpu_milli", unit="millicores")
        mem[i] = t.int_cell(row, "memory_mib", unit="MiB") * _MIB
        gpu[i] = t.int_cell(row, "gpu", unit="GPUs")
        model = t.cell(row, "model").strip() or None
        if gpu[i] and model is None:
            raise t.error(row.line, f"column 'model': a node with {gpu[i]} GPUs needs a GPU model, got an empty cell")
        if not gpu[i] and model is not None:
            raise t.error(row.line, f"column 'model': GPU model {model!r} given for a node with 0 GPUs")
        names.append(name)
        models.append(model)
        lb = {HOSTNAME_LABEL: name}
        if model is not None:
            lb[GPU_MODEL_LABEL] = model
        labels.append(FrozenMap(lb))
    return NodeTable(name=names, cpu_milli=cpu, memory_bytes=mem, gpu_count=gpu, gpu_model=models,
                     labels=tuple(labels))


def _time(t: CsvTable, row: Row, column: str) -> int:
    if not t.has(column) or not t.cell(row, column).strip():
        return MISSING
    return t.int_cell(row, column, unit="seconds", minimum=None)


def _parse_pods(t: CsvTable) -> PodTable:
    n = len(t.rows)
    names: list[str] = []
    cpu = np.empty(n, np.int64)
    mem = np.empty(n, np.int64)
    ngpu = np.empty(n, np.int64)
    milli = np.empty(n, np.int64)
    arrival = np.empty(n, np.int64)
    departure = np.empty(n, np.int64)
    scheduled = np.empty(n, np.int64)
    specs: list[tuple[str, ...] | None] = []
    has_spec = t.has("gpu_spec")
    extra_str = {c: [] for c in ("qos", "pod_phase") if t.has(c)}
    seen: dict[str, int] = {}
    for i, row in enumerate(t.rows):
        name = t.cell(row, "name").strip()
        if not name:
            raise t.error(row.line, "column 'name': expected a pod name, got an empty cell")
        if name in seen:
            raise t.error(row.line, f"duplicate pod name {name!r} (first on line {seen[name]})")
        seen[name] = row.line
        names.append(name)
        cpu[i] = t.int_cell(row, "cpu_milli", unit="millicores")
        mem[i] = t.int_cell(row, "memory_mib", unit="MiB") * _MIB
        g = ngpu[i] = t.int_cell(row, "num_gpu", unit="GPUs")
        m = milli[i] = t.int_cell(row, "gpu_milli", unit="thousandths of a GPU")
        if m > 1000:
            raise t.error(row.line, f"column 'gpu_milli': expected 0-1000 (thousandths of one GPU), got {m}")
        if g == 0 and m != 0:
            raise t.error(row.line, f"column 'gpu_milli': expected 0 for a pod with num_gpu 0, got {m}")
        if g > 0 and m == 0:
            raise t.error(row.line, f"column 'gpu_milli': expected 1-1000 for a pod with num_gpu {g}, got 0")
        spec = t.cell(row, "gpu_spec").strip() if has_spec else ""
        if spec:
            models = tuple(s.strip() for s in spec.split("|"))
            if not all(models):
                raise t.error(row.line, f"column 'gpu_spec': expected GPU models separated by '|', got {spec!r}")
            if g == 0:
                raise t.error(row.line, f"column 'gpu_spec': GPU models {spec!r} given for a pod with num_gpu 0")
            specs.append(models)
        else:
            specs.append(None)
        for c, col in extra_str.items():
            col.append(t.cell(row, c).strip())
        a = arrival[i] = _time(t, row, "creation_time")
        d = departure[i] = _time(t, row, "deletion_time")
        scheduled[i] = _time(t, row, "scheduled_time")
        if a != MISSING and d != MISSING and d < a:
            raise t.error(row.line, f"column 'deletion_time': {d} is before creation_time {a}")
    extra: dict[str, np.ndarray] = {c: np.array(v, dtype=object) for c, v in extra_str.items()}
    if t.has("scheduled_time"):
        extra["scheduled_s"] = scheduled
    return PodTable(name=names, cpu_milli=cpu, memory_bytes=mem, gpu_count=ngpu, gpu_milli=milli,
                    gpu_models=specs, arrival_s=arrival, departure_s=departure, extra=extra)


def load_openb(path: str | os.PathLike[str], *, variant: str = "default",
               nodes: str | os.PathLike[str] | None = None) -> Trace:
    """Load OpenB.

    ``path`` is either the trace directory (read: the node list
    ``openb_node_list_all_node.csv`` and the pod list of ``variant``) or one
    CSV file: a pod list (its nodes are then read from ``nodes`` if given,
    else from ``openb_node_list_all_node.csv`` next to it if present, else the
    trace has no nodes) or a node list (the trace then has no pods).
    Malformed rows raise :class:`TraceError` with the file and line number.
    """
    p = Path(path)
    notes: list[str] = []
    node_path: Path | None = Path(nodes) if nodes is not None else None
    pod_path: Path | None = None
    if p.is_dir():
        pod_path = p / pod_file(variant)
        if not pod_path.is_file():
            raise TraceError(str(pod_path), None, f"no pod list for variant {variant!r}: expected one of "
                                                  f"{', '.join(_variants(p)) or '(no openb_pod_list_*.csv here)'}")
        if node_path is None:
            for candidate in (NODE_FILE, _GPU_NODE_FILE):
                if (p / candidate).is_file():
                    node_path = p / candidate
                    break
            else:
                raise TraceError(str(p), None, f"no node list: expected {NODE_FILE} in this directory")
    elif p.is_file():
        if _kind(p) == "nodes":
            if nodes is not None:
                raise TraceError(str(p), None, "is a node list; 'nodes' is only for pairing a pod list with nodes")
            node_path = p
            notes.append("node list only: the trace has no pods")
        else:
            pod_path = p
            if node_path is None and (p.parent / NODE_FILE).is_file():
                node_path = p.parent / NODE_FILE
                notes.append(f"nodes read from {NODE_FILE} next to the pod list")
            elif node_path is None:
                notes.append("pod list only: no node list given or found next to it")
    else:
        raise TraceError(str(p), None, "no such file or directory")

    node_table = NodeTable.empty()
    files: list[str] = []
    if node_path is not None:
        node_table = _parse_nodes(read_csv(node_path, schema=NODE_COLUMNS))
        files.append(str(node_path))
    pod_table = PodTable.empty()
    if pod_path is not None:
        pod_table = _parse_pods(read_csv(pod_path, schema=POD_COLUMNS, optional=_POD_OPTIONAL))
        files.append(str(pod_path))
        if len(pod_table) and not (pod_table.arrival_s != MISSING).any():
            notes.append("the pod list has no creation/deletion times (static packing only)")
    what = f"pods {pod_path.name}" if pod_path is not None else "no pods"
    return Trace(
        name="openb",
        source=f"Alibaba cluster-trace-gpu-v2023 (OpenB): {what}, nodes "
               f"{node_path.name if node_path is not None else '(none)'}",
        nodes=node_table, pods=pod_table, units_note=UNITS_NOTE, attribution=ATTRIBUTION,
        files=tuple(files), notes=tuple(notes))
