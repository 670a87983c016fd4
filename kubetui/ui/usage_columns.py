"""The browser's usage columns (metrics.k8s.io: CPU, MEM and their shares beside pods and
nodes, when served): which view the last read was for, what it found, whether a read is
due, and each row's usage cells. The browser holds one and asks it; the reading itself
is `metrics_poll.MetricsPoll`, in the browser's worker (the answer comes back as a
`MetricsRead` message)."""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message

from kubetui.kube.client import KubeClient
from kubetui.kube.metrics_read import Metrics
from kubetui.render import metrics
from kubetui.ui.metrics_poll import MetricsPoll, Usage

METRICS_EVERY = 15.0  # seconds between metrics.k8s.io reads (metrics-server scrapes each 15 s)
USAGE_KINDS = ("Pod", "Node")
UsageCells = Callable[[dict], tuple[str, ...]]


class MetricsRead(Message):
    """metrics.k8s.io answered for a kind (see ui/metrics_poll.Usage)."""

    def __init__(self, usage: Usage) -> None:
        super().__init__()
        self.usage = usage


class UsageColumns:
    """The usage columns of the view in the browser: the last read and what it means."""

    def __init__(self) -> None:
        self.poll = MetricsPoll()
        self.found: dict[str, Metrics] | None = None  # key -> Pod/NodeMetrics, if served
        self.read_for: tuple = ()  # the (kind, namespace, session) they were read for
        self.unknown: str | None = None  # why usage is unknown (cells say so)
        self.wanted = False  # a read is due as soon as the view is listed

    def view_shown(self, kind: str, namespace: str | None, session: object) -> None:
        """A view is shown: a new view, or the same one on a new session (the first show
        comes before the connection, a context switch keeps the view), is read now, not
        at the next interval."""
        read_for = (kind, namespace, id(session) if session is not None else None)
        if self.read_for != read_for:
            self.read_for, self.found = read_for, None
            self.unknown = None
            self.wanted = True  # read once the view's first list is in (`due`):
            # read beside it, 4.3 MB at 10,000 pods slowed the list and rebuilt the rows

    def due(self, synced: bool) -> bool:
        """Whether the first read of the view is due now (its first list is in)."""
        if self.wanted and synced:
            self.wanted = False
            return True
        return False

    @staticmethod
    def polled(kind: str, session: object) -> bool:
        """Whether a kind has usage to read (pods and nodes, once connected)."""
        return kind in USAGE_KINDS and session is not None

    def read(self, client: KubeClient, kind: str, namespace: str | None) -> MetricsRead:
        """(In a thread.) The message that carries one read."""
        return MetricsRead(self.poll.read(client, kind, namespace))

    def columns(self, kind: str, headers: tuple[str, ...]
                ) -> tuple[tuple[str, ...], UsageCells | None]:
        """The headers with the usage columns, and the function of a row's usage cells
        (the rows keep them apart: a metrics read re-reads only those)."""
        columns = {"Pod": metrics.POD_COLUMNS, "Node": metrics.NODE_COLUMNS}.get(kind)
        if columns is None or (self.found is None and self.unknown is None):
            return headers, None
        cells = metrics.pod_cells if kind == "Pod" else metrics.node_cells

        def usage_cells(obj: dict) -> tuple[str, ...]:
            if self.unknown is not None:  # read, but not readable: unknown
                return (metrics.UNKNOWN,) * len(columns)
            meta = obj.get("metadata") or {}
            key = f"{meta.get('namespace')}/{meta.get('name')}" if meta.get(
                "namespace") else meta.get("name", "")
            usage = self.found or {}  # the latest read (a row is formatted when shown)
            return cells(obj, usage.get(key))
        return (*headers, *columns), usage_cells

    def take(self, usage: Usage, kind: str) -> bool | None:
        """A read's answer for the view of `kind`: None when it changes nothing shown,
        True when the columns come or go (build the view again), False when only the
        usage in the cells changed."""
        had = self.found is not None or self.unknown is not None
        has = usage.found is not None or usage.unknown is not None
        if usage.kind != kind or not (had or has):
            return None
        self.found, self.unknown = usage.found, usage.unknown
        return had != has

    @staticmethod
    def sorts_by_usage(column: str | None) -> bool:
        return column in (*metrics.POD_COLUMNS, *metrics.NODE_COLUMNS)


__all__ = ["METRICS_EVERY", "MetricsRead", "UsageColumns"]
