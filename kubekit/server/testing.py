"""A real ``kubekit serve`` for tests: a temporary unix socket and data
directory, everything stopped and removed afterwards, even on failure.

    with running_server(sim_nodes=3) as srv:
        Client(srv.address).get("/api/v1/nodes")
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator

from kubekit.server.app import Server, ServerConfig

__all__ = ["local_node_dirs", "running_server", "wait_for"]


def wait_for(predicate, what: str, guard: float = 60.0):
    """Poll ``predicate`` until it returns something true (returned); after
    ``guard`` seconds fail naming ``what`` (a hang guard, not a timing assertion)."""
    import time

    deadline = time.monotonic() + guard
    while True:
        got = predicate()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


@contextlib.contextmanager
def running_server(*, data_dir: str | None = None, sim_start_delay: float = 0.0, fsync: bool = False,
                   **config) -> Iterator[Server]:
    """``data_dir``: reuse a directory (to test restarts); by default a fresh
    one under a fresh short temp dir (unix socket paths are limited to 107 bytes)."""
    top = tempfile.mkdtemp(prefix="kk-srv-")
    srv = None
    try:
        srv = Server(ServerConfig(socket_path=f"{top}/kubekit.sock", data_dir=data_dir or f"{top}/data",
                                  sim_start_delay=sim_start_delay, fsync=fsync, **config))
        srv.start()
        yield srv
    finally:
        if srv is not None:
            srv.stop()
        shutil.rmtree(top, ignore_errors=True)


@contextlib.contextmanager
def local_node_dirs(rootfs: str) -> Iterator[dict]:
    """Everything a local node needs, in fresh temporary places: an image
    store holding ``local/busybox:1`` built from ``rootfs``, the runtime's
    state and data directories, a unique cgroup root and a pod log directory.
    Yields :class:`ServerConfig` keywords (``local_node=True``, node
    ``node-a``).  Afterwards removes whatever containers, cgroups and files are
    left, even on failure — a server's own stop should have left nothing."""
    import os
    import secrets

    from kubekit.images import ImageStore, build_image

    top = tempfile.mkdtemp(prefix="kk-node-")
    os.chmod(top, 0o711)
    cg = f"/kubekit-test-{secrets.token_hex(4)}"
    try:
        build_image(ImageStore(f"{top}/images"), rootfs, tag="local/busybox:1", created=1_700_000_000)
        yield dict(local_node=True, node_name="node-a", image_root=f"{top}/images", pod_log_dir=f"{top}/logs",
                   runtime_state_dir=f"{top}/state", runtime_data_dir=f"{top}/rt", cgroup_root=cg)
    finally:
        try:
            _kill_cgroup_tree(cg)              # a leak from this very process: its records' owner is alive
            if os.path.isdir(f"{top}/state"):
                from kubekit.runtime import Runtime

                rt = Runtime(state_dir=f"{top}/state", data_dir=f"{top}/rt", cgroup_root=cg)
                rt.sweep(include_exited=True)
                rt.driver.remove_if_empty(cg)
            _kill_cgroup_tree(cg)
        finally:
            shutil.rmtree(top, ignore_errors=True)


def _kill_cgroup_tree(cg: str) -> None:
    """Last resort for tests: SIGKILL every process under ``cg`` (v2 or any
    v1 hierarchy) and remove its directories bottom-up."""
    import glob
    import os
    import signal
    import time

    roots = [d for d in [f"/sys/fs/cgroup{cg}", *glob.glob(f"/sys/fs/cgroup/*{cg}")] if os.path.isdir(d)]
    for _ in range(50):
        pids = set()
        for root in roots:
            for d, _dirs, files in os.walk(root):
                if "cgroup.procs" in files:
                    with open(os.path.join(d, "cgroup.procs")) as f:
                        pids.update(int(x) for x in f.read().split())
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.02)
    for root in roots:
        for d, _dirs, _files in sorted(os.walk(root), key=lambda t: -t[0].count("/")):
            try:
                os.rmdir(d)
            except OSError:
                pass
