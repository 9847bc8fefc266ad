"""Content digests (``sha256:<64 hex>``), checked before they become file
names.  A module of its own so that reference parsing (the CLI's parser) does
not import the layout reader's tarfile and gzip."""

from __future__ import annotations

import re

from kubekit.images.errors import ImageError

__all__ = ["parse_digest"]

_DIGEST_RE = re.compile(r"^(sha256):([0-9a-f]{64})$|^(sha512):([0-9a-f]{128})$")


def parse_digest(digest: object, what: str = "digest") -> tuple[str, str]:
    """``"sha256:<64 hex>"`` -> ``("sha256", hex)``.  Anything else (upper case,
    other algorithms, ``../``) is refused: digests become file names."""
    m = _DIGEST_RE.match(digest) if isinstance(digest, str) else None
    if not m:
        raise ImageError(f"invalid {what} {digest!r}: expected 'sha256:' and 64 lower-case hex digits")
    return (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
