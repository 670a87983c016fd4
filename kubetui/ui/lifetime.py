"""What keeps the app's memory and threads bounded over hours of use.

`OwnThreadExecutor` is the event loop's default executor, where Textual runs thread
workers: each call gets a thread of its own that ends with it. (With the stock thread
pool, each pool thread's context kept the last worker it ran, and so the screen that
started it, alive; and idle pool threads never ended.)

`HeapFreezer` keeps full collections short. With 10,000 pods cached, a full collection
walks every cached dict (over 100 ms); `gc.freeze()` moves what is alive out of the
collector's way. But it freezes everything alive, and a frozen object that later becomes
cyclic garbage is never collected: a closed screen frozen while it was still on its way
out stayed for good. So it freezes only when nothing is on its way out: the browser on
top, no worker running, no old session closing, and, after a full collection (short,
because the rest is frozen already), no closed screen still alive; and what Textual
replaces later is freed by a reset once the user is idle (see the class).

`tune_malloc` keeps the C heap from fragmenting: glibc gives each thread that
allocates its own malloc arena (up to 8 per core), and every informer thread decodes
big lists in its own; a 4-minute soak at 2,000 pods grew RSS from 95 to 233 MB that way
with the Python heap flat, and 155 -> 171 MB with two arenas; and a big block (a list
page, a metrics read) always gets pages of its own, given back when it is freed.
`trim_malloc` hands back
to the system what the allocators keep free after much was freed (a reset's collection
of closed screens, churn and a relist's old store).

`prune_watchers` and `drop_render_caches` let go of what Textual 8.2 keeps of closed
widgets: reactive watchers on the footer, and up to 1024 render caches."""

from __future__ import annotations

import concurrent.futures
import ctypes
import gc
import logging
import os
import threading
import time
import weakref
from typing import Callable, Iterable, cast

log = logging.getLogger("kubetui.app")


M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # mallopt's parameters (glibc's malloc.h)
MMAP_THRESHOLD = 256 * 1024


def _mallopt() -> Callable[[int, int], int] | None:
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return None
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return cast(Callable[[int, int], int], mallopt)


def tune_malloc(arenas: int = 2, mmap_threshold: int = MMAP_THRESHOLD) -> dict[str, bool]:
    """Cap glibc's malloc arenas, and fix the size from which a block gets pages of its
    own (as MALLOC_ARENA_MAX and MALLOC_MMAP_THRESHOLD_ do, which only work when set
    before the process starts); which of the two took. Call before threads start: arenas
    made earlier stay. Elsewhere than glibc (musl, macOS) it does nothing.

    The threshold: glibc raises it to the size of every mapped block freed (up to 32
    MB), so once a 41 MB metrics read or a 2.5 MB list page was freed, the next reads'
    buffers came from the heap, where freed they stay resident. At 100,000 pods RSS
    climbed with each metrics read (542, 565, 576 MiB); fixed, it stays at 465."""
    mallopt = _mallopt()
    took = {"arenas": False, "mmap_threshold": False}
    if mallopt is None:
        return took
    if not os.environ.get("MALLOC_ARENA_MAX"):  # (else the user chose)
        took["arenas"] = mallopt(M_ARENA_MAX, arenas) == 1
    if not os.environ.get("MALLOC_MMAP_THRESHOLD_"):
        took["mmap_threshold"] = mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1
    return took


_trim: object = None  # glibc's malloc_trim, looked up once (False: there is none)


def trim_malloc() -> float | None:
    """`malloc_trim(0)`: glibc gives back to the system the free pages of every arena,
    inside the heaps as well as at their tops; the MB of RSS that went back, or None
    where there is no glibc (musl, macOS). Free does that only for the top of the main
    heap: memory freed in the middle of a heap, or in the heaps of an informer thread's
    arena, stays resident however much of it is free. It is called after a full
    collection when the user is idle (a HeapFreezer reset): then the most was just freed
    and a few milliseconds of walking the free lists go unnoticed."""
    global _trim
    if _trim is None:
        try:
            _trim = ctypes.CDLL(None).malloc_trim
            _trim.argtypes = [ctypes.c_size_t]
            _trim.restype = ctypes.c_int
        except (OSError, AttributeError):
            _trim = False
    if _trim is False:
        return None
    before = _rss_mb()
    started = time.perf_counter()
    _trim(0)  # type: ignore[operator]
    freed = before - _rss_mb()
    log.debug("malloc_trim gave back %.1f MB in %.1f ms", freed,
              (time.perf_counter() - started) * 1000)
    return freed


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0  # (no /proc: the trim still runs, its gain is not known)


