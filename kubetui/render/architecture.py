"""What the architecture view draws, from what the cluster exposes: the control plane
(kube-apiserver, etcd, kube-scheduler, kube-controller-manager,
cloud-controller-manager), each with the health the cluster shows (its kube-system
static pod, the `/readyz?verbose` checks, componentstatuses), or "managed by the
provider" where a managed cluster hides it; one box per node (kubelet, runtime,
kube-proxy, conditions, taints, requests and usage against allocatable, its pods as
cells coloured by status); and the pods no node took. Pure: the widget only draws it."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from .json_types import Obj
from .pod import is_ready, summarize
from .quantity import parse_quantity

COMPONENTS = ("kube-apiserver", "etcd", "kube-scheduler", "kube-controller-manager",
              "cloud-controller-manager")
CS_NAMES = {"etcd": "etcd-0", "kube-scheduler": "scheduler",
            "kube-controller-manager": "controller-manager"}
OK, FAILING, UNKNOWN, MANAGED, ABSENT = "ok", "failing", "unknown", "managed", "absent"
PRESSURES = ("MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable")


@dataclass
class Component:
    name: str
    state: str  # ok, failing, unknown, managed (by the provider), absent
    detail: str


@dataclass(slots=True)
class PodCell:
    namespace: str
    name: str
    status: str  # kubectl's STATUS column
    health: str  # ok, pending, error, done
    node: str


@dataclass
class NodeBox:
    name: str
    roles: str
    ready: bool
    kubelet: str
    runtime: str
    kube_proxy: str  # ready, not ready, missing, none (no kube-proxy in the cluster)
    conditions: dict[str, str]
    pressure: list[str]
    taints: list[str]
    unschedulable: bool
    cpu_requested: float
    cpu_allocatable: float
    memory_requested: float
    memory_allocatable: float
    cpu_used: float | None = None
    memory_used: float | None = None
    pods: list[PodCell] = field(default_factory=list)


@dataclass
class Architecture:
    control_plane: list[Component]
    managed: bool
    nodes: list[NodeBox]
    unscheduled: list[PodCell]
    namespace: str | None = None
    pod_count: int = 0

    def cells(self) -> list[PodCell]:
        return [c for n in self.nodes for c in n.pods] + self.unscheduled


def readyz_checks(text: str | None) -> dict[str, bool]:
    """`/readyz?verbose` lines (`[+]etcd ok`, `[-]etcd failed: ...`) as check -> passed."""
    out = {}
    for line in (text or "").splitlines():
        if line.startswith(("[+]", "[-]")):
            name = line[3:].split(" ", 1)[0]
            out[name] = line.startswith("[+]")
    return out


def _is_control_plane_node(node: Obj) -> bool:
    labels = node["metadata"].get("labels") or {}
    return ("node-role.kubernetes.io/control-plane" in labels
            or "node-role.kubernetes.io/master" in labels)


def _static_pod(pods_by_component: dict[str, list[Obj]], name: str) -> list[Obj]:
    return pods_by_component.get(name, [])


MANAGED_VERSIONS = ("-eks-", "-gke.", "-aks", "+vmware", "-do.", "+oke", "-ibm")
MANAGED_PROVIDERS = ("aws://", "gce://", "azure://", "digitalocean://", "oci://", "ibm://")


def is_managed(nodes: list[Obj], has_static_pods: bool,
               server_version: str | None = None) -> bool:
    """A provider runs the control plane: no control-plane node, no static pods, and the
    provider says so (its build in the server's version, e.g. v1.30.4-eks-a737599, or
    only its cloud's machines as nodes). A control plane that simply runs outside the
    cluster (processes, another cluster) is not called managed."""
    if has_static_pods or any(_is_control_plane_node(n) for n in nodes):
        return False
    if server_version and any(m in server_version for m in MANAGED_VERSIONS):
        return True
    ids = [(n.get("spec") or {}).get("providerID") or "" for n in nodes]
    return bool(ids) and all(i.startswith(MANAGED_PROVIDERS) for i in ids) and bool(
        server_version) and "+" not in (server_version or "").split("-", 1)[0]


def control_plane(nodes: list[Obj], system_pods: list[Obj], readyz: str | None,
                  componentstatuses: list[Obj] | None,
                  server_version: str | None = None) -> tuple[list[Component], bool]:
    """Each component's health as the cluster shows it, and where that was seen: its
    static pod, /readyz, componentstatuses; "managed by the provider" only where a
    managed cluster shows nothing at all."""
    by_component: dict[str, list[Obj]] = {}
    for pod in system_pods:
        labels = pod["metadata"].get("labels") or {}
        comp = labels.get("component") or labels.get("k8s-app") or labels.get("app")
        if comp in COMPONENTS:
            by_component.setdefault(comp, []).append(pod)
    managed = is_managed(nodes, any(by_component.get(c) for c in (
        "etcd", "kube-scheduler", "kube-controller-manager")), server_version)
    checks = readyz_checks(readyz)
    statuses = {cs["metadata"]["name"]: cs for cs in componentstatuses or ()}
    out = []
    for name in COMPONENTS:
        pods = _static_pod(by_component, name)
        if pods:
            ready = [p for p in pods if is_ready(p)]
            state = OK if len(ready) == len(pods) else FAILING
            detail = f"{len(ready)}/{len(pods)} pod{'s' if len(pods) > 1 else ''} ready " \
                     f"in kube-system"
            if name == "kube-apiserver" and checks:
                failed = [c for c, ok in checks.items() if not ok]
                detail += f"; /readyz {len(checks) - len(failed)}/{len(checks)} checks ok"
                state = FAILING if failed else state
            if name == "etcd" and "etcd" in checks and not checks["etcd"]:
                state, detail = FAILING, detail + "; /readyz: etcd check failed"
            out.append(Component(name, state, detail))
            continue
        if name == "kube-apiserver":
            if readyz is None:
                out.append(Component(name, UNKNOWN, "/readyz not readable"))
            else:
                failed = [c for c, ok in checks.items() if not ok]
                out.append(Component(name, FAILING if failed else OK,
                                     f"/readyz: {len(checks) - len(failed)}/{len(checks)} "
                                     "checks ok" + (f"; failing: {', '.join(failed)}"
                                                    if failed else "")))
            continue
        if name == "etcd" and "etcd" in checks:
            out.append(Component(name, OK if checks["etcd"] else FAILING,
                                 "/readyz etcd check " + ("ok" if checks["etcd"] else "failed")))
            continue
        cs = statuses.get(CS_NAMES.get(name, ""))
        if cs is not None:
            healthy: Obj = next((c for c in cs.get("conditions") or ()
                            if c.get("type") == "Healthy"), {})
            ok = healthy.get("status") == "True"
            out.append(Component(name, OK if ok else FAILING,
                                 f"componentstatus {cs['metadata']['name']}: "
                                 f"{healthy.get('error') or healthy.get('message') or '?'}"))
            continue
        if managed:
            out.append(Component(name, MANAGED, "managed by the provider"))
            continue
        if name == "cloud-controller-manager":
            out.append(Component(name, ABSENT, "not running: no cloud provider integration "
                                               "(usual on kind and bare metal)"))
            continue
        out.append(Component(name, UNKNOWN, "not visible: no static pod, no componentstatus"
                                   + ("" if componentstatuses is not None else
                                      " (unreadable)")))
    return out, managed


def _requests(pod: Obj) -> tuple[float, float]:
    cpu = mem = 0.0
    for c in (pod.get("spec") or {}).get("containers") or ():
        req = (c.get("resources") or {}).get("requests") or {}
        try:
            cpu += parse_quantity(req.get("cpu", 0))
            mem += parse_quantity(req.get("memory", 0))
        except ValueError:
            pass
    return cpu, mem


def _alloc(node: Obj, key: str) -> float:
    try:
        return parse_quantity(((node.get("status") or {}).get("allocatable") or {}).get(key, 0))
    except ValueError:
        return 0.0


class CellCache:
    """Pod cells keyed by the pod object they came from: a store replaces an object when
    it changes, so an unchanged pod's cell is reused (10k pods, 2 rebuilds a second)."""

    def __init__(self) -> None:
        self._cells: dict[int, tuple[Obj, PodCell, tuple[float, float]]] = {}

    def _entry(self, pod: Obj, now: float) -> tuple[Obj, PodCell, tuple[float, float]]:
        hit = self._cells.get(id(pod))
        if hit is not None and hit[0] is pod:
            return hit
        s = summarize(pod, now)
        meta = pod["metadata"]
        cell = PodCell(meta.get("namespace", ""), meta["name"], s.status, s.health,
                       (pod.get("spec") or {}).get("nodeName") or "")
        entry = self._cells[id(pod)] = (pod, cell, _requests(pod))
        return entry

    def cell(self, pod: Obj, now: float) -> PodCell:
        return self._entry(pod, now)[1]

    def requests(self, pod: Obj, now: float) -> tuple[float, float]:
        """The pod's CPU (cores) and memory (bytes) requests."""
        return self._entry(pod, now)[2]

    def prune(self, alive: int) -> None:
        if len(self._cells) > 2 * alive + 100:
            self._cells = {}


def _well_formed(obj: object) -> bool:
    """What the model can read at all: an object with a name (a malformed one is left
    out of the picture, not allowed to break it)."""
    return isinstance(obj, dict) and isinstance(obj.get("metadata"), Mapping) and isinstance(
        obj["metadata"].get("name"), str) and isinstance(obj.get("spec") or {}, Mapping) and \
        isinstance(obj.get("status") or {}, Mapping)  # (a slim pod's are dict-faced structs)


def build(nodes: list[Obj], pods: list[Obj], readyz: str | None = None,
          componentstatuses: list[Obj] | None = None,
          node_metrics: dict[str, Obj] | None = None, namespace: str | None = None,
          cache: CellCache | None = None, now: float | None = None,
          server_version: str | None = None) -> Architecture:
    """`pods` is every pod (requests count whatever the filter); `namespace` filters the
    cells shown; `node_metrics` maps node names to NodeMetrics (None: no metrics)."""
    now = time.time() if now is None else now
    cache = cache or CellCache()
    nodes, pods = [n for n in nodes if _well_formed(n)], [p for p in pods if _well_formed(p)]
    system = [p for p in pods if p["metadata"].get("namespace") == "kube-system"]
    components, managed = control_plane(nodes, system, readyz, componentstatuses,
                                        server_version)
    proxies: dict[str, bool] = {}
    for pod in system:
        labels = pod["metadata"].get("labels") or {}
        if labels.get("k8s-app") == "kube-proxy" or pod["metadata"]["name"].startswith(
                "kube-proxy-"):
            proxies[(pod.get("spec") or {}).get("nodeName") or ""] = is_ready(pod)
    boxes: dict[str, NodeBox] = {}
    for node in sorted(nodes, key=lambda n: (not _is_control_plane_node(n),
                                             n["metadata"]["name"])):
        try:
            boxes[node["metadata"]["name"]] = _box(node, proxies, node_metrics)
        except Exception:  # noqa: BLE001 - a malformed node is left out, not allowed to break the view
            continue
    unscheduled: list[PodCell] = []
    shown = 0
    for pod in pods:
        try:
            shown += _place(pod, boxes, unscheduled, namespace, cache, now)
        except Exception:  # noqa: BLE001 - likewise a malformed pod
            continue
    for box in boxes.values():
        box.pods.sort(key=lambda c: (c.namespace, c.name))
    unscheduled.sort(key=lambda c: (c.namespace, c.name))
    cache.prune(len(pods))
    return Architecture(components, managed, list(boxes.values()), unscheduled, namespace,
                        shown)


def _box(node: Obj, proxies: dict[str, bool], node_metrics: dict[str, Obj] | None) -> NodeBox:
    meta, st = node["metadata"], node.get("status") or {}
    info = st.get("nodeInfo") or {}
    conds = {c.get("type"): c.get("status") for c in st.get("conditions") or ()}
    name = meta["name"]
    labels = meta.get("labels") or {}
    roles = ",".join(sorted(k.split("/", 1)[1] for k in labels
                            if k.startswith("node-role.kubernetes.io/"))) or "worker"
    proxy = ("none" if not proxies else "ready" if proxies.get(name) else
             "not ready" if name in proxies else "missing")
    usage = (node_metrics or {}).get(name, {}).get("usage") or {}
    return NodeBox(
        name, roles, conds.get("Ready") == "True", info.get("kubeletVersion", "?"),
        info.get("containerRuntimeVersion", "?"), proxy, conds,
        [p for p in PRESSURES if conds.get(p) == "True"],
        [f"{t.get('key')}{'=' + t['value'] if t.get('value') else ''}:{t.get('effect')}"
         for t in (node.get("spec") or {}).get("taints") or ()],
        bool((node.get("spec") or {}).get("unschedulable")), 0.0, _alloc(node, "cpu"),
        0.0, _alloc(node, "memory"),
        parse_quantity(usage["cpu"]) if "cpu" in usage else None,
        parse_quantity(usage["memory"]) if "memory" in usage else None)


def _place(pod: Obj, boxes: dict[str, NodeBox], unscheduled: list[PodCell],
           namespace: str | None, cache: CellCache, now: float) -> int:
    """Count the pod's requests on its node and give it a cell; 1 if it is shown."""
    phase = (pod.get("status") or {}).get("phase")
    node_name = (pod.get("spec") or {}).get("nodeName")
    box = boxes.get(node_name or "")
    cell = cache.cell(pod, now)  # before any counting: a pod that cannot be read, is not
    if box is not None and phase not in ("Succeeded", "Failed"):
        cpu, mem = cache.requests(pod, now)
        box.cpu_requested += cpu
        box.memory_requested += mem
    if namespace is not None and pod["metadata"].get("namespace") != namespace:
        return 0
    if box is not None:
        box.pods.append(cell)
    elif not node_name:
        unscheduled.append(cell)
    return 1


__all__ = ["Architecture", "CellCache", "Component", "NodeBox", "PodCell", "build",
           "control_plane", "readyz_checks"]
