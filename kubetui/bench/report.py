"""What every benchmark prints and writes: the machine, goal-beside-measurement lines,
and the JSON file. Sizes and durations are printed for people (humanize: `412.0 MiB`,
`1.23 seconds`, `456.7 milliseconds`); the JSON keeps the raw numbers under their keys
(`*_mb`, `*_s`, `*_ms`), which other tools read."""

from __future__ import annotations

import json
import os
import platform
from datetime import timedelta

from humanize import naturalsize, precisedelta

_NAME, _GOT, _GOAL = 34, 24, 22  # the columns of a goal line


def machine() -> str:
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}")


def goal_line(name: str, got: str, goal: str, ok: bool) -> None:
    print(f"  {name:<{_NAME}} {got:>{_GOT}}   goal {goal:<{_GOAL}} {'ok' if ok else 'MISSED'}")


def info_line(name: str, got: str, note: str = "") -> None:
    """A measurement with no goal (what it is compared with), in the goal lines' columns."""
    print(f"  {name:<{_NAME}} {got:>{_GOT}}   {note}".rstrip())


def mib(mb: float, digits: int = 1) -> str:
    """A size the benchmarks measure in MiB (RSS from /proc: pages * 2**20), for people."""
    return naturalsize(mb * 2**20, binary=True, format=f"%.{digits}f")


def kib(kb: float, digits: int = 2) -> str:
    return naturalsize(kb * 2**10, binary=True, format=f"%.{digits}f")


def mib_change(mb: float, digits: int = 2) -> str:
    """A signed change of size: `+1.25 MiB`, `-300.00 KiB`."""
    return ("-" if mb < 0 else "+") + mib(abs(mb), digits)


def seconds(s: float, digits: int = 2) -> str:
    """A duration for people: `456.7 milliseconds` under a second (`12.345 microseconds`
    under a millisecond), `1.23 seconds`, `1 minute and 15.30 seconds`."""
    if s < 0.001:
        unit = "microseconds"
    elif s < 1:
        unit = "milliseconds"
    else:
        unit = "seconds"
    return precisedelta(timedelta(seconds=s), minimum_unit=unit, format=f"%0.{digits}f")


def ms(value: float, digits: int = 1) -> str:
    """A duration measured in milliseconds, for people (see `seconds`)."""
    return seconds(value / 1000, digits)


def write_json(path: str | None, result: dict) -> None:
    if path:
        with open(path, "w") as fh:
            json.dump(result, fh, indent=2)
