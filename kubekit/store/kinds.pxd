# Cython declarations for kinds.py (an "augmenting" .pxd, see memory.pxd):
# the registry is an extension type, so the store's lookup of a kind (every
# request) is a C call.
cdef class Kinds:
    cdef public dict _by_name

    cpdef object register(self, kind)
    cpdef object get(self, name)
