"""`:fleet` (and `kubetui --fleet`): every context of every kubeconfig file, one live row
each (kube/fleet.py keeps them): state, version, nodes, pods, restarts, warnings,
requests against allocatable, credential expiry. Health colours; sort with the
browser's shift-letter keys (again: reverse); `enter` switches to the context. The
rows change when the watches bring changes (a timer compares version counters; no API
call is made to repaint). `:fleet find ...` and `:fleet lint` are in screens/fleet_find.py.

The fleet starts with the first `:fleet` and runs until kubetui quits (leaving the
screen keeps it warm: coming back is instant)."""

from __future__ import annotations

import logging
import time

from humanize import naturaldelta
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from kubetui.kube.fleet import (
    AUTH_FAILED,
    CONFIG_ERROR,
    CONNECTING,
    REACHABLE,
    STALE,
    UNREACHABLE,
    Fleet,
    Row,
)

from ..widgets.footer import Footer
from ..widgets.resource_table import GAP, ResourceTable
from .base import KubetuiScreen

log = logging.getLogger("kubetui.ui")

COLUMNS = ("CONTEXT", "FILE", "STATE", "VERSION", "NODES", "NOT READY", "PENDING",
           "RESTARTS/1H", "WARN/15M", "CPU REQ", "MEM REQ", "EXPIRES")
# shift + letter sorts by a column (again: the other way), as the browser's keys do
SORT_KEYS = {"N": "CONTEXT", "F": "FILE", "S": "STATE", "V": "VERSION", "O": "NODES",
             "P": "NOT READY", "D": "PENDING", "R": "RESTARTS/1H", "W": "WARN/15M",
             "C": "CPU REQ", "M": "MEM REQ", "X": "EXPIRES"}
NUMERIC = {"NODES", "NOT READY", "PENDING", "RESTARTS/1H", "WARN/15M", "CPU REQ", "MEM REQ"}
# narrow terminals: these go first, in this order; then CONTEXT and STATE shrink
DROP = ("FILE", "VERSION", "MEM REQ", "EXPIRES", "PENDING", "CPU REQ")
SHRINK = (("STATE", 16), ("CONTEXT", 18), ("STATE", 12), ("CONTEXT", 12))
STATE_RANK = {CONFIG_ERROR: 0, AUTH_FAILED: 1, UNREACHABLE: 2, STALE: 3, CONNECTING: 4,
              REACHABLE: 5}
FAILED = (AUTH_FAILED, UNREACHABLE, STALE, CONFIG_ERROR)


def fit_fleet(columns: tuple[str, ...], widths: list[int], room: int) -> list[tuple[int, int]]:
    shown = list(range(len(widths)))
    sized = dict(enumerate(widths))

    def total() -> int:
        return sum(sized[i] for i in shown) + GAP * max(len(shown) - 1, 0)

    for name in DROP:
        if total() <= room:
            break
        if name in columns:
            shown.remove(columns.index(name))
    for name, narrowest in SHRINK:
        over = total() - room
        if over <= 0:
            break
        i = columns.index(name)
        sized[i] = max(min(narrowest, sized[i]), sized[i] - over)
    return [(i, sized[i]) for i in shown]


class FleetTable(ResourceTable):
    """The resource table, with the fleet's own choice of what to drop when narrow."""

    def _fitted(self) -> list[tuple[int, int]]:
        key = (tuple(self._widths), self.size.width, self.columns, "fleet")
        if self._fit_key != key:
            self._fit_key = key
            room = self.scrollable_content_region.width or 10_000
            self._fit = fit_fleet(self.columns, self._widths, room)
        return self._fit


