"""Server-side Table responses (`Accept: ...;as=Table;g=meta.k8s.io;v=v1`) with the
columns of the real server's printers (`kubetui.render.printers`), so `kubectl get`
prints real output."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, cast

from aiohttp import web

from kubetui.render.age import age
from kubetui.render.crd_columns import printer_columns
from kubetui.render.printers import AGE, NAME, TABLES, created

from .resources import Resource


def partial_metadata(obj: dict) -> dict:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": obj["metadata"]}


def table(res: Resource, objs: list[dict], meta: dict, include: str = "Metadata",
          with_columns: bool = True) -> dict:
    row_fn: Callable[[dict, float], list]
    if res.columns:
        columns, row_fn = printer_columns(res.columns)
    else:
        columns, row_fn = cast(tuple[list, Callable[[dict, float], list]], TABLES.get(
            res.kind, ([NAME, AGE], lambda o, now: [o["metadata"]["name"],
                                                    age(created(o), now)])))
    now = time.time()
    rows = []
    for o in objs:
        row: dict[str, Any] = {"cells": row_fn(o, now)}
        if include == "Object":
            row["object"] = o
        elif include != "None":
            row["object"] = partial_metadata(o)
        rows.append(row)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
            "columnDefinitions": columns if with_columns else [], "rows": rows}


def wants_table(request: web.Request) -> bool:
    accept = request.headers.get("Accept", "")
    first = accept.split(",")[0]
    return "as=Table" in first
