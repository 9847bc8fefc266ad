"""convertToAPIContainerStatuses: rows transcribed from
pkg/kubelet/kubelet_pods_test.go TestConvertToAPIContainerStatuses (the rows that
do not need the alpha RestartAllContainers gate), plus reason/lastState cases
written from the source."""

from __future__ import annotations

import pytest

from kubekit.node.rules.container_status import (
    CRASH_LOOP_BACK_OFF,
    MSG_INIT_ASSUMED_COMPLETED,
    MSG_LOCATED_WHEN_DELETED,
    container_statuses,
    runtime_exit_reason,
)
from kubekit.node.rules.runtime_status import PodRuntimeStatus, RuntimeContainer

SPEC = {"containers": [{"name": "containerA"}, {"name": "containerB"}], "restartPolicy": "Always"}


def running(name, restart_count=0):
    return {"name": name, "state": {"running": {}}, "restartCount": restart_count}


def waiting_last_unknown(name, restart_count):
    """waitingWithLastTerminationUnknown."""
    return {
        "name": name,
        "state": {"waiting": {"reason": "ContainerCreating"}},
        "lastState": {"terminated": {"reason": "ContainerStatusUnknown", "message": MSG_LOCATED_WHEN_DELETED, "exitCode": 137}},
        "restartCount": restart_count,
    }


def slim(statuses):
    return [{k: v for k, v in s.items() if k in ("name", "state", "lastState", "restartCount") and v != {}} for s in statuses]


@pytest.mark.parametrize("deleted,count", [(True, 0), (False, 1)])
def test_no_current_status_with_previous_running_statuses(deleted, count):
    pod = {"metadata": {"name": "my-pod"}, "spec": SPEC}
    if deleted:
        pod["metadata"]["deletionTimestamp"] = "now"
    got = container_statuses(pod, SPEC["containers"], PodRuntimeStatus(), [running("containerA"), running("containerB")])
    assert slim(got) == [waiting_last_unknown("containerA", count), waiting_last_unknown("containerB", count)]


def test_no_current_status_keeping_previous_restart_count():
    prev = [
        {"name": "containerA", "state": {"terminated": {"exitCode": -1}}, "restartCount": 5},
        {"name": "containerB", "state": {"terminated": {"exitCode": -1}}, "restartCount": 5},
    ]
    got = container_statuses({"spec": SPEC}, SPEC["containers"], PodRuntimeStatus(), prev)
    assert slim(got) == prev


def test_init_container_status_lost_after_initialization_is_treated_as_completed():
    spec = {"initContainers": [{"name": "init-1"}], "containers": [{"name": "containerA"}], "restartPolicy": "Always"}
    rt = PodRuntimeStatus(containers=(RuntimeContainer("containerA", "foo", "running", started_at=1.0),))
    got = container_statuses({"spec": spec}, spec["initContainers"], rt, [], has_init_containers=True, is_init_container=True)
    assert slim(got) == [
        {"name": "init-1", "state": {"terminated": {"reason": "Completed", "message": MSG_INIT_ASSUMED_COMPLETED, "exitCode": 0}}, "restartCount": 0}
    ]


def test_sidecar_status_lost_after_initialization_stays_waiting():
    spec = {"initContainers": [{"name": "sidecar-1", "restartPolicy": "Always"}], "containers": [{"name": "containerA"}]}
    rt = PodRuntimeStatus(containers=(RuntimeContainer("containerA", "foo", "running", started_at=1.0),))
    got = container_statuses({"spec": spec}, spec["initContainers"], rt, [], has_init_containers=True, is_init_container=True)
    assert slim(got) == [{"name": "sidecar-1", "state": {"waiting": {"reason": "PodInitializing"}}, "restartCount": 0}]


# ---- written from the source -------------------------------------------------

