"""A table on Textual's Line API: it draws only the visible rows, takes keyed updates,
keeps the cursor on the same object while rows move, and never sizes itself per row."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Key
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from kubetui.render.age import human_duration, next_change

Row = tuple[tuple[str, ...], str]

MAX_COL_WIDTH = 60
GAP = 2
# a row's lint marker, drawn in a gutter of its own when the table has a `marks` function
MARKS = {"error": ("✖", "error"), "warning": ("▲", "pending"), "info": ("•", "done")}
GUTTER = 2
AGE_WIDTH = 6  # HumanDuration is at most 5 wide ("2y70d", "3h30m")
# When the terminal is too narrow, these columns go first (as k9s does), in this order;
# then NAMESPACE, NAME and STATUS are shortened, with an ellipsis, step by step.
DROP_FIRST = ("READINESS GATES", "NOMINATED NODE", "LABELS", "SELECTOR", "CONTAINERS",
              "IMAGES", "PORT(S)", "EXTERNAL-IP", "CLUSTER-IP", "%CPU/R", "%MEM/L", "%CPU",
              "%MEM", "IP", "NODE", "MEM", "CPU")
SAMPLE = 500  # rows measured for the column widths of a rebuild (beside the names)
PATCH_SAMPLE = 32  # and of a patch (a page of a first list, a burst of changes)
SHRINK = (("NAMESPACE", 12), ("NAME", 24), ("STATUS", 16), ("NAME", 16), ("NAME", 12))


def fit_columns(columns: tuple[str, ...], widths: list[int],
                room: int, drop: bool = True) -> list[tuple[int, int]]:
    """(column index, width) of what fits in `room`: droppable columns go first (unless
    not `drop`: the user asked for every column, kubectl's -o wide), then NAME and
    NAMESPACE are shortened; what still does not fit scrolls sideways."""
    shown = list(range(len(widths)))
    sized = dict(enumerate(widths))

    def total() -> int:
        return sum(sized[i] for i in shown) + GAP * max(len(shown) - 1, 0)

    for name in DROP_FIRST if drop else ():
        if total() <= room:
            break
        if name in columns and len(shown) > 2:
            shown.remove(columns.index(name))
    for name, narrowest in SHRINK if drop else SHRINK[:3]:  # (wide: names stay readable)
        over = total() - room
        if over <= 0:
            break
        if name in columns and columns.index(name) in shown:
            i = columns.index(name)
            sized[i] = max(min(narrowest, sized[i]), sized[i] - over)
    return [(i, sized[i]) for i in shown]


class ResourceTable(ScrollView, can_focus=True):
    """Rows keyed `namespace/name`, sorted by key, coloured by health."""

    COMPONENT_CLASSES = {
        "resource-table--header",
        "resource-table--cursor",
        "resource-table--ok",
        "resource-table--pending",
        "resource-table--error",
        "resource-table--done",
        "resource-table--marked",
    }

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False, id="table.page_up"),
        Binding("pagedown,ctrl+f", "page(1)", "Page down", show=False, id="table.page_down"),
        Binding("home,g", "jump(0)", "Top", show=False, id="table.top"),
        Binding("end,G", "jump(-1)", "Bottom", show=False, id="table.bottom"),
    ]

    # Type-ahead: keys typed or pasted right after ':' (or '/') reach the table before the
    # command bar has opened and taken the focus (the key that opens it is acted on only
    # after it bubbles up). They belong to the bar, not to the hotkeys: the table holds
    # them until the bar opens (`release_typeahead`), then hands them over in order.
    typeahead: Widget | None = None
    opens_typeahead: frozenset[str] = frozenset({"command", "filter"})  # bound actions
    _typing: bool
    _held: list[Key]
    _after: list[Key]
    _closing: bool

    def on_key(self, event: Key) -> None:
        bar = self.typeahead
        if bar is None:
            return
        if self._typing:
            event.stop()
            event.prevent_default()
            key = Key(event.key, event.character)
            # the screen's focus, not the bar's has_focus: that turns true only when the bar
            # handles its Focus event, and keys the app handed here before the bar opened
            # can be read first (they were held for ever, the bar left empty)
            opened = bar.display and self.screen.focused is bar
            if self._after or (opened and self._closing):
                self._after.append(key)  # typed after the bar's Enter: for what follows
            elif opened:
                bar.post_message(key)
                self._closing = key.key in ("enter", "escape")
            else:
                self._held.append(key)
            return
        bound = self.screen.active_bindings.get(event.key)
        if bound is not None and bound.binding.action in self.opens_typeahead:
            self._typing = True  # the key goes on up, to open the bar

    def release_typeahead(self) -> None:
        """The bar is open: what was typed meanwhile goes to it, up to the Enter or
        Escape that closes it; what follows is typed after the bar (`end_typeahead`)."""
        held, self._held = self._held, []
        ends = next((i for i, k in enumerate(held) if k.key in ("enter", "escape")), None)
        if ends is not None:
            held, self._after = held[:ends + 1], held[ends + 1:]
        for key in held:
            if self.typeahead is not None:
                self.typeahead.post_message(key)

    def end_typeahead(self) -> None:
        """The bar closed: keys typed after its Enter go where any key goes now."""
        after, self._after = self._after, []
        self._typing, self._held, self._closing = False, [], False
        if after:
            # made by the app itself, so they go all the way up to its key bindings (a
            # message stops bubbling at the one that sent it)
            self.app.call_later(lambda: [self.app.post_message(Key(k.key, k.character))
                                         for k in after])

    class CursorMoved(Message):
        def __init__(self, key: str | None):
            super().__init__()
            self.key = key

    def __init__(self, columns: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.columns = columns
        self._rows: Mapping[str, Row] = {}
        self._order: list[str] = []
        self._widths: list[int] = [len(c) for c in columns]
        self.cursor = 0
        self.cursor_key: str | None = None
        self.wanted: str | None = None  # a row to land on once it arrives (see aim)
        self.empty_message = "No resources"
        self.created: dict[str, float] = {}  # key -> creation time: AGE ticks at draw time
        self._age_index = self._find_age(columns)
        self._since_index = self._find_since(columns)
        self._second = -1
        self._ages: tuple[str, ...] = ()
        self._styles: dict[str, Style] = {}
        self._fit_key: tuple = ()
        self._typing = False
        self._held = []
        self._after = []
        self._closing = False  # the bar has been sent the key that closes it
        self._fit: list[tuple[int, int]] = []
        self._widening: list[int] | None = None  # widths a drawn row asked for
        self.names_in_keys = False  # keys are `namespace/name` (or `name`) of the rows
        # every column shown, however narrow the screen (the wide toggle): what does
        # not fit scrolls sideways (the wide columns were the first dropped, so ^w
        # seemed to add nothing)
        self.every_column = False
        # key -> "error" / "warning" / "info" / None: a marker in a gutter before each
        # row (asked for the visible rows only, at draw time); None: no gutter
        self.marks: Callable[[str], str | None] | None = None
        # keys the user marked (space): drawn in the marked style (the browser's set)
        self.marked: set[str] = set()

    # -- data
    @property
    def row_count(self) -> int:
        return len(self._order)

    def keys(self) -> list[str]:
        return list(self._order)

    def row(self, key: str) -> Row | None:
        return self._rows.get(key)

    @staticmethod
    def _find_age(columns: tuple[str, ...]) -> int | None:
        """The column that ticks: AGE, or an event's LAST SEEN."""
        for name in ("AGE", "LAST SEEN"):
            if name in columns:
                return columns.index(name)
        return None

    @staticmethod
    def _find_since(columns: tuple[str, ...]) -> int | None:
        """The column that counts from a moment in its text: a pod's RESTARTS."""
        return columns.index("RESTARTS") if "RESTARTS" in columns else None

    def set_marks(self, marks: Callable[[str], str | None] | None) -> None:
        """Markers (lint findings) before the rows: a function of the row's key, asked
        for the visible rows when they are drawn; None takes the gutter away."""
        had = self.marks is not None
        self.marks = marks
        if had != (marks is not None):
            self.on_resize()
        self.refresh()

    def set_columns(self, columns: tuple[str, ...]) -> None:
        self.columns = columns
        self._age_index = self._find_age(columns)
        self._since_index = self._find_since(columns)
        self._widths = [len(c) for c in columns]
        self.apply({}, [], set(), True)

    def apply(self, rows: Mapping[str, Row], order: list[str], changed: set[str],
              rebuild: bool, created: dict[str, float] | None = None,
              moved: bool = True) -> None:
        """Patch the content: `rows` is the caller's (shared, not copied; it may format
        rows only when read, see render/rows.py), `order` the keys to show, `changed`
        the rows that are new or different, `moved` whether any row changed place.
        Column widths only grow on a patch and are measured afresh on a rebuild, from
        the names (in the keys) and a sample of rows; a drawn row that is wider than
        its column widens it. Nothing is redrawn when only rows off screen changed."""
        self._rows, self._order = rows, order
        if created is not None:
            self.created = created
        if rebuild:
            widths = self._name_widths(order)
            keys: Iterable[str] = self._sample(order)
        else:
            widths = list(self._widths)
            keys = changed if len(changed) <= PATCH_SAMPLE else \
                self._sample(sorted(changed), PATCH_SAMPLE)
        n = len(widths)
        for key in keys:
            row = rows.get(key)
            if row is None:
                continue
            for i, cell in enumerate(row[0][:n]):
                if len(cell) > widths[i]:
                    widths[i] = len(cell)
        before = self._widths
        self._set_widths(widths)
        self._restore_cursor()
        self._size_virtual()
        if rebuild or moved or self._widths != before or any(
                k in self._on_screen() for k in changed):
            self.refresh()

    def _set_widths(self, widths: list[int]) -> None:
        self._widths = [min(w, MAX_COL_WIDTH) for w in widths]
        if self._age_index is not None:
            self._widths[self._age_index] = max(self._widths[self._age_index], AGE_WIDTH)

    def _size_virtual(self) -> None:
        fitted = self._fitted()
        total = sum(w for _, w in fitted) + GAP * max(len(fitted) - 1, 0) + self._gutter
        self.virtual_size = Size(total, len(self._order) + 1)

    def _name_widths(self, order: list[str]) -> list[int]:
        """Header widths, and (where rows are keyed `namespace/name`, as the browser's
        are) NAME's and NAMESPACE's from the keys: exact, without formatting a row."""
        widths = [len(c) for c in self.columns]
        if not self.names_in_keys:
            return widths
        if "NAME" in self.columns and order:
            i = self.columns.index("NAME")
            widths[i] = max(widths[i], max(len(k) - k.rfind("/") - 1 for k in order))
        if "NAMESPACE" in self.columns and order:
            i = self.columns.index("NAMESPACE")
            widths[i] = max(widths[i], max(k.find("/") for k in order))
        return widths

    def _sample(self, keys: list[str], size: int = SAMPLE) -> list[str]:
        """The rows on screen and up to `size` of `keys`, spread over them."""
        if len(keys) <= size:
            return keys
        step = len(keys) / size
        top = int(self.scroll_offset.y)
        return [keys[int(i * step)] for i in range(size)] + \
            self._order[top: top + self._visible_rows()]

    def _widen(self, cells: tuple[str, ...]) -> None:
        """A row being drawn is wider than its column (the sample missed it): widen
        after this frame (not during it: the layout is being drawn)."""
        widths = list(self._widths)
        for i, cell in enumerate(cells[:len(widths)]):
            if len(cell) > widths[i]:
                widths[i] = len(cell)
        widths = [min(w, MAX_COL_WIDTH) for w in widths]
        if widths != self._widths and widths != self._widening:
            self._widening = widths

            def widen() -> None:
                grown = [max(a, b) for a, b in zip(self._widths, self._widening or [],
                                                          strict=False)]
                self._widening = None
                if grown != self._widths:
                    self._set_widths(grown)
                    self._size_virtual()
                    self.refresh()
            self.call_after_refresh(widen)

    def _on_screen(self) -> set[str]:
        top = int(self.scroll_offset.y)
        return set(self._order[top: top + self._visible_rows()])

    def tick(self) -> None:
        """Once a second: redraw if a visible age reads differently now (older objects'
        ages change once a minute or less, so mostly nothing is drawn)."""
        second = int(time.time())
        if second == self._second or not self._order or (
                self._age_index is None and self._since_index is None):
            return
        self._second = second
        shown = self._on_screen()
        redraw = False
        since = getattr(self._rows, "refresh_since", None)
        if self._since_index is not None and since is not None:
            redraw = since(shown, self._since_index)
        if self._age_index is not None:
            ages = tuple(_age(self.created.get(k, 0.0)) for k in shown)
            if ages != self._ages:
                self._ages = ages
                redraw = True
        if redraw:
            self.refresh()

    def next_age_change(self) -> float:
        """Seconds until an age on screen reads differently (inf: none shown); a second
        while a RESTARTS on screen counts from its last restart."""
        if not self._order:
            return float("inf")
        if self._since_index is not None and any(
                self._rows[k][0][self._since_index].endswith(" ago)")
                for k in self._on_screen() if k in self._rows):
            return 1.0
        if self._age_index is None:
            return float("inf")
        now = time.time()
        created = self.created
        return min((next_change(now - created[k]) for k in self._on_screen()
                    if created.get(k)), default=float("inf"))

    def aim(self, key: str | None) -> None:
        """Put the cursor on `key` once its row is there (a view whose rows are still
        arriving); until then no row is selected, so no action can aim at another."""
        self.wanted = key
        self.cursor_key = key

    def _restore_cursor(self) -> None:
        order = self._order
        if self.wanted is not None:
            if self.wanted in self._rows and self.wanted in order:
                self.cursor, self.cursor_key, self.wanted = order.index(self.wanted), \
                    self.wanted, None
                self._scroll_to_cursor()
            else:
                self.cursor_key = None  # still coming: nothing is selected meanwhile
            return
        if self.cursor_key is not None and self.cursor_key in self._rows and (
                self.cursor < len(order) and order[self.cursor] == self.cursor_key):
            pass  # still where it was: no search
        elif self.cursor_key is not None and self.cursor_key in self._rows and (
                self.cursor_key in order):
            self.cursor = order.index(self.cursor_key)
        else:
            self.cursor = min(self.cursor, max(len(self._order) - 1, 0))
            self.cursor_key = self._order[self.cursor] if self._order else None
        self._scroll_to_cursor()

    # -- movement
    def _visible_rows(self) -> int:
        return max(self.size.height - 1, 1)

    def _move_to(self, index: int) -> None:
        if not self._order:
            return
        self.wanted = None  # the user chose a row
        index = max(0, min(index, len(self._order) - 1))
        self.cursor = index
        self.cursor_key = self._order[index]
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.CursorMoved(self.cursor_key))

    def _scroll_to_cursor(self) -> None:
        top = int(self.scroll_offset.y)
        visible = self._visible_rows()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)

    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move_to(self.cursor + direction * self._visible_rows())

    def action_jump(self, where: int) -> None:
        self._move_to(0 if where == 0 else len(self._order) - 1)

    # -- drawing
    @property
    def _gutter(self) -> int:
        return GUTTER if self.marks is not None else 0

    def _fitted(self) -> list[tuple[int, int]]:
        """The columns shown and their widths at this width (kept until either changes)."""
        key = (tuple(self._widths), self.size.width, self.columns, self._gutter,
               self.every_column)
        if self._fit_key != key:
            self._fit_key = key
            room = self.scrollable_content_region.width or 10_000
            self._fit = fit_columns(self.columns, self._widths, room - self._gutter,
                                    drop=not self.every_column)
        return self._fit

    @property
    def visible_columns(self) -> list[str]:
        """The columns that fit the table's width, in order."""
        return [self.columns[i] for i, _ in self._fitted()]

    def _line(self, cells: tuple[str, ...], style: Style, key: str | None = None,
              cursor: Style | None = None) -> list[Segment]:
        parts = []
        fitted = self._fitted()
        last = len(fitted) - 1
        for n, (i, width) in enumerate(fitted):
            text = cells[i] if i < len(cells) else ""
            if len(text) > width:
                text = text[: width - 1] + "…"
            parts.append(text.ljust(width) if n < last else text)
        line = [Segment((" " * GAP).join(parts), style)]
        if self.marks is None:
            return line
        severity = self.marks(key) if key is not None else None
        if severity not in MARKS:
            return [Segment(" " * GUTTER, style), *line]
        glyph, part = MARKS[severity]
        mark = self._style(f"resource-table--{part}") + Style(bold=True)
        return [Segment(glyph, mark + cursor if cursor is not None else mark),
                Segment(" " * (GUTTER - 1), style), *line]

    def notify_style_update(self) -> None:
        self._styles.clear()  # a theme change: look the styles up again
        super().notify_style_update()

    def _style(self, part: str) -> Style:
        """The base style plus a component's (cached: looked up per line otherwise)."""
        style = self._styles.get(part)
        if style is None:
            base = self.rich_style
            style = base if not part else base + self.get_component_rich_style(part)
            self._styles[part] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = int(self.scroll_offset.x), int(self.scroll_offset.y)
        base = self._style("")
        if y == 0:
            style = self._style("resource-table--header")
            strip = Strip(self._line(self.columns, style))
        else:
            index = scroll_y + y - 1
            if index >= len(self._order):
                if not self._order and y == 1:
                    return Strip([Segment(self.empty_message.center(width), base)])
                return Strip.blank(width, base)
            key = self._order[index]
            cells, health = self._rows[key]
            if self._widening is None and any(
                    len(c) > w < MAX_COL_WIDTH for c, w in zip(cells, self._widths, strict=False)):
                self._widen(cells)
            if self._age_index is not None and key in self.created:
                aged = list(cells)
                aged[self._age_index] = _age(self.created[key])
                cells = tuple(aged)
            cursor = self._style("resource-table--cursor") if index == self.cursor else None
            style = self._style(f"resource-table--{health}")
            if key in self.marked:
                style = style + self._style("resource-table--marked")
            if cursor is not None:
                style = style + cursor
            strip = Strip(self._line(cells, style, key, cursor))
            return strip.crop_extend(scroll_x, scroll_x + width, style)
        return strip.crop_extend(scroll_x, scroll_x + width, style)

    def on_resize(self) -> None:
        self._size_virtual()
        self._scroll_to_cursor()


def _age(created: float) -> str:
    return human_duration(time.time() - created) if created else "<unknown>"
