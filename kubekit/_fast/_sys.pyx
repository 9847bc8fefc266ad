# cython: freethreading_compatible = False
"""The runtime's Python-callable system calls.

Thin wrappers over the Linux calls a container runtime needs: clone3/clone,
unshare/setns, mount/umount2/pivot_root, sethostname/setdomainname, prctl
(no_new_privs, PDEATHSIG, the bounding and ambient sets), capget/capset,
pidfd_open/pidfd_send_signal, waitid on a pidfd and wait4 with rusage.

Every failure raises ``OSError(errno, strerror, where)`` where ``where`` is the
path the call was about (``mount``: the target; ``setns`` by path: the path) or
the step (``"unshare"``, ``"capset"`` ...); Python picks the subclass
(``FileNotFoundError`` ...).  Calls run without the GIL, except clone3/clone,
which keep it across the fork exactly as :func:`os.fork` does (a child must
not need a GIL another thread of the parent holds).  Blocking waits retry on
EINTR after running Python's signal handlers (PEP 475).

The ``kk_*`` C helpers declared in ``_sys.pxd`` are the same calls at C level
(negative return, errno set) for other kernels to cimport.
"""

from libc.stdint cimport uint32_t, uint64_t, uintptr_t
from libc.string cimport memset
from cpython.exc cimport PyErr_CheckSignals

from kubekit._fast cimport _linux as L

import collections
import os

# --- constants -----------------------------------------------------------------
CLONE_NEWNS = L.CLONE_NEWNS
CLONE_NEWUTS = L.CLONE_NEWUTS
CLONE_NEWIPC = L.CLONE_NEWIPC
CLONE_NEWPID = L.CLONE_NEWPID
CLONE_NEWNET = L.CLONE_NEWNET
CLONE_NEWUSER = L.CLONE_NEWUSER
CLONE_NEWCGROUP = L.CLONE_NEWCGROUP
CLONE_NEWTIME = L.CLONE_NEWTIME
CLONE_PIDFD = L.CLONE_PIDFD
CLONE_INTO_CGROUP = L.CLONE_INTO_CGROUP

MS_RDONLY = L.MS_RDONLY
MS_NOSUID = L.MS_NOSUID
MS_NODEV = L.MS_NODEV
MS_NOEXEC = L.MS_NOEXEC
MS_REMOUNT = L.MS_REMOUNT
MS_BIND = L.MS_BIND
MS_MOVE = L.MS_MOVE
MS_REC = L.MS_REC
MS_PRIVATE = L.MS_PRIVATE
MS_SLAVE = L.MS_SLAVE
MS_SHARED = L.MS_SHARED
MS_RELATIME = L.MS_RELATIME
MS_STRICTATIME = L.MS_STRICTATIME
MS_NOATIME = L.MS_NOATIME
MS_NODIRATIME = L.MS_NODIRATIME
MNT_DETACH = L.MNT_DETACH

WEXITED = L.WEXITED
WNOHANG = L.WNOHANG
WNOWAIT = L.WNOWAIT
CLD_EXITED = L.CLD_EXITED
CLD_KILLED = L.CLD_KILLED
CLD_DUMPED = L.CLD_DUMPED

PR_SET_NO_NEW_PRIVS = L.PR_SET_NO_NEW_PRIVS
PR_SET_PDEATHSIG = L.PR_SET_PDEATHSIG
PR_SET_KEEPCAPS = L.PR_SET_KEEPCAPS
PR_CAPBSET_DROP = L.PR_CAPBSET_DROP

CLOSE_RANGE_CLOEXEC = L.CLOSE_RANGE_CLOEXEC

# clone flags that would break fork semantics here (shared memory, threads,
# TLS or tid pointers the caller cannot supply).  Values from linux/sched.h.
_CLONE_VM = 0x100
_CLONE_SIGHAND = 0x800
_CLONE_VFORK = 0x4000
_CLONE_THREAD = 0x10000
_CLONE_SETTLS = 0x80000
_CLONE_PARENT_SETTID = 0x100000
_CLONE_CHILD_CLEARTID = 0x200000
_CLONE_CHILD_SETTID = 0x1000000
_UNSUPPORTED_CLONE_FLAGS = (_CLONE_VM | _CLONE_SIGHAND | _CLONE_VFORK | _CLONE_THREAD | _CLONE_SETTLS
                            | _CLONE_PARENT_SETTID | _CLONE_CHILD_CLEARTID | _CLONE_CHILD_SETTID)
