"""`metrics.k8s.io/v1beta1` (what metrics-server serves, so `kubectl top` works),
componentstatuses, and `/readyz`, `/livez`, `/healthz` with `?verbose`.

Usage is made up but steady: each container uses a stable share of its requests (or a
small amount without requests), drifting a little every 30 s, and a container with an
`oom` behaviour climbs towards its memory limit."""

from __future__ import annotations

import random
import time

from aiohttp import web

from kubetui.render.quantity import parse_quantity

from .behavior import parse as parse_behavior
from .json_body import json_response
from .meta import ApiError, now_rfc3339
from .resources import BY_KIND, Resource
from .tables import table, wants_table

PODS, NODES = BY_KIND["Pod"], BY_KIND["Node"]
MI = 2**20
HEALTH_CHECKS = ("ping", "log", "etcd", "etcd-readiness", "informer-sync",
                 "poststarthook/start-apiserver-admission-initializer",
                 "poststarthook/generic-apiserver-start-informers",
                 "poststarthook/start-apiextensions-controllers",
                 "poststarthook/crd-informer-synced", "poststarthook/rbac/bootstrap-roles",
                 "poststarthook/scheduling/bootstrap-system-priority-classes",
                 "poststarthook/bootstrap-controller",
                 "poststarthook/apiservice-registration-controller",
                 "shutdown")


def container_usage(pod: dict, c: dict, now: float) -> tuple[float, float]:
    """(cpu cores, memory bytes) one container uses now."""
    uid = pod["metadata"].get("uid", "")
    rng = random.Random(f"{uid}/{c['name']}/{int(now // 30)}")
    base = random.Random(f"{uid}/{c['name']}")
    req = ((c.get("resources") or {}).get("requests")) or {}
    lim = ((c.get("resources") or {}).get("limits")) or {}
    cpu_req = parse_quantity(req["cpu"]) if "cpu" in req else 0.02
    mem_req = parse_quantity(req["memory"]) if "memory" in req else 48 * MI
    share = base.uniform(0.1, 0.7) * rng.uniform(0.85, 1.15)
    cpu = max(0.001, cpu_req * share)
    mem = mem_req * base.uniform(0.35, 0.9)
    behavior = parse_behavior(pod).get(c["name"])
    if behavior is not None and behavior.oom_after is not None and "memory" in lim:
        mem = parse_quantity(lim["memory"]) * rng.uniform(0.93, 0.99)
    return cpu, mem


