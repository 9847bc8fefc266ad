"""Errors of the image code.

They live here until ``kubekit/errors.py`` takes them in (that file is not
this package's to edit); both derive from :class:`kubekit.errors.KubekitError`
and :class:`ValueError`, and every message names the bad input.
"""

from __future__ import annotations

from kubekit.errors import KubekitError


class ImageError(KubekitError, ValueError):
    """An image layout, archive or blob is malformed or cannot be read
    (a missing ``index.json``, an unknown media type, a tag not found...)."""


class DigestMismatchError(ImageError):
    """A blob's content does not hash to the digest that names it."""


class HostileArchiveError(ImageError):
    """A layer tar has an entry that would write outside the layer (``../``,
    an absolute path, a path through a symlink, a hardlink to outside or to a
    path not yet in the layer) or that needs a privilege the caller lacks."""
