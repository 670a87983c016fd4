"""The relationship tree behind `:xray KIND`, from the objects the informers hold:

    Deployment -> ReplicaSets -> Pods -> containers
    StatefulSet -> Pods -> containers, PersistentVolumeClaims
    DaemonSet -> Nodes -> Pods
    Service -> EndpointSlices -> Pods          Ingress -> Services -> Pods
    HorizontalPodAutoscaler -> its target      CronJob -> Jobs -> Pods
    ConfigMap / Secret -> the Pods that mount or reference it

Every node carries a health mark (ok, pending, error, done) and a short status. Pure."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from .json_types import Obj
from .pod import summarize
from .views import view

KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Service", "Ingress",
         "HorizontalPodAutoscaler", "CronJob", "Job", "ConfigMap", "Secret",
         "PersistentVolumeClaim", "Node")
NEEDS = {  # what each root kind's tree reads, besides the root kind itself
    "Deployment": ("ReplicaSet", "Pod"), "ReplicaSet": ("Pod",),
    "StatefulSet": ("Pod", "PersistentVolumeClaim"), "DaemonSet": ("Pod",),
    "Service": ("EndpointSlice", "Pod"), "Ingress": ("Service", "Pod"),
    "HorizontalPodAutoscaler": ("Deployment", "StatefulSet", "ReplicaSet"),
    "CronJob": ("Job", "Pod"), "Job": ("Pod",), "ConfigMap": ("Pod",), "Secret": ("Pod",),
    "PersistentVolumeClaim": ("Pod",), "Node": ("Pod",),
}


DETAIL_COLUMNS = ("READY", "STATUS", "DESIRED", "COMPLETIONS", "TYPE", "DATA", "CLUSTER-IP",
                  "HOSTS", "TARGETS", "REPLICAS", "SCHEDULE", "ACTIVE", "CAPACITY",
                  "STORAGECLASS", "ROLES", "VERSION")


@dataclass
class XNode:
    kind: str
    name: str
    namespace: str = ""
    health: str = ""  # ok, pending, error, done; "" for plain labels
    detail: str = ""
    children: list["XNode"] = field(default_factory=list)

    def walk(self) -> Iterator[XNode]:
        yield self
        for c in self.children:
            yield from c.walk()


def _health(kind: str, obj: Obj, now: float) -> tuple[str, str]:
    if kind == "Pod":
        s = summarize(obj, now)
        return s.health, f"{s.ready} {s.status}" + (f" restarts {s.restarts}"
                                                    if s.restarts not in ("0", "") else "")
    v = view(kind)
    cells, health = v.row_fn(obj, now)
    parts = [f"{col.name.lower()} {cell}" for col, cell in zip(v.columns, cells, strict=False)
             if col.name in DETAIL_COLUMNS and str(cell) not in ("", "<none>")]
    return health, "  ".join(parts[:3])


def _node(kind: str, obj: Obj, now: float) -> XNode:
    meta = obj["metadata"]
    health, detail = _health(kind, obj, now)
    return XNode(kind, meta["name"], meta.get("namespace", ""), health, detail)


def _owned(owner: Obj, items: Iterable[Obj]) -> list[Obj]:
    uid = owner["metadata"].get("uid")
    return sorted((o for o in items if any(r.get("uid") == uid for r in
                                           o["metadata"].get("ownerReferences") or ())),
                  key=lambda o: o["metadata"]["name"])


def _containers(pod: Obj) -> list[XNode]:
    statuses = {cs["name"]: cs for cs in (pod.get("status") or {}).get("containerStatuses") or ()}
    out = []
    for c in (pod.get("spec") or {}).get("containers") or ():
        cs = statuses.get(c["name"], {})
        state = next(iter(cs.get("state") or {}), "waiting")
        reason = ((cs.get("state") or {}).get(state) or {}).get("reason", "")
        health = "ok" if cs.get("ready") else "error" if reason in (
            "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError",
            "OOMKilled", "Error") else "pending"
        out.append(XNode("Container", c["name"], pod["metadata"].get("namespace", ""), health,
                         f"{c.get('image', '')}  {reason or state}"))
    return out


def _pod(pod: Obj, now: float, claims: dict[str, Obj] | None = None) -> XNode:
    n = _node("Pod", pod, now)
    n.children = _containers(pod)
    if claims is not None:
        for v in (pod.get("spec") or {}).get("volumes") or ():
            name = (v.get("persistentVolumeClaim") or {}).get("claimName")
            if name:
                pvc = claims.get(name)
                n.children.append(_node("PersistentVolumeClaim", pvc, now) if pvc else
                                  XNode("PersistentVolumeClaim", name, n.namespace, "error",
                                        "not found"))
    return n


def _matches(selector: Obj | None, labels: Obj | None) -> bool:
    return bool(selector) and all((labels or {}).get(k) == v
                                  for k, v in (selector or {}).items())


def _selected_pods(ns: str, selector: Obj | None, pods: Iterable[Obj]) -> list[Obj]:
    return sorted((p for p in pods if p["metadata"].get("namespace") == ns
                   and _matches(selector, p["metadata"].get("labels"))),
                  key=lambda p: p["metadata"]["name"])


def uses(pod: Obj, kind: str, name: str) -> bool:
    """Whether the pod mounts or references the ConfigMap or Secret `name`."""
    key = "configMap" if kind == "ConfigMap" else "secret"
    ref_key = "configMapKeyRef" if kind == "ConfigMap" else "secretKeyRef"
    env_key = "configMapRef" if kind == "ConfigMap" else "secretRef"
    spec = pod.get("spec") or {}
    for v in spec.get("volumes") or ():
        src = v.get(key) or {}
        if src.get("name", src.get("secretName")) == name:
            return True
        for p in (v.get("projected") or {}).get("sources") or ():
            if (p.get(key) or {}).get("name") == name:
                return True
    if kind == "Secret" and any(s.get("name") == name for s in spec.get("imagePullSecrets") or ()):
        return True
    for c in [*(spec.get("initContainers") or ()), *(spec.get("containers") or ())]:
        for e in c.get("env") or ():
            if ((e.get("valueFrom") or {}).get(ref_key) or {}).get("name") == name:
                return True
        for e in c.get("envFrom") or ():
            if (e.get(env_key) or {}).get("name") == name:
                return True
    return False


def tree(kind: str, objects: dict[str, list[Obj]], namespace: str | None = None,
         now: float | None = None) -> list[XNode]:
    """The trees rooted at every `kind` object (in `namespace`, or all); `objects` maps a
    kind to its objects (what NEEDS lists, and the root kind)."""
    now = time.time() if now is None else now
    objects = {k: [o for o in v if _readable(o)] for k, v in objects.items()}
    roots = [o for o in objects.get(kind, ())
             if namespace is None or o["metadata"].get("namespace") in (namespace, None)]
    out = []
    for root in sorted(roots, key=lambda o: (o["metadata"].get("namespace") or "",
                                             o["metadata"]["name"])):
        try:
            out.append(_root(kind, root, objects, namespace, now))
        except Exception:  # noqa: BLE001 - a malformed object is left out, not allowed to break the tree
            continue
    return out


def _readable(obj: object) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("metadata"), Mapping) and isinstance(
        obj["metadata"].get("name"), str) and isinstance(
        obj["metadata"].get("namespace") or "", str)


def _root(kind: str, root: Obj, objects: dict[str, list[Obj]], namespace: str | None,
          now: float) -> "XNode":
    pods = objects.get("Pod", [])
    node = _node(kind, root, now)
    ns = root["metadata"].get("namespace", "")
    if kind == "Deployment":
        for rs in _owned(root, objects.get("ReplicaSet", [])):
            child = _node("ReplicaSet", rs, now)
            child.children = [_pod(p, now) for p in _owned(rs, pods)]
            if child.children or (rs.get("spec") or {}).get("replicas"):
                node.children.append(child)
    elif kind in ("ReplicaSet", "Job"):
        node.children = [_pod(p, now) for p in _owned(root, pods)]
    elif kind == "StatefulSet":
        claims = {c["metadata"]["name"]: c for c in objects.get("PersistentVolumeClaim", [])
                  if c["metadata"].get("namespace") == ns}
        node.children = [_pod(p, now, claims) for p in _owned(root, pods)]
    elif kind == "DaemonSet":
        by_node: dict[str, list[Obj]] = {}
        for p in _owned(root, pods):
            by_node.setdefault((p.get("spec") or {}).get("nodeName") or "(unscheduled)",
                               []).append(p)
        node.children = [XNode("Node", n, "", "", f"{len(ps)} pod(s)",
                               [_pod(p, now) for p in ps])
                         for n, ps in sorted(by_node.items())]
    elif kind == "Service":
        node.children = _service_children(root, objects, pods, now)
    elif kind == "Ingress":
        services = {s["metadata"]["name"]: s for s in objects.get("Service", [])
                    if s["metadata"].get("namespace") == ns}
        for name in _ingress_backends(root):
            svc = services.get(name)
            if svc is None:
                node.children.append(XNode("Service", name, ns, "error", "not found"))
                continue
            child = _node("Service", svc, now)
            child.children = [_pod(p, now) for p in _selected_pods(
                ns, (svc.get("spec") or {}).get("selector"), pods)]
            node.children.append(child)
    elif kind == "HorizontalPodAutoscaler":
        ref = (root.get("spec") or {}).get("scaleTargetRef") or {}
        target = next((o for o in objects.get(ref.get("kind", ""), ())
                       if o["metadata"]["name"] == ref.get("name")
                       and o["metadata"].get("namespace") == ns), None)
        node.children = [_node(ref["kind"], target, now) if target is not None else
                         XNode(ref.get("kind", "?"), ref.get("name", "?"), ns, "error",
                               "target not found")]
    elif kind == "CronJob":
        for job in _owned(root, objects.get("Job", [])):
            child = _node("Job", job, now)
            child.children = [_pod(p, now) for p in _owned(job, pods)]
            node.children.append(child)
    elif kind in ("ConfigMap", "Secret"):
        node.children = [_pod(p, now) for p in sorted(
            (p for p in pods if p["metadata"].get("namespace") == ns
             and uses(p, kind, root["metadata"]["name"])),
            key=lambda p: p["metadata"]["name"])]
        node.detail = f"used by {len(node.children)} pod(s)"
    elif kind == "PersistentVolumeClaim":
        name = root["metadata"]["name"]
        node.children = [_pod(p, now) for p in pods if p["metadata"].get("namespace") == ns
                         and any((v.get("persistentVolumeClaim") or {}).get("claimName")
                                 == name for v in (p.get("spec") or {}).get("volumes") or ())]
    elif kind == "Node":
        name = root["metadata"]["name"]
        node.children = [_pod(p, now) for p in sorted(
            (p for p in pods if (p.get("spec") or {}).get("nodeName") == name
             and (namespace is None or p["metadata"].get("namespace") == namespace)),
            key=lambda p: (p["metadata"].get("namespace", ""), p["metadata"]["name"]))]
    return node


def _service_children(svc: Obj, objects: dict[str, list[Obj]], pods: list[Obj],
                      now: float) -> list[XNode]:
    ns, name = svc["metadata"].get("namespace", ""), svc["metadata"]["name"]
    by_name = {p["metadata"]["name"]: p for p in pods if p["metadata"].get("namespace") == ns}
    slices = [s for s in objects.get("EndpointSlice", [])
              if s["metadata"].get("namespace") == ns
              and (s["metadata"].get("labels") or {}).get("kubernetes.io/service-name") == name]
    out = []
    for s in sorted(slices, key=lambda s: s["metadata"]["name"]):
        eps = s.get("endpoints") or []
        ready = sum(1 for e in eps if (e.get("conditions") or {}).get("ready"))
        child = XNode("EndpointSlice", s["metadata"]["name"], ns,
                      "ok" if ready == len(eps) and eps else "error" if not ready else "pending",
                      f"{ready}/{len(eps)} endpoints ready")
        for e in eps:
            ref = e.get("targetRef") or {}
            pod = by_name.get(ref.get("name", "")) if ref.get("kind") == "Pod" else None
            addresses = ",".join(e.get("addresses") or ())
            if pod is not None:
                p = _pod(pod, now)
                p.detail += f"  {addresses}"
                child.children.append(p)
            else:
                child.children.append(XNode("Endpoint", addresses, ns, "ok" if (
                    e.get("conditions") or {}).get("ready") else "pending", ref.get("name", "")))
        out.append(child)
    if not slices:
        out = [_pod(p, now) for p in _selected_pods(ns, (svc.get("spec") or {}).get("selector"),
                                                     pods)]
    return out


def _ingress_backends(ing: Obj) -> list[str]:
    spec = ing.get("spec") or {}
    names = []
    default = ((spec.get("defaultBackend") or {}).get("service") or {}).get("name")
    if default:
        names.append(default)
    for rule in spec.get("rules") or ():
        for path in (rule.get("http") or {}).get("paths") or ():
            name = ((path.get("backend") or {}).get("service") or {}).get("name")
            if name and name not in names:
                names.append(name)
    return names


__all__ = ["KINDS", "NEEDS", "XNode", "tree", "uses"]
