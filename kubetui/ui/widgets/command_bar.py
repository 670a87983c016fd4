"""The line at the bottom that `:` (commands and kinds) and `/` (filters) open: Tab
completes, up and down walk the history, Enter runs, Escape closes."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Input


class CommandBar(Input):
    BINDINGS = [
        Binding("escape", "close", "Close", show=False, id="command.close"),
        Binding("up", "history(-1)", "Previous", show=False, id="command.previous"),
        Binding("down", "history(1)", "Next", show=False, id="command.next"),
        Binding("tab", "complete", "Complete", show=False, id="command.complete"),
    ]

    class Entered(Message):
        def __init__(self, mode: str, text: str):
            super().__init__()
            self.mode, self.text = mode, text

    class Closed(Message):
        pass

    def __init__(self, words: list[str], **kwargs):
        self.words = list(words)
        super().__init__(suggester=SuggestFromList(self.words, case_sensitive=False), **kwargs)
        self.mode = ":"
        self.history: dict[str, list[str]] = {":": [], "/": [], "search": []}
        self._index = 0

    def add_words(self, words) -> None:
        """More completions (`theme NAME` once the themes are known)."""
        self.words += [w for w in words if w not in self.words]
        self.suggester = SuggestFromList(self.words, case_sensitive=False)

    def open(self, mode: str, text: str = "") -> None:
        self.mode = mode
        self.placeholder = ("kind or command: po, deploy, svc, no, ns, ctx, theme ..."
                            if mode == ":" else
                            "filter: regex, !inverse, -l app=x (server), -f fuzzy")
        self.border_title = mode
        self.value = text
        self._index = len(self.history.setdefault(mode, []))
        self.display = True
        # Focus now, not on the next loop turn (Widget.focus defers): keys typed or pasted
        # right after ':' are already queued and must land here, not on the table's hotkeys.
        self.screen.set_focus(self)
        self.cursor_position = len(text)

    def action_close(self) -> None:
        self.display = False
        self.post_message(self.Closed())

    def action_history(self, step: int) -> None:
        past = self.history[self.mode]
        if not past:
            return
        self._index = max(0, min(len(past), self._index + step))
        self.value = past[self._index] if self._index < len(past) else ""
        self.cursor_position = len(self.value)

    def action_complete(self) -> None:
        """Accept the suggestion shown after the cursor (as right-arrow at the end does)."""
        self.cursor_position = len(self.value)
        self.action_cursor_right()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()  # as it was on Enter (typed-ahead keys may follow)
        if text and (not self.history[self.mode] or self.history[self.mode][-1] != text):
            self.history[self.mode].append(text)
        self.display = False
        self.post_message(self.Entered(self.mode, text))
