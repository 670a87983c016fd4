"""When the app freezes the heap (short full collections with 10,000 pods cached): what a
freeze catches alive and drops later is freed by the next reset, which waits for a UI
change and an idle user; nothing is frozen while a closed screen is on its way out or a
worker runs. And thread workers run on threads that end with them."""

from __future__ import annotations

import asyncio
import contextvars
import gc
import threading
import weakref

import pytest

from kubetui.ui.lifetime import HeapFreezer, OwnThreadExecutor


class Node:
    """Stands for a widget: cyclic, so only the collector frees it."""

    def __init__(self):
        self.me = self


@pytest.fixture(autouse=True)
def unfrozen():
    yield
    gc.unfreeze()  # (freezing is process-wide: leave the heap as it was)


def test_a_reset_frees_what_a_cheap_freeze_caught_alive():
    heap = HeapFreezer()
    assert heap.maybe_freeze(0, changes=1, busy=False, stack=[], ui="a", idle_for=0)
    assert heap.resets == 1  # the first freeze is a reset
    node = Node()
    ref = weakref.ref(node)
    assert heap.maybe_freeze(10, changes=2, busy=False, stack=[], ui="a", idle_for=5)
    del node  # dropped after a freeze caught it alive
    gc.collect()
    assert ref() is not None  # frozen garbage: the collector does not look at it
    # the UI changed but the user is busy: no reset (it walks the whole heap)
    assert not heap.maybe_freeze(20, changes=3, busy=False, stack=[], ui="b", idle_for=0.1)
    assert heap.resets == 1 and ref() is not None
    # idle now: the reset frees it
    assert heap.maybe_freeze(30, changes=3, busy=False, stack=[], ui="b", idle_for=5)
    assert heap.resets == 2 and ref() is None


def test_a_cheap_freeze_waits_while_keys_are_pressed():
    """Its collection (40 ms after a filter formatted 10,000 rows) had fallen in the
    frame that answers a key: once the heap is frozen, it waits for a pause."""
    heap = HeapFreezer()
    assert heap.maybe_freeze(0, changes=1, busy=False, stack=[], ui="a")
    assert heap.frozen
    assert not heap.maybe_freeze(10, changes=2, busy=False, stack=[], ui="a", idle_for=0.2)
    assert heap.freezes == 1
    assert heap.maybe_freeze(11, changes=2, busy=False, stack=[], ui="a", idle_for=2.0)
    assert heap.freezes == 2


def test_nothing_is_frozen_while_a_closed_screen_is_alive_or_a_worker_runs():
    heap = HeapFreezer()
    assert heap.maybe_freeze(0, changes=1, busy=False, stack=[], ui="a")
    screen = Node()
    heap.pushed(screen)
    stack = [screen]
    stack.pop()  # closed, and still referenced (a thread of its own, say)
    assert not heap.maybe_freeze(10, changes=2, busy=False, stack=stack, ui="a")
    assert heap.skipped == 1
    assert not heap.maybe_freeze(20, changes=2, busy=True, stack=stack, ui="a")
    assert heap.skipped == 1  # (busy: not even tried)
    ref = weakref.ref(screen)
    del screen
    assert heap.maybe_freeze(30, changes=2, busy=False, stack=stack, ui="a")
    assert ref() is None


def test_a_closed_screen_frozen_alive_is_freed_by_a_reset_after_a_while():
    heap = HeapFreezer()
    screen = Node()
    heap.pushed(screen)
    ref = weakref.ref(screen)
    assert heap.maybe_freeze(0, changes=1, busy=False, stack=[screen], ui="a")
    del screen  # closed and dropped, but frozen while it was alive
    assert not heap.maybe_freeze(10, changes=2, busy=False, stack=[], ui="a")
    assert ref() is not None
    later = 11 + heap.patience
    assert not heap.maybe_freeze(later, changes=2, busy=False, stack=[], ui="a")
    # it lingered too long: the next try is a reset, which frees it
    assert heap.maybe_freeze(later + heap.interval, changes=2, busy=False, stack=[], ui="a")
    assert ref() is None and heap.resets == 2


