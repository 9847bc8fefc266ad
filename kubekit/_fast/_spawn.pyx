# The container spawn kernel.  The parent turns a Program (kubekit/runtime/
# ops.py) into a C array, clones, and the child runs that array in C only:
# no Python objects, no malloc, only async-signal-safe system calls.  A failing
# op is reported as (index, errno) on an O_CLOEXEC pipe before _exit(127).
from libc.stdint cimport int32_t, int64_t, uint64_t
from libc.stdlib cimport malloc, free
from kubekit._fast._linux cimport *

import os

from kubekit.runtime.ops import Code

# Tests set this to exercise the clone(2) + pidfd_open fallback used on
# kernels without clone3.
force_legacy_clone = False

# Op codes, mirrored from kubekit.runtime.ops.Code (checked at import below).
cdef enum:
    OP_WAIT = 1
    OP_MOUNT = 2
    OP_UMOUNT2 = 3
    OP_MKDIR = 4
    OP_MKNOD = 5
    OP_SYMLINK = 6
    OP_TOUCH = 7
    OP_CHDIR = 8
    OP_PIVOT_ROOT = 9
    OP_CHROOT = 10
    OP_SETNS = 11
    OP_UNSHARE = 12
    OP_SETHOSTNAME = 13
    OP_SETDOMAINNAME = 14
    OP_LO_UP = 15
    OP_MASK = 16
    OP_READONLY = 17
    OP_PRCTL = 18
    OP_DROP_BOUNDING = 19
    OP_SETGROUPS = 20
    OP_SETRESGID = 21
    OP_SETRESUID = 22
    OP_CAPSET = 23
    OP_WRITE_FILE = 24
    OP_CLOEXEC_FROM = 25
    OP_DUP2 = 26
    OP_SETSID = 27
    OP_EXEC = 28
    OP_PAUSE = 29
    OP_CLOSE_FROM = 30
    OP_SETCTTY = 31

# <asm-generic/ioctls.h>
cdef enum:
    KK_TIOCSCTTY = 0x540E

assert Code.WAIT == OP_WAIT and Code.SETCTTY == OP_SETCTTY and len(Code) == 31


# ---------------------------------------------------------------- child side

cdef int write_all(int fd, const char *buf, size_t n) noexcept nogil:
    cdef ssize_t w
    while n > 0:
        w = write(fd, buf, n)
        if w < 0:
            if errno == EINTR:
                continue
            return -1
        buf += w
        n -= <size_t>w
    return 0


cdef void report(int report_w, int index, int err) noexcept nogil:
    cdef int32_t rec[2]
    rec[0] = index
    rec[1] = err
    write_all(report_w, <const char *>rec, sizeof(rec))


cdef int op_wait(int index, int sync_r, int report_w) noexcept nogil:
    cdef char byte
    cdef ssize_t r
    report(report_w, index, 0)
    while True:
        r = read(sync_r, &byte, 1)
        if r == 1:
            return 0
        if r == 0:
            kk_set_errno(ECANCELED)
            return -1
        if errno != EINTR:
            return -1


cdef int op_mknod(const COp *op) noexcept nogil:
    cdef mode_t old = umask(0)
    cdef int rc = mknod(op.a, <mode_t>op.arg, <dev_t>op.flags)
    cdef int saved = errno
    umask(old)
    if rc < 0 and saved == EEXIST:
        return 0
    kk_set_errno(saved)
    return rc


cdef int op_touch(const char *path) noexcept nogil:
    # O_EXCL: anything already there (a directory, a symlink) is left alone.
    cdef int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    if fd < 0:
        return 0 if errno == EEXIST else -1
    close(fd)
    return 0


cdef int op_lo_up() noexcept nogil:
    cdef ifreq req
    cdef int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)
    cdef int rc, saved
    if fd < 0:
        return -1
    memset(&req, 0, sizeof(req))
    req.ifr_name[0] = b'l'
    req.ifr_name[1] = b'o'
    rc = ioctl(fd, SIOCGIFFLAGS, &req)
    if rc == 0:
        req.ifr_flags = req.ifr_flags | IFF_UP
        rc = ioctl(fd, SIOCSIFFLAGS, &req)
    saved = errno
    close(fd)
    kk_set_errno(saved)
    return rc


cdef int op_mask(const char *path) noexcept nogil:
    cdef stat st
    if c_stat(path, &st) < 0:
        return 0 if errno == ENOENT else -1
    if S_ISDIR(st.st_mode):
        return mount(b"tmpfs", path, b"tmpfs", MS_RDONLY, NULL)
    return mount(b"/dev/null", path, NULL, MS_BIND, NULL)


