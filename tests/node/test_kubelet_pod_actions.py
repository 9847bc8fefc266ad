"""computePodActions tables transcribed from
pkg/kubelet/kuberuntime/kuberuntime_manager_test.go (TestComputePodActions,
TestComputePodActionsWithInitContainers) plus ShouldContainerBeRestarted cases."""

from __future__ import annotations

import dataclasses

import pytest

from kubekit.node.rules.actions import PodActions, compute_pod_actions
from kubekit.node.rules.errors import NodeRulesError
from kubekit.node.rules.restart_policy import should_container_be_restarted
from kubekit.node.rules.runtime_status import PodRuntimeStatus, RuntimeContainer, Sandbox

SANDBOX = Sandbox(id="sandboxID", attempt=0, ready=True, ip="10.0.0.1")


def base(policy=None, init=False):
    """makeBasePodAndStatus / makeBasePodAndStatusWithInitContainers."""
    spec = {"containers": [{"name": f"foo{i}", "image": "busybox"} for i in (1, 2, 3)]}
    if policy:
        spec["restartPolicy"] = policy
    if init:
        spec["initContainers"] = [{"name": f"init{i}", "image": "bar-image"} for i in (1, 2, 3)]
        ctrs = [RuntimeContainer(name=f"init{i}", id=f"initid{i}", state="exited", created_at=-i) for i in (1, 2, 3)]
    else:
        ctrs = [RuntimeContainer(name=f"foo{i}", id=f"id{i}", state="running", created_at=-i) for i in (1, 2, 3)]
    p = {"metadata": {"uid": "12345678", "name": "foo", "namespace": "foo-ns"}, "spec": spec}
    return p, PodRuntimeStatus(sandboxes=(SANDBOX,), containers=tuple(ctrs))


def mut(status, idx, **kw):
    c = list(status.containers)
    c[idx] = dataclasses.replace(c[idx], **kw)
    return dataclasses.replace(status, containers=tuple(c))


def sandbox(status, **kw):
    return dataclasses.replace(status, sandboxes=(dataclasses.replace(status.sandboxes[0], **kw),))


def check(actions: PodActions, *, kill_pod=False, create=False, sandbox_id="sandboxID", attempt=0,
          start=(), init_start=(), kill=()):
    assert actions.kill_pod == kill_pod
    assert actions.create_sandbox == create
    assert actions.sandbox_id == sandbox_id
    assert actions.attempt == attempt
    assert list(actions.containers_to_start) == list(start)
    assert list(actions.init_containers_to_start) == list(init_start)
    assert actions.kill_ids() == tuple(sorted(kill))


# ---- TestComputePodActions ---------------------------------------------------

def test_everything_is_good_do_nothing():
    p, s = base()
    check(compute_pod_actions(p, s))


def test_start_pod_sandbox_and_all_containers_for_a_new_pod():
    p, _ = base()
    check(compute_pod_actions(p, PodRuntimeStatus()), kill_pod=True, create=True, sandbox_id="", start=[0, 1, 2])


def test_restart_exited_containers_if_restart_policy_always():
    p, s = base("Always")
    s = mut(mut(s, 0, state="exited", exit_code=0), 1, state="exited", exit_code=111)
    check(compute_pod_actions(p, s), start=[0, 1])


def test_restart_failed_containers_if_restart_policy_on_failure():
    p, s = base("OnFailure")
    s = mut(mut(s, 0, state="exited", exit_code=0), 1, state="exited", exit_code=111)
    check(compute_pod_actions(p, s), start=[1])


def test_restart_created_but_not_started_containers_if_on_failure():
    p, s = base("OnFailure")
    s = mut(mut(s, 0, state="exited", exit_code=0), 1, state="created")
    check(compute_pod_actions(p, s), start=[1])


def test_dont_restart_containers_if_restart_policy_never():
    p, s = base("Never")
    s = mut(mut(s, 0, state="exited", exit_code=0), 1, state="exited", exit_code=111)
    check(compute_pod_actions(p, s))


def test_kill_pod_and_recreate_everything_if_sandbox_dead_always():
    p, s = base("Always")
    check(compute_pod_actions(p, sandbox(s, ready=False)), kill_pod=True, create=True, attempt=1, start=[0, 1, 2])


def test_kill_pod_and_recreate_all_but_succeeded_if_sandbox_dead_on_failure():
    p, s = base("OnFailure")
    s = mut(sandbox(s, ready=False), 1, state="exited", exit_code=0)
    check(compute_pod_actions(p, s), kill_pod=True, create=True, attempt=1, start=[0, 2])


def test_kill_pod_and_recreate_all_if_sandbox_has_no_ip():
    p, s = base()
    check(compute_pod_actions(p, sandbox(s, ip="")), kill_pod=True, create=True, attempt=1, start=[0, 1, 2])


