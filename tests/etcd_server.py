"""A real etcd (Debian's ``etcd-server``) for the store's tests: a fresh
server in a temporary directory on free ports, stopped and removed even when
the test fails."""

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


@contextlib.contextmanager
def etcd_server() -> Iterator[str]:
    """Yields the client URL of a fresh, empty etcd."""
    etcd = shutil.which("etcd")
    assert etcd, "etcd is not installed: apt-get install etcd-server (the CI installs it)"
    d = tempfile.mkdtemp(prefix="kubekit-etcd-")
    client, peer = _free_port(), _free_port()
    url = f"http://127.0.0.1:{client}"
    args = [etcd, "--name", "test", "--data-dir", f"{d}/data", "--listen-client-urls", url,
            "--advertise-client-urls", url, "--listen-peer-urls", f"http://127.0.0.1:{peer}",
            "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
            "--initial-cluster", f"test=http://127.0.0.1:{peer}", "--log-level", "error"]
    log = open(f"{d}/log", "wb")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", client, timeout=1)
                conn.request("POST", "/v3/kv/range", b'{"key":"AA=="}')
                if conn.getresponse().status == 200:
                    conn.close()
                    break
                conn.close()
            except OSError:
                pass
            assert proc.poll() is None, open(f"{d}/log", "rb").read().decode(errors="replace")
            assert time.monotonic() < deadline, "etcd did not start within 20 s"
            time.sleep(0.05)
        yield url
    finally:
        stop_process(proc)
        log.close()
        shutil.rmtree(d, ignore_errors=True)
