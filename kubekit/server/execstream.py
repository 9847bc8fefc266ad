"""Streaming ``pods/{name}/exec`` (``kubectl exec -it``): Kubernetes' channel
protocol over a WebSocket (:mod:`kubekit.server.websocket`).

The request is upstream's::

    GET|POST /api/v1/namespaces/NS/pods/NAME/exec?container=C&command=sh&stdin=true&stdout=true&tty=true
    Connection: Upgrade
    Upgrade: websocket
    Sec-WebSocket-Protocol: v5.channel.k8s.io, v4.channel.k8s.io

``stdin``, ``stdout``, ``stderr`` and ``tty`` are ``true`` or ``1``; at least
one of the three streams must be asked for; with ``tty`` stderr is dropped
(the terminal carries both), as the kubelet does.  The pod, container and
node are checked before the upgrade, with the one-shot exec's Status answers
(404, 400).  The subprotocols served are ``v5.channel.k8s.io`` (preferred)
and ``v4.channel.k8s.io``; a request offering neither is a 400.

After ``101 Switching Protocols`` every message is a binary frame whose first
byte is the channel (upstream's ``wsstream`` "channel.k8s.io" framing):

==  ======  ==================================================================
0   stdin   client -> server: bytes for the process (the terminal with tty)
1   stdout  server -> client (the terminal's output with tty).  An empty
            message on the lowest asked-for output channel (else on 3) says
            the stream is up, as the kubelet sends
2   stderr  server -> client (never with tty)
3   error   server -> client, once, last: the ``metav1.Status`` of the run
            (v4 format): ``{"metadata":{},"status":"Success"}``, or
            ``Failure`` with reason ``NonZeroExitCode`` and
            ``details.causes[{"reason":"ExitCode","message":"N"}]``, or
            reason ``InternalError`` (code 500) when the exec could not run
4   resize  client -> server: ``{"Width":W,"Height":H}``: ``TIOCSWINSZ``
            on the terminal (the process gets SIGWINCH); ignored without tty,
            and ignored when malformed or a size is not an integer in
            1..65535 (upstream's HandleResizing skips zero sizes)
255 close   v5 only, client -> server: ``[255, channel]`` half-closes a
            stream; ``[255, 0]`` closes the process' stdin (EOF for
            ``cat``).  With a tty it is ignored (the terminal stays open;
            a user ends it with its own EOF character, ^D)
==  ======  ==================================================================

**Backpressure**: the server queues at most 4 MiB of stdin the process has
not read yet; at that, it stops reading the WebSocket (the socket's buffers
fill and the client's sends wait) and reads again once the process took
some: stdin is never dropped.  A client must therefore keep reading output
while its stdin sends wait (kubekit's sends from a separate thread).

A ``Sec-WebSocket-Version`` other than 13 is answered 400 with
``Sec-WebSocket-Version: 13`` (RFC 6455 §4.4), as golang.org/x/net/websocket
(upstream's wsstream) does.

When the process exits the server forwards what output is left (until it
ends, or 0.2 s of quiet when a background child still holds it), sends the
status on channel 3 and a close frame (1000).

A command that cannot start (not found, not executable) reports the reason
on stderr (stdout with a tty) and exit code 127 (126), as the one-shot exec
does.

**A client that goes away** (EOF, a reset, a close frame) before the process
exited: the server closes its ends of the process' stdio and leaves the
process to the kernel, as the kubelet and the CRI runtimes do: with a tty
the terminal's master is closed, so the kernel hangs the terminal up and its
session gets ``SIGHUP`` (a shell exits); without one the process reads EOF
on stdin and gets ``EPIPE``/``SIGPIPE`` when it writes.  A process that
ignores both keeps running (upstream leaves it too) until it ends or its
container is deleted; a daemon thread reaps it.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import select
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kubekit.server.status import BadRequest
from kubekit.server.websocket import OP_BINARY, WebSocket, accept_key

__all__ = ["CLOSE_CHANNEL", "ERROR_CHANNEL", "PROTOCOLS", "RESIZE_CHANNEL", "STDERR_CHANNEL", "STDIN_CHANNEL",
           "STDOUT_CHANNEL", "V4_PROTOCOL", "V5_PROTOCOL", "StreamOptions", "exit_code_of", "exit_status",
           "internal_error_status", "is_websocket_request", "negotiate", "pump", "serve_exec_stream",
           "stream_options", "success_status"]

log = logging.getLogger(__name__)

V5_PROTOCOL = "v5.channel.k8s.io"
V4_PROTOCOL = "v4.channel.k8s.io"
PROTOCOLS = (V5_PROTOCOL, V4_PROTOCOL)
STDIN_CHANNEL, STDOUT_CHANNEL, STDERR_CHANNEL, ERROR_CHANNEL, RESIZE_CHANNEL = 0, 1, 2, 3, 4
CLOSE_CHANNEL = 255
DRAIN_QUIET = 0.2            # after the exit: stop forwarding output after this long without any
_CHUNK = 32768
_MAX_PENDING_STDIN = 4 << 20   # stdin queued for the process; at this the WebSocket is not read (backpressure)


@dataclass(frozen=True, slots=True)
class StreamOptions:
    stdin: bool
    stdout: bool
    stderr: bool
    tty: bool


def _true(params: Mapping[str, list[str]], name: str) -> bool:
    return (params.get(name) or [""])[0].lower() in ("1", "true")


def stream_options(params: Mapping[str, list[str]]) -> StreamOptions:
    """The streams asked for (pure): ``stdin``, ``stdout``, ``stderr``,
    ``tty`` (``true``/``1``); stderr is dropped with a tty."""
    tty = _true(params, "tty")
    stdin, stdout, stderr = _true(params, "stdin"), _true(params, "stdout"), _true(params, "stderr") and not tty
    if not (stdin or stdout or stderr):
        raise BadRequest("you must specify at least 1 of stdin, stdout, stderr")
    return StreamOptions(stdin, stdout, stderr, tty)


def is_websocket_request(headers: Mapping[str, str]) -> bool:
    """``Upgrade: websocket`` with ``Connection`` naming ``upgrade`` (upstream's IsWebSocketRequest)."""
    if (headers.get("Upgrade") or "").strip().lower() != "websocket":
        return False
    return "upgrade" in [t.strip().lower() for t in (headers.get("Connection") or "").split(",")]


def negotiate(offered: list[str]) -> str:
    """The first subprotocol the client offers that is served (client order, as upstream's handshake)."""
    for p in offered:
        if p in PROTOCOLS:
            return p
    raise BadRequest(f"requested protocol(s) are not supported: [{' '.join(offered)}]; supports "
                     f"[{' '.join(PROTOCOLS)}]")


def _offered(headers) -> list[str]:
    values = headers.get_all("Sec-WebSocket-Protocol") if hasattr(headers, "get_all") else None
    if values is None:
        v = headers.get("Sec-WebSocket-Protocol")
        values = [v] if v else []
    return [p.strip() for v in values for p in v.split(",") if p.strip()]


# -- the error channel's Status (metav1.Status, as json.Marshal writes it) ---------------------

def success_status() -> dict[str, Any]:
    return {"metadata": {}, "status": "Success"}


def exit_status(code: int, argv: list[str]) -> dict[str, Any]:
    """The kubelet's Status for a non-zero exit (its message wraps the CRI runtime's error)."""
    return {"metadata": {}, "status": "Failure",
            "message": f"command terminated with non-zero exit code: error executing command [{' '.join(argv)}], "
                       f"exit code {code}",
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}


def internal_error_status(message: str) -> dict[str, Any]:
    """``apierrors.NewInternalError`` of the kubelet's "error executing command in container"."""
    err = f"error executing command in container: {message}"
    return {"metadata": {}, "status": "Failure", "message": f"Internal error occurred: {err}",
            "reason": "InternalError", "details": {"causes": [{"message": err}]}, "code": 500}


def exit_code_of(status: Mapping[str, Any]) -> int | None:
    """The exit code a Status on the error channel carries: 0 for Success,
    N for NonZeroExitCode; None for any other failure (client-go's rule)."""
    if status.get("status") == "Success":
        return 0
    if status.get("reason") == "NonZeroExitCode":
        for cause in (status.get("details") or {}).get("causes") or []:
            if cause.get("reason") == "ExitCode":
                try:
                    return int(cause.get("message"))
                except (TypeError, ValueError):
                    return None
    return None


def _encode_status(st: Mapping[str, Any]) -> bytes:
    return json.dumps(st, separators=(",", ":")).encode()


# -- serving -----------------------------------------------------------------------------------

def _buffered_input(handler) -> bytes:
    """What the handler's buffered reader holds past the request's headers
    (a client may send frames before it read the 101), without blocking."""
    sock = handler.connection
    timeout = sock.gettimeout()
    sock.setblocking(False)
    try:
        data = handler.rfile.peek()
        return handler.rfile.read(len(data)) if data else b""
    except OSError:
        return b""
    finally:
        sock.settimeout(timeout)


def _refuse_version(handler) -> None:
    """A ``Sec-WebSocket-Version`` other than 13: 400 with
    ``Sec-WebSocket-Version: 13`` naming the version served (RFC 6455 §4.4),
    as golang.org/x/net/websocket (upstream's wsstream) answers."""
    from kubekit.server.status import status_for

    body = json.dumps(status_for(BadRequest("websocket: Sec-WebSocket-Version must be 13")),
                      separators=(",", ":")).encode() + b"\n"
    handler.close_connection = True
    handler.send_response(400)
    handler.send_header("Sec-WebSocket-Version", "13")
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)
    handler.wfile.flush()


