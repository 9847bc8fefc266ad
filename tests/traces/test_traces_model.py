"""The common trace model: tables, records, scales, errors."""

from __future__ import annotations

import pickle
from fractions import Fraction

import numpy as np
import pytest

from kubekit.errors import KubekitError
from kubekit.traces import (
    MISSING, NodeTable, PodRecord, PodTable, Scale, TraceError, load_sample, present, uniform_nodes,
)
from kubekit.traces.model import GPU_COUNT_RESOURCE, GPU_MILLI_RESOURCE, GPU_MODEL_LABEL


# --- TraceError ----------------------------------------------------------------

def test_trace_error_names_file_and_line():
    e = TraceError("/x/pods.csv", 7, "column 'cpu_milli': expected an integer")
    assert str(e) == "/x/pods.csv, line 7: column 'cpu_milli': expected an integer"
    assert (e.path, e.line, e.message) == ("/x/pods.csv", 7, "column 'cpu_milli': expected an integer")
    assert isinstance(e, KubekitError) and isinstance(e, ValueError)
    assert str(TraceError("/x", None, "no such file")) == "/x: no such file"
    assert str(TraceError(None, None, "bad table")) == "trace: bad table"
    again = pickle.loads(pickle.dumps(e))
    assert (again.path, again.line, str(again)) == (e.path, e.line, str(e))


# --- Scale ---------------------------------------------------------------------

@pytest.mark.parametrize("raw, full_scale, reference, expected", [
    ("0.5", 1, 32_000, 16_000),                          # Google CPU 0.5 with 1.0 = 32 cores
    ("0.25", 1, 32_000, 8_000),
    ("0.2493", 1, 128 * 2**30, 34_263_531_101),          # 34,263,531,100.5696 rounds up
    ("0.6900059534594777", 1, 256 * 2**30, 189_667_392_266),  # ...265.8403 rounds up
    ("0.007956928", 1, 256 * 2**30, 2_187_183_714),      # ...714.3441 rounds down
    ("100", 100, 512 * 2**30, 512 * 2**30),              # Alibaba 2018: 100 = the reference machine
    ("50", 100, 512 * 2**30, 256 * 2**30),
    ("0.5", 1, 3, 2),                                    # an exact half rounds up
    ("0.25", 1, 2, 1),
    ("0", 1, 2**40, 0),
])
def test_scale_to_units_rounds_half_up(raw, full_scale, reference, expected):
    assert Scale("memory_bytes", "x", full_scale, reference, "test").to_units(raw) == expected


def test_scale_round_trip_within_half_a_unit():
    sc = Scale("memory_bytes", "mem", 1, 256 * 2**30, "test")
    for raw in ("0.6899697150104833", "0.002754122", "0.9999585846297208", "1"):
        units = sc.to_units(raw)
        assert abs(sc.to_raw(units) - Fraction(raw)) <= Fraction(1, 2) / sc.reference
    arr = sc.to_raw(np.array([sc.to_units("0.69"), sc.reference]))
    assert arr.dtype == np.float64 and arr[1] == 1.0 and abs(arr[0] - 0.69) < 1e-11
    assert Scale("memory_bytes", "m", 100, 1000, "t").to_raw(10) == Fraction(1)


def test_scale_refuses_non_positive_reference():
    with pytest.raises(ValueError):
        Scale("memory_bytes", "m", 1, 0, "t")


# --- tables --------------------------------------------------------------------

def _pods(**kw):
    base = dict(name=["a", "b", "c"], cpu_milli=[100, 200, 300], memory_bytes=[1, 2, 3])
    base.update(kw)
    return PodTable(**base)


def test_pod_table_defaults_and_records():
    p = _pods(arrival_s=[5, MISSING, -3], departure_s=[9, MISSING, MISSING], owner=["j1", None, "j1"])
    assert len(p) == 3 and p.total == 3
    assert p.gpu_count.tolist() == [0, 0, 0] and p.count.tolist() == [1, 1, 1]
    assert p[0] == PodRecord(name="a", cpu_milli=100, memory_bytes=1, gpu_count=0, gpu_milli=0, gpu_models=None,
                             arrival_s=5, departure_s=9, owner="j1", count=1, replica=0)
    assert p[1].arrival_s is None and p[1].departure_s is None and p[1].owner is None
    assert p[-1].arrival_s == -3            # negative times (before the trace start) are kept
    assert present(p.arrival_s).tolist() == [True, False, True]
    with pytest.raises(IndexError):
        p[3]


