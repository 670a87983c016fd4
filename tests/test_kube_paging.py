"""One-shot list reads page by page: every page's items, in order; a server that has
more than the pages asked for says so; one that gives the same continue token again
would be asked for ever, so that is a failed read, named."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubetui.kube.lint_source import fetch
from kubetui.kube.paging import read_pages


def server(pages: list[list[int]], tokens: list[str] | None = None):
    """A fake list: page i's items, then token i (None after the last)."""
    asked: list[str | None] = []
    tokens = tokens or [f"t{i + 1}" for i in range(len(pages) - 1)]

    def fetch_page(token):
        asked.append(token)
        i = 0 if token is None else tokens.index(token) + 1
        meta = {"continue": tokens[i]} if i < len(tokens) else {}
        return [{"n": n} for n in pages[i]], meta
    return fetch_page, asked


@given(st.lists(st.lists(st.integers(), max_size=5), min_size=1, max_size=8))
def test_every_page_is_read_in_order(pages):
    fetch_page, asked = server(pages)
    items, more = read_pages(fetch_page)
    assert [o["n"] for o in items] == [n for page in pages for n in page]
    assert not more and asked == [None, *[f"t{i + 1}" for i in range(len(pages) - 1)]]


def test_a_capped_read_says_the_server_had_more():
    fetch_page, asked = server([[1], [2], [3]])
    assert read_pages(fetch_page, max_pages=2) == ([{"n": 1}, {"n": 2}], True)
    assert asked == [None, "t1"]


def test_the_same_token_twice_is_a_failed_read_not_a_loop():
    fetch_page, asked = server([[1], [2], [3]], tokens=["same", "same"])
    with pytest.raises(ValueError, match="same continue token twice"):
        read_pages(fetch_page)
    assert asked == [None, "same"]  # the fault fired: the second page named the first's


def test_kubetui_lint_says_a_kind_whose_list_never_ends_was_not_read(caplog):
    asked: list[str] = []

    class Looping:
        def get_json(self, path, query=None, timeout=30):
            asked.append((query or {}).get("continue") or "")
            return {"items": [{"metadata": {"name": "s", "namespace": "a"}}],
                    "metadata": {"continue": "again"}}

        def request(self, method, path, *args, **kwargs):
            from kubetui.kube.client import ApiError
            raise ApiError(404, "NotFound", "the server could not find the requested "
                           "resource")  # (no metrics-server)

    with caplog.at_level(logging.ERROR, "kubetui.lint"):
        src = fetch(Looping(), "a", {"Service"})
    assert asked == ["", "again"]
    assert [(r.levelname, r.exc_info is not None) for r in caplog.records] == [
        ("ERROR", True)]  # logged with its traceback
    assert src.unread == {"services": "the server gave the same continue token twice"}
    assert "Service" not in src.objects  # unknown, not empty
