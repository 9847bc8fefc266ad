"""RFC 6455 framing (:mod:`kubekit.server.websocket`) against the RFC's own
examples (§1.3, §5.7), protocol errors, a connection pair over a socketpair
(pings, fragments, the close handshake, the client's opening handshake), and
the exec channel protocol's pure parts (:mod:`kubekit.server.execstream`)."""

from __future__ import annotations

import json
import socket
import struct
import threading

import pytest

from kubekit.server import execstream as es
from kubekit.server.status import BadRequest
from kubekit.server.websocket import (
    OP_BINARY,
    OP_CLOSE,
    OP_CONT,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    Frame,
    FrameParser,
    HandshakeError,
    ProtocolError,
    WebSocket,
    accept_key,
    client_handshake,
    encode_frame,
    mask_payload,
)

MASK = bytes([0x37, 0xFA, 0x21, 0x3D])


def test_accept_key_rfc6455_section_1_3():
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


# RFC 6455 §5.7 examples: (frame bytes, fin, opcode, payload, mask)
RFC_EXAMPLES = [
    ("unmasked text Hello", bytes([0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F]), True, OP_TEXT, b"Hello", None),
    ("masked text Hello", bytes([0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58]), True, OP_TEXT,
     b"Hello", MASK),
    ("fragment Hel", bytes([0x01, 0x03, 0x48, 0x65, 0x6C]), False, OP_TEXT, b"Hel", None),
    ("fragment lo", bytes([0x80, 0x02, 0x6C, 0x6F]), True, OP_CONT, b"lo", None),
    ("unmasked ping", bytes([0x89, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F]), True, OP_PING, b"Hello", None),
    ("masked pong", bytes([0x8A, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58]), True, OP_PONG,
     b"Hello", MASK),
    ("256 bytes binary", bytes([0x82, 0x7E, 0x01, 0x00]) + bytes(256), True, OP_BINARY, bytes(256), None),
    ("64 KiB binary", bytes([0x82, 0x7F]) + struct.pack("!Q", 65536) + bytes(65536), True, OP_BINARY, bytes(65536),
     None),
]


@pytest.mark.parametrize("wire,fin,opcode,payload,mask", [e[1:] for e in RFC_EXAMPLES],
                         ids=[e[0] for e in RFC_EXAMPLES])
def test_rfc6455_examples_encode_and_decode(wire, fin, opcode, payload, mask):
    assert encode_frame(opcode, payload, mask=mask, fin=fin) == wire
    assert FrameParser().feed(wire) == [Frame(fin, opcode, payload, mask is not None)]
    p = FrameParser()                                  # byte by byte: nothing until the frame is whole
    got = [f for b in wire for f in p.feed(bytes([b]))]
    assert got == [Frame(fin, opcode, payload, mask is not None)]


def test_length_boundaries_and_masking_round_trip():
    for n in (0, 1, 125, 126, 127, 65535, 65536, 70000):
        data = bytes(i % 251 for i in range(n))
        for mask in (None, b"\x01\x02\x03\x04"):
            wire = encode_frame(OP_BINARY, data, mask=mask)
            assert FrameParser().feed(wire) == [Frame(True, OP_BINARY, data, mask is not None)]
    assert mask_payload(MASK, mask_payload(MASK, b"abcdefg")) == b"abcdefg"
    two = encode_frame(OP_BINARY, b"a") + encode_frame(OP_TEXT, b"b")
    assert [f.payload for f in FrameParser().feed(two)] == [b"a", b"b"]


@pytest.mark.parametrize("wire,parser,message", [
    (encode_frame(OP_BINARY, b"x"), {"require_mask": True}, "must be masked"),
    (encode_frame(OP_BINARY, b"x", mask=MASK), {"require_mask": False}, "must not be masked"),
    (bytes([0xC2, 0x00]), {}, "reserved bits"),
    (bytes([0x83, 0x00]), {}, "unknown opcode"),
    (bytes([0x09, 0x00]), {}, "control frames"),
    (encode_frame(OP_PING, b"x" * 126), {}, "control frames"),
    (encode_frame(OP_BINARY, b"x" * 11), {"max_payload": 10}, "over the limit"),
    (bytes([0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0]), {}, "most significant bit"),
])
def test_protocol_errors(wire, parser, message):
    with pytest.raises(ProtocolError, match=message):
        FrameParser(**parser).feed(wire)


@pytest.fixture
def pair():
    a, b = socket.socketpair()
    client, server = WebSocket(a, client=True), WebSocket(b, client=False)
    yield client, server
    a.close()
    b.close()


