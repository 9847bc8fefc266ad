"""Orderings of ReplicaSets (``pkg/controller/controller_utils.go``,
``deployment/util``): by creation time, by size, by revision."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cmp_to_key
from typing import Any

from kubekit.controllers.errors import ControllerInputError
from kubekit.controllers.timeutil import parse_time

ReplicaSet = Mapping[str, Any]

REVISION_ANNOTATION = "deployment.kubernetes.io/revision"


def rs_name(rs: ReplicaSet) -> str:
    return (rs.get("metadata") or {}).get("name") or ""


def rs_uid(rs: ReplicaSet) -> str:
    return (rs.get("metadata") or {}).get("uid") or ""


def rs_annotations(rs: ReplicaSet) -> Mapping[str, str]:
    return (rs.get("metadata") or {}).get("annotations") or {}


def rs_created(rs: ReplicaSet) -> datetime:
    return parse_time((rs.get("metadata") or {}).get("creationTimestamp"), f"{rs_name(rs)}: metadata.creationTimestamp")


def rs_spec_replicas(rs: ReplicaSet) -> int:
    """spec.replicas, defaulting to 1 as apps/v1 does."""
    value = (rs.get("spec") or {}).get("replicas", 1)
    if value is None:
        value = 1
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ControllerInputError(f"{rs_name(rs)}: spec.replicas: {value!r} is not a non-negative integer")
    return value


def rs_status_int(rs: ReplicaSet, field: str) -> int:
    value = (rs.get("status") or {}).get(field) or 0
    if not isinstance(value, int) or isinstance(value, bool):
        raise ControllerInputError(f"{rs_name(rs)}: status.{field}: {value!r} is not an integer")
    return value


def _by_creation_less(a: ReplicaSet, b: ReplicaSet) -> bool:
    ta, tb = rs_created(a), rs_created(b)
    if ta == tb:
        return rs_name(a) < rs_name(b)
    return ta < tb


def _sorted(items: Sequence[ReplicaSet], less) -> list[ReplicaSet]:
    def cmp(a: ReplicaSet, b: ReplicaSet) -> int:
        return -1 if less(a, b) else 1 if less(b, a) else 0
    return sorted(items, key=cmp_to_key(cmp))


def sort_by_creation(rss: Sequence[ReplicaSet]) -> list[ReplicaSet]:
    """``ReplicaSetsByCreationTimestamp``: oldest first, ties by name."""
    return _sorted(rss, _by_creation_less)


def sort_by_size_newer(rss: Sequence[ReplicaSet]) -> list[ReplicaSet]:
    """``ReplicaSetsBySizeNewer``: larger first, then newer first (for scaling up)."""
    def less(a: ReplicaSet, b: ReplicaSet) -> bool:
        if rs_spec_replicas(a) == rs_spec_replicas(b):
            return _by_creation_less(b, a)
        return rs_spec_replicas(a) > rs_spec_replicas(b)
    return _sorted(rss, less)


def sort_by_size_older(rss: Sequence[ReplicaSet]) -> list[ReplicaSet]:
    """``ReplicaSetsBySizeOlder``: larger first, then older first (for scaling down)."""
    def less(a: ReplicaSet, b: ReplicaSet) -> bool:
        if rs_spec_replicas(a) == rs_spec_replicas(b):
            return _by_creation_less(a, b)
        return rs_spec_replicas(a) > rs_spec_replicas(b)
    return _sorted(rss, less)


def revision(rs: ReplicaSet) -> int:
    """``deploymentutil.Revision``: the revision annotation as int64, 0 when absent.

    Raises :class:`ControllerInputError` when the annotation is not an integer.
    """
    value = rs_annotations(rs).get(REVISION_ANNOTATION)
    if value is None:
        return 0
    text = str(value)
    body = text[1:] if text[:1] in "+-" else text
    if not body or not body.isascii() or not body.isdigit():
        raise ControllerInputError(
            f'{rs_name(rs)}: annotation {REVISION_ANNOTATION}: strconv.ParseInt: parsing "{text}": invalid syntax')
    number = int(text)
    if not -(2**63) <= number < 2**63:
        raise ControllerInputError(
            f'{rs_name(rs)}: annotation {REVISION_ANNOTATION}: strconv.ParseInt: parsing "{text}": value out of range')
    return number


def _revision_or_none(rs: ReplicaSet) -> int | None:
    try:
        return revision(rs)
    except ControllerInputError:
        return None


def sort_by_revision(rss: Sequence[ReplicaSet]) -> list[ReplicaSet]:
    """``ReplicaSetsByRevision``: lowest revision first; unparsable or equal
    revisions fall back to creation order."""
    def less(a: ReplicaSet, b: ReplicaSet) -> bool:
        ra, rb = _revision_or_none(a), _revision_or_none(b)
        if ra is None or rb is None or ra == rb:
            return _by_creation_less(a, b)
        return ra < rb
    return _sorted(rss, less)


def filter_active(rss: Sequence[ReplicaSet | None]) -> list[ReplicaSet]:
    """``FilterActiveReplicaSets``: non-nil with spec.replicas > 0."""
    return [rs for rs in rss if rs is not None and rs_spec_replicas(rs) > 0]
