"""What a table shows for each kind: kubectl's columns (from `printers.TABLES`, the same
rules the sim's server-side Tables apply), a NAMESPACE column when every namespace is
shown, the `-o wide` columns on a toggle, a health verdict per row, and how each column
sorts. Pure: objects in, rows out."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Callable

from . import events
from .age import parse_time
from .json_types import Any, Obj
from .pod import DONE, ERROR, OK, PENDING, POD_COLUMNS, pod_row
from .printers import TABLES, job_status, node_status, readiness_gates
from .safe import harmless

Row = tuple[tuple[str, ...], str]


def _ready_ratio(text: str) -> str:
    """`2/3` -> ok / pending / error for workloads."""
    m = re.fullmatch(r"(\d+)/(\d+)", text or "")
    if not m:
        return OK
    have, want = int(m.group(1)), int(m.group(2))
    if have >= want:
        return OK
    return ERROR if have == 0 else PENDING


def _health(kind: str, obj: Obj, cells: list[Any]) -> str:
    st = obj.get("status") or {}
    if kind in ("Deployment", "StatefulSet"):
        return _ready_ratio(str(cells[1]))
    if kind == "ReplicaSet":
        want, ready = obj.get("spec", {}).get("replicas", 1), st.get("readyReplicas", 0)
        return DONE if want == 0 else OK if ready >= want else PENDING
    if kind == "DaemonSet":
        want, ready = st.get("desiredNumberScheduled", 0), st.get("numberReady", 0)
        return OK if ready >= want else ERROR if ready == 0 else PENDING
    if kind == "Job":
        return {"Complete": DONE, "Failed": ERROR}.get(job_status(obj), PENDING)
    if kind == "Node":
        text = node_status(obj)
        return ERROR if not text.startswith("Ready") else PENDING if "," in text else OK
    if kind in ("PersistentVolumeClaim", "PersistentVolume"):
        phase = st.get("phase", "Pending")
        if phase in ("Lost", "Failed"):
            return ERROR
        return {"Bound": OK, "Available": OK, "Released": DONE}.get(phase, PENDING)
    if kind == "Namespace":
        return OK if st.get("phase", "Active") == "Active" else PENDING
    if kind == "Event":
        return ERROR if obj.get("type") == "Warning" else OK
    return OK


@dataclass(frozen=True)
class Column:
    name: str
    wide: bool = False  # shown only with the wide toggle (kubectl -o wide)


@dataclass(frozen=True)
class View:
    kind: str
    columns: tuple[Column, ...]
    row_fn: Callable[[Obj, float], Row]
    namespaced: bool = True

    def headers(self, all_namespaces: bool, wide: bool) -> tuple[str, ...]:
        return tuple(c.name for c in self._shown(all_namespaces, wide))

    def _shown(self, all_namespaces: bool, wide: bool) -> list[Column]:
        cols = [c for c in self.columns if wide or not c.wide]
        if not (self.namespaced and all_namespaces):
            cols = [c for c in cols if c.name != "NAMESPACE"]
        return cols

    def rows_fn(self, all_namespaces: bool, wide: bool) -> Callable[[Obj, float], Row]:
        """A row function producing exactly the shown columns."""
        keep = [i for i, c in enumerate(self.columns)
                if c in self._shown(all_namespaces, wide)]
        fn = self.row_fn

        def row(obj: Obj, now: float) -> Row:
            try:
                cells, health = fn(obj, now)
            except Exception as exc:  # noqa: BLE001 - a malformed object still gets a row, saying so
                return malformed_row(obj, exc, len(keep)), ERROR
            return tuple(harmless(cells[i]) if i < len(cells) else "" for i in keep), health

        return row


def malformed_row(obj: object, exc: Exception, width: int) -> tuple[str, ...]:
    """NAMESPACE and NAME where they can be read, then what is wrong."""
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    meta = meta if isinstance(meta, Mapping) else {}  # (a slim pod's is a struct)
    cells = [str(meta.get("namespace") or ""), str(meta.get("name") or "<no name>"),
             f"malformed object ({type(exc).__name__}: {exc})"[:120]]
    return tuple((cells + [""] * width)[:width])


def cell_text(cell: object) -> str:
    """A Table cell as kubectl prints it: JSON true/false in lower case, null as blank."""
    if cell is None:
        return ""
    if cell is True or cell is False:
        return "true" if cell else "false"
    return str(cell)


def _generic(kind: str) -> View:
    defs, printer = TABLES[kind]
    columns = tuple(Column(d["name"].upper(), bool(d.get("priority"))) for d in defs)

    def row(obj: Obj, now: float) -> Row:
        cells = printer(obj, now)
        ns = (obj.get("metadata") or {}).get("namespace", "")
        return (ns, *(cell_text(c) for c in cells)), _health(kind, obj, cells)

    return View(kind, (Column("NAMESPACE"), *columns), row)


def _pod_row(pod: Obj, now: float) -> Row:
    cells, health = pod_row(pod, now)
    return (*cells, (pod.get("status") or {}).get("nominatedNodeName") or "<none>",
            readiness_gates(pod)), health


# k9s shows a pod's IP and node without asking; kubectl keeps them for -o wide, with
# NOMINATED NODE and READINESS GATES.
POD_VIEW = View("Pod", (*(Column(n) for n in POD_COLUMNS), Column("NOMINATED NODE", True),
                        Column("READINESS GATES", True)), _pod_row)
CLUSTER_SCOPED = {"Node", "Namespace", "PersistentVolume", "StorageClass", "ClusterRole",
                  "ClusterRoleBinding", "CustomResourceDefinition", "ComponentStatus"}


def view(kind: str) -> View:
    if kind == "Pod":
        return POD_VIEW
    v = _generic(kind) if kind in TABLES else _fallback(kind)
    if kind in CLUSTER_SCOPED:
        return View(v.kind, v.columns, v.row_fn, namespaced=False)
    return v


def _fallback(kind: str) -> View:
    from .age import age

    def row(obj: Obj, now: float) -> Row:
        meta = obj.get("metadata") or {}
        return (meta.get("namespace", ""), meta.get("name", ""),
                age(meta.get("creationTimestamp"), now)), OK

    return View(kind, (Column("NAMESPACE"), Column("NAME"), Column("AGE")), row)


_LEADING_NUMBER = re.compile(r"\d+").match  # (compiled: a sort reads 100,000 cells)


def sort_key(column: str) -> Callable[[str, Obj | None], object]:
    """How a column sorts: AGE by creation time, counts as numbers, the rest as text."""
    if column == "AGE":
        return lambda cell, obj: -(parse_time(((obj or {}).get("metadata") or {}).get(
            "creationTimestamp")) or 0)
    if column == "LAST SEEN":  # newest first, series counted (an event's age)
        return lambda cell, obj: -events.last_seen_time(obj or {})
    if column in ("RESTARTS", "DESIRED", "CURRENT", "UP-TO-DATE", "AVAILABLE", "DATA",
                  "COUNT", "MINPODS", "MAXPODS", "REPLICAS", "REVISION", "CPU", "MEM",
                  "%CPU/R", "%MEM/L", "%CPU", "%MEM"):
        return by_number
    return by_text


def by_number(cell: str, obj: Obj | None) -> object:
    """A count sorts by its leading number (-1: none). It reads the cell only, so a sort
    that gets this one reads each distinct cell once."""
    m = _LEADING_NUMBER(cell)
    return int(m.group()) if m else -1


def by_text(cell: str, obj: Obj | None) -> object:
    """The rest sort as their text (a sort that gets this one uses the cells as they are)."""
    return cell


def table_view(kind: str, column_defs: list[Obj], namespaced: bool = True) -> View:
    """A view from the server's Table columns (CRDs and any kind without a built-in one):
    objects are {metadata, cells} as the Table API sends them."""
    columns = tuple(Column(str(d.get("name", "")).upper(), bool(d.get("priority")))
                    for d in column_defs)

    def row(obj: Obj, now: float) -> Row:
        ns = (obj.get("metadata") or {}).get("namespace", "")
        cells = obj.get("cells") or []
        return (ns, *(cell_text(c) for c in cells)), OK

    return View(kind, (Column("NAMESPACE"), *columns), row, namespaced)
