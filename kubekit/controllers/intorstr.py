"""IntOrString resolution as apimachinery does it (``util/intstr``).

``GetScaledValueFromIntOrPercent``: an int is taken as is; a string must be
``"N%"`` and scales ``total`` by N/100, rounded up or down.  Error texts are
apimachinery's.
"""

from __future__ import annotations

import math
import re

from kubekit.controllers.errors import IntOrStringError

_ATOI = re.compile(r"[+-]?[0-9]+\Z")
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _go_atoi(text: str) -> int:
    """``strconv.Atoi`` on a 64-bit platform, with Go's error text."""
    if not _ATOI.match(text):
        raise IntOrStringError(f'strconv.Atoi: parsing "{text}": invalid syntax')
    value = int(text)
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise IntOrStringError(f'strconv.Atoi: parsing "{text}": value out of range')
    return value


def _int_or_percent(value: int | str) -> tuple[int, bool]:
    if isinstance(value, bool):
        raise IntOrStringError("invalid type: neither int nor percentage")
    if isinstance(value, int):
        return value, False
    if isinstance(value, str):
        if not value.endswith("%"):
            raise IntOrStringError("invalid type: string is not a percentage")
        try:
            return _go_atoi(value[:-1]), True
        except IntOrStringError as exc:
            raise IntOrStringError(f'invalid value "{value}": {exc}') from None
    raise IntOrStringError("invalid type: neither int nor percentage")


def scaled_value(value: int | str | None, total: int, round_up: bool) -> int:
    """``GetScaledValueFromIntOrPercent(value, total, roundUp)``.

    Raises :class:`IntOrStringError` with apimachinery's message, e.g.
    ``invalid value for IntOrString: invalid type: string is not a percentage``.
    """
    if value is None:
        raise IntOrStringError("nil value for IntOrString")
    try:
        number, is_percent = _int_or_percent(value)
    except IntOrStringError as exc:
        raise IntOrStringError(f"invalid value for IntOrString: {exc}") from None
    if is_percent:
        scaled = float(number) * float(total) / 100
        number = int(math.ceil(scaled) if round_up else math.floor(scaled))
    return number
