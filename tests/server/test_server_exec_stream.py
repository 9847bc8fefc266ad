"""Streaming ``pods/{name}/exec`` end to end: ``kubekit serve`` with its
local node upgrades to a WebSocket with Kubernetes' channel protocol
(``v5.channel.k8s.io``, ``v4`` as a fallback) and pumps a real process in a
real busybox container: a shell on a real terminal (its exit code on the
error channel, resizes, ``/dev/pts/N``), separate stdout/stderr channels
without a terminal, stdin EOF by v5's close signal, refusals before the
upgrade, and a client that goes away.  The client is kubekit's own
(:mod:`kubekit.kubectl.execstream_client`, the one ``kubekit exec -it`` uses).
Needs root."""

from __future__ import annotations

import base64
import os
import time

import pytest

from kubekit.kubectl.client import APIError, Client
from kubekit.kubectl.execstream_client import ExecStream
from kubekit.server.execstream import (
    STDERR_CHANNEL,
    STDOUT_CHANNEL,
    V4_PROTOCOL,
    V5_PROTOCOL,
    exit_code_of,
)
from kubekit.server.testing import local_node_dirs, running_server, wait_for

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the local node starts real containers (root)")

PODS = "/api/v1/namespaces/default/pods"
GUARD = 30.0          # hang guard for reads, not a timing assertion


@pytest.fixture(scope="module")
def server(rootfs):
    with local_node_dirs(rootfs) as kw, running_server(sim_nodes=0, **kw) as srv:
        yield srv


@pytest.fixture
def client(server):
    c = Client(server.address)
    yield c
    for p in c.get(PODS)["items"]:
        c.delete(f"{PODS}/{p['metadata']['name']}", grace_period=0)
    wait_for(lambda: not server.local_node.agent.workers, "the local node to tear its pods down")


def running(c, name, container="app"):
    st = c.get(f"{PODS}/{name}").get("status") or {}
    s = next((s for s in st.get("containerStatuses") or [] if s["name"] == container), {})
    return "running" in (s.get("state") or {})


@pytest.fixture
def shell(client):
    client.create(PODS, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "shell"},
                         "spec": {"nodeName": "node-a", "terminationGracePeriodSeconds": 0,
                                  "containers": [{"name": "app", "image": "local/busybox:1",
                                                  "imagePullPolicy": "Never", "command": ["/bin/sleep", "300"]}]}})
    wait_for(lambda: running(client, "shell"), "the pod to run")
    return f"{PODS}/shell"


def collect(stream: ExecStream) -> tuple[bytes, bytes]:
    """Everything on stdout and stderr until the server ends the stream."""
    out, err = bytearray(), bytearray()
    deadline = time.monotonic() + GUARD
    while True:
        m = stream.recv(timeout=max(deadline - time.monotonic(), 0))
        if m is None:
            assert stream.ws.closed, "the stream did not end in time"
            return bytes(out), bytes(err)
        assert m[0] in (STDOUT_CHANNEL, STDERR_CHANNEL)
        (out if m[0] == STDOUT_CHANNEL else err).extend(m[1])


def read_until(stream: ExecStream, needle: bytes) -> bytes:
    got = bytearray()
    deadline = time.monotonic() + GUARD
    while needle not in got:
        m = stream.recv(timeout=max(deadline - time.monotonic(), 0))
        assert m is not None, f"no {needle!r} in {bytes(got)!r}"
        got.extend(m[1])
    return bytes(got)


def ps(client) -> str:
    r = client.exec(f"{PODS}/shell", ["/bin/ps", "-o", "pid,args"])
    return base64.b64decode(r["stdout"]).decode()


def test_a_shell_on_a_terminal_reports_its_exit_code(client, shell):
    s = ExecStream.connect(client, shell, ["/bin/sh"], stdin=True, stdout=True, stderr=False, tty=True)
    try:
        assert s.protocol == V5_PROTOCOL
        s.send_stdin(b"echo $((6*7)); tty; exit 3\n")
        out, err = collect(s)
    finally:
        s.close()
    text = out.decode()
    assert "\r\n42\r\n" in text and "/dev/pts/" in text.split("42", 1)[1] and err == b""
    assert s.status == {"metadata": {}, "status": "Failure",
                        "message": "command terminated with non-zero exit code: error executing command [/bin/sh], "
                                   "exit code 3",
                        "reason": "NonZeroExitCode", "details": {"causes": [{"reason": "ExitCode", "message": "3"}]}}
    assert exit_code_of(s.status) == 3


