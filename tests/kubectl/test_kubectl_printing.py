"""Ages, tables and columns as kubectl prints them (pure functions)."""

from __future__ import annotations

import pytest

from kubekit.kubectl.age import age, human_duration
from kubekit.kubectl.tables import Table, columns, node_roles, node_status, pod_ready, pod_status, render, table_for

NOW = 1_800_000_000.0


@pytest.mark.parametrize("seconds, text", [
    (-5, "<invalid>"), (-1, "0s"), (0, "0s"), (5, "5s"), (119, "119s"), (120, "2m"), (192, "3m12s"),
    (599, "9m59s"), (600, "10m"), (179 * 60, "179m"), (3 * 3600, "3h"), (5 * 3600 + 3 * 60, "5h3m"),
    (8 * 3600, "8h"), (47 * 3600, "47h"), (48 * 3600, "2d"), (52 * 3600, "2d4h"), (8 * 86400, "8d"),
    (400 * 86400, "400d"), (2 * 365 * 86400, "2y"), (3 * 365 * 86400 + 5 * 86400, "3y5d"), (9 * 365 * 86400, "9y"),
])
def test_human_duration_matches_kubectl(seconds, text):
    assert human_duration(seconds) == text


def test_age_of_a_timestamp():
    t = "2027-01-15T08:00:00Z"
    from kubekit.kubectl.age import parse_time
    assert age(t, parse_time(t) + 75) == "75s"
    assert age(None, NOW) == "<unknown>"


def pod(phase=None, *, ready=True, statuses=None, deleting=False, node=None, ip=None):
    st = {}
    if phase:
        st["phase"] = phase
    if statuses is not None:
        st["containerStatuses"] = statuses
    elif phase == "Running":
        st["containerStatuses"] = [{"name": "c", "ready": ready, "restartCount": 0, "state": {"running": {}}}]
    if ip:
        st["podIP"] = ip
    m = {"name": "web-1", "namespace": "default", "creationTimestamp": "2027-01-15T07:59:00Z"}
    if deleting:
        m["deletionTimestamp"] = "2027-01-15T08:00:00Z"
    return {"kind": "Pod", "metadata": m, "spec": {"containers": [{"name": "c"}], **({"nodeName": node} if node else {})},
            "status": st}


@pytest.mark.parametrize("p, status", [
    (pod(), "Pending"),
    (pod("Pending"), "Pending"),
    (pod("Running"), "Running"),
    (pod("Running", deleting=True), "Terminating"),
    (pod("Pending", statuses=[{"name": "c", "state": {"waiting": {"reason": "ImagePullBackOff"}}}]), "ImagePullBackOff"),
    (pod("Running", statuses=[{"name": "c", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]), "CrashLoopBackOff"),
    (pod("Succeeded", statuses=[{"name": "c", "state": {"terminated": {"reason": "Completed", "exitCode": 0}}}]),
     "Completed"),
    (pod("Failed", statuses=[{"name": "c", "state": {"terminated": {"exitCode": 2}}}]), "ExitCode:2"),
])
def test_pod_status_column(p, status):
    assert pod_status(p) == status


def test_pod_ready_column():
    assert pod_ready(pod("Running")) == "1/1"
    assert pod_ready(pod("Running", ready=False)) == "0/1"
    assert pod_ready(pod()) == "0/1"


def test_node_status_and_roles():
    n = {"metadata": {"labels": {"node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/worker": ""}},
         "spec": {"unschedulable": True}, "status": {"conditions": [{"type": "Ready", "status": "True"}]}}
    assert node_status(n) == "Ready,SchedulingDisabled"
    assert node_roles(n) == "control-plane,worker"
    assert node_status({"status": {"conditions": [{"type": "Ready", "status": "False"}]}}) == "NotReady"
    assert node_status({}) == "Unknown"
    assert node_roles({}) == "<none>"


def test_columns_per_kind_and_wide():
    assert columns("Pod") == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert columns("Pod", wide=True)[5:] == ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]
    assert columns("Node") == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert columns("Deployment") == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert columns("ReplicaSet") == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    assert columns("Deployment", wide=True)[5:] == ["CONTAINERS", "IMAGES", "SELECTOR"]
    assert columns("Pod", all_namespaces=True)[0] == "NAMESPACE"


def test_render_pads_columns_with_three_spaces():
    t = Table(["NAME", "READY", "STATUS"], [["web-1", "1/1", "Running"], ["a", "0/1", "Pending"]])
    assert render(t) == ("NAME    READY   STATUS\n"
                         "web-1   1/1     Running\n"
                         "a       0/1     Pending")
    assert render(t, header=False).splitlines()[0] == "web-1   1/1   Running"    # widths from the rows alone


def test_wide_pod_rows_show_ip_and_node():
    from kubekit.kubectl.age import parse_time
    now = parse_time("2027-01-15T08:00:00Z")
    t = table_for("Pod", [pod("Running", node="n1", ip="10.0.0.7")], now, wide=True)
    assert t.rows == [["web-1", "1/1", "Running", "0", "60s", "10.0.0.7", "n1", "<none>", "<none>"]]
    d = {"metadata": {"name": "web", "creationTimestamp": "2027-01-15T07:00:00Z"},
         "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                  "template": {"spec": {"containers": [{"name": "c", "image": "nginx:1"}]}}},
         "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}}
    assert table_for("Deployment", [d], now, wide=True).rows == [["web", "2/3", "3", "2", "60m", "c", "nginx:1", "app=web"]]
