# Contract of the cgroup statistics kernel (kubekit/_fast/_cgstats.pyx).
#
# A StatFiles holds up to CGSTATS_MAX_FILES cgroup files open (O_RDONLY |
# O_CLOEXEC) and re-reads each with one pread at offset 0 into a private
# buffer; from every file it extracts its fields, each either the whole file
# as one integer (keylen 0: memory.current, cpuacct.usage) or the value of one
# ``key value`` line (memory.stat inactive_file, cpu.stat usage_usec), times
# an integer scale.  Nothing is allocated per line or per field.
#
# Value grammar (the plain-Python twin, kubekit/runtime/cgroups/stats.py,
# implements exactly the same): optional blanks (' ', '\t'), 1+ decimal
# digits, then the end of the data or a blank or '\n'.  Anything else, a
# value above INT64_MAX (also after scaling), a missing key, a missing file or
# a failed read gives CGSTATS_MISSING.  A key matches at the start of a line
# when it is followed by a blank; the first matching line decides.  Only the
# first CGSTATS_BUF_SIZE bytes of a file are seen.
from libc.stdint cimport int64_t

cdef enum:
    CGSTATS_BUF_SIZE = 65536
    CGSTATS_MAX_FILES = 16
    CGSTATS_MAX_FIELDS = 32
    CGSTATS_MAX_KEY = 63
    CGSTATS_MISSING = -1

cdef struct cgstat_field:
    int file            # index into the fds
    int64_t scale       # >= 1
    size_t keylen       # 0: the whole file is one integer
    char key[64]        # CGSTATS_MAX_KEY + 1

# The value at p (grammar above), or CGSTATS_MISSING.  end = one past the data.
cdef int64_t cgstat_parse_value(const char *p, const char *end) noexcept nogil
# The value of the first line of buf[0:n] that starts with key + blank.
cdef int64_t cgstat_parse_key(const char *buf, size_t n, const char *key, size_t keylen) noexcept nogil
# One pread per open file, then every field of that file into out[field].
cdef void cgstat_read(const int *fds, int nfiles, const cgstat_field *fields, int nfields,
                      char *buf, size_t bufsize, int64_t *out) noexcept nogil

cdef class StatFiles:
    cdef int fds[CGSTATS_MAX_FILES]          # -1: absent (ENOENT at open) or closed
    cdef int nfiles
    cdef cgstat_field fields[CGSTATS_MAX_FIELDS]
    cdef int nfields
    cdef int64_t out[CGSTATS_MAX_FIELDS]
    cdef char *buf                           # CGSTATS_BUF_SIZE bytes
    cdef readonly bint closed
    cpdef tuple read(self)
    cpdef void close(self) noexcept
