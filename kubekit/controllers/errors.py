"""Errors raised by the controller decision functions.

Every message names the bad input.  They derive from
:class:`kubekit.errors.KubekitError` and, being caused by bad input, from
:class:`ValueError` too.
"""

from __future__ import annotations

from kubekit.errors import KubekitError


class ControllerInputError(KubekitError, ValueError):
    """A manifest or value handed to a controller decision is malformed
    (a bad timestamp, a negative replica count, an unknown strategy type...)."""


class IntOrStringError(ControllerInputError):
    """An IntOrString (maxSurge / maxUnavailable) cannot be resolved.  The
    message is the one apimachinery's ``GetScaledValueFromIntOrPercent`` gives,
    e.g. ``invalid value for IntOrString: invalid type: string is not a percentage``."""
