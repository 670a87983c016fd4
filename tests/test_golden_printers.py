"""Printers against the real server: for every server-side Table captured from a real
Kubernetes v1.36.2 API server (fixtures/real-k8s/tables, cases), kubetui shows the
server's columns in the server's order (the `priority > 0` ones with -o wide) and, for
every object, the server's cells. Built-in kinds go through kubetui's own printers
(`render.printers.TABLES`, which the sim's Tables serve too, so their cells must equal
the server's, JSON types included); any other kind is shown from the server's Table
(`render.views.table_view`), and that is asserted, not skipped.

Cells that depend on "now" are compared at a moment inside the window in which every
AGE cell of the capture reads as the server printed it (real_k8s.Window)."""

from __future__ import annotations

import pytest
from real_k8s import ROOT, Window, load, table_files

from kubetui.kube.kinds import KINDS
from kubetui.kube.kinds import kind as kind_named
from kubetui.render.age import parse_time
from kubetui.render.printers import TABLES
from kubetui.render.views import cell_text, table_view, view

FILES = table_files()


def _resource(path, doc) -> tuple[str | None, str]:
    """(kind, API group) of a capture: from its objects, else from its file name."""
    if doc["rows"]:
        obj = doc["rows"][0]["object"]
        api = obj.get("apiVersion", "v1")
        return obj["kind"], api.split("/")[0] if "/" in api else ""
    try:
        k = kind_named(path.name.split(".")[0])
        return k.kind, k.group
    except KeyError:
        return None, ""


def built_in(kind: str | None, group: str) -> bool:
    """kubetui prints a kind itself when it is one of its built-in kinds (the browser
    screen sends every other kind through the server's Table API)."""
    return kind in KINDS and KINDS[kind].group == group


def window_of(kind: str, rows: list[dict], columns: list[str]) -> Window:
    """When the server printed these rows: from each object's creationTimestamp and its
    AGE cell; events have no AGE, so from an old-style event's firstTimestamp and its
    FIRST SEEN cell instead."""
    w = Window()
    for row in rows:
        obj, cells = row["object"], dict(zip(columns, row["cells"], strict=False))
        if "Age" in cells:
            w.narrow(obj["metadata"].get("creationTimestamp"), cells["Age"])
        elif kind == "Event" and obj.get("firstTimestamp"):
            w.narrow(obj["firstTimestamp"], cells["First Seen"])
    return w


def _ids(paths):
    return [p.name.removesuffix(".table-includeObject.json") for p in paths]


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_columns_are_the_servers_in_its_order(path):
    doc = load(path)
    kind, group = _resource(path, doc)
    server = [c["name"].upper() for c in doc["columnDefinitions"]]
    narrow_server = [c["name"].upper() for c in doc["columnDefinitions"] if not c["priority"]]
    if kind == "Event" and group == "events.k8s.io":
        # kubetui lists Events through core/v1 only; the same columns either way
        kind, group = "Event", ""
    if not built_in(kind, group):
        v = table_view(kind or "", doc["columnDefinitions"])  # the server-Table path
        assert v.headers(False, True) == tuple(server)
        assert v.headers(False, False) == tuple(narrow_server)
        return
    assert kind in TABLES, f"{kind} is built in but has no printer: it shows NAME, AGE only"
    shape = ("name", "type", "format", "priority")  # what the sim's Tables serve
    assert [{k: d[k] for k in shape} for d in TABLES[kind][0]] == [
        {k: d[k] for k in shape} for d in doc["columnDefinitions"]]
    v = view(kind)
    wide, narrow = list(v.headers(False, True)), list(v.headers(False, False))
    assert wide == server
    extra = [h for h in narrow if h not in narrow_server]
    assert [h for h in narrow if h in narrow_server] == narrow_server
    assert all(h in server for h in extra)  # k9s-style: a wide column shown early (pod IP)