# clone(2) keeps the exit signal in the low byte (CSIGNAL), where clone3 has
# CLONE_NEWTIME (0x80).
_CSIGNAL = 0xff

Rusage = collections.namedtuple(
    "Rusage", ["utime_s", "stime_s", "maxrss_kib", "minflt", "majflt", "nvcsw", "nivcsw"],
    module=__name__,
)
Rusage.__doc__ = "Resource usage of a reaped child (getrusage fields; maxrss in KiB as Linux reports it)."


# --- C helpers (the contract in _sys.pxd) -----------------------------------------
cdef int kk_raise(int err, object where, object where2=None) except -1:
    if where2 is None:
        raise OSError(err, os.strerror(err), where)
    raise OSError(err, os.strerror(err), where, None, where2)


cdef long kk_clone3(uint64_t flags, int cgroup_fd, int *pidfd) noexcept nogil:
    cdef L.kk_clone_args args
    memset(&args, 0, sizeof(args))
    args.flags = flags | L.CLONE_PIDFD
    args.pidfd = <uint64_t><uintptr_t>pidfd
    args.exit_signal = L.SIGCHLD
    if cgroup_fd >= 0:
        args.flags |= L.CLONE_INTO_CGROUP
        args.cgroup = <uint64_t>cgroup_fd
    return L.syscall(L.SYS_clone3, &args, <size_t>sizeof(args))


cdef long kk_clone(unsigned long flags) noexcept nogil:
    return L.syscall(L.SYS_clone, <unsigned long>(flags | L.SIGCHLD),
                     <unsigned long>0, <unsigned long>0, <unsigned long>0, <unsigned long>0)


cdef int kk_pivot_root(const char *new_root, const char *put_old) noexcept nogil:
    return <int>L.syscall(L.SYS_pivot_root, new_root, put_old)


cdef int kk_capget(int pid, uint64_t *caps) noexcept nogil:
    cdef L.kk_cap_header hdr
    cdef L.kk_cap_data data[2]
    hdr.version = L.KK_CAP_V3
    hdr.pid = pid
    memset(data, 0, sizeof(data))
    if L.syscall(L.SYS_capget, &hdr, data) < 0:
        return -1
    caps[0] = data[0].effective | (<uint64_t>data[1].effective << 32)
    caps[1] = data[0].permitted | (<uint64_t>data[1].permitted << 32)
    caps[2] = data[0].inheritable | (<uint64_t>data[1].inheritable << 32)
    return 0


cdef int kk_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable) noexcept nogil:
    cdef L.kk_cap_header hdr
    cdef L.kk_cap_data data[2]
    hdr.version = L.KK_CAP_V3
    hdr.pid = 0
    data[0].effective = <uint32_t>(effective & 0xffffffffu)
    data[0].permitted = <uint32_t>(permitted & 0xffffffffu)
    data[0].inheritable = <uint32_t>(inheritable & 0xffffffffu)
    data[1].effective = <uint32_t>(effective >> 32)
    data[1].permitted = <uint32_t>(permitted >> 32)
    data[1].inheritable = <uint32_t>(inheritable >> 32)
    return <int>L.syscall(L.SYS_capset, &hdr, data)


cdef int kk_pidfd_open(int pid, unsigned int flags) noexcept nogil:
    return <int>L.syscall(L.SYS_pidfd_open, <long>pid, <unsigned long>flags)


cdef int kk_pidfd_send_signal(int pidfd, int sig) noexcept nogil:
    return <int>L.syscall(L.SYS_pidfd_send_signal, <long>pidfd, <long>sig, <void *>NULL,
                          <unsigned long>0)


cdef int kk_waitid_pidfd(int pidfd, L.siginfo_t *info, int options) noexcept nogil:
    memset(info, 0, sizeof(L.siginfo_t))
    return <int>L.syscall(L.SYS_waitid, <long>L.P_PIDFD, <long>pidfd, info, <long>options,
                          <void *>NULL)


cdef int kk_close_range(unsigned int first, unsigned int last, unsigned int flags) noexcept nogil:
    return <int>L.syscall(L.SYS_close_range, <unsigned long>first, <unsigned long>last,
                          <unsigned long>flags)


