# Cython declarations for simulated.py (an "augmenting" .pxd, see
# kubekit/store/memory.pxd): in the release build SimulatedFleet is an
# extension type, its fields in C slots.
cdef class SimulatedFleet:
    cdef public object store, clock, start_delay, renew_interval, usage_cpu_milli, usage_memory_bytes
    cdef public object usage_model, namespace_usage_model, pods, _seq, _next_renew
    cdef public dict nodes, _running, _running_by_ns, _leases, provisioning
    cdef public set stopped, _scheduled
    cdef public list _due
    cdef object __weakref__

    cpdef object _renew_lease(self, name, now)
