"""The drain of a node, pod by pod (kube/drain.py does it): the node's state, then each
pod with what happens to it (skipped, waiting, evicting, blocked by a budget with the
API's words and the next retry, evicted, gone, failed). `x` cancels (the node stays
cordoned); `escape` goes back, cancelling a drain still running."""

from __future__ import annotations

import logging
import time

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from kubetui.kube import drain as d
from kubetui.ui.screens.base import KubetuiScreen
from kubetui.ui.widgets.scroll import VerticalScroll

from ..widgets.footer import Footer

log = logging.getLogger("kubetui.ui")

STYLE = {d.SKIPPED: "dim", d.WAITING: "", d.EVICTING: "yellow", d.BLOCKED: "bold red",
         d.EVICTED: "yellow", d.GONE: "green", d.FAILED: "bold red"}
DONE = {"drained", "cancelled", "failed"}


class DrainScreen(KubetuiScreen):
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

    def on_unmount(self) -> None:
        self.drain.cancel()  # closed (or the app quits): the drain's thread ends too

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
        self.query_one("#drain-pods", Static).update(self._table(rows))

    def _table(self, rows) -> Text:
        """One line per pod (pod, state, owner: the owner gives way first when narrow),
        and the server's words on a line of their own below a blocked or failed pod."""
        width = max(self.size.width, 40)
        state_w = max([len("STATE"), *(len(r[2]) for r in rows)])
        pod_w = min(max([len("POD"), *(len(r[0]) for r in rows)]),
                    max(20, width - state_w - 16))
        out = Text(no_wrap=False, overflow="fold")

        def cut(text: str, n: int) -> str:
            return text if len(text) <= n else text[:max(n - 1, 0)] + "…"

        owner_w = max(width - pod_w - state_w - 5, 8)
        out.append(f"{'POD':<{pod_w}}  {'STATE':<{state_w}}  OWNER\n", style="bold")
        for (pod, owner, state, message), p in zip(rows, self.drain.pods, strict=False):
            out.append(f"{cut(pod, pod_w):<{pod_w}}  ")
            out.append(f"{state:<{state_w}}", style=STYLE.get(p.state, ""))
            out.append(f"  {cut(owner, owner_w)}\n", style="dim")
            if message:
                out.append(f"    {message}\n", style="red" if p.state in (
                    d.BLOCKED, d.FAILED) else "")
        return out

    def action_cancel(self) -> None:
        if not self.done:
            self.drain.cancel()
            self.notify(f"Cancelling the drain of {self.drain.node} (it stays cordoned)",
                        timeout=4)

    def action_back(self) -> None:
        if not self.done:
            self.action_cancel()
        self.app.pop_screen()
