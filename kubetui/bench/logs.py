"""The logs benchmark: lines a second the logs view takes in and draws while following,
and the RSS after one million lines in its ring buffer."""

from __future__ import annotations

import asyncio
import gc
import time

from .app import cpu_seconds
from .report import goal_line, machine, write_json

GOALS = {"rss_after_1m_mb": 200.0}


def rss_mb() -> float:
    import os
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def measure(lines: int) -> dict:
    from textual.app import App

    from kubetui.ui.log_view import LogView

    class Logs(App):
        def compose(self):
            yield LogView()

    out: dict = {}
    async with Logs().run_test(size=(160, 48)) as pilot:
        view = pilot.app.query_one(LogView)
        gc.collect()
        base = rss_mb()
        text = ('10.244.1.7 - - [26/Nov/2026:08:00:00 +0000] "GET /api/cart HTTP/1.1" 200 '
                '5123 "-" "Mozilla/5.0 (X11; Linux x86_64)" "-" request_id={:08x}')
        batch = 5000  # about what 0.1 s of a very chatty workload brings
        started, cpu0 = time.perf_counter(), cpu_seconds()
        for start in range(0, lines, batch):
            view.add([("frontend-64bb6f74fb-c79bz", "2026-11-26T08:00:00.000000000Z",
                       text.format(i)) for i in range(start, min(start + batch, lines))])
            await pilot.pause()  # let it draw, as it does while following
        seconds = time.perf_counter() - started
        out["lines"] = lines
        out["lines_per_s"] = round(lines / seconds)
        out["cpu_pct"] = round((cpu_seconds() - cpu0) / seconds * 100, 1)
        gc.collect()
        out["rss_after_1m_mb"] = round(rss_mb(), 1)  # the whole process, as the goal says
        out["rss_growth_mb"] = round(rss_mb() - base, 1)
        view.set_filter("request_id=0000")
        t = time.perf_counter()
        await pilot.pause()
        out["filter_1m_ms"] = round((time.perf_counter() - t) * 1000, 1)
    return out


def run(lines: int, json_path: str | None) -> int:
    r = {**asyncio.run(measure(lines)), "machine": machine()}
    print(f"\nLogs benchmark, {r['lines']:,} lines ({r['machine']})")
    goal_line("lines taken in and drawn", f"{r['lines_per_s']:,}/s", "-", True)
    goal_line("process RSS after them", f"{r['rss_after_1m_mb']:.0f} MB",
              f"<= {GOALS['rss_after_1m_mb']:.0f} MB",
              r["rss_after_1m_mb"] <= GOALS["rss_after_1m_mb"])
    print(f"  (of which the buffer: {r['rss_growth_mb']:.0f} MB; filtering all of them "
          f"took {r['filter_1m_ms']:.0f} ms)")
    write_json(json_path, r)
    return 0
