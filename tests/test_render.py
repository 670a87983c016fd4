"""kubectl's printing rules: ages and pod READY / STATUS / RESTARTS, from fixtures."""

import json
from pathlib import Path

import pytest

from kubetui.render.age import age, human_duration, parse_time
from kubetui.render.pod import pod_row, summarize
from kubetui.render.rows import RowModel

FIXTURES = json.loads((Path(__file__).parent / "fixtures" / "pods.json").read_text())
NOW = parse_time(FIXTURES["now"])


@pytest.mark.parametrize("seconds,text", [
    (-5, "<invalid>"), (-1, "0s"), (0, "0s"), (59, "59s"), (119, "119s"), (120, "2m"),
    (125, "2m5s"), (599, "9m59s"), (600, "10m"), (179 * 60, "179m"), (3 * 3600, "3h"),
    (3 * 3600 + 1800, "3h30m"), (8 * 3600, "8h"), (47 * 3600, "47h"), (48 * 3600, "2d"),
    (50 * 3600, "2d2h"), (8 * 86400, "8d"), (400 * 86400, "400d"), (730 * 86400, "2y"),
    (800 * 86400, "2y70d"), (9 * 365 * 86400, "9y"),
])
def test_human_duration_matches_apimachinery(seconds, text):
    assert human_duration(seconds) == text


def test_age_of_missing_or_malformed_timestamp():
    assert age(None, NOW) == "<unknown>"
    assert age("yesterday", NOW) == "<unknown>"


@pytest.mark.parametrize("case", FIXTURES["cases"], ids=[c["name"] for c in FIXTURES["cases"]])
def test_pod_columns_match_kubectl(case):
    s = summarize(case["pod"], NOW)
    assert (s.ready, s.status, s.restarts) == (case["ready"], case["status"], case["restarts"])
    assert s.health == case["health"]


def test_pod_row_has_kubectl_wide_columns():
    pod = FIXTURES["cases"][0]["pod"]
    cells, health = pod_row(pod, NOW)
    assert cells == ("ns", "p", "1/1", "Running", "0", "60m", "<none>", "<none>")
    assert health == "ok"


def test_row_model_formats_a_row_when_read_and_again_only_when_its_object_changed():
    calls = []

    def row_fn(obj, now):
        calls.append(obj["metadata"]["name"])
        return (obj["metadata"]["name"],), "ok"

    model = RowModel(row_fn)
    a = {"metadata": {"name": "a", "creationTimestamp": "2026-01-01T00:00:00Z"}}
    b = {"metadata": {"name": "b"}}
    changed, removed = model.apply(True, set(), {"a": a, "b": b}, 100.0)
    assert changed == {"a", "b"} and not removed
    assert calls == []  # nothing formatted until something reads a row
    assert model.created["a"] == parse_time("2026-01-01T00:00:00Z")
    assert model.rows["a"] == (("a",), "ok") and model.rows["b"][0] == ("b",)
    assert sorted(calls) == ["a", "b"]
    calls.clear()
    b2 = {"metadata": {"name": "b", "labels": {"x": "y"}}}
    changed, removed = model.apply(False, {"b"}, {"a": a, "b": b2}, 101.0)
    assert changed == {"b"} and not removed
    assert [model.rows[k] for k in ("a", "b")] and calls == ["b"]  # a is left alone
    changed, removed = model.apply(False, {"a"}, {"b": b2}, 102.0)
    assert removed == {"a"} and set(model.rows) == {"b"} and "a" not in model.rows
    calls.clear()
    model.invalidate()  # the columns' inputs changed (metrics): read means format
    assert model.rows["b"] and calls == ["b"]


def test_a_filter_searches_each_row_once_with_anchors_at_every_cell():
    from kubetui.ui.navigation import parse_filter

    model = RowModel(lambda obj, now: (tuple(obj["cells"]), "ok"))
    model.apply(True, set(), {"shop/api-1": {"cells": ["shop", "api-1", "Running"]},
                              "shop/web-1": {"cells": ["shop", "web-1", "CrashLoopBackOff"]}},
                0.0)
    rows = model.rows

    def kept(text: str) -> list[str]:
        f = parse_filter(text)
        return [k for k in sorted(rows) if f.keeps(rows.text(k), k.rsplit("/", 1)[-1])]
    assert kept("^api") == ["shop/api-1"]  # the start of a cell, not only of the row
    assert kept("running$") == ["shop/api-1"]  # the end of a cell (any case)
    assert kept("^shop$") == ["shop/api-1", "shop/web-1"]
    assert kept("!crash") == ["shop/api-1"]
    assert kept("-f wb1") == ["shop/web-1"]  # fuzzy: the name only
    assert kept("1.run") == []  # `.` does not match from one cell into the next
    assert kept("i-1") == ["shop/api-1"]