def parse_resize(body: bytes) -> tuple[int, int] | None:
    """``(width, height)`` of a resize message (pure), or None for one to
    ignore: not a JSON object, sizes that are not integers in 1..65535
    (upstream's HandleResizing skips zero sizes; a winsize field is 16
    bits).  Never raises (huge numbers, deep nesting, bad UTF-8...)."""
    try:
        size = json.loads(body)
        if not isinstance(size, dict):
            return None
        w, h = size.get("Width"), size.get("Height")
    except Exception:                                # noqa: BLE001 - RecursionError, OverflowError, ...
        return None
    if type(w) is not int or type(h) is not int or not (0 < w <= 0xFFFF and 0 < h <= 0xFFFF):
        return None
    return w, h


def serve_exec_stream(handler, podexec, namespace: str, name: str, query: list[tuple[str, str]]) -> None:
    """Handle an exec request with ``Upgrade: websocket`` on an
    ``http.server`` ``handler``: check it (errors raise, before any answer:
    the caller sends them as Status), switch protocols, start the command
    and :func:`pump` until it ended or the client went away."""
    from kubekit.node.agent import ContainerNotRunning
    from kubekit.runtime.execin import ExecStartError

    container, command, params = podexec.stream_target(namespace, name, query)
    opts = stream_options(params)
    headers = handler.headers
    if (headers.get("Sec-WebSocket-Version") or "").strip() != "13":
        _refuse_version(handler)
        return
    key = (headers.get("Sec-WebSocket-Key") or "").strip()
    if not key:
        raise BadRequest("websocket: the Sec-WebSocket-Key header is missing")
    protocol = negotiate(_offered(headers))
    handler.close_connection = True
    handler.send_response(101, "Switching Protocols")
    handler.send_header("Upgrade", "websocket")
    handler.send_header("Connection", "Upgrade")
    handler.send_header("Sec-WebSocket-Accept", accept_key(key))
    handler.send_header("Sec-WebSocket-Protocol", protocol)
    handler.end_headers()
    handler.wfile.flush()
    ws = WebSocket(handler.connection, client=False, buffered=_buffered_input(handler))
    try:
        first = STDOUT_CHANNEL if opts.stdout else STDERR_CHANNEL if opts.stderr else ERROR_CHANNEL
        ws.send_binary(bytes([first]))            # "connected", as the kubelet says it
        try:
            proc = podexec.start_stream(namespace, name, container, command, stdin=opts.stdin, stdout=opts.stdout,
                                        stderr=opts.stderr, tty=opts.tty)
        except ExecStartError as e:
            code = 127 if e.errno == errno.ENOENT else 126
            if opts.stdout or opts.stderr:
                ws.send_binary(bytes([STDERR_CHANNEL if opts.stderr else STDOUT_CHANNEL]) + f"{e}\n".encode())
            ws.send_binary(bytes([ERROR_CHANNEL]) + _encode_status(exit_status(code, command)))
            ws.close()
            return
        except (ContainerNotRunning, OSError) as e:
            ws.send_binary(bytes([ERROR_CHANNEL]) + _encode_status(internal_error_status(str(e))))
            ws.close()
            return
        pump(ws, protocol, opts, proc, command)
    except OSError:
        log.debug("exec stream for %s/%s: the client went away", namespace, name, exc_info=True)
    except Exception:
        log.exception("exec stream for %s/%s failed", namespace, name)
        ws.close(1011, "internal error")


