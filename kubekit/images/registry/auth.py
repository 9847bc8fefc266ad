"""Answering a registry's challenges: Basic credentials and bearer tokens.

The distribution token flow: a request answered 401 with ``Bearer
realm=R,service=S,scope=...`` is retried with a token got from ``GET
R?service=S&scope=repository:<name>:pull[,push]`` (with the Basic
credentials if there are any; anonymously otherwise).  The token server
answers ``{"token": ..., "expires_in": 300}`` (or ``access_token``).  Tokens
are cached per set of scopes until shortly before they expire; a ``Basic``
challenge is answered with the credentials themselves.

:class:`Authenticator` holds that state for one registry; it sends nothing
itself but calls the ``fetch`` function it was given, so it is used the same
way whatever carries the HTTP.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Mapping

from kubekit.images.registry.challenge import (
    Challenge,
    merge_scopes,
    parse_www_authenticate,
)
from kubekit.images.registry.credentials import Credentials
from kubekit.images.registry.errors import AuthError, describe_error_body
from kubekit.images.registry.inflight import InFlight

__all__ = ["Authenticator", "parse_token_response", "token_url"]

DEFAULT_TOKEN_LIFETIME = 60          # seconds, as the token spec says when expires_in is absent
_EXPIRY_MARGIN = 10                  # renew this many seconds early (a request takes time)

# fetch(url, headers) -> (status, body)
Fetch = Callable[[str, Mapping[str, str]], tuple[int, bytes]]


def token_url(challenge: Challenge, scopes: Iterable[str]) -> str:
    """The token request URL for a Bearer challenge and the scopes wanted
    (merged with the challenge's own ``scope``)."""
    realm = challenge.realm
    if not realm:
        raise AuthError(f"bearer challenge without a realm: {dict(challenge.params)}")
    query: list[tuple[str, str]] = []
    if challenge.params.get("service"):
        query.append(("service", challenge.params["service"]))
    wanted = list(scopes) + ([challenge.params["scope"]] if challenge.params.get("scope") else [])
    query += [("scope", s) for s in merge_scopes(wanted)]
    sep = "&" if "?" in realm else "?"
    return realm + (sep + urllib.parse.urlencode(query) if query else "")


def parse_token_response(body: bytes, now: float, where: str) -> tuple[str, float]:
    """A token server's JSON answer -> (token, when it expires).  ``token``
    or ``access_token`` (the OAuth2 name) is accepted; ``expires_in``
    defaults to 60 seconds."""
    try:
        doc = json.loads(body)
    except ValueError as e:
        raise AuthError(f"token server {where}: answer is not JSON: {e}") from None
    if not isinstance(doc, dict):
        raise AuthError(f"token server {where}: expected a JSON object, got {type(doc).__name__}")
    token = doc.get("token") or doc.get("access_token")
    if not isinstance(token, str) or not token:
        raise AuthError(f"token server {where}: no 'token' or 'access_token' in the answer")
    lifetime = doc.get("expires_in")
    if not isinstance(lifetime, (int, float)) or isinstance(lifetime, bool) or lifetime <= 0:
        lifetime = DEFAULT_TOKEN_LIFETIME
    return token, now + max(float(lifetime) - _EXPIRY_MARGIN, 1.0)


class Authenticator:
    """The ``Authorization`` header to send to one registry, learned from
    its challenges.  Thread-safe: threads that need the same token at the
    same time share one token request."""

    def __init__(self, registry: str, credentials: Credentials | Callable[[], Credentials | None] | None,
                 fetch: Fetch, clock: Callable[[], float] = time.monotonic) -> None:
        self.registry = registry
        self._credentials = credentials
        self._fetch, self._clock = fetch, clock
        self._lock = threading.Lock()
        self._challenge: Challenge | None = None
        self._tokens: dict[tuple[str, ...], tuple[str, float]] = {}
        self._fetching: InFlight[tuple[str, float]] = InFlight()     # threads needing one token ask once

    @property
    def credentials(self) -> Credentials | None:
        if callable(self._credentials):
            self._credentials = self._credentials()     # loaded from the auth files once, when first needed
        return self._credentials

    @property
    def challenge(self) -> Challenge | None:
        return self._challenge

    def _who(self) -> str:
        creds = self.credentials
        return f"user {creds.username!r}" if creds else "no credentials (anonymous)"

    def learn(self, header: str | None, scopes: Iterable[str]) -> None:
        """Take in a 401's ``WWW-Authenticate``: the challenge to answer from
        now on.  Drops the cached token for ``scopes`` (it was refused)."""
        challenges = parse_www_authenticate(header or "")
        usable = [c for c in challenges if c.scheme in ("bearer", "basic")]
        if not usable:
            raise AuthError(f"registry {self.registry}: answered 401 with no Basic or Bearer challenge "
                            f"(WWW-Authenticate: {header!r})", status=401)
        with self._lock:
            self._challenge = next((c for c in usable if c.scheme == "bearer"), usable[0])
            self._tokens.pop(tuple(merge_scopes(scopes)), None)

    def header(self, scopes: Iterable[str]) -> str | None:
        """The ``Authorization`` value for a request needing ``scopes``; None
        before any challenge was seen."""
        challenge = self._challenge
        if challenge is None:
            return None
        if challenge.scheme == "basic":
            creds = self.credentials
            if creds is None:
                raise AuthError(f"registry {self.registry} wants Basic credentials and none were given "
                                f"(pass credentials or log in: an 'auths' entry in an auth file)", status=401)
            return creds.basic_header()
        key = tuple(merge_scopes(scopes))
        with self._lock:
            cached = self._tokens.get(key)
        if cached is not None and cached[1] > self._clock():
            return f"Bearer {cached[0]}"
        (token, expires), _ = self._fetching.run(key, lambda: self._get_token(challenge, key))
        with self._lock:
            self._tokens[key] = (token, expires)
        return f"Bearer {token}"

    def _get_token(self, challenge: Challenge, scopes: tuple[str, ...]) -> tuple[str, float]:
        url = token_url(challenge, scopes)
        creds = self.credentials
        headers = {"Authorization": creds.basic_header()} if creds else {}
        status, body = self._fetch(url, headers)
        where = f"{challenge.realm} (for registry {self.registry}, scope {' '.join(scopes) or '-'})"
        if status in (401, 403):
            desc, codes = describe_error_body(body)
            raise AuthError(f"token server {where} refused {self._who()}: {status}: {desc}", status=status,
                            codes=codes)
        if status != 200:
            desc, codes = describe_error_body(body)
            raise AuthError(f"token server {where} answered {status}: {desc}", status=status, codes=codes)
        return parse_token_response(body, self._clock(), where)

    def describe(self) -> str:
        """Who we are to this registry, for error messages."""
        scheme = self._challenge.scheme if self._challenge else "none"
        return f"{self._who()}, {scheme} auth"