def test_columns_are_read_only_int64():
    p = _pods()
    assert p.cpu_milli.dtype == np.int64 and p.name.dtype == object
    with pytest.raises(ValueError):
        p.cpu_milli[0] = 5
    with pytest.raises(ValueError):
        p.name[0] = "z"
    src = np.array([1, 2, 3])
    q = _pods(cpu_milli=src)
    src[0] = 99
    assert q.cpu_milli[0] == 1              # the table holds its own copy


@pytest.mark.parametrize("kw, message", [
    (dict(cpu_milli=[1, -2, 3]), "pods.cpu_milli[1] = -2: expected >= 0"),
    (dict(cpu_milli=[1.0, 2.0, 3.0]), "pods.cpu_milli must hold integers, got float64"),
    (dict(memory_bytes=[1, 2]), "pods.memory_bytes has shape (2,), expected (3,)"),
    (dict(gpu_count=[1, 0, 0], gpu_milli=[1001, 0, 0]), "pods.gpu_milli[0] = 1001: expected 0-1000"),
    (dict(gpu_count=[0, 0, 0], gpu_milli=[0, 500, 0]), "pods.gpu_milli[1] must be 0 when gpu_count is 0"),
    (dict(arrival_s=[10, 0, 0], departure_s=[5, MISSING, MISSING]), "pods.departure_s[0] is before its arrival_s"),
    (dict(count=[1, 0, 1]), "pods.count[1] = 0: expected >= 1"),
    (dict(cpu_milli=[1, MISSING, 1]), "pods.cpu_milli[1] is MISSING: every row needs a value"),
])
def test_pod_table_validation(kw, message):
    with pytest.raises(TraceError) as err:
        _pods(**kw)
    assert message in str(err.value)


def test_gpu_models_stay_tuples():
    p = _pods(gpu_count=[1, 1, 0], gpu_milli=[1000, 500, 0], gpu_models=[("T4", "P100"), ("G2",), None])
    assert p[0].gpu_models == ("T4", "P100") and p[1].gpu_models == ("G2",) and p[2].gpu_models is None
    assert p.gpu_models.shape == (3,)


def test_expand_numbers_replicas_and_shares_strings():
    p = _pods(count=[2, 1, 3], owner=["j", "k", "j"], arrival_s=[1, 2, 3], extra={"status": ["T", "R", "T"]})
    e = p.expand()
    assert len(e) == 6 and e.total == 6 == p.total
    assert e.name.tolist() == ["a", "a", "b", "c", "c", "c"]
    assert e.replica.tolist() == [0, 1, 0, 0, 1, 2]
    assert e.count.tolist() == [1] * 6
    assert e.cpu_milli.tolist() == [100, 100, 200, 300, 300, 300]
    assert e.arrival_s.tolist() == [1, 1, 2, 3, 3, 3]
    assert e.extra["status"].tolist() == ["T", "T", "R", "T", "T", "T"]
    assert e.name[0] is e.name[1]           # one str object per task, not one per replica
    assert e.expand() is e
    # Expanding part of a group keeps counting from its first replica.
    part = PodTable(name=["x"], cpu_milli=[1], memory_bytes=[1], count=[2], replica=[5]).expand()
    assert part.replica.tolist() == [5, 6]


def test_take_and_order_by_arrival():
    p = _pods(arrival_s=[30, MISSING, 10], extra={"k": [1, 2, 3]})
    assert p.take([2, 0]).name.tolist() == ["c", "a"]
    assert p[np.array([True, False, True])].extra["k"].tolist() == [1, 3]
    assert p[1:].name.tolist() == ["b", "c"]
    assert p.order_by_arrival().name.tolist() == ["c", "a", "b"]   # MISSING last
    ties = _pods(arrival_s=[5, 5, 1])
    assert ties.order_by_arrival().name.tolist() == ["c", "a", "b"]  # stable


