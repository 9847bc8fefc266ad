"""HTTP/1.1 over a unix socket or loopback TCP (stdlib ``http.server``).

One thread per connection.  Requests are JSON; answers are JSON, errors are
``Status`` bodies; a ``?watch=1`` GET answers with a chunked stream of
newline-delimited watch events; ``pods/{name}/log`` answers with a chunked
``text/plain`` stream and ``/apis/metrics.k8s.io/v1beta1/...`` from the
local node's metrics (:mod:`kubekit.server.podlogs`,
:mod:`kubekit.server.metrics`).  :class:`APIHTTPServer` keeps track of its
connections so :meth:`APIHTTPServer.close` can end them and join their
threads (open watches end at once).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from kubekit.server.api import API, Request
from kubekit.server.routes import RouteNotFound, parse_path
from kubekit.server.status import BadRequest, MethodNotAllowed, UnsupportedMediaType, status, status_for

__all__ = ["APIHTTPServer", "make_http_server"]

log = logging.getLogger(__name__)

_MAX_BODY = 16 << 20


def _json_bytes(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kubekit"
    server: "APIHTTPServer"

    def log_message(self, format: str, *args: Any) -> None:   # noqa: A002 - stdlib's signature
        log.debug("%s " + format, self.command, *args)

    # -- helpers -----------------------------------------------------------------------
    def _send_json(self, code: int, body: Any, content_type: str = "application/json") -> None:
        data = _json_bytes(body) + b"\n"
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _read_raw(self) -> bytes | None:
        """The request body's bytes (None: no body), read before anything is answered."""
        n = int(self.headers.get("Content-Length") or 0)
        if n > _MAX_BODY:
            raise BadRequest(f"request body of {n} bytes is larger than the limit of {_MAX_BODY}")
        if not n:
            return None
        return self.rfile.read(n)

    def _decode_body(self, raw: bytes | None) -> Any:
        """The body as its Content-Type says (415 for one kubekit does not
        decode); called once the path is known to be served, so an unknown
        path is a 404 whatever the body."""
        if raw is None:
            return None
        ctype = (self.headers.get("Content-Type") or "application/json").split(";")[0].strip()
        if ctype in ("application/vnd.kubernetes.protobuf", "application/cbor"):    # kubectl's typed clients
            raise UnsupportedMediaType("the body of the request was in an unknown format - accepted media types "
                                       "include: application/json, application/yaml")
        if ctype in ("application/yaml", "application/x-yaml", "application/apply-patch+yaml"):
            import yaml
            try:
                return yaml.safe_load(raw)
            except yaml.YAMLError as e:
                raise BadRequest(f"the request body is not valid YAML: {e}") from None
        try:
            return json.loads(raw)
        except json.JSONDecodeError as e:
            raise BadRequest(f"the request body is not valid JSON: {e}") from None

    # -- verbs -------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        route = None
        try:
            raw = self._read_raw()
            if url.path in ("/healthz", "/readyz", "/livez"):
                self._send_plain(200, "ok")
                return
            if url.path == "/version":
                from kubekit.server.discovery import version_info
                self._send_json(200, version_info())
                return
            if url.path == "/apis/metrics.k8s.io/v1beta1" or url.path.startswith("/apis/metrics.k8s.io/v1beta1/"):
                self._metrics(method, url.path, query)
                return
            if method == "GET" and self._discovery(url.path):
                return
            try:
                route = parse_path(url.path, self.server.routes)
            except RouteNotFound:
                self._send_json(404, status(404, "NotFound", "the server could not find the requested resource"))
                return
            body = self._decode_body(raw)               # after routing: an unknown path is a 404, not a 415
            if route.subresource == "log":
                self._logs(method, route, query)
                return
            if route.subresource == "exec":
                self._exec(method, route, parse_qsl(url.query, keep_blank_values=True), body)
                return
            req = Request(method, route, query, body, self.headers.get("Content-Type") or "application/json",
                          self.headers.get("User-Agent") or "")
            table = self._table_version(method, route)       # kubectl get: Accept ...;as=Table;v=v1;g=meta.k8s.io
            if method == "GET" and query.get("watch", "").lower() in ("1", "true"):
                self._watch(req, table)
                return
            code, out = self.server.api.handle(req)
            if table and code == 200:
                from kubekit.server.tables import table_content_type, to_table
                self._send_json(code, to_table(out, route.resource.kind, version=table,
                                               include_object=query.get("includeObject", "Metadata")),
                                table_content_type(table))
                return
            self._send_json(code, out)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # noqa: BLE001 - every failure becomes a Status answer
            details = None
            if route is not None and route.name:
                details = {"name": route.name, "kind": route.resource.plural}
                if route.resource.group:
                    details["group"] = route.resource.group
            from kubekit.server.discovery import NotAcceptable
            st = e.status() if isinstance(e, NotAcceptable) else status_for(e, details)   # 406
            if st["code"] >= 500:
                log.exception("%s %s failed", method, self.path)
            try:
                self._send_json(st["code"], st)
            except OSError:
                self.close_connection = True

    def _discovery(self, path: str) -> bool:
        """Answer a discovery path (``/api``, ``/apis``, ``/api/v1``, ``/apis/G/V``); False for any other."""
        from kubekit.server.discovery import discovery_document

        extra = None
        if self.server.metrics is not None:          # the metrics API (kubectl top looks for it in /apis)
            from kubekit.server.metrics import GROUP_VERSION, MetricsAPI
            extra = {GROUP_VERSION: MetricsAPI._discovery()}
        doc = discovery_document(path, self.server.routes, accept=self.headers.get("Accept"), extra=extra,
                                 server_address=self.server.where)
        if doc is None:
            return False
        self._send_json(200, doc[1], doc[0])
        return True

    def _table_version(self, method: str, route) -> str | None:
        """The Table version a GET of a resource (no subresource) asks for in its Accept header."""
        if method != "GET" or route.subresource is not None:
            return None
        from kubekit.server.tables import table_version
        return table_version(self.headers.get("Accept"))

    def _send_plain(self, code: int, text: str) -> None:
        data = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _metrics(self, method: str, path: str, query: dict[str, str]) -> None:
        metrics = self.server.metrics
        if metrics is None:              # no local node: no metrics source (metrics-server not installed)
            self._send_json(404, status(404, "NotFound", "the server could not find the requested resource"))
            return
        if method != "GET":
            raise MethodNotAllowed(f"{method} is not supported on the metrics API (use GET)")
        try:
            code, out = metrics.handle(path, query)
        except RouteNotFound:
            self._send_json(404, status(404, "NotFound", "the server could not find the requested resource"))
            return
        self._send_json(code, out)

    def _client_gone(self) -> bool:
        """True once the client closed its end (readable with nothing to read)."""
        import select
        try:
            ready, _, _ = select.select([self.connection], [], [], 0)
            return bool(ready) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _logs(self, method: str, route, query: dict[str, str]) -> None:
        if method != "GET":
            raise MethodNotAllowed(f"{method} is not supported on pods/log (use GET)")
        logs = self.server.logs
        if logs is None:
            raise BadRequest("this server serves no logs")
        chunks = logs.open(route.namespace, route.name, query, self._client_gone)   # errors: a plain Status answer
        self._stream("text/plain", chunks, chunks)

    def _stream(self, content_type: str, chunks, source) -> None:
        """A 200 with ``chunks`` (bytes) as HTTP/1.1 chunked encoding, each
        flushed as it comes, until they end or the client goes; then
        ``source.close()``."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        try:
            for data in chunks:
                if data:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                    self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            pass                                       # the client went away
        finally:
            source.close()                             # type: ignore[attr-defined]

    def _exec(self, method: str, route, query: list[tuple[str, str]], body: Any) -> None:
        if method not in ("POST", "GET"):
            raise MethodNotAllowed(f"{method} is not supported on pods/exec (use POST)")
        if self.server.exec is None:
            raise BadRequest("this server runs no containers to exec in (no local node)")
        from kubekit.server.execstream import is_websocket_request, serve_exec_stream
        if is_websocket_request(self.headers):         # kubectl exec -it: the channel protocol over a WebSocket
            serve_exec_stream(self, self.server.exec, route.namespace, route.name, query)
            return
        self._send_json(200, self.server.exec.run(route.namespace, route.name, query, body))

    def _watch(self, req: Request, table: str | None = None) -> None:
        events = self.server.api.watch(req)          # a too old resourceVersion raises here: a plain 410
        if table:                                    # kubectl get -w: each event's object as a Table
            from kubekit.server.tables import table_content_type, watch_tables
            chunks = (_json_bytes(ev) + b"\n" for ev in watch_tables(events, req.route.resource.kind, table,
                                                                     req.query.get("includeObject", "Metadata")))
            self._stream(table_content_type(table), chunks, events)
            return
        self._stream("application/json", (_json_bytes(ev) + b"\n" for ev in events if ev is not None), events)


class APIHTTPServer(socketserver.ThreadingMixIn, socketserver.BaseServer):
    """Serves :class:`~kubekit.server.api.API` on a listening socket made by
    :func:`make_http_server`."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, sock: socket.socket, api: API, routes, where: str, *, logs=None, metrics=None,
                 exec=None) -> None:  # noqa: A002 - the subresource's name
        socketserver.BaseServer.__init__(self, where, _Handler)
        self.socket = sock
        self.api, self.routes, self.where = api, routes, where
        self.logs, self.metrics = logs, metrics      # PodLogs and MetricsAPI, when a local node runs
        self.exec = exec                             # PodExec, when a local node runs
        self._conns: dict[socket.socket, threading.Thread] = {}
        self._conns_lock = threading.Lock()

    def fileno(self) -> int:
        return self.socket.fileno()

    def get_request(self):
        return self.socket.accept()

    def server_close(self) -> None:
        self.socket.close()

    def shutdown_request(self, request) -> None:
        try:
            request.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        request.close()

    def process_request(self, request, client_address) -> None:
        t = threading.Thread(target=self._serve_one, args=(request, client_address), daemon=True,
                             name="kubekit-http-conn")
        with self._conns_lock:
            self._conns[request] = t
        t.start()

    def _serve_one(self, request, client_address) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:  # noqa: BLE001
            self.handle_error(request, client_address)
        finally:
            with self._conns_lock:
                self._conns.pop(request, None)
            self.shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        log.debug("connection error", exc_info=True)

    def close(self, timeout: float = 10.0) -> None:
        """Stop accepting, end every open connection and join their threads."""
        self.server_close()
        with self._conns_lock:
            conns = dict(self._conns)
        for sock in conns:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in conns.values():
            t.join(timeout)


