"""Kubernetes resource quantities ("250m", "1.5", "128Mi", "2G") as numbers."""

from __future__ import annotations

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
            "P": 1e15, "E": 1e18}


def parse_quantity(value: object) -> float:
    """A quantity as a float (cpu in cores, memory in bytes). Raises ValueError."""
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    last = text[-1:]  # (one look at the suffix: a table of 10,000 pods parses 60,000)
    if last == "i":
        mult = _BINARY.get(text[-2:])
        if mult is not None:
            return float(text[:-2]) * mult
    elif last and not last.isdigit() and last in _DECIMAL:
        return float(text[:-1]) * _DECIMAL[last]
    return float(text)
