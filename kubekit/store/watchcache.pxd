# Cython declarations for watchcache.py (an "augmenting" .pxd, see memory.pxd).
from kubekit.store.memory cimport has_prefix
from kubekit.store.kv cimport WatchBase


cdef class WatchCache:
    cdef public object kv, kind, capacity, _cond, _kvw, _next, _epoch_kv, start, _base, _examined, broken
    cdef public list _events, _revs
    cdef public dict _index
    cdef public bint _pumping
    cdef object __weakref__

    cpdef object _pump_nowait(self)
    cpdef object _fill(self, events)
    cpdef object _append(self, events)


cdef class CachedWatch(WatchBase):
    cdef public WatchCache _cache
    cdef public object _cursor, revision, _first, _prefix, _index, _direct, _idle_epoch
    cdef public bint _closed

    cpdef list _take(self)
