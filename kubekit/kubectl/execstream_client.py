"""The client side of streaming exec (``kubekit exec -i/-t``): Kubernetes'
``v5.channel.k8s.io`` (or ``v4``) channel protocol over a WebSocket to
``kubekit serve`` (see :mod:`kubekit.server.execstream` for the channels).

:meth:`ExecStream.connect` opens the stream; :func:`interact` copies a local
stdin and stdout/stderr through it until the remote command ended and
returns its Status; :func:`raw_terminal` puts a local terminal in raw mode
for the duration (always restored).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO
from urllib.parse import urlencode

from kubekit.kubectl.client import APIError, Client, ServerUnavailable
from kubekit.server.execstream import (
    CLOSE_CHANNEL,
    ERROR_CHANNEL,
    PROTOCOLS,
    RESIZE_CHANNEL,
    STDERR_CHANNEL,
    STDIN_CHANNEL,
    STDOUT_CHANNEL,
    V5_PROTOCOL,
    exit_code_of,
)
from kubekit.server.websocket import (
    OP_BINARY,
    HandshakeError,
    WebSocket,
    client_handshake,
)

__all__ = ["ExecStream", "exit_code_of", "interact", "raw_terminal", "terminal_size"]


class ExecStream:
    """One streaming exec: send stdin and resizes, receive ``(channel, data)``."""

    def __init__(self, ws: WebSocket, protocol: str) -> None:
        self.ws, self.protocol = ws, protocol
        self.status: dict[str, Any] | None = None     # the error channel's Status, once it came

    @classmethod
    def connect(cls, client: Client, pod_path: str, command: list[str], *, container: str | None = None,
                stdin: bool = False, stdout: bool = True, stderr: bool = True, tty: bool = False,
                protocols: tuple[str, ...] = PROTOCOLS) -> ExecStream:
        """Upgrade ``<pod_path>/exec`` to the channel protocol.  The server's
        refusals (a missing pod, a bad container...) raise :class:`APIError`."""
        pairs = [("command", c) for c in command] + ([("container", container)] if container else [])
        pairs += [(k, "true") for k, v in (("stdin", stdin), ("stdout", stdout), ("stderr", stderr), ("tty", tty))
                  if v]
        conn = client._connection(None)
        try:
            conn.connect()
        except (ConnectionRefusedError, FileNotFoundError):
            raise ServerUnavailable(client.address) from None
        except PermissionError:
            raise ServerUnavailable(client.address, "permission denied (the socket is for root and its group)") from None
        sock = conn.sock
        conn.sock = None                                # ours now
        host = "localhost" if conn.host in ("localhost", "") else f"{conn.host}:{conn.port}"
        try:
            protocol, rest = client_handshake(sock, host, f"{pod_path}/exec?{urlencode(pairs)}", protocols)
        except HandshakeError as e:
            sock.close()
            if not e.status:
                raise ServerUnavailable(client.address, str(e)) from None
            try:
                st = json.loads(e.body)
            except ValueError:
                st = {"message": e.body.decode(errors="replace").strip() or f"HTTP {e.status}", "reason": e.reason}
            raise APIError(e.status, st) from None
        except OSError:
            sock.close()
            raise
        return cls(WebSocket(sock, client=True, buffered=rest), protocol or "")

    # -- sending -------------------------------------------------------------------------------
    def send_stdin(self, data: bytes) -> None:
        if data:
            self.ws.send_binary(bytes([STDIN_CHANNEL]) + data)

    def close_stdin(self) -> bool:
        """Tell the server stdin ended (v5's close signal); False on v4, which has none."""
        if self.protocol != V5_PROTOCOL:
            return False
        self.ws.send_binary(bytes([CLOSE_CHANNEL, STDIN_CHANNEL]))
        return True

    def resize(self, width: int, height: int) -> None:
        self.ws.send_binary(bytes([RESIZE_CHANNEL]) + json.dumps({"Width": width, "Height": height}).encode())

    # -- receiving -----------------------------------------------------------------------------
    def fileno(self) -> int:
        return self.ws.fileno()

    def messages(self) -> Iterator[tuple[int, bytes]]:
        """The ``(channel, data)`` messages parsed so far (call after :meth:`read`)."""
        while (m := self.ws.next_message()) is not None:
            opcode, data = m
            if opcode != OP_BINARY or not data:
                continue
            if data[0] == ERROR_CHANNEL:
                if len(data) > 1:
                    try:
                        self.status = json.loads(data[1:])
                    except ValueError:
                        self.status = {"status": "Failure", "message": data[1:].decode(errors="replace")}
                continue
            yield data[0], data[1:]

    def read(self) -> bool:
        """One read from the socket (when readable); False once the server closed."""
        return self.ws.read_available()

    def recv(self, timeout: float | None = None) -> tuple[int, bytes] | None:
        """The next stdout/stderr message; None when the stream ended (or
        nothing came in ``timeout``)."""
        while True:
            for m in self.messages():
                return m
            if self.ws.closed:
                return None
            if not select.select([self.ws], [], [], timeout)[0]:
                return None
            self.read()

    def close(self) -> None:
        self.ws.close()
        try:
            self.ws.sock.close()
        except OSError:
            pass


def terminal_size(fd: int) -> tuple[int, int] | None:
    """(width, height) of the terminal on ``fd``, or None."""
    try:
        size = os.get_terminal_size(fd)
    except OSError:
        return None
    return size.columns, size.lines


@contextlib.contextmanager
def raw_terminal(fd: int) -> Iterator[None]:
    """The terminal on ``fd`` in raw mode (``tty.setraw``) for the block,
    its settings restored afterwards whatever happens."""
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    try:
        tty.setraw(fd, termios.TCSANOW)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _stdin_fd(stdin: Any) -> int | None:
    try:
        return stdin.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def interact(stream: ExecStream, *, stdin: BinaryIO | int | None, write_out: Callable[[bytes], None],
             write_err: Callable[[bytes], None], resize_fd: int | None = None) -> dict[str, Any] | None:
    """Copy ``stdin`` (an fd, a binary file, or None) to the remote command
    and its stdout/stderr to ``write_out``/``write_err`` until the server
    ends the stream; returns the Status (None if the stream broke first).
    ``resize_fd``: a terminal whose size is sent now and on every SIGWINCH
    (when called from the main thread)."""
    fd = stdin if isinstance(stdin, int) else _stdin_fd(stdin) if stdin is not None else None
    feeder = None
    if stdin is not None and fd is None:             # a file object without an fd: a thread feeds it
        feeder = threading.Thread(target=_feed, args=(stream, stdin), name="kubekit-exec-stdin", daemon=True)
        feeder.start()
    wake_r = wake_w = -1
    old_handler = None
    if resize_fd is not None:
        size = terminal_size(resize_fd)
        if size:
            stream.resize(*size)
        if threading.current_thread() is threading.main_thread():
            wake_r, wake_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)

            def on_winch(signum, frame) -> None:
                try:
                    os.write(wake_w, b"w")
                except OSError:
                    pass
            old_handler = signal.signal(signal.SIGWINCH, on_winch)
    try:
        while True:
            for ch, data in stream.messages():
                if ch == STDOUT_CHANNEL:
                    write_out(data)
                elif ch == STDERR_CHANNEL:
                    write_err(data)
            if stream.ws.closed:
                return stream.status
            rlist: list[Any] = [stream.ws]
            if fd is not None:
                rlist.append(fd)
            if wake_r >= 0:
                rlist.append(wake_r)
            try:
                r, _, _ = select.select(rlist, [], [])
            except InterruptedError:
                continue
            if wake_r in r:
                while True:
                    try:
                        if not os.read(wake_r, 64):
                            break
                    except BlockingIOError:
                        break
                size = terminal_size(resize_fd) if resize_fd is not None else None
                if size:
                    stream.resize(*size)
            if fd is not None and fd in r:
                try:
                    data = os.read(fd, 32768)
                except OSError:
                    data = b""
                if data:
                    stream.send_stdin(data)
                else:
                    fd = None
                    stream.close_stdin()
            if stream.ws in r:
                stream.read()
    except OSError:
        return stream.status
    finally:
        if old_handler is not None:
            signal.signal(signal.SIGWINCH, old_handler)
        for x in (wake_r, wake_w):
            if x >= 0:
                os.close(x)


def _feed(stream: ExecStream, stdin: Any) -> None:
    read = getattr(stdin, "read1", None) or stdin.read
    try:
        while True:
            data = read(32768)
            if not data:
                break
            stream.send_stdin(data)
        stream.close_stdin()
    except (OSError, ValueError):
        pass
