"""``$(VAR)`` references in env values, command and args, exactly as
Kubernetes' ``third_party/forked/golang/expansion`` (``Expand``,
``MappingFuncFor``): ``$$`` is an escaped ``$``, a reference to an undefined
variable is left as written, shell syntax (``$VAR``, ``${VAR}``) is not
expanded, and an unterminated ``$(`` is kept."""

from __future__ import annotations

from collections.abc import Callable, Mapping

__all__ = ["expand", "mapping_for", "expand_command"]

_OPERATOR, _OPENER, _CLOSER = "$", "(", ")"


def mapping_for(*contexts: Mapping[str, str]) -> Callable[[str], str]:
    """The first context that defines a name gives its value; an undefined
    name maps to its own reference, ``$(NAME)``."""
    def mapping(name: str) -> str:
        for ctx in contexts:
            if name in ctx:
                return ctx[name]
        return f"{_OPERATOR}{_OPENER}{name}{_CLOSER}"
    return mapping


def _read_name(rest: str) -> tuple[str, bool, int]:
    """``tryReadVariableName``: (text, is a variable name, bytes consumed)."""
    if rest[0] == _OPERATOR:
        return _OPERATOR, False, 1                   # "$$": an escaped operator
    if rest[0] == _OPENER:
        end = rest.find(_CLOSER, 1)
        if end >= 0:
            return rest[1:end], True, end + 1
        return _OPERATOR + _OPENER, False, 1         # incomplete reference: kept
    return _OPERATOR + rest[0], False, 1             # an operator that begins nothing


def expand(text: str, mapping: Callable[[str], str]) -> str:
    """``expansion.Expand``."""
    out: list[str] = []
    checkpoint = 0
    cursor = 0
    while cursor < len(text):
        if text[cursor] == _OPERATOR and cursor + 1 < len(text):
            out.append(text[checkpoint:cursor])
            read, is_var, advance = _read_name(text[cursor + 1:])
            out.append(mapping(read) if is_var else read)
            cursor += advance
            checkpoint = cursor + 1
        cursor += 1
    return "".join(out) + text[checkpoint:]


def expand_command(command, args, env: Mapping[str, str]) -> tuple[list[str] | None, list[str] | None]:
    """``ExpandContainerCommandAndArgs``: the container's command and args
    with references to its final environment expanded (None stays None)."""
    mapping = mapping_for(env)
    return ([expand(c, mapping) for c in command] if command is not None else None,
            [expand(a, mapping) for a in args] if args is not None else None)
