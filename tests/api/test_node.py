"""Nodes: manifests (scheduler_perf templates, the Alibaba OpenB node list),
allocatable defaulting, taints, errors and round trips."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from kubekit.api import Node, Taint
from kubekit.errors import ManifestError

DATA = Path(__file__).resolve().parents[2] / "kubekit" / "data" / "manifests"
Mi = 1024 * 1024
Gi = 1024 * Mi


def docs(rel: str) -> list[dict]:
    with open(DATA / rel, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


# --- scheduler_perf templates ----------------------------------------------------------


def test_node_default_template() -> None:
    (m,) = docs("kubernetes-scheduler-perf/templates__node-default.yaml")
    n = Node.from_manifest(m)
    assert n.name == "scheduler-perf-"  # generateName stands in for the name
    assert n.capacity == {"pods": 110, "cpu": 4000, "memory": 32 * Gi}
    # status has no allocatable: SetDefaults_NodeStatus copies capacity.
    assert n.allocatable == n.capacity
    assert n.taints == () and n.unschedulable is False and n.labels == {}


def test_node_with_taint_template() -> None:
    (m,) = docs("kubernetes-scheduler-perf/templates__node-with-taint.yaml")
    n = Node.from_manifest(m)
    assert n.name == "taint-node-"
    assert n.taints == (Taint("foo", "", "NoSchedule"),)
    assert n.allocatable == {"pods": 110, "cpu": 4000, "memory": 32 * Gi}


def test_node_simple_matches_default_template() -> None:
    (m,) = docs("kubernetes-scheduler-perf/templates__node-default.yaml")
    parsed = Node.from_manifest(m)
    simple = Node.simple("scheduler-perf-")
    assert simple == parsed
    n = Node.simple("g", cpu="8", memory="16Gi", pods=20, labels={"zone": "a"}, taints=[Taint("gpu")],
                    extra={"nvidia.com/gpu": 4})
    assert n.capacity == {"cpu": 8000, "memory": 16 * Gi, "pods": 20, "nvidia.com/gpu": 4}
    assert n.allocatable == n.capacity and n.labels == {"zone": "a"} and n.taints == (Taint("gpu", "", "NoSchedule"),)


# --- Alibaba OpenB GPU node list (1,213 nodes) -------------------------------------------


@pytest.fixture(scope="module")
def openb() -> tuple[list[dict], list[Node]]:
    raw = docs("alibaba-openb/openb_node_list_gpu_node.yaml")
    return raw, [Node.from_manifest(d) for d in raw]


def test_openb_all_nodes_parse(openb) -> None:
    raw, nodes = openb
    assert len(raw) == len(nodes) == 1213
    assert len({n.name for n in nodes}) == 1213
    assert nodes[0].name == "openb-node-0000" and nodes[-1].name == "openb-node-1212"
    models = Counter(n.labels["alibabacloud.com/gpu-card-model"] for n in nodes)
    assert models == {"G2": 549, "T4": 404, "P100": 134, "V100M16": 55, "G3": 39, "V100M32": 30, "A10": 2}
    assert sum(n.capacity["cpu"] for n in nodes) == 107_018_000
    assert sum(n.capacity["memory"] for n in nodes) == 528_302_452_244_480
    assert sum(n.capacity["alibabacloud.com/gpu-count"] for n in nodes) == 6212
    assert sum(n.allocatable["alibabacloud.com/gpu-milli"] for n in nodes) == 6_212_000


def test_openb_spot_checks(openb) -> None:
    _, nodes = openb
    n0 = nodes[0]
    assert n0.labels == {
        "alibabacloud.com/gpu-card-model": "P100",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/hostname": "openb-node-0000",
        "kubernetes.io/os": "linux",
    }
    assert n0.capacity == {
        "alibabacloud.com/gpu-count": 2,
        "alibabacloud.com/gpu-milli": 2000,
        "cpu": 64000,
        "memory": 262144 * Mi,
        "pods": 1001,
    }
    last = nodes[1212]
    assert last.labels["alibabacloud.com/gpu-card-model"] == "G2"
    assert last.allocatable == {
        "alibabacloud.com/gpu-count": 8,
        "alibabacloud.com/gpu-milli": 8000,
        "cpu": 96000,
        "memory": 393216 * Mi,
        "pods": 1001,
    }


def test_openb_cross_check_against_raw_strings(openb) -> None:
    """Every node's cpu ("<n>m") and memory ("<n>Mi") decoded independently."""
    raw, nodes = openb
    for d, n in zip(raw, nodes):
        for section in ("capacity", "allocatable"):
            cpu = re.fullmatch(r"(\d+)m", d["status"][section]["cpu"])
            mem = re.fullmatch(r"(\d+)Mi", d["status"][section]["memory"])
            assert cpu and mem
            got = getattr(n, section)
            assert got["cpu"] == int(cpu.group(1))
            assert got["memory"] == int(mem.group(1)) * Mi
            assert got["pods"] == int(d["status"][section]["pods"])
            assert got["alibabacloud.com/gpu-count"] == int(d["status"][section]["alibabacloud.com/gpu-count"])


