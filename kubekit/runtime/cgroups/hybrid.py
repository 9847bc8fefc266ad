"""Hybrid: cgroup v1 controllers plus a cgroup2 tree at ``<root>/unified``
(systemd's "hybrid" layout).

Limits go to the v1 controllers exactly as on :mod:`.v1`.  The cgroup is also
created in the unified tree and every process joins it (runc does the same:
the container shows ``0::/kubekit/...`` in ``/proc/self/cgroup``), because
that tree gives what v1 lacks: ``clone3(CLONE_INTO_CGROUP)``, ``cgroup.kill``,
``cgroup.freeze`` and ``cgroup.events``.  No controller is enabled there.
"""

from __future__ import annotations

from kubekit.runtime.cgroups import v2
from kubekit.runtime.cgroups.v1 import V1Cgroup, V1Driver


class HybridCgroup(V1Cgroup):
    def _unified(self) -> str:
        d = self.v2_dir
        assert d is not None
        return d

    def populated(self) -> bool:
        """One read of the unified tree's cgroup.events: every process of the
        container is there (it was born there or attached there)."""
        if self.driver.plain:
            return super().populated()
        return v2.populated(self._unified())

    def freeze(self) -> None:
        """Freeze through the unified tree's cgroup.freeze."""
        v2.set_frozen(self._unified(), True)

    def thaw(self) -> None:
        v2.set_frozen(self._unified(), False)

    def is_frozen(self) -> bool:
        return v2.is_frozen(self._unified()) or super().is_frozen()

    def kill(self) -> None:
        """cgroup.kill in the unified tree, then a v1 sweep (freezer, SIGKILL
        each, thaw) for any process that joined only the v1 hierarchies."""
        v2.kill_tree(self._unified())
        self._kill_by_signals(self._freeze_if_possible, self._v1_thaw)


class HybridDriver(V1Driver):
    mode = "hybrid"
    cgroup_class = HybridCgroup
