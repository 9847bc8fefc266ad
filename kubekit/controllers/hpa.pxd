# Cython declarations for hpa.py (an "augmenting" .pxd, see
# kubekit/store/memory.pxd): in the release build HPAController is an
# extension type, its fields in C slots.
from kubekit._fast._records cimport new_slots
from kubekit.controllers.runner cimport Controller


cdef class HPAController(Controller):
    cdef public object _subresources, _scale_from, metrics, sync_period, config, events, pods, hpas
    cdef public object rescales, decisions
    cdef public dict memory, _by_ns, _ns_changes, _selections, _infos, _specs, _scales, _parsed_selectors
    cdef public dict _hpa_selectors, _unchanged_status, _scale_kinds
    cdef public bint remember_unchanged_status