cdef unsigned long kept_mount_flags(const char *path) noexcept nogil:
    # A read-only remount must keep the locked flags of the mount it covers.
    cdef statvfs_t sv
    cdef unsigned long flags = 0
    if c_statvfs(path, &sv) < 0:
        return 0
    if sv.f_flag & ST_NOSUID:
        flags |= MS_NOSUID
    if sv.f_flag & ST_NODEV:
        flags |= MS_NODEV
    if sv.f_flag & ST_NOEXEC:
        flags |= MS_NOEXEC
    if sv.f_flag & ST_NOATIME:
        flags |= MS_NOATIME
    if sv.f_flag & ST_NODIRATIME:
        flags |= MS_NODIRATIME
    if sv.f_flag & ST_RELATIME:
        flags |= MS_RELATIME
    return flags


cdef int op_readonly(const char *path) noexcept nogil:
    if mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0:
        return -1
    return mount(path, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | kept_mount_flags(path), NULL)


cdef int op_drop_bounding(uint64_t keep, int64_t last_cap) noexcept nogil:
    cdef int64_t cap
    for cap in range(last_cap + 1):
        if (keep >> cap) & 1:
            continue
        if prctl(PR_CAPBSET_DROP, <unsigned long>cap, 0, 0, 0) < 0 and errno != EINVAL:
            return -1
    return 0


cdef int op_capset(uint64_t mask) noexcept nogil:
    cdef kk_cap_header hdr
    cdef kk_cap_data data[2]
    hdr.version = KK_CAP_V3
    hdr.pid = 0
    data[0].effective = <uint32_t>(mask & 0xffffffffu)
    data[0].permitted = data[0].effective
    data[0].inheritable = 0
    data[1].effective = <uint32_t>(mask >> 32)
    data[1].permitted = data[1].effective
    data[1].inheritable = 0
    return <int>syscall(SYS_capset, &hdr, data)


cdef int op_write_file(const COp *op) noexcept nogil:
    cdef int fd = open(op.a, O_WRONLY | O_CLOEXEC)
    cdef int rc, saved
    if fd < 0:
        return -1
    rc = write_all(fd, op.b, op.b_len)
    saved = errno
    close(fd)
    kk_set_errno(saved)
    return rc


cdef int op_exec(const COp *op, char *const *argv, char *const *envp) noexcept nogil:
    # execve, with execvp's PATH search when argv[0] has no '/'.
    cdef const char *name = argv[0]
    cdef const char *p
    cdef const char *start
    cdef size_t name_len = strlen(name), dir_len
    cdef char buf[4096]
    cdef int first_err = 0
    p = name
    while p[0] != 0:
        if p[0] == b'/':
            execve(name, argv, envp)
            return -1
        p += 1
    if name_len == 0:
        kk_set_errno(ENOENT)
        return -1
    p = op.a
    while True:
        start = p
        while p[0] != 0 and p[0] != b':':
            p += 1
        dir_len = <size_t>(p - start)
        if dir_len + name_len + 2 > sizeof(buf):
            kk_set_errno(ENAMETOOLONG)
            return -1
        if dir_len == 0:
            buf[0] = b'.'
            dir_len = 1
        else:
            memcpy(buf, start, dir_len)
        buf[dir_len] = b'/'
        memcpy(buf + dir_len + 1, name, name_len + 1)
        execve(buf, argv, envp)
        if errno != ENOENT and errno != ENOTDIR and first_err == 0:
            first_err = errno
        if p[0] == 0:
            break
        p += 1
    kk_set_errno(first_err if first_err != 0 else ENOENT)
    return -1


