# Contract of the spawn kernel: a container's first process runs a prepared
# program of C ops between clone and execve (see kubekit/runtime/ops.py).
from libc.stdint cimport int32_t, int64_t, uint64_t

cdef struct COp:
    int code
    const char *a
    const char *b
    const char *c
    const char *d
    size_t a_len
    size_t b_len
    uint64_t flags
    int64_t arg
    int ignore_errno

# Runs ops[0..n) then never returns (execve, pause, or _exit(127) after
# reporting (index, errno) on report_w).  Only async-signal-safe calls.
cdef void run_child(const COp *ops, int n, char *const *argv, char *const *envp,
                    int sync_r, int report_w) noexcept nogil
