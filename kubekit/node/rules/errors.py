"""Errors raised by the kubelet decision rules."""

from __future__ import annotations

from kubekit.errors import KubekitError


class NodeRulesError(KubekitError, ValueError):
    """An input to a kubelet decision rule is malformed (an unknown restart
    policy, a negative grace period, an unparsable eviction threshold...).
    The message names the offending input and what was expected."""
