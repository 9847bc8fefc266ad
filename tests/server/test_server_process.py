"""``kubekit serve`` as a process: it announces its socket, serves, and on
SIGTERM or SIGINT shuts down cleanly, leaving no socket file and a store that
reopens with everything it acknowledged — and, with its local node, no
container, process, cgroup or mount of the pods it ran."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile

import pytest

from kubekit.kubectl.client import Client, ServerUnavailable


def start_serve(top: str, *extra: str, env: dict | None = None) -> subprocess.Popen:
    """``kubekit serve`` on ``top``; without a local node unless ``extra`` asks otherwise."""
    if "--local-node" in extra:
        extra = tuple(a for a in extra if a != "--local-node")
    else:
        extra = ("--no-local-node", *extra)
    p = subprocess.Popen([sys.executable, "-m", "kubekit.server.cli", "serve", "--socket", f"{top}/k.sock",
                          "--data-dir", f"{top}/data", *extra],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
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
                            "--data-dir", f"{top}/data2", "--no-local-node"], capture_output=True, text=True,
                           timeout=60)
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


def _cgroup_dirs(cg: str) -> list[str]:
    """``cg`` in the v2 tree or any v1 hierarchy, where it exists."""
    return [d for d in [f"/sys/fs/cgroup{cg}", *glob.glob(f"/sys/fs/cgroup/*{cg}")] if os.path.isdir(d)]


def _procs(cg: str) -> dict[int, str]:
    """pid -> its start time (field 22 of /proc/PID/stat) for every process under ``cg``."""
    out = {}
    for d in _cgroup_dirs(cg):
        for root, _dirs, files in os.walk(d):
            if "cgroup.procs" in files:
                with open(os.path.join(root, "cgroup.procs")) as f:
                    for pid in map(int, f.read().split()):
                        out[pid] = _start_time(pid)
    return out


def _start_time(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


@pytest.mark.skipif(os.geteuid() != 0, reason="the local node starts real containers (root)")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_with_a_local_node_leaves_no_container_cgroup_or_mount(rootfs, sig):
    import time

    from kubekit.server.testing import local_node_dirs

    top = tempfile.mkdtemp(prefix="kk-proc-")
    p = None
    try:
        with local_node_dirs(rootfs) as kw:
            cg = kw["cgroup_root"]
            env = dict(os.environ, KUBEKIT_STATE_DIR=kw["runtime_state_dir"], KUBEKIT_DATA_DIR=kw["runtime_data_dir"],
                       KUBEKIT_CGROUP_ROOT=cg)
            p = start_serve(top, "--local-node", "--node-name", "node-a", "--image-root", kw["image_root"],
                            "--pod-log-dir", kw["pod_log_dir"], "--in-memory", env=env)
            client = Client(f"{top}/k.sock")
            for name, script in (("one", "sleep 300"), ("two", "sleep 300 & sleep 300 & wait")):
                client.create("/api/v1/namespaces/default/pods", {
                    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                    "spec": {"containers": [{"name": "app", "image": "local/busybox:1", "imagePullPolicy": "Never",
                                             "command": ["/bin/sh", "-c", script]}]}})
            deadline = time.monotonic() + 60            # a hang guard
            while True:
                pods = client.get("/api/v1/namespaces/default/pods")["items"]
                if all((q.get("status") or {}).get("phase") == "Running" and q["spec"].get("nodeName") == "node-a"
                       for q in pods):
                    break
                assert time.monotonic() < deadline, f"the pods did not run: {pods}"
                time.sleep(0.05)
            procs = _procs(cg)
            assert len(procs) >= 2 + 4          # two sandboxes, sh + sh and its two sleeps (and one sleep)
            assert _cgroup_dirs(cg)
            p.send_signal(sig)
            out, err = p.communicate(timeout=60)
            assert p.returncode == 0, err
            assert "stopped" in out
            assert _cgroup_dirs(cg) == []                                      # the cgroup root is gone
            assert [pid for pid, start in procs.items() if _start_time(pid) == start] == []   # no process survives
            with open("/proc/self/mountinfo") as f:
                assert kw["runtime_data_dir"] not in f.read()                 # no overlay left mounted
            assert os.listdir(kw["runtime_state_dir"]) == [] or all(
                not n.endswith(".json") for n in os.listdir(kw["runtime_state_dir"]))
    finally:
        if p is not None and p.poll() is None:
            p.kill()
            p.communicate()
        shutil.rmtree(top, ignore_errors=True)
