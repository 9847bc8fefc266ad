"""The records kernel: C constructors for NamedTuples (``tuple.__new__``)
and frozen slots dataclasses (``cls(*values)``).  The contract is in
``_records.pxd``; the plain-Python twins are ``kubekit.store.kv.new_tuple_py``
and ``kubekit.autoscaling.hpa_types.new_slots_py``, and
``tests/_fast/test_records.py`` compares each with its twin."""

import dataclasses

cdef extern from *:
    """
    #include "structmember.h"

    /* tuple_subtype_new of Objects/tupleobject.c for an exact tuple of
       items: the class's tp_alloc, the items copied in, the object tracked
       by the collector (tp_alloc = PyType_GenericAlloc tracks it already). */
    static PyObject *kk_tuple_fill(PyObject *cls, PyObject *items) {
        PyTypeObject *t = (PyTypeObject *)cls;
        Py_ssize_t i, n = PyTuple_GET_SIZE(items);
        PyObject *o = t->tp_alloc(t, n);
        if (o == NULL)
            return NULL;
        for (i = 0; i < n; i++) {
            PyObject *x = PyTuple_GET_ITEM(items, i);
            Py_INCREF(x);
            PyTuple_SET_ITEM(o, i, x);
        }
        if (!PyObject_GC_IsTracked(o))
            PyObject_GC_Track(o);
        return o;
    }

    /* The offset of a member slot (a T_OBJECT_EX member descriptor), or -1. */
    static Py_ssize_t kk_slot_offset(PyObject *descr) {
        PyMemberDef *m;
        if (!PyObject_TypeCheck(descr, &PyMemberDescr_Type))
            return -1;
        m = ((PyMemberDescrObject *)descr)->d_member;
        if (m->type != T_OBJECT_EX || (m->flags & READONLY))
            return -1;
        return m->offset;
    }

    /* object.__new__(cls) and a store into each slot, as the class's
       __init__ does through the slots' descriptors. */
    static PyObject *kk_slots_fill(PyObject *cls, const Py_ssize_t *off, PyObject *values) {
        PyTypeObject *t = (PyTypeObject *)cls;
        Py_ssize_t i, n = PyTuple_GET_SIZE(values);
        PyObject *o = t->tp_alloc(t, 0);
        if (o == NULL)
            return NULL;
        for (i = 0; i < n; i++) {
            PyObject *v = PyTuple_GET_ITEM(values, i);
            Py_INCREF(v);
            *(PyObject **)((char *)o + off[i]) = v;
        }
        if (PyType_IS_GC(t) && !PyObject_GC_IsTracked(o))
            PyObject_GC_Track(o);
        return o;
    }
    """
    object kk_tuple_fill(object cls, object items)
    Py_ssize_t kk_slot_offset(object descr)
    object kk_slots_fill(object cls, const Py_ssize_t *off, object values)


cdef set _accepted = set()      # classes tuple.__new__ took (subclasses of tuple, not tuple)


cpdef object new_tuple(type cls, object items):
    """``tuple.__new__(cls, items)`` (see ``_records.pxd``)."""
    if type(items) is tuple and cls in _accepted:
        return kk_tuple_fill(cls, items)
    out = tuple.__new__(cls, items)
    if cls is not tuple and type(items) is tuple:
        _accepted.add(cls)
    return out


cdef enum:
    _MAX_FIELDS = 16


cdef class _Layout:
    """The slot offsets of a checked class's fields, in field order."""
    cdef Py_ssize_t n
    cdef Py_ssize_t off[_MAX_FIELDS]


cdef dict _layouts = {}


cdef _Layout _layout_of(type cls):
    if not dataclasses.is_dataclass(cls) or "__slots__" not in cls.__dict__:
        raise TypeError(f"new_slots: {cls.__qualname__} is not a slots dataclass")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"new_slots: {cls.__qualname__} has a __post_init__")
    fields = dataclasses.fields(cls)
    if len(fields) > _MAX_FIELDS:
        raise TypeError(f"new_slots: {cls.__qualname__} has more than {_MAX_FIELDS} fields")
    cdef _Layout lay = _Layout.__new__(_Layout)
    cdef Py_ssize_t i, off
    for i, f in enumerate(fields):
        off = kk_slot_offset(cls.__dict__.get(f.name))
        if off < 0 or not f.init:
            raise TypeError(f"new_slots: {cls.__qualname__}.{f.name} is not a plain slot set by __init__")
        lay.off[i] = off
    lay.n = len(fields)
    _layouts[cls] = lay
    return lay


cpdef object new_slots(type cls, tuple values):
    """``cls(*values)`` for a frozen slots dataclass (see ``_records.pxd``)."""
    cdef _Layout lay = <_Layout>_layouts.get(cls)
    if lay is None:
        lay = _layout_of(cls)
    if len(values) != lay.n:
        raise TypeError(f"new_slots: {cls.__qualname__} takes {lay.n} values, got {len(values)}")
    return kk_slots_fill(cls, lay.off, values)
