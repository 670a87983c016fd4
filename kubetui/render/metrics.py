"""metrics.k8s.io usage as kubectl top prints it (CPU in millicores, memory in Mi), and
as k9s puts it beside a pod or node: CPU, MEM, and their share of the requests / limits
(pods) or of allocatable (nodes)."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Protocol, TypeVar

from .json_types import Obj
from .one_copy import OneCopy
from .quantity import parse_quantity


class Reading(Protocol):
    """A PodMetrics or NodeMetrics as read: a dict, or the slim struct a list decodes to
    (kube/metrics_read.py), which reads like one."""

    def get(self, key: str, default: Any = None, /) -> Any: ...

    def __contains__(self, key: object, /) -> bool: ...


POD_COLUMNS = ("CPU", "MEM", "%CPU/R", "%MEM/L")
NODE_COLUMNS = ("CPU", "MEM", "%CPU", "%MEM")
T = TypeVar("T")
UNKNOWN = "<unknown>"  # a cell whose usage could not be read (kubectl's word for it)


def top_cpu(cores: float) -> str:
    """`kubectl top`'s CPU(cores): millicores, rounded up."""
    return f"{math.ceil(cores * 1000 - 1e-9)}m"


def top_memory(n: float) -> str:
    """`kubectl top`'s MEMORY(bytes): whole Mi."""
    return f"{int(n // 2**20)}Mi"


def quantity_or_zero(value: object) -> float:
    """A quantity's value; 0 for what is not one (a usage nobody could parse adds none)."""
    try:
        return parse_quantity(value)
    except (TypeError, ValueError):
        return 0.0


_q = quantity_or_zero


def usage(metrics: Reading) -> tuple[float, float]:
    """(cores, bytes) of a PodMetrics (all its containers) or a NodeMetrics. A reading
    that sums itself (`totals()`, kube/metrics_read.py's structs) is asked to: a third of
    a pod's usage cells went to reading it through its dict-like face."""
    totals = getattr(metrics, "totals", None)
    if totals is not None:
        found: tuple[float, float] = totals()
        return found
    if "containers" in metrics:
        parts = [c.get("usage") or {} for c in metrics.get("containers") or ()]
    else:
        parts = [metrics.get("usage") or {}]
    return (sum(_q(u.get("cpu", 0)) for u in parts), sum(_q(u.get("memory", 0)) for u in parts))


# (id of a containers list, what) -> (the list, its value). In generations: a cache that
# held each list until it was cleared at 20,000 entries kept the lists of pods long
# replaced alive (a soak's memory crept 30 MB in 20 minutes); now what pods stopped
# holding goes after two generations, while the lists of the pods in view stay found.
_BY_CONTAINERS: OneCopy[tuple[int, Hashable], tuple[object, Any]] = OneCopy(1_000)


def of_containers(pod: Obj, what: Hashable, compute: Callable[[Any], T]) -> T:
    """`compute(containers)` of a pod's containers, kept per containers list: the pods of
    a workload share theirs (kube/slim.py), so a pass over every pod (a usage column, the
    lint's memory limits) works each workload's out once. `what` tells the uses apart."""
    containers = (pod.get("spec") or {}).get("containers") or ()
    key = (id(containers), what)
    found = _BY_CONTAINERS.get(key)
    if found is not None and found[0] is containers:
        value: T = found[1]
        return value
    value = compute(containers)
    _BY_CONTAINERS.add(key, (containers, value))  # (the list is held: its id is not reused)
    return value


def pod_level(resource: str) -> bool:
    """Whether a pod's own `spec.resources` (PodLevelResources) can set `resource`
    (component-helpers' IsSupportedPodLevelResource): cpu, memory and hugepages."""
    return resource in ("cpu", "memory") or resource.startswith("hugepages-")


def _sum(pod: Obj, field: str, resource: str) -> float | None:
    """What the pod sets for itself (`spec.resources`), else its containers' total; None
    when one of them sets none (no meaningful %)."""
    own = (((pod.get("spec") or {}).get("resources") or {}).get(field) or {}).get(resource)
    if own is not None and pod_level(resource):
        return _q(own) or None
    return of_containers(pod, (field, resource), lambda cs: _total(cs, field, resource))


def _total(containers: Iterable[Obj], field: str, resource: str) -> float | None:
    total = 0.0
    for c in containers:
        value = ((c.get("resources") or {}).get(field) or {}).get(resource)
        if value is None:
            return None
        total += _q(value)
    return total or None


def percent(used: float, of: float | None) -> str:
    return "n/a" if not of else f"{round(100 * used / of)}%"


def pod_cells(pod: Obj, metrics: Reading | None) -> tuple[str, ...]:
    if metrics is None:
        return ("n/a",) * len(POD_COLUMNS)
    cpu, mem = usage(metrics)
    return (top_cpu(cpu), top_memory(mem), percent(cpu, _sum(pod, "requests", "cpu")),
            percent(mem, _sum(pod, "limits", "memory")))


def node_cells(node: Obj, metrics: Reading | None) -> tuple[str, ...]:
    if metrics is None:
        return ("n/a",) * len(NODE_COLUMNS)
    cpu, mem = usage(metrics)
    alloc = (node.get("status") or {}).get("allocatable") or {}
    return (top_cpu(cpu), top_memory(mem), percent(cpu, _q(alloc.get("cpu", 0))),
            percent(mem, _q(alloc.get("memory", 0))))


__all__ = ["NODE_COLUMNS", "POD_COLUMNS", "UNKNOWN", "Reading", "node_cells", "of_containers",
           "percent", "pod_cells", "pod_level", "quantity_or_zero", "top_cpu", "top_memory",
           "usage"]
