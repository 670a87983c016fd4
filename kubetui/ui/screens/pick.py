"""The one-of-many picker the others use (contexts, namespaces, containers, revisions)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist


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

    class Detail(Message):
        """A choice's detail line, found by a worker (a context's probe)."""

        def __init__(self, choice: str, detail: str) -> None:
            super().__init__()
            self.choice, self.detail = choice, detail

    def on_pick_screen_detail(self, message: Detail) -> None:
        self.update_detail(message.choice, message.detail)

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
