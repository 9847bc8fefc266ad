"""Client-side apply's decision: the patch that takes the live object to
what was applied, kubectl's three-way merge with the
``kubectl.kubernetes.io/last-applied-configuration`` annotation.  Pure.

* ``original``: the last applied configuration (None the first time);
* ``modified``: the new configuration (with the new annotation);
* ``current``: the live object.

As ``kubectl apply`` does for built-in kinds, the patch is a strategic merge
patch (``CreateThreeWayMergePatch``, :mod:`kubekit.api.strategicpatch`) with
the schema of the object's kind: fields in ``modified`` that differ from
``current`` are set; fields that were in ``original`` but are gone from
``modified`` are deleted (``null``); fields nobody applied (defaults,
status, what controllers write) are left alone.  Maps merge key by key.
Lists with a merge key in the Kubernetes API types (containers and
initContainers by ``name``, env by ``name``, ports by ``containerPort``,
volumeMounts by ``mountPath``, volumes by ``name``, ownerReferences by
``uid``, finalizers as a set...) merge element by element: an element gone
from the configuration since the last apply is deleted (``$patch:
delete``), an element someone else added stays, a server default inside an
element does not make the apply "configured", and ``$setElementOrder``
keeps the configuration's order.  Every other list is atomic: sent whole
when it differs from the live one (tolerations, taints, command, args...).

A kind without a strategic merge patch schema (one registered beyond the
built-in kinds) gets the same computation with no merge keys, which is a
plain JSON merge patch (lists replaced whole), sent as
``application/merge-patch+json`` — as kubectl does for custom resources
(:func:`patch_content_type`).
"""

from __future__ import annotations

import json

from kubekit.api.strategicpatch import schema_for
from kubekit.api.strategicpatch import three_way_patch as _strategic_three_way
from kubekit.kubectl.client import MERGE_PATCH, STRATEGIC_MERGE_PATCH

__all__ = ["LAST_APPLIED", "last_applied_of", "with_last_applied", "three_way_patch", "patch_content_type"]

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def three_way_patch(original: dict | None, modified: dict, current: dict, kind: str | None = None) -> dict:
    """The patch (``{}`` when nothing is to change) for an object of
    ``kind`` (default: the ``kind`` of ``modified``), of the type
    :func:`patch_content_type` names."""
    kind = kind if kind is not None else str(modified.get("kind") or "")
    return _strategic_three_way(original if isinstance(original, dict) else None, modified,
                                current if isinstance(current, dict) else {}, schema_for(kind) or {})


def patch_content_type(kind: str) -> str:
    """``application/strategic-merge-patch+json`` for a kind with a schema,
    ``application/merge-patch+json`` otherwise."""
    return STRATEGIC_MERGE_PATCH if schema_for(kind) is not None else MERGE_PATCH


def last_applied_of(obj: dict) -> dict | None:
    raw = ((obj.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    if not raw:
        return None
    try:
        out = json.loads(raw)
    except json.JSONDecodeError:
        return None
    return out if isinstance(out, dict) else None


def with_last_applied(obj: dict) -> dict:
    """``obj`` carrying its own configuration (without the annotation) in the
    annotation, as kubectl's ``GetModifiedConfiguration`` does."""
    meta = dict(obj.get("metadata") or {})
    ann = {k: v for k, v in (meta.get("annotations") or {}).items() if k != LAST_APPLIED}
    bare_meta = dict(meta)
    if ann:
        bare_meta["annotations"] = ann
    else:
        bare_meta.pop("annotations", None)
    bare = dict(obj, metadata=bare_meta)
    text = json.dumps(bare, separators=(",", ":"), sort_keys=True)
    return dict(obj, metadata=dict(meta, annotations={**ann, LAST_APPLIED: text + "\n"}))