def test_resize_changes_the_terminals_size(client, shell):
    s = ExecStream.connect(client, shell, ["/bin/sh"], stdin=True, stdout=True, stderr=False, tty=True)
    try:
        s.resize(100, 40)
        s.send_stdin(b"stty size | sed 's/^/size=/'\n")
        assert b"size=40 100" in read_until(s, b"size=40 100")
        s.resize(132, 50)
        s.send_stdin(b"stty size | sed 's/^/size=/'; exit\n")
        out, _ = collect(s)
    finally:
        s.close()
    assert b"size=50 132" in out and exit_code_of(s.status) == 0


def test_without_a_terminal_stdout_and_stderr_are_separate_channels(client, shell):
    s = ExecStream.connect(client, shell, ["/bin/sh", "-c", "echo out; echo err >&2; tty; exit 0"],
                           stdout=True, stderr=True)
    try:
        out, err = collect(s)
    finally:
        s.close()
    assert (out, err, s.status) == (b"out\nnot a tty\n", b"err\n", {"metadata": {}, "status": "Success"})


def test_stdin_eof_by_the_v5_close_signal_ends_cat(client, shell):
    s = ExecStream.connect(client, shell, ["/bin/cat"], stdin=True, stdout=True, stderr=True)
    try:
        s.send_stdin(b"hello\n")
        assert read_until(s, b"hello\n") == b"hello\n"
        s.send_stdin(b"x" * 300_000)
        assert s.close_stdin()
        out, _ = collect(s)
    finally:
        s.close()
    assert out == b"x" * 300_000 and s.status == {"metadata": {}, "status": "Success"}


def test_v4_is_the_fallback(client, shell):
    s = ExecStream.connect(client, shell, ["/bin/sh", "-c", "echo v4; exit 5"], protocols=(V4_PROTOCOL,))
    try:
        assert s.protocol == V4_PROTOCOL and not s.close_stdin()
        out, _ = collect(s)
    finally:
        s.close()
    assert out == b"v4\n" and exit_code_of(s.status) == 5


def test_a_command_that_cannot_start_is_exit_code_127(client, shell):
    s = ExecStream.connect(client, shell, ["/no/such"])
    try:
        _, err = collect(s)
    finally:
        s.close()
    assert b"No such file or directory" in err and exit_code_of(s.status) == 127


def test_refusals_come_before_the_upgrade(client, shell):
    cases = [
        ({"pod": "/nope", "command": ["true"]}, 404, 'pods "nope" not found'),
        ({"command": ["true"], "container": "c"}, 400, "container c is not valid for pod shell"),
        ({"command": ["true"], "stdout": False, "stderr": False}, 400,
         "you must specify at least 1 of stdin, stdout, stderr"),
        ({"command": ["true"], "protocols": ("channel.k8s.io",)}, 400,
         "requested protocol(s) are not supported: [channel.k8s.io]; supports [v5.channel.k8s.io v4.channel.k8s.io]"),
    ]
    for kw, code, message in cases:
        pod = PODS + kw.pop("pod", "/shell")
        with pytest.raises(APIError) as ei:
            ExecStream.connect(client, pod, kw.pop("command"), **kw)
        assert (ei.value.code, ei.value.status["message"]) == (code, message)


def test_a_client_that_goes_away(client, shell):
    """With a tty the terminal is hung up (the shell dies of SIGHUP); without
    one the process reads EOF (cat ends), and one that ignores both (sleep)
    is left running, as upstream leaves it, until its container goes."""
    s = ExecStream.connect(client, shell, ["/bin/sh"], stdin=True, stdout=True, stderr=False, tty=True)
    s.send_stdin(b"exec sleep 1001\n")
    wait_for(lambda: "sleep 1001" in ps(client), "the shell to run sleep")
    s.ws.sock.close()
    wait_for(lambda: "sleep 1001" not in ps(client), "the hung-up terminal's process to end")
    c = ExecStream.connect(client, shell, ["/bin/cat"], stdin=True)
    wait_for(lambda: "/bin/cat" in ps(client), "cat to run")
    c.ws.sock.close()
    wait_for(lambda: "/bin/cat" not in ps(client), "cat to see EOF")
    z = ExecStream.connect(client, shell, ["/bin/sleep", "1002"], stdin=True)
    wait_for(lambda: "sleep 1002" in ps(client), "sleep to run")
    z.ws.sock.close()
    time.sleep(0.5)
    assert "sleep 1002" in ps(client)


