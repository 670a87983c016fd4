"""kubectl's printers for every built-in kind: the column definitions and the cells the
real API server's Table printers produce (`kubectl get` and `-o wide`). The sim serves
them as server-side Tables; the UI draws its tables from the same rules."""

from __future__ import annotations

from . import events
from .age import age, human_duration, parse_time
from .json_types import Any, Obj
from .pod import summarize


def selector_string(match_labels: Obj | None, exprs: list[Any] | None = None) -> str:
    """A LabelSelector object as its string form (`app=web,tier in (a,b)`)."""
    parts = [f"{k}={v}" for k, v in sorted((match_labels or {}).items())]
    for e in exprs or ():
        op, key, vals = e.get("operator"), e.get("key"), e.get("values") or []
        if op == "In":
            parts.append(f"{key} in ({','.join(vals)})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(vals)})")
        elif op == "Exists":
            parts.append(key)
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    return ",".join(parts)


def pod_selector(obj: Obj) -> str:
    """The selector of the pods an object owns or serves, as a string ("" for none): a
    workload's LabelSelector (matchLabels and matchExpressions), a Service's plain map."""
    sel = (obj.get("spec") or {}).get("selector") or {}
    if "matchLabels" in sel or "matchExpressions" in sel:
        return selector_string(sel.get("matchLabels"), sel.get("matchExpressions"))
    return selector_string(sel)


def col(name: str, kind: str = "string", priority: int = 0, fmt: str = "",
        desc: str = "") -> Obj:
    return {"name": name, "type": kind, "format": fmt, "description": desc or name,
            "priority": priority}


NAME = col("Name", fmt="name", desc="Name must be unique within a namespace.")
AGE = col("Age", desc="CreationTimestamp is a timestamp representing the server time when "
                      "this object was created.")


def created(o: Obj) -> str | None:
    stamp = o["metadata"].get("creationTimestamp")
    return str(stamp) if stamp is not None else None


def _containers(spec: Obj) -> tuple[str, str]:
    cs = ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
    return ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs)


def _selector(spec: Obj) -> str:
    sel = spec.get("selector") or {}
    return selector_string(sel.get("matchLabels"), sel.get("matchExpressions")) or "<none>"


def readiness_gates(pod: Obj) -> str:
    """kubectl's READINESS GATES: how many of the pod's gates have a True condition."""
    gates = (pod.get("spec") or {}).get("readinessGates") or []
    if not gates:
        return "<none>"
    conds = {c.get("type"): c.get("status")
             for c in (pod.get("status") or {}).get("conditions") or ()}
    return f"{sum(1 for g in gates if conds.get(g.get('conditionType')) == 'True')}/{len(gates)}"


def _pod(o: Obj, now: float) -> list[Any]:
    s = summarize(o, now)
    st, sp = o.get("status") or {}, o.get("spec") or {}
    return [o["metadata"]["name"], s.ready, s.status, s.restarts, age(created(o), now),
            st.get("podIP") or "<none>", sp.get("nodeName") or "<none>",
            st.get("nominatedNodeName") or "<none>", readiness_gates(o)]


def _deployment(o: Obj, now: float) -> list[Any]:
    sp, st = o.get("spec") or {}, o.get("status") or {}
    names, images = _containers(sp)
    return [o["metadata"]["name"], f"{st.get('readyReplicas', 0)}/{sp.get('replicas', 1)}",
            st.get("updatedReplicas", 0), st.get("availableReplicas", 0), age(created(o), now),
            names, images, _selector(sp)]


def _replicaset(o: Obj, now: float) -> list[Any]:
    sp, st = o.get("spec") or {}, o.get("status") or {}
    names, images = _containers(sp)
    return [o["metadata"]["name"], sp.get("replicas", 1), st.get("replicas", 0),
            st.get("readyReplicas", 0), age(created(o), now), names, images, _selector(sp)]