cdef int run_op(int index, const COp *op, char *const *argv, char *const *envp,
                int sync_r, int report_w) noexcept nogil:
    cdef int code = op.code
    cdef int rc
    if code == OP_WAIT:
        return op_wait(index, sync_r, report_w)
    if code == OP_MOUNT:
        return mount(op.a if op.a[0] else NULL, op.b, op.c if op.c[0] else NULL,
                     <unsigned long>op.flags, op.d if op.d[0] else NULL)
    if code == OP_UMOUNT2:
        return umount2(op.a, <int>op.flags)
    if code == OP_MKDIR:
        rc = mkdir(op.a, <mode_t>op.arg)
        return 0 if rc < 0 and errno == EEXIST else rc
    if code == OP_MKNOD:
        return op_mknod(op)
    if code == OP_SYMLINK:
        rc = symlink(op.a, op.b)
        return 0 if rc < 0 and errno == EEXIST else rc
    if code == OP_TOUCH:
        return op_touch(op.a)
    if code == OP_CHDIR:
        return chdir(op.a)
    if code == OP_PIVOT_ROOT:
        return <int>syscall(SYS_pivot_root, op.a, op.b)
    if code == OP_CHROOT:
        return chroot(op.a)
    if code == OP_SETNS:
        return setns(<int>op.arg, <int>op.flags)
    if code == OP_UNSHARE:
        return unshare(<int>op.flags)
    if code == OP_SETHOSTNAME:
        return sethostname(op.a, op.a_len)
    if code == OP_SETDOMAINNAME:
        return setdomainname(op.a, op.a_len)
    if code == OP_LO_UP:
        return op_lo_up()
    if code == OP_MASK:
        return op_mask(op.a)
    if code == OP_READONLY:
        return op_readonly(op.a)
    if code == OP_PRCTL:
        return prctl(<int>op.arg, <unsigned long>op.flags, 0, 0, 0)
    if code == OP_DROP_BOUNDING:
        return op_drop_bounding(op.flags, op.arg)
    # Raw system calls, not glibc's wrappers: those broadcast the change to
    # every thread glibc believes the process has (the parent's, copied by a
    # raw clone that glibc never saw) and wait on a futex for threads that do
    # not exist in the child -- a child cloned from a multi-threaded caller
    # (the server's agent, an exec from an HTTP thread) hung there for ever.
    if code == OP_SETGROUPS:
        return <int>syscall(SYS_setgroups, <size_t>(op.a_len // sizeof(gid_t)), <const gid_t *>op.a)
    if code == OP_SETRESGID:
        return <int>syscall(SYS_setresgid, <gid_t>op.arg, <gid_t>op.arg, <gid_t>op.arg)
    if code == OP_SETRESUID:
        return <int>syscall(SYS_setresuid, <uid_t>op.arg, <uid_t>op.arg, <uid_t>op.arg)
    if code == OP_CAPSET:
        return op_capset(op.flags)
    if code == OP_WRITE_FILE:
        return op_write_file(op)
    if code == OP_CLOEXEC_FROM:
        return <int>syscall(SYS_close_range, <unsigned int>op.arg, <unsigned int>0xffffffffu, CLOSE_RANGE_CLOEXEC)
    if code == OP_DUP2:
        return dup2(<int>op.arg, <int>op.flags)
    if code == OP_SETSID:
        return 0 if setsid() >= 0 else -1
    if code == OP_EXEC:
        return op_exec(op, argv, envp)
    if code == OP_CLOSE_FROM:
        return <int>syscall(SYS_close_range, <unsigned int>op.arg, <unsigned int>0xffffffffu, 0)
    if code == OP_SETCTTY:
        return ioctl(<int>op.arg, KK_TIOCSCTTY, 0)
    if code == OP_PAUSE:
        while True:
            pause()
    kk_set_errno(EINVAL)
    return -1


cdef void run_child(const COp *ops, int n, char *const *argv, char *const *envp,
                    int sync_r, int report_w) noexcept nogil:
    cdef int i, err
    cdef sigset_t none
    # Handlers installed by the parent (Python's among them) must not run
    # here, and SIG_IGN (Python ignores SIGPIPE) must not leak into the payload.
    for i in range(1, NSIG):
        c_signal(i, SIG_DFL)
    sigemptyset(&none)
    pthread_sigmask(SIG_SETMASK, &none, NULL)
    for i in range(n):
        if run_op(i, &ops[i], argv, envp, sync_r, report_w) < 0:
            err = errno
            if ops[i].ignore_errno != 0 and err == ops[i].ignore_errno:
                continue
            report(report_w, i, err)
            _exit(127)
    # A program that ends without EXEC or PAUSE just exits.
    _exit(0)


# --------------------------------------------------------------- parent side

cdef class _CProgram:
    """The C image of a Program; its buffers live until the object dies."""

    cdef COp *ops
    cdef int n
    cdef char **argv
    cdef char **envp
    cdef list keep

    def __cinit__(self, program):
        cdef int i
        cdef bytes s
        ops = program.ops
        self.keep = []
        self.n = len(ops)
        self.ops = <COp *>malloc(max(self.n, 1) * sizeof(COp))
        self.argv = <char **>malloc((len(program.argv) + 1) * sizeof(char *))
        self.envp = <char **>malloc((len(program.envp) + 1) * sizeof(char *))
        if self.ops == NULL or self.argv == NULL or self.envp == NULL:
            raise MemoryError()
        for i, op in enumerate(ops):
            self.ops[i].code = int(op.code)
            # SETGROUPS carries a binary gid array, WRITE_FILE binary content.
            self.ops[i].a = self._c(op.a, op.code == Code.SETGROUPS)
            self.ops[i].b = self._c(op.b, op.code == Code.WRITE_FILE)
            self.ops[i].c = self._c(op.c)
            self.ops[i].d = self._c(op.d)
            self.ops[i].a_len = len(op.a)
            self.ops[i].b_len = len(op.b)
            self.ops[i].flags = <uint64_t>op.flags
            self.ops[i].arg = op.arg
            self.ops[i].ignore_errno = op.ignore_errno
        for i, s in enumerate(program.argv):
            self.argv[i] = <char *>self._c(s)
        self.argv[len(program.argv)] = NULL
        for i, s in enumerate(program.envp):
            self.envp[i] = <char *>self._c(s)
        self.envp[len(program.envp)] = NULL

    cdef const char *_c(self, bytes s, bint binary=False):
        if not binary and b"\0" in s:
            raise ValueError(f"embedded NUL byte in {s!r}")
        self.keep.append(s)
        return <const char *>s

    def __dealloc__(self):
        free(self.ops)
        free(self.argv)
        free(self.envp)


cdef int _pipe(int fds[2]) except -1:
    if pipe2(fds, O_CLOEXEC) < 0:
        err = errno
        raise OSError(err, os.strerror(err), "pipe2")
    return 0


def spawn(program, unsigned long long clone_flags, int cgroup_fd=-1):
    """Clone a child that runs ``program``; returns
    ``(pid, pidfd, sync_w, report_r, into_cgroup)``.

    ``cgroup_fd`` (a cgroup v2 directory) places the child in that cgroup at
    birth with clone3's CLONE_INTO_CGROUP, so no ``cgroup.procs`` write (and
    no RCU grace period) is needed.  ``into_cgroup`` says whether that
    happened; it is False on the legacy clone fallback.
    """
    if program.argv == () and any(op.code == Code.EXEC for op in program.ops):
        raise ValueError("EXEC needs a non-empty argv")
    cdef _CProgram prog = _CProgram(program)
    cdef int sync_fds[2]
    cdef int report_fds[2]
    cdef kk_clone_args args
    cdef sigset_t all_signals, old_mask
    cdef int pidfd = -1
    cdef long pid
    cdef int err = 0
    cdef bint legacy = force_legacy_clone
    cdef bint into = cgroup_fd >= 0
    _pipe(sync_fds)
    try:
        _pipe(report_fds)
    except OSError:
        close(sync_fds[0])
        close(sync_fds[1])
        raise
    memset(&args, 0, sizeof(args))
    args.flags = clone_flags | CLONE_PIDFD
    if into:
        args.flags |= CLONE_INTO_CGROUP
        args.cgroup = <uint64_t>cgroup_fd
    args.pidfd = <uint64_t>&pidfd
    args.exit_signal = SIGCHLD
    sigfillset(&all_signals)
    pthread_sigmask(SIG_SETMASK, &all_signals, &old_mask)
    if not legacy:
        pid = syscall(SYS_clone3, &args, sizeof(args))
        if pid < 0 and errno == ENOSYS:
            legacy = True
    if legacy:
        into = False
        pid = syscall(SYS_clone, <unsigned long>(clone_flags | SIGCHLD), 0, 0, 0, 0)
    if pid == 0:
        close(sync_fds[1])
        close(report_fds[0])
        run_child(prog.ops, prog.n, prog.argv, prog.envp, sync_fds[0], report_fds[1])
    err = errno
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL)
    close(sync_fds[0])
    close(report_fds[1])
    if pid < 0:
        close(sync_fds[1])
        close(report_fds[0])
        raise OSError(err, os.strerror(err), "clone3" if not legacy else "clone")
    if legacy:
        pidfd = <int>syscall(SYS_pidfd_open, <pid_t>pid, 0)
        if pidfd < 0:
            err = errno
            kill(<pid_t>pid, SIGKILL)
            close(sync_fds[1])
            close(report_fds[0])
            raise OSError(err, os.strerror(err), "pidfd_open")
    return int(pid), pidfd, sync_fds[1], report_fds[0], bool(into)
