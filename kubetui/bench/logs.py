"""The logs benchmark, two parts:

1. the view alone: one million varied access-log lines added in batches (as a very
   chatty workload brings them) and drawn; lines a second, and the process RSS after;
2. following a chatty pod: the simulated cluster (its own process) runs a pod writing
   `--rate` lines a second; the logs screen follows it for `--seconds`, and
   `kubectl logs -f` follows the same pod in the same run. Lines a second received and
   drawn, against kubectl's."""

from __future__ import annotations

import asyncio
import gc
import random
import shutil
import subprocess
import threading
import time

from .app import cpu_seconds
from .report import goal_line, machine, mib, ms, write_json
from .report import seconds as human_seconds  # `seconds` is the run's length here

GOALS = {"rss_after_1m_mb": 200.0}
PATHS = ("/api/cart", "/api/checkout", "/healthz", "/static/app.js", "/api/search?q=shoes",
         "/api/orders/{}", "/api/users/{}/profile")


def rss_mb() -> float:
    import os
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def access_lines(n: int, seed: int = 7):
    """Access-log lines that vary as real ones do (addresses, paths, sizes, ids)."""
    rng = random.Random(seed)
    for _ in range(n):
        path = rng.choice(PATHS).format(rng.randint(1, 99999))
        yield (f'10.244.{rng.randint(0, 9)}.{rng.randint(1, 254)} - - [26/Nov/2026:08:00:'
               f'{rng.randint(0, 59):02d} +0000] "GET {path} HTTP/1.1" '
               f'{rng.choice((200, 200, 200, 304, 404, 500))} {rng.randint(100, 90000)} '
               f'"-" "Mozilla/5.0 (X11; Linux x86_64)" rt={rng.random():.3f} '
               f'request_id={rng.getrandbits(64):016x}')


async def measure_view(lines: int) -> dict:
    from textual.app import App

    from kubetui.ui.widgets.log_view import LogView

    class Logs(App):
        def compose(self):
            yield LogView()

    out: dict = {}
    async with Logs().run_test(size=(160, 48)) as pilot:
        view = pilot.app.query_one(LogView)
        gc.collect()
        base = rss_mb()
        source = access_lines(lines)
        batch = 5000  # about what 0.1 s of a very chatty workload brings
        started, cpu0 = time.perf_counter(), cpu_seconds()
        for start in range(0, lines, batch):
            view.add([("frontend-64bb6f74fb-c79bz", "2026-11-26T08:00:00.000000000Z", text)
                      for text in (next(source) for _ in range(min(batch, lines - start)))])
            await pilot.pause()  # let it draw, as it does while following
        seconds = time.perf_counter() - started
        out["lines"] = lines
        out["lines_per_s"] = round(lines / seconds)
        out["cpu_pct"] = round((cpu_seconds() - cpu0) / seconds * 100, 1)
        gc.collect()
        out["rss_after_1m_mb"] = round(rss_mb(), 1)  # the whole process, as the goal says
        out["rss_growth_mb"] = round(rss_mb() - base, 1)
        out["buffer_mb"] = round(view.lines.compressed_bytes() / 2**20, 1)
        t = time.perf_counter()
        view.set_filter("request_id=0000")  # in a thread past 100k lines: wait for it
        while view.filtering:
            await pilot.pause(0.01)
        out["filter_1m_ms"] = round((time.perf_counter() - t) * 1000, 1)
        t = time.perf_counter()
        view.set_search("request_id=ffff")
        out["search_1m_ms"] = round((time.perf_counter() - t) * 1000, 1)
    return out


def _chatty_pod(kubeconfig: str, rate: int) -> None:
    from kubetui.kube.client import KubeClient
    from kubetui.kube.config import load_kubeconfig

    client = KubeClient.connect(load_kubeconfig([kubeconfig]))
    client.send_json("POST", "/api/v1/namespaces/default/pods", {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "chatty", "annotations": {
            "sim.kubetui.dev/behavior": f"logs rate={rate}"}},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}],
                 "tolerations": [{"key": "kubetui.dev/bulk", "operator": "Exists"}]}})
    deadline = time.time() + 30
    while time.time() < deadline:
        pod = client.get_json("/api/v1/namespaces/default/pods/chatty")
        if any((cs.get("state") or {}).get("running")
               for cs in (pod.get("status") or {}).get("containerStatuses") or ()):
            break
        time.sleep(0.1)
    client.close()


