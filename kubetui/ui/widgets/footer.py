"""The footer of every screen: Textual's, less what its recomposes leave behind."""

from __future__ import annotations

from textual.widgets import Footer as TextualFooter

from kubetui.ui.lifetime import prune_watchers


class Footer(TextualFooter):
    """Textual's Footer binds each key it composes to its own `compact` (a reactive
    watcher on the footer), and recomposes whenever the keys in force change. Textual
    (8.2) drops a closed key's watcher only when `compact` changes, which it never
    does, so the closed keys stayed alive until the app's next prune, which ran only
    when the UI changed and could run before a late recompose ended (under load). The
    old keys are closed once the recompose has removed them: drop them there."""

    def __init__(self, *, compact: bool = False) -> None:
        # no "^p palette" at the right: it took 12 of an 80-column footer's cells, was
        # drawn over the keys that ran under it (a stray letter in the last column),
        # and ctrl+p stays in the help
        super().__init__(compact=compact, show_command_palette=False)

    async def recompose(self) -> None:
        await super().recompose()
        prune_watchers([self])
