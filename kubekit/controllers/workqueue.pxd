# Cython declarations for workqueue.py (an "augmenting" .pxd, see
# kubekit/store/memory.pxd): in the release build the queue and the rate
# limiters are extension types, their fields in C slots, so the bookkeeping
# of every reconcile (take, forget, done, requeue) reads them without a dict
# lookup each and calls its own helpers directly.

cdef class ItemExponentialFailureRateLimiter:
    cdef public object base, max, _lock
    cdef public dict _failures
    cdef object __weakref__


cdef class ItemFastSlowRateLimiter:
    cdef public object fast, slow, max_fast, _lock
    cdef public dict _failures
    cdef object __weakref__


cdef class BucketRateLimiter:
    cdef public object qps, burst, clock, _tokens, _last, _lock
    cdef object __weakref__


cdef class MaxOfRateLimiter:
    cdef public tuple limiters
    cdef object __weakref__


cdef class WorkQueue:
    cdef public object clock, name, rate_limiter, _queue, _lock, _cond
    cdef public set _dirty, _processing
    cdef public list _waiting
    cdef public dict _due, _waiting_at
    cdef public Py_ssize_t _getters
    cdef public bint _shutting_down
    cdef object __weakref__

    cpdef object _add(self, key)
    cpdef object _wake(self)
    cpdef object _promote(self)
    cpdef object _take(self)
