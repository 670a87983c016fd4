"""After a heap reset (a full collection while the user is idle) the app hands the C
heap's free pages back to the system with glibc's malloc_trim; where there is no glibc
the reset goes on without it. (How much RSS that saves is measured by the soak bench,
not here.)"""

from __future__ import annotations

import ctypes
import gc
import logging
import platform

import pytest

from kubetui.ui import lifetime
from kubetui.ui.lifetime import HeapFreezer, trim_malloc


@pytest.fixture(autouse=True)
def unfrozen():
    yield
    gc.unfreeze()  # (freezing is process-wide: leave the heap as it was)


def test_a_reset_trims_the_c_heap_and_a_cheap_freeze_does_not():
    heap = HeapFreezer()
    calls: list[int] = []
    heap.trim = lambda: calls.append(heap.resets) or 3.0
    assert heap.maybe_freeze(0, changes=1, busy=False, stack=[], ui="a", idle_for=0)
    assert calls == [1]  # the first freeze is a reset: trimmed after its collection
    assert heap.maybe_freeze(10, changes=2, busy=False, stack=[], ui="a", idle_for=5)
    assert calls == [1]  # a cheap freeze: no trim
    assert heap.maybe_freeze(20, changes=2, busy=False, stack=[], ui="b", idle_for=5)
    assert calls == [1, 2] and heap.trims == 2 and heap.trimmed_mb == 6.0


def test_without_glibc_the_reset_goes_on_untrimmed(monkeypatch):
    def no_libc(*args, **kwargs):
        raise OSError("no such library")
    monkeypatch.setattr(lifetime, "_trim", None)  # (looked up again)
    monkeypatch.setattr(ctypes, "CDLL", no_libc)
    assert trim_malloc() is None
    heap = HeapFreezer()
    assert heap.maybe_freeze(0, changes=1, busy=False, stack=[], ui="a")
    assert heap.resets == 1 and heap.trims == 0


def test_on_glibc_the_trim_runs_and_says_what_it_gave_back(monkeypatch, caplog):
    monkeypatch.setattr(lifetime, "_trim", None)
    caplog.set_level(logging.DEBUG, "kubetui.app")
    freed = trim_malloc()
    if platform.libc_ver()[0] == "glibc":
        assert isinstance(freed, float)
        assert "malloc_trim gave back" in caplog.text
    else:  # musl, macOS: nothing to call, and nothing claimed
        assert freed is None and "malloc_trim" not in caplog.text
