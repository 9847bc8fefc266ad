"""``arrivals`` mode's timeline: windows of trace time with what happened
in each and the state at its end, and the means over trace time."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubekit.replay import ReplayConfig, replay
from kubekit.replay.report import time_means, timeline
from kubekit.traces import MISSING, NodeTable, PodTable, Trace


def make_trace(nodes, pods) -> Trace:
    nt = NodeTable(name=[f"n{i}" for i in range(len(nodes))], cpu_milli=[n[0] for n in nodes],
                   memory_bytes=[n[1] for n in nodes], gpu_count=[0] * len(nodes), gpu_model=[None] * len(nodes))
    pt = PodTable(name=[f"p{i}" for i in range(len(pods))], cpu_milli=[p[0] for p in pods],
                  memory_bytes=[1 << 30] * len(pods), gpu_count=[0] * len(pods), gpu_milli=[0] * len(pods),
                  gpu_models=[None] * len(pods), arrival_s=[p[1] for p in pods], departure_s=[p[2] for p in pods])
    return Trace(name="azure_v1", source="generated", nodes=nt, pods=pt, units_note="", attribution="")


def test_table_two_windows():
    # one node of 4 cores; p0 [0, 10) 2 cores, p1 from 5 on 1 core, p2 at 12 needs 8 cores: never fits
    tr = make_trace([(4000, 16 << 30)], [(2000, 0, 10), (1000, 5, MISSING), (8000, 12, MISSING)])
    r = replay(ReplayConfig("azure_v1", mode="arrivals", policies=("bestfit",), timeline=2), trace=tr)
    a, b = r.timelines["BestFit"][0]
    assert (a.start_s, a.end_s, b.start_s, b.end_s) == (0, 6, 6, 12)
    assert (a.arrived, a.placed, a.unplaced, a.departed, a.running, a.nodes) == (2, 2, 0, 0, 2, 1)
    assert (b.arrived, b.placed, b.unplaced, b.departed, b.running, b.nodes) == (1, 0, 1, 1, 1, 1)
    assert a.utilization["cpu"] == 3000 / 4000 and b.utilization["cpu"] == 1000 / 4000
    # events at 0, 5, 10, 12; CPU after each: 2000, 3000, 1000, 1000; weights 5, 5, 2 seconds of 12
    assert r.time_means("BestFit")["cpu"] == pytest.approx((2000 * 5 + 3000 * 5 + 1000 * 2) / 12 / 4000)
    assert r.time_means("BestFit")["nodes"] == pytest.approx(1.0)


def test_more_windows_than_seconds_and_no_span():
    tr = make_trace([(4000, 16 << 30)], [(1000, 0, 2), (1000, 2, MISSING)])
    r = replay(ReplayConfig("azure_v1", mode="arrivals", policies=("bestfit",), timeline=50), trace=tr)
    assert [(p.start_s, p.end_s) for p in r.timelines["BestFit"][0]] == [(0, 1), (1, 2)]
    tr = make_trace([(4000, 16 << 30)], [(1000, 3, MISSING), (1000, 3, MISSING)])
    r = replay(ReplayConfig("azure_v1", mode="arrivals", policies=("bestfit",)), trace=tr)
    (p,) = r.timelines["BestFit"][0]
    assert (p.start_s, p.end_s, p.arrived, p.running) == (3, 3, 2, 2)
    assert r.time_means("BestFit") == {}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from([500, 2000, 5000]), st.integers(0, 100), st.integers(-1, 60)),
                min_size=1, max_size=40), st.integers(1, 9))
def test_windows_add_up(rows, points):
    pods = [(c, a, MISSING if d < 0 else a + d) for c, a, d in rows]
    tr = make_trace([(4000, 16 << 30), (8000, 16 << 30)], pods)
    r = replay(ReplayConfig("azure_v1", mode="arrivals", policies=("bestfit", "fgd"), timeline=points), trace=tr)
    for name, (tl,) in r.timelines.items():
        run = r.runs[name][0]
        assert sum(p.arrived for p in tl) == len(pods)
        assert sum(p.placed for p in tl) == run.placed
        assert sum(p.unplaced for p in tl) == len(pods) - run.placed
        assert tl[-1].running == len(run.alive_at(len(run.nodes) - 1))
        assert sum(p.placed - p.departed for p in tl) == tl[-1].running
        assert all(a.end_s == b.start_s for a, b in zip(tl, tl[1:]))
        assert max(p.nodes_peak for p in tl) == int(run.nodes.max())
        w = r.workloads[run.seed]
        assert timeline(run, w.events, w.times, points) == tl
        assert time_means(run, w.times).get("cpu", 0.0) <= float(np.max(run.alloc_cpu)) / run.capacity["cpu_milli"]


def test_report_and_json(tmp_path):
    import json

    from kubekit.replay import write_report

    r = replay(ReplayConfig("azure_v1", mode="arrivals", policies=("fgd",), timeline=4))
    write_report(r, str(tmp_path), plots=False)
    md = (tmp_path / "report.md").read_text()
    assert "## Timeline" in md and "Means over trace time" in md
    data = json.loads((tmp_path / "results.json").read_text())
    pts = data["timeline"]["FGD"][0]["points"]
    assert len(pts) == 4 and sum(p["arrived"] for p in pts) == data["summary"][0]["pods_total"]


def test_cli_prints_the_timeline_when_asked(capsys):
    from kubekit.replay.cli import main

    assert main(["replay", "azure_v1", "--mode", "arrivals", "--policy", "bestfit", "--timeline", "3",
                 "--no-report"]) == 0
    out = capsys.readouterr().out
    assert "timeline, BestFit:" in out and out.count("\n| 1,") + out.count("\n| 2,") == 3
    assert main(["replay", "azure_v1", "--mode", "arrivals", "--timeline", "0", "--no-report"]) == 2
    assert "timeline 0: expected >= 1 windows" in capsys.readouterr().err
