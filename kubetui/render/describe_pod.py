"""`kubectl describe pod` (and the Pod Template of workloads), section by section in
kubectl's order: the header, init / regular / ephemeral containers (state, resources,
probes, envFrom, env, mounts), readiness gates, conditions, volumes, QoS, node
selectors, tolerations, topology spread constraints."""

from __future__ import annotations

import math

from .age import age
from .describe_text import Writer, annotation_lines, go_bool, labels, tolerations
from .json_types import Any, Obj
from .printers import selector_string
from .quantity import parse_quantity


def probe_text(p: Obj | None) -> str:
    """A probe as kubectl describe prints it (`http-get http://:8080/ready delay=0s ...`)."""
    if not p:
        return "none"
    attrs = (f"delay={p.get('initialDelaySeconds', 0)}s timeout={p.get('timeoutSeconds', 1)}s "
             f"period={p.get('periodSeconds', 10)}s #success={p.get('successThreshold', 1)} "
             f"#failure={p.get('failureThreshold', 3)}")
    if "exec" in p:
        return f"exec [{' '.join((p['exec'] or {}).get('command') or ())}] {attrs}"
    if "httpGet" in p:
        h = p["httpGet"] or {}
        port, host = str(h.get("port", "")), h.get("host", "")
        where = (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
        scheme = str(h.get("scheme") or "HTTP").lower()  # as the API server defaults it
        return f"http-get {scheme}://{where}{h.get('path', '')} {attrs}"
    if "tcpSocket" in p:
        t = p["tcpSocket"] or {}
        return f"tcp-socket {t.get('host', '')}:{t.get('port', '')} {attrs}"
    if "grpc" in p:
        g = p["grpc"] or {}
        return f"grpc <pod>:{g.get('port')} {g.get('service', '')} {attrs}"
    return f"unknown {attrs}"


def _ports(ports: list[Any], key: str) -> str:
    return ", ".join(f"{p.get(key, 0)}/{p.get('protocol', 'TCP')}" for p in ports)


def _field_value(pod: Obj | None, path: str) -> str:
    """What kubectl's env resolver finds at a fieldRef: it converts the path as a field
    selector, which knows metadata.name and metadata.namespace only; anything else is
    blank."""
    if path in ("metadata.name", "metadata.namespace"):
        return str(((pod or {}).get("metadata") or {}).get(path.split(".")[1], ""))
    return ""


def _resource_value(container: Obj, ref: Obj) -> str:
    """A resourceFieldRef's value: the container's request or limit over the divisor,
    rounded up (kubectl's ExtractContainerResourceValue)."""
    kind, _, name = (ref.get("resource") or "").partition(".")
    raw = ((container.get("resources") or {}).get(kind) or {}).get(name)
    if raw is None:
        return "0"
    divisor = parse_quantity(str(ref.get("divisor") or "1")) or 1
    return str(math.ceil(parse_quantity(str(raw)) / divisor))


def _state(w: Writer, label: str, state: Obj | None) -> None:
    state = state or {}
    if state.get("running") is not None:
        w.write(2, f"{label}:\tRunning\n")
        w.write(3, f"Started:\t{w.time(state['running'].get('startedAt'))}\n")
    elif state.get("waiting") is not None:
        w.write(2, f"{label}:\tWaiting\n")
        if state["waiting"].get("reason"):
            w.write(3, f"Reason:\t{state['waiting']['reason']}\n")
    elif state.get("terminated") is not None:
        t = state["terminated"]
        w.write(2, f"{label}:\tTerminated\n")
        if t.get("reason"):
            w.write(3, f"Reason:\t{t['reason']}\n")
        if t.get("message"):
            w.write(3, f"Message:\t{t['message']}\n")
        w.write(3, f"Exit Code:\t{t.get('exitCode', 0)}\n")
        if t.get("signal"):
            w.write(3, f"Signal:\t{t['signal']}\n")
        w.write(3, f"Started:\t{w.time(t.get('startedAt'))}\n")
        w.write(3, f"Finished:\t{w.time(t.get('finishedAt'))}\n")
    else:
        w.write(2, f"{label}:\tWaiting\n")


def _env(w: Writer, c: Obj, pod: Obj | None) -> None:
    if c.get("envFrom"):
        w.write(2, "Environment Variables from:\n")
        for e in c["envFrom"]:
            ref = e.get("configMapRef") or e.get("secretRef") or {}
            source = "ConfigMap" if "configMapRef" in e else "Secret"
            prefix = f" with prefix '{e['prefix']}'" if e.get("prefix") else ""
            w.write(3, f"{ref.get('name', '')}\t{source}{prefix}\t"
                       f"Optional: {go_bool(ref.get('optional'))}\n")
    env = c.get("env") or ()
    w.write(2, "Environment:" + ("" if env else "\t<none>") + "\n")
    for e in env:
        src = e.get("valueFrom")
        if src is None:
            for i, line in enumerate(str(e.get("value", "")).split("\n")):
                w.write(3, f"{e.get('name')}:\t{line}\n" if i == 0 else f"\t{line}\n")
        elif "fieldRef" in src:
            f = src["fieldRef"] or {}
            value = _field_value(pod, f.get("fieldPath", ""))
            w.write(3, f"{e.get('name')}:\t{value} ({f.get('apiVersion', '')}:"
                       f"{f.get('fieldPath', '')})\n")
        elif "resourceFieldRef" in src:
            ref = src["resourceFieldRef"] or {}
            value = _resource_value(c, ref)
            if value == "0" and ref.get("resource") in ("limits.cpu", "limits.memory"):
                value = "node allocatable"
            w.write(3, f"{e.get('name')}:\t{value} ({ref.get('resource', '')})\n")
        elif "secretKeyRef" in src:
            r = src["secretKeyRef"] or {}
            w.write(3, f"{e.get('name')}:\t<set to the key '{r.get('key')}' in secret "
                       f"'{r.get('name')}'>\tOptional: {go_bool(r.get('optional'))}\n")
        elif "configMapKeyRef" in src:
            r = src["configMapKeyRef"] or {}
            w.write(3, f"{e.get('name')}:\t<set to the key '{r.get('key')}' of config map "
                       f"'{r.get('name')}'>\tOptional: {go_bool(r.get('optional'))}\n")


def _resources(w: Writer, resources: Obj | None, level: int) -> None:
    for kind in ("limits", "requests"):
        values = (resources or {}).get(kind) or {}
        if values:
            w.write(level, f"{kind.capitalize()}:\n")
        for name in sorted(values):
            w.write(level + 1, f"{name}:\t{values[name]}\n")


def containers(w: Writer, label: str, specs: list[Any], statuses: list[Any] | None, pod: Obj | None,
               space: str = "") -> None:
    """describeContainers: one block per container; `statuses` None for a template."""
    w.write(0, f"{space}{label}:{'' if specs else ' <none>'}\n")
    by_name = {s.get("name"): s for s in statuses or ()}
    for c in specs:
        status = by_name.get(c.get("name"))
        w.write(1, f"{' ' if space else ''}{c.get('name')}:\n")
        if status is not None:
            w.write(2, f"Container ID:\t{status.get('containerID', '')}\n")
        w.write(2, f"Image:\t{c.get('image', '')}\n")
        if status is not None:
            w.write(2, f"Image ID:\t{status.get('imageID', '')}\n")
        ports = c.get("ports") or []
        port, host = _ports(ports, "containerPort"), _ports(ports, "hostPort")
        w.write(2, f"Ports:\t{port}\n" if "," in port else f"Port:\t{port or '<none>'}\n")
        w.write(2, f"Host Ports:\t{host}\n" if "," in host else
                f"Host Port:\t{host or '<none>'}\n")
        for key, title in (("command", "Command"), ("args", "Args")):
            if c.get(key):
                w.write(2, f"{title}:\n")
                for item in c[key]:
                    for line in str(item).split("\n"):
                        w.write(3, f"{line}\n")
        if status is not None:
            _state(w, "State", status.get("state"))
            if (status.get("lastState") or {}).get("terminated") is not None:
                _state(w, "Last State", status["lastState"])
            w.write(2, f"Ready:\t{'True' if status.get('ready') else 'False'}\n")
            w.write(2, f"Restart Count:\t{status.get('restartCount', 0)}\n")
        _resources(w, c.get("resources"), 2)
        for key, title in (("livenessProbe", "Liveness"), ("readinessProbe", "Readiness"),
                           ("startupProbe", "Startup")):
            if c.get(key):
                w.write(2, f"{title}:\t{probe_text(c[key])}\n")
        _env(w, c, pod)
        mounts = sorted(c.get("volumeMounts") or (), key=lambda m: m.get("mountPath", ""))
        w.write(2, "Mounts:" + ("" if mounts else "\t<none>") + "\n")
        for m in mounts:
            flags = ["ro" if m.get("readOnly") else "rw"]
            if m.get("subPath"):
                flags.append(f'path="{m["subPath"]}"')
            w.write(3, f"{m.get('mountPath')} from {m.get('name')} ({','.join(flags)})\n")
        devices = sorted(c.get("volumeDevices") or (), key=lambda d: d.get("devicePath", ""))
        if devices:
            w.write(2, "Devices:\n")
            for d in devices:
                w.write(3, f"{d.get('devicePath')} from {d.get('name')}\n")


_VOLUME_TYPES = {
    "hostPath": "HostPath (bare host directory volume)",
    "emptyDir": "EmptyDir (a temporary directory that shares a pod's lifetime)",
    "secret": "Secret (a volume populated by a Secret)",
    "configMap": "ConfigMap (a volume populated by a ConfigMap)",
    "persistentVolumeClaim": "PersistentVolumeClaim (a reference to a PersistentVolumeClaim "
                             "in the same namespace)",
    "ephemeral": "EphemeralVolume (an inline specification for a volume that gets created "
                 "and deleted with the pod)",
    "projected": "Projected (a volume that contains injected data from multiple sources)",
    "downwardAPI": "DownwardAPI (a volume populated by information about the pod)",
    "csi": "CSI (a Container Storage Interface (CSI) volume source)",
    "nfs": "NFS (an NFS mount that lasts the lifetime of a pod)",
}


def _volume(w: Writer, kind: str, src: Obj) -> None:
    """One volume's source, as kubectl's print*VolumeSource functions lay it out."""
    w.write(2, f"Type:\t{_VOLUME_TYPES.get(kind, kind)}\n")
    if kind == "hostPath":
        w.write(2, f"Path:\t{src.get('path', '')}\n")
        w.write(2, f"HostPathType:\t{src.get('type') or '<none>'}\n")
    elif kind == "emptyDir":
        limit = src.get("sizeLimit")
        w.write(2, f"Medium:\t{src.get('medium', '')}\n")
        size = limit if limit and parse_quantity(str(limit)) > 0 else "<unset>"
        w.write(2, f"SizeLimit:\t{size}\n")
    elif kind == "secret":
        w.write(2, f"SecretName:\t{src.get('secretName', '')}\n")
        w.write(2, f"Optional:\t{go_bool(src.get('optional'))}\n")
    elif kind == "configMap":
        w.write(2, f"Name:\t{src.get('name', '')}\n")
        w.write(2, f"Optional:\t{go_bool(src.get('optional'))}\n")
    elif kind == "persistentVolumeClaim":
        w.write(2, f"ClaimName:\t{src.get('claimName', '')}\n")
        w.write(2, f"ReadOnly:\t{go_bool(src.get('readOnly'))}\n")
    elif kind == "projected":
        for s in src.get("sources") or ():
            if "secret" in s:
                w.write(2, f"SecretName:\t{(s['secret'] or {}).get('name', '')}\n")
                w.write(2, f"Optional:\t{go_bool((s['secret'] or {}).get('optional'))}\n")
            elif "downwardAPI" in s:
                w.write(2, "DownwardAPI:\ttrue\n")
            elif "configMap" in s:
                w.write(2, f"ConfigMapName:\t{(s['configMap'] or {}).get('name', '')}\n")
                w.write(2, f"Optional:\t{go_bool((s['configMap'] or {}).get('optional'))}\n")
            elif "serviceAccountToken" in s:
                w.write(2, "TokenExpirationSeconds:\t"
                           f"{(s['serviceAccountToken'] or {}).get('expirationSeconds', 3600)}\n")
    elif kind == "downwardAPI":
        w.write(2, "Items:\n")
        for item in src.get("items") or ():
            ref = item.get("fieldRef") or {}
            res = item.get("resourceFieldRef") or {}
            w.write(3, f"{ref.get('fieldPath') or res.get('resource')} -> {item.get('path')}\n")
    elif kind == "csi":
        w.write(2, f"Driver:\t{src.get('driver', '')}\n")
        w.write(2, f"FSType:\t{src.get('fsType', '')}\n")
        w.write(2, f"ReadOnly:\t{go_bool(src.get('readOnly'))}\n")
    elif kind == "nfs":
        w.write(2, f"Server:\t{src.get('server', '')}\n")
        w.write(2, f"Path:\t{src.get('path', '')}\n")
        w.write(2, f"ReadOnly:\t{go_bool(src.get('readOnly'))}\n")
    elif kind != "ephemeral":  # a kind kubetui does not lay out: its plain fields
        for key, value in sorted((src or {}).items()):
            if not isinstance(value, (dict, list)):
                w.write(2, f"{key[0].upper() + key[1:]}:\t{value}\n")


def volumes(w: Writer, items: list[Any] | None, space: str = "") -> None:
    if not items:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for v in items:
        w.write(1, f"{' ' if space else ''}{v.get('name')}:\n")
        kind = next((k for k in v if k != "name"), "")
        _volume(w, kind, v.get(kind) or {})


def spread_constraints(w: Writer, items: list[Any] | None, space: str = "") -> None:
    if not items:
        return
    w.write(0, f"{space}Topology Spread Constraints:\t")
    for i, c in enumerate(sorted(items, key=lambda c: c.get("topologyKey", ""))):
        if i:
            w.write(0, f"{space}\t")
        text = (f"{c.get('topologyKey')}:{c.get('whenUnsatisfiable')} when max skew "
                f"{c.get('maxSkew')} is exceeded")
        sel = c.get("labelSelector")
        if sel is not None:
            text += " for selector " + (selector_string(sel.get("matchLabels"),
                                                        sel.get("matchExpressions")) or
                                        "<none>")
        w.write(0, text + "\n")


def pod(w: Writer, p: Obj, now: float) -> None:
    meta, spec, st = p.get("metadata") or {}, p.get("spec") or {}, p.get("status") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    if spec.get("priority") is not None:
        w.write(0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        w.write(0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    node = spec.get("nodeName")
    w.write(0, f"Node:\t{node}/{st.get('hostIP', '')}\n" if node else "Node:\t<none>\n")
    if st.get("startTime"):
        w.write(0, f"Start Time:\t{w.time(st['startTime'])}\n")
    labels(w, "Labels", meta.get("labels"))
    annotation_lines(w, "Annotations", meta.get("annotations"))
    if meta.get("deletionTimestamp") and st.get("phase") not in ("Failed", "Succeeded"):
        w.write(0, f"Status:\tTerminating (lasts {age(meta['deletionTimestamp'], now)})\n")
        w.write(0, f"Termination Grace Period:\t{meta.get('deletionGracePeriodSeconds', 0)}s\n")
    else:
        w.write(0, f"Status:\t{st.get('phase', '')}\n")
    if st.get("reason"):
        w.write(0, f"Reason:\t{st['reason']}\n")
    if st.get("message"):
        w.write(0, f"Message:\t{st['message']}\n")
    seccomp = (spec.get("securityContext") or {}).get("seccompProfile")
    if seccomp:
        w.write(0, f"SeccompProfile:\t{seccomp.get('type', '')}\n")
        if seccomp.get("type") == "Localhost":
            w.write(0, f"LocalhostProfile:\t{seccomp.get('localhostProfile', '')}\n")
    w.write(0, f"IP:\t{st.get('podIP', '')}\n")
    ips = st.get("podIPs") or []
    w.write(0, "IPs:\n" if ips else "IPs:\t<none>\n")
    for ip in ips:
        w.write(1, f"IP:\t{ip.get('ip', '')}\n")
    owner = next((r for r in meta.get("ownerReferences") or () if r.get("controller")), None)
    if owner:
        w.write(0, f"Controlled By:\t{owner.get('kind')}/{owner.get('name')}\n")
    if st.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{st['nominatedNodeName']}\n")
    if spec.get("initContainers"):
        containers(w, "Init Containers", spec["initContainers"],
                   st.get("initContainerStatuses") or [], p)
    containers(w, "Containers", spec.get("containers") or [], st.get("containerStatuses") or [],
               p)
    if spec.get("ephemeralContainers"):
        containers(w, "Ephemeral Containers", spec["ephemeralContainers"],
                   st.get("ephemeralContainerStatuses") or [], p)
    conditions = st.get("conditions") or []
    if spec.get("readinessGates"):
        w.write(0, "Readiness Gates:\n  Type\tStatus\n")
        for g in spec["readinessGates"]:
            status = next((c.get("status") for c in conditions
                           if c.get("type") == g.get("conditionType")), "<none>")
            w.write(1, f"{g.get('conditionType')} \t{status} \n")
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for c in conditions:
            w.write(1, f"{c.get('type')} \t{c.get('status')} \n")
    volumes(w, spec.get("volumes"))
    w.write(0, f"QoS Class:\t{st.get('qosClass', '')}\n")
    labels(w, "Node-Selectors", spec.get("nodeSelector"))
    tolerations(w, "Tolerations", spec.get("tolerations"))
    spread_constraints(w, spec.get("topologySpreadConstraints"))


def template(w: Writer, tpl: Obj | None) -> None:
    """DescribePodTemplate: a workload's pod template."""
    w.write(0, "Pod Template:\n")
    if tpl is None:
        w.write(1, "<unset>")
        return
    meta, spec = tpl.get("metadata") or {}, tpl.get("spec") or {}
    labels(w, "  Labels", meta.get("labels"))
    if meta.get("annotations"):
        annotation_lines(w, "  Annotations", meta["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        containers(w, "Init Containers", spec["initContainers"], None, None, "  ")
    containers(w, "Containers", spec.get("containers") or [], None, None, "  ")
    volumes(w, spec.get("volumes"), "  ")
    spread_constraints(w, spec.get("topologySpreadConstraints"), "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    labels(w, "  Node-Selectors", spec.get("nodeSelector"))
    tolerations(w, "  Tolerations", spec.get("tolerations"))