def test_messages_pings_fragments_and_the_close_handshake(pair):
    client, server = pair
    client.send_binary(b"\x00hello")
    assert server.recv(timeout=5) == (OP_BINARY, b"\x00hello")
    server.send_binary(b"\x01world")
    assert client.recv(timeout=5) == (OP_BINARY, b"\x01world")
    # a ping between two fragments is answered; the fragments make one message
    client.sock.sendall(encode_frame(OP_BINARY, b"ab", mask=MASK, fin=False) + encode_frame(OP_PING, b"p", mask=MASK)
                        + encode_frame(OP_CONT, b"cd", mask=MASK))
    assert server.recv(timeout=5) == (OP_BINARY, b"abcd")
    client.sock.settimeout(5)
    assert FrameParser().feed(client.sock.recv(100)) == [Frame(True, OP_PONG, b"p", False)]
    client.close(1000, "bye")
    assert server.recv(timeout=5) is None and server.closed and server.close_code == 1000
    assert client.recv(timeout=5) is None and client.closed          # the server answered the close
    with pytest.raises(BrokenPipeError):
        client.send_binary(b"late")


def test_an_unmasked_client_frame_closes_with_1002(pair):
    client, server = pair
    client.sock.sendall(encode_frame(OP_BINARY, b"x"))
    assert server.recv(timeout=5) is None and server.closed
    client.sock.settimeout(5)
    frame = FrameParser().feed(client.sock.recv(200))[0]
    assert (frame.opcode, struct.unpack("!H", frame.payload[:2])[0]) == (OP_CLOSE, 1002)


def _answer_to(client: WebSocket) -> int:
    client.sock.settimeout(5)
    frame = FrameParser().feed(client.sock.recv(200))[0]
    assert frame.opcode == OP_CLOSE
    return struct.unpack("!H", frame.payload[:2])[0]


@pytest.mark.parametrize("payload, want", [
    (struct.pack("!H", 1000) + b"bye", 1000),
    (struct.pack("!H", 1001), 1001),
    (struct.pack("!H", 1011), 1011),
    (struct.pack("!H", 3000), 3000),
    (struct.pack("!H", 4999), 4999),
    (b"", 1000),                              # no code: answered with 1000
    (b"\x03", 1002),                          # a 1-byte body is a protocol error
    (struct.pack("!H", 999), 1002),            # undefined
    (struct.pack("!H", 1004), 1002),           # reserved
    (struct.pack("!H", 1005), 1002),           # never sent on the wire
    (struct.pack("!H", 1006), 1002),
    (struct.pack("!H", 1015), 1002),
    (struct.pack("!H", 2000), 1002),
    (struct.pack("!H", 5000), 1002),
    (struct.pack("!H", 1000) + b"\xff", 1007),  # a reason that is not UTF-8
])
def test_the_close_answer_echoes_only_valid_codes(pair, payload, want):
    client, server = pair
    client.sock.sendall(encode_frame(OP_CLOSE, payload, mask=MASK))
    assert server.recv(timeout=5) is None and server.closed
    assert _answer_to(client) == want


def test_fragments_are_counted_and_summed_incrementally(pair):
    client, server = pair
    server.max_fragments = 100
    server._take(encode_frame(OP_BINARY, b"x", mask=MASK, fin=False)
                 + encode_frame(OP_CONT, b"y", mask=MASK, fin=False) * 98 + encode_frame(OP_CONT, b"z", mask=MASK))
    assert server.next_message() == (OP_BINARY, b"x" + b"y" * 98 + b"z")     # 100 fragments: fine
    server._take(encode_frame(OP_BINARY, b"x", mask=MASK, fin=False) + encode_frame(OP_CONT, b"", mask=MASK, fin=False)
                 * 100)
    assert server.closed and not server._fragments and _answer_to(client) == 1008


def test_many_empty_fragments_are_linear_and_capped(pair):
    import time

    client, server = pair
    server._take(encode_frame(OP_BINARY, b"x", mask=MASK, fin=False))
    cont = encode_frame(OP_CONT, b"", mask=MASK, fin=False)
    t = time.perf_counter()
    for _ in range(40):                     # 40000 frames; quadratic re-summing took tens of seconds
        server._take(cont * 1000)
    assert time.perf_counter() - t < 5
    assert server.closed and len(server._fragments) == 0 and _answer_to(client) == 1008


def test_fragments_over_max_message_close_with_1009(pair):
    client, server = pair
    server.max_message = 1000
    server._take(encode_frame(OP_BINARY, b"a" * 600, mask=MASK, fin=False)
                 + encode_frame(OP_CONT, b"b" * 600, mask=MASK, fin=False))
    assert server.closed and _answer_to(client) == 1009


def _serve_once(sock: socket.socket, answer: bytes, box: list) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    box.append(data)
    sock.sendall(answer)


