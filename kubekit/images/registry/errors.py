"""Errors of the registry client.

Every message names the registry, the repository and (where there is one)
the digest or tag; when the registry answered with an error body
(``{"errors": [{"code": "MANIFEST_UNKNOWN", "message": ...}]}``) its codes and
messages are part of the message.
"""

from __future__ import annotations

import json

from kubekit.images.errors import ImageError

__all__ = ["AuthError", "RegistryError", "describe_error_body"]


class RegistryError(ImageError):
    """A registry could not be reached, refused a request or answered
    something that is not what the distribution spec says.  ``status`` is
    the HTTP status (``None`` when there was no answer) and ``codes`` the
    spec's error codes from the body, if any."""

    def __init__(self, message: str, status: int | None = None, codes: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.status, self.codes = status, codes


class AuthError(RegistryError):
    """The registry or its token server refused the credentials (or their
    absence)."""


def describe_error_body(body: bytes) -> tuple[str, tuple[str, ...]]:
    """A registry's error body -> (``"CODE: message; CODE2: message2"``, codes).
    A body that is not the spec's JSON is described by its first 200 bytes."""
    try:
        doc = json.loads(body)
        errors = doc["errors"]
        parts, codes = [], []
        for e in errors:
            code = str(e.get("code", "UNKNOWN"))
            codes.append(code)
            msg = e.get("message")
            parts.append(f"{code}: {msg}" if msg else code)
        if parts:
            return "; ".join(parts), tuple(codes)
    except (ValueError, KeyError, TypeError, AttributeError):
        pass
    text = body[:200].decode("utf-8", "replace").strip()
    return (text or "(empty body)"), ()
