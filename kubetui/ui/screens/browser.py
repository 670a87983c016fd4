"""The main screen: the header, a live table of any kind, the command bar, the footer.

Event rate and paint rate are independent: informers fill their stores from threads and
wake the app (once until it looks); the app's look calls `paint`, which takes what
changed and repaints only that, at most `refresh_hz` times a second."""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.widgets import Input

from kubetui.kube.cluster import InformerGroup
from kubetui.kube.kinds import KINDS, Kind
from kubetui.render import events
from kubetui.render.rows import RowModel
from kubetui.render.views import table_view, view
from kubetui.ui.actions.acting import ACTION_BINDINGS
from kubetui.ui.actions.bulk import MARK_BINDINGS, BulkActions, BulkDone
from kubetui.ui.actions.cron import CRON_BINDINGS, CronActions
from kubetui.ui.actions.edit import EDIT_BINDINGS, EditActions
from kubetui.ui.actions.forward import ForwardActions
from kubetui.ui.actions.marks import Marks
from kubetui.ui.actions.node import NODE_BINDINGS, NodeActions
from kubetui.ui.actions.rows import RowActions
from kubetui.ui.browser_commands import BrowserCommands
from kubetui.ui.browser_header import BrowserHeader
from kubetui.ui.browser_trail import BrowserTrail
from kubetui.ui.live_filter import LiveFilter
from kubetui.ui.navigation import (
    Filter,
    ViewState,
    completions,
    numeric_column,
    parse_filter,
    sort_column,
    with_filter,
)
from kubetui.ui.row_order import RowOrder
from kubetui.ui.screens.acting import ActingScreen
from kubetui.ui.screens.help import COMMAND_HELP, HelpScreen, help_groups
from kubetui.ui.usage_columns import METRICS_EVERY, MetricsRead, UsageColumns
from kubetui.ui.widgets.command_bar import CommandBar
from kubetui.ui.widgets.footer import Footer
from kubetui.ui.widgets.header import ClusterHeader
from kubetui.ui.widgets.resource_table import ResourceTable

log = logging.getLogger("kubetui.ui")
REFILTER = ("refilter",)  # `_painted` for a view that is only filtered or sorted anew
SORT_LETTERS = "NASRTIOPCM"


