# Cython declarations for jsoncodec.py (an "augmenting" .pxd, see
# kubekit/store/memory.pxd): the store's encoder is a C call from the
# compiled modules that cimport it (objects.pxd), with no module attribute
# lookup per write.
cpdef bytes dumps(obj)