def test_node_table_defaults_records_and_validation():
    n = NodeTable(name=["n0", "n1"], cpu_milli=[4000, 8000], memory_bytes=[2**30, 2**31],
                  gpu_count=[0, 2], gpu_model=[None, "T4"], pods=[110, MISSING], labels=[{"a": "1"}, {}])
    assert n[1].gpu_model == "T4" and n[1].pods is None and n[0].pods == 110
    assert n[0].ephemeral_storage_bytes is None and n[0].labels == {"a": "1"}
    assert n.take([1]).labels == ({},)
    assert [r.name for r in n] == ["n0", "n1"]
    with pytest.raises(TraceError, match="nodes.labels has 1 entries for 2 nodes"):
        NodeTable(name=["a", "b"], cpu_milli=[1, 1], memory_bytes=[1, 1], labels=[{}])
    with pytest.raises(TraceError, match=r"nodes.memory_bytes\[0\] = -1"):
        NodeTable(name=["a"], cpu_milli=[1], memory_bytes=[-1])
    assert len(NodeTable.empty()) == 0 and len(PodTable.empty()) == 0 and PodTable.empty().total == 0


def test_uniform_nodes():
    n = uniform_nodes(12, cpu_milli=64_000, memory_bytes=256 * 2**30, pods=110)
    assert n.name[0] == "node-00" and n.name[-1] == "node-11"
    assert set(n.cpu_milli.tolist()) == {64_000} and n[3].pods == 110 and n[3].gpu_model is None
    assert n[3].labels == {"kubernetes.io/hostname": "node-03"}
    g = uniform_nodes(2, cpu_milli=1, memory_bytes=1, gpu_count=8, gpu_model="A100", prefix="gpu-")
    assert g[1].name == "gpu-1" and g[1].gpu_model == "A100" and g[1].gpu_count == 8
    with pytest.raises(TraceError, match="gpu_model must be given exactly when gpu_count > 0"):
        uniform_nodes(1, cpu_milli=1, memory_bytes=1, gpu_count=1)
    assert len(uniform_nodes(0, cpu_milli=1, memory_bytes=1)) == 0


@pytest.fixture(scope="module")
def openb_yaml_nodes():
    from kubekit.api.node import Node
    from kubekit.data import load_manifests

    return {n.name: n for n in map(Node.from_manifest,
                                   load_manifests("alibaba-openb/openb_node_list_gpu_node.yaml"))}


def test_to_nodes_matches_alibabas_openb_node_manifests(openb_yaml_nodes):
    """Alibaba published the GPU nodes of OpenB also as Kubernetes Node YAML
    (renumbered, so names differ from the CSV's): every GPU node of the
    sample, converted by the loader and ``to_nodes``, has exactly the cpu,
    memory, GPU resources and GPU-model label of some node in that YAML."""
    shapes = {(n.capacity["cpu"], n.capacity["memory"], n.capacity[GPU_COUNT_RESOURCE],
               n.capacity[GPU_MILLI_RESOURCE], n.labels[GPU_MODEL_LABEL]) for n in openb_yaml_nodes.values()}
    trace = load_sample("openb")
    nodes = trace.nodes.to_nodes()
    gpu_nodes = [n for n in nodes if GPU_COUNT_RESOURCE in n.capacity]
    assert len(gpu_nodes) == 150 and len(nodes) - len(gpu_nodes) == 41
    for n in gpu_nodes:
        shape = (n.capacity["cpu"], n.capacity["memory"], n.capacity[GPU_COUNT_RESOURCE],
                 n.capacity[GPU_MILLI_RESOURCE], n.labels[GPU_MODEL_LABEL])
        assert shape in shapes, (n.name, shape)
        assert n.labels["kubernetes.io/hostname"] == n.name
    t4 = next(n for n in nodes if n.name == "openb-node-0464")
    assert dict(t4.capacity) == {"cpu": 104_000, "memory": 524_288 * 2**20, GPU_COUNT_RESOURCE: 2,
                                 GPU_MILLI_RESOURCE: 2000}
    cpu_only = next(n for n in nodes if n.name == "openb-node-0000")
    assert dict(cpu_only.capacity) == {"cpu": 32_000, "memory": 262_144 * 2**20}
