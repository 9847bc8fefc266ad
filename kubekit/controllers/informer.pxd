# Cython declarations for informer.py (an "augmenting" .pxd, see
# kubekit/store/memory.pxd): in the release build an Informer is an
# extension type, its fields in C slots; an event's object and metadata are
# typed dict (they are: decoded JSON objects), read with direct calls.
cimport cython

cdef class Informer:
    cdef public object store, kind, namespace, label_selector, field_selector
    cdef public dict _cache, _by_ns
    cdef public list _on_add, _on_update, _on_delete
    cdef public object _watch, _watch_idle, _lock, resource_version
    cdef public bint _synced
    cdef public object relists
    cdef object __weakref__

    @cython.locals(m=dict)
    cpdef object _apply(self, kind, dict obj)