def test_client_handshake():
    a, b = socket.socketpair()
    box: list = []
    try:
        def answer():
            data = b""
            while b"\r\n\r\n" not in data:
                data += b.recv(4096)
            box.append(data)
            key = next(line.split(b": ")[1] for line in data.split(b"\r\n") if line.startswith(b"Sec-WebSocket-Key"))
            b.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      b"Sec-WebSocket-Accept: " + accept_key(key.decode()).encode() +
                      b"\r\nSec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n" + encode_frame(OP_BINARY, b"\x01"))
        t = threading.Thread(target=answer)
        t.start()
        chosen, rest = client_handshake(a, "localhost", "/x?y=1", ("v5.channel.k8s.io", "v4.channel.k8s.io"))
        t.join()
        assert (chosen, rest) == ("v4.channel.k8s.io", encode_frame(OP_BINARY, b"\x01"))
        head = box[0].decode()
        assert head.startswith("GET /x?y=1 HTTP/1.1\r\n") and "Upgrade: websocket" in head
        assert "Sec-WebSocket-Protocol: v5.channel.k8s.io, v4.channel.k8s.io" in head
        # a refusal carries the server's answer
        t = threading.Thread(target=_serve_once, args=(b, b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}",
                                                       box))
        t.start()
        with pytest.raises(HandshakeError) as ei:
            client_handshake(a, "localhost", "/x", ())
        t.join()
        assert (ei.value.status, ei.value.body) == (404, b"{}")
        # a wrong accept key is refused
        t = threading.Thread(target=_serve_once, args=(b, (b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n"
                                                           b"Connection: Upgrade\r\nSec-WebSocket-Accept: nope\r\n\r\n"),
                                                       box))
        t.start()
        with pytest.raises(HandshakeError, match="does not match"):
            client_handshake(a, "localhost", "/x", ())
        t.join()
    finally:
        a.close()
        b.close()


# -- the exec channel protocol ------------------------------------------------------------------

@pytest.mark.parametrize("query,want", [
    ({"stdout": ["true"]}, es.StreamOptions(False, True, False, False)),
    ({"stdin": ["1"], "stdout": ["1"], "stderr": ["1"]}, es.StreamOptions(True, True, True, False)),
    ({"stdin": ["true"], "stdout": ["true"], "stderr": ["true"], "tty": ["true"]},
     es.StreamOptions(True, True, False, True)),                          # the terminal carries stderr
    ({"stdin": ["true"], "stdout": ["false"]}, es.StreamOptions(True, False, False, False)),
])
def test_stream_options(query, want):
    assert es.stream_options(query) == want


def test_stream_options_need_a_stream():
    with pytest.raises(BadRequest, match="at least 1 of stdin, stdout, stderr"):
        es.stream_options({"tty": ["true"], "stderr": ["true"]})


@pytest.mark.parametrize("headers,want", [
    ({"Upgrade": "websocket", "Connection": "Upgrade"}, True),
    ({"Upgrade": "WebSocket", "Connection": "keep-alive, Upgrade"}, True),
    ({"Upgrade": "websocket", "Connection": "close"}, False),
    ({"Connection": "Upgrade"}, False),
    ({}, False),
])
def test_is_websocket_request(headers, want):
    assert es.is_websocket_request(headers) is want


def test_negotiation_prefers_the_clients_order():
    assert es.negotiate(["v5.channel.k8s.io", "v4.channel.k8s.io"]) == "v5.channel.k8s.io"
    assert es.negotiate(["v4.channel.k8s.io", "v5.channel.k8s.io"]) == "v4.channel.k8s.io"
    assert es.negotiate(["base64.channel.k8s.io", "v4.channel.k8s.io"]) == "v4.channel.k8s.io"
    with pytest.raises(BadRequest, match="not supported"):
        es.negotiate(["channel.k8s.io"])


def test_status_shapes_and_exit_codes():
    assert json.dumps(es.success_status(), separators=(",", ":")) == '{"metadata":{},"status":"Success"}'
    st = es.exit_status(3, ["sh", "-c", "exit 3"])
    assert json.dumps(st, separators=(",", ":")) == (
        '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing '
        'command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode",'
        '"details":{"causes":[{"reason":"ExitCode","message":"3"}]}}')
    assert [es.exit_code_of(s) for s in (es.success_status(), st, es.internal_error_status("boom"))] == [0, 3, None]
    assert es.internal_error_status("boom")["message"] == (
        "Internal error occurred: error executing command in container: boom")
    assert (es.STDIN_CHANNEL, es.STDOUT_CHANNEL, es.STDERR_CHANNEL, es.ERROR_CHANNEL, es.RESIZE_CHANNEL,
            es.CLOSE_CHANNEL) == (0, 1, 2, 3, 4, 255)