class OwnThreadExecutor(concurrent.futures.ThreadPoolExecutor):
    """Each call on a daemon thread of its own, started fresh (an empty context). (A
    ThreadPoolExecutor only because asyncio's set_default_executor insists; its pool is
    never used.)"""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self._own_lock = threading.Lock()
        self._own_threads: set[threading.Thread] = set()
        self._closed = False

    def submit(self, fn, /, *args, **kwargs) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        job = [fn, args, kwargs]

        def run() -> None:
            try:
                if not future.set_running_or_notify_cancel():
                    return
                call, a, kw = job
                job.clear()  # the thread keeps nothing of the call once it is done
                try:
                    result = call(*a, **kw)
                except BaseException as exc:
                    # every thread worker's failure is logged here, with its traceback
                    # (the screen that started it turns it into a notification)
                    log.error("%s failed", threading.current_thread().name, exc_info=True)
                    future.set_exception(exc)
                    del exc
                else:
                    future.set_result(result)
                    del result
                del call, a, kw
            finally:
                with self._own_lock:
                    self._own_threads.discard(threading.current_thread())

        with self._own_lock:
            if self._closed:
                raise RuntimeError("cannot schedule new calls after shutdown")
            work = args[0] if args else None  # (Textual calls a runner with the work)
            name = getattr(work, "__qualname__", None) or getattr(fn, "__qualname__", None) \
                or type(fn).__name__
            thread = threading.Thread(target=run, daemon=True, name=f"worker {name}")
            self._own_threads.add(thread)
        thread.start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._own_lock:
            self._closed = True
            threads = list(self._own_threads)
        if wait:
            for thread in threads:
                thread.join()
        super().shutdown(wait=False)

    @property
    def running(self) -> int:
        with self._own_lock:
            return len(self._own_threads)


