"""``kubekit demo``'s story, told on simulated nodes and a fake clock: every
step reaches its state (the real-container version runs in CI's demo smoke
and in test_demo_story_real below, as root)."""

from __future__ import annotations

import io
import os
import re

import pytest

from kubekit.clock import FakeClock
from kubekit.demo import run
from kubekit.demo.view import event_line, hpa_lines, node_lines, pod_lines


def _tell(**kw) -> tuple[int, str]:
    out = io.StringIO()
    code = run(out, live=False, **kw)
    return code, out.getvalue()


def test_the_whole_story_on_simulated_nodes():
    code, text = _tell(clock=FakeClock(), simulated_only=True)
    assert code == 0, text
    assert "local node: SIMULATED, because asked for simulated nodes only" in text
    assert "deployment/web created" in text and "horizontalpodautoscaler/web created" in text
    assert "explain web-next: would go to local-sim" in text          # the preferred affinity wins
    assert "skipped: no real containers" in text
    assert re.search(r"SuccessfulRescale — New size: 6; reason: cpu resource utilization", text)
    assert re.search(r"SuccessfulRescale — New size: 12;", text)
    assert "TriggeredScaleUp — pod triggered scale-up: [{burst 1->2 (max: 3)}]" in text
    assert re.search(r"the cluster autoscaler grew the 'burst' group from 1 to 2 node\(s\) \(scale-up at [\d.]+s\)", text)
    assert re.search(r"SuccessfulRescale — New size: 2; reason: All metrics below target", text)
    assert "the cluster autoscaler removed 1 node(s)" in text
    assert "3 HPA rescale(s), 1 node(s) added and 1 removed" in text
    assert not re.search(r"\d+s  \S+: FailedScheduling", text.split("== 7.")[1])  # nothing stuck at the end


def test_the_scale_down_waits_for_the_stabilization_window():
    code, text = _tell(clock=FakeClock(), simulated_only=True)
    assert code == 0
    seconds = {m.group(2): float(m.group(1)) for m in re.finditer(
        r"(\d+\.\d)s  horizontalpodautoscaler/web: SuccessfulRescale — New size: (\d+)", text)}
    unload = text.split("== 7.")[1]
    assert seconds["2"] - seconds["12"] >= 20     # the 20 s window of web.yaml's behavior
    assert "New size: 2" in unload


def test_a_step_that_never_happens_fails_the_demo_and_still_cleans_up(monkeypatch):
    import kubekit.demo.setting as setting

    monkeypatch.setattr(setting, "LOAD_MILLI", setting.IDLE_MILLI)     # the load never shows
    tops = []
    real_open = setting.open_setting

    def spy(*a, **kw):
        s = real_open(*a, **kw)
        tops.append(s.top)
        return s
    monkeypatch.setattr("kubekit.demo.story.open_setting", spy)
    code, text = _tell(clock=FakeClock(), simulated_only=True, timeout_scale=0.5)
    assert code == 1
    assert "demo failed: the HPA scaling out to 12: not reached within 60 s" in text
    assert tops and not os.path.exists(tops[0])


def test_view_tables():
    nodes = [{"metadata": {"name": "b"}, "status": {"allocatable": {"cpu": "1"}}},
             {"metadata": {"name": "a"}, "spec": {"unschedulable": True}, "status": {"allocatable": {"cpu": "600m"}}}]
    pods = [{"metadata": {"name": "p", "namespace": "default"},
             "spec": {"nodeName": "b", "containers": [{"resources": {"requests": {"cpu": "200m"}}}]},
             "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
                        "containerStatuses": [{"restartCount": 2}]}}]
    lines = node_lines(nodes, pods, real={"a"})
    assert lines[1].split() == ["a", "real", "0m/600m", "0", "SchedulingDisabled"]
    assert lines[2].split() == ["b", "simulated", "200m/1000m", "1", "Ready"]
    assert pod_lines(pods, {"default/p": 150})[1].split() == ["p", "b", "Running", "yes", "2", "150m"]
    hpa = {"metadata": {"name": "web"}, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"},
                                                 "minReplicas": 2, "maxReplicas": 5, "metrics": [
        {"type": "Resource", "resource": {"name": "cpu", "target": {"averageUtilization": 50}}}]},
           "status": {"currentReplicas": 3, "desiredReplicas": 4, "currentMetrics": [
               {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 75}}}]}}
    assert hpa_lines([hpa])[1].split() == ["web", "Deployment/web", "75%/50%", "2", "5", "3", "4"]
    ev = {"reason": "Scheduled", "message": "ok", "involvedObject": {"kind": "Pod", "name": "p"},
          "source": {"component": "default-scheduler"}}
    assert event_line(1.25, ev) == "   1.2s  pod/p: Scheduled — ok [default-scheduler]"
    assert event_line(1.0, {**ev, "reason": "Pulled"}) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="real containers need root")
def test_the_whole_story_with_real_containers():
    code, text = _tell()
    assert code == 0, text
    assert "real containers (namespaces, cgroups, overlayfs)" in text
    assert re.search(r"restarted after [\d.]+s: restartCount 1, last state terminated \(reason Error, exit code 137", text), text
    assert "the cluster autoscaler grew the 'burst' group from 1 to" in text
    assert re.search(r"[1-9]\d* node\(s\) added and [1-9]\d* removed", text)
    assert "the cluster autoscaler removed" in text
