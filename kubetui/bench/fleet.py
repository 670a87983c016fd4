"""The fleet benchmark: N simulated clusters of M pods each, every one in a process of
its own, and the real app started on the fleet screen (headless) in this process. It
measures when every row is filled (state, version, nodes, pods, warnings all known),
the RSS then, and the CPU while idle, each beside its goal."""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import time

from .app import cpu_seconds
from .informer import rss_mb
from .report import goal_line, machine, mib, seconds, write_json
from .sim_process import SimProcess

GOALS = {"all_rows_s": 3.0, "rss_mb": 250.0, "idle_cpu_pct": 2.0}


def start_sims(n: int, pods: int) -> list[SimProcess]:
    sims: list[SimProcess | None] = [None] * n
    errors: list[BaseException] = []

    def start(i: int) -> None:
        try:
            sims[i] = SimProcess(pods)
        except BaseException as exc:  # noqa: BLE001 - said below, after the others stop
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        for sim in sims:
            if sim is not None:
                sim.stop()
        raise errors[0]
    return [s for s in sims if s is not None]


def filled(rows) -> bool:
    return bool(rows) and all(r.state == "reachable" and r.version and not r.unknown
                              for r in rows)


async def measure(paths: list[str], idle_seconds: float) -> dict:
    from kubetui.kube.config import load_kubeconfig
    from kubetui.ui.app import KubetuiApp, Settings
    from kubetui.ui.screens.fleet import FleetScreen

    out: dict = {}
    kc = load_kubeconfig(paths)
    gc.collect()
    out["rss_before_mb"] = rss_mb()
    started = time.perf_counter()
    app = KubetuiApp(kc, Settings(fleet=True))
    async with app.run_test(size=(160, 48)) as pilot:
        def screen_rows():
            screen = app.screen
            return list(screen.rows.values()) if isinstance(screen, FleetScreen) else []

        while not filled(screen_rows()):
            await pilot.pause(0.02)
        out["all_rows_s"] = time.perf_counter() - started
        rows = screen_rows()
        out["pods_seen"] = sum(r.pods_total or 0 for r in rows)
        await pilot.pause(2.0)  # what the first lists left behind settles
        gc.collect()
        out["rss_mb"] = rss_mb()
        out["threads"] = threading.active_count()
        cpu0, wall0 = cpu_seconds(), time.perf_counter()
        await pilot.pause(idle_seconds)
        out["idle_cpu_pct"] = (cpu_seconds() - cpu0) / (time.perf_counter() - wall0) * 100
        await pilot.press("q")
    app.shutdown()
    return out


def run(contexts: int, pods: int, json_path: str | None, idle_seconds: float = 10.0) -> int:
    print(f"Starting {contexts} simulated clusters of {pods:,} pods each (a process "
          "each)...", flush=True)
    sims = start_sims(contexts, pods)
    try:
        result = asyncio.run(measure([s.kubeconfig for s in sims], idle_seconds))
    finally:
        for sim in sims:
            sim.stop()
    result = {"contexts": contexts, "pods_per_context": pods,
              **{k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()},
              "cpus": os.cpu_count(), "machine": machine()}
    report(result)
    write_json(json_path, result)
    return 0


def report(r: dict) -> None:
    print(f"\nFleet benchmark, {r['contexts']} contexts x {r['pods_per_context']:,} pods "
          f"({r['machine']})")
    goal_line("all rows filled", seconds(r["all_rows_s"]),
              f"<= {seconds(GOALS['all_rows_s'])}", r["all_rows_s"] <= GOALS["all_rows_s"])
    goal_line("RSS", mib(r["rss_mb"]), f"<= {mib(GOALS['rss_mb'])}",
              r["rss_mb"] <= GOALS["rss_mb"])
    goal_line("CPU idle", f"{r['idle_cpu_pct']:.1f}%", f"<= {GOALS['idle_cpu_pct']:.0f}%",
              r["idle_cpu_pct"] <= GOALS["idle_cpu_pct"])
    print(f"  ({r['pods_seen']:,} pods counted; RSS before the app "
          f"{mib(r['rss_before_mb'])}; {r['threads']} threads)")
