"""``kubekit replay`` end to end on the bundled samples."""

from __future__ import annotations

import argparse
import io
import json
import shutil

import pytest

from kubekit.replay.cli import add_replay_parser, cmd_replay, main
from kubekit.traces import sample_path

PNG = b"\x89PNG\r\n\x1a\n"


def run(argv: list[str]) -> tuple[int, str, str]:
    ap = argparse.ArgumentParser(prog="kubekit")
    add_replay_parser(ap.add_subparsers(dest="cmd", required=True))
    args = ap.parse_args(["replay", *argv])
    out, err = io.StringIO(), io.StringIO()
    return cmd_replay(args, out, err), out.getvalue(), err.getvalue()


def test_static_on_the_sample_writes_markdown_and_plots(tmp_path):
    rc, out, err = run(["openb", "--out", str(tmp_path), "--no-progress"])
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["policy", "placed", "unplaced", "nodes", "bound", "gap", "cpu%", "mem%", "gpu%",
                                "unalloc", "GPU", "frag", "GPU", "pods/s"]
    assert [ln.split()[0] for ln in lines[2:8]] == ["FGD", "BestFit", "DotProduct", "Packing", "Clustering", "Random"]
    md = (tmp_path / "report.md").read_text()
    assert md.startswith("# kubekit replay: openb (static)")
    assert "| FGD | 204 | 0 |" in md and "![fragmented](fragmented.png)" in md
    assert "`kubekit replay openb --mode static --policy fgd,bestfit,dotproduct,packing,clustering,random" in md
    for png in ("fragmented.png", "unallocated.png"):
        assert (tmp_path / png).read_bytes()[:8] == PNG
    data = json.loads((tmp_path / "results.json").read_text())
    for r in data["summary"]:
        assert r["pods_placed"] + r["pods_unplaced"] == r["pods_total"] == 204
        assert r["nodes_used"] >= r["lower_bound"] > 0


def test_inflate_and_arrivals(tmp_path):
    rc, out, err = run(["openb", "--mode", "inflate", "--policy", "fgd,bestfit,random", "--repeat", "2",
                        "--scoring", "simulator", "--out", str(tmp_path / "inf")])
    assert rc == 0, err
    assert "FGD[sim]" in out and "note: nodes: the 150 GPU nodes of 191" in out
    assert "### Every run" in (tmp_path / "inf" / "report.md").read_text()
    rc, out, err = run(["azure_v1", "--mode", "arrivals", "--policy", "bestfit", "--node-shape", "32,128",
                        "--out", str(tmp_path / "az")])
    assert rc == 0, err
    assert "identical nodes of 32 cores and 128 GiB are assumed" in out
    assert (tmp_path / "az" / "timeline.png").read_bytes()[:8] == PNG


def test_no_report_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc, out, _ = run(["alibaba2017", "--policy", "bestfit", "--limit", "300", "--no-report"])
    assert rc == 0 and "BestFit" in out and list(tmp_path.iterdir()) == []


def test_malformed_trace_is_reported_with_its_line(tmp_path):
    d = tmp_path / "openb"
    shutil.copytree(sample_path("openb"), d)
    f = d / "openb_pod_list_default.csv"
    rows = f.read_text().splitlines()
    rows[3] = rows[3].replace(",1,", ",one,", 1)
    f.write_text("\n".join(rows) + "\n")
    rc, out, err = run(["openb", "--path", str(d)])
    assert rc == 2 and out == ""
    assert err.startswith("kubekit replay: error: ") and "openb_pod_list_default.csv, line 4: column 'num_gpu'" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("argv, message", [
    (["google2011"], "google2011 has no pods to replay"),
    (["openb", "--policy", "worstfit"], "unknown policy 'worstfit'"),
    (["openb", "--mode", "inflate", "--ratio", "-1"], "ratio -1.0: expected a positive number"),
    (["azure_v1", "--mode", "inflate"], "mode 'inflate' needs GPU nodes and pods that request GPUs"),
    (["openb", "--trace-option", "variant"], "--trace-option 'variant': expected KEY=VALUE"),
    (["openb", "--path", "/nonexistent/openb"], "/nonexistent/openb: no such file or directory"),
])
def test_bad_input_exits_2(argv, message, tmp_path):
    rc, out, err = run([*argv, "--out", str(tmp_path)])
    assert rc == 2 and message in err, err


def test_module_entry_point(tmp_path, capsys):
    assert main(["replay", "openb", "--policy", "packing", "--limit", "50", "--out", str(tmp_path)]) == 0
    assert "Packing" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["replay", "nosuchtrace"])
    assert exc.value.code == 2


def test_cli_choices_match_the_library():
    import subprocess
    import sys

    from kubekit.packing import gpu
    from kubekit.replay import core, workload
    from kubekit.replay import cli as c
    from kubekit.traces import LOADERS

    assert c.TRACES == tuple(LOADERS)
    assert (c.MODES, c.ORDERS, c.NODE_SETS) == (workload.MODES, workload.ORDERS, core.NODE_SETS)
    assert (c.SCORINGS, c.TIE_BREAKS, c.DEFAULT_POPULARITY) == (gpu.SCORINGS, gpu.TIE_BREAKS, gpu.DEFAULT_POPULARITY)
    assert c.ENGINES == gpu.ENGINES
    # adding the subcommand to a parser loads neither numpy nor the library
    code = ("import sys, argparse, kubekit.replay.cli as c; c.add_replay_parser(argparse.ArgumentParser()"
            ".add_subparsers()); print(sorted(m for m in sys.modules if m.split('.')[0] == 'numpy' "
            "or m.startswith('kubekit.replay.') and m != 'kubekit.replay.cli'))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"
