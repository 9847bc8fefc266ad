# Cython declarations for nodelifecycle.py (an "augmenting" .pxd, see
# kubekit/store/memory.pxd): the Lease handler's test is a C call.
from kubekit.controllers.nodelifecycle_rules cimport renewal_needs_look
