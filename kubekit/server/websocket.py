"""WebSocket (RFC 6455) for ``pods/{name}/exec`` streams: framing, the
opening handshake and a small connection object, standard library only.

* :func:`encode_frame` / :class:`FrameParser`: the base framing protocol
  (§5.2): FIN, opcode, the 7/16/64-bit payload length, masking (§5.3).  A
  client masks every frame it sends with a fresh random key; a server never
  masks.  A parser made for the server side refuses unmasked frames and one
  for the client side refuses masked ones (§5.1: a protocol error, close
  code 1002), as well as reserved bits, unknown opcodes, fragmented or
  oversized (> 125 bytes) control frames, and payloads over ``max_payload``
  (1009).
* :func:`accept_key`: ``Sec-WebSocket-Accept`` for a ``Sec-WebSocket-Key``
  (§4.2.2).
* :class:`WebSocket`: messages over a connected socket: reassembles
  fragmented messages (at most ``max_message`` bytes, 1009, and
  ``MAX_FRAGMENTS`` frames, 1008), answers pings with pongs and a close with
  a close (§5.5.1): the peer's code echoed when it is a valid one
  (1000-1003, 1007-1011, 3000-4999), else 1002, as for a 1-byte close body;
  1007 for a reason that is not UTF-8.  Thread-safe sends.
* :func:`client_handshake`: the client's opening handshake over a connected
  socket (the server side lives with its HTTP handler).

Not implemented: extensions (permessage-deflate is never negotiated), UTF-8
validation of text messages (the exec protocol is binary).
"""

from __future__ import annotations

import base64
import hashlib
import os
import select
import socket
import struct
import threading
from collections import deque
from typing import NamedTuple

__all__ = ["OP_BINARY", "OP_CLOSE", "OP_CONT", "OP_PING", "OP_PONG", "OP_TEXT", "Frame", "FrameParser",
           "HandshakeError", "ProtocolError", "WebSocket", "accept_key", "client_handshake", "encode_frame",
           "mask_payload"]

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
_DATA_OPS = (OP_CONT, OP_TEXT, OP_BINARY)
_CONTROL_OPS = (OP_CLOSE, OP_PING, OP_PONG)
CLOSE_NORMAL, CLOSE_PROTOCOL_ERROR, CLOSE_INVALID_DATA, CLOSE_POLICY, CLOSE_TOO_BIG = 1000, 1002, 1007, 1008, 1009
MAX_FRAGMENTS = 4096          # frames per fragmented message (each costs a list entry and a parse)


def valid_close_code(code: int) -> bool:
    """A status code a peer may send in a close frame (RFC 6455 §7.4.1,
    §7.4.2; the IANA registry): 1000-1003, 1007-1011, 3000-4999.  1004-1006
    and 1015 are reserved / never sent; others are undefined."""
    return code in (1000, 1001, 1002, 1003) or 1007 <= code <= 1011 or 3000 <= code <= 4999


class ProtocolError(Exception):
    """The peer broke RFC 6455; ``code`` is the close status to send."""

    def __init__(self, message: str, code: int = CLOSE_PROTOCOL_ERROR) -> None:
        super().__init__(message)
        self.code = code


class HandshakeError(Exception):
    """The server did not switch protocols: ``status`` (HTTP code), ``reason``,
    ``headers`` (lower-case names) and ``body`` of its answer."""

    def __init__(self, status: int, reason: str, headers: dict[str, str], body: bytes, message: str = "") -> None:
        super().__init__(message or f"websocket handshake failed: HTTP {status} {reason}")
        self.status, self.reason, self.headers, self.body = status, reason, headers, body


class Frame(NamedTuple):
    fin: bool
    opcode: int
    payload: bytes
    masked: bool


def accept_key(key: str) -> str:
    """``Sec-WebSocket-Accept`` for a client's ``Sec-WebSocket-Key``."""
    return base64.b64encode(hashlib.sha1((key.strip() + GUID).encode("ascii")).digest()).decode("ascii")


def mask_payload(mask: bytes, data: bytes) -> bytes:
    """XOR ``data`` with the repeated 4-byte ``mask`` (masking and unmasking alike)."""
    n = len(data)
    if not n:
        return b""
    key = (mask * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "little") ^ int.from_bytes(key, "little")).to_bytes(n, "little")


def encode_frame(opcode: int, payload: bytes = b"", *, mask: bytes | None = None, fin: bool = True) -> bytes:
    """One frame; ``mask`` (4 bytes) for a client's frame, None for a server's."""
    n = len(payload)
    head = bytearray([(0x80 if fin else 0) | opcode])
    bit = 0x80 if mask is not None else 0
    if n < 126:
        head.append(bit | n)
    elif n < 1 << 16:
        head.append(bit | 126)
        head += struct.pack("!H", n)
    else:
        head.append(bit | 127)
        head += struct.pack("!Q", n)
    if mask is None:
        return bytes(head) + payload
    if len(mask) != 4:
        raise ValueError("a masking key is 4 bytes")
    return bytes(head) + mask + mask_payload(mask, payload)


