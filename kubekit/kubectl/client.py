"""A small HTTP/JSON client for ``kubekit serve`` over a unix socket or
loopback TCP (stdlib ``http.client``).

Errors: :class:`ServerUnavailable` when nothing answers at the address,
:class:`APIError` (carrying the server's ``Status``) for any non-2xx answer.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

__all__ = ["APIError", "Client", "ServerUnavailable", "default_address", "MERGE_PATCH", "STRATEGIC_MERGE_PATCH",
           "APPLY_PATCH", "USER_AGENT"]

DEFAULT_SOCKET = "/run/kubekit/kubekit.sock"      # kept equal to kubekit.server.app.DEFAULT_SOCKET
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"          # server-side apply (JSON is YAML)
#: sent with every request: the server's default field manager is its first segment, ``kubekit``
USER_AGENT = "kubekit/v1.34.0-kubekit (linux/amd64)"


class ServerUnavailable(ConnectionError):
    """Nothing answers at the server address."""

    def __init__(self, where: str, detail: str | None = None) -> None:
        self.where = where
        super().__init__(f"The connection to the server at {where} was refused - is kubekit serve running?"
                         if detail is None else f"Unable to connect to the server at {where}: {detail}")


class APIError(Exception):
    """A non-2xx answer; ``status`` is the ``metav1.Status`` body."""

    def __init__(self, code: int, status: Mapping[str, Any]) -> None:
        self.code = code
        self.status = dict(status)
        self.reason = str(status.get("reason") or "")
        super().__init__(str(status.get("message") or f"HTTP {code}"))


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float | None) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            if self.timeout is not None:
                s.settimeout(self.timeout)
            s.connect(self._path)
        except OSError:
            s.close()
            raise
        self.sock = s


def default_address(socket_path: str | None = None, server: str | None = None) -> str:
    """The address to use: an explicit ``server`` (``127.0.0.1:8080`` or
    ``http://127.0.0.1:8080``) or socket, else ``$KUBEKIT_SERVER``, else
    ``$KUBEKIT_SOCKET``, else ``/run/kubekit/kubekit.sock``."""
    if server:
        return server
    if socket_path:
        return socket_path
    return os.environ.get("KUBEKIT_SERVER") or os.environ.get("KUBEKIT_SOCKET") or DEFAULT_SOCKET


class Client:
    """``address`` is a unix socket path or ``host:port`` / ``http://host:port``."""

    def __init__(self, address: str, *, timeout: float | None = 30.0) -> None:
        self.address = address
        self.timeout = timeout

    def _connection(self, timeout: float | None) -> http.client.HTTPConnection:
        a = self.address
        if a.startswith("http://"):
            a = a[len("http://"):].rstrip("/")
        elif a.startswith("/") or a.startswith(".") or a.startswith("unix:"):
            return _UnixConnection(a.removeprefix("unix:"), timeout)
        host, _, port = a.rpartition(":")
        return http.client.HTTPConnection(host.strip("[]") or "127.0.0.1", int(port), timeout=timeout)

    def _send(self, method: str, path: str, *, query: Mapping[str, Any] | None = None, body: Any = None,
              content_type: str = "application/json", stream: bool = False):
        q = {k: v for k, v in (query or {}).items() if v not in (None, "")}
        url = path + ("?" + urlencode(q) if q else "")
        data = None if body is None else json.dumps(body).encode()
        headers = {"Accept": "application/json", "Connection": "close", "User-Agent": USER_AGENT}
        if data is not None:
            headers["Content-Type"] = content_type
        conn = self._connection(None if stream else self.timeout)     # a watch may be quiet for a long time
        try:
            conn.request(method, url, body=data, headers=headers)
            resp = conn.getresponse()
        except (ConnectionRefusedError, FileNotFoundError):
            conn.close()
            raise ServerUnavailable(self.address) from None
        except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected) as e:
            conn.close()
            raise ServerUnavailable(self.address, "the server closed the connection") from e
        except PermissionError:
            conn.close()
            raise ServerUnavailable(self.address, "permission denied (the socket is for root and its group)") from None
        if resp.status >= 300:
            raw = resp.read()
            conn.close()
            try:
                st = json.loads(raw)
            except json.JSONDecodeError:
                st = {"message": raw.decode(errors="replace").strip() or f"HTTP {resp.status}",
                      "reason": resp.reason}
            raise APIError(resp.status, st)
        if stream:
            return conn, resp
        raw = resp.read()
        conn.close()
        return json.loads(raw) if raw.strip() else None

    # -- verbs -------------------------------------------------------------------------
    def get(self, path: str, **query: Any) -> Any:
        return self._send("GET", path, query=query)

    def create(self, path: str, obj: Mapping[str, Any], *, field_manager: str | None = None) -> dict:
        return self._send("POST", path, body=obj, query={"fieldManager": field_manager})

    def update(self, path: str, obj: Mapping[str, Any]) -> dict:
        return self._send("PUT", path, body=obj)

    def patch(self, path: str, patch: Mapping[str, Any], *, content_type: str = MERGE_PATCH,
              field_manager: str | None = None) -> dict:
        """``content_type``: :data:`MERGE_PATCH` (JSON merge patch) or
        :data:`STRATEGIC_MERGE_PATCH`; ``field_manager``: the manager the
        server records (default: from the User-Agent)."""
        return self._send("PATCH", path, body=patch, content_type=content_type, query={"fieldManager": field_manager})

    def apply(self, path: str, obj: Mapping[str, Any], *, field_manager: str, force: bool = False) -> dict:
        """Server-side apply ``obj`` (its full configuration) as ``field_manager``;
        ``force`` takes the fields other managers own (``--force-conflicts``)."""
        return self._send("PATCH", path, body=obj, content_type=APPLY_PATCH,
                          query={"fieldManager": field_manager, "force": "true" if force else None})

    def delete(self, path: str, *, propagation: str | None = None, grace_period: int | None = None) -> dict:
        return self._send("DELETE", path, query={"propagationPolicy": propagation,
                                                 "gracePeriodSeconds": grace_period})

    def post(self, path: str, body: Mapping[str, Any]) -> Any:
        return self._send("POST", path, body=body)

    def exec(self, pod_path: str, command: list[str], *, container: str | None = None,
             stdin: bytes | None = None) -> dict:
        """``POST <pod>/exec``: run ``command`` in the pod's container; the
        answer (``exitCode``, base64 ``stdout``/``stderr``) once it ended, with
        no client timeout (a command may run long)."""
        import base64

        pairs = [("command", c) for c in command] + ([("container", container)] if container else [])
        if stdin is not None:
            pairs.append(("stdin", "true"))
        body = {"stdin": base64.b64encode(stdin).decode()} if stdin else None
        conn, resp = self._send("POST", f"{pod_path}/exec?{urlencode(pairs)}", body=body, stream=True)
        try:
            return json.loads(resp.read())
        finally:
            conn.close()

    def healthy(self) -> bool:
        conn = self._connection(self.timeout)
        try:
            conn.request("GET", "/healthz", headers={"Connection": "close"})
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()

    def stream(self, path: str, **query: Any) -> Iterator[bytes]:
        """The raw body of a GET as it arrives (``pods/{name}/log?follow=true``),
        until the server ends it or the caller stops iterating."""
        conn, resp = self._send("GET", path, query=query, stream=True)
        try:
            while True:
                data = resp.read1(65536)
                if not data:
                    return
                yield data
        except (ConnectionResetError, http.client.IncompleteRead):
            return
        finally:
            conn.close()

    def watch(self, path: str, *, resource_version: str | None = None, timeout_seconds: int | None = None,
              **query: Any) -> Iterator[dict]:
        """Watch events (``{"type", "object"}``) until the server ends the
        stream (``timeout_seconds``) or the caller stops iterating."""
        q = dict(query, watch="1", resourceVersion=resource_version, timeoutSeconds=timeout_seconds)
        conn, resp = self._send("GET", path, query=q, stream=True)
        try:
            while True:
                line = resp.readline()
                if not line:
                    return
                if line.strip():
                    yield json.loads(line)
        except (ConnectionResetError, http.client.IncompleteRead):
            return
        finally:
            conn.close()
