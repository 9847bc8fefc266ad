"""Image references, parsed and normalized as Docker and containerd do
(``github.com/distribution/reference``: ``ParseNormalizedNamed`` and
``TagNameOnly``).

``busybox`` -> ``docker.io/library/busybox:latest``;
``me/app:v1`` -> ``docker.io/me/app:v1``;
``localhost:5000/app@sha256:...`` keeps its registry and digest.
A first component is a registry host when it holds a ``.`` or a ``:``, is
``localhost``, or has upper case letters (``Foo/bar`` is the repository
``bar`` on the host ``Foo``, as upstream decides since repository paths must
be lower case).  The 255-character limit applies to the repository path
after normalization (``library/`` counts), not to the registry host.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kubekit.images.errors import ImageError
from kubekit.images.digest import parse_digest

__all__ = ["DEFAULT_REGISTRY", "Reference", "parse_reference"]

DEFAULT_REGISTRY = "docker.io"
LEGACY_DEFAULT_REGISTRY = "index.docker.io"
NAME_TOTAL_LENGTH_MAX = 255

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_IPV6 = r"\[(?:[a-fA-F0-9:]+)\]"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|{_IPV6})(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}"
_REFERENCE_RE = re.compile(
    rf"^(?P<name>(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*)"
    rf"(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?$")
_ANY_CASE_NAME_RE = re.compile(
    rf"^(?:{_DOMAIN}/)?[a-zA-Z0-9]+(?:{_SEPARATOR}[a-zA-Z0-9]+)*(?:/[a-zA-Z0-9]+(?:{_SEPARATOR}[a-zA-Z0-9]+)*)*"
    rf"(?::{_TAG})?(?:@{_DIGEST})?$")


@dataclass(frozen=True, slots=True)
class Reference:
    """A normalized reference.  ``tag`` is ``"latest"`` when neither a tag
    nor a digest was given; a reference with a digest may also keep its tag
    (``name:tag@sha256:...``), and the digest then decides."""

    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def name(self) -> str:
        """``registry/repository``, no tag or digest."""
        return f"{self.registry}/{self.repository}"

    def __str__(self) -> str:
        s = self.name
        if self.tag is not None:
            s += f":{self.tag}"
        if self.digest is not None:
            s += f"@{self.digest}"
        return s

    def familiar(self) -> str:
        """The short form Docker prints: ``busybox:latest``, ``me/app:v1``."""
        repo = self.repository
        if self.registry == DEFAULT_REGISTRY:
            repo = repo.removeprefix("library/") if repo.count("/") == 1 else repo
            s = repo
        else:
            s = self.name
        if self.tag is not None:
            s += f":{self.tag}"
        if self.digest is not None:
            s += f"@{self.digest}"
        return s

    def with_digest(self, digest: str) -> Reference:
        return Reference(self.registry, self.repository, None, digest)

    def with_tag(self, tag: str) -> Reference:
        return Reference(self.registry, self.repository, tag, None)

    @property
    def api_host(self) -> str:
        """The host to talk to: Docker Hub's API lives at ``registry-1.docker.io``."""
        return "registry-1.docker.io" if self.registry == DEFAULT_REGISTRY else self.registry


def _looks_like_domain(first: str) -> bool:
    """Whether the first ``/``-component names a registry: it holds a ``.`` or
    a ``:``, is ``localhost``, or has upper case (repository paths cannot)."""
    return "." in first or ":" in first or first == "localhost" or first.lower() != first


def _split_domain(name: str) -> tuple[str, str]:
    first, sep, rest = name.partition("/")
    if not sep or not _looks_like_domain(first):
        domain, remainder = DEFAULT_REGISTRY, name
    else:
        domain, remainder = first, rest
    if domain == LEGACY_DEFAULT_REGISTRY:
        domain = DEFAULT_REGISTRY
    if domain == DEFAULT_REGISTRY and "/" not in remainder:
        remainder = f"library/{remainder}"
    return domain, remainder


def parse_reference(text: str) -> Reference:
    """Parse and normalize ``text``; :class:`ImageError` names what is wrong."""
    if not isinstance(text, str) or not text:
        raise ImageError(f"invalid reference {text!r}: empty")
    if text != text.strip():
        raise ImageError(f"invalid reference {text!r}: surrounding whitespace")
    if re.fullmatch(r"[a-f0-9]{64}", text):
        raise ImageError(f"invalid reference {text!r}: cannot give a bare 64-hex identifier as a repository name")
    m = _REFERENCE_RE.match(text)
    if m is None:
        # A name that is only wrong by its case gets the clearer message, as in Docker.
        path = _split_domain(text)[1].split(":")[0].split("@")[0]
        if _ANY_CASE_NAME_RE.match(text) and path != path.lower():
            raise ImageError(f"invalid reference {text!r}: repository name must be lowercase")
        raise ImageError(f"invalid reference {text!r}: not [registry/]repository[:tag][@digest]")
    name, tag, digest = m.group("name"), m.group("tag"), m.group("digest")
    if digest is not None:
        parse_digest(digest, f"digest of reference {text!r}")
    registry, repository = _split_domain(name)
    if len(repository) > NAME_TOTAL_LENGTH_MAX:       # the path, "library/" included, as upstream counts it
        raise ImageError(f"invalid reference {text!r}: repository path {repository[:40]!r}... is longer than "
                         f"{NAME_TOTAL_LENGTH_MAX} characters")
    if tag is None and digest is None:
        tag = "latest"
    return Reference(registry, repository, tag, digest)
