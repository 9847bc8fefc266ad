"""Field paths and field sets, as server-side apply records ownership: a
port of ``sigs.k8s.io/structured-merge-diff/fieldpath`` (``PathElement``,
``Path``, ``Set``) and of its ``FieldsV1`` JSON encoding
(``serialize.go``, ``serialize-pe.go``).  Pure.

A path element (upstream ``PathElement``) is a tuple:

* ``("f", name)``: a field of a map or struct (``FieldName``), JSON ``f:name``;
* ``("k", ((name, value), ...))``: the element of an associative list
  (``+listType=map``) with those key fields, sorted by name (``Key``),
  JSON ``k:{"name":"web"}``;
* ``("v", value)``: the element of a set (``+listType=set``) with that value
  (``Value``), JSON ``v:"a"``;
* ``("i", index)``: the element of a list by index (``Index``), JSON ``i:0``.

Values inside path elements are *value keys* (:func:`vkey`): ``(rank,
payload)`` pairs that keep Go's ``value.Compare`` order (numbers < strings <
booleans < lists < maps < null) and keep ``true`` apart from ``1``.

A path (upstream ``Path``) is a tuple of path elements; a field set
(upstream ``Set``) is a ``frozenset`` of paths, each path a *member*.  Set
algebra is Python's (``|``, ``&``, ``-``), plus :func:`recursive_difference`
(``Set.RecursiveDifference``) and :func:`with_prefix` (``Set.WithPrefix``).

:func:`to_fields_v1` / :func:`from_fields_v1` encode a set as upstream's
``FieldsV1`` object: children sorted as upstream sorts path elements, a
member that also has children carries ``".": {}``.  :func:`path_string`
formats a path as ``Path.String`` does (``.spec.containers[name="web"].image``),
the text of apply conflicts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

__all__ = ["vkey", "vvalue", "field", "key", "value_pe", "index", "pe_sort_key", "pe_to_string",
           "pe_from_string", "path_string", "to_fields_v1", "from_fields_v1", "recursive_difference",
           "with_prefix", "iterate", "FieldPathError", "UnknownPathElementType"]

PathElement = tuple
Path = tuple
FieldSet = frozenset

_NUMBER, _STRING, _BOOL, _LIST, _MAP, _NULL = 0, 1, 2, 3, 4, 5


class FieldPathError(ValueError):
    """A FieldsV1 document or a path element string that cannot be read."""


class UnknownPathElementType(FieldPathError):
    """``ErrUnknownPathElementType``: a prefix other than ``f``, ``k``, ``v``,
    ``i`` (skipped when reading FieldsV1, as upstream)."""


def vkey(v: Any) -> tuple:
    """The hashable, ordered key of a JSON value (Go's ``value.Compare`` order)."""
    if v is None:
        return (_NULL, None)
    if isinstance(v, bool):
        return (_BOOL, v)
    if isinstance(v, (int, float)):
        return (_NUMBER, v)
    if isinstance(v, str):
        return (_STRING, v)
    if isinstance(v, list):
        return (_LIST, _compact(v))
    if isinstance(v, dict):
        return (_MAP, _compact(v))
    raise FieldPathError(f"not a JSON value: {v!r}")


def vvalue(k: tuple) -> Any:
    """The JSON value of a value key."""
    rank, payload = k
    if rank in (_LIST, _MAP):
        return json.loads(payload)
    return payload


def field(name: str) -> PathElement:
    return ("f", name)


def key(**fields: Any) -> PathElement:
    """``_KBF(name, value, ...)``: an associative list element's key."""
    return ("k", tuple(sorted((n, vkey(v)) for n, v in fields.items())))


def value_pe(v: Any) -> PathElement:
    """``_V(value)``: a set element."""
    return ("v", vkey(v))


def index(i: int) -> PathElement:
    return ("i", i)


_TYPE_RANK = {"f": 0, "k": 1, "v": 2, "i": 3}


def pe_sort_key(pe: PathElement) -> tuple:
    """Upstream's ``PathElement.Compare`` order: field names, then keys, then
    values, then indexes; each by its content."""
    return (_TYPE_RANK[pe[0]], pe[1])


# -- Go's JSON text --------------------------------------------------------------------------
def _compact(v: Any) -> str:
    """JSON as Go's encoder writes it: compact, keys in order given, ``<``,
    ``>``, ``&`` escaped (json-iterator's ConfigCompatibleWithStandardLibrary)."""
    s = json.dumps(v, separators=(",", ":"), ensure_ascii=False)
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _go_to_string(k: tuple) -> str:
    """``value.ToString``: strings quoted, numbers and booleans bare, null ``null``."""
    rank, payload = k
    if rank == _NULL:
        return "null"
    if rank == _BOOL:
        return "true" if payload else "false"
    if rank == _STRING:
        return json.dumps(payload, ensure_ascii=False)
    if rank == _NUMBER:
        if isinstance(payload, float) and payload.is_integer() and abs(payload) < 1e21:
            return str(int(payload))
        return str(payload)
    return payload


def pe_to_string(pe: PathElement) -> str:
    """``serializePathElement``: ``f:name``, ``k:{...}``, ``v:...``, ``i:N``."""
    t, c = pe
    if t == "f":
        return "f:" + c
    if t == "k":
        return "k:" + _compact({n: vvalue(v) for n, v in c})
    if t == "v":
        return "v:" + _compact(vvalue(c))
    if t == "i":
        return f"i:{c}"
    raise FieldPathError(f"invalid path element {pe!r}")


def pe_from_string(s: str) -> PathElement:
    """``DeserializePathElement``."""
    prefix, sep, rest = s.partition(":")
    if not sep or prefix not in ("f", "i", "v", "k"):
        raise UnknownPathElementType(f"unknown path element type: {s!r}")
    if prefix == "f":
        return ("f", rest)
    if prefix == "i":
        try:
            return ("i", int(rest))
        except ValueError:
            raise FieldPathError(f"invalid index path element: {s!r}") from None
    try:
        v = json.loads(rest)
    except json.JSONDecodeError as e:
        raise FieldPathError(f"invalid path element {s!r}: {e}") from None
    if prefix == "v":
        return ("v", vkey(v))
    if prefix == "k":
        if not isinstance(v, dict):
            raise FieldPathError(f"expected key value pairs in {s!r}")
        return ("k", tuple(sorted((n, vkey(x)) for n, x in v.items())))
    raise FieldPathError(f"unknown path element prefix: {s!r}")


def path_string(path: Iterable[PathElement]) -> str:
    """``Path.String``: ``.spec.replicas``, ``[name="web"]``, ``[="a"]``, ``[0]``."""
    out = []
    for t, c in path:
        if t == "f":
            out.append("." + c)
        elif t == "k":
            out.append("[" + ",".join(f"{n}={_go_to_string(v)}" for n, v in c) + "]")
        elif t == "v":
            out.append(f"[={_go_to_string(c)}]")
        else:
            out.append(f"[{c}]")
    return "".join(out)


# -- FieldsV1 -------------------------------------------------------------------------------
def _tree(paths: Iterable[Path]) -> dict:
    """A trie: path element -> [is member, child trie]."""
    root: dict = {}
    for p in paths:
        node = root
        for i, pe in enumerate(p):
            entry = node.get(pe)
            if entry is None:
                entry = node[pe] = [False, {}]
            if i == len(p) - 1:
                entry[0] = True
            node = entry[1]
    return root


def _emit(trie: dict) -> dict:
    out: dict = {}
    for pe in sorted(trie, key=pe_sort_key):
        member, children = trie[pe]
        if children:
            sub = _emit(children)
            out[pe_to_string(pe)] = {".": {}, **sub} if member else sub
        else:
            out[pe_to_string(pe)] = {}
    return out


def to_fields_v1(s: Iterable[Path]) -> dict:
    """The ``FieldsV1`` object of a set (``Set.ToJSON``)."""
    return _emit(_tree(p for p in s if p))


def from_fields_v1(doc: Any) -> frozenset:
    """The set a ``FieldsV1`` object encodes (``Set.FromJSON``)."""
    out: set = set()

    def walk(node: Any, prefix: tuple) -> None:
        if not isinstance(node, dict):
            raise FieldPathError(f"expected an object in FieldsV1 at {path_string(prefix) or '.'}")
        for k, v in node.items():
            if k == ".":
                if prefix:
                    out.add(prefix)
                continue
            try:
                p = prefix + (pe_from_string(k),)
            except UnknownPathElementType:
                continue                                # upstream FromJSON ignores it
            if v == {}:
                out.add(p)
            else:
                walk(v, p)
    walk(doc if doc is not None else {}, ())
    return frozenset(out)


# -- set helpers ------------------------------------------------------------------------------
def iterate(s: Iterable[Path]) -> list:
    """The paths of ``s`` in ``Set.Iterate`` order: at each level the
    members first, then the children, each sorted as path elements."""
    out: list = []

    def walk(trie: dict, prefix: tuple) -> None:
        order = sorted(trie, key=pe_sort_key)
        for pe in order:
            if trie[pe][0]:
                out.append(prefix + (pe,))
        for pe in order:
            if trie[pe][1]:
                walk(trie[pe][1], prefix + (pe,))
    walk(_tree(p for p in s if p), ())
    return out


def recursive_difference(s: Iterable[Path], s2: Iterable[Path]) -> frozenset:
    """``Set.RecursiveDifference``: ``s`` without the members of ``s2`` and
    everything under them."""
    drop = set(s2)
    if not drop:
        return frozenset(s)
    return frozenset(p for p in s if not any(p[:i] in drop for i in range(1, len(p) + 1)))


def with_prefix(s: Iterable[Path], pe: PathElement) -> frozenset:
    """``Set.WithPrefix``: the paths under ``pe``, without it."""
    return frozenset(p[1:] for p in s if len(p) > 1 and p[0] == pe)
