"""`:aliases` (also `:alias`, `:a`, and ctrl+a as in k9s): every word the command bar
takes, one row per resource or command: its aliases (kind, plural, short names and
kubetui's own) and its API group, or what the command does. `/` filters the rows;
Enter on a resource row shows it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from kubetui.kube.kinds import KINDS
from kubetui.ui.navigation import ALIASES, COMMAND_WORDS
from kubetui.ui.screens.base import KubetuiScreen
from kubetui.ui.widgets.resource_table import ResourceTable, Row

from ..widgets.footer import Footer

COLUMNS = ("RESOURCE", "COMMAND", "API GROUP")


def alias_rows(extra: dict | None = None) -> dict[str, tuple[str, str, str]]:
    """key -> (resource, its words, its group or what it does): the built-in kinds, the
    kinds discovery found (CRDs), then the commands."""
    rows: dict[str, tuple[str, str, str]] = {}
    kinds = list(KINDS.values()) + [k for k in (extra or {}).values()
                                    if k.kind not in KINDS]
    builtin = {k.plural for k in KINDS.values()}
    for k in sorted(kinds, key=lambda k: (k.plural, k.kind not in KINDS)):
        # a plural a built-in kind has already (metrics.k8s.io's pods) needs its group
        plural = f"{k.plural}.{k.group}" if k.kind not in KINDS and k.plural in builtin \
            else k.plural
        words = [*k.short, *(a for a, kind in ALIASES.items() if kind == k.kind
                             and a not in k.short), k.kind.lower(), plural]
        rows[f"kind/{k.plural}.{k.group}"] = (
            plural, ", ".join(dict.fromkeys(words)), f"{k.group or 'core'}/{k.version}")
    for said, what in COMMAND_WORDS:
        rows[f"command/{said[0]}"] = (f":{said[0]}", ", ".join(said), what)
    return rows


def matches(row: tuple[str, str, str], text: str) -> bool:
    text = text.strip().lower()
    return not text or any(text in cell.lower() for cell in row)


class AliasesScreen(KubetuiScreen):
    BINDINGS = [
        Binding("escape,q", "back", "Back", id="aliases.back"),
        Binding("slash", "filter", "Filter", id="aliases.filter"),
        Binding("enter", "open", "Show", id="aliases.open"),
    ]

    def __init__(self):
        super().__init__()
        self.rows: dict[str, tuple[str, str, str]] = {}
        self.filter = ""

    def compose(self) -> ComposeResult:
        yield Static(id="aliases-title")
        yield ResourceTable(COLUMNS, id="aliases-table")
        box = Input(placeholder="filter the aliases (Enter keeps it, Escape clears it)",
                    id="aliases-filter")
        box.display = False
        yield box
        yield Footer()

    def on_mount(self) -> None:
        self.rows = alias_rows(getattr(self.app, "extra_kinds", {}))
        self.show()
        self.table.focus()

    @property
    def table(self) -> ResourceTable:
        return self.query_one(ResourceTable)

    def shown(self) -> list[str]:
        return [k for k, row in self.rows.items() if matches(row, self.filter)]

    def show(self) -> None:
        order = self.shown()
        rows: dict[str, Row] = {k: (self.rows[k], "ok" if k.startswith("kind/") else "done")
                                for k in order}
        self.table.empty_message = f"No alias matches {self.filter!r}"
        self.table.apply(rows, order, set(order), True)
        self.query_one("#aliases-title", Static).update(Text.assemble(
            (" aliases ", "bold reverse"), f"  {len(order)} of {len(self.rows)}",
            (f"   /{self.filter}" if self.filter else "", "bold yellow"),
            ("   type any of them after :", "dim")))

    def action_filter(self) -> None:
        box = self.query_one("#aliases-filter", Input)
        box.display = True
        box.value = self.filter
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.filter = event.value
        self.show()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.input.display = False
        self.table.focus()

    def action_back(self) -> None:
        box = self.query_one("#aliases-filter", Input)
        if box.display or self.filter:  # the first Escape clears the filter
            box.display = False
            if self.filter:
                self.filter = ""
                box.value = ""
                self.show()
            self.table.focus()
            return
        self.app.pop_screen()

    def action_open(self) -> None:
        key = self.table.cursor_key or ""
        row = self.rows.get(key)
        if row is None:
            return
        self.app.pop_screen()
        self.app.browser.run_command(row[0].lstrip(":"))


__all__ = ["AliasesScreen", "alias_rows", "matches"]
