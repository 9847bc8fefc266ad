# Contract of the tuple kernel (kubekit/_fast/_tuples.pyx).
#
# new_tuple(cls, items) is tuple.__new__(cls, items): the same object (type,
# items, garbage-collector tracking) and the same errors, for the store's and
# the metrics source's NamedTuples (KeyValue, Compare, Put, TxnResult,
# WatchEvent, ResourceValue), built many times a second on the control
# plane's write and watch paths.  Called from Python, tuple.__new__ goes
# through the type call's argument tuple and tp_new_wrapper's checks, about
# 900 instructions; this is a C call that allocates and fills the object.
#
# The first call for a class goes through tuple.__new__ itself (so a class
# it refuses raises its error); a class it accepted (a subclass of tuple,
# not tuple itself) is remembered, and later calls with an exact tuple of
# items allocate with the class's tp_alloc and copy the items in.  Any other
# call (tuple itself, items that are not an exact tuple) is tuple.__new__.
# The plain-Python twin is kubekit.store.kv.new_tuple_py; the tests compare
# the two.

cpdef object new_tuple(type cls, object items)
