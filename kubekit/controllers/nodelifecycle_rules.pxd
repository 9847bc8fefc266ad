# Cython declarations for nodelifecycle_rules.py (an "augmenting" .pxd, see
# kubekit/store/memory.pxd): the Lease renewal test, run for each of the
# 50 renewals a second of a 500-node cluster, reads the two objects (watch
# objects: dicts) with direct dict lookups.
cimport cython


cpdef bint renewal_needs_look(dict old, dict new) except -1
@cython.locals(spec=dict)
cpdef object _renew_time(dict lease)
