# Cython declarations for hpa_behavior.py (an "augmenting" .pxd, see
# kubekit/store/memory.pxd): the stabilization scan compares a plain
# timestamp with the window bounds as C doubles (the same IEEE comparisons
# Python's floats make).
cimport cython

from kubekit._fast._records cimport new_slots


@cython.locals(up_lo=double, up_hi=double, down_lo=double, down_hi=double, tf=double, found_old=bint)
cpdef tuple stabilize_recommendation_with_behaviors(current_replicas, desired_replicas, scale_up_window_seconds,
                                                    scale_down_window_seconds, recommendations, now)
