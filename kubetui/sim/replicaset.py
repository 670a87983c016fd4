"""The ReplicaSet controller: keeps `spec.replicas` pods alive and reports counts."""

from __future__ import annotations

from kubetui.render.age import parse_time

from .controller import Controller, controller_ref, owner_ref
from .meta import deep_copy, rand_suffix
from .resources import BY_KIND
from .store import Change

RS = BY_KIND["ReplicaSet"]
PODS = BY_KIND["Pod"]
BURST = 500  # pods created or deleted per sync, like the real controller's slow start cap


def pod_is_active(pod: dict) -> bool:
    return not pod["metadata"].get("deletionTimestamp") and (pod.get("status") or {}).get(
        "phase") not in ("Succeeded", "Failed")


def pod_is_ready(pod: dict) -> bool:
    for c in (pod.get("status") or {}).get("conditions") or ():
        if c.get("type") == "Ready":
            return c.get("status") == "True"
    return False


def _delete_rank(pod: dict):
    """Which pods go first on scale-down (the real controller's ActivePods ordering)."""
    status = pod.get("status") or {}
    phase_rank = {"Pending": 0, "Unknown": 1, "Running": 2}.get(status.get("phase") or "", 1)
    restarts = sum(c.get("restartCount", 0) for c in status.get("containerStatuses") or ())
    created = parse_time(pod["metadata"].get("creationTimestamp")) or 0.0
    return (bool(pod["spec"].get("nodeName")), phase_rank, pod_is_ready(pod), -restarts,
            -created)


class ReplicaSetController(Controller):
    def __init__(self, sim):
        super().__init__(sim)
        self.store.listeners.append(self.on_change)

    def on_change(self, change: Change) -> None:
        if change.res is RS:
            meta = change.obj["metadata"]
            self.enqueue((meta["namespace"], meta["name"]))
        elif change.res is PODS:
            ref = controller_ref(change.obj)
            if ref and ref.get("kind") == "ReplicaSet":
                self.enqueue((change.obj["metadata"]["namespace"], ref["name"]))

    def pods_of(self, rs: dict) -> list[dict]:
        return self.owned(rs, PODS)

    def sync(self, key) -> None:
        ns, name = key
        rs = self.store.get(RS, ns, name)
        if rs is None:
            return
        pods = self.pods_of(rs)
        active = [p for p in pods if pod_is_active(p)]
        desired = rs["spec"].get("replicas", 1)
        if not rs["metadata"].get("deletionTimestamp"):
            diff = desired - len(active)
            if diff > 0:
                for _ in range(min(diff, BURST)):
                    self._create_pod(rs)
            elif diff < 0:
                victims = sorted(active, key=_delete_rank)
                for pod in victims[: min(-diff, BURST)]:
                    self.api.delete(PODS, ns, pod["metadata"]["name"])
                    self.recorder.emit(rs, "Normal", "SuccessfulDelete",
                                       f"Deleted pod: {pod['metadata']['name']}",
                                       "replicaset-controller")
        self._update_status(rs, self.pods_of(rs))

    def _create_pod(self, rs: dict) -> None:
        template = deep_copy(rs["spec"]["template"])
        meta = template.get("metadata") or {}
        base = rs["metadata"]["name"]
        name = f"{base}-{rand_suffix()}"
        while self.store.get(PODS, rs["metadata"]["namespace"], name) is not None:
            name = f"{base}-{rand_suffix()}"
        pod = {
            "metadata": {
                "name": name,
                "generateName": f"{base}-",
                "labels": meta.get("labels") or {},
                "annotations": meta.get("annotations") or {},
                "ownerReferences": [owner_ref(rs)],
            },
            "spec": template.get("spec") or {},
        }
        if not pod["metadata"]["annotations"]:
            del pod["metadata"]["annotations"]
        self.api.create(PODS, rs["metadata"]["namespace"], pod)
        self.recorder.emit(rs, "Normal", "SuccessfulCreate", f"Created pod: {name}",
                           "replicaset-controller")

    def _update_status(self, rs: dict, pods: list[dict]) -> None:
        active = [p for p in pods if pod_is_active(p)]
        ready = sum(1 for p in active if pod_is_ready(p))
        labels = (rs["spec"]["template"].get("metadata") or {}).get("labels") or {}
        fully = sum(1 for p in active
                    if all((p["metadata"].get("labels") or {}).get(k) == v
                           for k, v in labels.items()))
        status = {
            "replicas": len(active),
            "fullyLabeledReplicas": fully,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "observedGeneration": rs["metadata"].get("generation", 1),
        }
        for k in ("readyReplicas", "availableReplicas", "fullyLabeledReplicas"):
            if not status[k]:
                del status[k]
        if (rs.get("status") or {}) != status:
            new = deep_copy(rs)
            new["status"] = status
            self.api.update(RS, new["metadata"]["namespace"], new["metadata"]["name"], new,
                            "status")