def make_http_server(api: API, routes, *, socket_path: str | None = None,
                     listen: tuple[str, int] | None = None, logs=None, metrics=None) -> APIHTTPServer:
    """A server listening on ``socket_path`` (a unix socket, created with
    mode 0660; a stale socket file from a dead server is replaced) or on
    ``listen`` (host, port)."""
    if (socket_path is None) == (listen is None):
        raise ValueError("give exactly one of socket_path and listen")
    if socket_path is not None:
        _remove_stale_socket(socket_path)
        os.makedirs(os.path.dirname(os.path.abspath(socket_path)), exist_ok=True)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(socket_path)
            os.chmod(socket_path, 0o660)
            sock.listen(64)
        except OSError:
            sock.close()
            raise
        return APIHTTPServer(sock, api, routes, socket_path, logs=logs, metrics=metrics)
    host, port = listen  # type: ignore[misc]
    sock = socket.create_server((host, port), backlog=64)
    bound = sock.getsockname()
    return APIHTTPServer(sock, api, routes, f"{bound[0]}:{bound[1]}", logs=logs, metrics=metrics)


def _remove_stale_socket(path: str) -> None:
    """Remove ``path`` if it is a socket nobody listens on; refuse to start if
    a server answers there or if it is not a socket."""
    import stat
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(st.st_mode):
        raise OSError(f"{path} exists and is not a socket; refusing to replace it")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
    except (ConnectionRefusedError, FileNotFoundError):
        os.unlink(path)
        return
    finally:
        probe.close()
    raise OSError(f"another server is already listening on {path}")