def test_kill_and_recreate_container_if_spec_changed():
    p, s = base("Always")
    s = mut(s, 1, spec_hash="432423432")
    actions = compute_pod_actions(p, s, spec_hashes={"foo2": "original"})
    check(actions, start=[1], kill=["id2"])
    assert actions.containers_to_kill[0].message == "Container foo2 definition changed, will be restarted"


def test_kill_and_recreate_container_if_liveness_failed():
    p, s = base("Always")
    actions = compute_pod_actions(p, s, liveness={"id2": "Failure"})
    check(actions, start=[1], kill=["id2"])
    assert actions.containers_to_kill[0].reason == "LivenessProbe"
    assert actions.containers_to_kill[0].message == "Container foo2 failed liveness probe, will be restarted"


def test_kill_and_recreate_container_if_startup_failed():
    p, s = base("Always")
    actions = compute_pod_actions(p, s, startup={"id2": "Failure"})
    check(actions, start=[1], kill=["id2"])
    assert actions.containers_to_kill[0].reason == "StartupProbe"


def test_no_new_sandbox_if_never_and_all_containers_exited():
    p, s = base("Never")
    s = sandbox(s, ready=False, attempt=1)
    for i in range(3):
        s = mut(s, i, state="exited", exit_code=0)
    check(compute_pod_actions(p, s), kill_pod=True, create=False, attempt=2)


def test_no_new_sandbox_if_on_failure_and_all_containers_succeeded():
    p, s = base("OnFailure")
    s = sandbox(s, ready=False, attempt=1)
    for i in range(3):
        s = mut(s, i, state="exited", exit_code=0)
    check(compute_pod_actions(p, s), kill_pod=True, create=False, attempt=2)


def test_new_sandbox_if_never_and_no_containers_ever_created():
    p, s = base("Never")
    s = dataclasses.replace(sandbox(s, ready=False, attempt=2), containers=())
    check(compute_pod_actions(p, s), kill_pod=True, create=True, attempt=3, start=[0, 1, 2])


def test_kill_and_recreate_container_in_unknown_state():
    p, s = base("Never")
    check(compute_pod_actions(p, mut(s, 1, state="unknown")), start=[1], kill=["id2"])


def test_restart_container_in_created_state():
    p, s = base("Never")
    check(compute_pod_actions(p, mut(s, 1, state="created")), start=[1])


# ---- TestComputePodActionsWithInitContainers ----------------------------------

def test_init_initialization_completed_start_all_containers():
    p, s = base(init=True)
    check(compute_pod_actions(p, s), start=[0, 1, 2])


def test_init_no_init_containers_started_start_the_first_one():
    p, s = base(init=True)
    check(compute_pod_actions(p, dataclasses.replace(s, containers=())), init_start=[0])


def test_init_initialization_in_progress_do_nothing():
    p, s = base("Always", init=True)
    check(compute_pod_actions(p, mut(s, 2, state="running")))


def test_init_kill_pod_and_restart_first_init_container_if_sandbox_dead():
    p, s = base("Always", init=True)
    check(compute_pod_actions(p, sandbox(s, ready=False)), kill_pod=True, create=True, attempt=1, init_start=[0])


@pytest.mark.parametrize("policy", ["Always", "OnFailure"])
def test_init_failed_restart_the_last_init_container(policy):
    p, s = base(policy, init=True)
    check(compute_pod_actions(p, mut(s, 2, exit_code=137)), init_start=[2])


def test_init_failed_kill_pod_if_never():
    p, s = base("Never", init=True)
    check(compute_pod_actions(p, mut(s, 2, exit_code=137)), kill_pod=True)


@pytest.mark.parametrize("policy", ["Always", "OnFailure"])
def test_init_state_unknown_kill_and_recreate_last_init_container(policy):
    p, s = base(policy, init=True)
    check(compute_pod_actions(p, mut(s, 2, state="unknown")), init_start=[2], kill=["initid3"])


def test_init_state_unknown_kill_pod_if_never():
    p, s = base("Never", init=True)
    check(compute_pod_actions(p, mut(s, 2, state="unknown")), kill_pod=True)


def test_init_sandbox_not_ready_never_kill_pod_only():
    p, s = base("Never", init=True)
    check(compute_pod_actions(p, sandbox(s, ready=False)), kill_pod=True, create=False, attempt=1)


def test_init_sandbox_not_ready_never_no_visible_init_containers_create_sandbox():
    p, s = base("Never", init=True)
    s = dataclasses.replace(sandbox(s, ready=False), containers=())
    check(compute_pod_actions(p, s), kill_pod=True, create=True, attempt=1, init_start=[0])


