"""Defaulting on create, as the real API server's defaulters do for the served kinds."""

from __future__ import annotations

import base64
import ipaddress
import time
from typing import Any

from .meta import new_uid, now_rfc3339, rand_suffix


def default_container(c: dict) -> None:
    image = c.get("image", "")
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    tag = image.rsplit("/", 1)[-1]
    latest = ":" not in tag or tag.endswith(":latest")
    c.setdefault("imagePullPolicy", "Always" if latest and "@" not in image else "IfNotPresent")
    c.setdefault("resources", {})
    for port in c.get("ports") or ():
        port.setdefault("protocol", "TCP")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        p = c.get(probe)
        if p:
            p.setdefault("timeoutSeconds", 1)
            p.setdefault("periodSeconds", 10)
            p.setdefault("successThreshold", 1)
            p.setdefault("failureThreshold", 3)
            if "httpGet" in p:
                p["httpGet"].setdefault("path", "/")
                p["httpGet"].setdefault("scheme", "HTTP")
    for e in c.get("env") or ():
        field = (e.get("valueFrom") or {}).get("fieldRef")
        if field is not None:
            field.setdefault("apiVersion", "v1")


def default_pod_spec(spec: dict) -> None:
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("serviceAccountName", spec.get("serviceAccount") or "default")
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    spec.setdefault("priority", 0)
    for c in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        default_container(c)


def qos_class(spec: dict) -> str:
    containers = spec.get("containers") or []
    any_set = False
    guaranteed = bool(containers)
    for c in containers:
        res = c.get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        if req or lim:
            any_set = True
        for r in ("cpu", "memory"):
            if r not in lim or req.get(r, lim.get(r)) != lim.get(r):
                guaranteed = False
    if guaranteed:
        return "Guaranteed"
    return "Burstable" if any_set else "BestEffort"


class Allocator:
    """Hands out ClusterIPs from 10.96.0.0/12 (10.96.0.1 is the kubernetes service)."""

    def __init__(self):
        self._next = int(ipaddress.ip_address("10.96.0.1"))
        self.used: set[str] = set()

    def cluster_ip(self) -> str:
        while True:
            ip = str(ipaddress.ip_address(self._next))
            self._next += 1
            if ip not in self.used:
                self.used.add(ip)
                return ip


def apply_defaults(kind: str, obj: dict, allocator: Allocator) -> None:
    spec: Any = obj.setdefault("spec", {}) if kind not in _NO_SPEC else None
    if kind == "Pod":
        default_pod_spec(spec)
        for c in spec.get("containers") or ():
            c.setdefault("resources", {})
            lim = c["resources"].get("limits")
            if lim and not c["resources"].get("requests"):
                c["resources"]["requests"] = dict(lim)
        status = obj.setdefault("status", {})
        status.setdefault("phase", "Pending")
        status["qosClass"] = qos_class(spec)
    elif kind in ("Deployment", "ReplicaSet"):
        spec.setdefault("replicas", 1)
        if kind == "Deployment":
            strategy = spec.setdefault("strategy", {"type": "RollingUpdate"})
            if strategy.get("type", "RollingUpdate") == "RollingUpdate":
                strategy["type"] = "RollingUpdate"
                ru = strategy.setdefault("rollingUpdate", {})
                ru.setdefault("maxUnavailable", "25%")
                ru.setdefault("maxSurge", "25%")
            spec.setdefault("revisionHistoryLimit", 10)
            spec.setdefault("progressDeadlineSeconds", 600)
        template = spec.setdefault("template", {})
        template.setdefault("metadata", {})
        default_pod_spec(template.setdefault("spec", {}))
        obj.setdefault("status", {})
    elif kind in ("StatefulSet", "DaemonSet"):
        _default_template(spec)
        spec.setdefault("revisionHistoryLimit", 10)
        if kind == "StatefulSet":
            spec.setdefault("replicas", 1)
            spec.setdefault("podManagementPolicy", "OrderedReady")
            spec.setdefault("updateStrategy", {"type": "RollingUpdate",
                                               "rollingUpdate": {"partition": 0}})
            spec.setdefault("persistentVolumeClaimRetentionPolicy", {
                "whenDeleted": "Retain", "whenScaled": "Retain"})
        else:
            spec.setdefault("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {
                "maxUnavailable": 1, "maxSurge": 0}})
        obj.setdefault("status", {})
    elif kind == "Job":
        _default_job(obj["metadata"], spec)
        obj.setdefault("status", {})
    elif kind == "CronJob":
        spec.setdefault("concurrencyPolicy", "Allow")
        spec.setdefault("suspend", False)
        spec.setdefault("successfulJobsHistoryLimit", 3)
        spec.setdefault("failedJobsHistoryLimit", 1)
        _default_template(spec.setdefault("jobTemplate", {}).setdefault("spec", {}))
        obj.setdefault("status", {})
    elif kind == "PersistentVolumeClaim":
        spec.setdefault("volumeMode", "Filesystem")
        obj.setdefault("status", {}).setdefault("phase", "Pending")
    elif kind == "PersistentVolume":
        spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
        spec.setdefault("volumeMode", "Filesystem")
        obj.setdefault("status", {}).setdefault("phase", "Available")
    elif kind == "HorizontalPodAutoscaler":
        spec.setdefault("minReplicas", 1)
        obj.setdefault("status", {})
    elif kind == "Ingress":
        obj.setdefault("status", {"loadBalancer": {}})
    elif kind == "StorageClass":
        obj.setdefault("reclaimPolicy", "Delete")
        obj.setdefault("volumeBindingMode", "Immediate")
    elif kind == "Service":
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        if spec.get("type") != "ExternalName":
            if not spec.get("clusterIP"):
                spec["clusterIP"] = allocator.cluster_ip()
            else:
                allocator.used.add(spec["clusterIP"])
            spec.setdefault("clusterIPs", [spec["clusterIP"]])
            spec.setdefault("ipFamilies", ["IPv4"])
            spec.setdefault("ipFamilyPolicy", "SingleStack")
            spec.setdefault("internalTrafficPolicy", "Cluster")
        for n, port in enumerate(spec.get("ports") or ()):
            port.setdefault("protocol", "TCP")
            port.setdefault("targetPort", port.get("port"))
            if spec["type"] in ("NodePort", "LoadBalancer"):
                port.setdefault("nodePort", 30000 + (hash(obj["metadata"]["name"]) + n) % 2768)
        obj.setdefault("status", {"loadBalancer": {}})
    elif kind == "Namespace":
        spec.setdefault("finalizers", ["kubernetes"])
        obj.setdefault("status", {})["phase"] = "Active"
        labels = obj["metadata"].setdefault("labels", {})
        labels["kubernetes.io/metadata.name"] = obj["metadata"]["name"]
    elif kind == "Secret":
        obj.setdefault("type", "Opaque")
        string_data = obj.pop("stringData", None) or {}
        data = obj.setdefault("data", {})
        for k, v in string_data.items():
            data[k] = base64.b64encode(str(v).encode()).decode()
    elif kind == "Event":
        if not obj.get("eventTime"):  # events.k8s.io-style events carry no count
            obj.setdefault("count", 1)
        obj.setdefault("type", "Normal")


