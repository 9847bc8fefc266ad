"""How the store turns objects into bytes and back.

orjson (a well-kept Rust extension on PyPI) encodes and decodes 3-10x faster
than the standard library; the store does one of each per write and one
decode per watcher per event, so it is the store's hottest code.  The output
is the same compact JSON (UTF-8, keys in insertion order); without orjson the
standard library produces it.
"""

from __future__ import annotations

import json
from typing import Any, Callable

__all__ = ["dumps", "loads"]

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a dependency; kept for embedders that strip it
    _orjson = None


if _orjson is not None:
    # orjson's own functions, not wrappers: the store calls these hundreds of
    # thousands of times a simulated hour, and a Python frame costs more than
    # decoding a Lease.
    dumps: Callable[[Any], bytes] = _orjson.dumps
    loads: Callable[[bytes | str], Any] = _orjson.loads
else:  # pragma: no cover
    def dumps(obj: Any) -> bytes:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()

    def loads(data: bytes | str) -> Any:
        return json.loads(data)
