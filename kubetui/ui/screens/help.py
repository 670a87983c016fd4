"""`?`: the keys of the screen in force, grouped, and the `:` commands."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from kubetui.ui.widgets.scroll import VerticalScroll

NAVIGATION = {"cursor", "page", "jump", "back", "app.pop_screen", "up", "down", "left",
              "right", "first", "last", "scroll_lines", "top", "bottom", "history",
              "next", "previous"}
ACTIONS = {"restart", "undo", "scale", "delete", "kill", "shell", "exec", "logs",
           "previous_logs", "checklist", "rollout", "copy_name", "owner", "node_debug",
           "pause", "mark", "clear_marks", "cordon", "uncordon", "drain", "trigger",
           "suspend", "edit", "diff", "save", "reveal", "copy", "fix", "copy_fix",
           "port_forward", "stop", "debug_container"}
GROUPS = ("Navigation", "View", "Actions", "Global")
HIDDEN = {"app.command_palette", "screen.copy_text", "app.copy_text", "app.focus_next",
          "app.focus_previous", "focus_next", "focus_previous", "page_left", "page_right",
          "screen.focus_next", "screen.focus_previous", "command_palette", "quit",
          "app.quit", "scroll_left", "scroll_right"}  # Textual's own: not kubetui's keys
COMMAND_HELP = ("  :kind  po deploy sts ds svc ing cm sec pvc no ns ev crd ...\n"
                "  :ctx   contexts    :ns NAME   :theme NAME    /filter  !inverse  "
                "-l app=x  -f fuzzy\n"
                "  :arch [NS]  architecture   :xray KIND  relationships   "
                ":logs -l app=x  logs of a selector\n"
                "  :lint  footguns (:pulse)   :pf  port-forwards   :aliases  every alias "
                "(ctrl+a)\n"
                "  :apply FILE|DIR  server-side apply, after a dry-run diff\n"
                "  :fleet  every context at once   :fleet find NAME|-l SEL|--image IMG "
                "[KIND]   :fleet lint\n")


def help_groups(app, extra: Sequence[tuple[str, str, str]] = ()) -> list[tuple[str, list]]:
    """The keys in force on the screen shown, grouped (navigation, view, actions,
    global), each action once with all its keys (`↑ k`), as bound now (a remapped key
    shows its new key). `extra`: (group, keys, what) rows the bindings cannot say."""
    by_action: dict[tuple, list] = {}
    for active in app.active_bindings.values():
        b = active.binding
        if not b.description or b.action in HIDDEN or (b.id or "").startswith(
                ("browser.favourite_", "browser.sort_", "browser.all_namespaces")):
            continue  # (the numbers and sort letters get one line each, from `extra`)
        entry = by_action.setdefault((b.action, b.description), [b, []])
        shown = app.get_key_display(b)
        if shown not in entry[1]:
            entry[1].append(shown)
    rows: dict[str, list] = {g: [] for g in GROUPS}
    for (action, description), (b, keys) in by_action.items():
        name = action.split("(")[0]
        group = ("Global" if (b.id or "").startswith("app.") or action.startswith("app.") else
                 "Navigation" if name in NAVIGATION else
                 "Actions" if name in ACTIONS else "View")
        rows[group].append((" ".join(keys), description))
    for group, keys, what in extra:
        rows[group].append((keys, what))
    if getattr(app, "ENABLE_COMMAND_PALETTE", False):  # (the footer no longer shows it)
        rows["Global"].append((app.get_key_display(Binding(app.COMMAND_PALETTE_BINDING, "")),
                               "Command palette: kinds, themes, commands"))
    return [(g, sorted(rows[g], key=lambda r: r[1].lower())) for g in GROUPS if rows[g]]


def help_body(groups: list[tuple[str, list[tuple[str, str]]]], footer: str = "") -> Group:
    """Each group's keys and what they do, in two columns: long keys (`N A S R T I O P
    C M`) ran into their text, and a line that wrapped at 80 columns began at the left
    edge, under the keys."""
    parts: list[RenderableType] = []
    keys_width = min(24, max((len(keys) for _, rows in groups for keys, _ in rows),
                             default=1))  # (one column for every group)
    for title, rows in groups:
        parts.append(Text(title, style="bold underline"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True, width=keys_width)
        grid.add_column(ratio=1)
        for keys, what in rows:
            grid.add_row(keys, what)
        parts.extend((Padding(grid, (0, 0, 0, 2)), Text()))
    if footer:
        parts.append(Text(footer, style="dim"))
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    """The keys of the screen below, from the live bindings, grouped."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss(None)", "Close", id="help.close")]

    def __init__(self, groups: list[tuple[str, list[tuple[str, str]]]], footer: str = ""):
        super().__init__()
        self.groups, self.footer = groups, footer

    @property
    def rows(self) -> list[tuple[str, str]]:
        return [row for _, rows in self.groups for row in rows]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as box:  # taller than 24 rows: it scrolls
            box.border_title = "help  (↑ ↓ to scroll, esc to close)"
            yield Static(help_body(self.groups, self.footer))

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()
