"""Status builders mirroring the helpers of pkg/kubelet/kubelet_pods_test.go
(waitingState, runningState, succeededState, failedState, ...)."""

from __future__ import annotations


def waiting(name, reason=""):
    return {"name": name, "state": {"waiting": {"reason": reason}}}


def waiting_last_termination(name):  # waitingStateWithLastTermination
    return {"name": name, "state": {"waiting": {}}, "lastState": {"terminated": {"exitCode": 0}}}


def waiting_nonzero_termination(name):  # waitingStateWithNonZeroTermination
    return {"name": name, "state": {"waiting": {}}, "lastState": {"terminated": {"exitCode": -1}}}


def running(name):
    return {"name": name, "state": {"running": {}}}


def started(name):  # startedState
    return {"name": name, "state": {"running": {}}, "started": True}


def stopped(name):  # stoppedState: Terminated{} (exit 0)
    return {"name": name, "state": {"terminated": {}}}


def succeeded(name):
    return {"name": name, "state": {"terminated": {"exitCode": 0}}}


def failed(name, code=-1):
    return {"name": name, "state": {"terminated": {"exitCode": code}}}


def ready(name):  # getReadyStatus
    return {"name": name, "ready": True}


def not_ready(name):  # getNotReadyStatus
    return {"name": name, "ready": False}


def pod(containers=(), init=(), restart_policy=None, **spec):
    s = {"containers": [c if isinstance(c, dict) else {"name": c} for c in containers]}
    if init:
        s["initContainers"] = [c if isinstance(c, dict) else {"name": c} for c in init]
    if restart_policy:
        s["restartPolicy"] = restart_policy
    s.update(spec)
    return {"metadata": {"name": "p", "namespace": "ns", "uid": "u"}, "spec": s}


def sidecar(name):
    return {"name": name, "restartPolicy": "Always"}
