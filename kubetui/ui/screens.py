"""Screens over the browser: an object's describe or YAML text, the help for the view,
the context picker, and the one-of-many picker the others use."""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from kubetui.render.yaml_view import object_yaml, secret_keys


class ObjectScreen(Screen):
    """Describe or YAML of one object. For a Secret, `x` reveals one chosen value."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="object.back"),
        Binding("y", "show('yaml')", "YAML", id="object.yaml"),
        Binding("d", "show('describe')", "Describe", id="object.describe"),
        Binding("m", "managed", "managedFields", id="object.managed"),
        Binding("x", "reveal", "Reveal a secret value", id="object.reveal"),
        Binding("c", "copy", "Copy", id="object.copy"),
    ]

    def __init__(self, obj: dict, describe_text: str, mode: str = "describe"):
        super().__init__()
        self.obj, self.describe_text, self.mode = obj, describe_text, mode
        self.show_managed = False
        self.revealed: str | None = None

    def compose(self) -> ComposeResult:
        meta = self.obj.get("metadata") or {}
        where = f"{meta.get('namespace')}/" if meta.get("namespace") else ""
        yield Static(f" {self.obj.get('kind', '')} {where}{meta.get('name', '')}",
                     id="object-title")
        with VerticalScroll(id="object-body"):
            yield Static(id="object-text")
        yield Footer()

    def on_mount(self) -> None:
        self._paint()
        self.query_one("#object-body").focus()

    def text(self) -> str:
        if self.mode == "yaml":
            return object_yaml(self.obj, self.show_managed, self.revealed)
        return self.describe_text

    def _paint(self) -> None:
        body = self.query_one("#object-text", Static)
        if self.mode == "yaml":
            body.update(Syntax(self.text(), "yaml", theme="ansi_dark", word_wrap=False,
                               background_color="default"))
        else:
            body.update(Text(self.text()))

    def action_show(self, mode: str) -> None:
        self.mode = mode
        self._paint()

    def action_managed(self) -> None:
        self.show_managed = not self.show_managed
        self.mode = "yaml"
        self._paint()

    def action_reveal(self) -> None:
        keys = secret_keys(self.obj) if self.obj.get("kind") == "Secret" else []
        if not keys:
            self.notify("Only a Secret has values to reveal", severity="warning")
            return

        def chosen(key: str | None) -> None:
            if key:
                self.revealed, self.mode = key, "yaml"
                self._paint()
                self.notify(f"Showing the value of {key} (only this one)", timeout=4)

        self.app.push_screen(PickScreen("Reveal which value?", keys), chosen)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text())
        self.notify("Copied to the clipboard (OSC 52)", timeout=3)


class PickScreen(ModalScreen[str | None]):
    """Pick one of a list; Escape picks nothing."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="pick.cancel")]

    def __init__(self, title: str, choices: list[str], details: dict[str, str] | None = None,
                 marks: dict[str, str] | None = None):
        """`details` change while it is open (update_detail); `marks` stay (the one in
        use, what a choice shadows)."""
        super().__init__()
        self.title_text, self.choices, self.details = title, choices, details or {}
        self.marks = marks or {}

    def compose(self) -> ComposeResult:
        options = OptionList(*[Option(self._label(c), id=c) for c in self.choices],
                             id="pick-list")
        options.border_title = self.title_text
        yield options

    def _label(self, choice: str) -> Text:
        text = Text(choice, style="bold")
        if self.marks.get(choice):
            text.append(f"  {self.marks[choice]}", style="bold yellow")
        if self.details.get(choice):
            text.append(f"  {self.details[choice]}", style="dim")
        return text

    def label(self, choice: str) -> str:
        """The line shown for a choice, as text."""
        return self._label(choice).plain

    def update_detail(self, choice: str, detail: str) -> None:
        self.details[choice] = detail
        options = self.query_one(OptionList)
        try:
            index = options.get_option_index(choice)
        except OptionDoesNotExist:  # the option is gone (screen closing)
            return
        options.replace_option_prompt_at_index(index, self._label(choice))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


# how the help groups the keys in force: by what their action does
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
                "  :apply FILE|DIR  server-side apply, after a dry-run diff\n")


def help_groups(app, extra: list[tuple[str, str, str]] = ()) -> list[tuple[str, list]]:
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
    return [(g, sorted(rows[g], key=lambda r: r[1].lower())) for g in GROUPS if rows[g]]


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
        text = Text()
        for title, rows in self.groups:
            text.append(f"{title}\n", style="bold underline")
            for keys, what in rows:
                text.append(f"  {keys:<16}", style="bold")
                text.append(f"{what}\n")
            text.append("\n")
        if self.footer:
            text.append(self.footer, style="dim")
        with VerticalScroll(id="help-body") as box:  # taller than 24 rows: it scrolls
            box.border_title = "help  (↑ ↓ to scroll, esc to close)"
            yield Static(text)

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()
