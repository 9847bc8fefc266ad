"""Whether a container is restarted after it exits.

* ``container_should_restart`` is ``podutil.ContainerShouldRestart``
  (``pkg/api/v1/pod/util.go``): container-level ``restartPolicyRules`` first,
  then the container-level ``restartPolicy``, then the pod's ``restartPolicy``.
* ``should_container_be_restarted`` is ``kubecontainer.ShouldContainerBeRestarted``
  (``pkg/kubelet/container/helpers.go``) with the ``ContainerRestartRules``
  feature gate on (beta, default on, in v1.35).  For pods without container-level
  restart policies (the only valid ones in a v1.34 cluster with default gates) the
  answer is the same as v1.34's pod-level switch.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from kubekit.node.rules.errors import NodeRulesError
from kubekit.node.rules.pod_spec import Manifest, container_restart_policy, is_deleted, pod_restart_policy


def _matching_rule(container: Mapping[str, Any], code: int) -> Optional[Mapping[str, Any]]:
    """``findMatchingContainerRestartRule``: the first rule whose exit-code
    requirement matches ``code`` (operators ``In``/``NotIn``; others never match)."""
    for rule in container.get("restartPolicyRules") or ():
        exit_codes = rule.get("exitCodes")
        if exit_codes is None:
            continue
        matched = code in [int(v) for v in exit_codes.get("values") or ()]
        operator = exit_codes.get("operator")
        if operator == "In" and matched:
            return rule
        if operator == "NotIn" and not matched:
            return rule
    return None


def container_should_restart(container: Mapping[str, Any], pod: Manifest, code: int) -> bool:
    """``ContainerShouldRestart(container, pod.Spec, exitCode)``."""
    policy = container_restart_policy(container)
    if policy is not None:
        rule = _matching_rule(container, code)
        if rule is not None and rule.get("action") == "Restart":
            return True
        if policy == "Always":
            return True
        if policy == "OnFailure":
            return code != 0
        return False
    pod_policy = pod_restart_policy(pod)
    if pod_policy == "OnFailure":
        return code != 0
    return pod_policy == "Always"


def should_restart_on_failure(pod: Manifest) -> bool:
    """``shouldRestartOnFailure``: the pod's restartPolicy is not ``Never``."""
    return pod_restart_policy(pod) != "Never"


RUNTIME_STATES = ("created", "running", "exited", "unknown")


def check_runtime_state(state: str, name: str) -> str:
    if state not in RUNTIME_STATES:
        raise NodeRulesError(
            f"runtime status of container {name!r}: unknown state {state!r}, expected one of {list(RUNTIME_STATES)}"
        )
    return state


def should_container_be_restarted(
    container: Mapping[str, Any], pod: Manifest, state: Optional[str], code: int = 0
) -> bool:
    """``ShouldContainerBeRestarted``.  ``state`` is the runtime state of the
    container's latest instance (``created``/``running``/``exited``/``unknown``),
    or ``None`` when the runtime has no instance of it."""
    if is_deleted(pod):
        return False
    if state is None:
        return True
    check_runtime_state(state, str(container.get("name")))
    if state == "running":
        return False
    if state in ("unknown", "created"):
        return True
    return container_should_restart(container, pod, code)