# --- argument conversion ------------------------------------------------------------
cdef bytes _encode(object value):
    """str / bytes / PathLike -> bytes without NUL (os.fsencode's rules)."""
    cdef bytes b = os.fsencode(value)
    if b"\0" in b:
        raise ValueError(f"embedded null byte in {value!r}")
    return b


cdef inline const char *_cstr(bytes b):
    if b is None:
        return NULL
    return <const char *>b


# --- fork-like clones ---------------------------------------------------------------
cdef int _check_clone_flags(uint64_t flags) except -1:
    if flags & _UNSUPPORTED_CLONE_FLAGS:
        raise ValueError(f"clone flags {flags:#x} include flags that break fork semantics "
                         f"({flags & _UNSUPPORTED_CLONE_FLAGS:#x})")
    return 0


def clone3(uint64_t flags=0, int cgroup_fd=-1):
    """Fork with clone3(2): ``(pid, pidfd)`` in the parent, ``(0, -1)`` in the child.

    Always CLONE_PIDFD (the pidfd is close-on-exec) and exit signal SIGCHLD;
    ``cgroup_fd`` >= 0 (an open cgroup v2 directory) adds CLONE_INTO_CGROUP.
    Python's fork hooks run as for :func:`os.fork`; glibc's do not (its
    fork() resets its own locks and cached thread id), so a child of a
    multi-threaded parent should do little before it execs or exits.
    """
    cdef int pidfd = -1
    cdef long pid
    cdef int err
    _check_clone_flags(flags)
    L.PyOS_BeforeFork()
    pid = kk_clone3(flags, cgroup_fd, &pidfd)
    err = L.errno
    if pid == 0:
        L.PyOS_AfterFork_Child()
        return 0, -1
    L.PyOS_AfterFork_Parent()
    if pid < 0:
        kk_raise(err, "clone3")
    return int(pid), pidfd


def clone(uint64_t flags=0):
    """Fork with the legacy clone(2) (no pidfd): the pid in the parent, 0 in the child."""
    cdef long pid
    cdef int err
    _check_clone_flags(flags)
    if flags & _CSIGNAL:
        raise ValueError(f"clone flags {flags:#x} use the exit-signal byte; "
                         "CLONE_NEWTIME needs clone3() or unshare()")
    L.PyOS_BeforeFork()
    pid = kk_clone(<unsigned long>flags)
    err = L.errno
    if pid == 0:
        L.PyOS_AfterFork_Child()
        return 0
    L.PyOS_AfterFork_Parent()
    if pid < 0:
        kk_raise(err, "clone")
    return int(pid)


# --- namespaces ------------------------------------------------------------------------
def unshare(int flags):
    """unshare(2)."""
    cdef int rc, err = 0
    with nogil:
        rc = L.unshare(flags)
        if rc < 0:
            err = L.errno
    if rc < 0:
        kk_raise(err, "unshare")


def setns(fd, int nstype=0):
    """setns(2) on an open namespace fd, or on a path (``/proc/PID/ns/net``),
    which is opened O_RDONLY|O_CLOEXEC and closed again."""
    cdef int nsfd, rc, err = 0
    cdef bytes path
    cdef const char *cpath
    if isinstance(fd, int):
        nsfd = fd
        with nogil:
            rc = L.setns(nsfd, nstype)
            if rc < 0:
                err = L.errno
        if rc < 0:
            kk_raise(err, f"setns(fd {nsfd})")
        return
    path = _encode(fd)
    cpath = path
    with nogil:
        nsfd = L.open(cpath, L.O_RDONLY | L.O_CLOEXEC)
        if nsfd < 0:
            rc = -1
            err = L.errno
        else:
            rc = L.setns(nsfd, nstype)
            if rc < 0:
                err = L.errno
            L.close(nsfd)
    if rc < 0:
        kk_raise(err, os.fspath(fd))


