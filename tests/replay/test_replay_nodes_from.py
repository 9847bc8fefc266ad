"""``--nodes-from``: a node-only trace (Alibaba 2018 machines, Google 2011
hosts) as the cluster for another trace's pods; mismatched units and
dimensions are refused with the option that resolves them."""

from __future__ import annotations

import io

import numpy as np
import pytest

from kubekit.replay import ReplayConfig, replay, verify_placement
from kubekit.replay.cli import main
from kubekit.traces import TraceError, load_sample, sample_path

REF_2018 = 512 << 30
GOOGLE = {"cpu_reference_milli": 32_000, "memory_reference_bytes": 128 << 30}


def check_feasible(result):
    for runs in result.runs.values():
        for run in runs:
            pods = result.workloads[run.seed].pods
            for e in sorted({0, len(run.nodes) - 1, int(np.argmax(run.nodes))}):
                verify_placement(result.cluster, pods, run.node, run.gpus, run.alive_at(e))


def test_azure_vms_on_alibaba2018_machines():
    cfg = ReplayConfig("azure_v1", policies=("bestfit", "fgd"), nodes_from="alibaba2018",
                       nodes_options={"memory_reference_bytes": REF_2018})
    r = replay(cfg)
    nodes = load_sample("alibaba2018", memory_reference_bytes=REF_2018).nodes
    assert r.cluster.names == tuple(nodes.name)
    assert r.cluster.memory_capacity.tolist() == nodes.memory_bytes.tolist()
    assert set(r.cluster.cpu_capacity.tolist()) == {96_000}
    assert any("memory_reference_bytes, as stated" in n for n in r.notes)
    assert any("the 101 nodes of alibaba2018" in n for n in r.notes)
    check_feasible(r)
    rep = r.summary()[0]
    assert rep.pods_placed + rep.pods_unplaced == len(r.workloads[0].pods)


def test_the_stated_reference_is_what_the_nodes_get():
    small = replay(ReplayConfig("azure_v1", policies=("bestfit",), nodes_from="alibaba2018",
                                nodes_options={"memory_reference_bytes": 8 << 30}))
    big = replay(ReplayConfig("azure_v1", policies=("bestfit",), nodes_from="alibaba2018",
                              nodes_options={"memory_reference_bytes": REF_2018}))
    assert int(small.cluster.memory_capacity.sum()) * 64 == int(big.cluster.memory_capacity.sum())
    check_feasible(small)
    # with machines 1/64 the memory, memory binds: fewer VMs fit
    assert small.summary()[0].pods_placed < big.summary()[0].pods_placed


def test_arrivals_on_google_hosts_from_a_path():
    cfg = ReplayConfig("azure_v1", mode="arrivals", policies=("fgd",), nodes_from="google2011",
                       nodes_path=str(sample_path("google2011")), nodes_options=dict(GOOGLE))
    r = replay(cfg)
    assert len(r.cluster) == len(load_sample("google2011").nodes)
    assert sum("as stated" in n for n in r.notes) == 2          # CPU and memory
    check_feasible(r)


def test_same_family_needs_nothing_stated():
    r = replay(ReplayConfig("openb", policies=("fgd",), nodes_from="openb", nodes="gpu", limit=50))
    assert not any("as stated" in n for n in r.notes)
    check_feasible(r)


@pytest.mark.parametrize("cfg, message", [
    (dict(trace="azure_v1", nodes_from="alibaba2018"),
     "alibaba2018 node memory is normalized (mem_size: 100 = a machine size the trace does not publish), azure_v1's "
     "is absolute; state the size with --nodes-option memory_reference_bytes=N"),
    (dict(trace="azure_v1", nodes_from="google2011", nodes_options={"memory_reference_bytes": 1 << 37}),
     "google2011 node CPU is normalized (cpu: 1 = a machine size"),
    (dict(trace="alibaba2017", nodes_from="alibaba2018", nodes_options={"memory_reference_bytes": REF_2018}),
     "alibaba2017 pod memory is normalized (capacity_memory, plan_mem: 1 = a machine size the trace does not "
     "publish), alibaba2018's is normalized to its own machines; state the size with --trace-option "
     "memory_reference_bytes=N"),
    (dict(trace="openb", nodes_from="google2011", nodes_options=GOOGLE),
     "175 of the 204 openb pods request GPUs but the google2011 nodes have none: the dimensions do not match"),
    (dict(trace="alibaba2018"), "it publishes machines only: use them as the nodes for another trace's pods, e.g. "
                                "kubekit replay azure_v1 --nodes-from alibaba2018"),
])
def test_mismatches_are_refused(cfg, message):
    with pytest.raises(TraceError) as exc:
        replay(ReplayConfig(policies=("bestfit",), **cfg))
    assert message in str(exc.value)


def test_alibaba2017_tasks_on_alibaba2018_machines_once_both_sizes_are_stated():
    r = replay(ReplayConfig("alibaba2017", policies=("bestfit",), limit=400, nodes_from="alibaba2018",
                            trace_options={"memory_reference_bytes": 256 << 30},
                            nodes_options={"memory_reference_bytes": REF_2018}))
    assert sum("as stated" in n for n in r.notes) == 2
    check_feasible(r)


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    from kubekit.replay.cli import add_replay_parser, cmd_replay
    import argparse

    ap = argparse.ArgumentParser()
    add_replay_parser(ap.add_subparsers())
    args = ap.parse_args(["replay", *argv])
    return cmd_replay(args, out, err), out.getvalue(), err.getvalue()


def test_cli(tmp_path):
    rc, out, err = run(["azure_v1", "--nodes-from", "alibaba2018", "--nodes-option",
                        f"memory_reference_bytes={REF_2018}", "--policy", "fgd", "--out", str(tmp_path)])
    assert rc == 0, err
    assert "note: nodes: the 101 nodes of alibaba2018" in out
    md = (tmp_path / "report.md").read_text()
    assert f"--nodes-from alibaba2018 --nodes-option memory_reference_bytes={REF_2018}" in md
    rc, _, err = run(["azure_v1", "--nodes-from", "alibaba2018", "--no-report"])
    assert rc == 2 and "--nodes-option memory_reference_bytes=N" in err
    rc, _, err = run(["azure_v1", "--nodes-from", "google2011", "--node-shape", "64,256", "--no-report"])
    assert rc == 2 and "--node-shape/--node-count assume identical nodes" in err
    rc, _, err = run(["azure_v1", "--nodes-option", "x=1", "--no-report"])
    assert rc == 2 and "need --nodes-from" in err
    rc, _, err = run(["azure_v1", "--nodes-from", "google2011", "--nodes-option", "cpu_reference_milli", "--no-report"])
    assert rc == 2 and "--nodes-option 'cpu_reference_milli': expected KEY=VALUE" in err


def test_module_entry(tmp_path, capsys):
    assert main(["replay", "google2011", "--no-report"]) == 2
    assert "--nodes-from google2011" in capsys.readouterr().err
