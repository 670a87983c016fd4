"""The caches wake the UI on a change, once until it looks: a burst of events costs
one wake-up, an idle cluster none; ages on screen say when they next change."""

from __future__ import annotations

import threading

from kubetui.kube.store import Store
from kubetui.kube.wake import Waker
from kubetui.render.age import human_duration, next_change


def pod(name: str, rv: str = "1") -> dict:
    return {"metadata": {"namespace": "ns", "name": name, "resourceVersion": rv}}


def test_a_burst_of_changes_wakes_the_ui_once_until_it_looks():
    calls = []
    waker = Waker()
    waker.callback = lambda: calls.append(threading.current_thread().name)
    store = Store(waker)

    def burst() -> None:
        for i in range(500):
            store.upsert(pod(f"p{i}"))
    t = threading.Thread(target=burst, name="informer")
    t.start()
    t.join()
    assert calls == ["informer"]  # one wake-up, from the thread that changed it
    store.upsert(pod("p1", "2"))
    assert len(calls) == 1  # still not looked at: nothing more
    waker.looked()
    store.delete(pod("p1"))
    assert len(calls) == 2
    waker.looked()
    store.delete(pod("absent"))  # no change, no wake-up
    store.replace([pod("p2")])  # a relist that changes something does
    assert len(calls) == 3


def test_an_unchanged_relist_and_no_callback_wake_nobody():
    calls = []
    waker = Waker()
    store = Store(waker)
    store.upsert(pod("a"))  # no callback yet (not connected to a UI): nothing happens
    waker.callback = lambda: calls.append(1)
    waker.looked()
    store.replace([pod("a")])  # the same objects: no change
    assert calls == []


def test_next_change_is_when_the_age_text_changes():
    for age in (0.2, 59.5, 119.9, 125.0, 599.0, 600.0, 3599.0, 28799.5, 28800.0,
                86400 * 3 + 17, 86400 * 9 + 5):
        wait = next_change(age)
        assert wait > 0
        assert human_duration(age + wait) != human_duration(age)
        if wait > 1:  # nothing changes before then
            assert human_duration(age + wait - 0.5) == human_duration(age)
