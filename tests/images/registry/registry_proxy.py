"""A small HTTP proxy in front of a test registry that counts requests and
injects faults: corrupt one byte of a response, cut a response off halfway,
hold a blob until released, or answer blob GETs with a redirect to a
"storage" URL on another host name (as registries backed by object stores
do)."""

from __future__ import annotations

import collections
import contextlib
import http.client
import http.server
import re
import socket
import threading
from collections.abc import Iterator

_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization",
        "content-length"}
_BLOB_RE = re.compile(r"^/v2/(?P<repo>.+)/blobs/(?P<digest>sha256:[0-9a-f]{64})$")
_MANIFEST_RE = re.compile(r"^/v2/(?P<repo>.+)/manifests/(?P<ref>[^/?]+)$")


class Proxy(http.server.ThreadingHTTPServer):
    """Forwards to ``upstream`` (``host:port``).  ``faults`` maps a blob
    digest or manifest reference to ``"corrupt"`` or ``"truncate"``;
    ``gates`` maps a blob digest to an Event the proxy waits for before
    answering; ``gets`` counts GETs per path; ``storage_auth`` records the
    Authorization header (or None) each redirected storage request had."""

    daemon_threads = True

    def __init__(self, upstream: str, redirect_blobs: bool = False, upstream_auth: str | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream, self.redirect_blobs, self.upstream_auth = upstream, redirect_blobs, upstream_auth
        self.faults: dict[str, str] = {}
        self.gates: dict[str, threading.Event] = {}
        self.arrived: dict[str, threading.Event] = collections.defaultdict(threading.Event)
        self.gets: collections.Counter[str] = collections.Counter()
        self.storage_auth: list[str | None] = []
        self._lock = threading.Lock()

    @property
    def addr(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"

    def blob_gets(self, digest: str) -> int:
        with self._lock:
            return sum(n for path, n in self.gets.items() if path.endswith(f"/blobs/{digest}"))

    def count(self, path: str) -> None:
        with self._lock:
            self.gets[path] += 1


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Proxy
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def _forward(self, method: str, path: str, extra: dict[str, str] | None = None) -> tuple[int, str, list, bytes]:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
        headers.update(extra or {})
        conn = http.client.HTTPConnection(self.server.upstream, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, resp.reason, resp.getheaders(), data
        finally:
            conn.close()

    def _send(self, status: int, reason: str, headers: list, data: bytes, fault: str | None = None,
              head: bool = False) -> None:
        self.send_response(status, reason)
        for k, v in headers:
            if k.lower() not in _HOP:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if head:
            return
        if fault == "truncate":
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault == "corrupt" and data:
            i = len(data) // 2
            data = data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:]
        self.wfile.write(data)

    def _handle(self, method: str) -> None:
        path = self.path
        if method == "GET":
            self.server.count(path)
        storage = path.startswith("/_storage/")
        if storage:                       # a redirected blob: fetch it upstream, no client credentials
            self.server.storage_auth.append(self.headers.get("Authorization"))
            path = "/v2/" + path[len("/_storage/"):]
        blob = _BLOB_RE.match(path)
        manifest = _MANIFEST_RE.match(path)
        key = blob.group("digest") if blob else manifest.group("ref") if manifest else None
        if blob and method == "GET" and self.server.redirect_blobs and not storage:
            self.server.count(path)
            self.send_response(307)
            self.send_header("Location", f"http://localhost:{self.server.server_address[1]}/_storage/"
                                         f"{blob.group('repo')}/blobs/{blob.group('digest')}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if key and method == "GET":
            self.server.arrived[key].set()
            gate = self.server.gates.get(key)
            if gate is not None:
                gate.wait(60)
        extra = {"Authorization": self.server.upstream_auth} if storage and self.server.upstream_auth else None
        status, reason, headers, data = self._forward(method, path, extra)
        fault = self.server.faults.get(key) if key and method == "GET" and status == 200 else None
        self._send(status, reason, headers, data, fault, head=method == "HEAD")

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")


@contextlib.contextmanager
def run_proxy(upstream: str, **kwargs: object) -> Iterator[Proxy]:
    proxy = Proxy(upstream, **kwargs)  # type: ignore[arg-type]
    thread = threading.Thread(target=proxy.serve_forever, name="registry-proxy", daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        for gate in proxy.gates.values():
            gate.set()
        proxy.shutdown()
        proxy.server_close()
        thread.join()
