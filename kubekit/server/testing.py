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

__all__ = ["running_server"]


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