def _cores(milli: int) -> str:
    return f"{milli / 1000:.1f}".rstrip("0").rstrip(".") if milli % 1000 else str(milli // 1000)


def _gib(n: int) -> str:
    return f"{n / 2**30:.1f}".rstrip("0").rstrip(".") + "Gi"


def _share(used: int, of: int, fmt) -> str:
    if not of:
        return f"{fmt(used)}/?"
    return f"{fmt(used)}/{fmt(of)} {round(used * 100 / of)}%"


def _ago(seconds: float) -> str:
    return naturaldelta(max(0.0, seconds))


def state_text(r: Row, now: float) -> str:
    if r.state == STALE:
        return f"stale since {_ago(now - r.since)}"
    if r.state in (AUTH_FAILED, UNREACHABLE, CONFIG_ERROR):
        return f"{r.state}: {r.reason}" if r.reason else r.state
    if r.state == REACHABLE and (r.unknown or r.scope):
        return "reachable (restricted)"
    return r.state


def expiry_text(r: Row, now: float) -> str:
    e = r.expiry
    if e is None:
        return "-"
    short = "exec" if e.renews else "cert" if "certificate" in e.what else "token"
    if e.when <= now:
        return f"expired {short}"
    return f"{_ago(e.when - now)} {short}"


def cells(r: Row, now: float) -> tuple[tuple[str, ...], str, tuple]:
    """(cells, health, sort values) of a row."""
    def unknown(part: str) -> str | None:
        why = r.unknown.get(part)
        if why is None:
            return None
        return "?" if why.startswith(("syncing", "connecting")) else (
            "forbidden" if why.startswith("forbidden") else "-")

    scope = " *" if r.scope.get("pods") else ""
    nodes = unknown("nodes") or (f"{r.nodes_ready}/{r.nodes_total}" + (
        f" +{r.cordoned}c" if r.cordoned else ""))
    pods = unknown("pods")
    not_ready = pods or f"{r.not_ready}/{r.pods_total}{scope}"
    pending = pods or str(r.pending)
    restarts = pods or (f"≥{r.restarts_1h}" if r.restarts_at_least else str(r.restarts_1h))
    warnings = unknown("warnings") or str(r.warnings_15m)
    cpu = pods or _share(r.cpu_req, 0 if unknown("nodes") else r.cpu_alloc, _cores)
    mem = pods or _share(r.mem_req, 0 if unknown("nodes") else r.mem_alloc, _gib)
    row = (r.context, r.file.rsplit("/", 1)[-1] + (f" (+{len(r.shadows)})" if r.shadows
                                                   else ""),
           state_text(r, now), r.version or "-", nodes, not_ready, pending, restarts,
           warnings, cpu, mem, expiry_text(r, now))
    health = "ok"
    if r.state in FAILED or (
            r.nodes_total is not None and r.nodes_ready < r.nodes_total) or (
            r.expiry is not None and not r.expiry.renews and r.expiry.when <= now):
        health = "error"
    elif r.state == CONNECTING or r.unknown or r.not_ready or r.pending or \
            r.warnings_15m or r.restarts_1h or (r.expiry is not None and not r.expiry.renews
                                                and r.expiry.soon(now)):
        health = "pending"
    big = -1
    sort = (r.context, r.file, (STATE_RANK.get(r.state, 9), row[2]), r.version,
            big if r.nodes_total is None else r.nodes_total - r.nodes_ready,
            big if r.pods_total is None else r.not_ready,
            big if r.pods_total is None else r.pending,
            big if r.pods_total is None else r.restarts_1h,
            big if r.warnings_15m is None else r.warnings_15m,
            r.cpu_req * 1000 // r.cpu_alloc if r.cpu_alloc else big,
            r.mem_req * 1000 // r.mem_alloc if r.mem_alloc else big,
            r.expiry.when if r.expiry else float("inf"))
    return row, health, sort


def detail_text(r: Row, now: float) -> Text:
    text = Text.assemble((f" {r.context}", "bold"), f"  {r.server}  ", (r.file, "dim"))
    line = state_text(r, now) if r.state != STALE else \
        f"stale since {_ago(now - r.since)} ago: {r.reason}"
    text.append(f"\n {line}", "red" if r.state in FAILED else "")
    if r.state == CONNECTING and r.reason:
        text.append(f": {r.reason}")
    notes = [f"{part}: {why}" for part, why in r.unknown.items()
             if why not in (r.state, "syncing")]
    notes += [f"{part}: {where}" for part, where in r.scope.items()]
    if notes:
        text.append("\n " + "; ".join(notes), "yellow")
    if r.expiry is not None:
        e = r.expiry
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(e.when))
        said = (f"expired {_ago(now - e.when)} ago" if e.when <= now else
                f"expires in {_ago(e.when - now)}")
        text.append(f"\n {e.what} {said} ({when})" +
                    ("; the exec plugin renews it" if e.renews else ""),
                    "yellow" if e.soon(now) and not e.renews else "dim")
    if r.shadows:
        text.append("\n shadows " + "; ".join(r.shadows), "dim")
    return text


