"""The architecture view laid out as rows of styled text for a given width: the control
plane box across the top, node boxes in a grid, the unscheduled lane last. Styles are
names (ok, pending, error, done, dim, bold, border, title, managed) that the widget maps
to its theme. Pod cells are one column each, and their positions come back so a cursor
can move over them. Compact mode draws small boxes (name, bars, cells) so a hundred
nodes and ten thousand pods still fit."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from .architecture import ABSENT, FAILING, MANAGED, OK, Architecture, NodeBox, PodCell
from .bars import bar
from .json_types import Any

Span = tuple[str, str]  # text, style name
Line = list[Span]

CELL = "■"
STATE_STYLE = {OK: "ok", FAILING: "error", MANAGED: "managed", ABSENT: "dim", "unknown": "pending"}
STATE_MARK = {OK: "●", FAILING: "✖", MANAGED: "◆", ABSENT: "○", "unknown": "?"}


@dataclass
class Layout:
    rows: list[Line] = field(default_factory=list)
    cells: list[tuple[int, int, PodCell]] = field(default_factory=list)  # row, column, cell


def _width(line: Line) -> int:
    return sum(len(t) for t, _ in line)


def _fit(line: Line, width: int) -> Line:
    """Cut or pad a line to exactly `width` columns."""
    out, used = [], 0
    for text, style in line:
        if used >= width:
            break
        text = text[:width - used]
        out.append((text, style))
        used += len(text)
    if used < width:
        out.append((" " * (width - used), ""))
    return out


def _box(title: Line, body: list[Line], width: int, style: str = "border") -> list[Line]:
    inner = width - 4
    head_title = _fit(title, max(0, min(_width(title), width - 6)))
    top = [("╭─ ", style), *head_title, (" " + "─" * max(0, width - 5 - _width(head_title)), style),
           ("╮", style)]
    rows = [top]
    for line in body:
        rows.append([("│ ", style), *_fit(line, inner), (" │", style)])
    rows.append([("╰" + "─" * (width - 2) + "╯", style)])
    return rows


def _wrapped(head: Line, text: str, style: str, inner: int) -> list[Line]:
    """`head` then `text`, the text going on over as many lines as it needs (indented
    under where it began, or by 4 when that leaves too little room): a detail cut at
    the box's edge (80 columns) read as a different sentence."""
    start = _width(head)
    indent = start if inner - start >= 20 else 4
    room = max(10, inner - indent)
    parts = textwrap.wrap(text, width=max(10, inner - start), break_long_words=True)
    if not parts:
        return [head]
    rest = textwrap.wrap(" ".join(parts[1:]), width=room, break_long_words=True)
    return [[*head, (parts[0], style)], *([(" " * indent, ""), (p, style)] for p in rest)]


def _cells(cells: list[PodCell], inner: int, first_row: int) -> tuple[list[Line], list[Any]]:
    """Cells wrapped at `inner` columns; their (row, column) inside the box body."""
    lines, where = [], []
    per = max(1, inner)
    for i in range(0, len(cells), per):
        chunk = cells[i:i + per]
        lines.append([(CELL, c.health) for c in chunk])
        where += [(first_row + len(lines) - 1, j, c) for j, c in enumerate(chunk)]
    if not cells:
        lines.append([("no pods", "dim")])
    return lines, where


def _pct(value: float, total: float) -> str:
    return "  -" if total <= 0 else f"{100 * value / total:3.0f}%"


def _resource_line(label: str, req: float, alloc: float, used: float | None,
                   inner: int) -> Line:
    tail = f" {_pct(req, alloc)} req" + (f" {_pct(used, alloc)} used" if used is not None
                                          else "")
    width = max(4, inner - len(label) - 1 - len(tail))
    share = 0 if alloc <= 0 else req / alloc
    return [(f"{label} ", "dim"), (bar(req, alloc, width),
                                   "error" if share > 0.9 else "pending" if share > 0.7 else "ok"),
            (tail, "dim")]


