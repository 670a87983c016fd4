"""How the caches tell the UI that something changed, so that it can sleep otherwise.

Every store of a session (and every informer's health) calls the session's `Waker` on
a change, from whatever thread made it. The waker passes the first call on to its
callback (the UI's: "look soon", thread-safe) and swallows the rest until the UI says
it `looked()`: a thousand events a second cost one wake-up per frame, and an idle
cluster costs none."""

from __future__ import annotations

from collections.abc import Callable


class Waker:
    def __init__(self) -> None:
        self.callback: Callable[[], None] | None = None
        self._pending = False
        self.wakes = 0  # callbacks made (for tests and benchmarks)

    def __call__(self) -> None:
        callback = self.callback
        if callback is None or self._pending:
            return
        self._pending = True
        self.wakes += 1
        callback()

    def looked(self) -> None:
        """The UI is taking the changes: the next one wakes it again."""
        self._pending = False