def test_default_waiting_reasons():
    got = container_statuses({"spec": SPEC}, SPEC["containers"], PodRuntimeStatus())
    assert [s["state"] for s in got] == [{"waiting": {"reason": "ContainerCreating"}}] * 2
    got = container_statuses({"spec": SPEC}, SPEC["containers"], PodRuntimeStatus(), has_init_containers=True)
    assert [s["state"] for s in got] == [{"waiting": {"reason": "PodInitializing"}}] * 2


def test_crash_loop_back_off_moves_terminated_state_to_last_state():
    rt = PodRuntimeStatus(containers=(
        RuntimeContainer("containerA", "a2", "exited", exit_code=1, reason="Error", created_at=2, restart_count=3),
        RuntimeContainer("containerA", "a1", "exited", exit_code=1, reason="Error", created_at=1, restart_count=2),
        RuntimeContainer("containerB", "b1", "running", created_at=1),
    ))
    msg = "back-off 40s restarting failed container=containerA pod=p_ns(u)"
    got = container_statuses({"spec": SPEC}, SPEC["containers"], rt, sync_errors={"containerA": (CRASH_LOOP_BACK_OFF, msg)})
    a = got[0]
    assert a["state"] == {"waiting": {"reason": "CrashLoopBackOff", "message": msg}}
    assert a["lastState"]["terminated"]["reason"] == "Error" and a["lastState"]["terminated"]["containerID"] == "a2"
    assert a["restartCount"] == 3
    assert got[1]["state"]["running"] is not None


def test_second_newest_instance_becomes_last_state():
    rt = PodRuntimeStatus(containers=(
        RuntimeContainer("containerA", "a2", "running", created_at=2, restart_count=1),
        RuntimeContainer("containerA", "a1", "exited", exit_code=137, reason="OOMKilled", created_at=1),
    ))
    got = container_statuses({"spec": SPEC}, SPEC["containers"][:1], rt)
    assert "running" in got[0]["state"]
    assert got[0]["lastState"]["terminated"]["reason"] == "OOMKilled"
    assert got[0]["restartCount"] == 1


def test_never_policy_keeps_terminated_state_even_with_sync_error():
    spec = dict(SPEC, restartPolicy="Never")
    rt = PodRuntimeStatus(containers=(RuntimeContainer("containerA", "a1", "exited", exit_code=2, reason="Error"),))
    got = container_statuses({"spec": spec}, spec["containers"][:1], rt, sync_errors={"containerA": ("CrashLoopBackOff", "")})
    assert got[0]["state"]["terminated"]["exitCode"] == 2


def test_image_pull_error_reason():
    got = container_statuses({"spec": SPEC}, SPEC["containers"][:1], PodRuntimeStatus(),
                             sync_errors={"containerA": ("ErrImagePull", "pull access denied")})
    assert got[0]["state"] == {"waiting": {"reason": "ErrImagePull", "message": "pull access denied"}}


def test_unknown_state_of_previously_running_container_is_terminated_137():
    rt = PodRuntimeStatus(containers=(RuntimeContainer("containerA", "a1", "unknown"),))
    got = container_statuses({"spec": SPEC}, SPEC["containers"][:1], rt, [running("containerA", 4)])
    assert got[0]["state"]["terminated"]["reason"] == "ContainerStatusUnknown"
    assert got[0]["state"]["terminated"]["exitCode"] == 137
    assert got[0]["restartCount"] == 5


def test_started_flag_is_preserved_for_running_containers():
    rt = PodRuntimeStatus(containers=(RuntimeContainer("containerA", "a1", "running"),))
    got = container_statuses({"spec": SPEC}, SPEC["containers"][:1], rt, [dict(running("containerA"), started=True)])
    assert got[0]["started"] is True


@pytest.mark.parametrize(
    "code,oom,start_failed,want",
    [(0, False, False, "Completed"), (1, False, False, "Error"), (137, True, False, "OOMKilled"), (128, False, True, "StartError")],
)
def test_runtime_exit_reason(code, oom, start_failed, want):
    assert runtime_exit_reason(code, oom_killed=oom, start_failed=start_failed) == want
