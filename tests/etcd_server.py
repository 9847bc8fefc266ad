"""A real etcd (Debian's ``etcd-server``) for the store's tests: fresh
servers in a temporary directory on free ports, stopped and removed even
when the test fails.  ``etcd_server()`` is one member; ``etcd_cluster(n)``
is an n-member cluster (its members' processes are handed out so that a
test can stop one)."""

from __future__ import annotations

import contextlib
import http.client
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

from stop_process import stop_process


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(port: int) -> bool:
    """The member serves a linearizable read (so the cluster has a leader)."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            conn.request("POST", "/v3/kv/range", b'{"key":"AA=="}')
            return conn.getresponse().status == 200
        finally:
            conn.close()
    except OSError:
        return False


@contextlib.contextmanager
def etcd_cluster(size: int) -> Iterator[list[tuple[str, subprocess.Popen]]]:
    """Yields ``(client URL, process)`` per member of a fresh, empty cluster."""
    etcd = shutil.which("etcd")
    assert etcd, "etcd is not installed: apt-get install etcd-server (the CI installs it)"
    d = tempfile.mkdtemp(prefix="kubekit-etcd-")
    ports = [(_free_port(), _free_port()) for _ in range(size)]
    initial = ",".join(f"m{i}=http://127.0.0.1:{peer}" for i, (_, peer) in enumerate(ports))
    procs: list[subprocess.Popen] = []
    logs = []
    try:
        for i, (client, peer) in enumerate(ports):
            url = f"http://127.0.0.1:{client}"
            args = [etcd, "--name", f"m{i}", "--data-dir", f"{d}/m{i}", "--listen-client-urls", url,
                    "--advertise-client-urls", url, "--listen-peer-urls", f"http://127.0.0.1:{peer}",
                    "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}", "--initial-cluster", initial,
                    "--initial-cluster-token", d, "--log-level", "error"]
            logs.append(open(f"{d}/log-m{i}", "wb"))
            procs.append(subprocess.Popen(args, stdout=logs[-1], stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 30
        for i, (client, _) in enumerate(ports):
            while not _answers(client):
                assert procs[i].poll() is None, open(f"{d}/log-m{i}", "rb").read().decode(errors="replace")
                assert time.monotonic() < deadline, "etcd did not start within 30 s"
                time.sleep(0.05)
        yield [(f"http://127.0.0.1:{client}", p) for (client, _), p in zip(ports, procs)]
    finally:
        for p in procs:
            stop_process(p)
        for f in logs:
            f.close()
        shutil.rmtree(d, ignore_errors=True)


@contextlib.contextmanager
def etcd_server() -> Iterator[str]:
    """Yields the client URL of a fresh, empty etcd."""
    with etcd_cluster(1) as members:
        yield members[0][0]
