"""What the container runtime reports about a pod: the pure counterpart of
``kubecontainer.PodStatus`` (sandboxes and container instances)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence, Tuple

from kubekit.node.rules.errors import NodeRulesError
from kubekit.node.rules.restart_policy import check_runtime_state


@dataclass(frozen=True, slots=True)
class RuntimeContainer:
    """One container instance as the runtime reports it (``kubecontainer.Status``).

    ``state`` is ``created``/``running``/``exited``/``unknown``.  ``spec_hash`` is
    whatever hash the agent stamped on the instance when it created it; the
    rules compare it with the hash of the current spec (``containerChanged``).
    ``None`` means "unknown, assume unchanged"."""

    name: str
    id: str
    state: str
    exit_code: int = 0
    reason: str = ""
    message: str = ""
    created_at: float = 0.0
    started_at: Optional[float] = None
    finished_at: Optional[float] = None
    restart_count: int = 0
    spec_hash: Optional[str] = None

    def __post_init__(self) -> None:
        if not self.name:
            raise NodeRulesError(f"runtime container {self.id!r}: empty name")
        check_runtime_state(self.state, self.name)


@dataclass(frozen=True, slots=True)
class Sandbox:
    """A pod sandbox (``runtimeapi.PodSandboxStatus``): its attempt number,
    readiness, IP, and whether it uses the host network namespace."""

    id: str
    attempt: int = 0
    ready: bool = True
    ip: str = ""
    host_network: bool = False


@dataclass(frozen=True, slots=True)
class PodRuntimeStatus:
    """``kubecontainer.PodStatus``: sandboxes newest first, and container
    instances (any order; the newest per name is found by ``created_at``)."""

    sandboxes: Tuple[Sandbox, ...] = ()
    containers: Tuple[RuntimeContainer, ...] = field(default_factory=tuple)

    def newest_first(self) -> Sequence[RuntimeContainer]:
        """Instances sorted newest first (stable), as the kubelet sorts them."""
        return sorted(self.containers, key=lambda c: -c.created_at)

    def find(self, name: str) -> Optional[RuntimeContainer]:
        """``FindContainerStatusByName``: the newest instance with this name."""
        for c in self.newest_first():
            if c.name == name:
                return c
        return None