def node_roles(labels: Obj) -> str:
    roles = sorted({k.split("/", 1)[1] for k in labels
                    if k.startswith("node-role.kubernetes.io/") and "/" in k} |
                   ({labels["kubernetes.io/role"]} if labels.get("kubernetes.io/role") else set()))
    return ",".join(r for r in roles if r) or "<none>"


def node_status(o: Obj) -> str:
    conds = {c.get("type"): c.get("status") for c in (o.get("status") or {}).get("conditions")
             or ()}
    ready = conds.get("Ready")
    text = "Ready" if ready == "True" else "NotReady" if ready == "False" else "Unknown"
    if (o.get("spec") or {}).get("unschedulable"):
        text += ",SchedulingDisabled"
    return text


def _node(o: Obj, now: float) -> list[Any]:
    st = o.get("status") or {}
    info = st.get("nodeInfo") or {}
    addrs = {a.get("type"): a.get("address") for a in st.get("addresses") or ()}
    kernel = info.get("kernelVersion") or "<unknown>"
    if info.get("architecture"):  # 1.36 prints the architecture beside the kernel
        kernel += f" ({info['architecture']})"
    return [o["metadata"]["name"], node_status(o), node_roles(o["metadata"].get("labels") or {}),
            age(created(o), now), info.get("kubeletVersion", ""), addrs.get("InternalIP", "<none>"),
            addrs.get("ExternalIP", "<none>"), info.get("osImage") or "<unknown>", kernel,
            info.get("containerRuntimeVersion") or "<unknown>"]


def service_ports(spec: Obj) -> str:
    out = []
    for p in spec.get("ports") or ():
        text = str(p.get("port"))
        if p.get("nodePort"):
            text += f":{p['nodePort']}"
        out.append(f"{text}/{p.get('protocol', 'TCP')}")
    return ",".join(out) or "<none>"


