"""``pods/{name}/exec``: run a command in a container of a pod on the local
node (``kubectl exec``), through the node agent's exec
(:meth:`kubekit.node.agent.NodeAgent.exec`: the container's namespaces,
cgroup, root, user, env and workdir).

The request is upstream's query (``container``, ``command`` repeated,
``stdin``); instead of a SPDY/WebSocket stream kubekit answers once the
command ended::

    POST /api/v1/namespaces/default/pods/web/exec?container=app&command=sh&command=-c&command=id
    body (optional): {"stdin": "<base64>"}
    200 {"kind": "ExecResult", "apiVersion": "kubekit.dev/v1", "exitCode": 0,
         "stdout": "<base64>", "stderr": "<base64>"}

Errors are Status answers: 404 for a missing pod, 400 for a pod of another
node, no command, an unknown or ambiguous container, a container that does not
run.  A command that cannot start (not found) is exit code 127 (126 when it
cannot be executed) with the reason on stderr, as a shell reports it.

The same URL with ``Upgrade: websocket`` is upstream's streaming exec
(``kubectl exec -it``): :mod:`kubekit.server.execstream` validates the
request with :meth:`PodExec.stream_target` (the same checks and messages),
upgrades, and starts the command with :meth:`PodExec.start_stream` (the node
agent's :meth:`~kubekit.node.agent.NodeAgent.exec_stream`).
"""

from __future__ import annotations

import base64
import errno
from collections.abc import Mapping, Sequence
from typing import Any

from kubekit.server.podlogs import pick_container
from kubekit.server.status import BadRequest

__all__ = ["PodExec"]


class PodExec:
    """Serves exec for the pods of the local node's ``agent`` (None: no local node)."""

    def __init__(self, store, agent) -> None:
        self.store, self.agent = store, agent

    def _target(self, namespace: str, name: str, query: Sequence[tuple[str, str]]
                ) -> tuple[str, list[str], dict[str, list[str]]]:
        """(container, command, all query parameters) of a valid request on this node."""
        pod = self.store.get("Pod", namespace, name)
        params: dict[str, list[str]] = {}
        for k, v in query:
            params.setdefault(k, []).append(v)
        command = params.get("command") or []
        if not command:
            raise BadRequest("you must specify at least one command for the container")
        container = pick_container(pod, (params.get("container") or [""])[0] or None)
        node = (pod.get("spec") or {}).get("nodeName")
        if self.agent is None or node != self.agent.node_name:
            where = f'its local node "{self.agent.node_name}"' if self.agent else "no local node (--no-local-node)"
            raise BadRequest(f'pod "{name}" runs on node "{node}", where kubekit serve cannot exec: the server has '
                             f"{where}")
        return container, command, params

    def stream_target(self, namespace: str, name: str, query: Sequence[tuple[str, str]]
                      ) -> tuple[str, list[str], dict[str, list[str]]]:
        """The checks of :meth:`run` for a streaming exec (before the upgrade)."""
        return self._target(namespace, name, query)

    def start_stream(self, namespace: str, name: str, container: str, command: list[str], *, stdin: bool,
                     stdout: bool, stderr: bool, tty: bool, tty_size: tuple[int, int] | None = None):
        """Start ``command`` with the parent's ends of its stdio (an
        :class:`~kubekit.runtime.execin.ExecProcess`).  Raises
        :class:`~kubekit.node.agent.ContainerNotRunning` and
        :class:`~kubekit.runtime.execin.ExecStartError`."""
        return self.agent.exec_stream(namespace, name, container, command, stdin=stdin, stdout=stdout,
                                      stderr=stderr, tty=tty, tty_size=tty_size)

    def run(self, namespace: str, name: str, query: Sequence[tuple[str, str]], body: Any) -> dict[str, Any]:
        from kubekit.node.agent import ContainerNotRunning
        from kubekit.runtime.execin import ExecStartError

        container, command, _params = self._target(namespace, name, query)
        stdin = b""
        if isinstance(body, Mapping) and body.get("stdin"):
            try:
                stdin = base64.b64decode(body["stdin"], validate=True)
            except ValueError:
                raise BadRequest("stdin: must be base64") from None
        try:
            r = self.agent.exec(namespace, name, container, command, input=stdin)
            code, out, err = r.code, r.stdout, r.stderr
        except ContainerNotRunning as e:
            raise BadRequest(str(e)) from None
        except ExecStartError as e:
            code, out, err = (127 if e.errno == errno.ENOENT else 126), b"", f"{e}\n".encode()
        return {"kind": "ExecResult", "apiVersion": "kubekit.dev/v1", "exitCode": code,
                "stdout": base64.b64encode(out).decode(), "stderr": base64.b64encode(err).decode()}
