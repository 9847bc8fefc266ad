"""The PATCH types kubekit serve applies.  Pure.

* ``application/merge-patch+json``: JSON merge patch (RFC 7386,
  :func:`merge_patch`), for every kind;
* ``application/strategic-merge-patch+json``: strategic merge patch
  (:mod:`kubekit.api.strategicpatch`) with the schema of the object's kind,
  for the kinds that have one (all the built-in kinds kubekit serves, and
  the Scale subresource).

Any other type (JSON patch, apply patch...), or a strategic merge patch of a
kind without a schema, is refused as upstream refuses an unsupported patch
type: 415 "the body of the request was in an unknown format - accepted
media types include: ..." (:func:`patch_type`).
"""

from __future__ import annotations

import copy
from typing import Any

from kubekit.server.status import BadRequest, UnsupportedMediaType

__all__ = ["MERGE_PATCH", "STRATEGIC_MERGE_PATCH", "merge_patch", "patch_type", "apply_patch"]

MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"


def merge_patch(target: Any, patch: Any) -> Any:
    """``target`` with ``patch`` applied: maps merge recursively, ``null``
    removes a key, anything else (lists included) replaces.  Neither
    argument is modified."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def _schema(kind: str | None):
    from kubekit.api.strategicpatch import schema_for

    return {} if kind is None else schema_for(kind)       # None: the Scale subresource (no tagged lists)


def patch_type(content_type: str | None, kind: str | None) -> str:
    """The patch type of a PATCH of ``kind`` (None: ``/scale``) sent with
    ``content_type``; UnsupportedMediaType (415) for one not applied."""
    ctype = (content_type or "").split(";")[0].strip()
    accepted = [MERGE_PATCH] + ([STRATEGIC_MERGE_PATCH] if _schema(kind) is not None else [])
    if ctype not in accepted:
        raise UnsupportedMediaType("the body of the request was in an unknown format - accepted media types "
                                   f"include: {', '.join(accepted)}")
    return ctype


def apply_patch(content_type: str, target: dict, patch: dict, kind: str | None) -> dict:
    """``target`` with ``patch`` of type ``content_type`` (from
    :func:`patch_type`) applied; a patch strategic merge patch cannot apply
    is a BadRequest (400)."""
    if content_type == MERGE_PATCH:
        return merge_patch(target, patch)
    from kubekit.api.strategicpatch import StrategicPatchError, strategic_merge_patch

    try:
        return strategic_merge_patch(target, patch, _schema(kind))
    except StrategicPatchError as e:
        raise BadRequest(str(e)) from None
