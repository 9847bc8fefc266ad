"""The tuple kernel: ``tuple.__new__(cls, items)`` for NamedTuples, as a C
call.  The contract is in ``_tuples.pxd``; the plain-Python twin is
``kubekit.store.kv.new_tuple_py`` and ``tests/_fast/test_tuples.py`` compares
the two."""

cdef extern from *:
    """
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
    """
    object kk_tuple_fill(object cls, object items)


cdef set _accepted = set()      # classes tuple.__new__ took (subclasses of tuple, not tuple)


cpdef object new_tuple(type cls, object items):
    """``tuple.__new__(cls, items)`` (see ``_tuples.pxd``)."""
    if type(items) is tuple and cls in _accepted:
        return kk_tuple_fill(cls, items)
    out = tuple.__new__(cls, items)
    if cls is not tuple and type(items) is tuple:
        _accepted.add(cls)
    return out