class HeapFreezer:
    """When to `gc.freeze()`. The app calls `maybe_freeze()` from its tick.

    Two kinds of freeze. A cheap one, every `interval` seconds while the caches change:
    a full collection (short: most of the heap is frozen) then a freeze, which moves
    what churn brought (plain acyclic data, freed by refcounting when replaced) out of
    the way. And a reset (unfreeze, a full collection of everything, freeze), after the
    first sync, after a context switch, and after the UI changed (a screen opened, the
    view changed): Textual replaces widgets (footer keys, the style system's virtual
    nodes) that a cheap freeze may have caught alive, and frozen cyclic garbage is only
    freed by a reset. A reset's collection walks the whole cache (about 100 ms at 10,000
    pods), so it waits until the user has been idle for `reset_idle` seconds, and once
    the heap is frozen so does a cheap one (a key's answer comes first); after a reset,
    `trim_malloc` gives back to the system what the collection (and the churn and closed
    screens before it) freed."""

    interval = 2.0  # seconds between freezes while the caches change
    reset_idle = 1.5  # seconds without a key or a click before a reset
    patience = 30.0  # after this long, a closed screen that stays alive is logged
    reset_wait = 10.0  # the longest a reset waits for a tick that painted nothing

    def __init__(self) -> None:
        self.frozen = False  # the heap is frozen, and nothing since needs a full reset
        self.clean = True  # no screen pushed, nor session ended, since the last freeze
        self.freezes = 0
        self.resets = 0
        self.skipped = 0  # times a closed screen still alive stopped a freeze
        self.pushes = 0  # screens pushed so far (a UI change)
        self.last_pause_ms = 0.0  # the last freeze's collection
        self.max_reset_ms = 0.0  # the longest reset's collection
        self.trims = 0  # malloc trims after resets
        self.trimmed_mb = 0.0  # RSS they gave back, in all
        self.max_trim_ms = 0.0  # the longest
        self.trim = trim_malloc  # (a test puts its own here)
        self._last = -1e9
        self._changes: object = None
        self._ui: object = None  # the UI as of the last reset
        self._closed: weakref.WeakSet = weakref.WeakSet()  # screens pushed, maybe closed
        self._lingering_since: float | None = None
        self._reset_due: float | None = None  # a reset put off while frames changed

    def pushed(self, screen, lasting: bool = False) -> None:
        """A screen pushed; `lasting`: one that is never closed (the browser), which a
        freeze may catch."""
        self._closed.add(screen)
        self.pushes += 1
        self.clean = self.clean and lasting

    def reset(self) -> None:
        """A session ended (context switch): what it froze may be garbage now, so the next
        freeze is a reset."""
        self.frozen = False
        self.clean = False

    def freeze_guard(self, app) -> Callable[[], bool]:
        """Whether a freeze elsewhere (a list's end: kube/gc_hold.py) is safe now, asked
        from that list's thread: the browser on top and no screen pushed, nor session
        ended, since this freezer's last freeze (which made sure nothing closed was left).
        The app is held weakly: gone or no longer running, it has no screens to catch
        (and it must not stop the freezes of whatever runs after it)."""
        ref = weakref.ref(app)

        def guard() -> bool:
            app = ref()
            return app is None or not app.is_running or (
                self.clean and app.screen is app.browser)
        return guard

    def maybe_freeze(self, now: float, changes: object, busy: bool, stack: Iterable,
                     ui: object = None, idle_for: float = float("inf"),
                     painted: bool = False) -> bool:
        """Freeze if due and safe. `changes` is anything that differs when the caches
        changed (only then is there something new to freeze); `busy` says a worker runs
        or an old session is closing; `stack` is the screen stack; `ui` anything that
        differs when the UI changed; `idle_for` the seconds since the last key or click;
        `painted` that this tick changed what is on screen: a reset then waits for a
        tick that did not (up to `reset_wait` seconds), so the frame goes out first
        (the first sync's reset had held its 10,000 rows back 100-175 ms)."""
        if busy or now - self._last < self.interval:
            return False
        if self.frozen and idle_for < self.reset_idle:
            return False  # a key was just pressed: its answer's frame comes first (a
            # collection of what a filter formatted, 40 ms at 10,000 rows, fell in it)
        reset = not self.frozen or self._reset_due is not None or (
            ui != self._ui and idle_for >= self.reset_idle)
        if reset and painted:
            if self._reset_due is None:
                self._reset_due = now + self.reset_wait
            reset = now >= self._reset_due  # (else a cheap freeze now, the reset later)
        if not reset and changes == self._changes:
            return False
        if reset:
            self._reset_due = None
        self._last = now
        if reset:
            gc.unfreeze()  # what was frozen alive and died since can go now
        started = time.perf_counter()
        gc.collect()
        self.last_pause_ms = (time.perf_counter() - started) * 1000
        on_stack = set(map(id, stack))
        lingering = [s for s in self._closed if id(s) not in on_stack]
        if lingering:
            self.skipped += 1
            if self._lingering_since is None:
                self._lingering_since = now
            elif now - self._lingering_since > self.patience:
                if reset:  # still alive after a collection of everything: held
                    log.warning("closed screens still alive after %.0fs, so the heap is "
                                "not frozen: %s", now - self._lingering_since,
                                ", ".join(type(s).__name__ for s in lingering))
                self._lingering_since = now
                reset = True  # (or frozen alive, once: the next try is a reset)
            if reset:
                self.frozen = False
            return False
        self._lingering_since = None
        gc.freeze()
        self.frozen = self.clean = True
        self.freezes += 1
        self._changes = changes
        if reset:
            self.resets += 1
            self._ui = ui
            self.max_reset_ms = max(self.max_reset_ms, self.last_pause_ms)
            self._trim()
        return True

    def _trim(self) -> None:
        started = time.perf_counter()
        freed = self.trim()
        if freed is None:
            return  # no glibc
        self.trims += 1
        self.trimmed_mb += freed
        self.max_trim_ms = max(self.max_trim_ms, (time.perf_counter() - started) * 1000)


def prune_watchers(nodes: Iterable) -> int:
    """Drop the reactive watchers that closed widgets left behind on these nodes; how
    many. Textual (8.2) prunes a reactive's watcher list only when that reactive changes:
    the Footer's `compact` never does, so every recompose of a footer (each time a
    screen comes back, or the keys in force change) added its keys' watchers for good,
    and with them the closed keys (about 70 widgets a time)."""
    dropped = 0
    for node in nodes:
        watchers = getattr(node, "__watchers", None)
        if not watchers:
            continue
        for entries in watchers.values():
            kept = [(reactable, callback) for reactable, callback in entries
                    if not (reactable._closing or reactable._closed)]
            dropped += len(entries) - len(kept)
            entries[:] = kept
    return dropped


def drop_render_caches() -> None:
    """Textual's StylesCache.get_inner_outer is an lru_cache(1024) on a method: its keys
    keep up to 1024 StylesCache objects alive, closed widgets' too, each with the lines
    its widget drew last (the architecture view's whole map, say). Cleared when the UI
    changes; refilling it costs a few colour blends."""
    from textual._styles_cache import StylesCache

    clear = getattr(StylesCache.get_inner_outer, "cache_clear", None)
    if clear is not None:
        clear()


def alive(threads: Iterable[threading.Thread]) -> list[threading.Thread]:
    return [t for t in threads if t.is_alive()]
