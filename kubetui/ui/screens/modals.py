"""Asking first: a yes/no confirmation (with optional detail, such as a diff) and a
one-line prompt. Destructive actions go through these; Escape always means no."""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from kubetui.ui.widgets.scroll import VerticalScroll


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "dismiss(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "dismiss(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, detail: str = "", diff: bool = False):
        super().__init__()
        self.question, self.detail, self.diff = question, detail, diff

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box") as box:
            box.border_title = "confirm"
            yield Static(Text(self.question, style="bold"), id="confirm-question")
            if self.detail:
                with VerticalScroll(id="confirm-detail"):
                    yield Static(Syntax(self.detail, "diff", theme="ansi_dark",
                                        background_color="default") if self.diff
                                 else Text(self.detail))
            yield Static(Text("y: yes    n / esc: no", style="dim"))


class PromptScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="prompt.cancel")]

    def __init__(self, question: str, value: str = "", restrict: str | None = None):
        super().__init__()
        self.question, self.value, self.restrict = question, value, restrict

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box") as box:
            box.border_title = "prompt"
            yield Static(Text(self.question, style="bold"))
            yield Input(self.value, restrict=self.restrict, id="prompt-input")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())
