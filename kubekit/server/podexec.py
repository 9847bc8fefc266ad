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

    def run(self, namespace: str, name: str, query: Sequence[tuple[str, str]], body: Any) -> dict[str, Any]:
        from kubekit.node.agent import ContainerNotRunning
        from kubekit.runtime.execin import ExecStartError

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
