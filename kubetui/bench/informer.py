"""The informer benchmark: N pods listed and watched from a simulated cluster in another
process, beside `kubectl get pods -A` in the same run. It reports time to synced, RSS
growth per pod, watch events decoded per second on one core, and a full collection's
pause with the cache frozen, each beside its goal."""

from __future__ import annotations

import gc
import os
import resource
import shutil
import subprocess
import time

import orjson

from .report import goal_line, info_line, kib, machine, mib, ms, seconds, write_json

GOALS = {"synced_ratio": 0.4, "rss_per_pod_kb": 6.0, "events_per_s": 20_000,
         "gc_pause_ms": 20.0}


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def kubectl_get_pods(kubeconfig: str) -> tuple[float, float, int]:
    """(seconds, peak RSS MB, rows) of `kubectl get pods -A`."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise SystemExit("kubectl is not on PATH: the benchmark compares against it")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    out = subprocess.run([kubectl, "--kubeconfig", kubeconfig, "get", "pods", "-A",
                          "--no-headers"], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return seconds, peak, len(out.stdout.splitlines())


def decode_rate(informer, pods: list[dict], events: int) -> float:
    """Watch events a second through the informer's decode-and-store path, one core."""
    lines = []
    for i in range(events):
        pod = pods[i % len(pods)]
        lines.append(orjson.dumps({"type": "MODIFIED", "object": pod}))
    started = time.perf_counter()
    for line in lines:
        informer._apply(line)
    return events / (time.perf_counter() - started)


def full_gc_ms() -> float:
    started = time.perf_counter()
    gc.collect()
    return (time.perf_counter() - started) * 1000


def run(pods: int, events: int, json_path: str | None) -> int:
    from kubetui.kube.cluster import Cluster
    from kubetui.kube.config import load_kubeconfig

    from .sim_process import SimProcess

    print(f"Loading {pods:,} pods into a simulated cluster (its own process)...", flush=True)
    with SimProcess(pods) as sim:
        kc = load_kubeconfig([sim.kubeconfig])
        kubectl_s, kubectl_mb, rows = kubectl_get_pods(sim.kubeconfig)
        cluster = Cluster(kc)
        cluster.client.version()  # connect before measuring
        gc.collect()
        base = rss_mb()
        started = time.perf_counter()
        group = cluster.watch("Pod")
        group.wait_synced(600)
        synced_s = time.perf_counter() - started
        gc.collect()
        grown = rss_mb() - base
        unfrozen_ms = full_gc_ms()
        cluster.freeze_heap()
        frozen_ms = min(full_gc_ms() for _ in range(3))
        _, items = group.store.snapshot()
        raw = cluster.client.request("GET", "/api/v1/pods", {"limit": 200})
        sample = orjson.loads(raw)["items"]
        rate = decode_rate(group.main, sample, events)
        frozen_ms = max(frozen_ms, min(full_gc_ms() for _ in range(3)))  # after the churn
        cluster.close()
    result = {
        "pods": pods, "kubectl_rows": rows,
        "kubectl_get_pods_s": round(kubectl_s, 3), "kubectl_peak_rss_mb": round(kubectl_mb, 1),
        "synced_s": round(synced_s, 3), "synced_ratio": round(synced_s / kubectl_s, 3),
        "rss_growth_mb": round(grown, 1), "rss_per_pod_kb": round(grown * 1024 / pods, 2),
        "events_per_s": round(rate), "gc_pause_ms": round(frozen_ms, 2),
        "gc_pause_unfrozen_ms": round(unfrozen_ms, 2), "cached": len(items),
        "machine": machine(),
    }
    report(result)
    write_json(json_path, result)
    return 0


def report(r: dict) -> None:
    line = goal_line
    print(f"\nInformer benchmark, {r['pods']:,} pods ({r['machine']})")
    info_line("kubectl get pods -A", seconds(r["kubectl_get_pods_s"]),
              f"({r['kubectl_rows']:,} rows, peak RSS {mib(r['kubectl_peak_rss_mb'])})")
    line("time to synced", f"{seconds(r['synced_s'])} = {r['synced_ratio']:.2f}x",
         f"<= {GOALS['synced_ratio']}x kubectl", r["synced_ratio"] <= GOALS["synced_ratio"])
    line("RSS growth per pod", kib(r["rss_per_pod_kb"]),
         f"<= {kib(GOALS['rss_per_pod_kb'], 0)}",
         r["rss_per_pod_kb"] <= GOALS["rss_per_pod_kb"])
    line("watch events decoded (one core)", f"{r['events_per_s']:,}/s",
         f">= {GOALS['events_per_s']:,}/s", r["events_per_s"] >= GOALS["events_per_s"])
    line("full gc pause (cache frozen)", ms(r["gc_pause_ms"]),
         f"<= {ms(GOALS['gc_pause_ms'], 0)}", r["gc_pause_ms"] <= GOALS["gc_pause_ms"])
    print(f"  (full gc pause before freezing: {ms(r['gc_pause_unfrozen_ms'])})")
