# Cython declarations for hpa_proposals.py (an "augmenting" .pxd, see
# kubekit/store/memory.pxd): the records kernel's constructor is a C call.
from kubekit._fast._records cimport new_slots