# --- mounts ------------------------------------------------------------------------------
def mount(source, target, fstype, unsigned long flags=0, data=None):
    """mount(2).  ``source``, ``fstype`` and ``data`` may be None (NULL)."""
    cdef bytes bsrc = None if source is None else _encode(source)
    cdef bytes btgt = _encode(target)
    cdef bytes bfs = None if fstype is None else _encode(fstype)
    cdef bytes bdata = None if data is None else _encode(data)
    cdef const char *csrc = _cstr(bsrc)
    cdef const char *ctgt = _cstr(btgt)
    cdef const char *cfs = _cstr(bfs)
    cdef const char *cdata = _cstr(bdata)
    cdef int rc, err = 0
    with nogil:
        rc = L.mount(csrc, ctgt, cfs, flags, cdata)
        if rc < 0:
            err = L.errno
    if rc < 0:
        kk_raise(err, os.fspath(target))


def umount2(target, int flags=0):
    """umount2(2)."""
    cdef bytes btgt = _encode(target)
    cdef const char *ctgt = btgt
    cdef int rc, err = 0
    with nogil:
        rc = L.umount2(ctgt, flags)
        if rc < 0:
            err = L.errno
    if rc < 0:
        kk_raise(err, os.fspath(target))


def pivot_root(new_root, put_old):
    """pivot_root(2); errors name ``new_root`` (and ``put_old`` as filename2)."""
    cdef bytes bnew = _encode(new_root)
    cdef bytes bold = _encode(put_old)
    cdef const char *cnew = bnew
    cdef const char *cold = bold
    cdef int rc, err = 0
    with nogil:
        rc = kk_pivot_root(cnew, cold)
        if rc < 0:
            err = L.errno
    if rc < 0:
        kk_raise(err, os.fspath(new_root), os.fspath(put_old))


# --- uts ---------------------------------------------------------------------------------
def sethostname(name):
    """sethostname(2)."""
    cdef bytes b = _encode(name)
    cdef const char *c = b
    cdef size_t n = len(b)
    cdef int rc, err = 0
    with nogil:
        rc = L.sethostname(c, n)
        if rc < 0:
            err = L.errno
    if rc < 0:
        kk_raise(err, "sethostname")


def setdomainname(name):
    """setdomainname(2)."""
    cdef bytes b = _encode(name)
    cdef const char *c = b
    cdef size_t n = len(b)
    cdef int rc, err = 0
    with nogil:
        rc = L.setdomainname(c, n)
        if rc < 0:
            err = L.errno
    if rc < 0:
        kk_raise(err, "setdomainname")


# --- prctl -------------------------------------------------------------------------------
cdef int _prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4,
                unsigned long a5, str step) except -1:
    cdef int rc, err = 0
    with nogil:
        rc = L.prctl(option, a2, a3, a4, a5)
        if rc < 0:
            err = L.errno
    if rc < 0:
        kk_raise(err, step)
    return rc


def prctl(int option, unsigned long arg2=0, unsigned long arg3=0, unsigned long arg4=0,
          unsigned long arg5=0):
    """prctl(2) with integer arguments; returns its non-negative result."""
    return _prctl(option, arg2, arg3, arg4, arg5, f"prctl({option})")


def set_no_new_privs():
    """prctl(PR_SET_NO_NEW_PRIVS, 1)."""
    _prctl(L.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, "prctl(PR_SET_NO_NEW_PRIVS)")


def get_no_new_privs():
    """prctl(PR_GET_NO_NEW_PRIVS) as a bool."""
    return _prctl(L.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0, "prctl(PR_GET_NO_NEW_PRIVS)") == 1


def set_pdeathsig(int sig):
    """prctl(PR_SET_PDEATHSIG, sig); 0 clears it."""
    _prctl(L.PR_SET_PDEATHSIG, <unsigned long>sig, 0, 0, 0, "prctl(PR_SET_PDEATHSIG)")


def get_pdeathsig():
    """prctl(PR_GET_PDEATHSIG): the signal number, 0 when unset."""
    cdef int sig = 0
    _prctl(L.PR_GET_PDEATHSIG, <unsigned long>&sig, 0, 0, 0, "prctl(PR_GET_PDEATHSIG)")
    return sig


# --- capabilities ------------------------------------------------------------------------
def capget(int pid=0):
    """capget(2), v3 header: ``(effective, permitted, inheritable)`` as 64-bit masks.
    ``pid`` 0 is the calling thread."""
    cdef uint64_t caps[3]
    cdef int rc, err = 0
    caps[0] = caps[1] = caps[2] = 0
    with nogil:
        rc = kk_capget(pid, caps)
        if rc < 0:
            err = L.errno
    if rc < 0:
        kk_raise(err, "capget" if pid == 0 else f"capget({pid})")
    return int(caps[0]), int(caps[1]), int(caps[2])