class BrowserScreen(ActingScreen):
    """Composed parts do the work: keys act through `rows`, `bulk`, `nodes`, `cron`,
    `editing`, `port_forwards` (over the screen's `actions`), `trail` and `commands`, each
    `action_*` here handing over; `usage`, `order` and `header` keep what is shown."""

    kind: reactive[str] = reactive("", bindings=True)  # the kind shown: which keys apply

    BINDINGS = [  # the footer shows them in this order: the way in first (as k9s's hints)
        Binding("question_mark", "app.help", "Help", id="browser.help"),
        Binding("colon", "command", "Command", id="browser.command"),
        Binding("slash", "filter", "Filter", id="browser.filter"),
        Binding("enter", "open", "Open", id="browser.open"),
        Binding("escape", "back", "Back", id="browser.back"),
        *ACTION_BINDINGS,
        *MARK_BINDINGS,
        *NODE_BINDINGS,
        *CRON_BINDINGS,
        *EDIT_BINDINGS,
        Binding("d", "describe", "Describe", id="browser.describe"),
        Binding("y", "yaml", "YAML", id="browser.yaml"),
        Binding("ctrl+y", "copy_name", "Copy name", show=False, id="browser.copy"),
        Binding("ctrl+w", "wide", "Wide", id="browser.wide"),
        Binding("a", "arch", "Architecture", id="browser.arch"),
        Binding("J", "owner", "Jump to owner", id="browser.owner"),
        Binding("ctrl+a", "aliases", "Aliases", show=False, id="browser.aliases"),
        Binding("0", "namespace(0)", "All ns", id="browser.all_namespaces"),
        *[Binding(str(i), f"namespace({i})", f"Favourite {i}", show=False,
                  id=f"browser.favourite_{i}") for i in range(1, 10)],
        *[Binding(letter, f"sort('{letter}')", f"Sort by {letter}", show=False,
                  id=f"browser.sort_{letter.lower()}") for letter in SORT_LETTERS],
    ]

    def __init__(self, start: ViewState, favorites: list[str] | None = None):
        super().__init__()
        self.state = start
        self.active_namespace = start.namespace
        self.stack: list[ViewState] = []
        self.favorites = list(favorites or [])
        self.wide = False
        self.group: InformerGroup | None = None
        self._rows: RowModel | None = None
        self._rows_for: tuple | None = None  # what the rows' columns depend on
        self.usage = UsageColumns()
        self.order = RowOrder()  # the keys shown, in order
        self._filter: Filter = Filter()
        self._painted: tuple | None = None
        self._ready = False
        self._table_api = False
        self._columns_from: list | None = None
        self.header = BrowserHeader(self)
        self.commands = BrowserCommands(self)
        self.trail = BrowserTrail(self)
        self.live_filter = LiveFilter(self)
        self.marks = Marks()
        self.bulk = BulkActions(self, self.actions)
        self.rows = RowActions(self, self.actions, self.bulk)
        self.nodes = NodeActions(self.rows)
        self.cron = CronActions(self.rows)
        self.editing = EditActions(self.rows)
        self.port_forwards = ForwardActions(self.rows)

    # -- layout
    def compose(self) -> ComposeResult:
        yield ClusterHeader(id="header")
        yield ResourceTable((), id="table")
        bar = CommandBar(completions(), id="command-bar")
        bar.display = False
        yield bar
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._ready = True
        bar = self.query_one(CommandBar)
        bar.add_words(f"theme {name}" for name in sorted(self.app.available_themes))
        self.query_one(ResourceTable).typeahead = bar
        self.query_one(ResourceTable).names_in_keys = True  # (rows are keyed by object)
        self.query_one(ResourceTable).focus()
        self.set_interval(METRICS_EVERY, self.poll_metrics)
        self.show(self.state, push=False)

    def on_unmount(self) -> None:
        self._ready = False

    @property
    def ready(self) -> bool:
        """Mounted and not closing: its widgets are there to read."""
        return self._ready

    @property
    def table(self) -> ResourceTable:
        return self.query_one(ResourceTable)

    # -- what is shown
    def show(self, state: ViewState, push: bool = True) -> None:
        """Show a view; `push` keeps the current one on the breadcrumb for Escape."""
        if state.kind == "Event" and state.sort_column is None:
            state = replace(state, sort_column="LAST SEEN")  # newest first, as people read
        if not self._ready:  # not composed yet: on_mount shows it
            self.state = state
            return
        cluster = self.app.cluster
        if push:
            self.state.cursor_key = self.table.cursor_key
            self.stack.append(self.state)
        self.state = state
        self._filter = parse_filter(state.filter)
        if self._filter.error:
            self.notify(self._filter.error, severity="warning")
        kind = self.kind_of(state.kind)
        self._table_api = kind is not None and state.kind not in KINDS
        self._columns_from = None
        v = table_view(state.kind, [{"name": "Name"}, {"name": "Age"}],
                       kind.namespaced) if kind is not None and self._table_api \
            else view(state.kind)
        self.usage.view_shown(state.kind, state.namespace, cluster)
        all_ns = state.namespace is None or "," in state.namespace
        self.kind = state.kind  # the footer's action keys follow it (a reactive)
        headers, usage = self.usage.columns(state.kind, v.headers(all_ns, self.wide))
        rows_fn = v.rows_fn(all_ns, self.wide)
        same = (state.kind, all_ns, self.wide, headers, self._table_api)
        kept = self._rows is not None and same == self._rows_for
        if self._rows is None or not kept:  # (a filter or a sort on the same rows keeps
            self._rows = RowModel(rows_fn, events.last_seen_time if state.kind == "Event"
                                  else None, extra=usage)  # what is formatted)
            self._rows_for = same
        else:
            self._rows.rows.row_fn, self._rows.rows.extra = rows_fn, usage
        self.order.clear()
        self._painted = None
        table = self.table
        table.set_columns(headers)
        table.marked = self.marks.of(self.bulk.view_id())
        table.aim(state.cursor_key)
        table.empty_message = "Connecting…" if cluster is None else f"No {self.plural()}"
        if cluster is None:
            return
        old, self.group = self.group, None
        if kind is None:
            self.notify(f"{state.kind} is not a kind this cluster serves", severity="warning")
            return
        namespace = state.namespace if kind.namespaced else None
        self.group = cluster.watch(kind, namespace, state.label_selector, state.field_selector,
                                   table=self._table_api)
        if old is not None:  # (watch counted one more use, even of the same group)
            cluster.release(old, keep_warm=True)
        if kept and old is self.group:  # the same objects: filter and sort them again,
            self._painted = REFILTER   # without handing every object over anew
        self.paint()

    # -- metrics.k8s.io: CPU, MEM and their shares beside pods and nodes, when served
    def poll_metrics(self) -> None:
        """Read the usage of the view's pods or nodes (the timer's, every METRICS_EVERY)."""
        if self.usage.polled(self.state.kind, self.app.cluster):
            self._read_metrics(self.state.kind, self.state.namespace)

    @work(thread=True, exclusive=True, group="metrics", exit_on_error=False)
    def _read_metrics(self, kind: str, namespace: str | None) -> None:
        cluster = self.app.cluster
        if cluster is None:
            return
        self.post_message(self.usage.read(cluster.client, kind, namespace))

    def on_metrics_read(self, message: MetricsRead) -> None:
        if message.usage.notice:
            self.notify(message.usage.notice, severity="warning", timeout=10)
        rebuild = self.usage.take(message.usage, self.state.kind)
        if rebuild is None:
            return
        if rebuild:  # columns come or go: build the view again
            self.show(replace(self.state, cursor_key=self.table.cursor_key), push=False)
            return
        if self._rows is not None:  # every row's usage cells are read again when needed
            self._rows.invalidate_extra()  # (the object's own cells stay formatted)
        if self._filter.text or self.usage.sorts_by_usage(self.state.sort_column):
            # every row's usage may have changed: filter and sort again (the same objects:
            # no reset, which had handed all 10,000 over anew at each read)
            self._painted = REFILTER
            self.order.filtered = None
        elif self._rows is not None:
            self.table.refresh()  # the rows on screen show the new usage as drawn

    def kind_of(self, name: str) -> Kind | None:
        return KINDS.get(name) or getattr(self.app, "extra_kinds", {}).get(name)

    def plural(self) -> str:
        k = self.kind_of(self.state.kind)
        return k.plural if k else self.state.kind.lower()

    def marked(self) -> list[str]:
        return self.bulk.marked()

    def marks_changed(self, repaint: bool = False) -> None:
        """The marks changed: the table shows them, the header counts them."""
        self.table.refresh()
        self.header.stale()
        if repaint:
            self.header.paint()

    def _adopt_server_columns(self) -> None:
        """A Table-API view learns its columns from the first list; rebuild with them."""
        columns = self.group.columns if self.group is not None else None
        if not self._table_api or not columns or columns is self._columns_from:
            return
        self._columns_from = columns
        kind = self.kind_of(self.state.kind)
        v = table_view(self.state.kind, columns, kind.namespaced if kind else True)
        all_ns = self.state.namespace is None or "," in self.state.namespace
        self._rows = RowModel(v.rows_fn(all_ns, self.wide))
        self._rows_for = None
        self.table.set_columns(v.headers(all_ns, self.wide))
        self._painted = None

    def paint(self) -> bool:
        """Bring the screen up to date; True when something had changed."""
        if not self._ready:
            return False
        try:
            return self._paint()
        except NoMatches:  # the app is closing: its widgets are already gone
            self._ready = False
            return False

    def _paint(self) -> bool:
        """Patch the table with what changed since the last paint (a keyed diff)."""
        self._adopt_server_columns()
        group, model = self.group, self._rows
        changed_any = False
        if group is not None and model is not None:
            if self._painted is None:
                group.store.mark_reset()  # a new view: start from everything
            if self.usage.due(group.synced):
                self.poll_metrics()
            reset, dirty, items = group.store.take_changes()
            shape = (self._filter.text, self.state.sort_column, self.state.sort_reverse)
            rebuild = reset or shape != self._painted
            if reset or dirty:
                changed, removed = model.apply(reset, dirty, items, time.time())
            else:
                changed, removed = set(), set()
            if removed:  # a deleted row drops its mark
                self.marks.drop(self.bulk.view_id(), removed)
            if reset and group.synced:
                self.marks.keep_only(self.bulk.view_id(), model.rows)
            if rebuild or changed or removed:
                changed_any = True
                self._painted = shape
                moved = self.order.update(model, self._filter, self.table.columns,
                                          self.state.sort_column, self.state.sort_reverse,
                                          rebuild, changed, removed, items, reset)
                with self.app.batch_update():
                    self.table.apply(model.rows, self.order.keys, changed, rebuild,
                                     model.created, moved)
        if self.table.wanted is not None and group is not None and model is not None and \
                group.synced and self.table.wanted not in self.order.keys:
            missing, self.table.wanted = self.table.wanted, None
            self.notify(f"{missing} is not in this view (gone, or filtered out)",
                        severity="warning", timeout=4)
            self.table.apply(model.rows, self.order.keys, set(), False, model.created, True)
        self.table.tick()
        self.header.paint()
        return changed_any

    def due_in(self) -> float:
        """Seconds until this screen changes with nothing but time: an age on screen,
        or (while a stream is not live) its countdown and "stale since"."""
        health = self.group.health if self.group is not None else None
        if health is not None and health.state != "live":
            return 1.0
        return self.table.next_age_change()

    def on_bulk_done(self, message: BulkDone) -> None:
        self.bulk.done(message)

    def lint_tick(self) -> None:
        """The live lint's findings on the rows and in the header (the app calls it on
        each look)."""
        self.header.lint_tick()

    # -- keys
    async def action_command(self) -> None:
        self.query_one(CommandBar).open(":")
        self.table.release_typeahead()

    def action_filter(self) -> None:
        self.query_one(CommandBar).open("/", self.state.filter)
        self.table.release_typeahead()

    def on_input_changed(self, event: Input.Changed) -> None:
        if isinstance(event.input, CommandBar):
            self.live_filter.typed(event.input)

    def on_command_bar_closed(self, _: CommandBar.Closed) -> None:
        self.set_focus(self.table)  # now: keys typed after the bar go to the table
        self.table.end_typeahead()
        self.live_filter.ended(entered=False)

    def on_command_bar_entered(self, event: CommandBar.Entered) -> None:
        self.set_focus(self.table)
        self.table.end_typeahead()
        self.live_filter.ended(entered=True)
        if event.mode == "/":
            self.show(with_filter(replace(self.state, cursor_key=None), event.text),
                      push=False)
            return
        self.run_command(event.text)

    def run_command(self, text: str) -> None:
        self.commands.run(text)

    def action_aliases(self) -> None:
        self.commands.aliases()

    def action_owner(self) -> None:
        self.trail.owner()

    def action_arch(self, namespace: str | None = None) -> None:
        self.commands.arch(namespace)

    def action_xray(self, kind: str) -> None:
        self.commands.xray(kind)

    def set_namespace(self, namespace: str | None) -> None:
        self.trail.set_namespace(namespace)

    def action_namespace(self, slot: int) -> None:
        self.trail.favourite(slot)

    def action_sort(self, letter: str) -> None:
        column = sort_column(letter, self.table.columns)
        if column is None:
            return
        first = numeric_column(column)  # numbers come biggest first, as in k9s
        reverse = (not self.state.sort_reverse) if column == self.state.sort_column else first
        self.state = replace(self.state, sort_column=column, sort_reverse=reverse)
        self.paint()

    def action_wide(self) -> None:
        self.wide = self.table.every_column = not self.wide
        self.show(replace(self.state, cursor_key=self.table.cursor_key), push=False)

    def selected(self) -> tuple[str, dict] | None:
        key = self.table.cursor_key
        if key is None or self.group is None:
            return None
        obj = self.group.store.get(key)
        return (key, obj) if obj is not None else None

    def action_open(self) -> None:
        self.trail.open()

    def action_back(self) -> None:
        self.trail.back()

    def action_copy_name(self) -> None:
        picked = self.selected()
        if picked is not None:
            name = picked[1]["metadata"]["name"]
            self.app.copy_to_clipboard(name)
            self.notify(f"Copied {name}", timeout=3)

    def action_describe(self) -> None:
        self._open_object("describe")

    def action_yaml(self) -> None:
        self._open_object("yaml")

    def _open_object(self, mode: str) -> None:
        picked = self.selected()
        if picked is None or self.app.cluster is None:
            return
        meta = picked[1]["metadata"]
        kind = self.kind_of(self.state.kind)
        if kind is None:  # a later discovery did not find it (its CRD went, say)
            found = self.state.found
            self.notify(f'the server doesn\'t have a resource type '  # (kubectl's words)
                        f'"{found.plural if found else self.plural()}"', severity="warning")
            return
        self._fetch(kind, meta.get("namespace"), meta["name"], mode)

    @work(thread=True, exclusive=True, group="object", exit_on_error=False)
    def _fetch(self, kind: Kind | str, namespace: str | None, name: str, mode: str) -> None:
        self.actions.describe_in_thread(kind, namespace, name, mode)

    # -- the keys that act, handed to the composed parts
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer shows an action key only where it applies to the kind shown."""
        return self.rows.applies(action)

    def action_restart(self) -> None:
        self.rows.restart()

    def action_rollout(self) -> None:
        self.rows.rollout()

    def action_undo(self) -> None:
        self.rows.undo()

    def action_scale(self) -> None:
        self.rows.scale()

    def action_delete(self) -> None:
        self.rows.delete()

    def action_kill(self) -> None:
        self.rows.kill()

    def action_logs(self, previous: bool = False) -> None:
        self.rows.logs(previous)

    def action_previous_logs(self) -> None:
        self.rows.logs(previous=True)

    def action_exec(self) -> None:
        self.rows.exec()

    def action_shell(self) -> None:
        self.rows.shell()

    def action_checklist(self) -> None:
        self.rows.checklist()

    def action_mark(self) -> None:
        self.bulk.mark()

    def action_clear_marks(self) -> None:
        self.bulk.clear_marks()

    def action_cordon(self) -> None:
        self.nodes.cordon()

    def action_uncordon(self) -> None:
        self.nodes.uncordon()

    def action_drain(self) -> None:
        self.nodes.drain()

    def action_trigger(self) -> None:
        self.cron.trigger()

    def action_suspend(self) -> None:
        self.cron.suspend()

    def action_edit(self) -> None:
        self.editing.edit()

    def action_port_forward(self) -> None:
        self.port_forwards.port_forward()

    def action_help(self) -> None:
        """The keys in force now, grouped, as bound (a remapped key shows its new key)."""
        self.app.push_screen(HelpScreen(help_groups(self.app, [
            ("View", "0 1 … 9", "All namespaces, favourite namespaces"),
            ("View", "N A S R T I O P C M", "Sort by name, age, status, ready, restarts, IP, "
                                            "node, namespace, CPU, memory (again: reverse)")]),
            COMMAND_HELP))
