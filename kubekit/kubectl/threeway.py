"""Client-side apply's decision: the patch that takes the live object to
what was applied, kubectl's three-way merge with the
``kubectl.kubernetes.io/last-applied-configuration`` annotation.  Pure.

* ``original``: the last applied configuration (None the first time);
* ``modified``: the new configuration (with the new annotation);
* ``current``: the live object.

Fields in ``modified`` that differ from ``current`` are set; fields that were
in ``original`` but are gone from ``modified`` are deleted (``null``);
fields nobody applied (defaults, status, what controllers write) are left
alone.  Maps merge key by key.  Lists are atomic (JSON merge patch replaces
them whole): one is sent when the applied list changed since the last apply,
or when the live list no longer contains what is applied (each applied item a
sub-map of the live item at the same position — so server-side defaults
inside containers do not make every apply "configured").  kubectl merges
some lists (containers, env...) by key with strategic merge patch; kubekit
serve only takes JSON merge patches, so those lists are replaced whole.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["LAST_APPLIED", "last_applied_of", "with_last_applied", "three_way_patch", "contains"]

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def contains(live: Any, applied: Any) -> bool:
    """Whether ``live`` holds everything ``applied`` says (maps: every key,
    recursively; lists: same length, item by item; scalars: equal)."""
    if isinstance(applied, dict):
        return isinstance(live, dict) and all(k in live and contains(live[k], v) for k, v in applied.items())
    if isinstance(applied, list):
        return isinstance(live, list) and len(live) == len(applied) and all(map(contains, live, applied))
    return live == applied and type(live) is type(applied) or (
        isinstance(live, (int, float)) and isinstance(applied, (int, float))
        and not isinstance(live, bool) and not isinstance(applied, bool) and live == applied)


def three_way_patch(original: dict | None, modified: dict, current: dict) -> dict:
    """The JSON merge patch (``{}`` when nothing is to change)."""
    return _diff(original if isinstance(original, dict) else {}, modified, current if isinstance(current, dict) else {})


def _diff(original: dict, modified: dict, current: dict) -> dict:
    patch: dict[str, Any] = {}
    for k, v in modified.items():
        cur, orig = current.get(k), original.get(k)
        if isinstance(v, dict) and isinstance(cur, dict):
            sub = _diff(orig if isinstance(orig, dict) else {}, v, cur)
            if sub:
                patch[k] = sub
        elif isinstance(v, list):
            if k not in current or orig != v or not contains(cur, v):
                patch[k] = v
        elif k not in current or not contains(cur, v):
            patch[k] = v
    for k in original:
        if k not in modified and k in current:
            patch[k] = None
    return patch


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
