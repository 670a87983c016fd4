"""Scrolling bodies whose keys move them at once. Textual animates a key's scroll and
starts each from where the animation is, so a held key (about 30 repeats a second) lost
most of its presses: ten quick downs moved three lines, ten rights three cells. Here a
key scrolls its line (or four cells sideways, or a page) before the next key is read, as
k9s's views do."""

from __future__ import annotations

from textual import containers
from textual.actions import SkipAction
from textual.binding import Binding, BindingType

SIDEWAYS = 4  # cells a left or right key moves

VIM_KEYS: list[BindingType] = [
    Binding("j", "scroll_down", "Down", show=False, id="scroll.down"),
    Binding("k", "scroll_up", "Up", show=False, id="scroll.up"),
    Binding("g", "scroll_top", "Top", show=False, id="scroll.top"),
    Binding("G", "scroll_bottom", "Bottom", show=False, id="scroll.bottom"),
    Binding("ctrl+f", "page_down", "Page down", show=False, id="scroll.page_down"),
    Binding("ctrl+b", "page_up", "Page up", show=False, id="scroll.page_up"),
]


class _Keys:
    """The key actions of a scrolling container, without animation; and k9s's (vim's)
    keys beside the arrows: j k down and up, g G top and bottom, ctrl+f ctrl+b a page
    (describe and YAML had only the arrows and the page keys)."""

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

    def action_scroll_top(self) -> None:
        self._vertical(-self.scroll_y)  # type: ignore[attr-defined]

    def action_scroll_bottom(self) -> None:
        self._vertical(self.max_scroll_y - self.scroll_y)  # type: ignore[attr-defined]

    def action_scroll_right(self) -> None:
        self._sideways(SIDEWAYS)

    def action_scroll_left(self) -> None:
        self._sideways(-SIDEWAYS)


class ScrollableContainer(_Keys, containers.ScrollableContainer):
    """Scrolls both ways (a line wider than the screen scrolls sideways)."""

    BINDINGS = VIM_KEYS


class VerticalScroll(_Keys, containers.VerticalScroll):
    """Scrolls up and down."""

    BINDINGS = VIM_KEYS


__all__ = ["SIDEWAYS", "ScrollableContainer", "VerticalScroll"]
