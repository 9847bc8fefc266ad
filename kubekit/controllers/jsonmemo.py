"""A function's results remembered by the JSON of its argument.

The controllers derive the same few values (a pod template's normal form, a
label selector) from the same few objects at every sync; encoding the
argument with orjson costs far less than deriving the value again.  A
:class:`JsonMemo` is only for pure functions of JSON data whose results are
never changed by their callers (they are shared).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from kubekit.store import jsoncodec

__all__ = ["JsonMemo"]

T = TypeVar("T")


class JsonMemo(Generic[T]):
    """``build(value)``, remembered by ``value``'s JSON (at ``limit`` entries
    the memo starts over).  A value that is not JSON data is built each time;
    an error is raised each time (it is not remembered)."""

    def __init__(self, build: Callable[[Any], T], limit: int = 4096) -> None:
        self._build, self._limit = build, limit
        self._hits: dict[bytes, T] = {}

    def __call__(self, value: Any) -> T:
        try:
            key = jsoncodec.dumps(value)
        except TypeError:
            return self._build(value)
        hit = self._hits.get(key)
        if hit is None:
            if len(self._hits) >= self._limit:
                self._hits.clear()
            hit = self._hits[key] = self._build(value)
        return hit
