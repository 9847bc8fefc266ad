# Contract of the records kernel (kubekit/_fast/_records.pyx): C
# constructors for the control plane's small immutable records, built many
# times a second on the store's write and watch paths and at every HPA sync.
# Called from Python, a class goes through the type call (argument tuples,
# __init__'s lookup and argument parsing, and for a frozen dataclass one
# setter call per field): about 900 instructions for a NamedTuple, 1,500 to
# 5,500 for the HPA's dataclasses.  These allocate with the class's tp_alloc
# and fill the object in.
#
# new_tuple(cls, items) is tuple.__new__(cls, items): the same object (type,
# items, garbage-collector tracking) and the same errors.  The first call for
# a class goes through tuple.__new__ itself (so a class it refuses raises its
# error); a class it accepted (a subclass of tuple, not tuple itself) is
# remembered, and later calls with an exact tuple of items allocate and copy
# the items in.  Any other call (tuple itself, items that are not an exact
# tuple) is tuple.__new__.  Twin: kubekit.store.kv.new_tuple_py.
#
# new_slots(cls, values) is cls(*values) for a frozen slots dataclass whose
# __init__ takes every field positionally, in field order, and only stores
# it (the HPA's ReplicaResult, MetricProposal, MetricInput,
# TimestampedRecommendation, HPAState, HPADecision).  The first call for a
# class checks it: a dataclass with slots, one member slot per field, no
# __post_init__, and as many values as fields; anything else is TypeError.
# Its slots' offsets are remembered, and every call allocates the object and
# stores the values in them (the collector tracks it, as object.__new__'s
# allocation does).  values must be an exact tuple.  Twin:
# kubekit.autoscaling.hpa_types.new_slots_py.

cpdef object new_tuple(type cls, object items)
cpdef object new_slots(type cls, tuple values)
