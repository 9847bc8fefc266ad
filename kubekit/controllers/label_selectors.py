"""Label selectors built once per distinct selector.

The controllers match their owners' selectors at every sync; building a
:class:`~kubekit.store.selectors.LabelSelector` validates every requirement,
which costs far more than encoding the selector.  :func:`label_selector` is
:func:`~kubekit.store.selectors.from_label_selector`, remembered by the
selector's JSON (selectors are immutable, so one can be shared).
"""

from __future__ import annotations

from collections.abc import Mapping

from kubekit.controllers.jsonmemo import JsonMemo
from kubekit.store.selectors import LabelSelector, from_label_selector

__all__ = ["label_selector"]

_BUILT: JsonMemo[LabelSelector] = JsonMemo(from_label_selector)


def label_selector(sel: Mapping | None) -> LabelSelector:
    """``from_label_selector(sel)``; a bad selector raises as it does."""
    return from_label_selector(None) if sel is None else _BUILT(sel)