def node_box(node: NodeBox, width: int, compact: bool) -> tuple[list[Line], list[Any]]:
    inner = width - 4
    ready = ("●", "ok") if node.ready else ("✖", "error")
    title: Line = [(ready[0] + " ", ready[1]), (node.name, "title")]
    if not compact:
        title.append((f"  {node.roles}", "dim"))
    title.append((f"  {len(node.pods)}", "dim"))
    body: list[Line] = []
    if compact:
        half = max(2, (inner - 8) // 2)
        body.append([("c", "dim"), (bar(node.cpu_requested, node.cpu_allocatable, half), "ok"),
                     (" m", "dim"), (bar(node.memory_requested, node.memory_allocatable, half),
                                     "ok")])
        if node.pressure or node.unschedulable or not node.ready:
            body.append([(", ".join(node.pressure + (["cordoned"] if node.unschedulable
                                                      else [])) or "NotReady", "error")])
    else:
        body.append([("Ready" if node.ready else "NotReady", ready[1]),
                     (f"  kubelet {node.kubelet}  {node.runtime}", "dim")])
        proxy_style = {"ready": "ok", "none": "dim", "missing": "error"}.get(node.kube_proxy,
                                                                             "error")
        body.append([("kube-proxy ", "dim"), (node.kube_proxy, proxy_style),
                     ("   ", ""), *([(p + " ", "error") for p in node.pressure] or
                                   [("no pressure", "dim")]),
                     *([("  cordoned", "error")] if node.unschedulable else [])])
        taints = ", ".join(node.taints) or "none"
        if len("taints: " + taints) <= inner:
            body.append([("taints: ", "dim"), (taints, "")])
        else:  # one a line, whole: a cut taint ("control-plane:No") says nothing
            for i, taint in enumerate(node.taints):
                body.append([("taints: " if i == 0 else "        ", "dim"), (taint, "")])
        body.append(_resource_line("cpu", node.cpu_requested, node.cpu_allocatable,
                                   node.cpu_used, inner))
        body.append(_resource_line("mem", node.memory_requested, node.memory_allocatable,
                                   node.memory_used, inner))
    lines, where = _cells(node.pods, inner, len(body) + 1)  # +1: the top border
    return _box(title, body + lines, width), [(r, c + 2, cell) for r, c, cell in where]


def control_plane_box(arch: Architecture, width: int, compact: bool) -> list[Line]:
    inner = width - 4
    names: Line = []
    for comp in arch.control_plane:
        names += [(STATE_MARK.get(comp.state, "?") + " ", STATE_STYLE.get(comp.state, "")),
                  (comp.name, "bold"), ("   ", "")]
    body = [names]
    if not compact:
        for comp in arch.control_plane:
            body += _wrapped([(f"{comp.name:<26}", "dim")], comp.detail,
                             STATE_STYLE.get(comp.state, ""), inner)
    if _width(names) > inner:  # too narrow for one line of names: one per line
        body = []
        for c in arch.control_plane:
            head: Line = [(STATE_MARK.get(c.state, "?") + " ", STATE_STYLE.get(c.state, "")),
                          (c.name, "bold"), ("  " if not compact else "", "")]
            body += _wrapped(head, c.detail if not compact else "", "dim", inner)
    title = [("control plane", "title")]
    if arch.managed:
        title.append(("  (managed by the provider)", "managed"))
    return _box(title, body, width)


def layout(arch: Architecture, width: int, compact: bool = False) -> Layout:
    out = Layout()
    width = max(width, 24)
    out.rows += control_plane_box(arch, width, compact)
    box_w = 26 if compact else 50
    columns = max(1, (width + 1) // (box_w + 1))
    box_w = (width + 1) // columns - 1
    for start in range(0, len(arch.nodes), columns):
        group = [node_box(n, box_w, compact) for n in arch.nodes[start:start + columns]]
        height = max(len(rows) for rows, _ in group)
        base = len(out.rows)
        for r in range(height):
            line: Line = []
            for i, (rows, _) in enumerate(group):
                if i:
                    line.append((" ", ""))
                line += rows[r] if r < len(rows) else [(" " * box_w, "")]
            out.rows.append(line)
        for i, (_, where) in enumerate(group):
            x = i * (box_w + 1)
            out.cells += [(base + r, x + c, cell) for r, c, cell in where]
    if arch.unscheduled or not arch.nodes:
        lines, where = _cells(arch.unscheduled, width - 4, 1)
        base = len(out.rows)
        out.rows += _box([(f"unscheduled ({len(arch.unscheduled)})",
                           "error" if arch.unscheduled else "title")], lines, width)
        out.cells += [(base + r, c + 2, cell) for r, c, cell in where]
    return out


__all__ = ["CELL", "Layout", "Span", "layout", "node_box"]
