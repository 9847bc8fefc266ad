# Cython declarations for hpa_status.py (an "augmenting" .pxd, see
# kubekit/store/memory.pxd): a condition list and its entries are the
# caller's own lists and dicts, typed so they are read with direct calls.
cimport cython


@cython.locals(c=dict)
cpdef object _set_in(list out, cond, now)
