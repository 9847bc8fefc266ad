# Cython declarations for objects.py (an "augmenting" .pxd): in the release
# build these classes are extension types with their state in C slots (no
# dict lookup per field on the write path).  The .py stays the plain-Python
# twin the debug build tests.
cimport cython

from kubekit._fast._records cimport new_tuple
from kubekit.store.kinds cimport Kinds
from kubekit.store.kv cimport WatchBase
from kubekit.store.memory cimport MemoryKV
from kubekit.store.jsoncodec cimport dumps
from kubekit.store.meta cimport copy_mapping, prepare_status_update, prepare_update, resolve_namespace

cdef class _Filter:
    cdef public object kind, labels, fields
    cdef public bint everything


cdef class APIStore:
    cdef public object clock, kv
    cdef public Kinds kinds
    cdef public object _rng, _rng_lock, _caches_lock, _ttl_lock
    cdef public dict _caches, _ttl_leases, _seen
    cdef object __weakref__

    cpdef object _shared_at(self, kv)
    cpdef object _kind_of(self, obj)
    cpdef tuple _locate(self, obj)
    cpdef object _lease_for(self, kind)


cdef class ObjectWatch(WatchBase):
    cdef public object _w, _seen, _next, _match, _idle, _bookmark, _sent
    cdef public list _pending

    cpdef list _convert(self, events)


# the module's helpers on the write and watch paths: C calls from inside it
cpdef bytes _encode(obj)
@cython.locals(memory=MemoryKV)
cpdef object _put_if_mod(kv, key, mod_revision, value, lease)
@cython.locals(meta=dict)
cpdef tuple _located(Kinds kinds, dict obj)
cpdef dict _with_rv(dict raw, rev)
cpdef dict _without_rv(dict obj)
@cython.locals(nm=dict, om=dict)
cpdef bint _unchanged(dict new, dict old, bint old_has_rv) except -1
cpdef dict _decode(kv, rev=*)
cpdef object remember(dict seen, key, rev, obj)
cpdef object _shared_hit(tuple hit, rev, record)
cpdef object to_watch_event(tuple entry, _Filter match, dict seen=*)