def test_post_with_frames_sent_along_with_the_handshake(server, client, shell):
    """A client may send frames right behind its request, before it read the
    101: the server takes them from its buffered reader (and POST works as GET)."""
    import socket
    from urllib.parse import urlencode

    from kubekit.server.websocket import WebSocket, accept_key, encode_frame

    mask = b"\x01\x02\x03\x04"
    query = urlencode([("command", "/bin/cat"), ("stdin", "true"), ("stdout", "true")])
    request = (f"POST {shell}/exec?{query} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
               "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n").encode()
    frames = encode_frame(0x2, b"\x00pipelined\n", mask=mask) + encode_frame(0x2, b"\xff\x00", mask=mask)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(GUARD)
        sock.connect(server.address)
        sock.sendall(request + frames)
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            assert chunk, head
            head += chunk
        head, rest = head.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101 ") and b"Sec-WebSocket-Accept: " + accept_key(
            "dGhlIHNhbXBsZSBub25jZQ==").encode() in head and b"Sec-WebSocket-Protocol: v5.channel.k8s.io" in head
        s = ExecStream(WebSocket(sock, client=True, buffered=rest), V5_PROTOCOL)
        out, _ = collect(s)
    finally:
        sock.close()
    assert out == b"pipelined\n" and s.status == {"metadata": {}, "status": "Success"}