def test_no_freeze_without_something_new_or_before_the_interval():
    heap = HeapFreezer()
    assert heap.maybe_freeze(0, changes=1, busy=False, stack=[])
    assert not heap.maybe_freeze(0.5, changes=2, busy=False, stack=[])  # too soon
    assert not heap.maybe_freeze(10, changes=1, busy=False, stack=[])  # nothing changed
    assert heap.maybe_freeze(10, changes=2, busy=False, stack=[])
    assert heap.freezes == 2


async def test_each_worker_call_gets_a_thread_that_ends_and_keeps_nothing(caplog):
    var = contextvars.ContextVar("worker", default=None)
    loop = asyncio.get_running_loop()
    executor = OwnThreadExecutor()
    loop.set_default_executor(executor)
    held = Node()
    ref = weakref.ref(held)
    names: list[str] = []

    def work(node) -> str:
        var.set(node)  # as Textual sets its active worker in the worker's thread
        names.append(threading.current_thread().name)
        return "done"

    before = threading.active_count()
    assert await loop.run_in_executor(None, work, held) == "done"
    del held
    for thread in [t for t in threading.enumerate() if t.name.startswith("worker ")]:
        thread.join(5)
    assert threading.active_count() == before and executor.running == 0
    gc.collect()
    assert ref() is None  # neither the thread nor its context kept the argument
    with pytest.raises(ZeroDivisionError):  # a failure reaches the caller, and the log
        await loop.run_in_executor(None, lambda: 1 / 0)
    assert [r for r in caplog.records if r.levelname == "ERROR" and r.exc_info
            and r.exc_info[0] is ZeroDivisionError]
    executor.shutdown()


def test_a_reset_waits_for_a_tick_that_painted_nothing_but_not_for_ever():
    """A reset walks the whole cache (100-175 ms at 10,000 pods): on the tick that shows
    new rows it would hold that frame back, so it waits for a quiet tick, or at most
    reset_wait seconds under constant change."""
    heap = HeapFreezer()
    assert heap.maybe_freeze(0, changes=1, busy=False, stack=[], ui="a", painted=True)
    assert heap.resets == 0  # a cheap freeze on the tick that painted; the reset is owed
    assert heap.maybe_freeze(2, changes=1, busy=False, stack=[], ui="a", painted=False)
    assert heap.resets == 1
    # the UI changed, the user is idle, and every tick paints (churn): put off, then done
    assert heap.maybe_freeze(10, changes=2, busy=False, stack=[], ui="b", idle_for=5,
                             painted=True)  # (a cheap freeze instead)
    assert heap.resets == 1
    assert heap.maybe_freeze(10 + heap.reset_wait, changes=3, busy=False, stack=[],
                             ui="b", idle_for=5, painted=True)
    assert heap.resets == 2


def test_a_lists_freeze_is_safe_only_with_the_browser_on_top_and_nothing_pushed_since():
    class App:
        browser = Node()
        screen = browser
        is_running = True

    app = App()
    heap = HeapFreezer()
    safe = heap.freeze_guard(app)
    heap.pushed(app.browser, lasting=True)
    assert safe()  # only the browser pushed: the first sync's list freezes
    screen = Node()
    heap.pushed(screen)
    app.screen = screen
    assert not safe()  # a screen open: a freeze would catch it
    app.screen = app.browser
    del screen
    assert not safe()  # closed, but maybe not collected yet
    assert heap.maybe_freeze(0, changes=1, busy=False, stack=[app.browser], ui="a")
    assert safe()  # the app's own freeze made sure nothing closed was left
    heap.reset()  # a context switch: the old session on its way out
    assert not safe()
    app.is_running = False
    assert safe()  # an app that has exited (not yet collected): nothing to catch
    del app
    gc.collect()
    assert safe()  # no app: nothing to catch
