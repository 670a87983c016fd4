"""A list's objects are out of the collector's way: no full collection walks the cache
while it is read, nor on the first allocation after it (140 ms at 10,000 pods, on
whichever thread allocates next: the UI's, in the app)."""

import gc

import pytest

from kubetui.kube import gc_hold
from kubetui.kube.gc_hold import OUT_OF_REACH, full_collections_held


@pytest.fixture(autouse=True)
def no_app():
    """No app's guard (an earlier test's app in this process may have set one)."""
    saved = gc_hold._guard
    gc_hold.guard_freezes(None)
    yield
    gc_hold.guard_freezes(saved)


def test_a_list_holds_full_collections_off_then_freezes_what_it_read():
    gc.unfreeze()
    before = gc.get_freeze_count()
    saved = gc.get_threshold()
    try:
        with full_collections_held():
            assert gc.get_threshold()[2] == OUT_OF_REACH
            with full_collections_held():  # a second informer listing at once
                cache = [{"metadata": {"name": f"p{i}"}, "spec": {}} for i in range(50_000)]
            assert gc.get_threshold()[2] == OUT_OF_REACH  # the first still lists
        assert gc.get_threshold() == saved
        assert gc.get_freeze_count() - before >= 100_000  # pods and their specs
        assert len(cache) == 50_000
    finally:
        gc.unfreeze()


def test_a_list_freezes_only_when_the_guard_says_it_is_safe():
    """The app's guard (a screen open, say) keeps a list's end from freezing it."""
    saved = gc.get_threshold()
    asked: list[bool] = []
    try:
        for answer in (False, "raises", True):
            def guard(answer=answer):
                asked.append(answer)
                if answer == "raises":
                    raise RuntimeError("the app is shutting down")
                return answer
            gc_hold.guard_freezes(guard)
            gc.unfreeze()
            with full_collections_held():
                cache = [{"metadata": {"name": f"p{i}"}} for i in range(20_000)]
            assert gc.get_threshold() == saved  # put back either way
            frozen = gc.get_freeze_count()
            assert (frozen >= 20_000) == (answer is True), (answer, frozen)
            assert len(cache) == 20_000
        assert asked == [False, "raises", True]
    finally:
        gc_hold.guard_freezes(None)
        gc.unfreeze()
