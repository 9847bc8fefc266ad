"""Deployment revisions, ReplicaSet identity and history clean-up.

Sources: ``pkg/controller/deployment/util/deployment_util.go`` (MaxRevision,
LastRevision, SetNewReplicaSetAnnotations, SetReplicasAnnotations,
ReplicasAnnotationsNeedUpdate, EqualIgnoreHash, FindNewReplicaSet,
FindOldReplicaSets, HasRevisionHistoryLimit, SetDeploymentAnnotationsTo),
``sync.go`` (cleanupDeployment), ``rollback.go`` (rollback target) and
``controller_utils.go`` (ComputeHash).

The pod-template-hash computed here is **not** Kubernetes' value: upstream
hashes the Go struct through ``hashutil.DeepHashObject`` (spew printing),
which cannot be reproduced from a JSON manifest.  :func:`pod_template_hash`
plays the same role (stable per template and collisionCount, same alphabet)
but its strings differ from those of a real cluster.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubekit.controllers.deployment_rules import (
    DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, Deployment, deployment_replicas, max_surge,
)
from kubekit.controllers.errors import ControllerInputError
from kubekit.controllers.jsonmemo import JsonMemo
from kubekit.controllers.rs_ordering import (
    REVISION_ANNOTATION, ReplicaSet, revision, rs_name, rs_spec_replicas, rs_status_int, rs_uid, sort_by_creation,
    sort_by_revision,
)

REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history"
POD_TEMPLATE_HASH_LABEL = "pod-template-hash"
LAST_APPLIED_CONFIG_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
DEPRECATED_ROLLBACK_TO_ANNOTATION = "deprecated.deployment.rollback.to"
#: ``maxRevHistoryLengthInChars`` in sync.go.
MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000
MAX_INT32 = 2**31 - 1

#: Annotations never copied between a Deployment and its ReplicaSets (``annotationsToSkip``).
ANNOTATIONS_TO_SKIP = frozenset({
    LAST_APPLIED_CONFIG_ANNOTATION, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION,
    DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, DEPRECATED_ROLLBACK_TO_ANNOTATION,
})

_SAFE_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"


# -- revisions -------------------------------------------------------------------------------------------

def _revision_or_none(rs: ReplicaSet) -> int | None:
    try:
        return revision(rs)
    except ControllerInputError:
        return None


def max_revision(all_rs: Sequence[ReplicaSet | None]) -> int:
    """``MaxRevision``: highest revision; unparsable annotations are skipped."""
    best = 0
    for rs in all_rs:
        if rs is None:
            continue
        v = _revision_or_none(rs)
        if v is not None and v > best:
            best = v
    return best


def last_revision(all_rs: Sequence[ReplicaSet | None]) -> int:
    """``LastRevision``: the second-highest revision (0 if none)."""
    top = second = 0
    for rs in all_rs:
        if rs is None:
            continue
        v = _revision_or_none(rs)
        if v is None:
            continue
        if v >= top:
            second, top = top, v
        elif v > second:
            second = v
    return second


def set_replicas_annotations(annotations: Mapping[str, str], desired: int, max_replicas: int) -> tuple[dict[str, str], bool]:
    """``SetReplicasAnnotations``: (new annotations, changed)."""
    out = dict(annotations)
    changed = False
    for key, value in ((DESIRED_REPLICAS_ANNOTATION, str(desired)), (MAX_REPLICAS_ANNOTATION, str(max_replicas))):
        if out.get(key) != value:
            out[key] = value
            changed = True
    return out, changed


def replicas_annotations_need_update(annotations: Mapping[str, str] | None, desired: int, max_replicas: int) -> bool:
    """``ReplicasAnnotationsNeedUpdate``."""
    if annotations is None:
        return True
    return annotations.get(DESIRED_REPLICAS_ANNOTATION) != str(desired) or \
        annotations.get(MAX_REPLICAS_ANNOTATION) != str(max_replicas)


def _parse_int64(text: str) -> int | None:
    body = text[1:] if text[:1] in ("+", "-") else text
    if not body or not body.isascii() or not body.isdigit():
        return None
    value = int(text)
    return value if -(2**63) <= value < 2**63 else None


def set_new_replica_set_annotations(
    d: Deployment, rs_annotations: Mapping[str, str] | None, new_revision: str, exists: bool,
    rev_history_limit_in_chars: int = MAX_REV_HISTORY_LENGTH_IN_CHARS,
) -> tuple[dict[str, str], bool]:
    """``SetNewReplicaSetAnnotations``: the new RS's annotations and whether they changed.

    Copies the Deployment's annotations (except :data:`ANNOTATIONS_TO_SKIP`),
    raises the revision to ``new_revision`` when it is higher (recording the
    old one in ``revision-history``, dropping the oldest entries past
    ``rev_history_limit_in_chars``), and for a new RS (``exists=False``) sets
    desired-replicas / max-replicas.  Unparsable revisions leave the
    annotations as they are and report no change, like upstream.
    """
    out = dict(rs_annotations or {})
    changed = False
    for key, value in ((d.get("metadata") or {}).get("annotations") or {}).items():
        if key in ANNOTATIONS_TO_SKIP or out.get(key) == value:
            continue
        out[key] = value
        changed = True
    had_revision = REVISION_ANNOTATION in out
    old_revision = out.get(REVISION_ANNOTATION, "")
    old_int = _parse_int64(old_revision)
    if old_int is None:
        if old_revision != "":
            return dict(rs_annotations or {}), False
        old_int = 0
    new_int = _parse_int64(new_revision)
    if new_int is None:
        return dict(rs_annotations or {}), False
    if old_int < new_int:
        out[REVISION_ANNOTATION] = new_revision
        changed = True
    if had_revision and old_int < new_int:
        history = out.get(REVISION_HISTORY_ANNOTATION, "")
        entries = history.split(",")
        if len(entries[0]) == 0:
            out[REVISION_HISTORY_ANNOTATION] = old_revision
        else:
            total = len(history) + len(old_revision) + 1
            start = 0
            while total > rev_history_limit_in_chars and start < len(entries):
                total -= len(entries[start]) + 1
                start += 1
            if total <= rev_history_limit_in_chars:
                out[REVISION_HISTORY_ANNOTATION] = ",".join(entries[start:] + [old_revision])
    if not exists:
        replicas = deployment_replicas(d)
        out, replicas_changed = set_replicas_annotations(out, replicas, replicas + max_surge(d))
        changed = changed or replicas_changed
    return out, changed


def deployment_annotations_for_rollback(
    deployment_annotations: Mapping[str, str] | None, rollback_rs_annotations: Mapping[str, str] | None,
) -> dict[str, str]:
    """``SetDeploymentAnnotationsTo``: keep the Deployment's skipped annotations,
    take every other annotation from the RS rolled back to."""
    out = {k: v for k, v in (deployment_annotations or {}).items() if k in ANNOTATIONS_TO_SKIP}
    out.update({k: v for k, v in (rollback_rs_annotations or {}).items() if k not in ANNOTATIONS_TO_SKIP})
    return out


# -- identity ------------------------------------------------------------------------------------------------

def _without_hash(template: Mapping[str, Any] | None) -> dict[str, Any]:
    t = copy.deepcopy(dict(template or {}))
    labels = (t.get("metadata") or {}).get("labels")
    if labels is not None:
        t["metadata"] = dict(t["metadata"])
        t["metadata"]["labels"] = {k: v for k, v in labels.items() if k != POD_TEMPLATE_HASH_LABEL}
    return t


def _normalise(value: Any) -> Any:
    """Drop empty maps/lists/None so that an absent field equals an empty one
    (as ``apiequality.Semantic.DeepEqual`` treats nil and empty)."""
    if isinstance(value, Mapping):
        out = {k: _normalise(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, {}, [])}
    if isinstance(value, (list, tuple)):
        return [_normalise(v) for v in value]
    return value


def _normalised_without_hash(template: Mapping[str, Any] | None) -> dict[str, Any]:
    """``_normalise(_without_hash(template))`` without the deep copy
    (``_normalise`` builds new containers anyway)."""
    t = _normalise(dict(template or {}))
    meta = t.get("metadata")
    if meta and POD_TEMPLATE_HASH_LABEL in (meta.get("labels") or {}):
        labels = {k: v for k, v in meta["labels"].items() if k != POD_TEMPLATE_HASH_LABEL}
        meta = {k: v for k, v in meta.items() if k != "labels"}
        if labels:
            meta["labels"] = labels
        t = {k: v for k, v in t.items() if k != "metadata"}
        if meta:
            t["metadata"] = meta
    return t


# a template's JSON -> its _normalised_without_hash (shared: read only)
_NORMALISED: JsonMemo[dict[str, Any]] = JsonMemo(_normalised_without_hash)


def _normalised_cached(template: Mapping[str, Any] | None) -> dict[str, Any]:
    """:func:`_normalised_without_hash`, remembered by the template's JSON
    (a controller compares the same few templates at every sync; encoding
    one is much cheaper than normalising it).  The result is shared: read only."""
    return _NORMALISED(template or {})


def equal_ignore_hash(template1: Mapping[str, Any] | None, template2: Mapping[str, Any] | None) -> bool:
    """``EqualIgnoreHash``: pod templates equal once the pod-template-hash label is dropped."""
    return _normalised_cached(template1) == _normalised_cached(template2)


def _template(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return (obj.get("spec") or {}).get("template") or {}


def find_new_rs(d: Deployment, rs_list: Sequence[ReplicaSet]) -> ReplicaSet | None:
    """``FindNewReplicaSet``: the oldest RS whose template equals the
    Deployment's ignoring pod-template-hash (:func:`equal_ignore_hash`, the
    Deployment's side normalised once), else ``None``."""
    want = None
    for rs in sort_by_creation(rs_list):
        got = _normalised_cached(_template(rs))
        if want is None:
            want = _normalised_cached(_template(d))
        if got == want:
            return rs
    return None


