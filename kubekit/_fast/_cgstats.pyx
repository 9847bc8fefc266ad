"""cgroup statistics kernel: keep a container's stat files open and re-read
them with pread, parsing integers and ``key value`` lines in C.

The contract (grammar, limits, error spec) is in ``_cgstats.pxd``; the
plain-Python twin is ``kubekit.runtime.cgroups.stats.PyStatFiles`` and the
tests compare the two on generated inputs.  Also here: ``statfs_magic``, the
file-system type of a path, which cgroup mode detection needs.
"""

from libc.errno cimport errno, EINTR, ENOENT
from libc.stdint cimport int64_t, INT64_MAX
from libc.stdlib cimport free, malloc
from libc.string cimport memchr, memcmp, memcpy

from kubekit._fast._linux cimport (
    O_CLOEXEC, O_RDONLY, close as c_close, kk_statfs, kk_statfs_call, open as c_open, pread, ssize_t,
)

import os

BUF_SIZE = CGSTATS_BUF_SIZE
MAX_FILES = CGSTATS_MAX_FILES
MAX_FIELDS = CGSTATS_MAX_FIELDS
MAX_KEY = CGSTATS_MAX_KEY


cdef enum:
    CH_TAB = 9
    CH_NL = 10
    CH_SPACE = 32
    CH_0 = 48
    CH_9 = 57


cdef inline bint _blank(char c) noexcept nogil:
    return c == CH_SPACE or c == CH_TAB


cdef int64_t cgstat_parse_value(const char *p, const char *end) noexcept nogil:
    cdef int64_t v = 0
    cdef int d
    cdef const char *start
    while p < end and _blank(p[0]):
        p += 1
    start = p
    while p < end and CH_0 <= p[0] <= CH_9:
        d = p[0] - CH_0
        if v > (INT64_MAX - d) // 10:
            return CGSTATS_MISSING
        v = v * 10 + d
        p += 1
    if p == start:
        return CGSTATS_MISSING
    if p < end and not (_blank(p[0]) or p[0] == CH_NL):
        return CGSTATS_MISSING
    return v


cdef int64_t cgstat_parse_key(const char *buf, size_t n, const char *key, size_t keylen) noexcept nogil:
    cdef const char *line = buf
    cdef const char *end = buf + n
    cdef const char *nl
    while True:
        if <size_t>(end - line) > keylen and memcmp(line, key, keylen) == 0 and _blank(line[keylen]):
            return cgstat_parse_value(line + keylen + 1, end)
        nl = <const char *>memchr(line, CH_NL, <size_t>(end - line))
        if nl == NULL:
            return CGSTATS_MISSING
        line = nl + 1


cdef void cgstat_read(const int *fds, int nfiles, const cgstat_field *fields, int nfields,
                      char *buf, size_t bufsize, int64_t *out) noexcept nogil:
    cdef int f, i
    cdef ssize_t n
    cdef int64_t v
    for f in range(nfiles):
        n = -1
        if fds[f] >= 0:
            while True:
                n = pread(fds[f], buf, bufsize, 0)
                if n >= 0 or errno != EINTR:
                    break
        for i in range(nfields):
            if fields[i].file != f:
                continue
            if n < 0:
                out[i] = CGSTATS_MISSING
                continue
            if fields[i].keylen == 0:
                v = cgstat_parse_value(buf, buf + n)
            else:
                v = cgstat_parse_key(buf, <size_t>n, fields[i].key, fields[i].keylen)
            if v != CGSTATS_MISSING and fields[i].scale != 1:
                v = CGSTATS_MISSING if v > INT64_MAX // fields[i].scale else v * fields[i].scale
            out[i] = v


