"""The StatefulSet controller: pods `<name>-<ordinal>` started in order (each waits for
the one before it to be Ready under OrderedReady), a PVC per volumeClaimTemplate per
ordinal, scale-down from the highest ordinal, and rolling updates from the highest
ordinal down, one pod at a time, honouring the partition."""

from __future__ import annotations

from .controller import condition
from .replicaset import pod_is_active, pod_is_ready
from .resources import BY_KIND
from .revisions import HASH_LABEL, PODS, WorkloadController

STS = BY_KIND["StatefulSet"]
PVCS = BY_KIND["PersistentVolumeClaim"]


def ordinal(pod: dict, base: str) -> int:
    suffix = pod["metadata"]["name"][len(base) + 1:]
    return int(suffix) if suffix.isdigit() else -1


class StatefulSetController(WorkloadController):
    res = STS

    def sync(self, key) -> None:
        ns, name = key
        sts = self.store.get(STS, ns, name)
        if sts is None or sts["metadata"].get("deletionTimestamp"):
            return
        rev_name, _ = self.revision(sts)
        spec = sts["spec"]
        replicas = spec.get("replicas", 1)
        ordered = spec.get("podManagementPolicy", "OrderedReady") == "OrderedReady"
        pods = {ordinal(p, name): p for p in self.owned(sts)}
        for i in range(replicas):
            pod = pods.get(i)
            if pod is None:
                self._create(sts, i, rev_name)
                if ordered:
                    break
            elif ordered and not (pod_is_ready(pod) and pod_is_active(pod)):
                break
        else:
            extra = sorted((i for i in pods if i >= replicas), reverse=True)
            if extra:
                self._delete(sts, pods[extra[0]])
            elif all(pod_is_ready(p) for p in pods.values()):
                self._roll(sts, pods, rev_name, replicas)
        self._status(sts, rev_name)

    def _create(self, sts: dict, i: int, rev_name: str) -> None:
        ns, name = sts["metadata"]["namespace"], sts["metadata"]["name"]
        pod_name = f"{name}-{i}"
        pod = self.new_pod(sts, pod_name, {
            HASH_LABEL: rev_name, "statefulset.kubernetes.io/pod-name": pod_name,
            "apps.kubernetes.io/pod-index": str(i)})
        pod["spec"]["hostname"] = pod_name
        if sts["spec"].get("serviceName"):
            pod["spec"]["subdomain"] = sts["spec"]["serviceName"]
        volumes = pod["spec"].setdefault("volumes", [])
        for tpl in sts["spec"].get("volumeClaimTemplates") or ():
            claim = f"{tpl['metadata']['name']}-{name}-{i}"
            if self.store.get(PVCS, ns, claim) is None:
                self.api.create(PVCS, ns, {
                    "metadata": {"name": claim, "labels": dict(
                        (sts["spec"].get("selector") or {}).get("matchLabels") or {})},
                    "spec": dict(tpl.get("spec") or {})})
                self.recorder.emit(sts, "Normal", "SuccessfulCreate",
                                   f"create Claim {claim} Pod {pod_name} in StatefulSet {name} "
                                   "success", "statefulset-controller")
            volumes.append({"name": tpl["metadata"]["name"],
                            "persistentVolumeClaim": {"claimName": claim}})
        if not volumes:
            del pod["spec"]["volumes"]
        self.api.create(PODS, ns, pod)
        self.recorder.emit(sts, "Normal", "SuccessfulCreate",
                           f"create Pod {pod_name} in StatefulSet {name} successful",
                           "statefulset-controller")

    def _delete(self, sts: dict, pod: dict) -> None:
        if pod["metadata"].get("deletionTimestamp"):
            return
        ns, name = sts["metadata"]["namespace"], sts["metadata"]["name"]
        self.api.delete(PODS, ns, pod["metadata"]["name"])
        self.recorder.emit(sts, "Normal", "SuccessfulDelete",
                           f"delete Pod {pod['metadata']['name']} in StatefulSet {name} "
                           "successful", "statefulset-controller")

    def _roll(self, sts: dict, pods: dict[int, dict], rev_name: str, replicas: int) -> None:
        strategy = sts["spec"].get("updateStrategy") or {}
        if strategy.get("type") == "OnDelete":
            return
        partition = (strategy.get("rollingUpdate") or {}).get("partition", 0)
        for i in sorted(pods, reverse=True):
            if i < partition or i >= replicas:
                continue
            if (pods[i]["metadata"].get("labels") or {}).get(HASH_LABEL) != rev_name:
                self._delete(sts, pods[i])
                return

    def _status(self, sts: dict, rev_name: str) -> None:
        pods = [p for p in self.owned(sts) if pod_is_active(p)]
        updated = [p for p in pods if (p["metadata"].get("labels") or {}).get(HASH_LABEL)
                   == rev_name]
        ready = sum(1 for p in pods if pod_is_ready(p))
        old = sts.get("status") or {}
        current_rev = old.get("currentRevision") or rev_name
        replicas = sts["spec"].get("replicas", 1)
        if len(updated) == replicas and all(pod_is_ready(p) for p in updated):
            current_rev = rev_name
        current = sum(1 for p in pods if (p["metadata"].get("labels") or {}).get(HASH_LABEL)
                      == current_rev)
        status = {"observedGeneration": sts["metadata"].get("generation", 1),
                  "replicas": len(pods), "readyReplicas": ready, "currentReplicas": current,
                  "updatedReplicas": len(updated), "availableReplicas": ready,
                  "currentRevision": current_rev, "updateRevision": rev_name,
                  "collisionCount": 0}
        for k in ("readyReplicas", "currentReplicas", "updatedReplicas"):
            if not status[k]:
                del status[k]
        if condition(old, "Available"):
            status["conditions"] = old["conditions"]
        self.write_status(sts, status)
