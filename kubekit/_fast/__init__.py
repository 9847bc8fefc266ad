"""Cython kernels.  Nothing here is public API: use :mod:`kubekit`."""
