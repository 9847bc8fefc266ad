"""The PATCH types kubekit serve applies.  Pure.

* ``application/merge-patch+json``: JSON merge patch (RFC 7386,
  :func:`merge_patch`), for every kind;
* ``application/json-patch+json``: JSON patch (RFC 6902,
  :func:`json_patch`), for every kind: a list of ``add``, ``remove``,
  ``replace``, ``move``, ``copy`` and ``test`` operations on JSON pointers
  (RFC 6901);
* ``application/strategic-merge-patch+json``: strategic merge patch
  (:mod:`kubekit.api.strategicpatch`) with the schema of the object's kind,
  for the kinds that have one (all the built-in kinds kubekit serves, and
  the Scale subresource).

(``application/apply-patch+yaml``, server-side apply, is served by
:mod:`kubekit.server.api` itself.)  Any other type, or a strategic merge
patch of a kind without a schema, is refused as upstream refuses an
unsupported patch type: 415 "the body of the request was in an unknown
format - accepted media types include: ..." (:func:`patch_type`).
"""

from __future__ import annotations

import copy
from typing import Any

from kubekit.server.status import BadRequest, UnsupportedMediaType, status

__all__ = ["JSON_PATCH", "MERGE_PATCH", "STRATEGIC_MERGE_PATCH", "APPLY_PATCH", "JSONPatchError",
           "PatchRejected", "json_patch", "merge_patch", "patch_type", "apply_patch"]

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
#: upstream's ``maxJSONPatchOperations``
MAX_JSON_PATCH_OPERATIONS = 10000


class JSONPatchError(ValueError):
    """A JSON patch operation that cannot apply (a failed ``test``, a missing path...)."""


class PatchRejected(Exception):
    """An error whose Status body is given as is (``status`` has its ``code``)."""

    def __init__(self, body: dict) -> None:
        super().__init__(body["message"])
        self.status = body


