"""`python -m kubetui.bench soak --minutes N [--pods 10000] [--json FILE]`: the app,
headless with its real screens, against a simulated cluster of N pods with churn and
every fault the sim has on a schedule (dropped watches, expired versions, 500, 503, 429,
a stall, the server down and back, a rotated token, a watch line that is not an event),
while a driver opens and closes every screen, follows logs, runs commands in a pod and
switches context. At the end: does the cache equal the server, what went wrong that was
not injected, and how memory, threads and sockets moved. Measured, never asserted.

The start counts are taken after two rounds of the driver (every screen built once, the
lint's informers up, back on the first context, its live lint filled) and the warm-up's
fast churn (every pod stamped once: see WARM_CHURN), and the RSS slope from then on;
`rss_slope_from_minute_1_mb_per_min` is the fit from the first minute. The end counts
back on that context, lint filled, before the final comparison; `*_launch` are the
counts at the first rows."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import re
import tempfile
import threading
import time

from .report import machine, mib, mib_change, write_json
from .sim_process import SimProcess

# each at its own (prime) period, and each once in the first minute (+FIRST seconds after
# the sim is up; the app is up a few seconds later): the first of each grows the heap
# to its working size, so from the second minute on a growth is a leak
# pod updates a second, round robin: each stamps a unique annotation, so until every
# pod has been stamped once the cluster's data grows (each pod gains a map of its own).
# The warm-up stamps them all at WARM_CHURN (25 s at 10,000 pods; at CHURN it took 8.3
# minutes, and RSS followed the data up), then the soak churns at CHURN
CHURN, WARM_CHURN = 20, 400
FAULTS = ["drop@47+12", "expire@71+17", "500:3@97+22", "503:3@113+27", "429:3:1@131+32",
          "stall:4@163+37", "down:5@211+43", "rotate-token@239+50", "badline:1@277+55"]
# what the injected faults are allowed to make the app say (anything else is unexpected)
EXPECTED = re.compile(r"500|503|429|[Tt]oo many|[Cc]onnection|refused|timed out|[Tt]imeout|"
                      r"Unauthorized|unavailable|[Ii]nternal error|reset|[Ss]erver|stall|"
                      r"not an event|[Ee]xpired|410|RemoteDisconnected|closed")


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def sockets() -> int:
    n = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            n += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
        except OSError:
            continue
    return n


def slope(samples: list[tuple[float, float]], after: float = 60) -> float:
    """RSS growth in MB a minute (least squares), after `after` seconds (the first
    minute by default)."""
    pts = [(t, r) for t, r in samples if t >= after] or samples
    if len(pts) < 2:
        return 0.0
    n = len(pts)
    mt, mr = sum(t for t, _ in pts) / n, sum(r for _, r in pts) / n
    var = sum((t - mt) ** 2 for t, _ in pts)
    return 60 * sum((t - mt) * (r - mr) for t, r in pts) / var if var else 0.0


def thread_names() -> dict[str, int]:
    """Live threads by name, digits folded: what a thread count that grew is made of."""
    names: dict[str, int] = {}
    for t in threading.enumerate():
        key = re.sub(r"\d+", "N", t.name)
        names[key] = names.get(key, 0) + 1
    return dict(sorted(names.items()))


def type_counts() -> dict[str, int]:
    gc.unfreeze()  # (frozen objects are not listed; the app freezes again when it may)
    gc.collect()
    counts: dict[str, int] = {}
    for obj in gc.get_objects():
        name = type(obj).__qualname__
        counts[name] = counts.get(name, 0) + 1
    return counts


def grown(before: dict[str, int], after: dict[str, int], top: int = 15) -> dict[str, int]:
    """The object types whose live count grew most between two counts."""
    delta = {k: after[k] - before.get(k, 0) for k in after}
    best = sorted(delta.items(), key=lambda kv: -kv[1])[:top]
    return {k: v for k, v in best if v > 0}


def pymalloc_stats() -> dict[str, float]:
    """pymalloc's arenas (256 KiB each) now and at their high-water mark, and the bytes
    its pools hold in blocks in use and free: whether the Python heap grows while the
    objects do not (`sys._debugmallocstats` writes them to the C stderr)."""
    import sys
    fd, path = tempfile.mkstemp(prefix="kubetui-mallocstats-")
    saved = os.dup(2)
    try:
        sys.stderr.flush()
        os.dup2(fd, 2)
        sys._debugmallocstats()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(fd)
    with open(path) as fh:
        text = fh.read()
    os.unlink(path)
    out: dict[str, float] = {}
    for key, label in (("arenas_now", "# arenas allocated current"),
                       ("arenas_highwater", "# arenas highwater mark"),
                       ("in_use_mb", "# bytes in allocated blocks"),
                       ("free_in_pools_mb", "# bytes in available blocks"),
                       ("free_pools_mb", "unused pools * 16384"),
                       ("total_mb", "Total")):
        m = re.search(re.escape(label) + r"[^=]*=\s*([\d,]+)", text)
        if m:
            n = int(m.group(1).replace(",", ""))
            out[key] = n if key.startswith("arenas") else round(n / 2**20, 1)
    return out


class TraceDiff:
    """`--trace`: tracemalloc from the launch, a snapshot after the warm-up and one at the
    end; the source lines whose live allocations grew most in between."""

    def __init__(self) -> None:
        import tracemalloc
        self.tm = tracemalloc
        tracemalloc.start(1)
        self.start: tracemalloc.Snapshot | None = None

    def mark(self) -> None:
        self.start = self.tm.take_snapshot()

    def grown(self, top: int = 20) -> dict:
        end = self.tm.take_snapshot()
        traced = self.tm.get_traced_memory()[0]
        stats = end.compare_to(self.start, "lineno") if self.start else []  # type: list
        return {"traced_end_mb": round(traced / 2**20, 1),
                "traced_start_mb": round(sum(s.size for s in self.start.statistics(
                    "filename")) / 2**20, 1) if self.start else None,
                "lines": [(str(s.traceback[0]), round(s.size_diff / 2**20, 2), s.count_diff)
                          for s in stats[:top]]}


class LogCount(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.errors = 0

    def emit(self, record):
        self.errors += 1


def list_pods(client) -> dict[str, str]:
    """Every pod the server has, key -> resourceVersion, page by page."""
    server, cont = {}, None
    while True:
        page = client.get_json("/api/v1/pods", {"limit": 1000, "continue": cont})
        for p in page["items"]:
            m = p["metadata"]
            server[f"{m['namespace']}/{m['name']}"] = m.get("resourceVersion")
        cont = (page.get("metadata") or {}).get("continue")
        if not cont:
            return server


async def _drive(kubeconfigs: list[str], minutes: float, result: dict,
                 trace: TraceDiff | None = None, trim: bool = True,
                 sim: SimProcess | None = None, warm_until: float = 0) -> None:
    from kubetui.kube.config import load_kubeconfig
    from kubetui.ui.app import KubetuiApp, Settings
    from kubetui.ui.lifetime import alive
    from kubetui.ui.screens.arch import ArchScreen
    from kubetui.ui.screens.checklist import ChecklistScreen
    from kubetui.ui.screens.exec import CommandInput, ExecScreen
    from kubetui.ui.screens.logs import LogScreen
    from kubetui.ui.screens.object import ObjectScreen
    from kubetui.ui.screens.xray import XrayScreen

    app = KubetuiApp(load_kubeconfig(kubeconfigs), Settings())
    if not trim:  # the A side of an A/B: resets as usual, no malloc_trim after them
        app.heap.trim = lambda: None
    notes: list[tuple[str, str]] = []
    show = app.notify

    def notify(message, *args, **kw):
        notes.append((str(message), kw.get("severity", "information")))
        return show(message, *args, **kw)
    app.notify = notify  # type: ignore[method-assign]  # counts what the user is told

    async def until(pilot, predicate, seconds: float = 30, error_ends: bool = False
                    ) -> bool:
        """Whether `predicate` came true within `seconds`; `error_ends`: an error
        notification meanwhile leaves it 2 s more (a screen that an injected fault kept
        from opening had cost the round 30 s; the error may be another's)."""
        end = time.monotonic() + seconds
        said = len(notes)
        while time.monotonic() < end:
            if error_ends and any(sev == "error" for _, sev in notes[said:]):
                end, error_ends = min(end, time.monotonic() + 2.0), False
            try:
                if predicate():
                    return True
            except Exception:  # noqa: BLE001 - the screen is still being built: any error means not yet
                pass
            await pilot.pause(0.1)
        return False

    async def command(pilot, text: str) -> None:
        await pilot.press("colon", *text, "enter")

    async def back(pilot) -> None:
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.browser, 10)

    def lint_settled() -> bool:
        """The live lint has every pod the view's cache has: the counts compare like
        with like (right after a context switch, a new lint is still filling)."""
        live = getattr(app, "_live_lint", None)
        pods = live.groups.get("Pod") if live is not None else None
        return live is not None and live.cluster is app.cluster and live.settled \
            and pods is not None and len(live.linter.objs["Pod"]) == len(pods.store)

    switched_resets = 0  # the heap's resets when the context last changed

    def heap_settled() -> bool:
        """The session switched away from is closed and the heap reset since (what it
        held is freed), so counts compare like with like: the end count had caught the
        last switch's old session still closing (pymalloc 340 MB in use against 120)."""
        return not alive(app._old_sessions) and app.heap.frozen and \
            app.heap.resets > switched_resets

    start = time.monotonic()
    end = start + minutes * 60
    opened, samples = 0, []
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: app.browser.table.row_count > 100, 120)
        result["rss_launch_mb"] = round(rss_mb(), 1)
        result["threads_launch"] = threading.active_count()
        contexts = sorted(app.kubeconfig.contexts)
        switch = rounds = 0
        warm_s = 60.0  # (a soak too short to warm: from the first minute)
        types_start: dict[str, int] = {}
        while time.monotonic() < end:
            if rounds == 2:  # warm: every screen built once, the lint's informers up,
                # and back on the first context: the counts to come back to
                # and every pod stamped once (the data at its size): the usual churn on
                await until(pilot, lambda: time.monotonic() >= warm_until, 600)
                if sim is not None:
                    sim.set_churn(CHURN)
                await until(pilot, lint_settled, 120)
                await until(pilot, heap_settled, 60)
                warm_s = time.monotonic() - start
                result["warm_up_s"] = round(warm_s)
                live = getattr(app, "_live_lint", None)
                result["lint_findings_start"] = len(live.linter.findings()) if live else 0
                gc.collect()
                result["rss_start_mb"] = round(rss_mb(), 1)
                result["threads_start"] = threading.active_count()
                result["sockets_start"] = sockets()
                types_start = type_counts()
                result["pymalloc_start"] = pymalloc_stats()
                if trace is not None:
                    trace.mark()
            rounds += 1
            samples.append((time.monotonic() - start, rss_mb()))
            for kind, pattern, steps in (
                    ("deploy", "^frontend$", (("l", LogScreen), ("d", ObjectScreen),
                                              ("y", ObjectScreen), ("c", ChecklistScreen))),
                    ("po", "^redis-", (("x", ExecScreen), ("l", LogScreen)))):
                await command(pilot, kind)
                await pilot.press("slash", *pattern, "enter")
                if not await until(pilot, lambda: app.browser.table.row_count == 1):
                    continue
                for key, screen in steps:
                    await pilot.press(key)
                    if await until(pilot, lambda s=screen: isinstance(app.screen, s),
                                   error_ends=True):
                        opened += 1
                        if screen is ExecScreen:
                            field = app.screen.query_one(CommandInput)
                            field.value = "echo soak; cat /etc/hostname"
                            await pilot.press("enter")
                            await until(pilot, lambda: not getattr(app.screen, "running",
                                                                   False), 20)
                        else:
                            await pilot.pause(1.0)
                    await back(pilot)
                await pilot.press("escape")  # the filter
            await pilot.press("a")
            if await until(pilot, lambda: isinstance(app.screen, ArchScreen), error_ends=True):
                opened += 1
                await pilot.pause(1.0)
            await back(pilot)
            await command(pilot, "xray deploy")
            if await until(pilot, lambda: isinstance(app.screen, XrayScreen), error_ends=True):
                opened += 1
                await pilot.pause(0.5)
            await back(pilot)
            if len(contexts) > 1:  # a context switch, and back on the next round
                switch += 1
                switched_resets = app.heap.resets
                await command(pilot, f"ctx {contexts[switch % len(contexts)]}")
                await until(pilot, lambda: app.browser.table.row_count > 100, 60)
            await command(pilot, "po")
        if switch % 2:  # back on the context the start was counted on
            switch += 1
            switched_resets = app.heap.resets
            await command(pilot, f"ctx {contexts[switch % len(contexts)]}")
            await until(pilot, lambda: app.browser.table.row_count > 100, 60)
        await until(pilot, lint_settled, 120)
        result["heap_settled_at_end"] = await until(pilot, heap_settled, 60)
        live = getattr(app, "_live_lint", None)
        if live is not None:
            result["lint_findings_end"] = len(live.linter.findings())
        gc.collect()
        await pilot.pause(2.0)
        samples.append((time.monotonic() - start, rss_mb()))
        heap = app.heap
        result.update(pymalloc_end=pymalloc_stats(), heap_resets=heap.resets,
                      malloc_trims=heap.trims, trimmed_mb=round(heap.trimmed_mb, 1),
                      max_trim_ms=round(heap.max_trim_ms, 1),
                      max_reset_ms=round(heap.max_reset_ms, 1))
        if trace is not None:
            result["trace"] = trace.grown()
        result.update(rss_end_mb=round(rss_mb(), 1), threads_end=threading.active_count(),
                      sockets_end=sockets(), threads_by_name=thread_names(),
                      objects_grown=grown(types_start, type_counts()) if types_start
                      else {}, rounds=rounds)
        # the cache against the server: the pods the app holds, and the server's list
        group = app.browser.group
        assert group is not None and app.cluster is not None  # (a view is live)
        client = app.cluster.client
        await until(pilot, lambda: group.health.state == "live", 60)
        server: dict = {}
        for _ in range(60):  # the faults go on firing: a list they break is redone
            try:
                server = list_pods(client)
                break
            except Exception as exc:  # noqa: BLE001 (an injected 5xx, 429, a drop, down)
                result.setdefault("final_list_retries", []).append(str(exc)[:80])
                await pilot.pause(1.0)
        cached = dict(group.store.snapshot()[1])
        result.update(
            objects_lost=len(set(server) - set(cached)),
            objects_extra=len(set(cached) - set(server)),
            duplicates=len(cached) - len(set(cached)),
            stale=sum(1 for k, rv in server.items() if k in cached and
                      (cached[k].get("metadata") or {}).get("resourceVersion") != rv),
            screens_opened=opened,
            unexpected_errors=sum(1 for m, sev in notes if sev == "error"
                                  and not EXPECTED.search(m)),
            error_notifications=sum(1 for _, sev in notes if sev == "error"),
            unexpected_messages=sorted({m[:160] for m, sev in notes if sev == "error"
                                        and not EXPECTED.search(m)})[:10],
            rss_slope_mb_per_min=round(slope(samples, after=warm_s), 2),
            rss_slope_from_minute_1_mb_per_min=round(slope(samples), 2),
            rss_samples=[(round(t), round(r, 1)) for t, r in samples])
    app.shutdown()


