"""Quantities as kubectl and the API write them: cpu in cores, memory in bytes."""

import pytest

from kubetui.render.quantity import parse_quantity


@pytest.mark.parametrize("text, value", [
    ("250m", 0.25), ("1", 1.0), ("1.5", 1.5), ("250000000n", 0.25), ("5u", 5e-6),
    ("128Mi", 128 * 2**20), ("64Ki", 64 * 1024), ("2Gi", 2 * 2**30), ("1Ti", 2**40),
    ("2G", 2e9), ("500M", 5e8), ("3k", 3000.0), ("1e3", 1000.0), (" 2Gi ", 2 * 2**30),
    (3, 3.0), (0.5, 0.5)])
def test_quantities(text, value):
    assert parse_quantity(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "5xi", "Mi", "1.2.3m"])
def test_what_is_not_a_quantity_is_a_value_error(text):
    with pytest.raises(ValueError):
        parse_quantity(text)
