"""The sim pages lists as the real server does, at the cost of the page: kubectl's
`get pods -A` at 100k pods is 200 pages of 500, and each must not re-read the rest
(issue 18: the sim was superlinear, so benchmarks at 100k measured the sim)."""

from __future__ import annotations

from kubetui.sim.resources import RESOURCES
from kubetui.sim.store import Store


def pods(store: Store, res, names):
    for ns, name in names:
        store.add(res, {"metadata": {"namespace": ns, "name": name, "labels": {
            "app": name.split("-")[0]}}})


def make() -> tuple[Store, object]:
    store = Store()
    res = next(r for r in RESOURCES if r.kind == "Pod")
    pods(store, res, [(f"ns{n % 7}", f"{'web' if n % 3 else 'db'}-{n:05d}")
                      for n in range(3000)])
    return store, res


def counting(predicate):
    seen = []

    def match(obj):
        seen.append(obj["metadata"]["name"])
        return predicate(obj)
    return match, seen


def walk(store, res, namespace=None, match=None, limit=50):
    """Every page, as a client following `continue` does."""
    out, after = [], None
    while True:
        items, more = store.page(res, namespace, match, after, limit)
        out += items
        if not more:
            return out
        last = items[-1]["metadata"]
        after = (last.get("namespace", ""), last["name"])


def keys(items):
    return [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in items]


def test_a_page_with_a_selector_reads_what_it_returns_not_the_rest():
    store, res = make()
    def web(name: str) -> bool:
        return name.startswith("web-")
    match, seen = counting(lambda o: web(o["metadata"]["name"]))
    items, more = store.page(res, None, match, None, 10)
    assert len(items) == 10 and more == -1  # more to come, not counted (as the server)
    # it stopped at the match that says there is more: the other ~1,900 were not read
    assert sum(map(web, seen)) == 11 and web(seen[-1]), len(seen)


def test_a_namespace_page_does_not_read_other_namespaces():
    store, res = make()
    match, seen = counting(lambda o: True)
    items, _ = store.page(res, "ns3", match, None, 0)
    assert {o["metadata"]["namespace"] for o in items} == {"ns3"}
    assert len(seen) == len(items)  # nothing of ns0..ns6 but ns3 was looked at


def test_following_continue_returns_every_object_once_in_key_order_while_they_change():
    store, res = make()
    first = walk(store, res, limit=0)
    assert keys(first) == sorted(keys(first)) and len(first) == 3000
    # objects come and go between pages: the index follows
    store.remove(res, "ns0", "db-00000")
    pods(store, res, [("ns0", "aaa-new"), ("ns9", "zzz-new")])
    paged = walk(store, res, limit=97)
    assert keys(paged) == sorted(keys(paged))
    assert len(set(keys(paged))) == len(paged) == 3001
    assert ("ns0", "db-00000") not in keys(paged)
    assert {("ns0", "aaa-new"), ("ns9", "zzz-new")} <= set(keys(paged))
    in_ns = walk(store, res, "ns0", limit=13)
    assert keys(in_ns) == sorted(k for k in keys(paged) if k[0] == "ns0")


def test_without_a_selector_the_page_says_how_many_remain():
    store, res = make()
    items, more = store.page(res, None, None, None, 100)
    assert len(items) == 100 and more == 2900
