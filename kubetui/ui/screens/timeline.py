"""The timeline of a workload or pod (`t` in the checklist and the rollout cockpit,
`:timeline KIND/NAME`): what happened, in order, the first bad entry marked with the
change just before it. Refreshed every few seconds while open."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from kubetui.diagnose.timeline import Timeline
from kubetui.kube.incident import gather_incident
from kubetui.ui.screens.base import KubetuiScreen
from kubetui.ui.widgets.scroll import VerticalScroll

from ..widgets.footer import Footer

log = logging.getLogger("kubetui.ui")
EVERY = 5.0  # seconds between refreshes


def timeline_text(timeline: Timeline, mask=lambda s: s) -> Text:
    out = Text()
    first = timeline.first_bad
    if first is not None:
        before = timeline.cause_candidate
        out.append(" first bad ", "bold reverse red")
        out.append(f" {first.subject}: {mask(first.text)}\n", "bold")
        if before is not None:
            out.append(" just before ", "bold reverse yellow")
            out.append(f" {before.subject}: {mask(before.text)}\n", "bold")
        out.append("\n")
    for e in timeline.entries:
        when = time.strftime("%H:%M:%S", time.localtime(e.time))
        style = "bold red" if e.first_bad else "bold yellow" if e.before_first_bad else \
            "red" if e.bad else ""
        mark = "▶ " if e.first_bad else "◆ " if e.before_first_bad else "  "
        out.append(f"{when} {mark}", "dim")
        out.append(f"{e.source:<10} ", "dim")
        out.append(f"{e.subject}  ", "bold")
        out.append(mask(e.text) + (f" (x{e.count})" if e.count > 1 else "") + "\n", style)
    if not timeline.entries:
        out.append("nothing recorded yet", "dim")
    return out


class TimelineScreen(KubetuiScreen):
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back", id="timeline.back"),
                Binding("r", "refresh", "Refresh", id="timeline.refresh")]

    def __init__(self, cluster, target: str, namespace: str):
        super().__init__()
        self.cluster, self.target, self.namespace = cluster, target, namespace
        self.timeline: Timeline | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(f" timeline {self.namespace}/{self.target}: reading ...", "bold"),
                     id="timeline-title")
        with VerticalScroll(id="timeline-body"):
            yield Static(id="timeline-entries")
        yield Footer()

    def on_mount(self) -> None:
        self.action_refresh()
        self.set_interval(EVERY, self.action_refresh)

    def action_refresh(self) -> None:
        self._read()

    @work(thread=True, exclusive=True, group="timeline", exit_on_error=False)
    def _read(self) -> None:
        actions = list(getattr(self.app, "actions_log", ()))
        incident = gather_incident(self.cluster.client, self.target, self.namespace, actions)
        self.post_message(self.Read(incident.timeline, incident.mask))

    class Read(Message):
        """A worker read the incident: its timeline, and the mask for cluster text."""

        def __init__(self, timeline: Timeline, mask: Callable[[str], str]) -> None:
            super().__init__()
            self.timeline, self.mask = timeline, mask

    def on_timeline_screen_read(self, message: Read) -> None:
        self._show(message.timeline, message.mask)

    def _show(self, timeline: Timeline, mask: Callable[[str], str]) -> None:
        self.timeline = timeline
        self.query_one("#timeline-entries", Static).update(timeline_text(timeline, mask))
        self.query_one("#timeline-title", Static).update(Text.assemble(
            (" timeline ", "bold reverse"), f" {self.namespace}/{self.target}  ",
            (f"{len(timeline.entries)} entries, live (every {EVERY:.0f} s)", "dim")))


__all__ = ["TimelineScreen", "timeline_text"]
