"""What the fleet keeps of each object: a small tuple, decoded straight from the API's
bytes by msgspec structs that name only the fields a fleet row reads (every other field
is skipped by the decoder, never built). A page of a list is decoded, reduced to
tuples and dropped before the next page is read: the fleet never holds full objects.

Pods: (phase, ready, restarts, last restart time, CPU millicores requested, memory
bytes requested). Nodes: (ready, cordoned, allocatable millicores, allocatable bytes).
Events: the time the event last happened."""

from __future__ import annotations

import sys
from typing import Any, Callable, Generic, TypeVar

import msgspec
import orjson

from kubetui.render.age import parse_time
from kubetui.render.json_types import Body, Obj
from kubetui.render.quantity import parse_quantity

S = TypeVar("S", bound=msgspec.Struct)  # what a kind's items decode into
V = TypeVar("V")  # the small value kept of each


class _Meta(msgspec.Struct, gc=False):
    name: str = ""
    namespace: str = ""
    resourceVersion: str = ""


class _ListMeta(msgspec.Struct, gc=False):
    resourceVersion: str = ""
    # (`continue` is a keyword: renamed)
    cont: str | None = msgspec.field(default=None, name="continue")
    remainingItemCount: int | None = None


class _Resources(msgspec.Struct, gc=False):
    requests: dict[str, str | int | float] | None = None


class _Container(msgspec.Struct, gc=False):
    resources: _Resources | None = None


class _PodSpec(msgspec.Struct, gc=False):
    nodeName: str | None = None
    containers: list[_Container] | None = None
    initContainers: list[_Container] | None = None


class _Terminated(msgspec.Struct, gc=False):
    finishedAt: str | None = None


class _LastState(msgspec.Struct, gc=False):
    terminated: _Terminated | None = None


class _ContainerStatus(msgspec.Struct, gc=False):
    restartCount: int = 0
    lastState: _LastState | None = None


class _Condition(msgspec.Struct, gc=False):
    type: str = ""
    status: str = ""


class _PodStatus(msgspec.Struct, gc=False):
    phase: str = ""
    conditions: list[_Condition] | None = None
    containerStatuses: list[_ContainerStatus] | None = None


class _Pod(msgspec.Struct, gc=False):
    metadata: _Meta | None = None
    spec: _PodSpec | None = None
    status: _PodStatus | None = None


class _NodeSpec(msgspec.Struct, gc=False):
    unschedulable: bool = False


class _NodeStatus(msgspec.Struct, gc=False):
    allocatable: dict[str, str | int | float] | None = None
    conditions: list[_Condition] | None = None


class _Node(msgspec.Struct, gc=False):
    metadata: _Meta | None = None
    spec: _NodeSpec | None = None
    status: _NodeStatus | None = None


class _Series(msgspec.Struct, gc=False):
    lastObservedTime: str | None = None


class _Event(msgspec.Struct, gc=False):
    metadata: _Meta | None = None
    lastTimestamp: str | None = None
    eventTime: str | None = None
    firstTimestamp: str | None = None
    series: _Series | None = None


PodRow = tuple[str, bool, int, float, int, int]
NodeRow = tuple[bool, bool, int, int]


def _quantity(values: dict[str, str | int | float] | None, key: str, scale: float) -> int:
    if not values or key not in values:
        return 0
    try:
        return int(parse_quantity(values[key]) * scale)
    except (TypeError, ValueError):
        return 0


def _ready(conditions: list[_Condition] | None) -> bool:
    return any(c.type == "Ready" and c.status == "True" for c in conditions or ())


def pod_row(pod: _Pod) -> PodRow:
    status = pod.status or _PodStatus()
    restarts, last = 0, 0.0
    for cs in status.containerStatuses or ():
        restarts += cs.restartCount
        term = cs.lastState.terminated if cs.lastState else None
        if term is not None and term.finishedAt:
            last = max(last, parse_time(term.finishedAt) or 0.0)
    cpu = mem = 0
    spec = pod.spec
    if spec is not None and spec.nodeName:  # (what no node holds takes from no node)
        # as the scheduler counts a pod: its containers' sum, or its largest init
        # container if that is more
        for c in spec.containers or ():
            requests = c.resources.requests if c.resources else None
            cpu += _quantity(requests, "cpu", 1000)
            mem += _quantity(requests, "memory", 1)
        for c in spec.initContainers or ():
            requests = c.resources.requests if c.resources else None
            cpu = max(cpu, _quantity(requests, "cpu", 1000))
            mem = max(mem, _quantity(requests, "memory", 1))
    return (sys.intern(status.phase or "Unknown"), _ready(status.conditions), restarts, last,
            cpu, mem)


def node_row(node: _Node) -> NodeRow:
    status = node.status or _NodeStatus()
    return (_ready(status.conditions), bool(node.spec and node.spec.unschedulable),
            _quantity(status.allocatable, "cpu", 1000),
            _quantity(status.allocatable, "memory", 1))


def event_row(ev: _Event) -> float:
    stamp = (ev.series.lastObservedTime if ev.series else None) or ev.lastTimestamp or \
        ev.eventTime or ev.firstTimestamp
    return parse_time(stamp) or 0.0


class Decoder(Generic[S, V]):
    """A kind's list pages and watch lines into (key, small value) pairs."""

    def __init__(self, struct: type[S], slim: Callable[[S], V]) -> None:
        self.slim = slim
        # (types made at run time, from a class held as a value, which mypy cannot follow:
        # what they decode is read as Any)
        item: Any = struct
        self._list: msgspec.json.Decoder[Any] = msgspec.json.Decoder(msgspec.defstruct(
            f"{struct.__name__}List", [("metadata", _ListMeta | None, None),
                                       ("items", list[item] | None, None)], gc=False))
        self._event: msgspec.json.Decoder[Any] = msgspec.json.Decoder(msgspec.defstruct(
            f"{struct.__name__}Event", [("type", str, ""), ("object", item | None, None)],
            gc=False))

    @staticmethod
    def key(meta: _Meta | None) -> str:
        if meta is None:
            return ""
        return f"{meta.namespace}/{meta.name}" if meta.namespace else meta.name

    def page(self, data: Body) -> tuple[list[tuple[str, V]], _ListMeta]:
        """(key, value) of each item, and the list's metadata (its continue token)."""
        doc = self._list.decode(data)
        items = [(self.key(o.metadata), self.slim(o)) for o in doc.items or ()]
        return items, doc.metadata or _ListMeta()

    def event(self, line: bytes) -> tuple[str, str, V | None, str, Obj | None]:
        """(type, key, value, resourceVersion, Status of an ERROR event)."""
        if b'"ERROR"' in line[:40]:
            ev = orjson.loads(line)
            return "ERROR", "", None, "", ev.get("object") or {}
        ev = self._event.decode(line)
        obj = ev.object
        meta = obj.metadata if obj is not None else None
        rv = meta.resourceVersion if meta is not None else ""
        if ev.type == "BOOKMARK" or obj is None or not meta or not meta.name:
            return (ev.type if ev.type == "BOOKMARK" else "SKIP"), "", None, rv, None
        return ev.type, self.key(meta), self.slim(obj), rv, None


PODS = Decoder(_Pod, pod_row)
NODES = Decoder(_Node, node_row)
EVENTS = Decoder(_Event, event_row)

__all__ = ["Decoder", "EVENTS", "NODES", "NodeRow", "PODS", "PodRow"]
