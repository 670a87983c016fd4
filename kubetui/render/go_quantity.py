"""apimachinery's `resource.Quantity` as kubectl prints it: parsed (`ParseQuantity`: the
value exact, anything finer than a nano rounded up, the format from the suffix), summed
(`Add`: a zero sum takes the format of what is added to it) and printed in canonical
form (`String()`: 208Mi, 1536Mi, 1500m, 2, 100M, 0). Values are `decimal.Decimal`, never
floats, so a sum of 22 pods prints what kubectl prints.

Canonical form: DecimalSI and DecimalExponent print the smallest integer mantissa whose
exponent is a multiple of three (`1500m`, `12e3`); BinarySI prints powers of 1024 (`1Mi`,
`1025Ki`) unless the value is under 1024 or not a whole number, which print as
DecimalSI. One deliberate difference from Go: an exponent with no SI suffix (over
10^18, such as `1000E`) prints as `1e21`, where Go drops the suffix and prints `1`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal, InvalidOperation

DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT = "DecimalSI", "BinarySI", "DecimalExponent"
_EXACT = Context(prec=200)  # wide enough for any int64 value at any scale
_NANO = Decimal("1e-9")
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15,
            "E": 18}
_BINARY_SUFFIX = {v // 10: k for k, v in _BINARY.items()} | {0: ""}
_DECIMAL_SUFFIX = {v: k for k, v in _DECIMAL.items()}
_INT64_MIN = -(2**63)


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    format: str = DECIMAL_SI

    def __str__(self) -> str:
        return canonical(self)


ZERO = Quantity(Decimal(0), DECIMAL_SI)  # Go's Quantity{}: prints "0"


def parse(text: object) -> Quantity:
    """ParseQuantity. Raises ValueError for what is not a quantity."""
    s = str(text)
    i = 1 if s[:1] in "+-" else 0
    while i < len(s) and s[i].isdigit():
        i += 1
    if i < len(s) and s[i] == ".":
        i += 1
        while i < len(s) and s[i].isdigit():
            i += 1
    number, suffix = s[:i], s[i:]
    if number.lstrip("+-") in ("", "."):
        raise ValueError(f"quantities must match the regular expression: {s!r}")
    if suffix in _BINARY:
        base, exponent, fmt = 2, _BINARY[suffix], BINARY_SI
    elif suffix in _DECIMAL:
        base, exponent, fmt = 10, _DECIMAL[suffix], DECIMAL_SI
    elif len(suffix) > 1 and suffix[0] in "eE" and _is_int(suffix[1:]):
        base, exponent, fmt = 10, int(suffix[1:]), DECIMAL_EXPONENT
    else:
        raise ValueError(f"unable to parse quantity's suffix: {s!r}")
    try:
        mantissa = Decimal(number.rstrip(".") if number.endswith(".") else number)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {s!r}") from exc
    scale = _EXACT.power(Decimal(base), exponent) if exponent else Decimal(1)
    value = _EXACT.multiply(mantissa, scale)
    if value != value.quantize(_NANO, rounding=ROUND_FLOOR, context=_EXACT):
        away = ROUND_CEILING if value > 0 else ROUND_FLOOR  # up: away from zero
        value = value.quantize(_NANO, rounding=away, context=_EXACT)
    if fmt == BINARY_SI and 0 < abs(value) < 1:
        fmt = DECIMAL_SI
    return Quantity(value, fmt)


def _is_int(text: str) -> bool:
    body = text[1:] if text[:1] in "+-" else text
    return body.isdigit()


def add(q: Quantity, y: Quantity) -> Quantity:
    """q.Add(y): the sum, in q's format unless q is zero (then y's)."""
    fmt = y.format if q.value == 0 else q.format
    return Quantity(_EXACT.add(q.value, y.value), fmt)


def larger(q: Quantity, y: Quantity) -> Quantity:
    """What maxResourceList keeps: y only when it is greater (Cmp > 0)."""
    return y if y.value > q.value else q


def scaled(q: Quantity, scale: int) -> int:
    """ScaledValue: the value in units of 10^scale, rounded away from zero (MilliValue is
    scale -3, Value scale 0)."""
    v = _EXACT.multiply(q.value, Decimal(10) ** -scale)
    rounded = v.to_integral_value(rounding=ROUND_CEILING if v > 0 else ROUND_FLOOR)
    return int(rounded)


def milli(q: Quantity) -> int:
    return scaled(q, -3)


def whole(q: Quantity) -> int:
    return scaled(q, 0)


def percent(part: int, whole_: int) -> int:
    """kubectl's `int64(float64(part) / float64(whole) * 100)`, in float64 as Go does it;
    a division by zero (or anything past int64) is what Go on amd64 gives: int64's
    minimum."""
    try:
        fraction = float(part) / float(whole_) * 100
    except ZeroDivisionError:
        return _INT64_MIN
    if not math.isfinite(fraction) or not -(2**63) <= fraction < 2**63:
        return _INT64_MIN
    return int(fraction)


def canonical(q: Quantity) -> str:
    """String(): the canonical form (see the module's docstring)."""
    v = q.value
    if v == 0:
        return "0"
    fmt = q.format if q.format in (DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT) \
        else DECIMAL_EXPONENT
    if fmt == BINARY_SI and (-1024 < v < 1024 or v != v.to_integral_value()):
        fmt = DECIMAL_SI
    if fmt == BINARY_SI:
        n, times = int(v), 0
        while abs(n) >= 1024 and n % 1024 == 0:
            n, times = n // 1024, times + 1
        if times in _BINARY_SUFFIX:
            return f"{n}{_BINARY_SUFFIX[times]}"
        fmt = DECIMAL_SI  # past Ei: no binary suffix to print it with
    sign, digits, exponent = v.as_tuple()
    n = int("".join(map(str, digits)))
    e = int(exponent)
    while n % 10 == 0:
        n, e = n // 10, e + 1
    while e % 3:
        n, e = n * 10, e - 1
    text = f"{'-' if sign else ''}{n}"
    if fmt == DECIMAL_SI and e in _DECIMAL_SUFFIX:
        return text + _DECIMAL_SUFFIX[e]
    return text + (f"e{e}" if e else "")


__all__ = ["BINARY_SI", "DECIMAL_EXPONENT", "DECIMAL_SI", "Quantity", "ZERO", "add",
           "canonical", "larger", "milli", "parse", "percent", "scaled", "whole"]
