"""The footgun lint at scale: `python -m kubetui.bench lint --pods 10000`.

1. In-process, 10k pods shaped like the sim's bulk pods (decoded slim, as the informers
   keep them) with their workloads: 97 Deployments whose ReplicaSets own them, a Service
   and a ConfigMap each, HPAs. The full pass (every object in, every rule run) and the
   cost of one change (a pod's annotation, now and then a restart), set + flush.
2. The same pods with no workload (as `kubetui sim --pods` makes them): every pod is
   its own subject, 30,000 findings. The worst case.
3. Live: a simulated cluster in its own process with the bulk pods and churn; the app's
   live lint on informers (sharing the pod cache), the time to its first findings, the
   cost per change under churn, and what its own indexes take in memory."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kubetui.diagnose.lint import Linter

import copy
import gc
import random
import resource
import statistics
import time
import tracemalloc

import orjson

from .report import goal_line, machine, mib, ms, write_json

GOALS = {"full_ms": 200.0, "change_ms": 2.0}
APPS = 97
STAMP = "2026-11-30T15:00:00Z"


def _pods(n: int, owned: bool) -> list[dict]:
    from kubetui.kube.slim import decode_list
    from kubetui.sim.bulk import bulk_pod

    raw = []
    for i in range(n):
        p = bulk_pod(i, f"bulk-node-{i // 110:04d}", STAMP)
        app = p["metadata"]["labels"]["app"]
        p["spec"]["containers"][0]["envFrom"] = [{"configMapRef": {"name": f"{app}-config"}}]
        if owned:
            p["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                                 "name": f"{app}-5d4f8b", "uid": "rs",
                                                 "controller": True}]
        raw.append(p)
    pods, _ = decode_list("Pod", orjson.dumps({"items": raw}))
    return pods


def _workloads(pods: list[dict]) -> dict[str, dict[str, dict]]:
    by_app: dict = {}
    for p in pods:
        by_app.setdefault(p["metadata"]["labels"]["app"], p)
    out: dict[str, dict[str, dict]] = {k: {} for k in (
        "Deployment", "Service", "ConfigMap", "HorizontalPodAutoscaler")}
    for app, pod in sorted(by_app.items()):
        key = f"bulk/{app}"
        out["Deployment"][key] = {"metadata": {"name": app, "namespace": "bulk"}, "spec": {
            "replicas": 103, "selector": {"matchLabels": {"app": app}},
            "template": {"metadata": {"labels": {"app": app, "tier": "backend"}},
                         "spec": copy.deepcopy(pod["spec"])}}}
        out["Service"][key] = {"metadata": {"name": app, "namespace": "bulk"},
                               "spec": {"selector": {"app": app}}}
        out["ConfigMap"][f"bulk/{app}-config"] = {"metadata": {
            "name": f"{app}-config", "namespace": "bulk", "creationTimestamp": STAMP,
            "managedFields": [{"manager": "kubectl-client-side-apply", "operation": "Update",
                               "time": STAMP, "fieldsV1": {"f:data": {}}}]}}
        if len(out["HorizontalPodAutoscaler"]) < 10:
            out["HorizontalPodAutoscaler"][key] = {
                "metadata": {"name": app, "namespace": "bulk"},
                "spec": {"scaleTargetRef": {"kind": "Deployment", "name": app}, "metrics": [
                    {"type": "Resource", "resource": {"name": "cpu", "target": {
                        "type": "Utilization", "averageUtilization": 70}}}]}}
    return out


def _full_pass(pods: list[dict], others: dict) -> tuple[float, Linter]:
    from kubetui.diagnose.lint import Linter

    keyed = {f"bulk/{p['metadata']['name']}": p for p in pods}
    t = time.perf_counter()
    linter = Linter()
    for kind, items in others.items():
        linter.reset(kind, items)
    linter.reset("Pod", keyed)
    linter.flush()
    return time.perf_counter() - t, linter


def _changes(linter, rounds: int = 3000, seed: int = 1) -> list[float]:
    """One pod changed at a time: mostly an annotation (what churn does; no rule reads
    it), one in ten a container restart (its workload's runtime rules run again)."""
    rng = random.Random(seed)
    keys = list(linter.objs["Pod"])
    out = []
    for n in range(rounds):
        key = rng.choice(keys)
        old = linter.objs["Pod"][key]
        new = dict(old)
        new["metadata"] = {**old["metadata"], "annotations": {
            **(old["metadata"].get("annotations") or {}), "kubetui.dev/churned-at": str(n)}}
        if n % 10 == 0:
            status = dict(old["status"])
            statuses = [dict(cs) for cs in status["containerStatuses"]]
            statuses[0]["restartCount"] = statuses[0].get("restartCount", 0) + 1
            status["containerStatuses"] = statuses
            new["status"] = status
        t = time.perf_counter()
        linter.set("Pod", key, new)
        linter.flush()
        out.append(time.perf_counter() - t)
    return out


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] * 1000