def _shown(key: str, value: object) -> object:
    """A result as a person reads it: sizes humanized (the JSON keeps the MiB numbers)."""
    if not isinstance(value, (int, float)):
        return value
    if key.endswith("_mb_per_min"):
        return f"{mib_change(value)} a minute"
    return mib(value) if key.endswith("_mb") else value


def run(minutes: float, pods: int, json_path: str | None, trace: bool = False,
        trim: bool = True) -> int:
    from kubetui.kube.config import load_kubeconfig  # noqa: F401 (fail early if broken)
    log_dir = tempfile.mkdtemp(prefix="kubetui-soak-")
    handler = logging.FileHandler(os.path.join(log_dir, "kubetui.log"))
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    counter = LogCount()
    root = logging.getLogger()
    root.addHandler(handler)
    root.addHandler(counter)
    root.setLevel(logging.INFO)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    uncaught: list[str] = []
    threading.excepthook = lambda args: uncaught.append(repr(args.exc_value))
    print(f"soak: {minutes:g} min, {pods:,} pods with churn, faults {', '.join(FAULTS)}; "
          f"{machine()}; log in {log_dir}", flush=True)
    result: dict = {"minutes": minutes, "pods": pods, "faults": FAULTS, "traced": trace,
                    "trim": trim}
    with SimProcess(pods, scenario="demo", churn=WARM_CHURN, faults=FAULTS) as sim:
        warm_until = time.monotonic() + pods / WARM_CHURN
        asyncio.run(_drive(_two_contexts(sim.kubeconfig), minutes, result,
                           TraceDiff() if trace else None, trim, sim, warm_until))
        result["faults_injected"] = sum(1 for line in sim.log if line.startswith("fault: "))
    with open(handler.baseFilename) as fh:
        text = fh.read()
    result["logged_errors"] = counter.errors  # caught, each with its traceback
    result["tracebacks"] = len(uncaught)  # escaped: a thread that died
    result["uncaught"] = uncaught[:5]
    result["log"] = handler.baseFilename
    result["log_tracebacks"] = text.count("Traceback")
    for key in ("minutes", "faults_injected", "screens_opened", "objects_lost",
                "objects_extra", "duplicates", "stale", "tracebacks", "logged_errors",
                "unexpected_errors", "rss_launch_mb", "rss_start_mb", "rss_end_mb",
                "warm_up_s", "rss_slope_mb_per_min", "rss_slope_from_minute_1_mb_per_min",
                "threads_launch", "threads_start", "threads_end",
                "sockets_start", "sockets_end", "lint_findings_start", "lint_findings_end",
                "rounds", "heap_resets", "malloc_trims", "trimmed_mb", "max_trim_ms",
                "max_reset_ms", "pymalloc_start", "pymalloc_end"):
        print(f"  {key:<38} {_shown(key, result.get(key))}")
    print("  threads by name:", result.get("threads_by_name"))
    print("  objects grown:", result.get("objects_grown"))
    for line in (result.get("trace") or {}).get("lines", []):
        print("  traced growth:", *line)
    if result.get("unexpected_messages"):
        print("  unexpected:", *result["unexpected_messages"], sep="\n    ")
    write_json(json_path, result)
    return 0


def _two_contexts(path: str) -> list[str]:
    """The sim's kubeconfig, and a second file with one more context on the same cluster
    and user, to switch to. The user's token stays in the sim's own file, which it
    rewrites when the token rotates (a copy would keep the old one)."""
    import yaml
    with open(path) as fh:
        doc = yaml.safe_load(fh)
    ctx = dict(doc["contexts"][0])
    ctx["name"] = ctx["name"] + "-again"
    out = path + "-again"
    with open(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as fh:
        yaml.safe_dump({"apiVersion": "v1", "kind": "Config", "contexts": [ctx]}, fh)
    return [path, out]


__all__ = ["run"]