def pump(ws: WebSocket, protocol: str, opts: StreamOptions, proc, argv: list[str]) -> dict[str, Any] | None:
    """Copy between the WebSocket and the process ``proc`` (an
    :class:`~kubekit.runtime.execin.ExecProcess` with its parent-side fds)
    until it exited (then send its Status and close; returned) or the
    client went away (then release it as the module docstring says; None).
    Runs in the caller's thread: one ``select`` loop, no other threads."""
    v5 = protocol == V5_PROTOCOL
    outputs: dict[int, int | None] = {}            # fd -> channel (None: read and dropped)
    if proc.pty is not None:
        outputs[proc.pty] = STDOUT_CHANNEL if opts.stdout else None
        in_fd = proc.pty if opts.stdin else None
    else:
        if proc.stdout is not None:
            outputs[proc.stdout] = STDOUT_CHANNEL
        if proc.stderr is not None:
            outputs[proc.stderr] = STDERR_CHANNEL
        in_fd = proc.stdin
    for fd in {*outputs, *([in_fd] if in_fd is not None else [])}:
        os.set_blocking(fd, False)
    pidfd = proc.pidfd                               # stays open as long as proc lives (even once reaped)
    pending = bytearray()
    stdin_closing = False
    exited = gone = False

    def close_stdin() -> None:
        nonlocal in_fd
        if proc.pty is None and in_fd is not None:
            proc.close_stdin()
        in_fd = None

    def on_message(opcode: int, data: bytes) -> None:
        nonlocal stdin_closing
        if opcode != OP_BINARY or not data:
            return                                   # text (base64 protocols) is not served
        ch, body = data[0], data[1:]
        if ch == STDIN_CHANNEL:
            if in_fd is not None and not stdin_closing and not exited:
                pending.extend(body)                 # bounded: the socket is not read while pending is full
        elif ch == RESIZE_CHANNEL:
            if proc.pty is not None:
                size = parse_resize(body)
                if size is None:
                    log.debug("exec stream: a bad resize message %r", body[:200])
                    return
                try:
                    proc.resize(*size)
                except Exception:                    # noqa: BLE001 - a resize never ends the stream
                    log.debug("exec stream: resize to %r failed", size, exc_info=True)
        elif ch == CLOSE_CHANNEL and v5 and body[:1] == bytes([STDIN_CHANNEL]) and proc.pty is None:
            stdin_closing = True                     # with a tty: ignored (see the module docstring)

    try:
        while True:
            if not gone:
                # Backpressure: while the process has not taken the stdin
                # queued, parsed messages wait and the socket is not read, so
                # the client's sends block instead of stdin being dropped.
                while len(pending) < _MAX_PENDING_STDIN and (m := ws.next_message()) is not None:
                    on_message(*m)
                if ws.closed:
                    gone = True
            if gone and not exited:
                break
            if stdin_closing and not pending:
                close_stdin()
            if exited and not outputs:
                break
            rlist: list[Any] = list(outputs)
            if not gone and len(pending) < _MAX_PENDING_STDIN:
                rlist.append(ws)
            if not exited:
                rlist.append(pidfd)
            wlist = [in_fd] if pending and in_fd is not None else []
            r, w, _ = select.select(rlist, wlist, [], DRAIN_QUIET if exited else None)
            if exited and not r and not w:
                break                                # quiet: a background child may hold the output
            if ws in r and not ws.read_available():
                gone = True
                continue
            if not exited and (pidfd in r or proc.exit_status is not None):   # or another thread reaped it
                exited = True
                proc.wait()
                pending.clear()
                close_stdin()
            for fd in r:
                ch = outputs.get(fd, -1) if isinstance(fd, int) and fd != pidfd else -1
                if ch == -1:
                    continue
                try:
                    data = os.read(fd, _CHUNK)
                except BlockingIOError:
                    continue
                except OSError:                      # EIO: the terminal's last slave closed
                    data = b""
                if not data:
                    del outputs[fd]
                    continue
                if ch is not None and not gone:
                    try:
                        ws.send_binary(bytes([ch]) + data)
                    except OSError:
                        gone = True
            if w and in_fd is not None:
                try:
                    n = os.write(in_fd, pending[:_CHUNK])
                    del pending[:n]
                except BlockingIOError:
                    pass
                except OSError:                      # the process closed its stdin
                    pending.clear()
                    close_stdin()
        if exited and not gone:
            code = proc.exit_status.code
            st = success_status() if code == 0 else exit_status(code, argv)
            try:
                ws.send_binary(bytes([ERROR_CHANNEL]) + _encode_status(st))
                ws.close()
            except OSError:
                pass
            return st
        return None
    finally:
        proc.close_fds()
        if not exited:
            log.debug("exec stream: the client went away; pid %d is left to end on its own", proc.pid)
            threading.Thread(target=proc.wait, name="kubekit-exec-reaper", daemon=True).start()
