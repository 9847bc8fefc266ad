# Cython declarations for meta.py (an "augmenting" .pxd, see memory.pxd):
# the locals an update builds are typed dict, so their reads and writes are
# direct dict calls rather than method lookups.
cimport cython


@cython.locals(d=dict)
cpdef dict copy_mapping(m)
@cython.locals(out=dict, meta=dict, old_meta=dict)
cpdef dict prepare_update(old, new, kind)
@cython.locals(out=dict, meta=dict)
cpdef dict prepare_status_update(old, new)


cpdef bint spec_changed(old, new) except -1
cpdef object resolve_namespace(kind, namespace)
