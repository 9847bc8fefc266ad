from kubekit.runtime.ops import Program

def spawn(program: Program, clone_flags: int, cgroup_fd: int = -1) -> tuple[int, int, int, int, bool]:
    """Returns (pid, pidfd, sync_w, report_r, into_cgroup)."""

force_legacy_clone: bool
