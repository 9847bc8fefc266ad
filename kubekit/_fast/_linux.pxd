# Linux system-call declarations for kubekit's runtime kernels (_sys, _spawn,
# _cgstats), in one place.  Only what those modules use is declared.
from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t

cdef extern from "<sys/types.h>" nogil:
    ctypedef int pid_t
    ctypedef unsigned int uid_t
    ctypedef unsigned int gid_t
    ctypedef unsigned int mode_t
    ctypedef unsigned long dev_t
    ctypedef long ssize_t
    ctypedef long off_t

cdef extern from "<errno.h>" nogil:
    int errno
    enum:
        EINTR
        EAGAIN
        ENOENT
        EEXIST
        EINVAL
        ENOSYS
        EBUSY
        ECHILD
        EPERM
        ESRCH

cdef extern from "<string.h>" nogil:
    size_t strlen(const char *s)
    void *memcpy(void *dest, const void *src, size_t n)
    void *memset(void *s, int c, size_t n)

cdef extern from "<fcntl.h>" nogil:
    int open(const char *path, int flags, ...)
    int openat(int dirfd, const char *path, int flags, ...)
    enum:
        O_RDONLY
        O_WRONLY
        O_RDWR
        O_CREAT
        O_EXCL
        O_CLOEXEC
        O_DIRECTORY
        O_NOFOLLOW
        O_PATH
        O_NONBLOCK
        AT_FDCWD

cdef extern from "<unistd.h>" nogil:
    long syscall(long number, ...)
    void _exit(int status)
    ssize_t read(int fd, void *buf, size_t count)
    ssize_t write(int fd, const void *buf, size_t count)
    ssize_t pread(int fd, void *buf, size_t count, off_t offset)
    int close(int fd)
    int pipe2(int *fds, int flags)
    int dup2(int oldfd, int newfd)
    int chdir(const char *path)
    int fchdir(int fd)
    int chroot(const char *path)
    int execve(const char *path, char *const *argv, char *const *envp)
    pid_t setsid()
    pid_t getpid()
    int setresuid(uid_t r, uid_t e, uid_t s)
    int setresgid(gid_t r, gid_t e, gid_t s)
    int sethostname(const char *name, size_t len)
    int setdomainname(const char *name, size_t len)
    int symlink(const char *target, const char *linkpath)
    int access(const char *path, int mode)
    enum:
        X_OK

cdef extern from "<grp.h>" nogil:
    int setgroups(size_t size, const gid_t *list)

cdef extern from "<sys/stat.h>" nogil:
    cdef struct stat:
        mode_t st_mode
        dev_t st_rdev
        unsigned long st_ino
    int c_stat "stat"(const char *path, stat *buf)
    int lstat(const char *path, stat *buf)
    int mkdir(const char *path, mode_t mode)
    int mknod(const char *path, mode_t mode, dev_t dev)
    bint S_ISDIR(mode_t m)
    bint S_ISREG(mode_t m)
    bint S_ISLNK(mode_t m)
    enum:
        S_IFCHR
        S_IFDIR

cdef extern from "<sys/sysmacros.h>" nogil:
    dev_t makedev(unsigned int maj, unsigned int mi)

cdef extern from "<sched.h>" nogil:
    int unshare(int flags)
    int setns(int fd, int nstype)
    enum:
        CLONE_NEWNS
        CLONE_NEWCGROUP
        CLONE_NEWUTS
        CLONE_NEWIPC
        CLONE_NEWUSER
        CLONE_NEWPID
        CLONE_NEWNET
        CLONE_NEWTIME
        CLONE_PIDFD
        CLONE_VM
        CLONE_VFORK

cdef extern from "<sys/mount.h>" nogil:
    int mount(const char *source, const char *target, const char *fstype,
              unsigned long flags, const void *data)
    int umount2(const char *target, int flags)
    enum:
        MS_RDONLY
        MS_NOSUID
        MS_NODEV
        MS_NOEXEC
        MS_REMOUNT
        MS_BIND
        MS_MOVE
        MS_REC
        MS_PRIVATE
        MS_SLAVE
        MS_SHARED
        MS_STRICTATIME
        MS_RELATIME
        MNT_DETACH

cdef extern from "<sys/prctl.h>" nogil:
    int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)
    enum:
        PR_SET_NO_NEW_PRIVS
        PR_GET_NO_NEW_PRIVS
        PR_SET_PDEATHSIG
        PR_GET_PDEATHSIG
        PR_CAPBSET_DROP
        PR_CAPBSET_READ
        PR_SET_KEEPCAPS
        PR_CAP_AMBIENT
        PR_CAP_AMBIENT_RAISE
        PR_CAP_AMBIENT_CLEAR_ALL

