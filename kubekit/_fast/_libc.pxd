# All C declarations kubekit's kernels use, in one place.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint64_t

cdef extern from "<math.h>" nogil:
    double sqrt(double x)
    double fabs(double x)

cdef extern from *:
    """
    typedef __int128 kk_int128;
    typedef unsigned __int128 kk_uint128;
    """
    ctypedef long long kk_int128
    ctypedef unsigned long long kk_uint128
