"""The EndpointSlice and Endpoints controllers: every Service with a selector gets one
EndpointSlice (`<service>-<suffix>`) and an Endpoints object listing the pods it selects,
kept in step as pods become ready, move, or go away."""

from __future__ import annotations

from .controller import Controller, owner_ref
from .meta import deep_copy, rand_suffix
from .replicaset import pod_is_ready
from .resources import BY_KIND
from .selectors import selector_matches
from .store import Change

SERVICES, PODS = BY_KIND["Service"], BY_KIND["Pod"]
SLICES, ENDPOINTS = BY_KIND["EndpointSlice"], BY_KIND["Endpoints"]
SERVICE_NAME = "kubernetes.io/service-name"
MANAGED_BY = "endpointslice.kubernetes.io/managed-by"


def _target_port(port: dict, pod: dict) -> int | None:
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, int) or (isinstance(target, str) and target.isdigit()):
        return int(target)
    for c in pod["spec"].get("containers") or ():
        for p in c.get("ports") or ():
            if p.get("name") == target:
                return p.get("containerPort")
    return None


class EndpointsController(Controller):
    def __init__(self, sim):
        super().__init__(sim)
        self.store.listeners.append(self.on_change)

    def on_change(self, change: Change) -> None:
        meta = change.obj["metadata"]
        if change.res is SERVICES:
            self.enqueue((meta["namespace"], meta["name"]))
        elif change.res is PODS:
            labels = [meta.get("labels") or {}, ((change.old or {}).get("metadata") or {})
                      .get("labels") or {}]
            for svc in self.store.list(SERVICES, meta["namespace"]):
                sel = (svc.get("spec") or {}).get("selector")
                if sel and any(selector_matches({"matchLabels": sel}, lb) for lb in labels):
                    self.enqueue((meta["namespace"], svc["metadata"]["name"]))

    def sync(self, key) -> None:
        ns, name = key
        svc = self.store.get(SERVICES, ns, name)
        slices = [s for s in self.store.list(SLICES, ns)
                  if (s["metadata"].get("labels") or {}).get(SERVICE_NAME) == name]
        if svc is None or not (svc.get("spec") or {}).get("selector"):
            for s in slices:
                self.api.delete(SLICES, ns, s["metadata"]["name"])
            if svc is None and self.store.get(ENDPOINTS, ns, name) is not None:
                self.api.delete(ENDPOINTS, ns, name)
            return
        sel = {"matchLabels": svc["spec"]["selector"]}
        pods = [p for p in self.store.list(PODS, ns)
                if selector_matches(sel, p["metadata"].get("labels"))
                and (p.get("status") or {}).get("podIP")
                and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
        self._slice(svc, slices, pods)
        self._endpoints(svc, pods)

    def _ports(self, svc: dict, pods: list[dict]) -> list[dict]:
        out = []
        for port in svc["spec"].get("ports") or ():
            target = _target_port(port, pods[0]) if pods else None
            entry = {"name": port.get("name", ""), "protocol": port.get("protocol", "TCP")}
            if target is not None:
                entry["port"] = target
            out.append(entry)
        return out

    def _slice(self, svc: dict, slices: list[dict], pods: list[dict]) -> None:
        ns, name = svc["metadata"]["namespace"], svc["metadata"]["name"]
        endpoints = []
        for p in pods:
            terminating = bool(p["metadata"].get("deletionTimestamp"))
            ready = pod_is_ready(p) and not terminating
            endpoints.append({
                "addresses": [p["status"]["podIP"]],
                "conditions": {"ready": ready, "serving": pod_is_ready(p),
                               "terminating": terminating},
                "nodeName": p["spec"].get("nodeName"),
                "targetRef": {"kind": "Pod", "namespace": ns, "name": p["metadata"]["name"],
                              "uid": p["metadata"]["uid"]}})
        body = {"addressType": "IPv4", "endpoints": endpoints, "ports": self._ports(svc, pods)}
        if not slices:
            self.api.create(SLICES, ns, {"metadata": {
                "name": f"{name}-{rand_suffix()}", "generateName": f"{name}-",
                "labels": {SERVICE_NAME: name, MANAGED_BY: "endpointslice-controller.k8s.io"},
                "ownerReferences": [owner_ref(svc)]}, **body})
            return
        current = slices[0]
        if any(current.get(k) != v for k, v in body.items()):
            new = deep_copy(current)
            new.update(body)
            self.api.update(SLICES, ns, new["metadata"]["name"], new)

    def _endpoints(self, svc: dict, pods: list[dict]) -> None:
        ns, name = svc["metadata"]["namespace"], svc["metadata"]["name"]

        def addr(p: dict) -> dict:
            return {"ip": p["status"]["podIP"], "nodeName": p["spec"].get("nodeName"),
                    "targetRef": {"kind": "Pod", "namespace": ns,
                                  "name": p["metadata"]["name"], "uid": p["metadata"]["uid"]}}

        ready = [addr(p) for p in pods if pod_is_ready(p)
                 and not p["metadata"].get("deletionTimestamp")]
        not_ready = [addr(p) for p in pods if not pod_is_ready(p)
                     or p["metadata"].get("deletionTimestamp")]
        subset: dict = {"ports": [{k: v for k, v in p.items() if v != ""}
                                  for p in self._ports(svc, pods) if "port" in p]}
        if ready:
            subset["addresses"] = ready
        if not_ready:
            subset["notReadyAddresses"] = not_ready
        subsets = [subset] if pods else []
        current = self.store.get(ENDPOINTS, ns, name)
        if current is None:
            self.api.create(ENDPOINTS, ns, {"metadata": {"name": name, "labels": dict(
                svc["metadata"].get("labels") or {})}, "subsets": subsets})
        elif current.get("subsets", []) != subsets:
            new = deep_copy(current)
            new["subsets"] = subsets
            self.api.update(ENDPOINTS, ns, name, new)
