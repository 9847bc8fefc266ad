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
import socket
import threading
from collections import deque
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


# Signals whose default action ends the process: while the terminal is raw
# each restores it first (then the default action happens, as it would have).
_FATAL_SIGNALS = ("SIGHUP", "SIGINT", "SIGTERM", "SIGQUIT")


@contextlib.contextmanager
def raw_terminal(fd: int) -> Iterator[None]:
    """The terminal on ``fd`` in raw mode (``tty.setraw``) for the block,
    its settings restored afterwards whatever happens: also when SIGHUP,
    SIGINT, SIGTERM or SIGQUIT (with their default action: not ignored nor
    handled by the program) end the process meanwhile: from the main thread,
    handlers for those restore the terminal and re-raise the signal with
    its default action; the previous handlers come back after the block."""
    import termios
    import tty

    saved = termios.tcgetattr(fd)

    def restore(when: int) -> None:
        with contextlib.suppress(termios.error, OSError):
            termios.tcsetattr(fd, when, saved)

    def on_fatal(signum: int, frame) -> None:
        restore(termios.TCSANOW)
        signal.signal(signum, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signum])
        os.kill(os.getpid(), signum)                 # the default action: the process ends here

    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for name in _FATAL_SIGNALS:
            signum = getattr(signal, name)
            handler = signal.getsignal(signum)
            if handler is signal.SIG_DFL:           # (Python's SIGINT handler raises: the finally restores)
                previous[signum] = signal.signal(signum, on_fatal)
    try:
        tty.setraw(fd, termios.TCSANOW)
        yield
    finally:
        try:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


def _stdin_fd(stdin: Any) -> int | None:
    try:
        return stdin.fileno()
    except (AttributeError, OSError, ValueError):
        return None


_QUEUE_LIMIT = 1 << 20       # stdin bytes queued for the sender thread; stdin is not read beyond it


class _Sender:
    """The only writer to the stream during :func:`interact`: a thread that
    sends queued stdin, stdin's end and resizes in order.  The read loop
    never blocks on the socket: when the server stops reading (it applies
    backpressure while the process does not take its stdin) only this thread
    waits, and the loop goes on reading output, which is what lets the
    server go on.  At most ``_QUEUE_LIMIT`` bytes of stdin wait here."""

    def __init__(self, stream: ExecStream, wake_w: int = -1) -> None:
        self.stream, self.wake_w = stream, wake_w
        self._cond = threading.Condition()
        self._items: deque[tuple[str, Any]] = deque()
        self._bytes = 0
        self._stopped = False
        self.failed = False
        self._thread = threading.Thread(target=self._run, name="kubekit-exec-send", daemon=True)
        self._thread.start()

    def full(self) -> bool:
        return self._bytes >= _QUEUE_LIMIT

    def put(self, kind: str, data: Any = b"", *, block: bool = False) -> bool:
        """Queue ``("stdin", bytes)``, ``("eof", None)`` or ``("resize", (w, h))``.
        Stdin beyond the limit: waits with ``block``, else False."""
        with self._cond:
            while kind == "stdin" and self.full() and not (self._stopped or self.failed):
                if not block:
                    return False
                self._cond.wait()
            if self._stopped or self.failed:
                return False
            self._items.append((kind, data))
            if kind == "stdin":
                self._bytes += len(data)
            self._cond.notify_all()
            return True

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._items and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                kind, data = self._items.popleft()
            try:
                if kind == "stdin":
                    self.stream.send_stdin(data)
                elif kind == "eof":
                    self.stream.close_stdin()
                else:
                    self.stream.resize(*data)
            except OSError:
                with self._cond:
                    self.failed = True
                    self._items.clear()
                    self._cond.notify_all()
                return
            finally:
                if kind == "stdin":
                    with self._cond:
                        self._bytes -= len(data)
                        self._cond.notify_all()
                    if self.wake_w >= 0:
                        try:
                            os.write(self.wake_w, b"s")      # the read loop may take stdin again
                        except OSError:
                            pass

    def stop(self, timeout: float = 2.0) -> None:
        """Drop what is queued and end the thread; one stuck in a send to a
        server that stopped reading is unblocked by shutting the socket down
        (the stream is over by then)."""
        with self._cond:
            self._stopped = True
            self._items.clear()
            self._cond.notify_all()
        self._thread.join(timeout)
        if self._thread.is_alive():
            with contextlib.suppress(OSError):
                self.stream.ws.sock.shutdown(socket.SHUT_RDWR)
            self._thread.join(timeout)


def interact(stream: ExecStream, *, stdin: BinaryIO | int | None, write_out: Callable[[bytes], None],
             write_err: Callable[[bytes], None], resize_fd: int | None = None) -> dict[str, Any] | None:
    """Copy ``stdin`` (an fd, a binary file, or None) to the remote command
    and its stdout/stderr to ``write_out``/``write_err`` until the server
    ends the stream; returns the Status (None if the stream broke first).
    ``resize_fd``: a terminal whose size is sent now and on every SIGWINCH
    (when called from the main thread).

    One loop reads the socket, stdin and the SIGWINCH pipe; a sender thread
    (:class:`_Sender`) does all the sending, so a server that stops reading
    stdin while it sends output can never deadlock with this client."""
    fd = stdin if isinstance(stdin, int) else _stdin_fd(stdin) if stdin is not None else None
    wake_r, wake_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
    sender = _Sender(stream, wake_w)
    feeder = None
    if stdin is not None and fd is None:             # a file object without an fd: a thread feeds it
        feeder = threading.Thread(target=_feed, args=(sender, stdin), name="kubekit-exec-stdin", daemon=True)
        feeder.start()
    old_handler = None
    if resize_fd is not None:
        size = terminal_size(resize_fd)
        if size:
            sender.put("resize", size)
        if threading.current_thread() is threading.main_thread():
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
            rlist: list[Any] = [stream.ws, wake_r]
            if fd is not None and not sender.full() and not sender.failed:
                rlist.append(fd)
            try:
                r, _, _ = select.select(rlist, [], [])
            except InterruptedError:
                continue
            if wake_r in r:
                winched = False
                while True:
                    try:
                        got = os.read(wake_r, 64)
                    except BlockingIOError:
                        break
                    if not got:
                        break
                    winched = winched or b"w" in got
                size = terminal_size(resize_fd) if winched and resize_fd is not None else None
                if size:
                    sender.put("resize", size)
            if fd is not None and fd in r:
                try:
                    data = os.read(fd, 32768)
                except OSError:
                    data = b""
                if data:
                    sender.put("stdin", data)
                else:
                    fd = None
                    sender.put("eof")
            if stream.ws in r:
                stream.read()
    except OSError:
        return stream.status
    finally:
        if old_handler is not None:
            signal.signal(signal.SIGWINCH, old_handler)
        sender.stop()
        for x in (wake_r, wake_w):
            os.close(x)


def _feed(sender: _Sender, stdin: Any) -> None:
    read = getattr(stdin, "read1", None) or stdin.read
    try:
        while True:
            data = read(32768)
            if not data:
                break
            if not sender.put("stdin", data, block=True):
                return
        sender.put("eof")
    except (OSError, ValueError):
        pass