class FrameParser:
    """Incremental frame decoder: :meth:`feed` bytes, get the complete frames.
    ``require_mask``: True on a server (clients must mask), False on a
    client (servers must not), None to accept both."""

    def __init__(self, *, require_mask: bool | None = None, max_payload: int = 16 << 20) -> None:
        self.require_mask, self.max_payload = require_mask, max_payload
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[Frame]:
        self._buf += data
        frames = []
        while True:
            f = self._one()
            if f is None:
                return frames
            frames.append(f)

    def _one(self) -> Frame | None:
        buf = self._buf
        if len(buf) < 2:
            return None
        b0, b1 = buf[0], buf[1]
        if b0 & 0x70:
            raise ProtocolError("reserved bits set without a negotiated extension")
        fin, opcode, masked, n = bool(b0 & 0x80), b0 & 0x0F, bool(b1 & 0x80), b1 & 0x7F
        if opcode not in _DATA_OPS and opcode not in _CONTROL_OPS:
            raise ProtocolError(f"unknown opcode {opcode:#x}")
        if opcode in _CONTROL_OPS and (not fin or n > 125):
            raise ProtocolError("control frames must not be fragmented nor longer than 125 bytes")
        if self.require_mask is True and not masked:
            raise ProtocolError("a client's frames must be masked")
        if self.require_mask is False and masked:
            raise ProtocolError("a server's frames must not be masked")
        at = 2
        if n == 126:
            if len(buf) < 4:
                return None
            n, at = struct.unpack_from("!H", buf, 2)[0], 4
        elif n == 127:
            if len(buf) < 10:
                return None
            n, at = struct.unpack_from("!Q", buf, 2)[0], 10
            if n >> 63:
                raise ProtocolError("the most significant bit of a 64-bit length must be 0")
        if n > self.max_payload:
            raise ProtocolError(f"a frame of {n} bytes is over the limit of {self.max_payload}", CLOSE_TOO_BIG)
        key = b""
        if masked:
            if len(buf) < at + 4:
                return None
            key, at = bytes(buf[at:at + 4]), at + 4
        if len(buf) < at + n:
            return None
        payload = bytes(buf[at:at + n])
        del buf[:at + n]
        return Frame(fin, opcode, mask_payload(key, payload) if masked else payload, masked)


