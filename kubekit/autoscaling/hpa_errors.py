"""Errors of the HPA decision functions.

Each message is the text the Kubernetes HPA controller produces for the same
situation (``pkg/controller/podautoscaler``), so a decision can be compared
with upstream's by its error string as well as by its numbers.
"""

from __future__ import annotations

from kubekit.errors import KubekitError

__all__ = [
    "HPAError",
    "HPAInvalidMetricsError",
    "HPAMetricError",
    "HPASpecError",
]


class HPAError(KubekitError):
    """Base class of the errors raised by :mod:`kubekit.autoscaling`."""


class HPAMetricError(HPAError, ValueError):
    """A replica count could not be computed from one metric (no metrics, no
    request for a container, metrics that match no pod...).  The message is
    upstream's, e.g. ``missing request for cpu in container c1 of Pod p-0``.
    ``reason`` is the ``ScalingActive`` condition reason upstream sets when the
    error comes from a metric spec (``FailedGetResourceMetric``...), else ``""``."""

    def __init__(self, message: str, *, reason: str = "") -> None:
        self.reason = reason
        super().__init__(message)


class HPASpecError(HPAError, ValueError):
    """An HPA spec value is unusable (a target that is neither a value nor an
    average value, an unknown metric source type, a bad policy...).  The message
    names the field."""


class HPAInvalidMetricsError(HPAError):
    """Every metric failed, or some failed while the others would scale down:
    upstream then keeps the current scale.  ``invalid`` and ``total`` count the
    metrics; ``first`` is the first metric's error; ``reason`` is the condition
    reason upstream sets (``FailedGetResourceMetric``...)."""

    def __init__(self, invalid: int, total: int, first: HPAError, reason: str) -> None:
        self.invalid = invalid
        self.total = total
        self.first = first
        self.reason = reason
        super().__init__(
            f"invalid metrics ({invalid} invalid out of {total}), first error is: {first}"
        )
