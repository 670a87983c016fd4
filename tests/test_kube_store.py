"""A list goes into the store page by page: an object it already holds at the same
resourceVersion stays (views and the lint see no change), a changed one is replaced,
and what the list did not have is dropped at the end, in its namespace only."""

from __future__ import annotations

from kubetui.kube.store import Store


def pod(ns: str, name: str, rv: str) -> dict:
    return {"metadata": {"namespace": ns, "name": name, "resourceVersion": rv}}


def test_a_relist_changes_only_what_changed_and_drops_what_is_gone():
    store = Store()
    tap = store.tap()
    first = [pod("a", "one", "1"), pod("a", "two", "1"), pod("b", "three", "1")]
    keys = store.merge_page(first[:2]) | store.merge_page(first[2:])
    store.retain(keys)
    store.take_changes()
    store.take_tap(tap)
    kept = store.get("a/one")
    version = store.version

    again = [pod("a", "one", "1"), pod("a", "two", "2")]  # one the same, one changed,
    store.retain(store.merge_page(again))  # three gone
    reset, dirty, _ = store.take_changes()
    assert not reset and dirty == {"a/two", "b/three"}
    assert store.get("a/one") is kept  # the object held stays; the decoded copy is dropped
    assert store.get("a/two")["metadata"]["resourceVersion"] == "2"
    assert store.get("b/three") is None and len(store) == 2
    assert store.take_tap(tap)[1] == {"a/two", "b/three"}  # the lint sees the same
    assert store.version > version

    version = store.version
    store.retain(store.merge_page([pod("a", "one", "1"), pod("a", "two", "2")]))
    assert store.version == version and store.take_changes()[1] == set()  # no change


def test_a_namespace_list_drops_only_in_its_namespace():
    store = Store()
    store.retain(store.merge_page([pod("a", "x", "1"), pod("b", "y", "1")]))
    store.retain(store.merge_page([pod("a", "z", "1")]), scope="a")
    assert sorted(k for k in ("a/x", "a/z", "b/y") if store.get(k)) == ["a/z", "b/y"]
