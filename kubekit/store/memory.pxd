# Cython declarations for memory.py (an "augmenting" .pxd): in the release
# build MemoryKV and KVWatch are extension types with their state in C slots,
# so the write path reads their fields without a dict lookup each, and the
# write path's helpers are C calls.  The .py stays the plain-Python twin the
# debug build tests.
from kubekit._fast._records cimport new_tuple
from kubekit.store.kv cimport WatchBase

cdef class MemoryKV:
    cdef public object _clock, _lock, _cond, _keys, _wal, _dir, _snapshotting, _history
    cdef public dict _data, _leases
    cdef public list _log, _log_revs, _lease_heap
    cdef public object _rev, _durable, _compact_rev, _watch_floor, _log_base, _watch_epoch, _next_lease
    cdef public object _snapshot_every, _records_since_snapshot
    cdef public bint _closed
    cdef object __weakref__

    cpdef object _compare_and_put(self, compare, put)
    cpdef object put_if_mod(self, key, mod_revision, value, lease=*)
    cpdef tuple _put_if(self, key, value, lease, compare, mod_revision)
    cpdef tuple _apply_put(self, key, value, lease, rev, prev)
    cpdef object _commit_locked(self, rev, events, changes, revoked)
    cpdef object _await_durable(self, seq, revision)
    cpdef object _expire_leases(self)
    cpdef object _check_open(self)


cpdef bint has_prefix(str key, str prefix)


cdef class KVWatch(WatchBase):
    cdef public MemoryKV _store
    cdef public object _key, _cursor, revision, _idle_epoch
    cdef public bint _prefix, _closed


# the module's helpers on the write path: C calls from inside it
cpdef object _kv(rec)
cpdef bint _compare(c, kv) except -1
cpdef bint _holds(c, kv) except -1
