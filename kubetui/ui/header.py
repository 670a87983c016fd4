"""The header: where you are (context, cluster, user, server version) and how the
streams feeding the view are doing."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

HEALTH_STYLE = {
    "live": "bold green",
    "syncing": "bold yellow",
    "relisting": "bold yellow",
    "backing off": "bold red",
    "forbidden": "bold red",
    "stopped": "dim",
}


class ClusterHeader(Static):
    _last = ""
    _spans: list = []

    def show(self, *, context: str, cluster: str, user: str, server: str, version: str,
             view: str, scope: str, count: int, health: str, detail: str) -> None:
        top = Text()
        top.append(" kubetui ", style="bold reverse")
        for label, value in (("ctx", context), ("cluster", cluster), ("user", user),
                             ("k8s", version), ("server", server)):
            top.append(f"  {label}: ", style="dim")
            top.append(value or "-", style="bold")
        bottom = Text()
        bottom.append(f" {view}", style="bold")
        if scope:
            bottom.append(f"  {scope}", style="dim")
        bottom.append(f" [{count}]  ")
        bottom.append(f"● {health}", style=HEALTH_STYLE.get(health, "bold"))
        if detail:
            bottom.append(f"  {detail}", style="italic")
        text = Text("\n").join([top, bottom])
        if text.plain != self._last or text.spans != self._spans:
            self._last, self._spans = text.plain, text.spans
            self.update(text)
