"""kubekit's error hierarchy.

Every error names the bad input and what was expected.  All of them derive
from :class:`KubekitError`; those caused by bad input also derive from
:class:`ValueError` so that callers who only know the standard library can
still catch them.
"""

from __future__ import annotations


class KubekitError(Exception):
    """Base class of every error kubekit raises on purpose."""


class QuantityError(KubekitError, ValueError):
    """A string is not a valid Kubernetes resource quantity."""


class ManifestError(KubekitError, ValueError):
    """A manifest is malformed.  ``path`` is the field path, e.g.
    ``spec.containers[1].resources.requests.cpu``."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


class ConfigError(KubekitError, ValueError):
    """A KubeSchedulerConfiguration is invalid (the messages follow
    kube-scheduler's validation: ``profiles[0].plugins.score.enabled[1].weight:
    Invalid value: 101: ...``)."""


class SchedulerError(KubekitError):
    """The scheduler was used incorrectly (unknown node, duplicate node name...)."""


class RuntimeSpecError(KubekitError, ValueError):
    """A container spec is invalid (a missing rootfs, a hostname without a UTS
    namespace, a bad quantity...).  Raised before anything is created."""


class ContainerError(KubekitError, OSError):
    """Starting or managing a container failed in the kernel.  The message names
    the step, e.g. ``pivot_root(/var/lib/kubekit/...): Invalid argument``;
    ``errno`` is set when the kernel gave one."""


class CgroupError(KubekitError, OSError):
    """A cgroup operation failed (the kernel refused a limit, a cgroup is not
    empty, lowering memory below current usage...)."""
