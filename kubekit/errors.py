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


class StoreError(KubekitError):
    """Base of the cluster store's errors (:mod:`kubekit.store`)."""


class NotFoundError(StoreError, KeyError):
    """The object (or lease) does not exist: ``pods "web-1" not found``."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class AlreadyExistsError(StoreError):
    """A create named an object that exists: ``pods "web-1" already exists``."""


class ConflictError(StoreError):
    """Optimistic concurrency failed: the update carried a stale
    ``metadata.resourceVersion`` (or a delete precondition did not hold).  The
    message is the API server's: ``Operation cannot be fulfilled on pods
    "web-1": the object has been modified; please apply your changes to the
    latest version and try again``."""


class InvalidObjectError(StoreError, ValueError):
    """An object cannot be stored as given (no name, a namespace on a
    cluster-scoped kind, an unknown kind...).  The message names the field."""


class CompactedError(StoreError):
    """A read or watch asked for a revision older than the compacted history
    (etcd's ``ErrCompacted``, the API server's ``410 Gone``); relist and watch
    again from the list's revision.  ``compact_revision`` is the oldest
    revision still available."""

    def __init__(self, requested: int, compact_revision: int) -> None:
        self.requested = requested
        self.compact_revision = compact_revision
        super().__init__(
            f"required revision {requested} has been compacted; the oldest available is {compact_revision}")


class LeaseNotFoundError(NotFoundError):
    """A KV lease id is unknown or has expired (etcd's ``ErrLeaseNotFound``)."""


class SelectorError(StoreError, ValueError):
    """A label or field selector does not parse, e.g. ``unable to parse
    requirement: found '=', expected: ',' or 'end of string'``."""


class WalCorruptError(StoreError):
    """The store's write-ahead log or snapshot is damaged somewhere other than
    a torn last record, so recovery would lose acknowledged writes.  The message
    names the file and offset."""
