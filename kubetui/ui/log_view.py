"""A log viewer on Textual's Line API: a bounded ring buffer of lines (old ones fall off),
only the visible lines drawn, a coloured prefix per source, a filter (regex, `!` to
hide) whose matches are highlighted, and follow mode that keeps the newest line in view.
Terminal control sequences inside lines are shown as text (`^[`), never executed."""

from __future__ import annotations

import re
from collections import deque

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

MAX_LINES = 1_000_000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x9b]")
PREFIX_COLOURS = ("#5fafff", "#87d787", "#d7af5f", "#d787d7", "#5fd7d7", "#ff8787")


def harmless(text: str) -> str:
    """Control characters made visible: ESC becomes ^[, so a log cannot drive the terminal."""
    return _CONTROL.sub(lambda m: "^" + chr((ord(m.group()) + 64) % 128), text)


class LogView(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("up,k", "scroll_lines(-1)", "Up", show=False, id="logs.up"),
        Binding("down,j", "scroll_lines(1)", "Down", show=False, id="logs.down"),
        Binding("pageup,ctrl+b", "scroll_lines(-20)", "Page up", show=False, id="logs.page_up"),
        Binding("pagedown,ctrl+f", "scroll_lines(20)", "Page down", show=False,
                id="logs.page_down"),
        Binding("home,g", "top", "Top", show=False, id="logs.top"),
        Binding("end,G", "bottom", "Bottom", show=False, id="logs.bottom"),
    ]

    def __init__(self, max_lines: int = MAX_LINES, **kwargs):
        super().__init__(**kwargs)
        self.lines: deque[tuple[str, str, str]] = deque(maxlen=max_lines)  # prefix, stamp, text
        self.shown: deque[int] | None = None  # absolute numbers the filter keeps (None: all)
        self._first = 0  # the absolute number of lines[0] (old lines fall off the front)
        self.pattern: re.Pattern | None = None
        self.inverse = False
        self.follow = True
        self.timestamps = False
        self.prefixes: dict[str, Style] = {}
        self.dropped = 0  # lines the ring buffer let go
        self._width = 0

    # -- content
    def add(self, batch: list[tuple[str, str, str]]) -> None:
        if not batch:
            return
        total = self._first + len(self.lines)
        before = len(self.lines)
        self.lines.extend((p, s, harmless(t)) for p, s, t in batch)
        fell = before + len(batch) - len(self.lines)
        if fell > 0:
            self._first += fell
            self.dropped += fell
        for prefix, _, _ in batch:
            if prefix and prefix not in self.prefixes:
                self.prefixes[prefix] = Style(color=PREFIX_COLOURS[len(self.prefixes)
                                                                   % len(PREFIX_COLOURS)])
        if self.shown is not None:
            self.shown.extend(total + i for i, (_, _, t) in enumerate(batch)
                              if self._keeps(t))
            while self.shown and self.shown[0] < self._first:
                self.shown.popleft()
        self._resize()
        if self.follow:
            self.scroll_end(animate=False, immediate=True)

    def clear(self) -> None:
        self._first += len(self.lines)
        self.lines.clear()
        self.shown = deque() if self.pattern is not None else None
        self._resize()

    def set_filter(self, text: str) -> str:
        """Show only lines matching `text` (`!text`: hide them); "" shows all."""
        error = ""
        self.inverse = text.startswith("!")
        body = text[1:] if self.inverse else text
        if not body:
            self.pattern = None
        else:
            try:
                self.pattern = re.compile(body, re.IGNORECASE)
            except re.error as exc:
                self.pattern = re.compile(re.escape(body), re.IGNORECASE)
                error = f"not a valid regex ({exc}); matching the text as it is"
        self._refilter()
        return error

    def _keeps(self, text: str) -> bool:
        return self.pattern is None or bool(self.pattern.search(text)) != self.inverse

    def _refilter(self) -> None:
        first = self._first
        self.shown = None if self.pattern is None else deque(
            first + i for i, (_, _, t) in enumerate(self.lines) if self._keeps(t))
        self._resize()

    @property
    def visible_count(self) -> int:
        return len(self.lines) if self.shown is None else len(self.shown)

    def visible_text(self) -> list[str]:
        first = self._first
        rows = self.lines if self.shown is None else (self.lines[i - first]
                                                      for i in self.shown)
        return [self._line_text(p, s, t) for p, s, t in rows]

    def _line_text(self, prefix: str, stamp: str, text: str) -> str:
        head = f"[{prefix}] " if prefix else ""
        return head + (f"{stamp} " if self.timestamps and stamp else "") + text

    def _resize(self) -> None:
        self.virtual_size = Size(max(self._width, self.size.width), self.visible_count)
        self.refresh()

    # -- movement
    def action_scroll_lines(self, n: int) -> None:
        self.follow = n > 0 and self.is_vertical_scroll_end
        self.scroll_to(y=self.scroll_offset.y + n, animate=False)

    def action_top(self) -> None:
        self.follow = False
        self.scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.follow = True
        self.scroll_end(animate=False)

    # -- drawing
    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y
        width = self.size.width
        if index >= self.visible_count:
            return Strip.blank(width)
        prefix, stamp, text = self.lines[index if self.shown is None
                                         else self.shown[index] - self._first]
        segments = []
        if prefix:
            segments.append(Segment(f"[{prefix}] ", self.prefixes.get(prefix)))
        if self.timestamps and stamp:
            segments.append(Segment(f"{stamp} ", Style(dim=True)))
        if self.pattern is not None and not self.inverse:
            last = 0
            for m in self.pattern.finditer(text):
                segments.append(Segment(text[last:m.start()]))
                segments.append(Segment(m.group(), Style(reverse=True, bold=True)))
                last = m.end()
            segments.append(Segment(text[last:]))
        else:
            segments.append(Segment(text))
        strip = Strip(segments)
        if strip.cell_length > self._width:
            self._width = strip.cell_length
        x = int(self.scroll_offset.x)
        return strip.crop_extend(x, x + width, None)
