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


# (in a child process: mallopt's settings are the whole process's, for good)
_BIG_READ_AFTER_A_BIGGER_ONE = """
import ctypes, sys
from kubetui.ui.lifetime import tune_malloc

class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
        "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = MallInfo2
took = tune_malloc() if sys.argv[1] == "tuned" else {}
last_read = bytearray(8 << 20)  # a metrics read, mapped and freed
del last_read
mapped = libc.mallinfo2().hblks
next_page = bytearray(1 << 20)  # the next list page
print(libc.mallinfo2().hblks - mapped, took.get("mmap_threshold", False))
"""


def _mapped_after_a_bigger_read(mode: str, **env: str) -> tuple[int, bool]:
    import os
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", _BIG_READ_AFTER_A_BIGGER_ONE, mode],
                         capture_output=True, text=True, check=True,
                         env={**os.environ, **env}).stdout.split()
    return int(out[0]), out[1] == "True"


def test_a_big_buffer_gets_pages_of_its_own_after_a_bigger_one_was_freed():
    """Untuned, glibc raises its mmap threshold to the size of the freed 8 MB block, and
    the next 1 MB buffer comes from the heap, where freed it stays resident; tuned, it
    is mapped, and its pages go back to the system when it is freed."""
    if platform.libc_ver()[0] != "glibc":  # musl, macOS: nothing to tune, none claimed
        assert lifetime.tune_malloc()["mmap_threshold"] is False
        return
    assert _mapped_after_a_bigger_read("untuned") == (0, False)
    assert _mapped_after_a_bigger_read("tuned") == (1, True)


def test_a_threshold_the_user_set_is_left_alone():
    if platform.libc_ver()[0] != "glibc":
        return  # (no threshold to leave alone: the test above checks nothing is claimed)
    mapped, took = _mapped_after_a_bigger_read("tuned", MALLOC_MMAP_THRESHOLD_="16777216")
    assert (mapped, took) == (0, False)


def test_without_glibc_tuning_does_nothing(monkeypatch):
    def no_libc(*args, **kwargs):
        raise OSError("no such library")
    monkeypatch.setattr(ctypes, "CDLL", no_libc)
    assert lifetime.tune_malloc() == {"arenas": False, "mmap_threshold": False}