def test_init_sandbox_not_ready_init_failed_on_failure_create_sandbox():
    p, s = base("OnFailure", init=True)
    s = mut(sandbox(s, ready=False), 2, exit_code=137)
    check(compute_pod_actions(p, s), kill_pod=True, create=True, attempt=1, init_start=[0])


def test_init_statuses_missing_but_last_running_dont_restart_preceding():
    p, s = base("Always", init=True)
    s = mut(s, 2, state="running")
    s = dataclasses.replace(s, containers=s.containers[2:])
    check(compute_pod_actions(p, s))


def test_init_container_in_created_state_restart_it():
    p, s = base("Always", init=True)
    check(compute_pod_actions(p, mut(s, 2, state="created")), init_start=[2])


# ---- sidecars (computeInitContainerActions branches) -------------------------

def test_sidecar_started_starts_next_init_then_regular_containers():
    p = {"spec": {"initContainers": [{"name": "sc", "restartPolicy": "Always"}, {"name": "init"}],
                  "containers": [{"name": "app"}]}}
    s = PodRuntimeStatus((SANDBOX,), (RuntimeContainer("sc", "sc1", "running"),))
    check(compute_pod_actions(p, s), init_start=[1])
    s = PodRuntimeStatus((SANDBOX,), (RuntimeContainer("sc", "sc1", "running"), RuntimeContainer("init", "i1", "exited")))
    check(compute_pod_actions(p, s), start=[0])


def test_sidecar_waits_for_startup_probe_and_is_restarted_when_it_exits():
    p = {"spec": {"initContainers": [{"name": "sc", "restartPolicy": "Always", "startupProbe": {}}],
                  "containers": [{"name": "app"}]}}
    s = PodRuntimeStatus((SANDBOX,), (RuntimeContainer("sc", "sc1", "running"),))
    check(compute_pod_actions(p, s))  # startup probe not run yet: wait
    check(compute_pod_actions(p, s, startup={"sc1": "Success"}), start=[0])
    failed = compute_pod_actions(p, s, startup={"sc1": "Failure"})
    check(failed, init_start=[0], kill=["sc1"])
    s2 = PodRuntimeStatus((SANDBOX,), (RuntimeContainer("sc", "sc1", "exited", exit_code=1),
                                       RuntimeContainer("app", "a1", "running")))
    check(compute_pod_actions(p, s2), init_start=[0])


def test_all_regular_containers_done_kills_pod_and_does_not_restart_sidecars():
    p = {"spec": {"restartPolicy": "Never", "initContainers": [{"name": "sc", "restartPolicy": "Always"}],
                  "containers": [{"name": "app"}]}}
    s = PodRuntimeStatus((SANDBOX,), (RuntimeContainer("sc", "sc1", "running"),
                                      RuntimeContainer("app", "a1", "exited", exit_code=0)))
    check(compute_pod_actions(p, s), kill_pod=True)


def test_deleted_pod_restarts_nothing():
    p, s = base("Always")
    p["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    s = mut(s, 0, state="exited", exit_code=1)
    check(compute_pod_actions(p, s))


# ---- ShouldContainerBeRestarted (pkg/kubelet/container/helpers.go) -----------

@pytest.mark.parametrize(
    "policy,state,code,want",
    [
        ("Always", None, 0, True), ("Never", None, 0, True),
        ("Never", "running", 0, False), ("Always", "running", 0, False),
        ("Never", "unknown", 0, True), ("Never", "created", 0, True),
        ("Never", "exited", 1, False), ("OnFailure", "exited", 0, False),
        ("OnFailure", "exited", 2, True), ("Always", "exited", 0, True),
    ],
)
def test_should_container_be_restarted(policy, state, code, want):
    p = {"spec": {"restartPolicy": policy, "containers": [{"name": "c"}]}}
    assert should_container_be_restarted({"name": "c"}, p, state, code) is want


def test_restart_policy_rules_restart_on_matching_exit_code():
    c = {"name": "c", "restartPolicy": "Never",
         "restartPolicyRules": [{"action": "Restart", "exitCodes": {"operator": "In", "values": [42]}}]}
    p = {"spec": {"restartPolicy": "Never", "containers": [c]}}
    assert should_container_be_restarted(c, p, "exited", 42) is True
    assert should_container_be_restarted(c, p, "exited", 1) is False


def test_bad_runtime_state_names_the_container():
    with pytest.raises(NodeRulesError, match="'web'.*'paused'"):
        RuntimeContainer("web", "id", "paused")
    with pytest.raises(NodeRulesError, match="restartPolicy"):
        should_container_be_restarted({"name": "c"}, {"spec": {"restartPolicy": "Sometimes"}}, "exited", 1)