def capset(uint64_t effective, uint64_t permitted, uint64_t inheritable):
    """capset(2) on the calling thread, v3 header."""
    cdef int rc, err = 0
    with nogil:
        rc = kk_capset(effective, permitted, inheritable)
        if rc < 0:
            err = L.errno
    if rc < 0:
        kk_raise(err, "capset")


def cap_bound_drop(int cap):
    """prctl(PR_CAPBSET_DROP, cap)."""
    _prctl(L.PR_CAPBSET_DROP, <unsigned long>cap, 0, 0, 0, f"prctl(PR_CAPBSET_DROP, {cap})")


def cap_bound_read(int cap):
    """prctl(PR_CAPBSET_READ, cap): whether ``cap`` is in the bounding set."""
    return _prctl(L.PR_CAPBSET_READ, <unsigned long>cap, 0, 0, 0,
                  f"prctl(PR_CAPBSET_READ, {cap})") == 1


def cap_ambient_clear():
    """prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)."""
    _prctl(L.PR_CAP_AMBIENT, L.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0,
           "prctl(PR_CAP_AMBIENT_CLEAR_ALL)")


def cap_last_cap():
    """The highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap)."""
    with open("/proc/sys/kernel/cap_last_cap", "rb") as f:
        return int(f.read())


# --- fds -----------------------------------------------------------------------------------
def close_range(unsigned int first, unsigned int last=0xffffffff, unsigned int flags=0):
    """close_range(2); ``flags=CLOSE_RANGE_CLOEXEC`` marks instead of closing."""
    cdef int rc, err = 0
    with nogil:
        rc = kk_close_range(first, last, flags)
        if rc < 0:
            err = L.errno
    if rc < 0:
        kk_raise(err, "close_range")


# --- pidfds and waiting --------------------------------------------------------------------
def pidfd_open(int pid, unsigned int flags=0):
    """pidfd_open(2): a close-on-exec pidfd for ``pid``."""
    cdef int fd, err = 0
    with nogil:
        fd = kk_pidfd_open(pid, flags)
        if fd < 0:
            err = L.errno
    if fd < 0:
        kk_raise(err, f"pidfd_open({pid})")
    return fd


def pidfd_send_signal(int pidfd, int sig):
    """pidfd_send_signal(2) with no siginfo."""
    cdef int rc, err = 0
    with nogil:
        rc = kk_pidfd_send_signal(pidfd, sig)
        if rc < 0:
            err = L.errno
    if rc < 0:
        kk_raise(err, "pidfd_send_signal")


def waitid_pidfd(int pidfd, int options=L.WEXITED):
    """waitid(P_PIDFD, pidfd): ``(pid, si_code, si_status)``, or None with
    WNOHANG while the process has not changed state.  Without WNOWAIT an
    exited child is reaped."""
    cdef L.siginfo_t info
    cdef int rc, err = 0
    while True:
        with nogil:
            rc = kk_waitid_pidfd(pidfd, &info, options)
            if rc < 0:
                err = L.errno
        if rc == 0:
            break
        if err != L.EINTR:
            kk_raise(err, "waitid(P_PIDFD)")
        PyErr_CheckSignals()
    if info.si_pid == 0:
        return None
    return int(info.si_pid), int(info.si_code), int(info.si_status)


def wait4(int pid, int options=0):
    """wait4(2): ``(pid, status, Rusage)``; ``(0, 0, Rusage of zeros)`` with
    WNOHANG while no child has changed state.  ``status`` is the raw wait
    status (see :func:`os.waitstatus_to_exitcode`)."""
    cdef L.rusage ru
    cdef int status = 0
    cdef L.pid_t r
    cdef int err = 0
    while True:
        with nogil:
            memset(&ru, 0, sizeof(ru))
            status = 0
            r = L.wait4(pid, &status, options, &ru)
            if r < 0:
                err = L.errno
        if r >= 0:
            break
        if err != L.EINTR:
            kk_raise(err, f"wait4({pid})")
        PyErr_CheckSignals()
    return int(r), status, Rusage(
        ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
        ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
        ru.ru_maxrss, ru.ru_minflt, ru.ru_majflt, ru.ru_nvcsw, ru.ru_nivcsw,
    )
