"""What the actions need of the screen that owns them, written down: a `Host` (any screen
that acts: the app, notifications, workers) and a `RowHost` (the browser: a selected row
of a kind, the table and its marks). Screens own their actions and hand themselves in;
the actions never reach for anything the protocols do not name."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from textual.message import Message
    from textual.notifications import SeverityLevel
    from textual.worker import Worker

    from kubetui.kube.cluster import InformerGroup
    from kubetui.kube.kinds import Kind
    from kubetui.ui.actions.marks import Marks
    from kubetui.ui.app import KubetuiApp
    from kubetui.ui.navigation import ViewState
    from kubetui.ui.widgets.resource_table import ResourceTable


class Host(Protocol):
    """A screen that acts: its app, its notifications, its workers (which end with it)."""

    @property
    def app(self) -> KubetuiApp: ...

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None: ...

    def post_message(self, message: Message) -> bool: ...

    def run_worker(self, work: Callable[[], Any], name: str | None = "",
                   group: str = "default", description: str = "",
                   exit_on_error: bool = True, start: bool = True, exclusive: bool = False,
                   thread: bool = False) -> Worker[Any]: ...


class RowHost(Host, Protocol):
    """The browser: a table of one kind, a selected row, marks."""

    state: ViewState
    group: InformerGroup | None
    marks: Marks
    active_namespace: str | None

    @property
    def table(self) -> ResourceTable: ...

    def selected(self) -> tuple[str, dict] | None: ...

    def kind_of(self, name: str) -> Kind | None: ...

    def plural(self) -> str: ...

    def marks_changed(self, repaint: bool = False) -> None: ...
