# Cython declarations for kv.py (an "augmenting" .pxd, see memory.pxd):
# WatchBase is an extension type, so the store's watches (KVWatch,
# CachedWatch, ObjectWatch) can be extension types too.
from kubekit._fast._records cimport new_tuple


cdef class WatchBase:
    pass
