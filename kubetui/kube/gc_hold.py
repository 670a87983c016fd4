"""Hold full garbage collections off while a big list is decoded.

A first list of 10,000 pods allocates a few hundred thousand long-lived objects (plain,
acyclic dicts and tuples, freed by reference counting). As they pile up, CPython runs
full (generation 2) collections, each walking everything alive, cache included: at
10,000 pods five of them took 0.53 s of the 1.7 s sync. While a list is read, the
oldest generation's threshold is raised out of reach; the young generations are
collected as usual (cyclic garbage the UI makes meanwhile still goes). Nested and
concurrent holds (several informers listing at once) share one: the last to end
freezes what the lists made and puts the threshold back.

A freeze catches everything alive, so the app says when one is safe (`guard_freezes`):
a list that ended while a screen was open (a log screen's own informer lists its pods)
froze that screen, which, once closed, stayed as frozen garbage until the app's next
heap reset; in a busy soak such garbage piled up to 0.3M blocks between resets and
set new high-water marks. Unsafe, the threshold goes back without a freeze (a full
collection may then come sooner), and the app freezes when it is safe again."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_saved: tuple[int, int, int] | None = None
OUT_OF_REACH = 1_000_000  # generation-1 collections before a full one: never, in a list
_guard: Callable[[], bool] | None = None  # whether a freeze is safe now (None: always)


def guard_freezes(guard: Callable[[], bool] | None) -> None:
    """Ask `guard` (called from the informer thread whose list ended last) before each
    freeze; None: freeze always (no UI: the CLI, the benchmarks)."""
    global _guard
    _guard = guard


def _may_freeze() -> bool:
    guard = _guard
    if guard is None:
        return True
    try:
        return bool(guard())
    except Exception:  # noqa: BLE001 - an app shutting down: not the moment to freeze
        return False


@contextmanager
def full_collections_held() -> Iterator[None]:
    global _holders, _saved
    with _lock:
        if _holders == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(_saved[0], _saved[1], OUT_OF_REACH)
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _saved is not None:
                # what the lists brought is long-lived: out of the collector's walks from
                # now on (else the first full collection after the hold walks it all,
                # 140 ms at 10,000 pods, on whichever thread allocates). A freeze moves
                # the UI's objects too; the app's heap reset (ui/lifetime.py) unfreezes
                # and collects when the user is idle, as after every freeze.
                if _may_freeze():
                    gc.freeze()
                threshold = gc.get_threshold()
                if threshold[2] == OUT_OF_REACH:  # (nobody else changed it meanwhile)
                    gc.set_threshold(threshold[0], threshold[1], _saved[2])
                _saved = None


def holding() -> bool:
    return _holders > 0
