"""Scrolling bodies whose keys move them at once. Textual animates a key's scroll and
starts each from where the animation is, so a held key (about 30 repeats a second) lost
most of its presses: ten quick downs moved three lines, ten rights three cells. Here a
key scrolls its line (or four cells sideways, or a page) before the next key is read, as
k9s's views do."""

from __future__ import annotations

from textual import containers
from textual.actions import SkipAction

SIDEWAYS = 4  # cells a left or right key moves


class _Keys:
    """The key actions of a scrolling container, without animation."""

    def _by(self, dx: float, dy: float) -> None:
        self.scroll_to(x=self.scroll_x + dx, y=self.scroll_y + dy,  # type: ignore[attr-defined]
                       animate=False, immediate=True)

    def _vertical(self, lines: float) -> None:
        if not self.allow_vertical_scroll:  # type: ignore[attr-defined]
            raise SkipAction()  # (a parent that can may take the key)
        self._by(0, lines)

    def _sideways(self, cells: float) -> None:
        if not self.allow_horizontal_scroll:  # type: ignore[attr-defined]
            raise SkipAction()
        self._by(cells, 0)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height)  # type: ignore[attr-defined]

    def action_scroll_down(self) -> None:
        self._vertical(1)

    def action_scroll_up(self) -> None:
        self._vertical(-1)

    def action_page_down(self) -> None:
        self._vertical(self._page())

    def action_page_up(self) -> None:
        self._vertical(-self._page())

    def action_scroll_right(self) -> None:
        self._sideways(SIDEWAYS)

    def action_scroll_left(self) -> None:
        self._sideways(-SIDEWAYS)


class ScrollableContainer(_Keys, containers.ScrollableContainer):
    """Scrolls both ways (a line wider than the screen scrolls sideways)."""


class VerticalScroll(_Keys, containers.VerticalScroll):
    """Scrolls up and down."""


__all__ = ["SIDEWAYS", "ScrollableContainer", "VerticalScroll"]
