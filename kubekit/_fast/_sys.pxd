# Contract of kubekit's Python-callable syscall layer (_sys.pyx).
#
# The kk_* helpers wrap the system calls glibc does not (or not portably)
# wrap.  They follow the libc convention: a negative return with errno set on
# failure; they touch no Python object, so any module may cimport and call
# them without the GIL (the spawn kernel's child included).
from libc.stdint cimport uint64_t

from kubekit._fast._linux cimport siginfo_t

# Raises OSError(err, strerror(err), where[, None, where2]); always returns -1.
cdef int kk_raise(int err, object where, object where2=*) except -1

# clone3 with CLONE_PIDFD and exit signal SIGCHLD, plus CLONE_INTO_CGROUP when
# cgroup_fd >= 0.  Fork semantics: returns the pid in the parent (and stores
# the pidfd in *pidfd), 0 in the child.
cdef long kk_clone3(uint64_t flags, int cgroup_fd, int *pidfd) noexcept nogil
# Legacy fork-like clone(2): clone(flags | SIGCHLD, stack 0).
cdef long kk_clone(unsigned long flags) noexcept nogil
cdef int kk_pivot_root(const char *new_root, const char *put_old) noexcept nogil
# caps[0..3) = effective, permitted, inheritable (64-bit masks, v3 header).
cdef int kk_capget(int pid, uint64_t *caps) noexcept nogil
cdef int kk_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable) noexcept nogil
cdef int kk_pidfd_open(int pid, unsigned int flags) noexcept nogil
cdef int kk_pidfd_send_signal(int pidfd, int sig) noexcept nogil
# waitid(P_PIDFD, pidfd, info, options); info is zeroed first, so with WNOHANG
# info.si_pid == 0 means "not yet".
cdef int kk_waitid_pidfd(int pidfd, siginfo_t *info, int options) noexcept nogil
cdef int kk_close_range(unsigned int first, unsigned int last, unsigned int flags) noexcept nogil
