# Cython declarations for event_correlator.py (an "augmenting" .pxd, see
# kubekit/store/memory.pxd): the caches and token buckets are extension
# types, and an event's keys are read from typed dicts.
cimport cython

from kubekit._fast._records cimport new_slots


cdef class _LRU:
    cdef public object size, _d

    cpdef object get(self, key)
    cpdef object add(self, key, value)


cdef class TokenBucket:
    cdef public object qps, burst, _tokens, _last

    cpdef bint try_accept(self, now) except -1


@cython.locals(src=dict, io=dict, spam=str)
cpdef tuple _keys(dict ev)
