"""The architecture view (`a`, `:arch`): the cluster the way people first learn it, live.
The control plane over the worker nodes, each node with its pods as coloured cells that
the cursor moves over; enter opens a pod's debugging checklist. The model and the layout
are pure (`render.architecture`, `render.arch_layout`); this widget only draws them."""

from __future__ import annotations

import logging

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from kubetui.kube.client import ApiError
from kubetui.kube.informer import FORBIDDEN
from kubetui.render import arch_layout, architecture
from kubetui.render.arch_layout import Layout
from kubetui.render.json_types import Obj
from kubetui.ui.screens.acting import ActingScreen
from kubetui.ui.screens.modals import PromptScreen

from ..widgets.footer import Footer

log = logging.getLogger("kubetui.ui")

STYLES = ("ok", "pending", "error", "done", "dim", "bold", "border", "title", "managed",
          "cursor")
LEGEND = (("ok", "running"), ("pending", "pending"), ("error", "failing"), ("done", "done"))


class ArchView(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {f"arch-view--{s}" for s in STYLES}
    BINDINGS = [
        Binding("left,h", "move(-1, 0)", "Left", show=False, id="arch.left"),
        Binding("right,l", "move(1, 0)", "Right", show=False, id="arch.right"),
        Binding("up,k", "move(0, -1)", "Up", show=False, id="arch.up"),
        Binding("down,j", "move(0, 1)", "Down", show=False, id="arch.down"),
        Binding("home,g", "jump(0)", "First", show=False, id="arch.first"),
        Binding("end,G", "jump(-1)", "Last", show=False, id="arch.last"),
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.model: architecture.Architecture | None = None
        self.compact = False
        self.layout_: Layout = Layout()
        self.cursor = 0  # index into layout_.cells
        self._cursor_key: tuple[str, str] | None = None
        self._styles: tuple[str | None, dict] = (None, {})

    def show(self, model: architecture.Architecture) -> None:
        self.model = model
        self.relayout()

    def relayout(self) -> None:
        if self.model is None:
            return
        self.layout_ = arch_layout.layout(self.model, max(24, self.size.width - 1), self.compact)
        cells = self.layout_.cells
        if self._cursor_key is not None:  # the cursor stays on its pod as things move
            for i, (_, _, cell) in enumerate(cells):
                if (cell.namespace, cell.name) == self._cursor_key:
                    self.cursor = i
                    break
        self.cursor = min(self.cursor, max(0, len(cells) - 1))
        self.virtual_size = Size(self.size.width, len(self.layout_.rows))
        self.refresh()

    def on_resize(self) -> None:
        self.relayout()

    @property
    def selected(self) -> architecture.PodCell | None:
        cells = self.layout_.cells
        return cells[self.cursor][2] if cells else None

    def _select(self, index: int) -> None:
        cells = self.layout_.cells
        if not cells:
            return
        self.cursor = max(0, min(len(cells) - 1, index))
        row, _, cell = cells[self.cursor]
        self._cursor_key = (cell.namespace, cell.name)
        self.scroll_to_region_row(row)
        self.refresh()
        self.post_message(self.Moved())

    def scroll_to_region_row(self, row: int) -> None:
        top, height = int(self.scroll_offset.y), self.size.height
        if row < top + 1:
            self.scroll_to(y=max(0, row - 2), animate=False)
        elif row >= top + height - 1:
            self.scroll_to(y=row - height + 3, animate=False)

    def action_move(self, dx: int, dy: int) -> None:
        cells = self.layout_.cells
        if not cells:
            return
        if dx:
            self._select(self.cursor + dx)
            return
        row, col, _ = cells[self.cursor]
        candidates = [(abs(r - row), abs(c - col), i) for i, (r, c, _) in enumerate(cells)
                      if (r - row) * dy > 0]
        if candidates:
            self._select(min(candidates)[2])

    def action_jump(self, index: int) -> None:
        self._select(index if index >= 0 else len(self.layout_.cells) - 1)

    class Moved(Message):
        """The cursor moved to another pod."""

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y
        width = self.size.width
        if index >= len(self.layout_.rows):
            return Strip.blank(width)
        if self._styles[0] != self.app.theme:  # looked up once per theme, not per line
            self._styles = (self.app.theme, {s: self.get_component_rich_style(
                f"arch-view--{s}", partial=True) for s in STYLES})
        styles = self._styles[1]
        cursor_at = None
        if self.layout_.cells:
            r, c, _ = self.layout_.cells[self.cursor]
            cursor_at = c if r == index else None
        segments, x = [], 0
        for text, style in self.layout_.rows[index]:
            rich_style = styles.get(style) or Style()
            if cursor_at is not None and x <= cursor_at < x + len(text):
                k = cursor_at - x
                if k:
                    segments.append(Segment(text[:k], rich_style))
                # the cursor: a diamond in the pod's own colour on the cursor background
                glyph = "◆" if text[k] == arch_layout.CELL else text[k]
                segments.append(Segment(glyph, rich_style + styles["cursor"]))
                if text[k + 1:]:
                    segments.append(Segment(text[k + 1:], rich_style))
            else:
                segments.append(Segment(text, rich_style))
            x += len(text)
        return Strip(segments).crop_extend(0, width, None)


class ArchScreen(ActingScreen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="arch.back"),
        Binding("enter", "checklist", "Checklist", id="arch.checklist"),
        Binding("L", "logs", "Logs", id="arch.logs"),
        Binding("d", "describe", "Describe", id="arch.describe"),
        Binding("z", "compact", "Compact", id="arch.compact"),
        Binding("n", "namespace", "Namespace", id="arch.namespace"),
    ]

    def __init__(self, cluster, namespace: str | None = None, compact: bool | None = None):
        super().__init__()
        self.cluster, self.namespace = cluster, namespace
        self.compact = compact
        self.readyz: str | None = None
        self.componentstatuses: list[dict] | None = None
        self.server_version: str | None = None
        self.node_metrics: dict[str, dict] | None = None
        self._cache = architecture.CellCache()
        self._seen: tuple = ()
        self._groups: list = []

    def compose(self) -> ComposeResult:
        yield Static(id="arch-title")
        yield ArchView(id="arch")
        yield Static(id="arch-selected")
        yield Footer()

    def on_mount(self) -> None:
        self._node_group = self.cluster.watch("Node")
        self._pod_group = self.cluster.watch("Pod")
        self._groups = [self._node_group, self._pod_group]
        self.query_one(ArchView).focus()
        self._probe()
        self.set_interval(10, self._probe)
        self.set_interval(0.5, self.rebuild)
        self.rebuild()

    def on_unmount(self) -> None:
        for group in self._groups:
            self.cluster.release(group)

    @work(thread=True, exclusive=True, group="arch-probe", exit_on_error=False)
    def _probe(self) -> None:
        """What the control plane and metrics say (every 10 s; failures leave None)."""
        client = self.cluster.client

        def look(what: str, call):
            try:
                return call()
            except ApiError as exc:
                if exc.status != 404:  # 404: not served here, an answer in itself
                    log.error("architecture view: cannot read %s", what, exc_info=True)
            except Exception:  # the boundary: one failed probe leaves its part unknown
                log.exception("architecture view: cannot read %s", what)
            return None

        readyz = look("/readyz", lambda: client.request(
            "GET", "/readyz", {"verbose": "true"}).decode("utf-8", "replace"))
        statuses = look("componentstatuses", lambda: client.get_json(
            "/api/v1/componentstatuses").get("items") or [])
        items = look("node metrics", lambda: client.get_json(
            "/apis/metrics.k8s.io/v1beta1/nodes").get("items") or [])
        metrics = None if items is None else {m["metadata"]["name"]: m for m in items}
        version = self.server_version or look("/version", lambda: str(
            client.get_json("/version").get("gitVersion") or ""))
        self.post_message(self.Probed(readyz, statuses, metrics, version))

    class Probed(Message):
        """A probe's answers (None: that part could not be read)."""

        def __init__(self, readyz: str | None, statuses: list[Obj] | None,
                     metrics: dict[str, Obj] | None, version: str | None) -> None:
            super().__init__()
            self.readyz, self.statuses, self.metrics, self.version = (readyz, statuses,
                                                                      metrics, version)

    def on_arch_screen_probed(self, message: Probed) -> None:
        self.readyz, self.componentstatuses = message.readyz, message.statuses
        self.node_metrics, self.server_version = message.metrics, message.version
        self._seen = ()
        self.rebuild()

    def rebuild(self) -> None:
        seen = (self._node_group.store.version, self._pod_group.store.version, self.namespace,
                self._node_group.health.state, self._pod_group.health.state)
        if seen == self._seen:
            return
        self._seen = seen
        nodes = list(self._node_group.store.snapshot()[1].values())
        pods = list(self._pod_group.store.snapshot()[1].values())
        model = architecture.build(nodes, pods, self.readyz, self.componentstatuses,
                                   self.node_metrics, self.namespace, self._cache,
                                   server_version=self.server_version)
        view = self.query_one(ArchView)
        if self.compact is None:  # many nodes or pods: small boxes, until the user says
            self.compact = len(nodes) > 12 or len(pods) > 1500
        view.compact = self.compact
        view.show(model)
        synced = self._node_group.synced and self._pod_group.synced
        blocked = [f"{g.kind.plural}: {g.health.message}" for g in
                   (self._node_group, self._pod_group) if g.health.state == FORBIDDEN]
        waiting = ("   " + "; ".join(blocked), "bold red") if blocked else (
            "" if synced else "   (loading ...)", "dim")
        self.query_one("#arch-title", Static).update(Text.assemble(
            (" architecture ", "bold reverse"),
            f"  {len(model.nodes)} nodes, {model.pod_count:,} pods"
            f"{' in ' + self.namespace if self.namespace else ''}"
            f"{', ' + str(len(model.unscheduled)) + ' unscheduled' if model.unscheduled else ''}",
            waiting,
            ("   metrics: " + ("yes" if self.node_metrics is not None else "none"), "dim"),
            ("   compact" if self.compact else "", "dim")))
        self._show_selected()

    def on_arch_view_moved(self, _message) -> None:
        self._show_selected()

    def _show_selected(self) -> None:
        cell = self.query_one(ArchView).selected
        label = self.query_one("#arch-selected", Static)
        if cell is None:
            label.update(Text(" no pods", "dim"))
            return
        view = self.query_one(ArchView)
        legend = [part for health, words in LEGEND for part in (
            (arch_layout.CELL, view.get_component_rich_style(f"arch-view--{health}")),
            (f" {words}  ", "dim"))]
        label.update(Text.assemble(
            (f" {cell.namespace}/{cell.name}", "bold"), f"  {cell.status}  ",
            (f"on {cell.node}" if cell.node else "not scheduled", "dim"), "    ", *legend))

    # -- keys
    def action_compact(self) -> None:
        self.compact = not self.compact
        view = self.query_one(ArchView)
        view.compact = self.compact
        self._seen = ()
        self.rebuild()

    def action_namespace(self) -> None:
        def answered(value: str | None) -> None:
            if value is None:
                return
            self.namespace = value or None
            self.rebuild()

        self.app.push_screen(PromptScreen("Show the pods of which namespace? (empty: all)",
                                          self.namespace or ""), answered)

    def _cell_pod(self) -> dict | None:
        cell = self.query_one(ArchView).selected
        if cell is None:
            return None
        return self._pod_group.store.get(f"{cell.namespace}/{cell.name}")

    def action_checklist(self) -> None:
        from kubetui.ui.screens.checklist import ChecklistScreen
        cell = self.query_one(ArchView).selected
        if cell is not None:
            self.app.push_screen(ChecklistScreen(self.cluster, cell.namespace, cell.name,
                                                 self.app.settings.debug_image))

    def action_logs(self) -> None:
        from kubetui.ui.screens.logs import LogScreen
        pod = self._cell_pod()
        if pod is not None:
            self.app.push_screen(LogScreen(self.cluster, pod["metadata"]["namespace"], [pod],
                                           title=pod["metadata"]["name"]))

    def action_describe(self) -> None:
        pod = self._cell_pod()
        if pod is not None:
            self._describe(pod["metadata"]["namespace"], pod["metadata"]["name"])

    @work(thread=True, exclusive=True, group="arch-describe", exit_on_error=False)
    def _describe(self, namespace: str, name: str, kind: str = "Pod") -> None:
        self.actions.describe_in_thread(kind, namespace, name)



__all__ = ["ArchScreen", "ArchView"]
