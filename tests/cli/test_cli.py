"""The kubekit command: demo and schedule, run as a user would."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import yaml

from kubekit.cli import main
from kubekit.demo import run_openb


def test_demo_schedules_the_real_workload():
    out = io.StringIO()
    assert run_openb(out) == 0
    text = out.getvalue()
    assert "cluster: 1213 nodes" in text
    assert "20012 bound, 1 unschedulable" in text
    # the vLLM Deployment asks for nvidia.com/gpu, which no OpenB node offers
    assert "1213 Insufficient nvidia.com/gpu" in text


def test_schedule_command(tmp_path, capsys):
    nodes = tmp_path / "nodes.yaml"
    pods = tmp_path / "pods.yaml"
    nodes.write_text(yaml.safe_dump_all([
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"n{i}"},
         "status": {"allocatable": {"cpu": "2", "memory": "4Gi", "pods": "10"}}} for i in range(2)
    ]))
    pods.write_text(yaml.safe_dump_all([
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
         "spec": {"replicas": 3, "template": {"spec": {"containers": [
             {"name": "c", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}]}}}},
    ]))
    code = main(["schedule", "--nodes", str(nodes), "--pods", str(pods), "--json"])
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert code == 0
    assert [x["pod"] for x in lines] == ["default/web-0", "default/web-1", "default/web-2"]
    assert all(x["node"] in ("n0", "n1") for x in lines)
    big = tmp_path / "big.yaml"
    big.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "big"},
                                   "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "3"}}}]}}))
    assert main(["schedule", "--nodes", str(nodes), "--pods", str(big)]) == 1
    assert "0/2 nodes are available: 2 Insufficient cpu." in capsys.readouterr().out


def test_module_entry_point():
    r = subprocess.run([sys.executable, "-m", "kubekit", "--help"], capture_output=True, text=True, check=True)
    assert "demo" in r.stdout and "schedule" in r.stdout