def _pointer(path: Any, what: str = "path") -> list[str]:
    """The reference tokens of a JSON pointer (RFC 6901): ``~1`` is ``/``, ``~0`` is ``~``."""
    if not isinstance(path, str):
        raise JSONPatchError(f"operation missing or invalid {what!r} (a JSON pointer string)")
    if path == "":
        return []
    if not path.startswith("/"):
        raise JSONPatchError(f"invalid JSON pointer {path!r}: it must be empty or start with '/'")
    return [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


def _index(token: str, size: int, *, append: bool) -> int:
    """An array index token: decimal digits without a leading zero (``-``:
    past the end, when ``append``)."""
    if append and token == "-":
        return size
    if not token.isdigit() or not token.isascii() or (len(token) > 1 and token[0] == "0"):
        raise JSONPatchError(f"invalid array index {token!r}")
    i = int(token)
    if i > size or (i == size and not append):
        raise JSONPatchError(f"array index {i} out of bounds (length {size})")
    return i


def _parent(doc: Any, tokens: list[str], path: str) -> Any:
    """The container the last token of ``tokens`` names a member of."""
    cur = doc
    for t in tokens[:-1]:
        if isinstance(cur, dict):
            if t not in cur:
                raise JSONPatchError(f"path {path!r}: {t!r} does not exist")
            cur = cur[t]
        elif isinstance(cur, list):
            cur = cur[_index(t, len(cur), append=False)]
        else:
            raise JSONPatchError(f"path {path!r}: {t!r} is not in an object or array")
    if not isinstance(cur, (dict, list)):
        raise JSONPatchError(f"path {path!r}: the parent is not an object or array")
    return cur


def _get(doc: Any, path: str) -> Any:
    tokens = _pointer(path, "from" if path is None else "path")
    if not tokens:
        return doc
    parent, last = _parent(doc, tokens, path), tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise JSONPatchError(f"path {path!r} does not exist")
        return parent[last]
    return parent[_index(last, len(parent), append=False)]


def _add(doc: Any, path: str, value: Any) -> Any:
    tokens = _pointer(path)
    if not tokens:
        return value
    parent, last = _parent(doc, tokens, path), tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    else:
        parent.insert(_index(last, len(parent), append=True), value)
    return doc


def _remove(doc: Any, path: str) -> tuple[Any, Any]:
    """``doc`` without the value at ``path``, and that value."""
    tokens = _pointer(path)
    if not tokens:
        raise JSONPatchError("cannot remove the whole document")
    parent, last = _parent(doc, tokens, path), tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise JSONPatchError(f"path {path!r} does not exist: nothing to remove")
        return doc, parent.pop(last)
    return doc, parent.pop(_index(last, len(parent), append=False))


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality (RFC 6902 ``test``): numbers by value, booleans are
    not numbers, objects regardless of key order, arrays element-wise."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(json_equal, a, b))
    return type(a) is type(b) and a == b


_MISSING = object()


def json_patch(target: Any, patch: Any) -> Any:
    """``target`` with the JSON patch (RFC 6902) ``patch`` applied, all or
    nothing; ``target`` is not modified.  An operation that cannot apply
    is a :class:`JSONPatchError`."""
    if not isinstance(patch, list):
        raise JSONPatchError("a JSON patch must be a JSON array of operations")
    doc = copy.deepcopy(target)
    for i, op in enumerate(patch):
        if not isinstance(op, dict):
            raise JSONPatchError(f"operation {i} is not a JSON object")
        kind, path = op.get("op"), op.get("path")
        value = op.get("value", _MISSING)
        if kind in ("add", "replace", "test") and value is _MISSING:
            raise JSONPatchError(f"operation {i} ({kind}): missing 'value'")
        if kind == "add":
            doc = _add(doc, path, copy.deepcopy(value))
        elif kind == "remove":
            doc, _ = _remove(doc, path)
        elif kind == "replace":
            if not _pointer(path):
                doc = copy.deepcopy(value)
                continue
            doc, _ = _remove(doc, path)
            doc = _add(doc, path, copy.deepcopy(value))
        elif kind == "move":
            src = op.get("from")
            if isinstance(src, str) and isinstance(path, str) and src != path and path.startswith(src + "/"):
                raise JSONPatchError(f"operation {i} (move): {path!r} is inside {src!r}")
            _pointer(src, "from")
            if src == path:
                _get(doc, src)
                continue
            doc, moved = _remove(doc, src)
            doc = _add(doc, path, moved)
        elif kind == "copy":
            src = op.get("from")
            _pointer(src, "from")
            doc = _add(doc, path, copy.deepcopy(_get(doc, src)))
        elif kind == "test":
            if not json_equal(_get(doc, path), value):
                raise JSONPatchError(f"testing value {path} failed")
        else:
            raise JSONPatchError(f"Unexpected kind: {kind}")
    return doc


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
    accepted = [JSON_PATCH, MERGE_PATCH] + ([STRATEGIC_MERGE_PATCH] if _schema(kind) is not None else [])
    if kind is not None:
        accepted.append(APPLY_PATCH)       # served before this check (kubekit.server.api)
    if ctype not in accepted or ctype == APPLY_PATCH:      # apply is kubekit.server.api's, not apply_patch's
        raise UnsupportedMediaType("the body of the request was in an unknown format - accepted media types "
                                   f"include: {', '.join(accepted)}")
    return ctype


def apply_patch(content_type: str, target: dict, patch: Any, kind: str | None) -> dict:
    """``target`` with ``patch`` of type ``content_type`` (from
    :func:`patch_type`) applied; a patch strategic merge patch cannot apply
    is a BadRequest (400); a JSON patch that is not an array is a 400, one
    whose operations cannot apply upstream's 422 "the server rejected our
    request due to an error in our request" (``PatchRejected``), and one
    that leaves something other than an object a 400."""
    if content_type == JSON_PATCH:
        if not isinstance(patch, list):
            raise BadRequest(f"json: cannot unmarshal {_go_type(patch)} into Go value of type jsonpatch.Patch")
        if len(patch) > MAX_JSON_PATCH_OPERATIONS:
            raise PatchRejected(status(413, "RequestEntityTooLarge",
                                       f"Request entity too large: The allowed maximum operations in a JSON patch "
                                       f"is {MAX_JSON_PATCH_OPERATIONS}, got {len(patch)}"))
        try:
            out = json_patch(target, patch)
        except (JSONPatchError, IndexError, TypeError) as e:
            raise PatchRejected(status(422, "Invalid", "the server rejected our request due to an error in our "
                                                       "request", {"causes": [{"message": str(e)}]})) from None
        if not isinstance(out, dict):
            raise BadRequest("the patched object must be a JSON object")
        return out
    if content_type == MERGE_PATCH:
        return merge_patch(target, patch)
    from kubekit.api.strategicpatch import StrategicPatchError, strategic_merge_patch

    try:
        return strategic_merge_patch(target, patch, _schema(kind))
    except StrategicPatchError as e:
        raise BadRequest(str(e)) from None


def _go_type(v: Any) -> str:
    """The JSON type as encoding/json names it in an UnmarshalTypeError."""
    if isinstance(v, dict):
        return "object"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    return "null" if v is None else "array"
