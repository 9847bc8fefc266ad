"""Kubernetes ``resource.Quantity`` with exact (never floating point) arithmetic.

This module mirrors ``k8s.io/apimachinery/pkg/api/resource`` (``quantity.go``,
``suffix.go``, ``amount.go``, ``math.go``, ``scale_int.go``) as of
kubernetes/apimachinery@357557a, including the later upstream fixes that change
observable results:

* ``ScaledValue``/``Value``/``MilliValue`` round negative values away from zero on
  every path (kubernetes/kubernetes#138510);
* ``String()`` of a ``DecimalSI`` value whose canonical exponent has no SI suffix
  (above ``E`` = 10^18, or below ``n``) falls back to exponent notation, e.g.
  ``1000E`` -> ``1e21`` (kubernetes/kubernetes#140459).

A quantity is held as ``unscaled * 10**exponent`` with Python integers, normalised so
that ``unscaled`` has no trailing decimal zeros.  Exponents are kept symbolic, so even
``1e2147483647`` parses, compares and prints without building a two-billion-digit
integer; only operations whose *exact* result needs more than ``MAX_MATERIALIZED_DIGITS``
digits (``value()`` of such a quantity, or adding two quantities whose exponents are
that far apart) raise :class:`OverflowError`.

Two Kubernetes behaviours that surprise people are reproduced on purpose:

* ``ParseQuantity`` keeps the input text as the ``String()`` form when its fast path
  considers the input canonical, so ``Quantity("1.441")`` prints ``1.441`` (not
  ``1441m``; kubernetes/kubernetes#138165, pinned by ``quantity_golden_test.go``) and
  ``Quantity("+1")`` prints ``+1``.  Any arithmetic result prints canonically.
* ``Add``/``Sub`` keep the format of the left operand unless it is zero, in which
  case the result takes the right operand's format.

Where kubekit deliberately differs from Go (int64 overflow, int32 exponent
wrap-around near +-2**31) is listed in ``docs/api-quantity.md``.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import NoReturn, Optional, Tuple

from kubekit.errors import QuantityError

__all__ = ["Quantity", "MAX_MATERIALIZED_DIGITS"]

DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"
_FORMATS = (DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT)

#: Operations whose exact result would need a power of ten with more digits than this
#: raise ``OverflowError`` instead of exhausting memory (Go either wraps an int64 or
#: spends minutes building the big integer; neither is useful to a scheduler).
MAX_MATERIALIZED_DIGITS = 100_000

# k8s error texts (quantity.go: ErrFormatWrong, ErrNumeric, ErrSuffix).
_SPLIT_RE = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
_ERR_FORMAT = "quantities must match the regular expression '" + _SPLIT_RE + "'"
_ERR_NUMERIC = "unable to parse numeric part of quantity"
_ERR_SUFFIX = "unable to parse quantity's suffix"

_DIGITS = "0123456789"
_SUFFIX_CHARS = "eEinumkKMGTP"

# suffix.go: decimal SI suffixes (base 10) and binary SI suffixes (base 2).
_DEC_SUFFIX_EXP = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DEC_EXP_SUFFIX = {e: s for s, e in _DEC_SUFFIX_EXP.items()}
_BIN_SUFFIX_EXP = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
# Suffix for 1024**k; k == 0 has no binary suffix, so the bare number is printed.
_BIN_POWER_SUFFIX = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")

_NANO = -9
_MAX_INT64 = (1 << 63) - 1
_MIN_INT64 = -(1 << 63)
_MAX_INT64_FACTORS = 18  # math.go maxInt64Factors: decimal digits handled by the int64 fast path

# Go's strings.TrimSpace trims unicode.IsSpace runes.
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

# CPython refuses int<->str conversions above 4300 digits by default; stay below it.
_STR_CHUNK = 4000


# --------------------------------------------------------------------------- integers


_POW10_SMALL = tuple(10**i for i in range(64))


def _pow10(n: int) -> int:
    """10**n for n >= 0 (callers bound n by the size of an existing integer)."""
    return _POW10_SMALL[n] if n < 64 else int(10**n)  # int(): int ** int is Any to mypy


def _pow10_checked(n: int, what: "Quantity") -> int:
    """10**n, refusing sizes that only a hostile input can ask for."""
    if n > MAX_MATERIALIZED_DIGITS:
        raise OverflowError(
            f"quantity {what!s} needs a {n}-digit intermediate value; "
            f"kubekit refuses more than {MAX_MATERIALIZED_DIGITS} digits"
        )
    return _pow10(n)


def _ndigits(n: int) -> int:
    """Number of decimal digits of n > 0, without a str() round trip."""
    # 0.301029995663 < log10(2), so this estimate never exceeds the true count.
    d = ((n.bit_length() - 1) * 301029995663) // 10**12 + 1
    while n >= _pow10(d):
        d += 1
    return d


def _v2(n: int) -> int:
    """Exponent of 2 in n != 0."""
    n = abs(n)
    return (n & -n).bit_length() - 1


def _strip_tens(u: int) -> Tuple[int, int]:
    """Return (u / 10**t, t) for the largest t such that 10**t divides u (u != 0)."""
    if u % 10:
        return u, 0
    if abs(u) < 10**20:
        t = 0
        while u % 10 == 0:
            u //= 10
            t += 1
        return u, t
    lo, hi = 1, _v2(u)  # 10**t | u implies 2**t | u
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if u % _pow10(mid) == 0:
            lo = mid
        else:
            hi = mid - 1
    return u // _pow10(lo), lo


def _normalize(u: int, e: int) -> Tuple[int, int]:
    if u == 0:
        return 0, 0
    u, t = _strip_tens(u)
    return u, e + t


def _digits_to_int(s: str) -> int:
    """int() of an ASCII digit string of any length."""
    if len(s) <= _STR_CHUNK:
        return int(s)
    half = len(s) // 2
    return _digits_to_int(s[:half]) * _pow10(len(s) - half) + _digits_to_int(s[half:])


def _int_to_digits(n: int) -> str:
    """str() of an integer of any size."""
    if n < 0:
        return "-" + _int_to_digits(-n)
    if n.bit_length() < 13000:  # < 3914 digits
        return str(n)
    half = _ndigits(n) // 2
    hi, lo = divmod(n, _pow10(half))
    return _int_to_digits(hi) + _int_to_digits(lo).zfill(half)


def _order(u: int, e: int) -> int:
    """k such that 10**(k-1) <= |u * 10**e| < 10**k, for u != 0."""
    return _ndigits(abs(u)) + e


def _cmp(u1: int, e1: int, u2: int, e2: int) -> int:
    """Compare u1*10**e1 with u2*10**e2 without materialising large powers."""
    s1 = (u1 > 0) - (u1 < 0)
    s2 = (u2 > 0) - (u2 < 0)
    if s1 != s2:
        return 1 if s1 > s2 else -1
    if s1 == 0:
        return 0
    o1, o2 = _order(u1, e1), _order(u2, e2)
    if o1 != o2:
        return s1 if o1 > o2 else -s1
    # Same order of magnitude: the exponent gap is bounded by the mantissa sizes.
    if e1 >= e2:
        a, b = u1 * _pow10(e1 - e2), u2
    else:
        a, b = u1, u2 * _pow10(e2 - e1)
    return (a > b) - (a < b)


def _div_pow10_away(u: int, k: int) -> int:
    """u / 10**k rounded away from zero, for k > 0 (Go: negativeScaleInt64 / inf.RoundUp)."""
    if u == 0:
        return 0
    mag = abs(u)
    if k >= _ndigits(mag):  # 0 < |u / 10**k| < 1
        q = 1
    else:
        q, r = divmod(mag, _pow10(k))
        if r:
            q += 1
    return q if u > 0 else -q


def _go_parse_int64(s: str) -> Optional[int]:
    """strconv.ParseInt(s, 10, 64); None where Go returns an error."""
    body = s[1:] if s[:1] in ("+", "-") else s
    if not body or any(c not in _DIGITS for c in body):
        return None
    value = _digits_to_int(body)
    if s[:1] == "-":
        value = -value
    if value < _MIN_INT64 or value > _MAX_INT64:
        return None
    return value


def _int32(v: int) -> int:
    """Go's int32(v) conversion: keep the low 32 bits, two's complement."""
    return ((v + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


# --------------------------------------------------------------------------- parsing


class _ParseFailure(Exception):
    """Internal: carries one of the three k8s error texts."""


def _scan(s: str) -> Tuple[bool, str, str, str, str, bool]:
    """quantity.go parseQuantityString, step for step.

    Returns ``(positive, value, num, denom, suffix, has_digits)``.  ``value`` is the
    signed number text that Go hands to ``inf.Dec.SetString`` on the slow path and
    ``has_digits`` tells whether that text contains a digit at all (``inf.Dec``
    rejects ``"."`` and ``"-."``).
    """
    positive = True
    pos = 0
    end = len(s)
    if pos < end:
        if s[0] == "-":
            positive = False
            pos += 1
        elif s[0] == "+":
            pos += 1

    # strip leading zeros; if the input is all zeros it is 0
    stripped = pos
    while True:
        if pos >= end:
            return positive, "0", "0", "", "", True
        if s[pos] != "0":
            break
        pos += 1
    zeros = pos > stripped

    # numerator
    i = pos
    while i < end and s[i] in _DIGITS:
        i += 1
    num = s[pos:i]
    if i >= end:
        return positive, s, num or "0", "", "", True
    pos = i
    has_digits = zeros or bool(num)
    if not num:
        num = "0"

    denom = ""
    if s[pos] == ".":
        pos += 1
        i = pos
        while i < end and s[i] in _DIGITS:
            i += 1
        denom = s[pos:i]
        has_digits = has_digits or bool(denom)
        if i >= end:
            return positive, s, num, denom, "", has_digits
        pos = i
    value = s[:pos]

    # suffix: letters from the suffix alphabet, an optional sign, then digits
    suffix_start = pos
    i = pos
    while i < end and s[i] in _SUFFIX_CHARS:
        i += 1
    if i >= end:
        return positive, value, num, denom, s[suffix_start:], has_digits
    pos = i
    if s[pos] in "+-":
        pos += 1
    i = pos
    while i < end and s[i] in _DIGITS:
        i += 1
    if i >= end:
        return positive, value, num, denom, s[suffix_start:], has_digits
    # a character that is neither a suffix letter, a sign nor a digit
    raise _ParseFailure(_ERR_FORMAT)


def _interpret(suffix: str) -> Tuple[int, int, str]:
    """suffix.go interpret: ``(base, exponent, format)`` or a suffix error."""
    if suffix in _DEC_SUFFIX_EXP:
        return 10, _DEC_SUFFIX_EXP[suffix], DECIMAL_SI
    if suffix in _BIN_SUFFIX_EXP:
        return 2, _BIN_SUFFIX_EXP[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        parsed = _go_parse_int64(suffix[1:])
        if parsed is None:
            raise _ParseFailure(_ERR_SUFFIX)
        return 10, _int32(parsed), DECIMAL_EXPONENT
    raise _ParseFailure(_ERR_SUFFIX)


def _parse(s: str) -> "Quantity":
    """quantity.go ParseQuantity."""
    if not s:
        raise _ParseFailure(_ERR_FORMAT)
    if s == "0":
        return Quantity._make(0, 0, DECIMAL_SI, cache="0", cache_scale=0)

    positive, _value, num, denom, suf, has_digits = _scan(s)
    base, exponent, fmt = _interpret(suf)

    # The int64 fast path.  Its result equals the slow path's; what it adds is the
    # cached String() form when the input already "looks canonical".
    if fmt == BINARY_SI:
        scale = 0
        if exponent >= 0 and not denom:
            mantissa = 1 << exponent
            precision = 15 - len(num) - (exponent * 3) // 10 - 1
        else:
            mantissa, precision = 1, -1
    else:
        scale = exponent
        mantissa = 1
        precision = _MAX_INT64_FACTORS - (len(num) + len(denom))
    if precision >= 0:
        scale -= len(denom)
        if scale >= _NANO:
            shifted = num + denom
            digits = int(shifted)
            result = digits * mantissa
            if result <= _MAX_INT64:  # int64Multiply succeeded
                if not positive:
                    result = -result
                cached = None
                if fmt == BINARY_SI:
                    if exponent % 10 == 0 and digits & 0x07 != 0:
                        cached = s
                elif scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0":
                    cached = s
                u, e = _normalize(result, scale)
                return Quantity._make(u, e, fmt, cache=cached, cache_scale=scale if cached else None)

    # The inf.Dec slow path.
    if not has_digits:
        raise _ParseFailure(_ERR_NUMERIC)
    unscaled = _digits_to_int(num + denom)
    if base == 10:
        e = exponent - len(denom)
        if unscaled and e < _NANO:
            # Round the magnitude up to 1n ("if you want some resources, you should
            # get some resources").
            unscaled, e = _div_pow10_away(unscaled, _NANO - e), _NANO
    else:
        unscaled <<= exponent
        e = -len(denom)
        if unscaled and e < _NANO:
            unscaled, e = _div_pow10_away(unscaled, _NANO - e), _NANO
        if fmt == BINARY_SI and _cmp(unscaled, e, _MAX_INT64, 0) > 0:
            unscaled, e = _MAX_INT64, 0  # BinarySI is silently capped at 2**63-1
        if fmt == BINARY_SI and unscaled and _cmp(unscaled, e, 1, 0) < 0:
            fmt = DECIMAL_SI  # a BinarySI value in (0, 1) is stored as DecimalSI
    if not positive:
        unscaled = -unscaled
    u, e = _normalize(unscaled, e)
    return Quantity._make(u, e, fmt)


# --------------------------------------------------------------------------- String()


def _canonical(u: int, e: int, fmt: str) -> str:
    """quantity.go CanonicalizeBytes for the normalised value ``u * 10**e``."""
    if u == 0:
        return "0"
    if fmt == BINARY_SI:
        if _cmp(abs(u), e, 1024, 0) < 0:
            fmt = DECIMAL_SI  # |v| < 1024: "avoids rounding and hopefully confusion"
        elif e < 0:
            fmt = DECIMAL_SI  # not an integer: "don't lose precision"
        else:
            k = (_v2(u) + e) // 10  # largest k with 1024**k | u*10**e
            if k < len(_BIN_POWER_SUFFIX):
                # here v2(u) + e < 70, so 10**e is small
                n = u * _pow10(e)
                m = abs(n) >> (10 * k)
                return _int_to_digits(m if n > 0 else -m) + _BIN_POWER_SUFFIX[k]
            # No binary suffix beyond Ei: emit the exact base-10 form, as current
            # Kubernetes does for 2**70 (follow-up to kubernetes/kubernetes#140459).
            fmt = DECIMAL_SI
    # DecimalSI / DecimalExponent: integer mantissa, exponent the largest multiple
    # of 3 not above the normalised exponent.
    r = e % 3
    m = u * _pow10(r)
    x = e - r
    if fmt == DECIMAL_SI and x in _DEC_EXP_SUFFIX:
        suffix = _DEC_EXP_SUFFIX[x]
    else:
        # DecimalExponent, and DecimalSI beyond the suffix table (kubernetes#140459)
        suffix = "" if x == 0 else "e" + str(x)
    return _int_to_digits(m) + suffix


# --------------------------------------------------------------------------- manifests


def _go_trim_space(s: str) -> str:
    return s.strip(_GO_SPACE)


# --------------------------------------------------------------------------- Quantity


class Quantity:
    """An exact Kubernetes resource quantity (``resource.Quantity``).

    ``Quantity("1.5Gi")`` parses like ``resource.ParseQuantity``; ``Quantity(3)`` is
    the integer 3 in ``DecimalSI`` format (``NewQuantity(3, DecimalSI)``).  Instances
    are immutable and hashable; ``==``/``<`` compare numeric values (``Cmp``), so
    ``Quantity("1Ki") == Quantity("1024")`` although their formats differ.
    """

    DECIMAL_SI = DECIMAL_SI
    BINARY_SI = BINARY_SI
    DECIMAL_EXPONENT = DECIMAL_EXPONENT

    __slots__ = ("_u", "_e", "_format", "_s", "_s_scale")

    _u: int
    _e: int
    _format: str
    _s: Optional[str]
    _s_scale: Optional[int]

    def __init__(self, value: "str | int | Quantity") -> None:
        if isinstance(value, Quantity):
            src = value
        elif isinstance(value, str):
            src = Quantity.parse(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            src = Quantity._make(*_normalize(value, 0), DECIMAL_SI)
        else:
            raise TypeError(
                f"Quantity() takes a str, an int or a Quantity, not {type(value).__name__}"
                " (use Quantity.from_manifest for YAML/JSON scalars)"
            )
        _set = object.__setattr__
        _set(self, "_u", src._u)
        _set(self, "_e", src._e)
        _set(self, "_format", src._format)
        _set(self, "_s", src._s)
        _set(self, "_s_scale", src._s_scale)

    @classmethod
    def _make(
        cls,
        u: int,
        e: int,
        fmt: str,
        cache: Optional[str] = None,
        cache_scale: Optional[int] = None,
    ) -> "Quantity":
        """Build from an already normalised ``(u, e)``."""
        q = object.__new__(cls)
        _set = object.__setattr__
        _set(q, "_u", u)
        _set(q, "_e", e)
        _set(q, "_format", fmt)
        _set(q, "_s", cache)
        _set(q, "_s_scale", cache_scale)
        return q

    # ------------------------------------------------------------------ constructors

    @classmethod
    def parse(cls, s: str) -> "Quantity":
        """``resource.ParseQuantity``: parse *s* exactly as Kubernetes does.

        Raises :class:`~kubekit.errors.QuantityError` with Kubernetes' own reason,
        prefixed by the input, e.g. ``invalid quantity '12Qi': unable to parse
        quantity's suffix``.  Whitespace is not trimmed (``" 1"`` is invalid).
        """
        if not isinstance(s, str):
            raise TypeError(f"Quantity.parse() takes a str, not {type(s).__name__}")
        try:
            return _parse(s)
        except _ParseFailure as exc:
            raise QuantityError(f"invalid quantity {s!r}: {exc}") from None

    @classmethod
    def from_manifest(cls, v: object) -> "Quantity":
        """Decode a YAML/JSON scalar the way ``Quantity.UnmarshalJSON`` does.

        * ``str``: leading/trailing whitespace is trimmed (Go ``strings.TrimSpace``),
          then parsed;
        * ``int`` (any ``numbers.Integral``): its decimal digits are parsed (an
          unquoted JSON number);
        * ``float``: ``repr(v)`` is parsed (``0.5`` -> ``"0.5"``); NaN and infinities
          are rejected;
        * anything else (``bool``, ``None``, lists...) raises ``QuantityError``.
        """
        if isinstance(v, bool) or v is None:
            raise QuantityError(f"invalid quantity {v!r}: expected a string or a number")
        if isinstance(v, str):
            return cls.parse(_go_trim_space(v))
        if isinstance(v, numbers.Integral):
            return cls.parse(_int_to_digits(int(v)))
        if isinstance(v, float):
            if not math.isfinite(v):
                raise QuantityError(f"invalid quantity {v!r}: not a finite number")
            return cls.parse(repr(float(v)))  # float(): numpy scalars repr differently
        raise QuantityError(
            f"invalid quantity {v!r}: expected a string or a number, not {type(v).__name__}"
        )

    @classmethod
    def from_scaled(cls, value: int, scale: int = 0, format: str = DECIMAL_SI) -> "Quantity":
        """``value * 10**scale`` in *format*, exactly (``NewScaledQuantity``,
        ``NewMilliQuantity(v, f)`` is ``from_scaled(v, -3, f)``, ``NewQuantity(v, f)``
        is ``from_scaled(v, 0, f)``).  No rounding to 1n happens here: like the Go
        constructors, only parsing rounds."""
        for name, arg in (("value", value), ("scale", scale)):
            if not isinstance(arg, int) or isinstance(arg, bool):
                raise TypeError(f"from_scaled() {name} must be an int, not {type(arg).__name__}")
        if format not in _FORMATS:
            raise QuantityError(f"invalid quantity format {format!r}: expected one of {', '.join(_FORMATS)}")
        return cls._make(*_normalize(value, scale), format)

    # ------------------------------------------------------------------ accessors

    @property
    def format(self) -> str:
        """``DecimalSI``, ``BinarySI`` or ``DecimalExponent``."""
        return self._format

    def __str__(self) -> str:
        """``Quantity.String()``: the parse-cached input if any, else the canonical form."""
        if self._s is not None:
            return self._s
        return _canonical(self._u, self._e, self._format)

    def __repr__(self) -> str:
        return f"Quantity({str(self)!r})"

    def sign(self) -> int:
        """-1, 0 or 1."""
        return (self._u > 0) - (self._u < 0)

    def is_zero(self) -> bool:
        return self._u == 0

    def as_fraction(self) -> Fraction:
        """The exact numeric value."""
        if self._e >= 0:
            return Fraction(self._u * _pow10_checked(self._e, self))
        return Fraction(self._u, _pow10_checked(-self._e, self))

    def scaled_value(self, scale: int) -> int:
        """``ScaledValue(scale)``: ``q / 10**scale`` rounded away from zero.

        Unlike Go this never overflows: the exact integer is returned even outside
        the int64 range.
        """
        if not isinstance(scale, int) or isinstance(scale, bool):
            raise TypeError(f"scale must be an int, not {type(scale).__name__}")
        d = self._e - scale
        if d >= 0:
            return self._u * _pow10_checked(d, self) if self._u else 0
        return _div_pow10_away(self._u, -d)

    def value(self) -> int:
        """``Value()``: the value rounded away from zero to an integer (1500m -> 2)."""
        return self.scaled_value(0)

    def milli_value(self) -> int:
        """``MilliValue()``: ``q * 1000`` rounded away from zero (0.0005 -> 1)."""
        return self.scaled_value(-3)

    def round_up(self, scale: int) -> Tuple["Quantity", bool]:
        """``RoundUp(scale)``: round away from zero to a multiple of ``10**scale``.

        Returns the rounded quantity (same format) and whether no precision was lost.
        """
        if not isinstance(scale, int) or isinstance(scale, bool):
            raise TypeError(f"scale must be an int, not {type(scale).__name__}")
        if self._s_scale is not None and self._s_scale >= scale:
            # Go's int64 path returns early and keeps the cached string.
            return self, True
        if self._u == 0 or self._e >= scale:
            return Quantity._make(self._u, self._e, self._format), True
        q = _div_pow10_away(self._u, scale - self._e)
        u, e = _normalize(q, scale)
        return Quantity._make(u, e, self._format), (u, e) == (self._u, self._e)

    # ------------------------------------------------------------------ comparison

    def _cmp(self, other: "Quantity") -> int:
        return _cmp(self._u, self._e, other._u, other._e)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._u == other._u and self._e == other._e

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return not (self._u == other._u and self._e == other._e)

    def __lt__(self, other: "Quantity") -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._cmp(other) < 0

    def __le__(self, other: "Quantity") -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._cmp(other) <= 0

    def __gt__(self, other: "Quantity") -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._cmp(other) > 0

    def __ge__(self, other: "Quantity") -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._cmp(other) >= 0

    def __hash__(self) -> int:
        # (u, e) is normalised, so equal values hash equally whatever their format.
        return hash((self._u, self._e))

    # ------------------------------------------------------------------ arithmetic

    def _combine(self, other: "Quantity", sign: int) -> "Quantity":
        """Add (sign=1) or Sub (sign=-1), with Go's format rule."""
        fmt = other._format if self._u == 0 else self._format
        u1, e1, u2, e2 = self._u, self._e, sign * other._u, other._e
        if u2 == 0:
            return Quantity._make(u1, e1, fmt)
        if u1 == 0:
            return Quantity._make(u2, e2, fmt)
        if e1 >= e2:
            u = u1 * _pow10_checked(e1 - e2, self) + u2
            e = e2
        else:
            u = u1 + u2 * _pow10_checked(e2 - e1, other)
            e = e1
        return Quantity._make(*_normalize(u, e), fmt)

    def __add__(self, other: "Quantity") -> "Quantity":
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._combine(other, 1)

    def __radd__(self, other: object) -> "Quantity":
        # Lets sum() start from the int 0, like a zero Quantity receiver in Go.
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return Quantity._make(self._u, self._e, self._format)
        return NotImplemented

    def __sub__(self, other: "Quantity") -> "Quantity":
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._combine(other, -1)

    def __neg__(self) -> "Quantity":
        return Quantity._make(-self._u, self._e, self._format)

    def __pos__(self) -> "Quantity":
        return self

    # ------------------------------------------------------------------ immutability

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("Quantity is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("Quantity is immutable")

    def __copy__(self) -> "Quantity":
        return self

    def __deepcopy__(self, memo: object) -> "Quantity":
        return self

    def __reduce__(self) -> Tuple[object, Tuple[object, ...]]:
        return Quantity._make, (self._u, self._e, self._format, self._s, self._s_scale)
