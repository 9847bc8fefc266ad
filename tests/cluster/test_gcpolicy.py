"""kubekit.gcpolicy: the collector's thresholds for a control plane, set
for the body of a ``with`` and restored after it."""

from __future__ import annotations

import gc

import pytest

from kubekit.gcpolicy import CONTROL_PLANE_THRESHOLDS, control_plane_gc


def test_sets_the_thresholds_and_restores_them():
    before = gc.get_threshold()
    with control_plane_gc() as previous:
        assert gc.get_threshold() == CONTROL_PLANE_THRESHOLDS
        assert previous == before
    assert gc.get_threshold() == before


def test_restores_after_an_exception_and_nests():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError):
        with control_plane_gc((5000, 5, 5)):
            with control_plane_gc((9000, 9, 9)):
                assert gc.get_threshold() == (9000, 9, 9)
            assert gc.get_threshold() == (5000, 5, 5)
            raise RuntimeError("boom")
    assert gc.get_threshold() == before


@pytest.mark.parametrize("bad", [(0, 10, 10), (700, 10), (700.0, 10, 10), (700, -1, 10)])
def test_refuses_thresholds_that_are_not_three_positive_integers(bad):
    before = gc.get_threshold()
    with pytest.raises(ValueError, match="three positive integers"):
        with control_plane_gc(bad):
            pass
    assert gc.get_threshold() == before