class FleetScreen(KubetuiScreen):
    BINDINGS = [
        Binding("escape,q", "back", "Back", id="fleet.back"),
        Binding("enter", "switch", "Switch context", id="fleet.switch"),
        *[Binding(letter, f"sort('{letter}')", f"Sort by {column.lower()}", show=False,
                  id=f"fleet.sort_{letter.lower()}") for letter, column in SORT_KEYS.items()],
    ]

    def __init__(self, fleet: Fleet):
        super().__init__()
        self.fleet = fleet
        self.sort_column: str | None = None
        self.sort_reverse = False
        self.rows: dict[str, Row] = {}
        self._model: dict[str, tuple] = {}
        self._seen: tuple = ()
        self._version = -1
        self._built = 0.0

    def compose(self) -> ComposeResult:
        yield Static(id="fleet-title")
        yield FleetTable(COLUMNS, id="fleet-table")
        yield Static(id="fleet-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.table.empty_message = "No contexts in the kubeconfig files"
        self.table.focus()
        self._timer = self.set_interval(0.25, self.refresh_rows)
        self.refresh_rows()

    def on_screen_suspend(self) -> None:
        """Not shown (the fleet keeps running): no repaint work meanwhile."""
        self._timer.pause()

    def on_screen_resume(self) -> None:
        self._timer.resume()
        self.refresh_rows(force=True)

    @property
    def table(self) -> FleetTable:
        return self.query_one(FleetTable)

    def refresh_rows(self, force: bool = False) -> None:
        """Rebuild the rows when the fleet changed, and once a second (durations tick:
        "stale since", expiry)."""
        now = time.time()
        version = self.fleet.version
        if not force and version == self._version and now - self._built < 1.0:
            return
        self._version, self._built = version, now
        self.rows = {r.context: r for r in self.fleet.rows(now)}
        model = {name: cells(r, now) for name, r in self.rows.items()}
        order = sorted(model)
        if self.sort_column in COLUMNS:
            i = COLUMNS.index(self.sort_column)
            order.sort(key=lambda k: (model[k][2][i], k), reverse=self.sort_reverse)
        seen = (tuple(order), tuple((k, model[k][0], model[k][1]) for k in order))
        if seen != self._seen:
            changed = {k for k in model if self._model.get(k, (None,))[:2] != model[k][:2]}
            self._seen, self._model = seen, model
            self.table.apply({k: v[:2] for k, v in model.items()}, order, changed, True)
        self._paint_title()
        self._show_selected()

    def _paint_title(self) -> None:
        counts: dict[str, int] = {}
        for r in self.rows.values():
            counts[r.state] = counts.get(r.state, 0) + 1
        parts = ", ".join(f"{n} {s}" for s, n in sorted(counts.items(),
                                                          key=lambda x: STATE_RANK[x[0]]))
        sort = (f"  sort {self.sort_column}{'↓' if self.sort_reverse else '↑'}"
                if self.sort_column else "")
        self.query_one("#fleet-title", Static).update(Text.assemble(
            (" fleet ", "bold reverse"),
            f"  {len(self.rows)} context{'' if len(self.rows) == 1 else 's'}: {parts}", sort))

    def on_resource_table_cursor_moved(self, _message) -> None:
        self._show_selected()

    def selected(self) -> Row | None:
        key = self.table.cursor_key
        return self.rows.get(key) if key else None

    def _show_selected(self) -> None:
        r = self.selected()
        self.query_one("#fleet-detail", Static).update(
            detail_text(r, time.time()) if r is not None else "")

    # -- keys
    def action_sort(self, letter: str) -> None:
        column = SORT_KEYS.get(letter.upper())
        if column is None:
            return
        first = column in NUMERIC  # counts: the biggest first, as in the browser
        self.sort_reverse = (not self.sort_reverse) if column == self.sort_column else first
        self.sort_column = column
        self.refresh_rows(force=True)

    def action_switch(self) -> None:
        r = self.selected()
        if r is None:
            return
        app = self.app
        self.dismiss_fleet()
        if app.cluster is None or app.context_info.name != r.context:
            app.pick_context(r.context)

    def action_back(self) -> None:
        app = self.app
        self.dismiss_fleet()
        if app.cluster is None:  # started on the fleet: the browser needs a context now
            app.connect(app.context_info.name)

    def dismiss_fleet(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()


def fleet_of(app) -> Fleet:
    """The app's fleet, started on first use (it runs until kubetui quits)."""
    fleet = getattr(app, "fleet", None)
    if fleet is None:
        fleet = app.fleet = Fleet(app.kubeconfig).start()
        app.install_screen(FleetScreen(fleet), "fleet")
    return fleet


def open_fleet(app, argument: str | None = None) -> None:
    """`:fleet`, `:fleet find ...`, `:fleet lint`."""
    words = (argument or "").split()
    if not words:
        fleet_of(app)
        if not isinstance(app.screen, FleetScreen):
            app.push_screen("fleet")  # (by name: the installed screen stays warm)
        return
    from .fleet_find import FleetFindScreen, FleetLintScreen, parse_find
    if words[0] == "lint":
        app.push_screen(FleetLintScreen())
    elif words[0] == "find":
        query, error = parse_find(words[1:])
        if query is None:
            app.notify(error, severity="warning")
            return
        app.push_screen(FleetFindScreen(query))
    else:
        app.notify(f"fleet {words[0]}? :fleet, :fleet find NAME|-l SELECTOR [KIND], "
                   ":fleet lint", severity="warning")


def stop_fleet(app) -> None:
    fleet = getattr(app, "fleet", None)
    if fleet is not None:
        app.fleet = None
        fleet.stop(wait=1)


__all__ = ["FleetScreen", "FleetTable", "cells", "fit_fleet", "fleet_of", "open_fleet",
           "stop_fleet"]
