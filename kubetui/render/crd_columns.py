"""A custom resource's columns as the server prints them: its CRD's
additionalPrinterColumns, each value at its simple JSONPath (the sim's Table API)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .age import age
from .json_types import Obj
from .printers import NAME, col


def json_path(obj: object, path: str) -> Any:
    """The value at a CRD printer column's simple JSONPath (`.spec.replicas`,
    `.status.conditions[0].type`); None when absent."""
    cur = obj
    for part in path.strip().lstrip("$").strip(".").replace("]", "").split("."):
        name, _, index = part.partition("[")
        if name:
            cur = cur.get(name) if isinstance(cur, dict) else None
        if index and isinstance(cur, list):
            i = int(index) if index.lstrip("-").isdigit() else 0
            cur = cur[i] if -len(cur) <= i < len(cur) else None
        if cur is None:
            return None
    return cur


def printer_columns(defs: Sequence[Obj]) -> tuple[list[Obj], Callable[[Obj, float], list[Any]]]:
    """Columns and a row function for a CRD's additionalPrinterColumns (NAME first; a
    `date` column prints as an age, as the real server does)."""
    columns = [NAME] + [col(d["name"], d.get("type", "string"), d.get("priority", 0),
                            d.get("format", ""), d.get("description", "")) for d in defs]

    def row(o: Obj, now: float) -> list[Any]:
        cells = [o["metadata"]["name"]]
        for d in defs:
            value = json_path(o, d.get("jsonPath", ""))
            if d.get("type") == "date":
                value = age(value, now) if value else "<unknown>"
            cells.append("<none>" if value is None else value)
        return cells

    return columns, row
