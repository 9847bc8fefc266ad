# Cython declarations for metrics_source.py (an "augmenting" .pxd, see
# kubekit/store/memory.pxd): in the release build FleetMetrics (and its
# base) are extension types, their fields in C slots.
cimport cython

from kubekit._fast._records cimport new_tuple


cdef class _NoCustomMetrics:
    pass


cdef class FleetMetrics(_NoCustomMetrics):
    cdef public object fleet, window, _at, _changes
    cdef public dict _by_ns, _selected
    cdef object __weakref__

    cpdef dict _snapshot(self, namespace)
    @cython.locals(out=dict, usage=dict, memo=dict)
    cpdef dict resource_metrics(self, resource, namespace, selector, container=*)
