"""Pods: containers that share network, IPC and UTS namespaces and a cgroup.

Kubernetes gives every pod a sandbox (the pause container) whose only job is
to own the namespaces the pod's containers join.  kubekit's sandbox is a
child that runs the spawn kernel's PAUSE program: no image, no exec, no
capabilities, in its own ``sandbox`` cgroup under the pod's cgroup (so the
pod cgroup itself never holds a process, which cgroup v2 requires).

    pod = rt.create_pod("uid-1", hostname="web-0", resources=Resources(memory_limit=256 << 20))
    app = pod.create(ContainerSpec(command=(...), rootfs=...))
    app.start()
    ...
    pod.delete()   # the containers, the sandbox, the pod cgroup
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING

from kubekit.errors import RuntimeSpecError
from kubekit.runtime import plan
from kubekit.runtime.container import Container
from kubekit.runtime.spec import ContainerSpec, Resources
from kubekit.runtime.state import Record

if TYPE_CHECKING:
    from kubekit.runtime.runtime import Runtime


class PodSandbox:
    def __init__(self, runtime: Runtime, uid: str, holder: Container, namespaces: frozenset[str]) -> None:
        self.runtime = runtime
        self.uid = uid
        self.holder = holder
        self.namespaces = namespaces
        self.cgroup_path = f"{runtime.cgroup_root}/pod{uid}"
        self.containers: dict[str, Container] = {}

    @classmethod
    def launch(cls, runtime: Runtime, uid: str, hostname: str | None, resources: Resources,
               namespaces: frozenset[str]) -> PodSandbox:
        if not uid.replace("-", "").replace("_", "").isalnum():
            raise RuntimeSpecError(f"pod uid: {uid!r} must be letters, digits, '-' and '_'")
        program = plan.build_sandbox(hostname, namespaces, runtime.last_cap)
        pod_path = f"{runtime.cgroup_root}/pod{uid}"
        sid = f"pod{uid}-sandbox"
        record = Record(sid, runtime.owner_pid, runtime.owner_start, f"{pod_path}/sandbox",
                        os.path.join(runtime.containers_dir, sid), pod_path)
        try:
            os.mkdir(record.bundle, 0o711)
        except FileExistsError:
            raise RuntimeSpecError(f"pod uid: a pod {uid!r} already exists") from None
        runtime.state.save(record)
        pod_cgroup = holder_cgroup = holder = None
        cgroup_fd = None
        try:
            pod_cgroup = runtime.driver.create(pod_path, resources)
            pod_cgroup.close()
            holder_cgroup = runtime.driver.create(record.cgroup, Resources())
            cgroup_fd = holder_cgroup.v2_fd()
            holder = Container(runtime, record, None, program, holder_cgroup)
            flags = sum(plan.CLONE_FLAGS[ns] for ns in namespaces)
            runtime._spawn(holder, flags, cgroup_fd, None)
            holder.start()
        except BaseException:
            if holder is not None and holder.pid > 0:
                holder.delete()
            else:
                if holder_cgroup is not None:
                    holder_cgroup.destroy()
                runtime._cleanup_files(record)
            raise
        finally:
            if cgroup_fd is not None:
                os.close(cgroup_fd)
        return cls(runtime, uid, holder, frozenset(namespaces))

    @property
    def pid(self) -> int:
        return self.holder.pid

    def namespace_paths(self) -> dict[str, str]:
        return {ns: f"/proc/{self.holder.pid}/ns/{ns}" for ns in sorted(self.namespaces)}

    def create(self, spec: ContainerSpec, name: str | None = None) -> Container:
        """A container of this pod: it joins the pod's namespaces (its own
        pid and mount namespaces stay private) and lives in the pod cgroup.
        The hostname is the pod's."""
        if spec.hostname or spec.domainname:
            raise RuntimeSpecError("hostname: a pod's containers share the pod's hostname; set it on the pod")
        joined = {**self.namespace_paths(), **spec.join_namespaces}
        c = self.runtime.create(replace(spec, join_namespaces=joined), name, pod=self.uid)
        self.containers[c.id] = c
        return c

    def delete(self) -> None:
        """Delete every container of the pod, then the sandbox and the pod cgroup."""
        for c in list(self.containers.values()):
            c.delete()
        self.containers.clear()
        self.holder.delete()
