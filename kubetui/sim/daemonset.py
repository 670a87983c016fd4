"""The DaemonSet controller: one pod per node that matches the template's nodeSelector
and whose NoSchedule/NoExecute taints it tolerates; pods on nodes that stop matching are
removed; rolling updates replace maxUnavailable pods at a time."""

from __future__ import annotations

from .meta import rand_suffix
from .replicaset import pod_is_active, pod_is_ready
from .resources import BY_KIND
from .revisions import HASH_LABEL, PODS, WorkloadController
from .scheduler import tolerates

DS = BY_KIND["DaemonSet"]
NODES = BY_KIND["Node"]
# What the DaemonSet controller adds to every pod's tolerations.
DAEMON_TOLERATIONS = [
    {"key": f"node.kubernetes.io/{t}", "operator": "Exists", "effect": effect}
    for t, effect in (("not-ready", "NoExecute"), ("unreachable", "NoExecute"),
                      ("disk-pressure", "NoSchedule"), ("memory-pressure", "NoSchedule"),
                      ("pid-pressure", "NoSchedule"), ("unschedulable", "NoSchedule"))]


def eligible(ds: dict, node: dict) -> bool:
    spec = ds["spec"]["template"].get("spec") or {}
    labels = node["metadata"].get("labels") or {}
    if any(labels.get(k) != v for k, v in (spec.get("nodeSelector") or {}).items()):
        return False
    tolerations = (spec.get("tolerations") or []) + DAEMON_TOLERATIONS
    return all(tolerates(tolerations, t) for t in (node.get("spec") or {}).get("taints") or ()
               if t.get("effect") in ("NoSchedule", "NoExecute"))


class DaemonSetController(WorkloadController):
    res = DS

    def on_change(self, change) -> None:
        if change.res is NODES:
            for ds in self.store.list(DS):
                self.enqueue((ds["metadata"]["namespace"], ds["metadata"]["name"]))
        else:
            super().on_change(change)

    def sync(self, key) -> None:
        ns, name = key
        ds = self.store.get(DS, ns, name)
        if ds is None or ds["metadata"].get("deletionTimestamp"):
            return
        _, h = self.revision(ds)
        nodes = {n["metadata"]["name"]: n for n in self.store.list(NODES)}
        wanted = {n for n, node in nodes.items() if eligible(ds, node)}
        by_node: dict[str, list[dict]] = {}
        for p in self.owned(ds):
            if pod_is_active(p):
                by_node.setdefault(p["spec"].get("nodeName", ""), []).append(p)
        for node in sorted(wanted - by_node.keys()):
            self._create(ds, node, h)
        for node, pods in by_node.items():
            for p in pods if node not in wanted else pods[1:]:
                self._delete(ds, p)
        self._roll(ds, by_node, wanted, h)
        self._status(ds, nodes, wanted, h)

    def _create(self, ds: dict, node: str, h: str) -> None:
        base = ds["metadata"]["name"]
        pod = self.new_pod(ds, f"{base}-{rand_suffix()}", {HASH_LABEL: h,
                                                           "pod-template-generation": str(
                                                               ds["metadata"].get("generation",
                                                                                  1))})
        pod["metadata"]["generateName"] = f"{base}-"
        spec = pod["spec"]
        spec["tolerations"] = (spec.get("tolerations") or []) + DAEMON_TOLERATIONS
        spec["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In",
                                                    "values": [node]}]}]}}}
        spec["nodeName"] = node  # the sim binds directly; its scheduler knows no affinity
        created = self.api.create(PODS, ds["metadata"]["namespace"], pod)
        self.recorder.emit(ds, "Normal", "SuccessfulCreate",
                           f"Created pod: {created['metadata']['name']}", "daemonset-controller")

    def _delete(self, ds: dict, pod: dict) -> None:
        if not pod["metadata"].get("deletionTimestamp"):
            self.api.delete(PODS, ds["metadata"]["namespace"], pod["metadata"]["name"])
            self.recorder.emit(ds, "Normal", "SuccessfulDelete",
                               f"Deleted pod: {pod['metadata']['name']}", "daemonset-controller")

    def _roll(self, ds: dict, by_node: dict, wanted: set, h: str) -> None:
        if (ds["spec"].get("updateStrategy") or {}).get("type") == "OnDelete":
            return
        pods = [ps[0] for n, ps in by_node.items() if n in wanted]
        if not all(pod_is_ready(p) for p in pods):
            return  # maxUnavailable 1: wait until the last replacement is Ready
        for p in sorted(pods, key=lambda p: p["spec"].get("nodeName", "")):
            if (p["metadata"].get("labels") or {}).get(HASH_LABEL) != h:
                self._delete(ds, p)
                return

    def _status(self, ds: dict, nodes: dict, wanted: set, h: str) -> None:
        pods = [p for p in self.owned(ds) if pod_is_active(p)]
        on = {p["spec"].get("nodeName") for p in pods}
        ready = [p for p in pods if pod_is_ready(p) and p["spec"].get("nodeName") in wanted]
        updated = [p for p in pods if (p["metadata"].get("labels") or {}).get(HASH_LABEL) == h]
        status = {"currentNumberScheduled": len(on & wanted),
                  "numberMisscheduled": len(on - wanted),
                  "desiredNumberScheduled": len(wanted), "numberReady": len(ready),
                  "observedGeneration": ds["metadata"].get("generation", 1),
                  "updatedNumberScheduled": len(updated), "numberAvailable": len(ready)}
        if len(wanted) - len(ready):
            status["numberUnavailable"] = len(wanted) - len(ready)
        if not status["numberAvailable"]:
            del status["numberAvailable"]
        self.write_status(ds, status)
