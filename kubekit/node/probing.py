"""Running one probe (the I/O the kubelet's prober does; the decisions are
:mod:`kubekit.node.rules.probes`).

* **httpGet** and **tcpSocket** run in a short-lived thread that first joins
  the pod's network namespace (``setns`` changes only the calling thread's),
  so ``127.0.0.1:<port>`` is the pod's own loopback, where a pod's servers
  listen (kubekit's pods have no cluster network; the kubelet would dial the
  pod IP).  HTTP: a status of 200-399 is success (``pkg/probe/http``); TCP: a
  completed connect is success.
* **exec** runs the command inside the container through the runtime's
  exec (:func:`kubekit.runtime.execin.run_in`, as ``runc exec``): its mount,
  pid, UTS, IPC, network and cgroup namespaces, **its cgroup** (the probe's
  usage counts against the container's limits), its user, env and workdir;
  exit code 0 is success, a timeout (the process is killed) a failure.

Every probe has ``timeoutSeconds``; an error that is not the container's
answer (the namespace is gone) is ``None``: the prober error the kubelet
throws away.
"""

from __future__ import annotations

import errno
import http.client
import logging
import socket
import threading
from collections.abc import Callable, Mapping
from typing import Any

from kubekit.node.rules.probes import exec_probe_result, http_probe_result, tcp_probe_result

__all__ = ["run_probe"]

log = logging.getLogger(__name__)
CLONE_NEWNET = 0x40000000


def _port(value: Any, container: Mapping[str, Any]) -> int:
    """A port number, or a named port of the container."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    for p in container.get("ports") or ():
        if p.get("name") == value:
            return int(p["containerPort"])
    raise ValueError(f"port {value!r} is not a number or a named port of the container")


def _in_netns(netns: str, fn: Callable[[], str], timeout: float) -> str | None:
    out: list[str | None] = [None]

    def run() -> None:
        from kubekit._fast import _sys

        try:
            _sys.setns(netns, CLONE_NEWNET)
            out[0] = fn()
        except OSError as e:
            log.debug("probe in %s: %s", netns, e)
            out[0] = None

    t = threading.Thread(target=run, name="kubekit-probe", daemon=True)
    t.start()
    t.join(timeout + 1.0)
    return out[0]


def run_probe(probe: Mapping[str, Any], container: Mapping[str, Any], *, sandbox_pid: int,
              target: Any) -> tuple[str | None, str]:
    """Run ``probe`` once: ``(Success|Failure|None, output)``; ``target`` is
    the running runtime :class:`~kubekit.runtime.container.Container` (exec
    probes run in it)."""
    timeout = float(probe.get("timeoutSeconds") or 1)
    netns = f"/proc/{sandbox_pid}/ns/net"
    if "httpGet" in probe:
        h = probe["httpGet"]
        port = _port(h.get("port"), container)
        path = h.get("path") or "/"
        headers = {x["name"]: x.get("value", "") for x in h.get("httpHeaders") or () if "name" in x}
        headers.setdefault("User-Agent", "kube-probe/1.35")

        def get() -> str:
            conn_cls = http.client.HTTPSConnection if (h.get("scheme") or "HTTP").upper() == "HTTPS" \
                else http.client.HTTPConnection
            kw = {"context": __import__("ssl")._create_unverified_context()} if conn_cls is http.client.HTTPSConnection else {}
            conn = conn_cls("127.0.0.1", port, timeout=timeout, **kw)
            try:
                conn.request("GET", path, headers=headers)
                return str(conn.getresponse().status)
            except OSError:
                return "error"
            finally:
                conn.close()
        got = _in_netns(netns, get, timeout)
        if got is None:
            return None, "probe error"
        if got == "error":
            return "Failure", f'Get "http://127.0.0.1:{port}{path}": connection failed'
        return http_probe_result(int(got)), f"HTTP probe returned status {got}"
    if "tcpSocket" in probe:
        port = _port(probe["tcpSocket"].get("port"), container)

        def dial() -> str:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=timeout).close()
                return "ok"
            except OSError as e:
                return f"dial tcp 127.0.0.1:{port}: {e.strerror or e}"
        got = _in_netns(netns, dial, timeout)
        if got is None:
            return None, "probe error"
        return tcp_probe_result(got == "ok"), "" if got == "ok" else got
    if "exec" in probe:
        from kubekit.runtime.execin import ExecStartError, run_in

        cmd = list(probe["exec"].get("command") or ())
        try:
            r = run_in(target, cmd, timeout=timeout, max_output=10 * 1024)
        except ExecStartError as e:                  # the command could not run (not found...): a failure
            return exec_probe_result(127 if e.errno == errno.ENOENT else 126), str(e)
        except OSError as e:                         # the container is gone: the prober's error
            return None, str(e)
        if r.timed_out:
            return exec_probe_result(None, timed_out=True), f"command timed out after {timeout:g}s"
        return exec_probe_result(r.code), (r.stdout + r.stderr).decode(errors="replace")[:1024]
    return None, "probe has no handler"