cdef class StatFiles:
    """``StatFiles(paths, fields)``: open ``paths`` (str, or None for a file
    the kernel cannot give) and describe ``fields`` as ``(file_index, key,
    scale)`` with ``key`` bytes (``b""`` = the whole file is one integer).
    ``read()`` returns one int or None per field.  A path that does not exist
    counts as absent; any other open error raises OSError."""

    def __cinit__(self):
        cdef int i
        for i in range(CGSTATS_MAX_FILES):
            self.fds[i] = -1
        self.nfiles = 0
        self.nfields = 0
        self.closed = True
        self.buf = NULL

    def __init__(self, paths, fields):
        cdef int fd, i
        cdef bytes key
        cdef bytes bpath
        self.close()                     # __init__ called again: start over
        paths = list(paths)
        fields = list(fields)
        if len(paths) > CGSTATS_MAX_FILES:
            raise ValueError(f"StatFiles: {len(paths)} files, at most {CGSTATS_MAX_FILES}")
        if len(fields) > CGSTATS_MAX_FIELDS:
            raise ValueError(f"StatFiles: {len(fields)} fields, at most {CGSTATS_MAX_FIELDS}")
        for i, (file, key, scale) in enumerate(fields):
            if not 0 <= file < len(paths):
                raise ValueError(f"StatFiles: field {i} names file {file}, expected 0..{len(paths) - 1}")
            if len(key) > CGSTATS_MAX_KEY or b" " in key or b"\t" in key or b"\n" in key:
                raise ValueError(f"StatFiles: bad key {key!r}: at most {CGSTATS_MAX_KEY} bytes, no blanks")
            if scale < 1:
                raise ValueError(f"StatFiles: scale {scale} of field {i}, expected >= 1")
            self.fields[i].file = file
            self.fields[i].scale = scale
            self.fields[i].keylen = len(key)
            memcpy(self.fields[i].key, <const char *>key, len(key))
            self.fields[i].key[len(key)] = 0
        self.nfields = len(fields)
        self.buf = <char *>malloc(CGSTATS_BUF_SIZE)
        if self.buf == NULL:
            raise MemoryError()
        self.closed = False
        for i, path in enumerate(paths):
            self.nfiles = i + 1
            if path is None:
                continue
            bpath = os.fsencode(path)
            fd = c_open(bpath, O_RDONLY | O_CLOEXEC)
            if fd < 0:
                err = errno
                if err == ENOENT:
                    continue
                self.close()
                raise OSError(err, os.strerror(err), path)
            self.fds[i] = fd
        self.nfiles = len(paths)

    cpdef tuple read(self):
        """One value per field: an int, or None when the kernel gave none."""
        cdef int i
        if self.closed:
            raise ValueError("StatFiles.read() on closed files")
        with nogil:
            cgstat_read(self.fds, self.nfiles, self.fields, self.nfields, self.buf, CGSTATS_BUF_SIZE, self.out)
        return tuple([None if self.out[i] == CGSTATS_MISSING else self.out[i] for i in range(self.nfields)])

    cpdef void close(self) noexcept:
        """Close every file (idempotent)."""
        cdef int i
        for i in range(CGSTATS_MAX_FILES):
            if self.fds[i] >= 0:
                c_close(self.fds[i])
                self.fds[i] = -1
        if self.buf != NULL:
            free(self.buf)
            self.buf = NULL
        self.closed = True

    def open_count(self):
        """How many of the files are open (absent ones are not)."""
        cdef int i, n = 0
        for i in range(CGSTATS_MAX_FILES):
            n += self.fds[i] >= 0
        return n

    def __dealloc__(self):
        self.close()


def parse_value(bytes data):
    """The integer ``data`` holds (whole-file fields), or None."""
    cdef const char *p = data
    cdef int64_t v = cgstat_parse_value(p, p + len(data))
    return None if v == CGSTATS_MISSING else v


def parse_key(bytes data, bytes key):
    """The value of the first ``key value`` line of ``data``, or None."""
    if not key or b" " in key or b"\t" in key or b"\n" in key:
        raise ValueError(f"bad key {key!r}: non-empty, no blanks")
    cdef const char *p = data
    cdef int64_t v = cgstat_parse_key(p, len(data), key, len(key))
    return None if v == CGSTATS_MISSING else v


def statfs_magic(path):
    """``statfs(path).f_type``: CGROUP2_SUPER_MAGIC, TMPFS_MAGIC ... (OSError on failure)."""
    cdef kk_statfs st
    cdef bytes bpath = os.fsencode(path)
    cdef const char *cpath = bpath
    cdef int rc, err = 0
    with nogil:
        rc = kk_statfs_call(cpath, &st)
        if rc < 0:
            err = errno
    if rc < 0:
        raise OSError(err, os.strerror(err), path)
    return <unsigned long>st.f_type
