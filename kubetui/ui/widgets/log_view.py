"""A log viewer on Textual's Line API over a bounded, compressed buffer
(`kube.log_buffer`): old lines fall off, only the visible lines are drawn, each source
gets a coloured prefix. A filter (regex, `!` to hide) keeps matching lines; a search
highlights its matches and moves between them (n / N) without hiding anything. Wrap and
timestamps are toggles; follow keeps the newest line in view. Terminal control sequences
inside lines are shown as text (`^[`), never executed."""

from __future__ import annotations

import re
from array import array

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from kubetui.kube.log_buffer import LogBuffer
from kubetui.render.safe import harmless

MAX_LINES = 1_000_000
ASYNC_FILTER_LINES = 100_000  # past this, a filter runs in a thread (1M lines: about 1 s)
PREFIX_COLOURS = ("#5fafff", "#87d787", "#d7af5f", "#d787d7", "#5fd7d7", "#ff8787")
FILTER_MATCH = Style(reverse=True, bold=True)
SEARCH_MATCH = Style(bgcolor="#d7af00", color="#000000", bold=True)
CURRENT_LINE = Style(bgcolor="#303050")


def _matching(lines: LogBuffer, pattern: re.Pattern, inverse: bool) -> array:
    """The numbers of the lines a filter keeps."""
    hint = None if inverse else pattern
    return array("q", (n for n, (_, _, t) in lines.scan(hint=hint)
                       if bool(pattern.search(t)) != inverse))


