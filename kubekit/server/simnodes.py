"""What a node agent does for a pod being deleted, for simulated nodes.

A bound pod that is deleted only gets a ``deletionTimestamp``: the store
waits for the node agent to stop its containers and confirm with a final
delete (grace period 0).  Simulated nodes have no containers, so — as KWOK
does — the pod is confirmed deleted as soon as it is seen terminating.
(This belongs in :class:`kubekit.node.simulated.SimulatedFleet`; it lives
here until the fleet does it itself.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kubekit.controllers.informer import Informer, object_key
from kubekit.errors import ConflictError, NotFoundError

__all__ = ["SimulatedPodTerminator"]

log = logging.getLogger(__name__)


class SimulatedPodTerminator:
    """Finishes the deletion of terminating pods bound to a simulated node."""

    def __init__(self, store, pods: Informer, is_simulated: Callable[[str], bool]) -> None:
        self.store, self.is_simulated = store, is_simulated
        self._due: dict[str, tuple[str | None, str, str]] = {}     # key -> (namespace, name, uid)
        pods.add_handler(self._seen, lambda _old, new: self._seen(new), lambda pod: self._due.pop(object_key(pod), None))

    def _seen(self, pod: dict) -> None:
        m = pod["metadata"]
        if m.get("deletionTimestamp") and self.is_simulated((pod.get("spec") or {}).get("nodeName") or ""):
            self._due[object_key(pod)] = (m.get("namespace"), m["name"], m.get("uid", ""))

    def run_once(self) -> int:
        done = 0
        while self._due:
            _, (ns, name, uid) = self._due.popitem()
            try:
                self.store.delete("Pod", ns, name, grace_period_seconds=0, preconditions={"uid": uid})
                done += 1
            except (NotFoundError, ConflictError):
                pass                       # gone already, or replaced by a new pod of the same name
        return done
