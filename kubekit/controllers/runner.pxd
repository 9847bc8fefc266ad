# Cython declarations for runner.py (an "augmenting" .pxd, see
# kubekit/store/memory.pxd): in the release build Controller is an extension
# type, so controllers declared as extension types (hpa.pxd) keep their
# fields in C slots.  Its __dict__ lets any controller, compiled or not, set
# fields of its own.
cdef class Controller:
    cdef public object store, clock, queue, errors
    cdef public list informers
    cdef dict __dict__
    cdef object __weakref__