class WebSocket:
    """A WebSocket over the connected ``sock`` after the handshake.
    ``client``: this end masks what it sends (and expects unmasked frames).
    ``buffered``: bytes already read past the handshake."""

    def __init__(self, sock: socket.socket, *, client: bool, buffered: bytes = b"",
                 max_message: int = 16 << 20) -> None:
        self.sock, self.client, self.max_message = sock, client, max_message
        self._parser = FrameParser(require_mask=not client, max_payload=max_message)
        self._send_lock = threading.Lock()
        self._messages: deque[tuple[int, bytes]] = deque()
        self._fragments: list[bytes] = []
        self._fragment_op = 0
        self._fragment_len = 0                  # the running total of self._fragments' lengths
        self.max_fragments = MAX_FRAGMENTS
        self.close_sent = False
        self.closed = False                     # the peer closed (a close frame or EOF)
        self.close_code: int | None = None
        if buffered:
            self._take(buffered)

    def fileno(self) -> int:
        return self.sock.fileno()

    # -- sending -----------------------------------------------------------------------------
    def send(self, opcode: int, payload: bytes = b"") -> None:
        frame = encode_frame(opcode, payload, mask=os.urandom(4) if self.client else None)
        with self._send_lock:
            if self.close_sent:
                raise BrokenPipeError("the websocket is closing")
            if opcode == OP_CLOSE:
                self.close_sent = True
            self.sock.sendall(frame)

    def send_binary(self, data: bytes) -> None:
        self.send(OP_BINARY, data)

    def close(self, code: int = CLOSE_NORMAL, reason: str = "") -> None:
        """Send a close frame (once; errors of a gone peer are ignored)."""
        try:
            self.send(OP_CLOSE, struct.pack("!H", code) + reason.encode()[:120])
        except OSError:
            pass

    # -- receiving ---------------------------------------------------------------------------
    def pending(self) -> bool:
        """Complete messages are waiting (no need to wait for the socket)."""
        return bool(self._messages)

    def read_available(self) -> bool:
        """One ``recv`` (call when the socket is readable): parse what came.
        False once the peer is gone (EOF, a reset, a close frame)."""
        if self.closed:
            return False
        try:
            data = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            data = b""
        if not data:
            self.closed = True
            return False
        self._take(data)
        return not self.closed

    def next_message(self) -> tuple[int, bytes] | None:
        """A parsed data message ``(opcode, payload)``, or None."""
        return self._messages.popleft() if self._messages else None

    def recv(self, timeout: float | None = None) -> tuple[int, bytes] | None:
        """The next data message; None when the peer closed (or ``timeout``
        passed: check :attr:`closed`)."""
        while not self._messages:
            if self.closed:
                return None
            if not select.select([self.sock], [], [], timeout)[0]:
                return None
            self.read_available()
        return self._messages.popleft()

    def _take(self, data: bytes) -> None:
        try:
            frames = self._parser.feed(data)
        except ProtocolError as e:
            self._fail(e.code, str(e))
            return
        for f in frames:
            if f.opcode == OP_PING:
                try:
                    self.send(OP_PONG, f.payload)
                except OSError:
                    pass
            elif f.opcode == OP_PONG:
                pass
            elif f.opcode == OP_CLOSE:
                self._on_close(f.payload)
                return
            elif f.opcode == OP_CONT:
                if not self._fragments:
                    self._fail(CLOSE_PROTOCOL_ERROR, "a continuation frame without a message")
                    return
                if len(self._fragments) >= self.max_fragments:
                    self._fail(CLOSE_POLICY, "too many fragments in one message")
                    return
                self._fragments.append(f.payload)
                self._fragment_len += len(f.payload)
                if self._fragment_len > self.max_message:
                    self._fail(CLOSE_TOO_BIG, "message too big")
                    return
                if f.fin:
                    self._messages.append((self._fragment_op, b"".join(self._fragments)))
                    self._fragments, self._fragment_len = [], 0
            else:
                if self._fragments:
                    self._fail(CLOSE_PROTOCOL_ERROR, "a new message inside a fragmented one")
                    return
                if f.fin:
                    self._messages.append((f.opcode, f.payload))
                else:
                    self._fragment_op, self._fragments, self._fragment_len = f.opcode, [f.payload], len(f.payload)

    def _fail(self, code: int, reason: str) -> None:
        self._fragments, self._fragment_len = [], 0
        self.close(code, reason)
        self.closed = True

    def _on_close(self, payload: bytes) -> None:
        """The peer's close frame: echo its status code when it is a valid
        one (none: 1000), else close with 1002 (a 1-byte body, a reserved or
        undefined code) or 1007 (a reason that is not UTF-8)."""
        self.closed = True
        if not payload:
            self.close_code = None
            self.close(CLOSE_NORMAL)
            return
        if len(payload) == 1:
            self.close_code = None
            self.close(CLOSE_PROTOCOL_ERROR, "a close frame's body is at least 2 bytes")
            return
        self.close_code = struct.unpack("!H", payload[:2])[0]
        if not valid_close_code(self.close_code):
            self.close(CLOSE_PROTOCOL_ERROR, f"invalid close code {self.close_code}")
            return
        try:
            payload[2:].decode("utf-8")
        except UnicodeDecodeError:
            self.close(CLOSE_INVALID_DATA, "the close reason is not UTF-8")
            return
        self.close(self.close_code)


def client_handshake(sock: socket.socket, host: str, path: str, protocols: tuple[str, ...] = (),
                     headers: dict[str, str] | None = None) -> tuple[str | None, bytes]:
    """Send the opening handshake for ``path`` and read the answer: the
    subprotocol the server chose and the bytes read past its headers.  A
    server that does not switch raises :class:`HandshakeError` carrying its
    answer (body read by Content-Length, else until EOF)."""
    key = base64.b64encode(os.urandom(16)).decode("ascii")
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Upgrade: websocket", "Connection: Upgrade",
             f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
    if protocols:
        lines.append("Sec-WebSocket-Protocol: " + ", ".join(protocols))
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise HandshakeError(0, "", {}, buf, "the server closed the connection during the websocket handshake")
        buf += chunk
        if len(buf) > 1 << 20:
            raise HandshakeError(0, "", {}, b"", "the server's handshake answer is too long")
    head, rest = buf.split(b"\r\n\r\n", 1)
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    try:
        status = int(parts[1])
    except (IndexError, ValueError):
        raise HandshakeError(0, "", {}, buf, f"not an HTTP answer: {status_line!r}") from None
    reason = parts[2] if len(parts) > 2 else ""
    got: dict[str, str] = {}
    for line in header_lines:
        k, _, v = line.partition(":")
        got[k.strip().lower()] = v.strip()
    if status != 101:
        n = got.get("content-length")
        body = rest
        while n is None or len(body) < int(n):
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        raise HandshakeError(status, reason, got, body if n is None else body[:int(n)])
    if got.get("upgrade", "").lower() != "websocket" or "upgrade" not in got.get("connection", "").lower():
        raise HandshakeError(status, reason, got, b"", "the server did not upgrade to websocket")
    if got.get("sec-websocket-accept") != accept_key(key):
        raise HandshakeError(status, reason, got, b"", "the server's Sec-WebSocket-Accept does not match the key")
    chosen = got.get("sec-websocket-protocol") or None
    if chosen is not None and chosen not in protocols:
        raise HandshakeError(status, reason, got, b"", f"the server chose a subprotocol not offered: {chosen}")
    return chosen, rest
