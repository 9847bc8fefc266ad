"""A client for one registry: the distribution spec's HTTP API.

:class:`RegistryClient` knows the registry's address, how to reach it
(https, or plain http for loopback and "insecure" registries), and how to
authenticate (:mod:`.auth`).  Its methods are the spec's endpoints, one each:
manifests (GET, PUT), blobs (HEAD, GET following redirects), uploads (POST,
mount, PATCH, PUT).  :mod:`.pull` and :mod:`.push` build images out of them.

HTTP is `urllib3 <https://urllib3.readthedocs.io>`_: a pool of keep-alive
connections per host shared by threads, streamed bodies, redirects (with the
``Authorization`` header dropped when a redirect leaves the registry's host,
as object stores want), retries of failed *connections* only, and TLS
verification with the system's certificates.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping

import urllib3

from kubekit.images.layout import MAX_JSON_BYTES
from kubekit.images.registry.auth import Authenticator
from kubekit.images.registry.challenge import repository_scope
from kubekit.images.registry.credentials import Credentials, load_credentials
from kubekit.images.registry.errors import AuthError, RegistryError, describe_error_body

__all__ = ["MANIFEST_ACCEPT", "RegistryClient", "default_plain_http"]

MANIFEST_ACCEPT = ", ".join([
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
])
USER_AGENT = "kubekit/0.1"
_RETRY = urllib3.Retry(total=None, connect=2, read=0, status=0, other=0, redirect=5, backoff_factor=0.2,
                       raise_on_redirect=True, raise_on_status=False)

Body = bytes | Callable[[], Iterable[bytes]] | None


def default_plain_http(registry: str) -> bool:
    """Whether to speak plain http to ``registry`` when not told: yes for
    ``localhost`` and loopback addresses (as containerd does), no otherwise."""
    host = registry.rsplit(":", 1)[0] if not registry.endswith("]") else registry
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _with_query(url: str, **params: str) -> str:
    return url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)


class RegistryClient:
    """One registry (``host[:port]``; Docker Hub is ``registry-1.docker.io``).

    ``credentials`` are used when the registry asks; by default they come
    from the auth files (:func:`~.credentials.load_credentials`, or
    ``auth_file``).  ``plain_http`` (default: only for loopback) speaks http
    instead of https; ``tls_verify=False`` accepts any certificate;
    ``ca_file`` (PEM) is trusted instead of the system's certificates.
    ``timeout`` bounds connecting and each read, not a whole transfer."""

    def __init__(self, registry: str, *, credentials: Credentials | None = None, auth_file: str | None = None,
                 plain_http: bool | None = None, tls_verify: bool = True, ca_file: str | None = None,
                 timeout: float = 60.0, max_connections: int = 8) -> None:
        self.registry = registry
        plain = default_plain_http(registry) if plain_http is None else plain_http
        self.base = f"{'http' if plain else 'https'}://{registry}"
        self._timeout = urllib3.Timeout(connect=min(timeout, 10.0), read=timeout)
        self._http = urllib3.PoolManager(num_pools=4, maxsize=max_connections, retries=_RETRY,
                                         cert_reqs="CERT_REQUIRED" if tls_verify else "CERT_NONE",
                                         ca_certs=ca_file if tls_verify else None)
        creds: Credentials | Callable[[], Credentials | None] | None = credentials
        if creds is None:
            creds = functools.partial(load_credentials, registry, auth_file)    # read only if asked
        self.auth = Authenticator(registry, creds, self._fetch_token)

    def close(self) -> None:
        self._http.clear()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport ---------------------------------------------------------------
    def _fetch_token(self, url: str, headers: Mapping[str, str]) -> tuple[int, bytes]:
        try:
            r = self._http.request("GET", url, headers={"User-Agent": USER_AGENT, **headers}, timeout=self._timeout)
        except urllib3.exceptions.HTTPError as e:
            raise AuthError(f"cannot reach the token server {url.split('?')[0]} of registry "
                            f"{self.registry}: {_reason(e)}") from None
        return r.status, r.data[:MAX_JSON_BYTES]

    def url(self, path_or_url: str) -> str:
        """An absolute URL: a path (``/v2/...``) or a ``Location`` header
        (absolute, or relative to the registry) resolved against the registry."""
        return urllib.parse.urljoin(self.base + "/", path_or_url)

    def request(self, method: str, path: str, *, scopes: Iterable[str] = (), what: str,
                expect: tuple[int, ...] = (200,), headers: Mapping[str, str] | None = None,
                body: Body = None, stream: bool = False, redirect: bool = True) -> urllib3.BaseHTTPResponse:
        """Send one request, answering one 401 challenge.  ``what`` names the
        operation in errors ("GET manifest app:v1").  A status not in
        ``expect`` raises :class:`RegistryError` (or :class:`AuthError` for
        401/403) with the registry's error body.  With ``stream`` the body is
        left unread: the caller reads it and calls ``release_conn()``."""
        scopes = list(scopes)
        url = self.url(path)
        for attempt in (1, 2):
            hdrs = {"User-Agent": USER_AGENT, **(headers or {})}
            auth = self.auth.header(scopes) if self.auth.challenge else None
            if auth:
                hdrs["Authorization"] = auth
            data = body() if callable(body) else body
            try:
                resp = self._http.request(method, url, headers=hdrs, body=data, preload_content=False,
                                          redirect=redirect, timeout=self._timeout)
            except urllib3.exceptions.HTTPError as e:
                raise RegistryError(f"{what}: cannot reach registry {self.registry} ({url.split('?')[0]}): "
                                    f"{_reason(e)}") from None
            if resp.status == 401 and attempt == 1:
                challenge = resp.headers.get("WWW-Authenticate")
                resp.drain_conn()
                resp.release_conn()
                self.auth.learn(challenge, scopes)
                continue
            if resp.status in expect:
                if not stream:
                    resp.read()
                    resp.release_conn()
                return resp
            break
        raise self._error(resp, what)

    def _error(self, resp: urllib3.BaseHTTPResponse, what: str) -> RegistryError:
        try:
            body = resp.read(64 << 10)
        except urllib3.exceptions.HTTPError:
            body = b""
        resp.drain_conn()                 # the rest (if any), so the connection can be reused
        resp.release_conn()
        desc, codes = describe_error_body(body)
        msg = f"{what}: registry {self.registry} answered {resp.status} {resp.reason or ''}".rstrip() + f": {desc}"
        if resp.status in (401, 403):
            return AuthError(f"{msg} ({self.auth.describe()})", status=resp.status, codes=codes)
        return RegistryError(msg, status=resp.status, codes=codes)

    # -- endpoints ---------------------------------------------------------------
    def ping(self) -> None:
        """``GET /v2/``: the registry is there, and speaks the spec; learns
        its challenge (so later uploads are sent with credentials at once)."""
        self.request("GET", "/v2/", what="GET /v2/ (API version check)")

    def get_manifest(self, repository: str, reference: str) -> tuple[bytes, str, str | None]:
        """A manifest or index by tag or digest -> (bytes, Content-Type
        without parameters, ``Docker-Content-Digest`` or None).  Not checked
        here: :mod:`.pull` checks digests."""
        what = f"GET manifest {self.registry}/{repository}:{reference}".replace(":sha256:", "@sha256:")
        resp = self.request("GET", f"/v2/{repository}/manifests/{reference}", what=what, stream=True,
                            scopes=[repository_scope(repository, ["pull"])], headers={"Accept": MANIFEST_ACCEPT})
        try:
            data = resp.read(MAX_JSON_BYTES + 1)
        except urllib3.exceptions.HTTPError as e:
            raise RegistryError(f"{what}: connection broken while reading it: {_reason(e)}") from None
        finally:
            resp.release_conn()
        if len(data) > MAX_JSON_BYTES:
            raise RegistryError(f"{what}: more than {MAX_JSON_BYTES} bytes")
        ctype = (resp.headers.get("Content-Type") or "").split(";")[0].strip()
        return data, ctype, resp.headers.get("Docker-Content-Digest")

    def blob_size(self, repository: str, digest: str, scopes: Iterable[str] = ()) -> int | None:
        """``HEAD`` a blob: its size if the repository has it, else None."""
        what = f"HEAD blob {self.registry}/{repository}@{digest}"
        resp = self.request("HEAD", f"/v2/{repository}/blobs/{digest}", what=what, expect=(200, 404),
                            scopes=list(scopes) or [repository_scope(repository, ["pull"])])
        if resp.status == 404:
            return None
        length = resp.headers.get("Content-Length")
        return int(length) if length and length.isdigit() else -1

    def open_blob(self, repository: str, digest: str) -> urllib3.BaseHTTPResponse:
        """``GET`` a blob, following redirects to where it is stored; the
        caller streams the body and calls ``release_conn()``."""
        return self.request("GET", f"/v2/{repository}/blobs/{digest}", stream=True,
                            what=f"GET blob {self.registry}/{repository}@{digest}",
                            scopes=[repository_scope(repository, ["pull"])])

    def push_scopes(self, repository: str, mount_from: str | None = None) -> list[str]:
        scopes = [repository_scope(repository, ["pull", "push"])]
        if mount_from:
            scopes.append(repository_scope(mount_from, ["pull"]))
        return scopes

    def start_upload(self, repository: str) -> str:
        """``POST /v2/<name>/blobs/uploads/``: the upload session's URL."""
        resp = self.request("POST", f"/v2/{repository}/blobs/uploads/", expect=(202,),
                            what=f"start a blob upload to {self.registry}/{repository}",
                            scopes=self.push_scopes(repository), headers={"Content-Length": "0"})
        return self._location(resp, f"start a blob upload to {self.registry}/{repository}")

    def mount_blob(self, repository: str, digest: str, from_repository: str) -> str | None:
        """Cross-repository mount: ``POST ...uploads/?mount=<digest>&from=<repo>``.
        None when the registry mounted the blob (201); else the URL of the
        upload session it opened instead (202), to upload the blob to."""
        what = f"mount blob {digest} from {self.registry}/{from_repository} into {repository}"
        path = _with_query(f"/v2/{repository}/blobs/uploads/", mount=digest, **{"from": from_repository})
        resp = self.request("POST", path, expect=(201, 202), what=what, headers={"Content-Length": "0"},
                            scopes=self.push_scopes(repository, from_repository))
        return None if resp.status == 201 else self._location(resp, what)

    def upload_monolithic(self, repository: str, location: str, digest: str, size: int,
                          chunks: Callable[[], Iterator[bytes]]) -> None:
        """The whole blob in one ``PUT <location>&digest=`` (``chunks`` makes
        a fresh iterator over its bytes: called again if the PUT is retried
        after a 401)."""
        what = f"upload blob {digest} to {self.registry}/{repository}"
        resp = self.request("PUT", _with_query(self.url(location), digest=digest), expect=(201,), what=what,
                            headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)},
                            body=chunks, scopes=self.push_scopes(repository))
        self._check_digest(resp, digest, what)

    def upload_chunk(self, repository: str, location: str, chunk: bytes, offset: int) -> str:
        """One ``PATCH`` of a chunked upload, at ``offset``; the URL of the
        next request (the registry's new ``Location``)."""
        end = offset + len(chunk) - 1
        what = f"upload bytes {offset}-{end} of a blob to {self.registry}/{repository}"
        resp = self.request("PATCH", self.url(location), expect=(202,), body=chunk, what=what,
                            headers={"Content-Type": "application/octet-stream", "Content-Length": str(len(chunk)),
                                     "Content-Range": f"{offset}-{end}"}, scopes=self.push_scopes(repository))
        got = resp.headers.get("Range")
        if got and got.replace("bytes=", "") != f"0-{end}":
            raise RegistryError(f"{what}: registry {self.registry} has range {got} after a chunk ending at {end}")
        return self._location(resp, what)

    def finish_upload(self, repository: str, location: str, digest: str) -> None:
        """Close a chunked upload: ``PUT <location>&digest=`` with no body."""
        what = f"finish the upload of blob {digest} to {self.registry}/{repository}"
        resp = self.request("PUT", _with_query(self.url(location), digest=digest), expect=(201,), what=what,
                            headers={"Content-Length": "0"}, scopes=self.push_scopes(repository))
        self._check_digest(resp, digest, what)

    def put_manifest(self, repository: str, reference: str, data: bytes, media_type: str) -> str:
        """``PUT /v2/<name>/manifests/<tag or digest>``; the digest the
        registry stored it under (checked against the content)."""
        what = f"PUT manifest {self.registry}/{repository}:{reference}".replace(":sha256:", "@sha256:")
        resp = self.request("PUT", f"/v2/{repository}/manifests/{reference}", expect=(201,), body=data, what=what,
                            headers={"Content-Type": media_type}, scopes=self.push_scopes(repository))
        digest = _digest_of(data)
        self._check_digest(resp, digest, what)
        return digest

    # -- helpers -----------------------------------------------------------------
    def _location(self, resp: urllib3.BaseHTTPResponse, what: str) -> str:
        loc = resp.headers.get("Location")
        if not loc:
            raise RegistryError(f"{what}: registry {self.registry} answered {resp.status} without a Location")
        return self.url(loc)

    def _check_digest(self, resp: urllib3.BaseHTTPResponse, digest: str, what: str) -> None:
        got = resp.headers.get("Docker-Content-Digest")
        if got and got != digest:
            raise RegistryError(f"{what}: registry {self.registry} stored it as {got}, expected {digest}")


def _reason(e: Exception) -> str:
    """The root cause of a urllib3 error, without the retry wrapper's noise."""
    inner = getattr(e, "reason", None)
    while getattr(inner, "reason", None) is not None and inner is not inner.reason:
        inner = inner.reason
    return str(inner or e)
