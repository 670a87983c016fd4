"""Scale for benchmarks: load 10k or 50k realistic pods (about 5 KB of JSON each, already
Running on `bulk-node-NNNN` nodes of 110 pods) in seconds, and churn them at N updates a
second. Each churn update stamps `kubetui.dev/churned-at` (epoch seconds) so a client can
measure event-to-screen latency."""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import Any

from aiohttp import web

from .meta import new_uid, now_rfc3339
from .resources import BY_KIND

PODS, NODES, NAMESPACES = BY_KIND["Pod"], BY_KIND["Node"], BY_KIND["Namespace"]
NAMESPACE = "bulk"
PODS_PER_NODE = 110
CHURN_ANNOTATION = "kubetui.dev/churned-at"


def bulk_pod(i: int, node: str, now: str) -> dict:
    app = f"svc-{i % 97:02d}"
    name = f"{app}-{hashlib.sha1(str(i).encode()).hexdigest()[:10]}-{i:05d}"
    uid = new_uid()
    ip = f"10.{64 + i // 65000}.{(i // 250) % 256}.{i % 250 + 2}"
    container = {
        "name": "app", "image": f"registry.example.com/team/{app}:1.{i % 7}.0",
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
        "env": [{"name": "SERVICE", "value": app}, {"name": "LOG_LEVEL", "value": "info"},
                {"name": "POD_NAME", "valueFrom": {"fieldRef": {
                    "apiVersion": "v1", "fieldPath": "metadata.name"}}}],
        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"},
                      "limits": {"memory": "64Mi"}},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080, "scheme": "HTTP"},
                           "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1,
                           "failureThreshold": 3},
        "volumeMounts": [{"name": "kube-api-access", "readOnly": True,
                          "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}],
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }
    sidecar = {"name": "proxy", "image": "envoyproxy/envoy:v1.31.2",
               "imagePullPolicy": "IfNotPresent", "resources": {},
               "terminationMessagePath": "/dev/termination-log",
               "terminationMessagePolicy": "File"}
    cond = [{"type": t, "status": "True", "lastProbeTime": None, "lastTransitionTime": now}
            for t in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
                      "PodScheduled")]

    def cstatus(c: dict) -> dict:
        return {"name": c["name"], "state": {"running": {"startedAt": now}}, "lastState": {},
                "ready": True, "restartCount": 0, "image": c["image"],
                "imageID": f"{c['image'].split(':')[0]}@sha256:"
                           + hashlib.sha256(c["image"].encode()).hexdigest(),
                "containerID": "containerd://" + hashlib.sha256(
                    (uid + c["name"]).encode()).hexdigest(), "started": True}

    return {
        "kind": "Pod", "apiVersion": "v1",
        "metadata": {"name": name, "namespace": NAMESPACE, "uid": uid,
                     "creationTimestamp": now, "generation": 1,
                     "labels": {"app": app, "tier": "backend", "pod-template-hash": "5d4f8b"},
                     "annotations": {"prometheus.io/scrape": "true",
                                     "prometheus.io/port": "8080"},
                     "managedFields": _MANAGED_FIELDS(now)},
        "spec": {"containers": [container, sidecar], "restartPolicy": "Always",
                 "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                 "serviceAccountName": "default", "serviceAccount": "default",
                 "nodeName": node, "securityContext": {}, "schedulerName": "default-scheduler",
                 "priority": 0, "enableServiceLinks": True,
                 "preemptionPolicy": "PreemptLowerPriority",
                 "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                                  "effect": "NoExecute", "tolerationSeconds": 300}],
                 "volumes": [{"name": "kube-api-access", "projected": {
                     "defaultMode": 420, "sources": [
                         {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                         {"configMap": {"name": "kube-root-ca.crt",
                                        "items": [{"key": "ca.crt", "path": "ca.crt"}]}}]}}]},
        "status": {"phase": "Running", "conditions": cond, "hostIP": "172.18.1.1",
                   "hostIPs": [{"ip": "172.18.1.1"}], "podIP": ip, "podIPs": [{"ip": ip}],
                   "startTime": now, "qosClass": "Burstable",
                   "containerStatuses": [cstatus(container), cstatus(sidecar)]},
    }


def _MANAGED_FIELDS(now: str) -> list[dict]:  # noqa: N802 (what real pods carry)
    spec_fields: dict[str, Any] = {f"f:{k}": {} for k in (
        "dnsPolicy", "enableServiceLinks", "restartPolicy", "schedulerName", "securityContext",
        "terminationGracePeriodSeconds", "tolerations", "volumes")}
    spec_fields['f:containers'] = {f'k:{{"name":"{n}"}}': {
        ".": {}, "f:env": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {},
        "f:ports": {}, "f:readinessProbe": {}, "f:resources": {},
        "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {},
        "f:volumeMounts": {}} for n in ("app", "proxy")}
    status_fields: dict[str, Any] = {"f:conditions": {f'k:{{"type":"{t}"}}': {
        ".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {}, "f:status": {},
        "f:type": {}} for t in ("ContainersReady", "Initialized", "PodReadyToStartContainers",
                                "Ready")}, "f:containerStatuses": {}, "f:hostIP": {},
        "f:hostIPs": {}, "f:phase": {}, "f:podIP": {}, "f:podIPs": {}, "f:startTime": {}}
    return [
        {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
         "time": now, "fieldsType": "FieldsV1", "fieldsV1": {
             "f:metadata": {"f:annotations": {}, "f:generateName": {}, "f:labels": {},
                            "f:ownerReferences": {}}, "f:spec": spec_fields}},
        {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": now,
         "fieldsType": "FieldsV1", "subresource": "status",
         "fieldsV1": {"f:status": status_fields}},
    ]


class Bulk:
    """Also answers `POST /kubetui-sim/churn?rate=N` (a sim-only path, not Kubernetes
    API) so a benchmark in another process can change the churn rate as it goes."""

    def __init__(self, sim):
        self.sim = sim
        self.pods: list[tuple[str, str]] = []
        self._churn_task = None
        sim.request_hooks.insert(0, self._control)

    async def _control(self, request):
        if request.path != "/kubetui-sim/churn":
            return None
        try:
            rate = float(request.query.get("rate", "0"))
        except ValueError:
            return web.Response(status=400, text="rate must be a number\n")
        if self._churn_task is not None:
            self._churn_task.cancel()
            self._churn_task = None
        if rate > 0:
            self._churn_task = asyncio.ensure_future(self._churn(rate))
        return web.Response(text=f"churn {rate:g}/s\n")

    def load(self, count: int) -> None:
        """Add `count` Running pods (and the nodes to hold them); blocks until done."""
        self.sim.call(self._load, count, timeout=600)

    def _load(self, count: int) -> None:
        store = self.sim.store
        if store.get(NAMESPACES, None, NAMESPACE) is None:
            self.sim.api.create(NAMESPACES, None, {"metadata": {"name": NAMESPACE}})
        start = len(self.pods)
        nodes = -(-(start + count) // PODS_PER_NODE)
        for n in range(nodes):
            name = f"bulk-node-{n:04d}"
            if store.get(NODES, None, name) is None:
                self.sim.api.create(NODES, None, {"metadata": {"name": name, "labels": {
                    "kubetui.dev/bulk": "true"}}, "spec": {"taints": [{
                        "key": "kubetui.dev/bulk", "effect": "NoSchedule"}]},
                    "status": {"capacity": {"cpu": "16", "memory": "64Gi",
                                            "pods": str(PODS_PER_NODE)}}})
        kubelet = next(c for c in self.sim.controllers if type(c).__name__ == "Kubelet")
        started = time.time()
        for i in range(start, start + count):
            # created over the last 30 days, as in a cluster that has run a while (all
            # created this minute, every AGE on screen would change every second)
            created = now_rfc3339(started - 3600 - (i * 7919) % (30 * 86400))
            pod = bulk_pod(i, f"bulk-node-{i // PODS_PER_NODE:04d}", created)
            key = (NAMESPACE, pod["metadata"]["name"])
            kubelet.started[key] = pod["metadata"]["uid"]  # already running: no lifecycle
            store.add(PODS, pod)
            self.pods.append(key)

    def churn(self, rate: float) -> None:
        """Update `rate` bulk pods a second (round robin), until stop_churn()."""
        def start():
            self._churn_task = asyncio.ensure_future(self._churn(rate))
        self.sim.call(start)

    def stop_churn(self) -> None:
        def stop():
            if self._churn_task is not None:
                self._churn_task.cancel()
                self._churn_task = None
        self.sim.call(stop)

    async def _churn(self, rate: float) -> None:
        store, tick, i, owed = self.sim.store, 0.02, 0, 0.0
        while self.pods:
            await asyncio.sleep(tick)
            owed += rate * tick
            while owed >= 1:
                owed -= 1
                key = self.pods[i % len(self.pods)]
                i += 1
                pod = store.get(PODS, *key)
                if pod is None:
                    continue
                new = dict(pod)
                new["metadata"] = {**pod["metadata"], "annotations": {
                    **(pod["metadata"].get("annotations") or {}),
                    CHURN_ANNOTATION: f"{time.time():.6f}"}}
                store.replace(PODS, new)
