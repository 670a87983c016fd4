"""The memory benchmark: the real app, headless, against N pods (plus the demo's workloads)
in a simulated cluster in another process. It opens and closes each screen (logs,
describe, YAML, checklist, architecture) CYCLES times and reports the process's RSS and
thread count before and after, how many of those screens are still alive after a full
collection, the RSS growth a minute under churn, and RSS and time over context switches
between two clusters of N pods. Measured, never asserted."""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import time
import weakref

from .report import machine, mib, mib_change, ms, seconds, write_json
from .sim_process import SimProcess


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def live_objects() -> int:
    """Objects the collector tracks, after collecting everything (frozen ones included):
    what grows here is held, whatever RSS (which keeps freed arenas) says."""
    gc.unfreeze()
    gc.collect()
    count = len(gc.get_objects())
    gc.freeze()  # (as the app had it: frozen)
    return count


def renamed(path: str, name: str) -> str:
    """The sim's kubeconfig with its context, cluster and user called `name` (two sims
    write the same names, and the first file to define a name wins)."""
    import yaml

    with open(path) as fh:
        doc = yaml.safe_load(fh)
    for section in ("clusters", "users", "contexts"):
        for entry in doc[section]:
            entry["name"] = name
    ctx = doc["contexts"][0]["context"]
    ctx["cluster"] = ctx["user"] = doc["current-context"] = name
    out = f"{path}-{name}"
    with open(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as fh:
        yaml.safe_dump(doc, fh)
    return out


async def until(pilot, predicate, seconds: float = 60.0) -> bool:
    end = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > end:
            return False
        await pilot.pause(0.02)
    return True


def screens():
    """(name, key, predicate that the opened screen shows what it fetched)."""
    from kubetui.ui.screens.arch import ArchScreen, ArchView
    from kubetui.ui.screens.checklist import ChecklistScreen
    from kubetui.ui.screens.logs import LogScreen
    from kubetui.ui.screens.object import ObjectScreen
    from kubetui.ui.widgets.log_view import LogView

    return [
        ("logs", "l", lambda s: isinstance(s, LogScreen) and s.query_one(LogView).lines),
        ("describe", "d", lambda s: isinstance(s, ObjectScreen) and s.mode == "describe"),
        ("yaml", "y", lambda s: isinstance(s, ObjectScreen) and s.mode == "yaml"),
        ("checklist", "c", lambda s: isinstance(s, ChecklistScreen) and s.checklist),
        ("architecture", "a", lambda s: isinstance(s, ArchScreen)
         and s.query_one(ArchView).model is not None),
    ]


async def open_close(app, pilot, cycles: int, pod: str) -> dict:
    """Each screen opened and closed `cycles` times from the pod view, filtered to `pod`."""
    out: dict = {}
    browser = app.browser
    await pilot.press("slash", *f"^{pod}$", "enter")
    assert await until(pilot, lambda: browser.table.row_count == 1)
    for name, key, shown in screens():
        objects0 = live_objects()
        rss0, threads0 = rss_mb(), threading.active_count()
        refs = []
        started = time.perf_counter()
        for _ in range(cycles):
            await pilot.press(key)
            if not await until(pilot, lambda shown=shown: shown(app.screen)):
                raise RuntimeError(f"the {name} screen did not show its content")
            refs.append(weakref.ref(app.screen))
            await pilot.press("escape")
            assert await until(pilot, lambda: app.screen is browser)
        took = time.perf_counter() - started
        # what a closed screen started ends within a few seconds or never; then the app
        # resets its frozen heap once the user is idle (see ui/lifetime.py)
        await until(pilot, lambda n=threads0: threading.active_count() <= n, seconds=5)
        resets = app.heap.resets

        def gone(refs: list = refs) -> bool:
            gc.collect()
            return all(r() is None for r in refs)

        await until(pilot, gone, seconds=10)
        await until(pilot, lambda n=resets: app.heap.resets > n, seconds=10)
        objects1 = live_objects()
        out[name] = {"rss_before_mb": round(rss0, 1), "rss_after_mb": round(rss_mb(), 1),
                     "objects_before": objects0, "objects_after": objects1,
                     "threads_before": threads0, "threads_after": threading.active_count(),
                     "alive_after_gc": sum(1 for r in refs if r() is not None),
                     "seconds": round(took, 2)}
    await pilot.press("escape")  # the filter
    return out


async def churn_growth(app, pilot, sim: SimProcess, rate: float, seconds: float) -> dict:
    sim.set_churn(rate)
    await pilot.pause(5)  # a steady state first
    gc.collect()
    rss0, t0 = rss_mb(), time.monotonic()
    samples = []
    while time.monotonic() - t0 < seconds:
        await pilot.pause(5)
        samples.append(rss_mb())
    sim.set_churn(0)
    minutes = (time.monotonic() - t0) / 60
    t = time.perf_counter()
    gc.collect()
    pause = (time.perf_counter() - t) * 1000
    return {"rate": rate, "seconds": round(seconds), "rss_start_mb": round(rss0, 1),
            "rss_end_mb": round(samples[-1], 1),
            "rss_growth_mb_per_min": round((samples[-1] - rss0) / minutes, 2),
            "full_gc_ms_after": round(pause, 1)}


async def switches(kubeconfigs: list[str], pods: int, count: int) -> dict:
    from kubetui.kube.config import load_kubeconfig
    from kubetui.ui.app import KubetuiApp

    kc = load_kubeconfig(kubeconfigs)
    names = sorted(kc.contexts)
    app = KubetuiApp(kc)
    out: dict = {"times_s": []}
    async with app.run_test(size=(160, 48)) as pilot:
        assert await until(pilot, lambda: app.browser.ready
                           and app.browser.table.row_count >= pods, seconds=120)
        await pilot.pause(1)
        out["objects_before"] = live_objects()
        out["rss_before_mb"], out["threads_before"] = round(rss_mb(), 1), \
            threading.active_count()
        for _ in range(count):
            target = names[(names.index(app.context_info.name) + 1) % len(names)]
            started = time.perf_counter()
            app.pick_context(target)
            assert await until(pilot, lambda target=target: app.context_info.name == target
                               and app.browser.group is not None and app.browser.group.synced
                               and app.browser.table.row_count >= pods, seconds=120)
            out["times_s"].append(round(time.perf_counter() - started, 2))
        # the last old session closes in the background, then the heap is reset
        resets = app.heap.resets
        await until(pilot, lambda n=resets: app.heap.resets > n, seconds=20)
        out["objects_after"] = live_objects()
        out["rss_after_mb"], out["threads_after"] = round(rss_mb(), 1), \
            threading.active_count()
        await pilot.press("q")
    app.shutdown()
    return out


async def measure(kubeconfig: str, sim: SimProcess, pods: int, cycles: int,
                  churn_seconds: float) -> dict:
    from kubetui.kube.config import load_kubeconfig
    from kubetui.ui.app import KubetuiApp

    app = KubetuiApp(load_kubeconfig([kubeconfig]))
    out: dict = {}
    async with app.run_test(size=(160, 48)) as pilot:
        assert await until(pilot, lambda: app.browser.ready
                           and app.browser.table.row_count >= pods, seconds=120)
        await pilot.pause(2)
        gc.collect()
        out["rss_start_mb"], out["threads_start"] = round(rss_mb(), 1), \
            threading.active_count()
        out["screens"] = await open_close(app, pilot, cycles, "log-shipper-.*") \
            if cycles else {}
        gc.collect()
        out["rss_after_screens_mb"], out["threads_after_screens"] = round(rss_mb(), 1), \
            threading.active_count()
        if churn_seconds:
            out["churn"] = await churn_growth(app, pilot, sim, 200, churn_seconds)
        await pilot.press("q")
    app.shutdown()
    return out


def run(pods: int, cycles: int, churn_seconds: float, switch_count: int,
        json_path: str | None) -> int:
    import logging
    import tempfile

    log_path = os.path.join(tempfile.gettempdir(), "kubetui-bench-screens.log")
    logging.basicConfig(filename=log_path, level=logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    print(f"(the app's log: {log_path})")
    result: dict = {}
    if cycles or churn_seconds:
        print(f"Loading {pods:,} pods and the demo into a simulated cluster (its own "
              "process)...", flush=True)
        with SimProcess(pods, scenario="demo") as sim:
            result = asyncio.run(measure(sim.kubeconfig, sim, pods, cycles,
                                         churn_seconds))
    if switch_count:
        print(f"Two clusters of {pods:,} pods for {switch_count} context switches...",
              flush=True)
        with SimProcess(pods) as a, SimProcess(pods) as b:
            configs = [renamed(a.kubeconfig, "alpha"), renamed(b.kubeconfig, "beta")]
            result["switches"] = asyncio.run(switches(configs, pods, switch_count))
    result = {"pods": pods, "cycles": cycles, **result, "machine": machine()}
    report(result)
    write_json(json_path, result)
    return 0


def report(r: dict) -> None:
    print(f"\nScreens benchmark, {r['pods']:,} pods, each screen opened and closed "
          f"{r['cycles']} times ({r['machine']})")
    if "rss_start_mb" in r:
        print(f"  start: RSS {mib(r['rss_start_mb'])}, {r['threads_start']} threads")
    for name, s in r.get("screens", {}).items():
        print(f"  {name:<13} RSS {mib(s['rss_before_mb']):>9} -> {mib(s['rss_after_mb']):>9} "
              f"({mib_change((s['rss_after_mb'] - s['rss_before_mb']) / r['cycles'])} a "
              "cycle), "
              f"threads {s['threads_before']} -> {s['threads_after']}, "
              f"{s['alive_after_gc']} of {r['cycles']} screens alive after gc, "
              f"objects {s['objects_before']:,} -> {s['objects_after']:,}, "
              f"{seconds(s['seconds'], 1)}")
    if r.get("screens"):
        print(f"  after the screens: RSS {mib(r['rss_after_screens_mb'])}, "
              f"{r['threads_after_screens']} threads")
    if "churn" in r:
        c = r["churn"]
        print(f"  churn {c['rate']:.0f}/s for {seconds(c['seconds'])}: RSS "
              f"{mib(c['rss_start_mb'])} -> {mib(c['rss_end_mb'])} "
              f"({mib_change(c['rss_growth_mb_per_min'])} a minute); "
              f"full gc then {ms(c['full_gc_ms_after'])}")
    if "switches" in r:
        s = r["switches"]
        times = s["times_s"]
        print(f"  {len(times)} context switches: RSS {mib(s['rss_before_mb'])} -> "
              f"{mib(s['rss_after_mb'])}, objects {s.get('objects_before', 0):,} -> "
              f"{s.get('objects_after', 0):,}, threads {s['threads_before']} -> "
              f"{s['threads_after']}; switch time first {seconds(times[0])}, last "
              f"{seconds(times[-1])}, max {seconds(max(times))}")
