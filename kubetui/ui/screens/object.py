"""Describe, YAML and the managed fields of one object (d, y, m), secrets revealed on
request. A line wider than the screen scrolls sideways (left/right, a scrollbar says
there is more), or wraps (w), as in the logs: at 80 columns a long annotation, command
or value was cut with no way to read its end."""

from __future__ import annotations

from rich.cells import cell_len
from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from kubetui.render.yaml_view import object_yaml, secret_keys
from kubetui.ui.screens.base import KubetuiScreen
from kubetui.ui.screens.pick import PickScreen
from kubetui.ui.widgets.scroll import ScrollableContainer

from ..widgets.footer import Footer


class ObjectScreen(KubetuiScreen):
    """Describe or YAML of one object. For a Secret, `x` reveals one chosen value."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="object.back"),
        Binding("y", "show('yaml')", "YAML", id="object.yaml"),
        Binding("d", "show('describe')", "Describe", id="object.describe"),
        Binding("m", "managed", "managedFields", id="object.managed"),
        Binding("x", "reveal", "Reveal a secret value", id="object.reveal"),
        Binding("c", "copy", "Copy", id="object.copy"),
        Binding("F", "port_forward", "Port-forward", id="object.port_forward"),
        Binding("w", "wrap", "Wrap", id="object.wrap"),
    ]

    def __init__(self, obj: dict, describe_text: str, mode: str = "describe"):
        super().__init__()
        self.obj, self.describe_text, self.mode = obj, describe_text, mode
        self.show_managed = False
        self.revealed: str | None = None
        self.wrap = False

    def compose(self) -> ComposeResult:
        meta = self.obj.get("metadata") or {}
        where = f"{meta.get('namespace')}/" if meta.get("namespace") else ""
        yield Static(f" {self.obj.get('kind', '')} {where}{meta.get('name', '')}",
                     id="object-title")
        with ScrollableContainer(id="object-body"):
            yield Static(id="object-text")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys only for the kinds they work on (the footer offered a pod's describe
        "Reveal a secret value", and an Event's "Port-forward")."""
        from kubetui.kube.forwards import FORWARDABLE

        if action == "reveal":
            return self.obj.get("kind") == "Secret"
        if action == "port_forward":
            return self.obj.get("kind") in FORWARDABLE
        return True

    def action_port_forward(self) -> None:
        """shift-f in describe: forward this object's ports (the pick offers the ports
        its containers declare), as shift-f on its row does; read-only refuses it there."""
        from kubetui.kube.forwards import FORWARDABLE

        meta = self.obj.get("metadata") or {}
        key = f"{meta.get('namespace')}/{meta.get('name')}" if meta.get("namespace") \
            else meta.get("name")
        browser = self.app.browser
        picked = browser.selected()
        if browser.state.kind not in FORWARDABLE or picked is None or picked[0] != key:
            self.notify("port-forward works on pods, services and workloads, from their "
                        "row or their describe", severity="warning")
            return
        self.app.pop_screen()
        browser.action_port_forward()

    def on_mount(self) -> None:
        self._paint()
        self.query_one("#object-body").focus()

    def text(self) -> str:
        if self.mode == "yaml":
            return object_yaml(self.obj, self.show_managed, self.revealed)
        return self.describe_text

    def _paint(self) -> None:
        body = self.query_one("#object-text", Static)
        text = self.text()
        # unwrapped, it is as wide as its widest line and its padding (Textual's own
        # measure of a Syntax came out two cells short: a line's end stayed out of reach)
        body.styles.width = "1fr" if self.wrap else \
            max(map(cell_len, text.splitlines()), default=0) + 2
        if self.mode == "yaml":
            body.update(Syntax(text, "yaml", theme="ansi_dark", word_wrap=self.wrap,
                               background_color="default"))
        else:
            body.update(Text(text, no_wrap=not self.wrap))

    def action_wrap(self) -> None:
        self.wrap = not self.wrap
        self.query_one("#object-body").scroll_to(x=0, animate=False, immediate=True)
        self._paint()

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