def _compile(body: str) -> tuple[re.Pattern, str]:
    try:
        return re.compile(body, re.IGNORECASE), ""
    except re.error as exc:
        return re.compile(re.escape(body), re.IGNORECASE), \
            f"not a valid regex ({exc}); matching the text as it is"


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
        self.lines = LogBuffer(max_lines)
        self.shown: array | None = None  # absolute numbers the filter keeps (None: all)
        self._shown_from = 0  # entries of `shown` before this index fell off the buffer
        self.pattern: re.Pattern | None = None
        self.inverse = False
        self.search: re.Pattern | None = None
        self.current: int | None = None  # the absolute number of the current search match
        self.follow = True
        self.timestamps = False
        self.wrap = False
        self.prefixes: dict[str, Style] = {}
        self._width = 0
        self.filtering = False  # a filter is being applied in a thread
        self._filter_gen = 0
        self._layout_key: tuple = ()
        self._layout: list[tuple[int, int]] = []  # wrapped rows: (visible index, chunk)

    @property
    def dropped(self) -> int:
        return self.lines.dropped

    # -- content
    def add(self, batch: list[tuple[str, str, str]]) -> None:
        if not batch:
            return
        start = self.lines.end
        self.lines.extend((p, s, harmless(t)) for p, s, t in batch)
        for prefix, _, _ in batch:
            if prefix and prefix not in self.prefixes:
                self.prefixes[prefix] = Style(color=PREFIX_COLOURS[len(self.prefixes)
                                                                   % len(PREFIX_COLOURS)])
        if self.shown is not None and not self.filtering:
            self.shown.extend(start + i for i, (_, _, t) in enumerate(batch)
                              if self._keeps(harmless(t)))
            self._trim_shown()
        self._resize()
        if self.follow:
            self.scroll_end(animate=False, immediate=True)

    def _trim_shown(self) -> None:
        first, shown = self.lines.first, self.shown
        if shown is None:
            return
        while self._shown_from < len(shown) and shown[self._shown_from] < first:
            self._shown_from += 1
        if self._shown_from > 4096 and self._shown_from * 2 > len(shown):
            del shown[:self._shown_from]
            self._shown_from = 0

    def clear(self) -> None:
        self.lines.clear()
        self.shown = array("q") if self.pattern is not None else None
        self._shown_from = 0
        self.current = None
        self._resize()

    def set_filter(self, text: str) -> str:
        """Show only lines matching `text` (`!text`: hide them); "" shows all."""
        error = ""
        self.inverse = text.startswith("!")
        body = text[1:] if self.inverse else text
        if not body:
            self.pattern = None
        else:
            self.pattern, error = _compile(body)
        self._refilter()
        return error

    def _keeps(self, text: str) -> bool:
        return self.pattern is None or bool(self.pattern.search(text)) != self.inverse

    def _refilter(self) -> None:
        self._shown_from = 0
        self._filter_gen += 1
        self.filtering = False
        if self.pattern is None:
            self.shown = None
        elif len(self.lines) < ASYNC_FILTER_LINES:
            self.shown = _matching(self.lines, self.pattern, self.inverse)
        else:  # a million lines: in a thread, over a frozen copy; the screen stays live
            self.filtering = True
            self.shown = array("q")
            gen, copy, pattern, inverse = self._filter_gen, self.lines.frozen(), \
                self.pattern, self.inverse

            def work() -> None:
                shown = _matching(copy, pattern, inverse)
                self.post_message(self.Filtered(gen, shown, copy.end))

            self.run_worker(work, thread=True, exit_on_error=False, group="log-filter")
        self._resize()

    class Filtered(Message):
        """A filter's thread matched the lines up to `upto` (for filter number `gen`)."""

        def __init__(self, gen: int, shown: array, upto: int) -> None:
            super().__init__()
            self.gen, self.shown, self.upto = gen, shown, upto

    def on_log_view_filtered(self, message: Filtered) -> None:
        message.stop()  # the view's own business
        self._filtered(message.gen, message.shown, message.upto)

    def _filtered(self, gen: int, shown: array, upto: int) -> None:
        """The thread's result, plus the lines that came while it ran."""
        if gen != self._filter_gen:
            return  # a newer filter replaced it
        if upto < self.lines.end:
            shown.extend(n for n, (_, _, t) in self.lines.scan(max(upto, self.lines.first))
                         if self._keeps(t))
        self.shown, self._shown_from, self.filtering = shown, 0, False
        self._trim_shown()
        self._resize()
        if self.follow:
            self.scroll_end(animate=False, immediate=True)

    @property
    def visible_count(self) -> int:
        if self.shown is None:
            return len(self.lines)
        return len(self.shown) - self._shown_from

    def _number(self, index: int) -> int:
        """The absolute line number of visible line `index`."""
        if self.shown is None:
            return self.lines.first + index
        return self.shown[self._shown_from + index]

    def _index(self, number: int) -> int:
        """The visible index of absolute line `number` (the nearest one before it)."""
        if self.shown is None:
            return number - self.lines.first
        from bisect import bisect_right
        return max(0, bisect_right(self.shown, number, self._shown_from) - 1 - self._shown_from)

    def visible_text(self) -> list[str]:
        return [self._line_text(*self.lines.get(self._number(i)))
                for i in range(self.visible_count)]

    def _line_text(self, prefix: str, stamp: str, text: str) -> str:
        head = f"[{prefix}] " if prefix else ""
        return head + (f"{stamp} " if self.timestamps and stamp else "") + text

    # -- search
    def set_search(self, text: str) -> str:
        """Highlight `text` (a regex) and go to its newest match; "" ends the search."""
        error = ""
        if not text:
            self.search, self.current = None, None
        else:
            self.search, error = _compile(text)
            self.current = None
            if not self.next_match(backwards=True, start=self.lines.end - 1):
                error = error or f"no line matches {text!r}"
        self.refresh()
        return error

    def next_match(self, backwards: bool = False, start: int | None = None) -> bool:
        """Move to the next (or previous) visible line matching the search."""
        if self.search is None or not len(self.lines):
            return False
        if start is None:
            start = (self.current if self.current is not None else self._number(
                min(self.visible_count - 1, int(self.scroll_offset.y)))) + (-1 if backwards
                                                                            else 1)
        if start < self.lines.first or start >= self.lines.end:
            return False
        for number, (_, _, text) in self.lines.scan(start, backwards, hint=self.search):
            if self.search.search(text) and (self.pattern is None or self._keeps(text)):
                self.current = number
                self.follow = False
                index = self._index(number)
                self.scroll_to(y=max(0, index - self.size.height // 2), animate=False,
                               immediate=True)
                self.refresh()
                return True
        return False

    # -- toggles
    def toggle_wrap(self) -> None:
        self.wrap = not self.wrap
        self.scroll_to(x=0, animate=False, immediate=True)
        self._resize()

    def _resize(self) -> None:
        width = self.size.width if self.wrap else max(self._width, self.size.width)
        self.virtual_size = Size(width, self.visible_count)
        self._layout_key = ()
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
    def _strip(self, number: int) -> Strip:
        prefix, stamp, text = self.lines.get(number)
        segments = []
        if prefix:
            segments.append(Segment(f"[{prefix}] ", self.prefixes.get(prefix)))
        if self.timestamps and stamp:
            segments.append(Segment(f"{stamp} ", Style(dim=True)))
        marks = []
        if self.pattern is not None and not self.inverse:
            marks += [(m.start(), m.end(), FILTER_MATCH) for m in self.pattern.finditer(text)]
        if self.search is not None:
            marks += [(m.start(), m.end(), SEARCH_MATCH) for m in self.search.finditer(text)]
        last = 0
        for start, end, style in sorted(marks):
            if start < last:
                continue
            segments.append(Segment(text[last:start]))
            segments.append(Segment(text[start:end], style))
            last = end
        segments.append(Segment(text[last:]))
        strip = Strip(segments)
        if number == self.current:
            strip = strip.apply_style(CURRENT_LINE)
        return strip

    def _wrapped_rows(self, top: int, height: int, width: int) -> list[tuple[int, int]]:
        """Rows for the screen in wrap mode: (visible index, which chunk of the line).
        At the end of the log (following) the rows are laid out from the bottom up, so the
        newest line is always whole on screen."""
        count = self.visible_count

        def chunks(i: int) -> int:
            return max(1, -(-self._strip(self._number(i)).cell_length // width))

        rows: list[tuple[int, int]] = []
        if self.follow or top >= count - height:
            i = count - 1
            while i >= 0 and len(rows) < height:
                rows[:0] = [(i, c) for c in range(chunks(i))]
                i -= 1
            return rows[-height:] if len(rows) > height else rows
        i = top
        while i < count and len(rows) < height:
            rows.extend((i, c) for c in range(chunks(i)))
            i += 1
        return rows[:height]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if self.wrap:
            key = (int(self.scroll_offset.y), width, self.size.height, self.visible_count,
                   self.lines.end, self.follow, self.timestamps, self.current,
                   id(self.search), id(self.pattern))
            if key != self._layout_key:
                self._layout_key = key
                self._layout = self._wrapped_rows(key[0], self.size.height, max(1, width))
            if y >= len(self._layout):
                return Strip.blank(width)
            index, chunk = self._layout[y]
            strip = self._strip(self._number(index))
            return strip.crop_extend(chunk * width, (chunk + 1) * width, None)
        index = int(self.scroll_offset.y) + y
        if index >= self.visible_count:
            return Strip.blank(width)
        strip = self._strip(self._number(index))
        if strip.cell_length > self._width:
            self._width = strip.cell_length
        x = int(self.scroll_offset.x)
        return strip.crop_extend(x, x + width, None)
