"""apimachinery's Quantity as kubectl prints it (render/go_quantity): canonical forms from
Go's own rules and tests, sums in the first non-zero summand's format, and, for any
quantity, a printed form that reads back (render/quantity.parse_quantity, and parse
itself) as the same value in the same format family."""

from __future__ import annotations

from decimal import Context, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubetui.render.go_quantity import (
    BINARY_SI,
    DECIMAL_EXPONENT,
    DECIMAL_SI,
    ZERO,
    Quantity,
    add,
    canonical,
    milli,
    parse,
    percent,
    whole,
)
from kubetui.render.quantity import parse_quantity


@pytest.mark.parametrize("text, printed", [
    # apimachinery quantity_test.go's canonical forms
    ("0", "0"), ("0Ki", "0"), ("1", "1"), ("1.5", "1500m"), ("1500m", "1500m"),
    ("2000m", "2"), ("1000", "1k"), ("100M", "100M"), ("100m", "100m"), ("1n", "1n"),
    ("0.1n", "1n"), ("1.01n", "2n"), ("5u", "5u"), ("0.0001", "100u"),
    ("64Mi", "64Mi"), ("1024Ki", "1Mi"), ("1536Ki", "1536Ki"), ("0.5Gi", "512Mi"),
    ("1025Ki", "1025Ki"), ("1023", "1023"), ("1Ki", "1Ki"), ("1.5Ki", "1536"),
    ("0.0001Ki", "102400u"), ("51474912Ki", "51474912Ki"), ("8Gi", "8Gi"),
    ("12e3", "12e3"), ("1E3", "1e3"), ("1e6", "1e6"), ("1E", "1E"), ("1000E", "1e21"),
    ("-5m", "-5m"), ("+3", "3"), ("100.", "100")])
def test_canonical_form_is_gos(text, printed):
    assert canonical(parse(text)) == printed


@pytest.mark.parametrize("terms, printed", [
    (["32Mi", "64Mi", "16Mi", "32Mi", "64Mi"], "208Mi"),  # the real node's memory
    (["20m", "100m", "10m", "50m", "100m"], "280m"),
    (["1Gi", "512Mi"], "1536Mi"), (["100m", "1"], "1100m"), (["1", "1"], "2"),
    (["500m", "500m"], "1"), (["0", "64Mi"], "64Mi"),  # a zero sum takes the next format
    (["64Mi", "64M"], "128036Ki"), (["64M", "64Mi"], "131108864"),  # the first's format
    (["64Mi", "100M"], "167108864"),  # binary, but not a whole number of Ki
    (["1e3", "1"], "1001"), (["1e3", "1e3"], "2e3")])
def test_sums_print_as_kubectl_prints_them(terms, printed):
    total = ZERO
    for t in terms:
        total = add(total, parse(t))
    assert canonical(total) == printed


def test_milli_and_whole_values_round_up_and_percentages_truncate_as_go():
    assert milli(parse("1n")) == 1 and whole(parse("1n")) == 1
    assert milli(parse("-1n")) == -1
    assert milli(parse("1.5")) == 1500 and whole(parse("1.5")) == 2
    assert percent(280, 3800) == 7 and percent(999, 1000) == 99
    assert percent(1, 0) == -(2**63)  # float64 division by zero, as int64 on amd64


@pytest.mark.parametrize("text", ["", "abc", "5xi", "Mi", "1.2.3m", "1e", "1e3.5", "."])
def test_what_is_not_a_quantity_is_a_value_error(text):
    with pytest.raises(ValueError):
        parse(text)


_FORMATS = st.sampled_from([DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT])
# values a resource list holds: nano-granular, within int64 at milli scale
_VALUES = st.integers(min_value=-(10**18), max_value=10**18).map(
    lambda n: Decimal(n).scaleb(-9))
_WHOLE = st.integers(min_value=-(2**62), max_value=2**62).map(Decimal)


@given(value=st.one_of(_VALUES, _WHOLE), fmt=_FORMATS)
def test_a_printed_quantity_reads_back_as_the_same_value(value, fmt):
    q = Quantity(value, fmt)
    printed = canonical(q)
    back = parse(printed)
    assert back.value == value
    assert parse_quantity(printed) == pytest.approx(float(value), rel=1e-12, abs=1e-9)
    if fmt == DECIMAL_SI or value == 0:
        assert back.format == DECIMAL_SI
    elif fmt == BINARY_SI:  # binary when whole, past 1024 and with a Ki.. suffix to show it
        binary = abs(value) >= 1024 and value == value.to_integral_value() and \
            int(value) % 1024 == 0
        assert (back.format == BINARY_SI) == binary
    else:  # an exponent, unless it is 10^0
        assert back.format == (DECIMAL_EXPONENT if "e" in printed else DECIMAL_SI)
    if back.format == fmt:
        assert canonical(back) == printed  # canonical is a fixed point


@given(terms=st.lists(st.tuples(st.one_of(_VALUES, _WHOLE), _FORMATS), min_size=1,
                      max_size=25))
def test_a_sum_is_exact_and_in_the_first_non_zero_terms_format(terms):
    total = ZERO
    for value, fmt in terms:
        total = add(total, Quantity(value, fmt))
    with localcontext(Context(prec=200)):  # (the default 28 digits would round the sum)
        assert total.value == sum((v for v, _ in terms), Decimal(0))
    formats = [fmt for value, fmt in terms]
    # the format only changes while the running sum is zero
    running, fmt_now = Decimal(0), formats[0]
    for value, fmt in terms:
        if running == 0:
            fmt_now = fmt
        running += value
    assert total.format == fmt_now
    assert parse(canonical(total)).value == total.value
