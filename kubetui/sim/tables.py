"""Server-side Table responses (`Accept: ...;as=Table;g=meta.k8s.io;v=v1`) with the
columns of the real server's printers, so `kubectl get` prints real output."""

from __future__ import annotations

import time

from kubetui.render.age import age
from kubetui.render.pod import summarize

from .selectors import selector_string


def col(name: str, kind: str = "string", priority: int = 0, fmt: str = "", desc: str = ""):
    return {"name": name, "type": kind, "format": fmt, "description": desc or name,
            "priority": priority}


NAME = col("Name", fmt="name", desc="Name must be unique within a namespace.")
AGE = col("Age", desc="CreationTimestamp is a timestamp representing the server time when "
                      "this object was created.")


def _ts(o: dict) -> str | None:
    return o["metadata"].get("creationTimestamp")


def _containers(spec: dict) -> tuple[str, str]:
    cs = ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
    return ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs)


def _selector(spec: dict) -> str:
    sel = spec.get("selector") or {}
    return selector_string(sel.get("matchLabels"), sel.get("matchExpressions")) or "<none>"


def _pod(o: dict, now: float) -> list:
    s = summarize(o, now)
    st, sp = o.get("status") or {}, o.get("spec") or {}
    gates = sp.get("readinessGates") or []
    if gates:
        conds = {c.get("type"): c.get("status") for c in st.get("conditions") or ()}
        gates_text = f"{sum(1 for g in gates if conds.get(g.get('conditionType')) == 'True')}/{len(gates)}"
    else:
        gates_text = "<none>"
    return [o["metadata"]["name"], s.ready, s.status, s.restarts, age(_ts(o), now),
            st.get("podIP") or "<none>", sp.get("nodeName") or "<none>",
            st.get("nominatedNodeName") or "<none>", gates_text]


def _deployment(o: dict, now: float) -> list:
    sp, st = o.get("spec") or {}, o.get("status") or {}
    names, images = _containers(sp)
    return [o["metadata"]["name"], f"{st.get('readyReplicas', 0)}/{sp.get('replicas', 1)}",
            st.get("updatedReplicas", 0), st.get("availableReplicas", 0), age(_ts(o), now),
            names, images, _selector(sp)]


def _replicaset(o: dict, now: float) -> list:
    sp, st = o.get("spec") or {}, o.get("status") or {}
    names, images = _containers(sp)
    return [o["metadata"]["name"], sp.get("replicas", 1), st.get("replicas", 0),
            st.get("readyReplicas", 0), age(_ts(o), now), names, images, _selector(sp)]


def node_roles(labels: dict) -> str:
    roles = sorted({k.split("/", 1)[1] for k in labels
                    if k.startswith("node-role.kubernetes.io/") and "/" in k} |
                   ({labels["kubernetes.io/role"]} if labels.get("kubernetes.io/role") else set()))
    return ",".join(r for r in roles if r) or "<none>"


def node_status(o: dict) -> str:
    conds = {c.get("type"): c.get("status") for c in (o.get("status") or {}).get("conditions")
             or ()}
    ready = conds.get("Ready")
    text = "Ready" if ready == "True" else "NotReady" if ready == "False" else "Unknown"
    if (o.get("spec") or {}).get("unschedulable"):
        text += ",SchedulingDisabled"
    return text


def _node(o: dict, now: float) -> list:
    st = o.get("status") or {}
    info = st.get("nodeInfo") or {}
    addrs = {a.get("type"): a.get("address") for a in st.get("addresses") or ()}
    return [o["metadata"]["name"], node_status(o), node_roles(o["metadata"].get("labels") or {}),
            age(_ts(o), now), info.get("kubeletVersion", ""), addrs.get("InternalIP", "<none>"),
            addrs.get("ExternalIP", "<none>"), info.get("osImage", "<unknown>"),
            info.get("kernelVersion", "<unknown>"), info.get("containerRuntimeVersion",
                                                             "<unknown>")]


def service_ports(spec: dict) -> str:
    out = []
    for p in spec.get("ports") or ():
        text = str(p.get("port"))
        if p.get("nodePort"):
            text += f":{p['nodePort']}"
        out.append(f"{text}/{p.get('protocol', 'TCP')}")
    return ",".join(out) or "<none>"


