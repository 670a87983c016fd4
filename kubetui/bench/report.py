"""What every benchmark prints and writes: the machine, goal-beside-measurement lines,
and the JSON file."""

from __future__ import annotations

import json
import os
import platform


def machine() -> str:
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}")


def goal_line(name: str, got: str, goal: str, ok: bool) -> None:
    print(f"  {name:<34} {got:>18}   goal {goal:<18} {'ok' if ok else 'MISSED'}")


def write_json(path: str | None, result: dict) -> None:
    if path:
        with open(path, "w") as fh:
            json.dump(result, fh, indent=2)
