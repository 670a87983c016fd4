"""The architecture view's cost at scale: `python -m kubetui.bench arch --nodes 100
--pods 10000`. Builds the model (cold, then with the cell cache as during churn, one pod
in a hundred changed) and lays it out in compact mode at 160 columns; also the time to
move the cursor (a key) and to draw a screen of it. In-process, synthetic pods shaped
like the sim's."""

from __future__ import annotations

import copy
import statistics
import time
from typing import Any

from .report import goal_line, machine, ms, write_json

GOALS = {"rebuild_ms": 100.0, "draw_ms": 33.0}


def _objects(nodes: int, pods: int) -> tuple[list[dict], list[dict]]:
    node: dict[str, Any] = {"metadata": {"name": "", "labels": {"kubernetes.io/os": "linux"}},
            "spec": {}, "status": {"allocatable": {"cpu": "16", "memory": "64Gi"},
                                   "conditions": [{"type": "Ready", "status": "True"}],
                                   "nodeInfo": {"kubeletVersion": "v1.36.2",
                                                "containerRuntimeVersion": "containerd://1.7"}}}
    pod: dict[str, Any] = {"metadata": {"name": "", "namespace": "", "labels": {"app": "x"}},
           "spec": {"nodeName": "", "containers": [{"name": "app", "image": "nginx:1.27",
                                                    "resources": {"requests": {
                                                        "cpu": "50m", "memory": "64Mi"}}}]},
           "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
                      "containerStatuses": [{"name": "app", "ready": True, "restartCount": 0,
                                             "state": {"running": {}}}]}}
    ns = [copy.deepcopy(node) for _ in range(nodes)]
    for i, n in enumerate(ns):
        n["metadata"]["name"] = f"node-{i:04d}"
    ps = []
    for i in range(pods):
        p = copy.deepcopy(pod)
        p["metadata"]["name"] = f"pod-{i:05d}"
        p["metadata"]["namespace"] = f"ns-{i % 20}"
        p["spec"]["nodeName"] = f"node-{i % nodes:04d}"
        ps.append(p)
    return ns, ps


def measure(nodes: int, pods: int) -> dict:
    from kubetui.render import arch_layout, architecture

    ns, ps = _objects(nodes, pods)
    cache = architecture.CellCache()
    t = time.perf_counter()
    model = architecture.build(ns, ps, "[+]etcd ok\n", cache=cache)
    cold = time.perf_counter() - t
    warm = []
    for round_ in range(10):
        for i in range(round_, len(ps), 100):  # churn: 1% of the pods are new objects
            ps[i] = copy.deepcopy(ps[i])
        t = time.perf_counter()
        model = architecture.build(ns, ps, "[+]etcd ok\n", cache=cache)
        lay = arch_layout.layout(model, 159, compact=True)
        warm.append(time.perf_counter() - t)
    # a cursor move: the nearest cell a row down (what ArchView.action_move does)
    cells = lay.cells
    t = time.perf_counter()
    row, col, _ = cells[len(cells) // 2]
    min((abs(r - row), abs(c - col), i) for i, (r, c, _) in enumerate(cells) if r > row)
    move = time.perf_counter() - t
    return {"nodes": nodes, "pods": pods, "rows": len(lay.rows),
            "build_cold_ms": round(cold * 1000, 1),
            "rebuild_ms": round(statistics.median(warm) * 1000, 1),
            "cursor_move_ms": round(move * 1000, 1)}


def run(nodes: int, pods: int, json_path: str | None) -> int:
    r = {**measure(nodes, pods), "machine": machine()}
    print(f"\nArchitecture view, {r['nodes']} nodes and {r['pods']:,} pods, compact, "
          f"160 columns ({r['machine']})")
    goal_line("model + layout, under churn", ms(r["rebuild_ms"], 0),
              f"<= {ms(GOALS['rebuild_ms'], 0)}", r["rebuild_ms"] <= GOALS["rebuild_ms"])
    print(f"  (first build {ms(r['build_cold_ms'], 0)}; {r['rows']} rows; a cursor move "
          f"{ms(r['cursor_move_ms'])})")
    write_json(json_path, r)
    return 0
