"""``top``'s tables (kubectl's columns and rounding) and ``logs``' container
choice, as pure functions."""

from __future__ import annotations

import pytest

from kubekit.kubectl.cmd_logs import all_container_names, default_container, pod_name_of
from kubekit.kubectl.cmd_top import cpu_cell, memory_cell, node_table, pod_table
from kubekit.kubectl.context import CommandError


def pm(name, ns="default", **containers):
    return {"metadata": {"name": name, "namespace": ns},
            "containers": [{"name": c, "usage": {"cpu": cpu, "memory": mem}} for c, (cpu, mem) in containers.items()]}


@pytest.mark.parametrize("q, cpu, mem", [
    ("0", "0m", "0Mi"), ("12345678n", "13m", "0Mi"), ("250m", "250m", "0Mi"), ("2", "2000m", "0Mi"),
    ("1n", "1m", "0Mi"), ("3Mi", "3145728000m", "3Mi"), ("1048575", "1048575000m", "0Mi"), ("240Ki", "245760000m", "0Mi"),
])
def test_cells_round_as_kubectl(q, cpu, mem):
    assert (cpu_cell(q), memory_cell(q)) == (cpu, mem)


def test_pod_table_sums_containers_then_rounds():
    items = [pm("web", app=("1500000n", "3Mi"), side=("1500000n", "1Ki")), pm("db", app=("250m", "64Mi"))]
    t = pod_table(items)
    assert t.header == ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert t.rows == [["web", "3m", "3Mi"], ["db", "250m", "64Mi"]]
    assert pod_table(items, sort_by="cpu").rows[0][0] == "db"
    assert pod_table(items, sort_by="memory").rows[0][0] == "db"
    t = pod_table(items, all_namespaces=True, containers=True)
    assert t.header == ["NAMESPACE", "POD", "NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert t.rows == [["default", "web", "app", "2m", "3Mi"], ["default", "web", "side", "2m", "0Mi"],
                      ["default", "db", "app", "250m", "64Mi"]]


def test_node_table_percent_of_allocatable_and_unknown_nodes_last():
    items = [{"metadata": {"name": "node-a"}, "usage": {"cpu": "500000000n", "memory": "1Gi"}}]
    alloc = {"sim-node-1": {"cpu": "8", "memory": "32Gi"}, "node-a": {"cpu": "2", "memory": "4Gi"},
             "sim-node-0": {"cpu": "8", "memory": "32Gi"}}
    t = node_table(items, alloc)
    assert t.header == ["NAME", "CPU(cores)", "CPU%", "MEMORY(bytes)", "MEMORY%"]
    assert t.rows == [["node-a", "500m", "25%", "1024Mi", "25%"],
                      ["sim-node-0", "<unknown>", "<unknown>", "<unknown>", "<unknown>"],
                      ["sim-node-1", "<unknown>", "<unknown>", "<unknown>", "<unknown>"]]
    # percentages round down; a node without allocatable gets <unknown>
    items = [{"metadata": {"name": "n"}, "usage": {"cpu": "333m", "memory": "100Mi"}}]
    assert node_table(items, {"n": {"cpu": "1", "memory": "1000Mi"}}).rows == [["n", "333m", "33%", "100Mi", "10%"]]
    assert node_table(items, {}).rows == [["n", "333m", "<unknown>", "100Mi", "<unknown>"]]


def pod(containers, inits=(), annotation=None):
    meta = {"name": "web"}
    if annotation:
        meta["annotations"] = {"kubectl.kubernetes.io/default-container": annotation}
    return {"metadata": meta, "spec": {"containers": [{"name": n} for n in containers],
                                       "initContainers": [{"name": n} for n in inits]}}


@pytest.mark.parametrize("p, want", [
    (pod(["app"]), ("app", False)),
    (pod(["a", "b"]), ("a", True)),
    (pod(["a", "b"], annotation="b"), ("b", False)),
    (pod(["a", "b"], inits=["i"], annotation="i"), ("i", False)),
    (pod(["a", "b"], annotation="gone"), ("a", True)),
    (pod([]), (None, False)),
])
def test_default_container(p, want):
    assert default_container(p) == want


def test_all_container_names_and_pod_names():
    assert all_container_names(pod(["a", "b"], inits=["setup"])) == "a, b, setup (init)"
    assert [pod_name_of(a) for a in ("web", "pod/web", "pods/web", "po/web")] == ["web"] * 4
    with pytest.raises(CommandError, match="only pods are supported"):
        pod_name_of("deployment/web")
