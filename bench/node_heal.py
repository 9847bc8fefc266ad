"""Self-healing on the local node (cluster issue §8): from a container killed
to its replacement running, restart policy Always (the first restart of a
container has no backoff, so every round kills a fresh pod's first instance).

    sudo python3 bench/node_heal.py [-n 30] [--out bench/results/node_heal.md]

Each round: a pod (busybox ``sleep``, from an image in a scratch image store)
is bound to the node; the node agent starts it; the benchmark SIGKILLs the
container's init and times, with ``perf_counter``, until the agent has reaped
it, started the replacement and written the pod's status
(``restartCount: 1``, state ``running``).  The agent is driven in a tight
loop of ``run_once()`` (it polls each container's pidfd without blocking).
Target (the issue): a median under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import shutil
import statistics
import sys
import tempfile
import time


def main() -> int:
    import signal

    # `timeout` and Ctrl-C must still run the clean-up below (containers, cgroups, scratch dirs).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=30)
    ap.add_argument("--out", default="bench/results/node_heal.md")
    a = ap.parse_args()
    from kubekit.clock import RealClock
    from kubekit.images import ImageStore, build_image
    from kubekit.node.agent import NodeAgent
    from kubekit.runtime import Runtime
    from kubekit.runtime.busybox import make_busybox_rootfs
    from kubekit.store import APIStore

    top = tempfile.mkdtemp(prefix="kubekit-heal-", dir="/var/tmp")
    os.chmod(top, 0o711)
    cg = f"/kubekit-heal-{secrets.token_hex(3)}"
    rt = Runtime(state_dir=f"{top}/state", data_dir=f"{top}/data", cgroup_root=cg)
    images = ImageStore(f"{top}/images")
    build_image(images, make_busybox_rootfs(f"{top}/rootfs"), tag="local/busybox:1", created=1_700_000_000)
    clock = RealClock()
    store = APIStore(clock=clock)
    agent = NodeAgent(store, clock, node_name="bench-node", runtime=rt, images=images, log_dir=f"{top}/logs")
    times: list[float] = []
    try:
        for i in range(a.n + 1):
            name = f"heal-{i}"
            store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
                          "spec": {"nodeName": "bench-node", "terminationGracePeriodSeconds": 0, "containers": [
                              {"name": "app", "image": "local/busybox:1", "imagePullPolicy": "Never",
                               "command": ["/bin/sleep", "600"]}]}})
            uid = None
            while uid is None or agent.workers[uid].containers.get("app") is None or \
                    agent.workers[uid].containers["app"].running is None:
                agent.run_once()
                uid = store.get("Pod", "default", name)["metadata"]["uid"]
            st = agent.workers[uid].containers["app"]
            t0 = time.perf_counter()
            st.running.kill()
            while True:
                agent.run_once()
                p = store.get("Pod", "default", name)
                cs = (p.get("status") or {}).get("containerStatuses") or [{}]
                if cs[0].get("restartCount") == 1 and "running" in cs[0].get("state", {}):
                    break
            dt = (time.perf_counter() - t0) * 1e3
            if i:                                 # the first round warms caches up
                times.append(dt)
            store.delete("Pod", "default", name)
            while uid in agent.workers:
                agent.run_once()
    finally:
        agent.stop()
        rt.sweep(include_exited=True)
        rt.driver.remove_if_empty(cg)
        shutil.rmtree(top, ignore_errors=True)
    q = statistics.quantiles(times, n=4)
    cmd = " ".join(["python3"] + sys.argv)
    text = "\n".join([
        f"# Self-healing on the local node (`{cmd}`)", "",
        f"{platform.node()} · kernel {platform.release()} · {os.cpu_count()} cpus · "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · n={len(times)}", "",
        "| measurement | median ms | IQR ms | min | max | target |", "|---|---:|---:|---:|---:|---|",
        f"| container SIGKILLed → replacement running, status written | {statistics.median(times):.1f} | "
        f"{q[0]:.1f}–{q[2]:.1f} | {min(times):.1f} | {max(times):.1f} | median < 50 ms |", ""])
    print(text)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
