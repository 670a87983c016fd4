"""The scheduler: binds pending pods to nodes that can hold their requests, tolerate
their taints and match their nodeSelector; explains itself the way kube-scheduler does
(FailedScheduling events, PodScheduled=False/Unschedulable)."""

from __future__ import annotations

from collections import Counter

from kubetui.render.quantity import parse_quantity

from .controller import Controller, condition, set_condition
from .meta import deep_copy, now_rfc3339
from .resources import BY_KIND
from .store import DELETED, Change

PODS = BY_KIND["Pod"]
NODES = BY_KIND["Node"]
PVCS, CLASSES = BY_KIND["PersistentVolumeClaim"], BY_KIND["StorageClass"]


def pod_requests(pod: dict) -> tuple[float, float]:
    """(cpu cores, memory bytes) requested: containers summed, init containers max'ed."""
    spec = pod.get("spec") or {}

    def req(c: dict, name: str) -> float:
        value = ((c.get("resources") or {}).get("requests") or {}).get(name)
        try:
            return parse_quantity(value) if value is not None else 0.0
        except ValueError:
            return 0.0

    cpu = sum(req(c, "cpu") for c in spec.get("containers") or ())
    mem = sum(req(c, "memory") for c in spec.get("containers") or ())
    for c in spec.get("initContainers") or ():
        cpu, mem = max(cpu, req(c, "cpu")), max(mem, req(c, "memory"))
    return cpu, mem


def tolerates(tolerations: list, taint: dict) -> bool:
    for t in tolerations or ():
        if t.get("effect") and t["effect"] != taint.get("effect"):
            continue
        if t.get("operator") == "Exists":
            if not t.get("key") or t["key"] == taint.get("key"):
                return True
        elif t.get("key") == taint.get("key") and t.get("value", "") == taint.get("value", ""):
            return True
    return False


def _holds(pod: dict) -> bool:
    phase = (pod.get("status") or {}).get("phase")
    return bool(pod["spec"].get("nodeName")) and phase not in ("Succeeded", "Failed")


NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_VICTIMS = "No preemption victims found for incoming pod"