_FIND = object()   # find_old_rss's new_rs when the caller has not found it


def find_old_rss(d: Deployment, rs_list: Sequence[ReplicaSet],
                 new_rs: ReplicaSet | None = _FIND) -> tuple[list[ReplicaSet], list[ReplicaSet]]:  # type: ignore[assignment]
    """``FindOldReplicaSets``: (old RSs with spec.replicas != 0, all old RSs),
    in input order, the new RS excluded (matched by UID like upstream; by
    identity when UIDs are empty).  ``new_rs``: ``find_new_rs(d, rs_list)``
    when the caller has it already (upstream computes it again here)."""
    if new_rs is _FIND:
        new_rs = find_new_rs(d, rs_list)
    required: list[ReplicaSet] = []
    everything: list[ReplicaSet] = []
    for rs in rs_list:
        if new_rs is not None and (rs is new_rs or (rs_uid(rs) and rs_uid(rs) == rs_uid(new_rs))):
            continue
        everything.append(rs)
        if rs_spec_replicas(rs) != 0:
            required.append(rs)
    return required, everything


def pod_template_hash(template: Mapping[str, Any] | None, collision_count: int | None = None) -> str:
    """A stable stand-in for ``controller.ComputeHash``.

    FNV-32a over the canonical JSON of ``template`` (sorted keys, no spaces),
    then — as upstream — the collision count as 8 little-endian bytes (uint32
    in the first four), then ``rand.SafeEncodeString`` of the decimal hash
    (each digit mapped into ``bcdfghjklmnpqrstvwxz2456789``).  The role
    matches Kubernetes'; the values do not (see module docs).
    """
    data = json.dumps(template or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    h = 0x811C9DC5
    for byte in data:
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    if collision_count is not None:
        extra = (collision_count & 0xFFFFFFFF).to_bytes(4, "little") + b"\x00\x00\x00\x00"
        for byte in extra:
            h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return "".join(_SAFE_ALPHANUMS[ord(c) % len(_SAFE_ALPHANUMS)] for c in str(h))


# -- history clean-up and rollback --------------------------------------------------------------------------------

def has_revision_history_limit(d: Deployment) -> bool:
    value = (d.get("spec") or {}).get("revisionHistoryLimit", 10)
    return value is not None and value != MAX_INT32


def cleanup_deployment(d: Deployment, old_rss: Sequence[ReplicaSet | None]) -> list[str]:
    """``cleanupDeployment``: names of the old ReplicaSets to delete.

    With ``revisionHistoryLimit`` N (apps/v1 default 10; MaxInt32 = keep all),
    the ``len(alive) - N`` lowest-revision alive RSs are candidates (alive =
    no deletionTimestamp; ties and unparsable revisions by creation time);
    a candidate is deleted only if spec.replicas and status.replicas are 0
    and its generation has been observed.  Skipped candidates are not replaced.
    """
    if not has_revision_history_limit(d):
        return []
    limit = (d.get("spec") or {}).get("revisionHistoryLimit", 10)
    alive = [rs for rs in old_rss if rs is not None and not (rs.get("metadata") or {}).get("deletionTimestamp")]
    diff = len(alive) - int(limit)
    if diff <= 0:
        return []
    doomed = []
    for rs in sort_by_revision(alive)[:diff]:
        generation = int((rs.get("metadata") or {}).get("generation") or 0)
        if (rs_status_int(rs, "replicas") != 0 or rs_spec_replicas(rs) != 0
                or generation > rs_status_int(rs, "observedGeneration")):
            continue
        doomed.append(rs_name(rs))
    return doomed


@dataclass(frozen=True, slots=True)
class RollbackDecision:
    """Outcome of :func:`rollback_target`.

    ``target`` is the ReplicaSet whose template to copy (``None`` when not
    found); ``revision`` the revision looked for; ``reason`` upstream's event
    reason: ``DeploymentRollback``, ``DeploymentRollbackRevisionNotFound`` or
    ``DeploymentRollbackTemplateUnchanged``; ``message`` its event text.
    """

    target: ReplicaSet | None
    revision: int
    reason: str
    message: str


def rollback_target(d: Deployment, all_rs: Sequence[ReplicaSet | None], to_revision: int = 0) -> RollbackDecision:
    """``DeploymentController.rollback`` (rollback.go): revision 0 means the
    previous one (:func:`last_revision`); the first RS with that revision is
    the target; if its template already equals the Deployment's, nothing
    changes (TemplateUnchanged)."""
    name = (d.get("metadata") or {}).get("name") or ""
    wanted = to_revision
    if wanted == 0:
        wanted = last_revision(all_rs)
        if wanted == 0:
            return RollbackDecision(None, 0, "DeploymentRollbackRevisionNotFound", "Unable to find last revision.")
    for rs in all_rs:
        if rs is None or _revision_or_none(rs) != wanted:
            continue
        if equal_ignore_hash(_template(d), _template(rs)):
            return RollbackDecision(rs, wanted, "DeploymentRollbackTemplateUnchanged",
                                    f'The rollback revision contains the same template as current deployment "{name}"')
        return RollbackDecision(rs, wanted, "DeploymentRollback", f'Rolled back deployment "{name}" to revision {wanted}')
    return RollbackDecision(None, wanted, "DeploymentRollbackRevisionNotFound",
                            "Unable to find the revision to rollback to.")


def template_for_rollback(rs: ReplicaSet) -> dict[str, Any]:
    """``SetFromReplicaSetTemplate``: the RS's template without the pod-template-hash label."""
    return _without_hash(_template(rs))
