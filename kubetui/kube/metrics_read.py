"""Reading metrics.k8s.io lists: only what the usage columns and the lint read (each
item's namespace, name and usage), decoded by msgspec into small untracked structs
that read like the dicts they stand for (kube/dict_face.py; at 100,000 pods a read
decoded into dicts held 150 MB, twice while the next one came). A read of
10,000 PodMetrics is 4.3 MB of JSON every 15 s; decoding it whole (labels, timestamps,
windows) was most of what an idle app spent off its UI thread."""

from __future__ import annotations

import sys
import threading
import time
import weakref
from collections.abc import Iterator, Mapping
from typing import Any

import msgspec

from kubetui.render.json_types import Body
from kubetui.render.metrics import quantity_or_zero

from .client import KubeClient
from .dict_face import DictFace

BASE = "/apis/metrics.k8s.io/v1beta1"


class Usage(DictFace, gc=False, omit_defaults=True):
    cpu: str | None = None
    memory: str | None = None


class ContainerUsage(DictFace, gc=False, omit_defaults=True):
    name: str | None = None
    usage: Usage | None = None


class _Meta(DictFace, gc=False, omit_defaults=True):
    name: str | None = None
    namespace: str | None = None


class Metrics(DictFace, gc=False, omit_defaults=True):
    """A PodMetrics (containers) or a NodeMetrics (usage)."""
    metadata: _Meta | None = None
    containers: tuple[ContainerUsage, ...] | None = None  # PodMetrics
    usage: Usage | None = None  # NodeMetrics

    def totals(self) -> tuple[float, float]:
        """(cores, bytes): its containers' sums, or the node's (render/metrics.usage)."""
        parts = [c.usage for c in self.containers] if self.containers is not None \
            else [self.usage]
        cpu = mem = 0.0
        for u in parts:
            if u is not None:
                cpu += quantity_or_zero(u.cpu or 0)
                mem += quantity_or_zero(u.memory or 0)
        return cpu, mem


class _List(msgspec.Struct):
    items: list[msgspec.Raw] | None = None


# The list is split into its items' raw JSON first (one C call, 15 ms at 100,000 pods),
# then each item decoded in a loop the interpreter can leave: decoded whole, a read of
# 100,000 pods held the GIL for 110-230 ms at a time, every 15 s, and the UI's thread
# waited (event to row, p99, 38 -> 153 ms at 1,000 events a second in the benchmark).
_LIST = msgspec.json.Decoder(_List)
_ITEM = msgspec.json.Decoder(Metrics)


def decode_metrics(data: Body, into: dict[str, Metrics] | None = None
                   ) -> dict[str, Metrics]:
    """PodMetrics or NodeMetrics by key (`namespace/name`, or `name` for a node).

    With `into` (the last read of the same list), each item replaces its pod's there as
    it is decoded, and the pods no longer listed are dropped at the end. A new read
    beside the last one, then the last one freed, left the heap with both: at 100,000
    pods RSS stayed 76 MB higher, and the read's peak was 70 MB higher. A list that is
    not one raises ValueError (and `into` then has the pods read before it updated; the
    rest, and the pods gone, are as the last read had them)."""
    try:
        raws = _LIST.decode(data).items or []
    except msgspec.DecodeError as exc:  # (not JSON, or not a list)
        raise ValueError(f"a metrics list that is not one: {exc}") from exc
    out: dict[str, Metrics] = {} if into is None else into
    seen: set[str] | None = set() if out else None
    for raw in raws:
        try:
            m = _ITEM.decode(raw)
        except msgspec.DecodeError as exc:  # (an item that is not a metrics object)
            raise ValueError(f"a metrics list that is not one: {exc}") from exc
        meta = m.metadata
        name = meta.name if meta is not None else None
        if not name:
            continue
        ns = meta.namespace if meta is not None else None
        key = f"{ns}/{name}" if ns else name
        out[key] = m
        if seen is not None:
            seen.add(key)
        m.metadata = None  # (the key says it; 14 MB less at 100,000 pods)
        for c in m.containers or ():  # the same few names in every pod: one copy each
            if c.name is not None:
                c.name = sys.intern(c.name)
    if seen is not None and len(seen) != len(out):
        for key in [k for k in out if k not in seen]:  # gone since the last read
            del out[key]
    return out


def read_metrics(client: KubeClient, path: str, into: dict[str, Metrics] | None = None
                 ) -> dict[str, Metrics]:
    """GET a metrics list (ApiError as any request; ValueError if it is not a list);
    `into`: see decode_metrics."""
    return decode_metrics(client.request("GET", path, timeout=30), into)


ALL_PODS = f"{BASE}/pods"


def metrics_path(kind: str, namespace: str | None) -> str:
    """The list of usage for a view of `kind` ("Node", or pods) in `namespace`: one
    namespace's pods, or every pod (all namespaces, or several: "a,b")."""
    return (f"{BASE}/nodes" if kind == "Node" else
            f"{BASE}/namespaces/{namespace}/pods" if namespace and "," not in namespace
            else ALL_PODS)


class PodReads:
    """A cluster's last read of every pod's usage, shared by its readers: the usage
    columns of a pod view of all namespaces (every 15 s) and the lint (every minute).
    They had each read and kept their own: at 100,000 pods two copies of 50 MB, and
    two lists of 43 MB of JSON in flight at once. One read at a time; a reader that
    can take a read `max_age` seconds old takes the last one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.latest: dict[str, Metrics] | None = None
        self._at = 0.0

    def read(self, client: KubeClient, max_age: float) -> dict[str, Metrics]:
        with self._lock:
            if self.latest is not None and time.monotonic() - self._at <= max_age:
                return self.latest
            # the last read is updated in place (decode_metrics), so its readers see
            # each pod's usage change as it is read. A failed read keeps it, as it is
            # (each pod's last usage read; a read cut off halfway has updated some), but
            # no longer fresh: the next reader reads again, into it. (It used to drop it:
            # the usage columns still held it, and the next read decoded a whole new one
            # beside it, 100,000 blocks more at 10,000 pods each time a fault hit a read)
            self._at = -float("inf")
            found = read_metrics(client, ALL_PODS, into=self.latest)
            self.latest, self._at = found, time.monotonic()
            return found

    def forget(self) -> None:
        """The session ended: its last read goes now (not when the collector finds the
        client it hangs on)."""
        self.latest = None
        self._at = -float("inf")

    def view(self) -> Mapping[str, Metrics]:
        """The last read as it will be: always the latest (the lint holds this)."""
        return _Latest(self)


class _Latest(Mapping[str, Metrics]):
    def __init__(self, reads: PodReads) -> None:
        self._reads = reads

    def _now(self) -> dict[str, Metrics]:
        return self._reads.latest or {}

    def __getitem__(self, key: str) -> Metrics:
        return self._now()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._now().get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._now())

    def __len__(self) -> int:
        return len(self._now())


_READS: weakref.WeakKeyDictionary[KubeClient, PodReads] = weakref.WeakKeyDictionary()
_READS_LOCK = threading.Lock()


def forget_reads(client: KubeClient) -> None:
    """A client's session ended: its shared pod reads let go of their last read."""
    with _READS_LOCK:
        found = _READS.pop(client, None)
    if found is not None:
        found.forget()


def pod_reads(client: KubeClient) -> PodReads:
    """The shared pod reads of the cluster `client` talks to (one per client)."""
    with _READS_LOCK:
        found = _READS.get(client)
        if found is None:
            found = _READS[client] = PodReads()
        return found
