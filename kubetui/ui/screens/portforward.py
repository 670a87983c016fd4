"""`:pf`, the port-forward manager (as k9s's): every forward kubetui runs, with its local
address, target, state, connections and bytes each way, the selected one's last error in
full below; ctrl+d stops one (after asking). Forwards are started with shift-f in the
browser (see ui/actions/forward.py) and all stop when kubetui quits."""

from __future__ import annotations

from humanize import naturalsize
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from kubetui.ui.screens.base import KubetuiScreen
from kubetui.ui.screens.modals import ConfirmScreen
from kubetui.ui.widgets.resource_table import ResourceTable

from ..widgets.footer import Footer

COLUMNS = ("LOCAL", "TARGET", "STATE", "CONNS", "IN", "OUT", "LAST ERROR")
HEALTH = {"listening": "ok", "waiting": "pending", "ended": "error", "stopped": "done",
          "starting": "pending"}


def forward_row(fwd) -> tuple[tuple[str, ...], str]:
    error = fwd.last_error.splitlines()[0] if fwd.last_error else ""
    health = HEALTH.get(fwd.state, "")
    if health == "ok" and error:
        health = "pending"
    return ((fwd.local, fwd.target, fwd.state, f"{fwd.active}/{fwd.total}",
             naturalsize(fwd.bytes_in, binary=True), naturalsize(fwd.bytes_out, binary=True),
             error), health)


class PortForwardScreen(KubetuiScreen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="pf.back"),
        Binding("ctrl+d", "stop", "Stop forward", id="pf.stop"),
    ]

    def __init__(self):
        super().__init__()
        self._seen: tuple = ()

    def compose(self) -> ComposeResult:
        yield Static(id="pf-title")
        yield ResourceTable(COLUMNS, id="pf-table")
        yield Static(id="pf-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.table
        table.empty_message = "No port-forwards: shift-f on a pod, service or workload"
        table.focus()
        self.set_interval(0.5, self.rebuild)
        self.rebuild()

    @property
    def table(self) -> ResourceTable:
        return self.query_one(ResourceTable)

    @property
    def forwards(self) -> list:
        return list(self.app.forwards.forwards)

    def rebuild(self) -> None:
        rows = {str(id(f)): forward_row(f) for f in self.forwards}
        order = list(rows)
        seen = tuple((k, rows[k]) for k in order)
        if seen != self._seen:
            self._seen = seen
            self.table.apply(rows, order, set(rows), True)
        live = sum(1 for f in self.forwards if f.live)
        self.query_one("#pf-title", Static).update(Text.assemble(
            (" port-forwards ", "bold reverse"),
            f"  {live} active, {len(rows) - live} ended", ("   127.0.0.1 only", "dim")))
        self._show_selected()

    def on_resource_table_cursor_moved(self, _message) -> None:
        self._show_selected()

    def selected(self):
        key = self.table.cursor_key
        return next((f for f in self.forwards if str(id(f)) == key), None)

    def _show_selected(self) -> None:
        fwd = self.selected()
        detail = self.query_one("#pf-detail", Static)
        if fwd is None:
            detail.update("")
            return
        text = Text.assemble((f" {fwd.local}", "bold"), f" -> {fwd.target}   {fwd.state}")
        if fwd.last_error:
            text.append("\n last error: ", "bold")
            text.append(fwd.last_error, "red")
        detail.update(text)

    def action_stop(self) -> None:
        fwd = self.selected()
        if fwd is None or not fwd.live:
            self.notify("no running port-forward selected", severity="warning")
            return

        def answered(ok: bool) -> None:
            if ok:
                self.app.forwards.stop(fwd)
                self.notify(f"stopped port-forward {fwd.local} -> {fwd.target}", timeout=4)
                self.rebuild()

        self.app.push_screen(ConfirmScreen(
            f"Stop port-forward {fwd.local} -> {fwd.target}? Its {fwd.active} open "
            "connection(s) close."), answered)


__all__ = ["PortForwardScreen", "forward_row"]
