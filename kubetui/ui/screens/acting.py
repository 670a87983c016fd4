"""`ActingScreen`: the base of every screen that acts on objects (the browser, the
checklist, the rollout cockpit, the architecture and x-ray views, `:lint`). It owns the
screen's `Actions` (composed: ui/actions/acting.py), keeps the writes out of the footer
in read-only mode, and reports its failed workers as the app does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.worker import Worker

from kubetui.ui.actions.acting import WRITES, Actions
from kubetui.ui.screens.base import KubetuiScreen

if TYPE_CHECKING:
    from textual.binding import ActiveBinding


class ActingScreen(KubetuiScreen):
    def __init__(self, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name, id, classes)
        self.actions = Actions(self)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The keys in force, less the writes in read-only mode: the footer does not offer
        them (pressed anyway, each says it is refused)."""
        bindings = super().active_bindings
        if not self.actions.writes_hidden():
            return bindings
        return {key: b for key, b in bindings.items() if b.binding.action not in WRITES}

    # what the actions' workers tell the screen (see Actions.ShellOpened etc.)
    def on_actions_shell_opened(self, message: Actions.ShellOpened) -> None:
        self.actions.run_shell(message.session, message.meta)

    def on_actions_pod_picked(self, message: Actions.PodPicked) -> None:
        self.actions.open_checklist(message.ns, message.pod)

    def on_actions_described(self, message: Actions.Described) -> None:
        self.actions.show_described(message.kind, message.obj, message.text, message.mode)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A screen's failed worker (a forbidden patch, a conflict) is reported like the
        app's own: as a notification quoting the API, never a traceback. (The message
        does not bubble, so each screen that starts workers hands it on.)"""
        self.app.on_worker_state_changed(event)
