"""The browser's `/` filters as it is typed, as k9s's does: a short pause first (one
filter per pause, not per key, at 10,000 rows), the cursor to the first row; Escape
puts back the filter that was in force, Enter keeps it. A label selector (`-l`, sent to
the server) and a regex not yet valid wait for Enter (each half-typed one would be a
request, or a message, per pause)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual.timer import Timer

from kubetui.ui.navigation import parse_filter

if TYPE_CHECKING:
    from kubetui.ui.screens.browser import BrowserScreen
    from kubetui.ui.widgets.command_bar import CommandBar

PAUSE = 0.15  # seconds of no typing before the rows are filtered


class LiveFilter:
    def __init__(self, screen: BrowserScreen) -> None:
        self.screen = screen
        self._timer: Timer | None = None
        self._before: str | None = None  # the filter in force when typing began

    @property
    def pending(self) -> bool:
        """Typed, and the pause before filtering not over yet."""
        return self._timer is not None

    def typed(self, bar: CommandBar) -> None:
        """The bar's text changed."""
        if bar.mode != "/" or not bar.display:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.screen.set_timer(PAUSE, lambda: self._apply(bar))

    def _apply(self, bar: CommandBar) -> None:
        self._timer = None
        screen = self.screen
        text = bar.value
        if bar.mode != "/" or not bar.display or text == screen.state.filter:
            return
        if text.strip().startswith("-l") or parse_filter(text).error:
            return
        if self._before is None:
            self._before = screen.state.filter
        # (to the first row, as Enter does: the row under the cursor may be filtered out)
        screen.show(replace(screen.state, filter=text, cursor_key=None), push=False)

    def ended(self, entered: bool) -> None:
        """The bar closed: Enter keeps what was typed (the screen applies it), Escape
        puts back the filter that was in force before."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        before, self._before = self._before, None
        screen = self.screen
        if not entered and before is not None and screen.state.filter != before:
            # (back to all rows: the cursor stays on its row, as when esc clears a filter)
            screen.show(replace(screen.state, filter=before, cursor_key=screen.table.cursor_key
                                if not before else None), push=False)


__all__ = ["LiveFilter"]