def measure_in_process(pods: int) -> dict:
    owned = _pods(pods, owned=True)
    others = _workloads(owned)
    runs = []
    for _ in range(3):
        gc.collect()
        took, linter = _full_pass(owned, others)
        runs.append(took)
    changes = _changes(linter)
    # the engine's own memory: what building it allocates (the objects exist before)
    gc.collect()
    tracemalloc.start()
    _, kept = _full_pass(owned, others)
    engine_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    shared = all(kept.objs["Pod"][k] is p for k, p in
                 {f"bulk/{p['metadata']['name']}": p for p in owned[:100]}.items())
    bare = _pods(pods, owned=False)
    bare_runs = []
    for _ in range(2):
        gc.collect()
        took, bare_linter = _full_pass(bare, {})
        bare_runs.append(took)
    bare_changes = _changes(bare_linter, rounds=1000)
    return {
        "pods": pods, "workloads": len(others["Deployment"]),
        "full_ms": round(statistics.median(runs) * 1000, 1),
        "findings": len(linter.findings()),
        "change_p50_ms": round(_pct(changes, 0.5), 3),
        "change_p99_ms": round(_pct(changes, 0.99), 3),
        "change_max_ms": round(max(changes) * 1000, 2),
        "engine_mb": round(engine_bytes / 2**20, 1), "objects_shared": shared,
        "bare_full_ms": round(statistics.median(bare_runs) * 1000, 1),
        "bare_findings": len(bare_linter.findings()),
        "bare_change_p99_ms": round(_pct(bare_changes, 0.99), 3),
    }


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def measure_live(pods: int, churn: float, seconds: float) -> dict:
    """The app's live lint against a sim in its own process, with churn."""
    from kubetui.kube.cluster import Cluster
    from kubetui.kube.config import load_kubeconfig
    from kubetui.kube.lint_feed import LiveLint

    from .sim_process import SimProcess

    with SimProcess(pods, scenario="demo", churn=churn) as sim:
        cluster = Cluster(load_kubeconfig([sim.kubeconfig]))
        try:
            pods_group = cluster.watch("Pod")  # what the pods view holds anyway
            pods_group.wait_synced(120)
            gc.collect()
            before = _rss_mb()
            t = time.perf_counter()
            live = LiveLint(cluster)
            first_ms = None
            while time.perf_counter() - t < 120:
                live.refresh()
                if live.synced and live.linter.findings():
                    live.refresh()
                    first_ms = (time.perf_counter() - t) * 1000
                    break
                time.sleep(0.05)
            gc.collect()
            lint_mb = _rss_mb() - before
            refreshes, changes, spent = 0, 0, 0.0
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                time.sleep(0.5)  # the UI refreshes it twice a second
                n0 = live.changes
                t0 = time.perf_counter()
                live.refresh()
                spent += time.perf_counter() - t0
                changes += live.changes - n0
                refreshes += 1
            return {"live_pods": len(pods_group.store), "churn_per_s": churn,
                    "first_findings_ms": round(first_ms or -1),
                    "live_findings": len(live.linter.findings()),
                    "live_changes": changes, "live_refresh_ms": round(
                        spent / max(refreshes, 1) * 1000, 2),
                    "live_change_ms": round(spent / max(changes, 1) * 1000, 3),
                    "live_lint_rss_mb": round(lint_mb, 1)}
        finally:
            cluster.close()


def run(pods: int, json_path: str | None, live: bool = True, churn: float = 200,
        seconds: float = 10) -> int:
    r = {**measure_in_process(pods), "machine": machine()}
    if live:
        r.update(measure_live(pods, churn, seconds))
    print(f"\nFootgun lint, {r['pods']:,} pods ({r['machine']})")
    goal_line(f"full pass, pods + {r['workloads']} workloads", ms(r["full_ms"], 0),
              f"<= {ms(GOALS['full_ms'], 0)}", r["full_ms"] <= GOALS["full_ms"])
    goal_line("one change (set + flush), p99", ms(r["change_p99_ms"], 2),
              f"<= {ms(GOALS['change_ms'], 0)}", r["change_p99_ms"] <= GOALS["change_ms"])
    print(f"  ({r['findings']} findings; a change: median {ms(r['change_p50_ms'], 3)}, max "
          f"{ms(r['change_max_ms'], 2)}; the engine's indexes {mib(r['engine_mb'])}, the pods "
          f"shared, not copied: {r['objects_shared']})")
    print(f"  worst case, {r['pods']:,} pods with no workload (each its own subject): full "
          f"pass {ms(r['bare_full_ms'], 0)}, {r['bare_findings']:,} findings, a change p99 "
          f"{ms(r['bare_change_p99_ms'], 2)}")
    if live:
        first = (f"{ms(r['first_findings_ms'], 0)} after start"
                 if r["first_findings_ms"] >= 0 else "none")  # -1 in the JSON: none came
        print(f"  live, {r['live_pods']:,} pods in a sim process, churn {r['churn_per_s']:.0f}/s:"
              f" first findings {first}, a refresh "
              f"{ms(r['live_refresh_ms'])} ({ms(r['live_change_ms'], 3)} a change, "
              f"{r['live_changes']} changes), lint's own RSS {mib(r['live_lint_rss_mb'])}")
    write_json(json_path, r)
    return 0