def service_external_ip(o: Obj) -> str:
    sp = o.get("spec") or {}
    kind = sp.get("type", "ClusterIP")
    if kind == "ExternalName":
        return str(sp.get("externalName", "<none>"))
    ext = list(sp.get("externalIPs") or ())
    if kind == "LoadBalancer":
        ingress = ((o.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        ext += [i.get("ip") or i.get("hostname") for i in ingress]
        return ",".join(ext) if ext else "<pending>"
    return ",".join(ext) if ext else "<none>"


def _service(o: Obj, now: float) -> list[Any]:
    sp = o.get("spec") or {}
    sel = sp.get("selector") or {}
    return [o["metadata"]["name"], sp.get("type", "ClusterIP"), sp.get("clusterIP") or "<none>",
            service_external_ip(o), service_ports(sp), age(created(o), now),
            ",".join(f"{k}={v}" for k, v in sorted(sel.items())) or "<none>"]


def _event(o: Obj, now: float) -> list[Any]:
    inv = o.get("involvedObject") or {}
    src = o.get("source") or {}
    kind = (inv.get("kind") or "").lower()
    target = f"{kind}/{inv['name']}" if inv.get("name") else kind
    component = src.get("component") or o.get("reportingComponent") or ""
    host = src.get("host") or o.get("reportingInstance") or ""
    return [age(events.last_seen(o), now), o.get("type", ""), o.get("reason", ""), target,
            inv.get("fieldPath", ""), f"{component}, {host}" if host else component,
            (o.get("message") or "").strip(), age(events.first_seen(o), now), events.count(o),
            o["metadata"]["name"]]


def _name(o: Obj) -> str:
    return str(o["metadata"]["name"])


def _created_at(o: Obj, now: float) -> list[Any]:
    return [_name(o), o["metadata"].get("creationTimestamp", "")]


def _statefulset(o: Obj, now: float) -> list[Any]:
    sp, st = o.get("spec") or {}, o.get("status") or {}
    names, images = _containers(sp)
    return [_name(o), f"{st.get('readyReplicas', 0)}/{sp.get('replicas', 1)}",
            age(created(o), now), names, images]


def _node_selector(sp: Obj) -> str:
    sel = ((sp.get("template") or {}).get("spec") or {}).get("nodeSelector") or {}
    return ",".join(f"{k}={v}" for k, v in sorted(sel.items())) or "<none>"


def _daemonset(o: Obj, now: float) -> list[Any]:
    sp, st = o.get("spec") or {}, o.get("status") or {}
    names, images = _containers(sp)
    return [_name(o), st.get("desiredNumberScheduled", 0), st.get("currentNumberScheduled", 0),
            st.get("numberReady", 0), st.get("updatedNumberScheduled", 0),
            st.get("numberAvailable", 0), _node_selector(sp), age(created(o), now), names, images,
            _selector(sp)]


def job_status(o: Obj) -> str:
    conds = {c.get("type"): c.get("status") for c in (o.get("status") or {}).get("conditions")
             or ()}
    if conds.get("Failed") == "True":
        return "Failed"
    if conds.get("Complete") == "True":
        return "Complete"
    if conds.get("Suspended") == "True" or (o.get("spec") or {}).get("suspend"):
        return "Suspended"
    if conds.get("FailureTarget") == "True":
        return "FailureTarget"
    if conds.get("SuccessCriteriaMet") == "True":
        return "SuccessCriteriaMet"
    return "Running"


def _job(o: Obj, now: float) -> list[Any]:
    sp, st = o.get("spec") or {}, o.get("status") or {}
    completions = sp.get("completions")
    done = st.get("succeeded", 0)
    if completions is not None:
        comp = f"{done}/{completions}"
    else:
        par = sp.get("parallelism", 1)
        comp = f"{done}/1 of {par}" if par > 1 else f"{done}/1"
    start, end = parse_time(st.get("startTime")), parse_time(st.get("completionTime"))
    duration = human_duration((end or now) - start) if start else ""
    names, images = _containers(sp)
    return [_name(o), job_status(o), comp, duration, age(created(o), now), names, images,
            _selector(sp)]


def _cronjob(o: Obj, now: float) -> list[Any]:
    sp, st = o.get("spec") or {}, o.get("status") or {}
    job_spec = (sp.get("jobTemplate") or {}).get("spec") or {}
    names, images = _containers(job_spec)
    last = st.get("lastScheduleTime")
    return [_name(o), sp.get("schedule", ""), sp.get("timeZone") or "<none>",
            "True" if sp.get("suspend") else "False", len(st.get("active") or ()),
            age(last, now) if last else "<none>", age(created(o), now), names, images,
            _selector(job_spec)]


def _ingress(o: Obj, now: float) -> list[Any]:
    sp, st = o.get("spec") or {}, o.get("status") or {}
    hosts = [r.get("host") for r in sp.get("rules") or () if r.get("host")]
    lb = [i.get("ip") or i.get("hostname") for i in
          ((st.get("loadBalancer") or {}).get("ingress") or ())]
    ports = "80, 443" if sp.get("tls") else "80"
    return [_name(o), sp.get("ingressClassName") or "<none>", ",".join(hosts) or "*",
            ",".join(lb), ports, age(created(o), now)]


def _access_modes(modes: list[str] | None) -> str:
    short = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX",
             "ReadWriteOncePod": "RWOP"}
    return ",".join(short.get(m, m) for m in modes or ())


def _pvc(o: Obj, now: float) -> list[Any]:
    sp, st = o.get("spec") or {}, o.get("status") or {}
    bound = st.get("phase") == "Bound"
    cap = ((st.get("capacity") or {}).get("storage", "")) if bound else ""
    return [_name(o), st.get("phase", "Pending"), sp.get("volumeName", ""), cap,
            _access_modes(st.get("accessModes")) if bound else "",
            sp.get("storageClassName") or "<unset>", sp.get("volumeAttributesClassName") or
            "<unset>", age(created(o), now), sp.get("volumeMode", "Filesystem")]


def _pv(o: Obj, now: float) -> list[Any]:
    sp, st = o.get("spec") or {}, o.get("status") or {}
    claim = sp.get("claimRef") or {}
    return [_name(o), (sp.get("capacity") or {}).get("storage", ""),
            _access_modes(sp.get("accessModes")),
            sp.get("persistentVolumeReclaimPolicy", "Retain"), st.get("phase", "Pending"),
            f"{claim.get('namespace')}/{claim.get('name')}" if claim else "",
            sp.get("storageClassName", ""), sp.get("volumeAttributesClassName") or "<unset>",
            st.get("reason", ""), age(created(o), now), sp.get("volumeMode", "Filesystem")]


def _storageclass(o: Obj, now: float) -> list[Any]:
    name = _name(o)
    ann = o["metadata"].get("annotations") or {}
    if ann.get("storageclass.kubernetes.io/is-default-class") == "true":
        name += " (default)"
    return [name, o.get("provisioner", ""), o.get("reclaimPolicy", "Delete"),
            o.get("volumeBindingMode", "Immediate"),
            bool(o.get("allowVolumeExpansion")), age(created(o), now)]


def _quantity_target(target: Obj) -> str:
    return str(target.get("averageValue", target.get("value", "<unknown>")))


def _metric_text(spec: Obj, status: Obj | None) -> str:
    """One metric of kubectl's TARGETS; `status` is the current metric at the same index."""
    kind = spec.get("type")
    key = {"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods",
           "Object": "object", "External": "external"}.get(kind or "")
    if key is None:
        return "<unknown type>"
    src, cur = spec.get(key) or {}, ((status or {}).get(key) or {}).get("current") or {}
    target = src.get("target") or {}
    if kind in ("Resource", "ContainerResource"):
        prefix = f"{src.get('name')}: " if kind == "Resource" else ""
        if "averageValue" in target:
            return f"{prefix}{cur.get('averageValue', '<unknown>')}/{target['averageValue']}"
        have = cur.get("averageUtilization")
        want = target.get("averageUtilization")
        return (f"{prefix}{'<unknown>' if have is None else f'{have}%'}/"
                f"{'<auto>' if want is None else f'{want}%'}")
    if kind == "Pods":
        return f"{cur.get('averageValue', '<unknown>')}/{target.get('averageValue')}"
    if "averageValue" in target:
        return f"{cur.get('averageValue', '<unknown>')}/{target['averageValue']} (avg)"
    return f"{cur.get('value', '<unknown>')}/{_quantity_target(target)}"


def hpa_targets(o: Obj) -> str:
    """kubectl's TARGETS: each metric against the current value at the same position, the
    first two, then "+ N more..."."""
    specs = (o.get("spec") or {}).get("metrics") or []
    if not specs:
        return "<none>"
    statuses = (o.get("status") or {}).get("currentMetrics") or []
    texts = [_metric_text(m, statuses[i] if i < len(statuses) else None)
             for i, m in enumerate(specs)]
    more = f" + {len(texts) - 2} more..." if len(texts) > 2 else ""
    return ", ".join(texts[:2]) + more


def _hpa(o: Obj, now: float) -> list[Any]:
    sp, st = o.get("spec") or {}, o.get("status") or {}
    ref = sp.get("scaleTargetRef") or {}
    low = sp.get("minReplicas")
    return [_name(o), f"{ref.get('kind')}/{ref.get('name')}", hpa_targets(o),
            "<unset>" if low is None else str(low), sp.get("maxReplicas", 0),
            st.get("currentReplicas", 0), age(created(o), now)]


def _netpol(o: Obj, now: float) -> list[Any]:
    sel = (o.get("spec") or {}).get("podSelector") or {}
    return [_name(o), selector_string(sel.get("matchLabels"), sel.get("matchExpressions"))
            or "<none>", age(created(o), now)]


def _binding(o: Obj, now: float) -> list[Any]:
    ref = o.get("roleRef") or {}
    subjects = o.get("subjects") or ()

    def of(kind: str) -> str:
        return ", ".join(s.get("name", "") if kind != "ServiceAccount" else
                         f"{s.get('namespace', '')}/{s.get('name', '')}"
                         for s in subjects if s.get("kind") == kind)

    return [_name(o), f"{ref.get('kind')}/{ref.get('name')}", age(created(o), now), of("User"),
            of("Group"), of("ServiceAccount")]


def _endpointslice(o: Obj, now: float) -> list[Any]:
    ports = ",".join(str(p.get("port")) for p in o.get("ports") or () if p.get("port")) \
        or "<unset>"
    addrs = [a for e in o.get("endpoints") or () for a in e.get("addresses") or ()]
    shown = ",".join(addrs[:3]) + (f" + {len(addrs) - 3} more..." if len(addrs) > 3 else "")
    return [_name(o), o.get("addressType", ""), ports, shown or "<unset>", age(created(o), now)]


def _endpoints(o: Obj, now: float) -> list[Any]:
    out = []
    for s in o.get("subsets") or ():
        for a in s.get("addresses") or ():
            for p in s.get("ports") or () or [{}]:
                out.append(f"{a.get('ip')}:{p.get('port')}" if p else a.get("ip"))
    shown = ",".join(out[:3]) + (f" + {len(out) - 3} more..." if len(out) > 3 else "")
    return [_name(o), shown or "<none>", age(created(o), now)]


def _controllerrevision(o: Obj, now: float) -> list[Any]:
    ref = next((r for r in o["metadata"].get("ownerReferences") or () if r.get("controller")),
               None)
    controller = "<none>"
    if ref is not None:
        group = ref.get("apiVersion", "").rpartition("/")[0]
        controller = f"{ref.get('kind', '')}.{group}" if group else ref.get("kind", "")
        controller = f"{controller.lower()}/{ref.get('name', '')}"
    return [_name(o), controller, o.get("revision", 0), age(created(o), now)]


def _pdb(o: Obj, now: float) -> list[Any]:
    sp, st = o.get("spec") or {}, o.get("status") or {}
    return [_name(o), sp.get("minAvailable", "N/A"), sp.get("maxUnavailable", "N/A"),
            st.get("disruptionsAllowed", 0), age(created(o), now)]


def _componentstatus(o: Obj, now: float) -> list[Any]:
    conds = o.get("conditions") or [{}]
    healthy = conds[0].get("status") == "True"
    return [_name(o), "Healthy" if healthy else "Unhealthy", conds[0].get("message", ""),
            conds[0].get("error", "")]


TABLES = {
    "Pod": ([NAME, col("Ready"), col("Status"), col("Restarts"), AGE, col("IP", priority=1),
             col("Node", priority=1), col("Nominated Node", priority=1),
             col("Readiness Gates", priority=1)], _pod),
    "Deployment": ([NAME, col("Ready"), col("Up-to-date"), col("Available"), AGE,
                    col("Containers", priority=1), col("Images", priority=1),
                    col("Selector", priority=1)], _deployment),
    "ReplicaSet": ([NAME, col("Desired", "integer"), col("Current", "integer"),
                    col("Ready", "integer"), AGE, col("Containers", priority=1),
                    col("Images", priority=1), col("Selector", priority=1)], _replicaset),
    "Node": ([NAME, col("Status"), col("Roles"), AGE, col("Version"),
              col("Internal-IP", priority=1), col("External-IP", priority=1),
              col("OS-Image", priority=1), col("Kernel-Version", priority=1),
              col("Container-Runtime", priority=1)], _node),
    "Namespace": ([NAME, col("Status"), AGE],
                  lambda o, now: [o["metadata"]["name"], (o.get("status") or {}).get("phase", ""),
                                  age(created(o), now)]),
    "Service": ([NAME, col("Type"), col("Cluster-IP"), col("External-IP"), col("Port(s)"), AGE,
                 col("Selector", priority=1)], _service),
    "ConfigMap": ([NAME, col("Data"), AGE],
                  lambda o, now: [o["metadata"]["name"],
                                  len(o.get("data") or {}) + len(o.get("binaryData") or {}),
                                  age(created(o), now)]),
    "Secret": ([NAME, col("Type"), col("Data"), AGE],
               lambda o, now: [o["metadata"]["name"], o.get("type", "Opaque"),
                               len(o.get("data") or {}), age(created(o), now)]),
    "ServiceAccount": ([NAME, AGE], lambda o, now: [o["metadata"]["name"], age(created(o), now)]),
    "ControllerRevision": ([NAME, col("Controller"), col("Revision"), AGE],
                           _controllerrevision),
    "Event": ([col("Last Seen"), col("Type"), col("Reason"), col("Object"),
               col("Subobject", priority=1), col("Source", priority=1), col("Message"),
               col("First Seen", priority=1), col("Count", priority=1),
               col("Name", priority=1, fmt="name")], _event),
    "StatefulSet": ([NAME, col("Ready"), AGE, col("Containers", priority=1),
                     col("Images", priority=1)], _statefulset),
    "DaemonSet": ([NAME, col("Desired", "integer"), col("Current", "integer"),
                   col("Ready", "integer"), col("Up-to-date", "integer"),
                   col("Available", "integer"), col("Node Selector"), AGE,
                   col("Containers", priority=1), col("Images", priority=1),
                   col("Selector", priority=1)], _daemonset),
    "Job": ([NAME, col("Status"), col("Completions"), col("Duration"), AGE,
             col("Containers", priority=1), col("Images", priority=1),
             col("Selector", priority=1)], _job),
    "CronJob": ([NAME, col("Schedule"), col("Timezone"), col("Suspend", "boolean"),
                 col("Active", "integer"), col("Last Schedule"), AGE,
                 col("Containers", priority=1), col("Images", priority=1),
                 col("Selector", priority=1)], _cronjob),
    "Ingress": ([NAME, col("Class"), col("Hosts"), col("Address"), col("Ports"), AGE],
                _ingress),
    "PersistentVolumeClaim": ([NAME, col("Status"), col("Volume"), col("Capacity"),
                               col("Access Modes"), col("StorageClass"),
                               col("VolumeAttributesClass"), AGE,
                               col("VolumeMode", priority=1)], _pvc),
    "PersistentVolume": ([NAME, col("Capacity"), col("Access Modes"), col("Reclaim Policy"),
                          col("Status"), col("Claim"), col("StorageClass"),
                          col("VolumeAttributesClass"), col("Reason"), AGE,
                          col("VolumeMode", priority=1)], _pv),
    "StorageClass": ([NAME, col("Provisioner"), col("ReclaimPolicy"),
                      col("VolumeBindingMode"), col("AllowVolumeExpansion"), AGE],
                     _storageclass),
    "HorizontalPodAutoscaler": ([NAME, col("Reference"), col("Targets"),
                                 col("MinPods"), col("MaxPods"), col("Replicas"), AGE], _hpa),
    "NetworkPolicy": ([NAME, col("Pod-Selector"), AGE], _netpol),
    "Role": ([NAME, col("Created At", "date")], _created_at),
    "ClusterRole": ([NAME, col("Created At", "date")], _created_at),
    "RoleBinding": ([NAME, col("Role"), AGE, col("Users", priority=1),
                     col("Groups", priority=1), col("ServiceAccounts", priority=1)], _binding),
    "ClusterRoleBinding": ([NAME, col("Role"), AGE, col("Users", priority=1),
                            col("Groups", priority=1), col("ServiceAccounts", priority=1)],
                           _binding),
    "EndpointSlice": ([NAME, col("AddressType"), col("Ports"), col("Endpoints"), AGE],
                      _endpointslice),
    "Endpoints": ([NAME, col("Endpoints"), AGE], _endpoints),
    "CustomResourceDefinition": ([NAME, col("Created At", "date")], _created_at),
    "PodDisruptionBudget": ([NAME, col("Min Available"), col("Max Unavailable"),
                             col("Allowed Disruptions", "integer"), AGE], _pdb),
    "Lease": ([NAME, col("Holder"), AGE], lambda o, now: [  # coordination.k8s.io
        o["metadata"]["name"], (o.get("spec") or {}).get("holderIdentity", ""),
        age(created(o), now)]),
    "ComponentStatus": ([NAME, col("Status"), col("Message"), col("Error")],
                        _componentstatus),
}
