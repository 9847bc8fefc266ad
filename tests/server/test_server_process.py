"""``kubekit serve`` as a process: it announces its socket, serves, and on
SIGTERM or SIGINT shuts down cleanly, leaving no socket file and a store that
reopens with everything it acknowledged."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile

import pytest

from kubekit.kubectl.client import Client, ServerUnavailable


def start_serve(top: str, *extra: str) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-m", "kubekit.server.cli", "serve", "--socket", f"{top}/k.sock",
                          "--data-dir", f"{top}/data", *extra],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()          # printed once the socket accepts connections
    if "listening on" not in line:
        p.kill()
        out, err = p.communicate()
        raise AssertionError(f"kubekit serve did not start: {line}{out}{err}")
    return p


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_shuts_down_on_a_signal_and_leaves_no_socket(sig):
    top = tempfile.mkdtemp(prefix="kk-proc-")
    p = None
    try:
        p = start_serve(top, "--sim-nodes", "2", "--sim-start-delay", "0")
        client = Client(f"{top}/k.sock")
        nodes = [n["metadata"]["name"] for n in client.get("/api/v1/nodes")["items"]]
        assert nodes == ["sim-node-0", "sim-node-1"]
        client.create("/api/v1/namespaces/default/pods", {"apiVersion": "v1", "kind": "Pod",
                      "metadata": {"name": "kept"}, "spec": {"containers": [{"name": "c", "image": "busybox:1"}]}})
        p.send_signal(sig)
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert "stopped" in out
        assert not os.path.exists(f"{top}/k.sock")
        with pytest.raises(ServerUnavailable, match="is kubekit serve running"):
            client.get("/api/v1/nodes")
        # the store reopens with what was acknowledged
        p = start_serve(top)
        assert Client(f"{top}/k.sock").get("/api/v1/namespaces/default/pods/kept")["metadata"]["name"] == "kept"
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=60)
        assert p.returncode == 0
    finally:
        if p is not None and p.poll() is None:
            p.kill()
            p.communicate()
        shutil.rmtree(top, ignore_errors=True)


def test_a_second_server_on_the_same_socket_is_refused():
    top = tempfile.mkdtemp(prefix="kk-proc-")
    p = None
    try:
        p = start_serve(top)
        q = subprocess.run([sys.executable, "-m", "kubekit.server.cli", "serve", "--socket", f"{top}/k.sock",
                            "--data-dir", f"{top}/data2"], capture_output=True, text=True, timeout=60)
        assert q.returncode == 1
        assert f"another server is already listening on {top}/k.sock" in q.stderr
        assert os.path.exists(f"{top}/k.sock")          # the running server's socket is untouched
    finally:
        if p is not None:
            p.send_signal(signal.SIGTERM)
            p.communicate(timeout=60)
        shutil.rmtree(top, ignore_errors=True)


def test_a_stale_socket_file_is_replaced():
    import socket
    top = tempfile.mkdtemp(prefix="kk-proc-")
    p = None
    try:
        s = socket.socket(socket.AF_UNIX)
        s.bind(f"{top}/k.sock")          # bound, never listening, then closed: what a killed server leaves
        s.close()
        p = start_serve(top)
        assert Client(f"{top}/k.sock").healthy()
    finally:
        if p is not None:
            p.send_signal(signal.SIGTERM)
            p.communicate(timeout=60)
        shutil.rmtree(top, ignore_errors=True)
