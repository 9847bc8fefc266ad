"""Errors as the API server's ``metav1.Status`` bodies.  Pure.

:func:`status_for` maps kubekit's errors onto HTTP codes and reasons:
NotFound 404, AlreadyExists/Conflict 409, Invalid 422, Gone 410 (a watch or
page older than the compacted history), BadRequest 400, MethodNotAllowed 405,
UnsupportedMediaType 415 and InternalError 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubekit.errors import (
    AlreadyExistsError, CompactedError, ConflictError, InvalidObjectError, NotFoundError, SelectorError,
)

__all__ = ["BadRequest", "MethodNotAllowed", "UnsupportedMediaType", "int_param", "status", "status_for", "success_status"]


class BadRequest(ValueError):
    """The request itself is malformed (bad JSON, a name that does not match the URL...)."""


class MethodNotAllowed(ValueError):
    """The verb is not served on this path."""


class UnsupportedMediaType(ValueError):
    """A PATCH with a content type the server does not apply."""


def int_param(query: Mapping[str, str], name: str) -> int | None:
    """An integer query parameter (absent or empty: None); anything else is a 400."""
    v = query.get(name)
    if v in (None, ""):
        return None
    try:
        return int(v)
    except ValueError:
        raise BadRequest(f"{name}: expected an integer, got {v!r}") from None


def status(code: int, reason: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                           "message": message, "reason": reason}
    if details:
        out["details"] = details
    out["code"] = code
    return out


def success_status(code: int = 200) -> dict[str, Any]:
    """``{"kind": "Status", "status": "Success", ...}``: the answer of a verb with nothing else to return."""
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": code}


def status_for(err: BaseException, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Status body (with ``code``) for an error raised while serving a request."""
    status_method = getattr(err, "status", None)
    if isinstance(err, InvalidObjectError) and callable(status_method):
        return status_method()                      # kubekit.validation's InvalidError: the exact 422 body
    msg = str(err)
    if isinstance(err, NotFoundError):
        return status(404, "NotFound", msg, details)
    if isinstance(err, AlreadyExistsError):
        return status(409, "AlreadyExists", msg, details)
    if isinstance(err, ConflictError):
        return status(409, "Conflict", msg, details)
    if isinstance(err, CompactedError):
        return status(410, "Expired", f"too old resource version: {err.requested} ({err.compact_revision})")
    if isinstance(err, (SelectorError, BadRequest)):
        return status(400, "BadRequest", msg)
    if isinstance(err, MethodNotAllowed):
        return status(405, "MethodNotAllowed", msg)
    if isinstance(err, UnsupportedMediaType):
        return status(415, "UnsupportedMediaType", msg)
    if isinstance(err, InvalidObjectError):
        return status(422, "Invalid", msg, details)
    return status(500, "InternalError", f"Internal error occurred: {type(err).__name__}: {msg}")