def _running(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") == "Running"


def _cpu(cores: float) -> str:
    return f"{int(cores * 1e9)}n"


def _mem(n: float) -> str:
    return f"{int(n // 1024)}Ki"


class Metrics:
    def __init__(self, sim):
        self.sim = sim
        for key, fn in (("pods.metrics.k8s.io", self.pods),
                        ("nodes.metrics.k8s.io", self.nodes),
                        ("componentstatuses", self.componentstatuses)):
            sim.virtual_handlers[key] = fn

    def pod_metrics(self, pod: dict, now: float) -> dict:
        meta = pod["metadata"]
        containers = []
        for c in pod["spec"]["containers"]:
            cpu, mem = container_usage(pod, c, now)
            containers.append({"name": c["name"],
                               "usage": {"cpu": _cpu(cpu), "memory": _mem(mem)}})
        return {"kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
                "metadata": {"name": meta["name"], "namespace": meta["namespace"],
                             "creationTimestamp": now_rfc3339(now),
                             "labels": meta.get("labels") or {}},
                "timestamp": now_rfc3339(now - 15), "window": "30.0s",
                "containers": containers}

    def node_metrics(self, node: dict, pods: list[dict], now: float) -> dict:
        cpu, mem = 0.08, 420.0 * MI  # the node's own daemons
        for pod in pods:
            for c in pod["spec"]["containers"]:
                u = container_usage(pod, c, now)
                cpu, mem = cpu + u[0], mem + u[1]
        meta = node["metadata"]
        return {"kind": "NodeMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
                "metadata": {"name": meta["name"], "creationTimestamp": now_rfc3339(now),
                             "labels": meta.get("labels") or {}},
                "timestamp": now_rfc3339(now - 15), "window": "20.0s",
                "usage": {"cpu": _cpu(cpu), "memory": _mem(mem)}}

    def _selected(self, res: Resource, request: web.Request, ns: str | None) -> list[dict]:
        q = request.query
        match = self.sim.api.matcher(q.get("labelSelector"), q.get("fieldSelector"))
        return self.sim.store.list(res, ns, match)

    async def pods(self, request: web.Request, route) -> web.StreamResponse:
        now = time.time()
        if route.name:
            pod = self.sim.store.get(PODS, route.namespace, route.name)
            if pod is None or not _running(pod):
                raise ApiError(404, "NotFound", f'podmetrics.metrics.k8s.io "{route.namespace}/'
                                                f'{route.name}" not found')
            return _json(self.pod_metrics(pod, now))
        items = [self.pod_metrics(p, now) for p in self._selected(PODS, request,
                                                                   route.namespace)
                 if _running(p)]
        return _json({"kind": "PodMetricsList", "apiVersion": "metrics.k8s.io/v1beta1",
                      "metadata": {}, "items": items})

    async def nodes(self, request: web.Request, route) -> web.StreamResponse:
        now = time.time()
        by_node: dict[str, list[dict]] = {}
        for p in self.sim.store.list(PODS):
            if _running(p):
                by_node.setdefault(p["spec"].get("nodeName", ""), []).append(p)
        nodes = self._selected(NODES, request, None)
        if route.name:
            nodes = [n for n in nodes if n["metadata"]["name"] == route.name]
            if not nodes:
                raise ApiError(404, "NotFound",
                               f'nodemetrics.metrics.k8s.io "{route.name}" not found')
            return _json(self.node_metrics(nodes[0], by_node.get(route.name, []), now))
        items = [self.node_metrics(n, by_node.get(n["metadata"]["name"], []), now)
                 for n in nodes]
        return _json({"kind": "NodeMetricsList", "apiVersion": "metrics.k8s.io/v1beta1",
                      "metadata": {}, "items": items})

    async def componentstatuses(self, request: web.Request, route) -> web.StreamResponse:
        """As the API server probes them: the scheduler on :10259, the controller manager
        on :10257 (a stopped one is Unhealthy with the dial error), etcd."""
        def cs(name: str, component: str | None, port: int) -> dict:
            healthy = component is None or self.sim.component_running(component)
            cond = {"type": "Healthy", "status": "True", "message": "ok"} if healthy else {
                "type": "Healthy", "status": "False",
                "error": f'Get "https://127.0.0.1:{port}/healthz": dial tcp '
                         f'127.0.0.1:{port}: connect: connection refused'}
            return {"kind": "ComponentStatus", "apiVersion": "v1",
                    "metadata": {"name": name, "creationTimestamp": None},
                    "conditions": [cond]}
        items = [cs("controller-manager", "kube-controller-manager", 10257),
                 cs("scheduler", "kube-scheduler", 10259), cs("etcd-0", None, 2379)]
        if route.name:
            match = [i for i in items if i["metadata"]["name"] == route.name]
            if not match:
                raise ApiError(404, "NotFound", f'componentstatuses "{route.name}" not found')
            return _json(match[0], request=request, res=BY_KIND["ComponentStatus"])
        return _json({"kind": "ComponentStatusList", "apiVersion": "v1", "metadata": {},
                      "items": items}, request=request, res=BY_KIND["ComponentStatus"])


def health(path: str, verbose: bool) -> web.Response:
    """`/readyz`, `/livez`, `/healthz`: "ok", or the per-check list with `?verbose`."""
    if not verbose:
        return web.Response(text="ok")
    name = path.strip("/")
    checks = [c for c in HEALTH_CHECKS if not (name == "livez" and c in (
        "etcd-readiness", "informer-sync", "shutdown"))]
    body = "".join(f"[+]{c} ok\n" for c in checks) + f"{name} check passed\n"
    return web.Response(text=body)


def _json(data: dict, request: web.Request | None = None, res: Resource | None = None):
    if request is not None and res is not None and wants_table(request):
        items = data.get("items", [data])
        data = table(res, items, {})
    return json_response(data)