class Scheduler(Controller):
    retry_seconds = 5.0

    def __init__(self, sim):
        super().__init__(sim)
        self.used: dict[str, list[float]] = {}  # node -> [cpu, memory, pods]
        self._held: dict[tuple[str, str], tuple[str, float, float]] = {}
        self.unschedulable: set[tuple[str, str]] = set()
        self.store.listeners.append(self.on_change)
        self.sim.defer(self._retry, self.retry_seconds)

    # -- bookkeeping of what each node holds
    def _account(self, key, pod: dict | None) -> None:
        held = self._held.pop(key, None)
        if held:
            u = self.used[held[0]]
            u[0] -= held[1]
            u[1] -= held[2]
            u[2] -= 1
        if pod is not None and _holds(pod):
            cpu, mem = pod_requests(pod)
            node = pod["spec"]["nodeName"]
            u = self.used.setdefault(node, [0.0, 0.0, 0])
            u[0] += cpu
            u[1] += mem
            u[2] += 1
            self._held[key] = (node, cpu, mem)

    def on_change(self, change: Change) -> None:
        if change.res is NODES or change.res is PVCS:
            self._requeue_unschedulable()
            return
        if change.res is not PODS:
            return
        pod = change.obj
        key = (pod["metadata"]["namespace"], pod["metadata"]["name"])
        self._account(key, None if change.type == DELETED else pod)
        if change.type == DELETED:
            self.unschedulable.discard(key)
            self._requeue_unschedulable()
        elif not pod["spec"].get("nodeName") and not pod["metadata"].get("deletionTimestamp"):
            if pod["spec"].get("schedulerName", "default-scheduler") == "default-scheduler":
                if key not in self.unschedulable:
                    self.enqueue(key)

    def _requeue_unschedulable(self) -> None:
        for key in list(self.unschedulable):
            self.enqueue(key)

    def _retry(self) -> None:
        self._requeue_unschedulable()
        self.sim.defer(self._retry, self.retry_seconds)

    # -- scheduling one pod
    def sync(self, key) -> None:
        ns, name = key
        pod = self.store.get(PODS, ns, name)
        if pod is None or pod["spec"].get("nodeName") or pod["metadata"].get(
                "deletionTimestamp"):
            self.unschedulable.discard(key)
            return
        nodes = self.store.list(NODES)
        blocked = self._volume_problem(pod)
        if blocked is not None:
            if blocked:
                self._fail(pod, len(nodes), Counter(), blocked)
            else:
                self.unschedulable.add(key)  # waits for its volume to be bound
            return
        cpu, mem = pod_requests(pod)
        reasons: Counter = Counter()
        preemption: Counter = Counter()
        fits = []
        for node in nodes:
            why = self._misfit(pod, node, cpu, mem)
            if why:
                reasons.update(why)
                preemption[NOT_HELPFUL if self._unresolvable(why, node, cpu, mem)
                           else NO_VICTIMS] += 1
            else:
                fits.append(node)
        if not fits:
            self._fail(pod, len(nodes), reasons, preemption=preemption)
            return
        best = min(fits, key=lambda n: (self._load(n), n["metadata"]["name"]))
        self._bind(pod, best)

    def _load(self, node: dict) -> float:
        alloc = (node.get("status") or {}).get("allocatable") or {}
        used = self.used.get(node["metadata"]["name"], [0.0, 0.0, 0])
        cpu = parse_quantity(alloc.get("cpu", "1"))
        mem = parse_quantity(alloc.get("memory", "1Gi"))
        return (used[0] / cpu if cpu else 1) + (used[1] / mem if mem else 1)

    def _misfit(self, pod: dict, node: dict, cpu: float, mem: float) -> list[str]:
        spec, nspec = pod["spec"], node.get("spec") or {}
        labels = node["metadata"].get("labels") or {}
        if nspec.get("unschedulable"):
            return ["node(s) were unschedulable"]
        ready = condition(node.get("status") or {}, "Ready")
        untolerated = "node(s) had untolerated taint(s)"  # 1.36 names no taint
        if not ready or ready.get("status") != "True":
            return [untolerated]  # the node.kubernetes.io/not-ready taint
        for taint in nspec.get("taints") or ():
            if taint.get("effect") in ("NoSchedule", "NoExecute") and not tolerates(
                    spec.get("tolerations"), taint):
                return [untolerated]
        for k, v in (spec.get("nodeSelector") or {}).items():
            if labels.get(k) != v:
                return ["node(s) didn't match Pod's node affinity/selector"]
        alloc = (node.get("status") or {}).get("allocatable") or {}
        used = self.used.get(node["metadata"]["name"], [0.0, 0.0, 0])
        out = []
        if used[2] + 1 > parse_quantity(alloc.get("pods", "110")):
            out.append("Too many pods")
        if cpu and used[0] + cpu > parse_quantity(alloc.get("cpu", "0")) + 1e-9:
            out.append("Insufficient cpu")
        if mem and used[1] + mem > parse_quantity(alloc.get("memory", "0")):
            out.append("Insufficient memory")
        return out

    def _bind(self, pod: dict, node: dict) -> None:
        pod = deep_copy(pod)
        node_name = node["metadata"]["name"]
        pod["spec"]["nodeName"] = node_name
        status = pod.setdefault("status", {})
        set_condition(status, "PodScheduled", "True", "", "", now_rfc3339())
        key = (pod["metadata"]["namespace"], pod["metadata"]["name"])
        self.unschedulable.discard(key)
        # Binding writes spec.nodeName (a subresource, so it may touch spec) and status.
        old = self.store.get(PODS, *key)
        pod["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
        self.store.replace(PODS, pod)
        self.recorder.emit(pod, "Normal", "Scheduled",
                           f"Successfully assigned {key[0]}/{key[1]} to {node_name}",
                           "default-scheduler", series=True)  # (events.k8s.io, as 1.36's)

    def _volume_problem(self, pod: dict) -> str | None:
        """Why the pod's PVCs keep it from scheduling: a reason, "" to wait silently (a
        WaitForFirstConsumer claim being bound), or None when they are fine."""
        ns = pod["metadata"]["namespace"]
        for v in pod["spec"].get("volumes") or ():
            claim = (v.get("persistentVolumeClaim") or {}).get("claimName")
            if not claim:
                continue
            pvc = self.store.get(PVCS, ns, claim)
            if pvc is None:
                return f'persistentvolumeclaim "{claim}" not found'
            if (pvc.get("status") or {}).get("phase") != "Bound":
                sc = self.store.get(CLASSES, None, pvc["spec"].get("storageClassName") or "")
                if sc is not None and sc.get("volumeBindingMode") == "WaitForFirstConsumer":
                    return ""
                return "pod has unbound immediate PersistentVolumeClaims"
        return None

    @staticmethod
    def _unresolvable(why: list[str], node: dict, cpu: float, mem: float) -> bool:
        """Whether evicting pods could not make room (the real scheduler's
        UnschedulableAndUnresolvable): taints, selectors, a cordon, or a request larger
        than the node's whole allocatable."""
        alloc = (node.get("status") or {}).get("allocatable") or {}
        if any(not r.startswith("Insufficient") and r != "Too many pods" for r in why):
            return True
        return ("Insufficient cpu" in why and cpu > parse_quantity(alloc.get("cpu", "0"))) or (
            "Insufficient memory" in why and mem > parse_quantity(alloc.get("memory", "0")))

    def _fail(self, pod: dict, n_nodes: int, reasons: Counter, why: str = "",
              preemption: Counter | None = None) -> None:
        """The FailedScheduling message, worded as the v1.36 scheduler words it (see
        tests/fixtures/real-k8s/scheduling/): a volume problem ends ". not found"; the
        others are followed by the dynamic-resource and preemption verdicts."""
        if why:
            self._record_failure(pod, f"0/{n_nodes} nodes are available: {why}. not found")
            return
        if not n_nodes:
            self._record_failure(pod, "no nodes available to schedule pods")
            return
        parts = ", ".join(f"{n} {r}" for r, n in sorted(reasons.items()))
        preempt = ", ".join(f"{n} {r}" for r, n in sorted((preemption or Counter()).items()))
        self._record_failure(pod, f"0/{n_nodes} nodes are available: {parts}. no new claims "
                                  f"to deallocate, preemption: 0/{n_nodes} nodes are "
                                  f"available: {preempt}.")

    def _record_failure(self, pod: dict, message: str) -> None:
        key = (pod["metadata"]["namespace"], pod["metadata"]["name"])
        self.unschedulable.add(key)
        current = condition(pod.get("status") or {}, "PodScheduled")
        if current and current.get("message") == message:
            return
        pod = deep_copy(pod)
        set_condition(pod.setdefault("status", {}), "PodScheduled", "False", "Unschedulable",
                      message, now_rfc3339())
        self.api.update(PODS, key[0], key[1], pod, "status")
        self.recorder.emit(pod, "Warning", "FailedScheduling", message, "default-scheduler",
                           series=True)