def _kubectl_follow(kubeconfig: str, seconds: float) -> int | None:
    """Lines `kubectl logs -f` receives in `seconds` (None: no kubectl on PATH)."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return None
    proc = subprocess.Popen([kubectl, "--kubeconfig", kubeconfig, "logs", "-f", "--tail=0",
                             "chatty", "-n", "default"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    count = [0]

    def read() -> None:
        for _ in proc.stdout or ():
            count[0] += 1

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(seconds)
    proc.terminate()
    reader.join(2)
    return count[0]


async def measure_follow(rate: int, seconds: float) -> dict:
    from textual.app import App

    from kubetui.kube.cluster import Cluster
    from kubetui.kube.config import load_kubeconfig
    from kubetui.ui.screens.logs import LogScreen
    from kubetui.ui.widgets.log_view import LogView

    from .sim_process import SimProcess

    out: dict = {"rate": rate, "seconds": seconds}
    with SimProcess(pods=1) as sim:  # one bulk pod brings a node to run on
        _chatty_pod(sim.kubeconfig, rate)
        cluster = Cluster(load_kubeconfig([sim.kubeconfig]))
        pod = cluster.client.get_json("/api/v1/namespaces/default/pods/chatty")

        class Follow(App):
            def on_mount(self):
                self.push_screen(LogScreen(cluster, "default", [pod], title="chatty", tail=0))

        try:
            async with Follow().run_test(size=(160, 48)) as pilot:
                while not pilot.app.screen.query(LogView):
                    await pilot.pause(0.05)
                view = pilot.app.screen.query_one(LogView)
                await pilot.pause(1.0)  # the stream is open and flowing
                start_lines, cpu0 = view.lines.end, cpu_seconds()
                started = time.perf_counter()
                kubectl = asyncio.get_running_loop().run_in_executor(
                    None, _kubectl_follow, sim.kubeconfig, seconds)
                while time.perf_counter() - started < seconds:
                    await pilot.pause(0.1)
                took = time.perf_counter() - started
                out["kubetui_lines_per_s"] = round((view.lines.end - start_lines) / took)
                out["cpu_pct"] = round((cpu_seconds() - cpu0) / took * 100, 1)
                got = await kubectl
                out["kubectl_lines_per_s"] = None if got is None else round(got / seconds)
        finally:
            cluster.close()
    return out


def run(lines: int, json_path: str | None, rate: int = 20_000, seconds: float = 10) -> int:
    r = {**asyncio.run(measure_view(lines)), "machine": machine()}
    print(f"\nLogs benchmark, {r['lines']:,} lines ({r['machine']})")
    goal_line("lines taken in and drawn", f"{r['lines_per_s']:,}/s", "-", True)
    goal_line("process RSS after them", mib(r["rss_after_1m_mb"]),
              f"<= {mib(GOALS['rss_after_1m_mb'])}",
              r["rss_after_1m_mb"] <= GOALS["rss_after_1m_mb"])
    print(f"  (the compressed buffer: {mib(r['buffer_mb'])}; growth {mib(r['rss_growth_mb'])}; "
          f"filtering all lines took {ms(r['filter_1m_ms'], 0)}, a search "
          f"{ms(r['search_1m_ms'], 0)})")
    if rate:
        f = asyncio.run(measure_follow(rate, seconds))
        r["follow"] = f
        ratio = (f"{f['kubetui_lines_per_s'] / f['kubectl_lines_per_s']:.2f}x kubectl"
                 if f.get("kubectl_lines_per_s") else "no kubectl")
        print(f"\nFollowing a pod writing {rate:,} lines/s for {human_seconds(seconds, 0)}")
        goal_line("kubetui lines/s received + drawn", f"{f['kubetui_lines_per_s']:,}/s",
                  ratio, True)
        print(f"  (kubectl logs -f in the same run: {f['kubectl_lines_per_s'] or 0:,}/s; "
              f"kubetui CPU {f['cpu_pct']}%)")
    write_json(json_path, r)
    return 0
