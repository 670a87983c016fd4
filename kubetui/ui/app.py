"""The kubetui application: a header, the live pods table, a footer.

Event rate and paint rate are independent: informers write their stores from threads;
a timer here takes a snapshot about ten times a second and repaints only on change."""

from __future__ import annotations

import time
from dataclasses import dataclass

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from kubetui.kube.client import ApiError
from kubetui.kube.cluster import Cluster, InformerGroup
from kubetui.kube.config import KubeConfigError, KubeConfigSet
from kubetui.render.age import human_duration
from kubetui.render.pod import POD_COLUMNS, pod_row
from kubetui.render.rows import RowCache

from . import themes
from .header import ClusterHeader
from .resource_table import ResourceTable


@dataclass
class Settings:
    context: str | None = None
    namespace: str | None = None  # None: all namespaces
    readonly: bool = False
    refresh_hz: float = 10.0
    theme: str = themes.DEFAULT_THEME


class KubetuiApp(App):
    CSS_PATH = "kubetui.tcss"
    TITLE = "kubetui"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.quit_ctrl_c"),
    ]

    def __init__(self, kubeconfig: KubeConfigSet, settings: Settings | None = None):
        super().__init__()
        self.kubeconfig = kubeconfig
        self.settings = settings or Settings()
        self.cluster: Cluster | None = None
        self.informer: InformerGroup | None = None
        self.server_version = "…"
        self._rows = RowCache(pod_row)
        self._frozen = False
        ctx = kubeconfig.context(self.settings.context)
        self.context_info = ctx

    # -- layout
    def compose(self) -> ComposeResult:
        yield ClusterHeader(id="header")
        yield ResourceTable(POD_COLUMNS, id="table")
        yield Footer()

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(themes.VARIABLE_DEFAULTS)

    def on_mount(self) -> None:
        found, problems = themes.discover()
        for theme in found:
            self.register_theme(theme)
        names = {t.name for t in found}
        self.theme = self.settings.theme if self.settings.theme in names else "textual-dark"
        for problem in problems:
            self.notify(problem, title="Theme skipped", severity="warning", timeout=8)
        table = self.query_one(ResourceTable)
        table.empty_message = "Connecting…"
        table.focus()
        self._paint_header()
        self.connect()
        self.set_interval(1 / self.settings.refresh_hz, self._tick)

    # -- cluster I/O (thread workers: they only post results back)
    @work(thread=True, exclusive=True, group="connect", exit_on_error=False)
    def connect(self) -> None:
        cluster = Cluster(self.kubeconfig, self.context_info.name, self.settings.readonly)
        client = cluster.client
        informer = cluster.watch("Pod", self.settings.namespace)
        self.call_from_thread(self._connected, cluster, informer)
        try:
            version = client.version().get("gitVersion", "?")
        except (ApiError, OSError, ValueError) as exc:
            version = "unknown"
            self.call_from_thread(self.notify, f"Server version unavailable: {exc}",
                                  severity="warning")
        except Exception as exc:  # urllib3 errors and the like: say it, keep going
            version = "unreachable"
            self.call_from_thread(self.notify, f"{client.server}: {exc}", severity="warning")
        self.call_from_thread(self._set_version, version)

    def _connected(self, cluster: Cluster, informer: InformerGroup) -> None:
        self.cluster, self.informer = cluster, informer
        self.query_one(ResourceTable).empty_message = "No pods"

    def _set_version(self, version: str) -> None:
        self.server_version = version
        self._paint_header()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every failed worker ends here: a notification, never a traceback."""
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            message = str(error) if isinstance(error, (KubeConfigError, ApiError)) else (
                f"{type(error).__name__}: {error}")
            self.notify(message, title="Error", severity="error", timeout=10)

    # -- painting
    def _tick(self) -> None:
        informer = self.informer
        if informer is None:
            return
        version, items = informer.store.snapshot()
        if not self._frozen and informer.synced and len(items) > 2000:
            self._frozen = True
            self.cluster.freeze_heap()  # keep full collections short with a big cache
        rows = self._rows.rows(version, items, time.time())
        if rows is not None:
            with self.batch_update():
                self.query_one(ResourceTable).set_rows(rows)
        self._paint_header()

    def _paint_header(self) -> None:
        ctx = self.context_info
        informer = self.informer
        health = informer.health if informer else None
        detail = ""
        if health is not None:
            if health.state in ("syncing", "relisting") and health.listed:
                detail = f"pods {health.listed:,}" + (f" / {health.total:,}"
                                                       if health.total else "")
            elif health.message:
                wait = max(0.0, health.next_try - time.time())
                detail = f"{health.message} (retry in {wait:.0f}s)" if wait else health.message
            if health.state != "live" and health.live_until:
                detail += f"; stale since {human_duration(time.time() - health.live_until)} ago"
        self.query_one(ClusterHeader).show(
            context=ctx.name, cluster=ctx.cluster, user=ctx.user,
            server=ctx.server, version=self.server_version, view="pods",
            scope=self.settings.namespace or "all",
            count=self.query_one(ResourceTable).row_count,
            health=health.state if health else "connecting", detail=detail)

    # -- teardown
    async def action_quit(self) -> None:
        self.shutdown()
        self.exit()

    def shutdown(self) -> None:
        self.informer = None
        if self.cluster is not None:
            self.cluster.close(wait=2)
            self.cluster = None