def service_external_ip(o: dict) -> str:
    sp = o.get("spec") or {}
    kind = sp.get("type", "ClusterIP")
    if kind == "ExternalName":
        return sp.get("externalName", "<none>")
    ext = list(sp.get("externalIPs") or ())
    if kind == "LoadBalancer":
        ingress = ((o.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        ext += [i.get("ip") or i.get("hostname") for i in ingress]
        return ",".join(ext) if ext else "<pending>"
    return ",".join(ext) if ext else "<none>"


def _service(o: dict, now: float) -> list:
    sp = o.get("spec") or {}
    sel = sp.get("selector") or {}
    return [o["metadata"]["name"], sp.get("type", "ClusterIP"), sp.get("clusterIP") or "<none>",
            service_external_ip(o), service_ports(sp), age(_ts(o), now),
            ",".join(f"{k}={v}" for k, v in sorted(sel.items())) or "<none>"]


def _event(o: dict, now: float) -> list:
    inv = o.get("involvedObject") or {}
    src = o.get("source") or {}
    last = o.get("lastTimestamp") or o.get("eventTime") or o.get("firstTimestamp")
    first = o.get("firstTimestamp") or o.get("eventTime")
    source = ", ".join(x for x in (src.get("component"), src.get("host")) if x) or \
        o.get("reportingComponent", "")
    return [age(last, now), o.get("type", ""), o.get("reason", ""),
            f"{(inv.get('kind') or '').lower()}/{inv.get('name', '')}",
            inv.get("fieldPath", ""), source, o.get("message", ""), age(first, now),
            o.get("count", 1), o["metadata"]["name"]]


TABLES = {
    "Pod": ([NAME, col("Ready"), col("Status"), col("Restarts"), AGE, col("IP", priority=1),
             col("Node", priority=1), col("Nominated Node", priority=1),
             col("Readiness Gates", priority=1)], _pod),
    "Deployment": ([NAME, col("Ready"), col("Up-to-date", "integer"),
                    col("Available", "integer"), AGE, col("Containers", priority=1),
                    col("Images", priority=1), col("Selector", priority=1)], _deployment),
    "ReplicaSet": ([NAME, col("Desired", "integer"), col("Current", "integer"),
                    col("Ready", "integer"), AGE, col("Containers", priority=1),
                    col("Images", priority=1), col("Selector", priority=1)], _replicaset),
    "Node": ([NAME, col("Status"), col("Roles"), AGE, col("Version"),
              col("Internal-IP", priority=1), col("External-IP", priority=1),
              col("OS-Image", priority=1), col("Kernel-Version", priority=1),
              col("Container-Runtime", priority=1)], _node),
    "Namespace": ([NAME, col("Status"), AGE],
                  lambda o, now: [o["metadata"]["name"], (o.get("status") or {}).get("phase", ""),
                                  age(_ts(o), now)]),
    "Service": ([NAME, col("Type"), col("Cluster-IP"), col("External-IP"), col("Port(s)"), AGE,
                 col("Selector", priority=1)], _service),
    "ConfigMap": ([NAME, col("Data", "integer"), AGE],
                  lambda o, now: [o["metadata"]["name"],
                                  len(o.get("data") or {}) + len(o.get("binaryData") or {}),
                                  age(_ts(o), now)]),
    "Secret": ([NAME, col("Type"), col("Data", "integer"), AGE],
               lambda o, now: [o["metadata"]["name"], o.get("type", "Opaque"),
                               len(o.get("data") or {}), age(_ts(o), now)]),
    "ServiceAccount": ([NAME, col("Secrets", "integer"), AGE],
                       lambda o, now: [o["metadata"]["name"], len(o.get("secrets") or []),
                                       age(_ts(o), now)]),
    "Event": ([col("Last Seen"), col("Type"), col("Reason"), col("Object"),
               col("Subobject", priority=1), col("Source", priority=1), col("Message"),
               col("First Seen", priority=1), col("Count", "integer", priority=1),
               col("Name", priority=1)], _event),
}


def partial_metadata(obj: dict) -> dict:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": obj["metadata"]}


def table(kind: str, objs: list[dict], meta: dict, include: str = "Metadata",
          with_columns: bool = True) -> dict:
    columns, row_fn = TABLES.get(kind, ([NAME, AGE], lambda o, now: [o["metadata"]["name"],
                                                                      age(_ts(o), now)]))
    now = time.time()
    rows = []
    for o in objs:
        row = {"cells": row_fn(o, now)}
        if include == "Object":
            row["object"] = o
        elif include != "None":
            row["object"] = partial_metadata(o)
        rows.append(row)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
            "columnDefinitions": columns if with_columns else [], "rows": rows}
