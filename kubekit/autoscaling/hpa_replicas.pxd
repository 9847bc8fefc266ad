# Cython declarations for hpa_replicas.py (an "augmenting" .pxd, see
# kubekit/store/memory.pxd): the settled path's dicts are typed, so its loop
# over the pods reads them with direct dict calls.
cimport cython

from kubekit._fast._records cimport new_slots


@cython.locals(by_name=dict, every_young=bint, some_young=bint, counted=Py_ssize_t)
cpdef object _settled_resource_replicas(current_replicas, target_utilization, resource, pods, dict metrics, now,
                                        tolerances, container, cpu_initialization_period, pod_level_resources,
                                        timestamp)
