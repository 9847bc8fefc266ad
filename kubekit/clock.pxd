# Cython declarations for clock.py (an "augmenting" .pxd, see
# kubekit/store/memory.pxd): in the release build FakeClock is an extension
# type, its fields in C slots; every store write, lease check and work
# queue step reads it (about 100,000 reads per 420 simulated seconds of the
# 500-node hour).

cdef class FakeClock:
    cdef public object _lock, _wall, _mono, _timers, _seq
    cdef object __weakref__