_NO_SPEC = {"ConfigMap", "Secret", "ServiceAccount", "Event", "Role", "ClusterRole",
            "RoleBinding", "ClusterRoleBinding", "StorageClass", "EndpointSlice", "Endpoints",
            "ControllerRevision"}


def _default_template(spec: dict) -> None:
    template = spec.setdefault("template", {})
    template.setdefault("metadata", {})
    default_pod_spec(template.setdefault("spec", {}))


def _default_job(meta: dict, spec: dict) -> None:
    """A Job's defaults, including the selector the real server generates from its uid."""
    spec.setdefault("parallelism", 1)
    if spec.get("completions") is None and spec["parallelism"] == 1:
        spec["completions"] = 1
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    _default_template(spec)
    if spec.get("manualSelector"):
        return
    labels = {"batch.kubernetes.io/controller-uid": meta["uid"],
              "batch.kubernetes.io/job-name": meta["name"],
              "controller-uid": meta["uid"], "job-name": meta["name"]}
    spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": meta["uid"]}}
    spec["template"]["metadata"].setdefault("labels", {}).update(labels)


# kinds the real server keeps no metadata.generation for (their registries do not set
# it: no spec to observe, or none tracked); every other kind's starts at 1 (the captured
# v1.36 objects in tests/fixtures/real-k8s: pods, workloads, custom resources have one)
WITHOUT_GENERATION = frozenset((
    "APIService", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "ControllerRevision",
    "Endpoints", "Event", "HorizontalPodAutoscaler", "Lease", "LimitRange", "Namespace",
    "Node", "PersistentVolume", "PersistentVolumeClaim", "ResourceQuota", "Role",
    "RoleBinding", "RuntimeClass", "Secret", "Service", "ServiceAccount", "StorageClass"))


def stamp_new(obj: dict, namespace: str | None) -> None:
    """Server-owned metadata on create: uid, creationTimestamp, generation, name."""
    meta = obj.setdefault("metadata", {})
    if not meta.get("name") and meta.get("generateName"):
        meta["name"] = meta["generateName"] + rand_suffix()
    if namespace:
        meta["namespace"] = namespace
    meta["uid"] = new_uid()
    meta["creationTimestamp"] = now_rfc3339(time.time())
    if obj.get("kind") in WITHOUT_GENERATION:
        meta.pop("generation", None)
    else:
        meta["generation"] = 1
    for k in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds",
              "selfLink"):
        meta.pop(k, None)