cdef extern from "<signal.h>" nogil:
    ctypedef struct sigset_t:
        pass
    ctypedef struct siginfo_t:
        int si_signo
        int si_code
        int si_status
        pid_t si_pid
    int sigfillset(sigset_t *s)
    int sigemptyset(sigset_t *s)
    int pthread_sigmask(int how, const sigset_t *s, sigset_t *old)
    int kill(pid_t pid, int sig)
    enum:
        SIG_SETMASK
        SIGCHLD
        SIGKILL
        NSIG "_NSIG"
    ctypedef void (*sighandler_t)(int)
    sighandler_t c_signal "signal"(int sig, sighandler_t handler)
    sighandler_t SIG_DFL
    int pause()

cdef extern from "<sys/resource.h>" nogil:
    cdef struct timeval:
        long tv_sec
        long tv_usec
    cdef struct rusage:
        timeval ru_utime
        timeval ru_stime
        long ru_maxrss
        long ru_minflt
        long ru_majflt
        long ru_nvcsw
        long ru_nivcsw

cdef extern from "<sys/wait.h>" nogil:
    ctypedef int idtype_t
    pid_t wait4(pid_t pid, int *status, int options, rusage *ru)
    enum:
        WEXITED
        WNOHANG
        WNOWAIT
        P_PID
        CLD_EXITED
        CLD_KILLED
        CLD_DUMPED
    bint WIFEXITED(int status)
    bint WIFSIGNALED(int status)
    int WEXITSTATUS(int status)
    int WTERMSIG(int status)

cdef extern from "<sys/socket.h>" nogil:
    int socket(int domain, int type, int protocol)
    enum:
        AF_INET
        SOCK_DGRAM
        SOCK_CLOEXEC

cdef extern from "<sys/ioctl.h>" nogil:
    int ioctl(int fd, unsigned long request, ...)

cdef extern from "<net/if.h>" nogil:
    cdef struct ifreq:
        char ifr_name[16]
        short ifr_flags
    enum:
        IFF_UP
    enum:
        SIOCGIFFLAGS
        SIOCSIFFLAGS

cdef extern from "<sys/syscall.h>" nogil:
    enum:
        SYS_clone
        SYS_clone3
        SYS_pivot_root
        SYS_capset
        SYS_setresuid
        SYS_setresgid
        SYS_setgroups
        SYS_capget
        SYS_pidfd_open
        SYS_pidfd_send_signal
        SYS_close_range
        SYS_waitid

cdef extern from *:
    """
    #include <stdint.h>
    /* The kernel's struct clone_args (linux/sched.h, v2 layout with cgroup). */
    struct kk_clone_args {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
        uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
    };
    #ifndef CLONE_INTO_CGROUP
    #define CLONE_INTO_CGROUP 0x200000000ULL
    #endif
    #ifndef P_PIDFD
    #define P_PIDFD 3
    #endif
    /* linux/capability.h v3 */
    struct kk_cap_header { uint32_t version; int pid; };
    struct kk_cap_data { uint32_t effective, permitted, inheritable; };
    #define KK_CAP_V3 0x20080522
    """
    cdef struct kk_clone_args:
        uint64_t flags
        uint64_t pidfd
        uint64_t child_tid
        uint64_t parent_tid
        uint64_t exit_signal
        uint64_t stack
        uint64_t stack_size
        uint64_t tls
        uint64_t set_tid
        uint64_t set_tid_size
        uint64_t cgroup
    cdef struct kk_cap_header:
        uint32_t version
        int pid
    cdef struct kk_cap_data:
        uint32_t effective
        uint32_t permitted
        uint32_t inheritable
    unsigned long long CLONE_INTO_CGROUP
    int P_PIDFD
    uint32_t KK_CAP_V3

cdef extern from "Python.h":
    void PyOS_BeforeFork()
    void PyOS_AfterFork_Parent()
    void PyOS_AfterFork_Child()

# --- used by _spawn ---
cdef extern from "<sys/statvfs.h>" nogil:
    cdef struct statvfs_t "statvfs":
        unsigned long f_flag
    int c_statvfs "statvfs"(const char *path, statvfs_t *buf)
    enum:
        ST_RDONLY
        ST_NOSUID
        ST_NODEV
        ST_NOEXEC
        ST_NOATIME
        ST_NODIRATIME
        ST_RELATIME

cdef extern from "<sys/stat.h>" nogil:
    mode_t umask(mode_t mask)

cdef extern from "<errno.h>" nogil:
    enum:
        ECANCELED
        ENAMETOOLONG
        EACCES
        ENOTDIR

cdef extern from "<sys/mount.h>" nogil:
    enum:
        MS_NOATIME
        MS_NODIRATIME

cdef extern from *:
    """
    #ifndef CLOSE_RANGE_CLOEXEC
    #define CLOSE_RANGE_CLOEXEC (1U << 2)
    #endif
    """
    unsigned int CLOSE_RANGE_CLOEXEC

cdef extern from *:
    """
    #include <errno.h>
    #define kk_set_errno(e) (errno = (e))
    """
    void kk_set_errno(int e) nogil

# _cgstats: the file-system magic of a path (cgroup v1/v2/hybrid detection).
cdef extern from "<sys/vfs.h>" nogil:
    cdef struct kk_statfs "statfs":
        long f_type
    int kk_statfs_call "statfs"(const char *path, kk_statfs *buf)