def _check_rows(kind: str, rows: list[dict], columns: list[str], where: str) -> None:
    defs, printer = TABLES[kind]
    v = view(kind)
    text_row = v.rows_fn(False, True)
    window = window_of(kind, rows, columns)
    fallback = max(parse_time(r["object"]["metadata"].get("creationTimestamp")) or 0
                   for r in rows)
    bad = []
    for row in rows:
        obj, want = row["object"], row["cells"]
        want_text = tuple(cell_text(c) for c in want)
        for now in window.moments(fallback):
            if printer(obj, now) == want and text_row(obj, now)[0] == want_text:
                break
        else:
            now = window.moments(fallback)[0]
            got = printer(obj, now)
            bad.append((obj["metadata"]["name"], [
                (name, w, g) for name, w, g in zip(columns, want, got, strict=False) if w != g] or
                [("text", want_text, text_row(obj, now)[0])]))
    assert not bad, f"{where}: rows that differ from the server's (column, server, kubetui): {bad}"


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_rows_are_the_servers_cells(path):
    doc = load(path)
    kind, group = _resource(path, doc)
    columns = [c["name"] for c in doc["columnDefinitions"]]
    if kind == "Event" and group == "events.k8s.io":
        rows = [{"object": as_core_v1(r["object"]), "cells": r["cells"]} for r in doc["rows"]]
        _check_rows("Event", rows, columns, path.name)
        return
    if not built_in(kind, group):
        v = table_view(kind or "", doc["columnDefinitions"])
        row_fn = v.rows_fn(False, True)
        for r in doc["rows"]:
            got, _ = row_fn({"metadata": r["object"]["metadata"], "cells": r["cells"]}, 0.0)
            assert got == tuple(cell_text(c) for c in r["cells"])
        return
    assert doc["rows"], f"{path.name} has no objects to compare"
    _check_rows(kind, doc["rows"], columns, path.name)


def as_core_v1(ev: dict) -> dict:
    """An events.k8s.io/v1 Event as the API server serves it through core/v1."""
    return {"kind": "Event", "apiVersion": "v1", "metadata": ev["metadata"],
            "involvedObject": ev.get("regarding") or {}, "reason": ev.get("reason", ""),
            "message": ev.get("note", ""), "source": ev.get("deprecatedSource") or {},
            "firstTimestamp": ev.get("deprecatedFirstTimestamp"),
            "lastTimestamp": ev.get("deprecatedLastTimestamp"),
            "count": ev.get("deprecatedCount"), "type": ev.get("type", ""),
            "eventTime": ev.get("eventTime"), "series": ev.get("series"),
            "action": ev.get("action", ""), "related": ev.get("related"),
            "reportingComponent": ev.get("reportingController", ""),
            "reportingInstance": ev.get("reportingInstance", "")}


CASES = sorted(p.name.removesuffix(".pod.json") for p in (ROOT / "cases").glob("*.pod.json"))


@pytest.mark.parametrize("case", CASES)
def test_case_pod_is_printed_as_its_row(case):
    pod = load(f"cases/{case}.pod.json")
    row = load(f"cases/{case}.row.json")
    columns = [c["name"] for c in row["columnDefinitions"]]
    _check_rows("Pod", [{"object": pod, "cells": row["row"]["cells"]}], columns, case)


@pytest.mark.parametrize("case", CASES)
def test_case_pod_as_the_cache_keeps_it_is_printed_as_its_row(case):
    """The informers keep a pod slim (its metadata, spec and status as dict-faced
    structs, kube/slim.py): decoded so from the real server's JSON, a list item and a
    watch event's object print the server's row as the whole pod does."""
    import orjson

    from kubetui.kube.pod_status import PodStatus
    from kubetui.kube.slim import decode_event, decode_list

    pod = load(f"cases/{case}.pod.json")
    row = load(f"cases/{case}.row.json")
    columns = [c["name"] for c in row["columnDefinitions"]]
    items, _ = decode_list("Pod", orjson.dumps({"metadata": {}, "items": [pod]}))
    _, watched = decode_event("Pod", orjson.dumps({"type": "MODIFIED", "object": pod}))
    for slim in (items[0], watched):
        assert isinstance(slim["status"], PodStatus), case  # (not the slow way)
        _check_rows("Pod", [{"object": slim, "cells": row["row"]["cells"]}], columns, case)
