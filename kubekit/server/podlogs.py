"""``GET /api/v1/namespaces/{ns}/pods/{name}/log``: container logs from the
local node agent's files (``<log_dir>/<ns>_<pod>_<uid>/<container>/<restart>.log``).

The choice of file is the pure function :func:`log_target`, the API
server's and kubelet's rules (``validateContainerLogStatus``): the running
container's log, else the last terminated one's; ``previous`` the one before
(or, while a container waits to restart, the one that just ended).  Errors
are 400 BadRequest with their messages.

:class:`PodLogs` opens the file and yields its bytes; with ``follow`` it
keeps yielding what is appended until that container instance is no longer
running (read from the pod's status in the store), the client goes away or
the server stops.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kubekit.server.status import BadRequest, int_param

__all__ = ["LogTarget", "PodLogs", "last_lines", "log_target"]

_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class LogTarget:
    container: str
    restart: int          # the file <restart>.log
    live: bool            # the container instance may still write to it


def _names(containers: list[dict]) -> list[str]:
    return [c.get("name", "") for c in containers]


def pick_container(pod: Mapping[str, Any], container: str | None) -> str:
    """The container a ``log`` or ``exec`` request names, or the pod's only
    one (pure; the API server's messages as :class:`BadRequest`)."""
    spec = pod.get("spec") or {}
    name = (pod.get("metadata") or {}).get("name", "")
    regular, inits = _names(spec.get("containers") or []), _names(spec.get("initContainers") or [])
    if not container:
        if len(regular) != 1:
            msg = f"a container name must be specified for pod {name}, choose one of: [{' '.join(regular)}]"
            if inits:
                msg += f" or one of the init containers: [{' '.join(inits)}]"
            raise BadRequest(msg)
        return regular[0]
    if container not in regular and container not in inits:
        raise BadRequest(f"container {container} is not valid for pod {name}")
    return container


def log_target(pod: Mapping[str, Any], container: str | None, previous: bool) -> LogTarget:
    """Which log file answers ``pods/{name}/log?container=&previous=``.  Pure;
    raises :class:`BadRequest` with the API server's or kubelet's message."""
    m, spec, st = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    name = m.get("name", "")
    container = pick_container(pod, container)
    if not spec.get("nodeName"):
        raise BadRequest(f"pod {name} does not have a host assigned")
    cs = next((s for s in (st.get("containerStatuses") or []) + (st.get("initContainerStatuses") or [])
               if s.get("name") == container), None)
    if cs is None:
        raise BadRequest(f'container "{container}" in pod "{name}" is not available')
    n = int(cs.get("restartCount") or 0)
    state, last = cs.get("state") or {}, (cs.get("lastState") or {}).get("terminated")
    if previous:
        if last is None:
            raise BadRequest(f'previous terminated container "{container}" in pod "{name}" not found')
        # running or finished: the instance before this one; waiting to restart: the one that just ended
        return LogTarget(container, n if "waiting" in state else max(n - 1, 0), False)
    if "running" in state:
        return LogTarget(container, n, True)
    if "terminated" in state or last is not None:
        return LogTarget(container, n, False)
    reason = (state.get("waiting") or {}).get("reason")
    if reason:
        raise BadRequest(f'container "{container}" in pod "{name}" is waiting to start: {reason}')
    raise BadRequest(f'container "{container}" in pod "{name}" is waiting to start - no logs yet')


def last_lines(data: bytes, n: int | None) -> bytes:
    """The last ``n`` lines of ``data`` (``None`` or a negative ``n``: all), as ``tail -n``."""
    if n is None or n < 0:
        return data
    if n == 0:
        return b""
    end = len(data) - 1 if data.endswith(b"\n") else len(data)
    pos = end
    for _ in range(n):
        pos = data.rfind(b"\n", 0, pos)
        if pos < 0:
            return data
    return data[pos + 1:]


def _read_tail(f, n: int | None) -> bytes:
    if n is None or n < 0:
        return f.read()
    size = f.seek(0, os.SEEK_END)
    block, data = 8192, b""
    pos = size
    while pos > 0 and data.count(b"\n") <= n:
        step = min(block, pos)
        pos -= step
        f.seek(pos)
        data = f.read(step) + data
        block *= 2
    f.seek(size)
    return last_lines(data, n)


def _truthy(v: str | None) -> bool:
    return v is not None and v.lower() in ("1", "true", "yes", "")


class PodLogs:
    """Serves pod logs for the pods of node ``node_name`` (None: no local node)."""

    def __init__(self, store, node_name: str | None, log_dir: str, stopping: threading.Event,
                 poll: float = 0.1) -> None:
        self.store, self.node_name, self.log_dir = store, node_name, log_dir
        self.stopping, self.poll = stopping, poll

    def open(self, namespace: str, name: str, query: Mapping[str, str],
             client_gone: Callable[[], bool] = lambda: False) -> Iterator[bytes]:
        """Check the request (raising NotFound / BadRequest before anything is
        sent) and return an iterator of the log's bytes."""
        from kubekit.node.agent import container_log_path

        pod = self.store.get("Pod", namespace, name)
        follow, previous = _truthy(query.get("follow")), _truthy(query.get("previous"))
        tail = int_param(query, "tailLines")
        limit = int_param(query, "limitBytes")
        if limit is not None and limit <= 0:
            raise BadRequest("limitBytes: must be greater than 0")
        target = log_target(pod, query.get("container") or None, previous)
        node = (pod.get("spec") or {}).get("nodeName")
        if node != self.node_name:
            where = f'its local node "{self.node_name}"' if self.node_name else "no local node (--no-local-node)"
            raise BadRequest(f'pod "{name}" runs on node "{node}", which runs no containers kubekit serve can read '
                             f"logs from: the server has {where}")
        m = pod["metadata"]
        path = container_log_path(self.log_dir, namespace, name, m.get("uid", ""), target.container, target.restart)
        alive = (lambda: self._still_running(namespace, name, m.get("uid", ""), target)) if follow and target.live \
            else (lambda: False)
        return self._stream(path, tail, limit, alive, client_gone)

    def _still_running(self, namespace: str, name: str, uid: str, target: LogTarget) -> bool:
        from kubekit.errors import NotFoundError

        try:
            pod = self.store.get("Pod", namespace, name)
        except NotFoundError:
            return False
        if (pod.get("metadata") or {}).get("uid") != uid:
            return False
        st = pod.get("status") or {}
        cs = next((s for s in (st.get("containerStatuses") or []) + (st.get("initContainerStatuses") or [])
                   if s.get("name") == target.container), None)
        return (cs is not None and "running" in (cs.get("state") or {})
                and int(cs.get("restartCount") or 0) == target.restart)

    def _stream(self, path: str, tail: int | None, limit: int | None, alive: Callable[[], bool],
                client_gone: Callable[[], bool]) -> Iterator[bytes]:
        left = limit

        def cut(data: bytes) -> bytes:
            nonlocal left
            if left is None:
                return data
            data = data[:left]
            left -= len(data)
            return data

        try:
            f = open(path, "rb")
        except FileNotFoundError:
            if not alive():
                return                                  # never written (the container did not start)
            while True:                                 # the agent is about to create it
                if self.stopping.wait(self.poll) or client_gone() or not alive():
                    return
                try:
                    f = open(path, "rb")
                    break
                except FileNotFoundError:
                    continue
        with f:
            data = cut(_read_tail(f, tail))
            if data:
                yield data
            while left != 0:
                chunk = f.read(_CHUNK)
                if chunk:
                    yield cut(chunk)
                    continue
                if not alive():
                    rest = cut(f.read())                # written between the last read and the exit
                    if rest:
                        yield rest
                    return
                if self.stopping.wait(self.poll) or client_gone():
                    return