def test_openb_round_trip(openb) -> None:
    _, nodes = openb
    for n in nodes[:50]:
        assert Node.from_manifest(yaml.safe_load(yaml.safe_dump(n.to_manifest()))) == n


# --- allocatable defaulting, spec fields ---------------------------------------------------


def _node(**status: object) -> dict:
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}, "status": status}


def test_allocatable_defaulting() -> None:
    # Absent (or null) allocatable: a copy of capacity.
    assert Node.from_manifest(_node(capacity={"cpu": "2"})).allocatable == {"cpu": 2000}
    assert Node.from_manifest(_node(capacity={"cpu": "2"}, allocatable=None)).allocatable == {"cpu": 2000}
    # Present allocatable is kept as is, even when partial or empty.
    n = Node.from_manifest(_node(capacity={"cpu": "2", "memory": "1Gi"}, allocatable={"cpu": "1500m"}))
    assert n.allocatable == {"cpu": 1500} and n.capacity == {"cpu": 2000, "memory": Gi}
    assert Node.from_manifest(_node(capacity={"cpu": "2"}, allocatable={})).allocatable == {}
    # No status at all.
    n = Node.from_manifest({"kind": "Node", "metadata": {"name": "bare"}})
    assert n.capacity == {} and n.allocatable == {}


def test_node_spec_fields() -> None:
    m = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "n2", "labels": {"topology.kubernetes.io/zone": "zone1"}},
        "spec": {
            "unschedulable": True,
            "taints": [
                {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"},
                {"key": "node.kubernetes.io/not-ready", "effect": "NoExecute", "timeAdded": "2024-01-01T00:00:00Z"},
            ],
        },
        "status": {"capacity": {"cpu": "8", "memory": "30Gi", "pods": "110", "nvidia.com/gpu": "2"}},
    }
    n = Node.from_manifest(m)
    assert n.unschedulable is True
    assert n.labels == {"topology.kubernetes.io/zone": "zone1"}
    assert n.taints == (Taint("dedicated", "gpu", "NoSchedule"), Taint("node.kubernetes.io/not-ready", "", "NoExecute"))
    assert n.allocatable["nvidia.com/gpu"] == 2
    again = Node.from_manifest(n.to_manifest())
    assert again == n and hash(again) == hash(n)
    assert n.to_manifest()["spec"] == {
        "taints": [
            {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"},
            {"key": "node.kubernetes.io/not-ready", "effect": "NoExecute"},
        ],
        "unschedulable": True,
    }
    assert n.to_manifest()["status"]["capacity"] == {"cpu": "8", "memory": "30Gi", "pods": "110", "nvidia.com/gpu": "2"}


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [
        (lambda m: m["status"]["capacity"].update(cpu="-4"), "status.capacity.cpu", "invalid value '-4': must be non-negative"),
        (lambda m: m["status"]["capacity"].update(memory="lots"), "status.capacity.memory", "lots"),
        (lambda m: m["status"].update(allocatable={"nvidia.com/gpu": "0.5"}), "status.allocatable[nvidia.com/gpu]", "must be an integer"),
        (lambda m: m["status"].update(capacity=["cpu"]), "status.capacity", "must be a mapping"),
        (lambda m: m["metadata"].pop("name"), "metadata.name", "Required value"),
        (lambda m: m["metadata"].update(name=7), "metadata.name", "must be a string"),
        (lambda m: m["metadata"].update(labels={"zone": 1}), "metadata.labels[zone]", "label values must be strings"),
        (lambda m: m.update(kind="Pod"), "kind", "expected Node"),
        (lambda m: m.update(apiVersion="v2"), "apiVersion", "'v2'"),
        (lambda m: m.update(spec={"unschedulable": "yes"}), "spec.unschedulable", "must be a boolean"),
        (lambda m: m.update(spec={"taints": [{"key": "a", "effect": "Sometimes"}]}), "spec.taints[0].effect", "Unsupported value"),
        (lambda m: m.update(spec={"taints": [{"key": "a"}]}), "spec.taints[0].effect", "Required value"),
        (lambda m: m.update(spec={"taints": {"key": "a"}}), "spec.taints", "must be a list"),
        (lambda m: m.update(status="Ready"), "status", "must be a mapping"),
    ],
)
def test_node_manifest_errors(mutate, path: str, fragment: str) -> None:
    m = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}, "spec": {}, "status": {"capacity": {"cpu": "4"}}}
    mutate(m)
    with pytest.raises(ManifestError) as ei:
        Node.from_manifest(m)
    assert ei.value.path == path
    assert fragment in ei.value.message


def test_programmatic_node_rejects_bad_amounts() -> None:
    with pytest.raises(ManifestError):
        Node(name="x", capacity={"cpu": -1})
    with pytest.raises(ManifestError):
        Node(name="", capacity={"cpu": 1})
    n = Node(name="x", capacity={"cpu": 1000})
    assert n.allocatable == {"cpu": 1000}
    with pytest.raises(AttributeError):
        n.name = "y"  # type: ignore[misc]
