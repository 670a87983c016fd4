"""Benchmarks, run as `python -m kubetui.bench ...`; never part of the tests."""
