"""Small readers over pod manifests (plain ``dict`` objects as the API serves them).

Only the fields the kubelet rules need are read; everything is defaulted the way
the API server's defaulting would (``restartPolicy`` -> ``Always``).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Sequence

from kubekit.node.rules.errors import NodeRulesError

Manifest = Mapping[str, Any]

POD_RESTART_POLICIES = ("Always", "OnFailure", "Never")
CONTAINER_RESTART_POLICIES = ("Always", "OnFailure", "Never")


def spec_of(pod: Manifest) -> Mapping[str, Any]:
    """``pod["spec"]`` (or ``{}``); a non-mapping spec is an error."""
    spec = pod.get("spec") or {}
    if not isinstance(spec, Mapping):
        raise NodeRulesError(f"pod.spec: expected a mapping, got {type(spec).__name__}")
    return spec


def pod_restart_policy(pod: Manifest) -> str:
    """``spec.restartPolicy`` defaulted to ``Always`` (SetDefaults_PodSpec)."""
    policy = spec_of(pod).get("restartPolicy") or "Always"
    if policy not in POD_RESTART_POLICIES:
        raise NodeRulesError(
            f"pod.spec.restartPolicy: unsupported value {policy!r}, expected one of {list(POD_RESTART_POLICIES)}"
        )
    return policy


def containers(pod: Manifest) -> Sequence[Mapping[str, Any]]:
    return list(spec_of(pod).get("containers") or [])


def init_containers(pod: Manifest) -> Sequence[Mapping[str, Any]]:
    return list(spec_of(pod).get("initContainers") or [])


def ephemeral_containers(pod: Manifest) -> Sequence[Mapping[str, Any]]:
    return list(spec_of(pod).get("ephemeralContainers") or [])


def container_restart_policy(container: Mapping[str, Any]) -> Optional[str]:
    """The container-level ``restartPolicy`` or ``None`` when unset."""
    policy = container.get("restartPolicy")
    if policy is None:
        return None
    if policy not in CONTAINER_RESTART_POLICIES:
        raise NodeRulesError(
            f"container {container.get('name')!r} restartPolicy: unsupported value {policy!r}, "
            f"expected one of {list(CONTAINER_RESTART_POLICIES)}"
        )
    return policy


def is_restartable_init_container(container: Mapping[str, Any]) -> bool:
    """``podutil.IsRestartableInitContainer``: an init container whose
    ``restartPolicy`` is ``Always`` (a sidecar)."""
    return container.get("restartPolicy") == "Always"


def is_deleted(pod: Manifest) -> bool:
    """``pod.DeletionTimestamp != nil``."""
    return bool((pod.get("metadata") or {}).get("deletionTimestamp"))


def is_static_pod(pod: Manifest) -> bool:
    """``kubetypes.IsStaticPod``: the ``kubernetes.io/config.source`` annotation
    is set and is not ``api``."""
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    source = annotations.get("kubernetes.io/config.source")
    return bool(source) and source != "api"


def find_status(statuses: Iterable[Mapping[str, Any]], name: str) -> Optional[Mapping[str, Any]]:
    """``podutil.GetContainerStatus``: the first status with this name."""
    for status in statuses or ():
        if status.get("name") == name:
            return status
    return None


def state_kind(state: Optional[Mapping[str, Any]]) -> Optional[str]:
    """Which of ``running``/``terminated``/``waiting`` a ContainerState holds.

    Go checks the pointers in the order Running, Terminated, Waiting; an empty
    state (all nil) is ``None``."""
    if not state:
        return None
    for kind in ("running", "terminated", "waiting"):
        if state.get(kind) is not None:
            return kind
    return None


def exit_code(terminated: Optional[Mapping[str, Any]]) -> int:
    return int((terminated or {}).get("exitCode") or 0)