def test_stdin_is_never_dropped_when_the_process_reads_slowly(client, shell):
    """10 MiB to a process that reads nothing for 2 s: more than the server
    queues (4 MiB), so it stops reading the socket and the client's sends
    wait (backpressure) instead of stdin being dropped."""
    n = 10 << 20
    s = ExecStream.connect(client, shell, ["/bin/sh", "-c", "sleep 2; wc -c"], stdin=True, stdout=True, stderr=True)
    try:
        s.ws.sock.settimeout(GUARD)                # a hang guard for the blocking sends
        chunk = b"x" * 65536
        for _ in range(n // len(chunk)):
            s.send_stdin(chunk)
        assert s.close_stdin()
        s.ws.sock.settimeout(None)
        out, err = collect(s)
    finally:
        s.close()
    assert (int(out), err, exit_code_of(s.status)) == (n, b"", 0)


def test_bulk_both_ways_through_interact_does_not_deadlock(client, shell):
    """``interact`` copying 8 MiB through ``sed`` that starts reading late
    (the server's stdin queue fills, it stops reading the socket) and
    writes four times as much as it reads: the server's sends of output
    and the client's sends of stdin both block; the client must go on
    reading output while its sends wait."""
    import threading

    from kubekit.kubectl.execstream_client import interact

    n = 8 << 20
    line = b"y" * 1023 + b"\n"
    s = ExecStream.connect(client, shell, ["/bin/sh", "-c", "sleep 1; exec sed s/y/yyyy/g"], stdin=True,
                           stdout=True, stderr=True)
    r, w = os.pipe()

    def feed() -> None:
        try:
            chunk = line * 64
            for _ in range(n // len(chunk)):
                os.write(w, chunk)
        except OSError:
            pass
        finally:
            os.close(w)
    got = [0]
    res: dict = {}

    def run() -> None:
        res["status"] = interact(s, stdin=r, write_out=lambda d: got.__setitem__(0, got[0] + len(d)),
                                 write_err=lambda d: None)
    feeder = threading.Thread(target=feed, daemon=True)
    t = threading.Thread(target=run, daemon=True)
    feeder.start()
    t.start()
    try:
        last, stalled = -1, 0.0
        while t.is_alive() and stalled < GUARD:     # a hang guard: fails only when nothing moves for 30 s
            t.join(0.5)
            stalled = 0.0 if got[0] != last else stalled + 0.5
            last = got[0]
        assert not t.is_alive(), f"interact stalled after {got[0]} of {n} bytes"
    finally:
        s.ws.sock.close()
        t.join(GUARD)
        feeder.join(GUARD)
        os.close(r)
    assert got[0] == (n // len(line)) * (1023 * 4 + 1) and res["status"] == {"metadata": {}, "status": "Success"}


@pytest.mark.parametrize("body", ids=lambda b: repr(b[:40]), argvalues=[
    b'{"Width":1e999,"Height":10}', b'{"Width":10,"Height":-1e999}', b"[" * 100_000 + b"]" * 100_000,
    b'{"Width":' * 50_000, b'{"Width":0,"Height":0}', b'{"Width":-5,"Height":10}', b'{"Width":70000,"Height":10}',
    b'{"Width":10.5,"Height":10}', b'{"Width":"10","Height":10}', b'{"Width":true,"Height":10}', b"[]", b"null",
    b"\xff\xfe", b"", b'{"Width":99999999999999999999999999,"Height":5}',
])
def test_a_bad_resize_is_ignored(client, shell, body):
    from kubekit.server.execstream import RESIZE_CHANNEL

    s = ExecStream.connect(client, shell, ["/bin/sh"], stdin=True, stdout=True, stderr=False, tty=True)
    try:
        s.resize(77, 33)
        s.ws.send_binary(bytes([RESIZE_CHANNEL]) + body)
        s.send_stdin(b"stty size | sed 's/^/size=/'; exit 4\n")
        out, _ = collect(s)
    finally:
        s.close()
    assert b"size=33 77" in out and exit_code_of(s.status) == 4


def test_parse_resize():
    from kubekit.server.execstream import parse_resize

    assert parse_resize(b'{"Width":80,"Height":24}') == (80, 24)
    assert parse_resize(b'{"Width":65535,"Height":1}') == (65535, 1)
    for bad in (b'{"Width":65536,"Height":1}', b'{"Width":0,"Height":24}', b'{"Width":80}', b'{"Width":1e999}',
                b'{"Width":80.0,"Height":24}', b"[" * 100_000, b"7", b"not json"):
        assert parse_resize(bad) is None, bad


def test_deleting_the_pod_during_a_stream_ends_it_with_a_status(client, shell):
    """The container's delete kills and reaps the exec the stream pumps
    (another thread): the stream still ends with the process' Status."""
    s = ExecStream.connect(client, shell, ["/bin/sh"], stdin=True, stdout=True, stderr=False, tty=True)
    try:
        s.send_stdin(b"echo ready\n")
        read_until(s, b"ready")
        client.delete(shell, grace_period=0)
        collect(s)
    finally:
        s.close()
    assert s.status is not None and exit_code_of(s.status) == 137


def test_a_bad_websocket_version_is_refused_naming_13(server, client, shell):
    """RFC 6455 §4.4: the answer names the version served; 400 as
    golang.org/x/net/websocket (upstream's wsstream) answers."""
    import json
    import socket
    from urllib.parse import urlencode

    query = urlencode([("command", "/bin/true"), ("stdout", "true")])
    request = (f"GET {shell}/exec?{query} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n"
               "Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n").encode()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(GUARD)
        sock.connect(server.address)
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    finally:
        sock.close()
    head, body = answer.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1.1 400 ")
    assert "Sec-WebSocket-Version: 13" in lines[1:]
    st = json.loads(body)
    assert (st["code"], st["reason"], st["message"]) == (400, "BadRequest", "websocket: Sec-WebSocket-Version must be 13")


@pytest.mark.parametrize("reaped_first", [True, False])
def test_pump_survives_the_process_being_reaped_by_another_thread(reaped_first):
    """``Container.delete`` kills and reaps an exec (``kill_and_reap``) that a
    stream pumps from another thread (before the pump looks at it, or while
    it selects): the pump sees the exit and sends the Status instead of
    failing on a closed pidfd."""
    import socket
    import subprocess
    import threading

    from kubekit.runtime.execin import ExecProcess
    from kubekit.server.execstream import StreamOptions, pump
    from kubekit.server.websocket import WebSocket

    class NoCgroup:
        def oom_kills(self) -> int:
            return 0

    for _ in range(1 if reaped_first else 20):
        r, w = os.pipe()
        p = subprocess.Popen(["/bin/sleep", "100"], stdout=w)
        os.close(w)
        proc = ExecProcess(p.pid, os.pidfd_open(p.pid), NoCgroup())
        p.returncode = 0                         # the ExecProcess reaps it, not Popen
        proc.stdout = r
        a, b = socket.socketpair()
        res: dict = {}

        def run() -> None:
            try:
                res["status"] = pump(WebSocket(a, client=False), V5_PROTOCOL, StreamOptions(False, True, False, False),
                                     proc, ["sleep"])
            except Exception as e:               # noqa: BLE001 - the assertion shows it
                res["error"] = repr(e)
        if reaped_first:
            proc.kill_and_reap()                 # what Container.delete does
        t = threading.Thread(target=run)
        t.start()
        try:
            if not reaped_first:
                time.sleep(0.05)
                proc.kill_and_reap()
            t.join(GUARD)
            assert not t.is_alive()
        finally:
            a.close()
            b.close()
        assert res == {"status": exit_code_status(137)}


def exit_code_status(code: int) -> dict:
    from kubekit.server.execstream import exit_status

    return exit_status(code, ["sleep"])
