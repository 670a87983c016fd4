"""What a node's kubelet reports when it registers: capacity, conditions, addresses,
system info. A scenario may give a node just a name and a few labels."""

from __future__ import annotations

from .meta import deep_copy, now_rfc3339
from .resources import BY_KIND
from .store import ADDED, MODIFIED, Change

NODES = BY_KIND["Node"]
UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
KUBELET_VERSION = "v1.36.2"

CONDITIONS = (
    ("MemoryPressure", "False", "KubeletHasSufficientMemory",
     "kubelet has sufficient memory available"),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
)


class NodeAgent:
    def __init__(self, sim):
        self.sim = sim
        self.api = sim.api
        self._count = 0
        sim.store.listeners.append(self.on_change)

    def on_change(self, change: Change) -> None:
        if change.res is NODES and change.type == ADDED:
            name = change.obj["metadata"]["name"]
            self._count += 1
            index = self._count
            self.sim.defer(lambda: self.register(name, index))
        elif change.res is NODES and change.type == MODIFIED:
            name = change.obj["metadata"]["name"]
            self.sim.defer(lambda: self.taint_cordoned(name))

    def taint_cordoned(self, name: str) -> None:
        """What the node lifecycle controller does: a cordoned node (spec.unschedulable)
        gets the node.kubernetes.io/unschedulable:NoSchedule taint, which goes again
        with the cordon."""
        node = self.sim.store.get(NODES, None, name)
        if node is None:
            return
        spec = node.get("spec") or {}
        taints = spec.get("taints") or []
        has = any(t.get("key") == UNSCHEDULABLE for t in taints)
        if bool(spec.get("unschedulable")) == has:
            return
        node = deep_copy(node)
        if has:
            kept = [t for t in taints if t.get("key") != UNSCHEDULABLE]
        else:
            kept = [*taints, {"key": UNSCHEDULABLE, "effect": "NoSchedule",
                              "timeAdded": now_rfc3339()}]
        if kept:
            node["spec"]["taints"] = kept
        else:
            node["spec"].pop("taints", None)
        self.api.update(NODES, None, name, node)

    def register(self, name: str, index: int) -> None:
        node = self.sim.store.get(NODES, None, name)
        if node is None or (node.get("status") or {}).get("conditions"):
            return
        node = deep_copy(node)
        now = now_rfc3339()
        spec = node.setdefault("spec", {})
        spec.setdefault("podCIDR", f"10.244.{index - 1}.0/24")
        spec.setdefault("podCIDRs", [spec["podCIDR"]])
        spec.setdefault("providerID", f"kind://docker/kubetui/{name}")
        labels = node["metadata"].setdefault("labels", {})
        labels.setdefault("kubernetes.io/hostname", name)
        labels.setdefault("kubernetes.io/os", "linux")
        labels.setdefault("kubernetes.io/arch", "amd64")
        labels.setdefault("beta.kubernetes.io/os", "linux")
        labels.setdefault("beta.kubernetes.io/arch", "amd64")
        ann = node["metadata"].setdefault("annotations", {})
        ann.setdefault("kubeadm.alpha.kubernetes.io/cri-socket",
                       "unix:///run/containerd/containerd.sock")
        ann.setdefault("node.alpha.kubernetes.io/ttl", "0")
        status = node.setdefault("status", {})
        capacity = status.setdefault("capacity", {})
        capacity.setdefault("cpu", "4")
        capacity.setdefault("memory", "8Gi")
        capacity.setdefault("pods", "110")
        capacity.setdefault("ephemeral-storage", "100Gi")
        capacity.setdefault("hugepages-2Mi", "0")
        status.setdefault("allocatable", dict(capacity))
        status["conditions"] = [
            {"type": t, "status": s, "reason": r, "message": m, "lastHeartbeatTime": now,
             "lastTransitionTime": now} for t, s, r, m in CONDITIONS]
        status.setdefault("addresses", [
            {"type": "InternalIP", "address": f"172.18.0.{index + 1}"},
            {"type": "Hostname", "address": name},
        ])
        status.setdefault("daemonEndpoints", {"kubeletEndpoint": {"Port": 10250}})
        status.setdefault("nodeInfo", {
            "machineID": f"{index:032x}", "systemUUID": f"{index:08x}-0000-4000-8000-000000000000",
            "bootID": f"{index:08x}-1111-4000-8000-000000000000",
            "kernelVersion": "6.8.0-49-generic", "osImage": "Debian GNU/Linux 12 (bookworm)",
            "containerRuntimeVersion": "containerd://1.7.24", "kubeletVersion": KUBELET_VERSION,
            "kubeProxyVersion": "", "operatingSystem": "linux",
            "architecture": "amd64",
        })
        status.setdefault("images", [])
        node["metadata"].pop("resourceVersion", None)
        self.api.update(NODES, None, name, node)
        node = self.api.update(NODES, None, name, node, "status")
        # what a real node's describe lists: the kubelet's events (which name the node
        # by its name as uid) and the node controller's (by its uid)
        say = self.sim.recorder.emit
        for reason, message in (("Starting", "Starting kubelet."),
                                ("NodeAllocatableEnforced",
                                 "Updated Node Allocatable limit across pods"),
                                ("NodeReady", f"Node {name} status is now: NodeReady")):
            say(node, "Normal", reason, message, "kubelet", name, uid=name)
        say(node, "Normal", "RegisteredNode",
            f"Node {name} event: Registered Node {name} in Controller", "node-controller")
