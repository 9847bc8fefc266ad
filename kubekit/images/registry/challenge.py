"""``WWW-Authenticate`` challenges and token scopes: pure functions.

A registry that wants credentials answers 401 with one or more challenges
(RFC 7235)::

    WWW-Authenticate: Bearer realm="https://auth.example/token",service="registry.example",scope="repository:app:pull"
    WWW-Authenticate: Basic realm="Registry Realm"

:func:`parse_www_authenticate` turns such a header into :class:`Challenge`
objects; :func:`repository_scope` and :func:`merge_scopes` build the
``scope`` values of the token request (distribution's token spec:
``repository:<name>:<action>[,<action>...]``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["Challenge", "merge_scopes", "parse_www_authenticate", "repository_scope"]

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_PARAM_RE = re.compile(rf"\s*({_TOKEN})\s*=\s*({_QUOTED}|{_TOKEN})\s*(?:,|$)")
_SCHEME_RE = re.compile(rf"\s*({_TOKEN})(?=[\s,]|$)\s*")
_TOKEN68_RE = re.compile(r"\s*[A-Za-z0-9\-._~+/]+=*\s*(?:,|$)")


@dataclass(frozen=True, slots=True)
class Challenge:
    """One challenge: ``scheme`` in lower case (``"basic"``, ``"bearer"``)
    and its parameters (names in lower case, values unquoted)."""
    scheme: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def realm(self) -> str | None:
        return self.params.get("realm")


def _unquote(value: str) -> str:
    if value.startswith('"'):
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def parse_www_authenticate(header: str) -> list[Challenge]:
    """Every challenge in a ``WWW-Authenticate`` value, in order.  What
    cannot be parsed ends the list (a client then knows the challenges it
    could read); an empty or garbage header gives ``[]``."""
    out: list[Challenge] = []
    pos = 0
    while pos < len(header):
        while pos < len(header) and header[pos] in ", \t":
            pos += 1
        m = _SCHEME_RE.match(header, pos)
        if m is None:
            break
        scheme, pos = m.group(1).lower(), m.end()
        params: dict[str, str] = {}
        while True:
            p = _PARAM_RE.match(header, pos)
            if p is None:
                break
            params[p.group(1).lower()] = _unquote(p.group(2))
            pos = p.end()
        if not params:                      # ``Negotiate abc==`` style: skip the token68
            t = _TOKEN68_RE.match(header, pos)
            if t is not None:
                pos = t.end()
        out.append(Challenge(scheme, params))
    return out


def repository_scope(repository: str, actions: Iterable[str]) -> str:
    """``repository:<name>:<actions, sorted, comma-joined>``."""
    return f"repository:{repository}:{','.join(sorted(set(actions)))}"


def merge_scopes(scopes: Iterable[str]) -> list[str]:
    """Scopes with the same type and name merged, actions united; sorted.
    Space-separated scope strings (as some challenges carry) are split."""
    merged: dict[tuple[str, str], set[str]] = {}
    for text in scopes:
        for scope in text.split():
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            if not kind or not name:
                continue
            merged.setdefault((kind, name), set()).update(a for a in actions.split(",") if a)
    return [f"{k}:{n}:{','.join(sorted(a))}" for (k, n), a in sorted(merged.items())]
