"""The drain of a node, pod by pod (kube/drain.py does it): the node's state, then each
pod with what happens to it (skipped, waiting, evicting, blocked by a budget with the
API's words and the next retry, evicted, gone, failed). `x` cancels (the node stays
cordoned); `escape` goes back, cancelling a drain still running."""

from __future__ import annotations

import logging
import time

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from kubetui.kube import drain as d

log = logging.getLogger("kubetui.ui")

STYLE = {d.SKIPPED: "dim", d.WAITING: "", d.EVICTING: "yellow", d.BLOCKED: "bold red",
         d.EVICTED: "yellow", d.GONE: "green", d.FAILED: "bold red"}
DONE = {"drained", "cancelled", "failed"}


class DrainScreen(Screen):
    BINDINGS = [
        Binding("x", "cancel", "Cancel drain", id="drain.cancel"),
        Binding("escape,q", "back", "Back", id="drain.back"),
    ]

    def __init__(self, cluster, node: str, pods: list[d.DrainPod]):
        super().__init__()
        self.drain = d.Drain(cluster.client, node, pods, cluster.readonly)
        self._shown: tuple = ()

    def compose(self) -> ComposeResult:
        yield Static(id="drain-title")
        with VerticalScroll(id="drain-body"):
            yield Static(id="drain-pods")
        yield Footer()

    def on_mount(self) -> None:
        self._run()
        self.set_interval(0.25, self.paint)
        self.paint()

    @work(thread=True, group="drain", exit_on_error=False)
    def _run(self) -> None:
        self.drain.run()

    @property
    def done(self) -> bool:
        return self.drain.state in DONE

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(pod, owner, state, message) per pod, as shown."""
        now = time.time()
        out = []
        for p in self.drain.pods:
            state = p.skip and f"skipped ({p.skip})" or p.state
            message = p.message
            if p.state == d.BLOCKED and not self.done:
                message += f"  (retry in {max(0.0, p.next_try - now):.0f}s, try {p.tries})"
            out.append((p.key, p.owner or "(no controller)", state, message))
        return out

    def paint(self) -> None:
        drain = self.drain
        rows = self.rows()
        shown = (drain.state, drain.message, tuple(rows))
        if shown == self._shown:
            return
        self._shown = shown
        left = sum(1 for p in drain.to_evict if p.state not in (d.GONE, d.FAILED))
        title = Text(f" drain node/{drain.node}  ", style="bold")
        title.append(drain.state, style="bold green" if drain.state == "drained" else
                     "bold red" if drain.state in ("failed", "cancelled") else "bold yellow")
        title.append(f"   {len(drain.to_evict) - left}/{len(drain.to_evict)} evicted pods gone")
        if drain.message:
            title.append(f"   {drain.message}")
        self.query_one("#drain-title", Static).update(title)
        table = Table(box=None, expand=True, pad_edge=False)
        for name in ("POD", "OWNER", "STATE", "MESSAGE"):
            table.add_column(name, style="bold" if name == "POD" else None,
                             overflow="fold", ratio=3 if name == "MESSAGE" else None)
        for (pod, owner, state, message), p in zip(rows, drain.pods):
            table.add_row(pod, owner, Text(state, style=STYLE.get(p.state, "")), message)
        self.query_one("#drain-pods", Static).update(table)

    def action_cancel(self) -> None:
        if not self.done:
            self.drain.cancel()
            self.notify(f"Cancelling the drain of {self.drain.node} (it stays cordoned)",
                        timeout=4)

    def action_back(self) -> None:
        if not self.done:
            self.action_cancel()
        self.app.pop_screen()
