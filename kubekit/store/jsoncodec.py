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


_orjson_dumps = _orjson.dumps if _orjson is not None else None
_join = b"".join


def dumps(obj: Any) -> bytes:
    """Compact JSON, as bytes of their own size.  orjson (3.12 and later)
    hands back its whole working buffer, 4 KiB at least, with only the
    length set to the text's: the store keeps every value it writes (the
    record, and the history that watches read), so each revision held about
    ten times its size (a simulated hour of 500 nodes: 945 MB resident,
    240,000 page faults).  A two-part join copies (a one-part join would
    return the same object); it costs about a tenth of a microsecond.  (One
    function for both encoders: the compiled store calls it directly,
    jsoncodec.pxd.)"""
    if _orjson_dumps is not None:
        return _join((_orjson_dumps(obj), b""))
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()   # pragma: no cover


if _orjson is not None:
    # orjson's own function, not a wrapper: a Python frame costs more than
    # decoding a Lease, and a decoded object does not keep the input's buffer.
    loads: Callable[[bytes | str], Any] = _orjson.loads
else:  # pragma: no cover
    def loads(data: bytes | str) -> Any:
        return json.loads(data)
