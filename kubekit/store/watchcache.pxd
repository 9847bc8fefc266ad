# Cython declarations for watchcache.py (an "augmenting" .pxd, see memory.pxd).
from kubekit.store.memory cimport has_prefix
