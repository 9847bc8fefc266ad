"""A node agent over real containers for tests: a runtime, image store
(busybox as ``local/busybox:1``), fake clock and store in fresh temporary
places; afterwards every pod is killed, cgroups swept, mounts below the
directory unmounted and the directory removed, even on failure — and the
test fails if a mount had been left behind."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator

__all__ = ["agent_world", "mounts_under", "run_until"]


def mounts_under(path: str) -> list[str]:
    from kubekit.runtime.mountinfo import parse_mountinfo

    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        return [m.mount_point for m in parse_mountinfo(f.read()) if m.mount_point.startswith(path)]


@contextlib.contextmanager
def agent_world(rootfs: str, prefix: str = "kubekit-agent-") -> Iterator[tuple]:
    """Yields ``(store, clock, agent, top)``."""
    from kubekit.clock import FakeClock
    from kubekit.images import ImageStore, build_image
    from kubekit.node.agent import NodeAgent
    from kubekit.node.volumes import unmount_under
    from kubekit.runtime import Runtime
    from kubekit.store import APIStore

    top = tempfile.mkdtemp(prefix=prefix)
    os.chmod(top, 0o711)
    cg = f"/kubekit-agent-{secrets.token_hex(3)}"
    rt = Runtime(state_dir=f"{top}/state", data_dir=f"{top}/data", cgroup_root=cg)
    images = ImageStore(f"{top}/images")
    build_image(images, rootfs, tag="local/busybox:1", created=1_700_000_000)
    clock = FakeClock()
    store = APIStore(clock=clock)
    agent = NodeAgent(store, clock, node_name="node-a", runtime=rt, images=images, log_dir=f"{top}/logs")
    left: list[str] = []
    try:
        yield store, clock, agent, top
    finally:
        try:
            agent.stop()
            rt.sweep(include_exited=True)
            rt.driver.remove_if_empty(cg)
            left = mounts_under(top)
        finally:
            unmount_under(top)                 # whatever happened, no mount outlives the test
            shutil.rmtree(top, ignore_errors=True)
    assert left == [], f"mounts left behind: {left}"


def run_until(agent, store, name, check, timeout=20.0, namespace="default"):
    """Drive the agent until ``check(pod)``; the pod (a hang guard of ``timeout`` s)."""
    end = time.monotonic() + timeout
    p = None
    while time.monotonic() < end:
        agent.run_once()
        p = store.get("Pod", namespace, name)
        if check(p):
            return p
        time.sleep(0.05)
    raise AssertionError(f"pod {name} never reached the state; last status: {p and p.get('status')}")
