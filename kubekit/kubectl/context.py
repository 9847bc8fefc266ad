"""What every command needs: the client, the namespace, where to print,
the time, and the errors commands raise."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, TextIO

from kubekit.kubectl.client import APIError, Client, ServerUnavailable

__all__ = ["CommandError", "Context", "format_error"]


class CommandError(Exception):
    """A usage or client-side error: printed as ``error: <message>``."""


@dataclass
class Context:
    client: Client
    namespace: str = "default"
    namespace_given: bool = False
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    now: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep

    def print(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def warn(self, text: str) -> None:
        print(text, file=self.err, flush=True)


def _invalid_message(st: dict[str, Any]) -> str:
    details = st.get("details") or {}
    causes = details.get("causes") or []
    if not details.get("kind") or not causes:
        return str(st.get("message") or "the request is invalid")
    errs = [f"{c.get('field')}: {c.get('message')}" if c.get("field") else str(c.get("message")) for c in causes]
    joined = errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]"
    return f'The {details["kind"]} "{details.get("name", "")}" is invalid: {joined}'


def format_error(e: BaseException) -> str:
    """The line kubectl prints for an error."""
    if isinstance(e, ServerUnavailable):
        return str(e)
    if isinstance(e, APIError):
        if e.reason == "Invalid":
            return _invalid_message(e.status)
        reason = e.reason or {400: "BadRequest", 404: "NotFound", 409: "Conflict", 500: "InternalError"}.get(e.code, str(e.code))
        return f"Error from server ({reason}): {e}"
    return f"error: {e}"
