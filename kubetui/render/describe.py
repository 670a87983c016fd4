"""`kubectl describe`-like text built from API data (never by running kubectl): the
common header, what matters for pods and workloads, the rest of spec and status as an
indented tree, and the Events section, newest last, warnings marked. Secret values are
never printed, only their sizes, as kubectl does."""

from __future__ import annotations

import base64
import time

from .age import age, parse_time
from .pod import summarize

INDENT = "  "


def _kv(out: list[str], key: str, value, width: int = 20) -> None:
    out.append(f"{key + ':':<{width}}{value if value not in (None, '') else '<none>'}")


def _map(out: list[str], key: str, values: dict | None) -> None:
    items = sorted((values or {}).items())
    if not items:
        _kv(out, key, "<none>")
        return
    _kv(out, key, f"{items[0][0]}={items[0][1]}")
    out.extend(f"{'':<20}{k}={v}" for k, v in items[1:])


def _tree(out: list[str], value, depth: int = 0) -> None:
    pad = INDENT * depth
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                out.append(f"{pad}{k}:")
                _tree(out, v, depth + 1)
            else:
                out.append(f"{pad}{k}: {'' if v in ({}, []) else v}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                out.append(f"{pad}-")
                _tree(out, item, depth + 1)
            else:
                out.append(f"{pad}- {item}")


def _pod(out: list[str], pod: dict, now: float) -> None:
    spec, st = pod.get("spec") or {}, pod.get("status") or {}
    s = summarize(pod, now)
    _kv(out, "Priority", spec.get("priority", 0))
    _kv(out, "Service Account", spec.get("serviceAccountName"))
    _kv(out, "Node", f"{spec.get('nodeName')}/{st.get('hostIP')}" if spec.get("nodeName")
        else None)
    _kv(out, "Start Time", st.get("startTime"))
    _kv(out, "Status", s.status)
    _kv(out, "IP", st.get("podIP"))
    owner = next((r for r in pod["metadata"].get("ownerReferences") or ()
                  if r.get("controller")), None)
    _kv(out, "Controlled By", f"{owner['kind']}/{owner['name']}" if owner else None)
    statuses = {c.get("name"): c for c in st.get("containerStatuses") or ()}
    out.append("Containers:")
    for c in spec.get("containers") or ():
        cs = statuses.get(c.get("name"), {})
        out.append(f"  {c.get('name')}:")
        out.append(f"    Image:          {c.get('image')}")
        for label, state in (("State", cs.get("state")), ("Last State", cs.get("lastState"))):
            state = state or {}
            if not state:
                if label == "Last State":
                    continue
            name = next(iter(state), "Waiting")
            detail = state.get(name) or {}
            out.append(f"    {label + ':':<16}{name.capitalize()}")
            for key in ("reason", "message", "exitCode", "startedAt", "finishedAt"):
                if key in detail:
                    nice = {"exitCode": "Exit Code", "startedAt": "Started",
                            "finishedAt": "Finished"}.get(key, key.capitalize())
                    out.append(f"      {nice + ':':<14}{detail[key]}")
        out.append(f"    Ready:          {cs.get('ready', False)}")
        out.append(f"    Restart Count:  {cs.get('restartCount', 0)}")
        res = c.get("resources") or {}
        for kind in ("limits", "requests"):
            if res.get(kind):
                out.append(f"    {kind.capitalize()}:")
                out.extend(f"      {k}:  {v}" for k, v in sorted(res[kind].items()))
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            if c.get(probe):
                out.append(f"    {probe[0].upper() + probe[1:-5]}:  {probe_text(c[probe])}")
        env = c.get("env") or ()
        if env:
            out.append("    Environment:")
            for e in env:
                ref = e.get("valueFrom") or {}
                if "secretKeyRef" in ref:
                    value = (f"<set to the key '{ref['secretKeyRef'].get('key')}' in secret "
                             f"'{ref['secretKeyRef'].get('name')}'>")
                elif "configMapKeyRef" in ref:
                    value = (f"<set to the key '{ref['configMapKeyRef'].get('key')}' of config "
                             f"map '{ref['configMapKeyRef'].get('name')}'>")
                elif "fieldRef" in ref:
                    value = f"({ref['fieldRef'].get('fieldPath')})"
                else:
                    value = e.get("value", "")
                out.append(f"      {e.get('name')}:  {value}")
    out.append("Conditions:")
    out.append("  Type                        Status")
    out.extend(f"  {c.get('type', ''):<28}{c.get('status', '')}"
               for c in st.get("conditions") or ())
    volumes = spec.get("volumes") or ()
    if volumes:
        out.append("Volumes:")
        for v in volumes:
            kind = next((k for k in v if k != "name"), "")
            out.append(f"  {v.get('name')}:  {kind} {v.get(kind) or ''}".rstrip())
    _kv(out, "QoS Class", st.get("qosClass"))
    _kv(out, "Node-Selectors", ",".join(f"{k}={v}" for k, v in (spec.get("nodeSelector")
                                                                or {}).items()) or None)


def probe_text(p: dict | None) -> str:
    """A probe's settings as kubectl describe prints them."""
    if not p:
        return "none"
    if "httpGet" in p:
        h = p["httpGet"]
        what = f"http-get {h.get('scheme', 'HTTP').lower()}://:{h.get('port')}{h.get('path', '/')}"
    elif "tcpSocket" in p:
        what = f"tcp-socket :{p['tcpSocket'].get('port')}"
    elif "exec" in p:
        what = "exec " + str(p["exec"].get("command"))
    elif "grpc" in p:
        what = f"grpc <pod>:{p['grpc'].get('port')}"
    else:
        what = "unknown"
    return (f"{what} delay={p.get('initialDelaySeconds', 0)}s timeout={p.get('timeoutSeconds', 1)}"
            f"s period={p.get('periodSeconds', 10)}s #success={p.get('successThreshold', 1)} "
            f"#failure={p.get('failureThreshold', 3)}")



def _deployment(out: list[str], d: dict) -> None:
    spec, st = d.get("spec") or {}, d.get("status") or {}
    sel = (spec.get("selector") or {}).get("matchLabels") or {}
    _kv(out, "Selector", ",".join(f"{k}={v}" for k, v in sorted(sel.items())))
    _kv(out, "Replicas", f"{spec.get('replicas', 1)} desired | {st.get('updatedReplicas', 0)} "
                         f"updated | {st.get('replicas', 0)} total | "
                         f"{st.get('availableReplicas', 0)} available | "
                         f"{st.get('unavailableReplicas', 0)} unavailable")
    strategy = spec.get("strategy") or {}
    _kv(out, "StrategyType", strategy.get("type"))
    ru = strategy.get("rollingUpdate")
    if ru:
        _kv(out, "RollingUpdateStrategy", f"{ru.get('maxUnavailable')} max unavailable, "
                                          f"{ru.get('maxSurge')} max surge")
    out.append("Pod Template:")
    tpl = spec.get("template") or {}
    for c in (tpl.get("spec") or {}).get("containers") or ():
        out.append(f"  {c.get('name')}:")
        out.append(f"    Image:  {c.get('image')}")
    out.append("Conditions:")
    out.append("  Type           Status  Reason")
    out.extend(f"  {c.get('type', ''):<15}{c.get('status', ''):<8}{c.get('reason', '')}"
               for c in st.get("conditions") or ())


def describe(obj: dict, events: list[dict] | None = None, now: float | None = None) -> str:
    now = time.time() if now is None else now
    meta = obj.get("metadata") or {}
    kind = obj.get("kind", "")
    out: list[str] = []
    _kv(out, "Name", meta.get("name"))
    if meta.get("namespace"):
        _kv(out, "Namespace", meta.get("namespace"))
    _map(out, "Labels", meta.get("labels"))
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items()
                   if k != "kubectl.kubernetes.io/last-applied-configuration"}
    _map(out, "Annotations", annotations)
    _kv(out, "CreationTimestamp", meta.get("creationTimestamp"))
    if meta.get("deletionTimestamp"):
        _kv(out, "DeletionTimestamp", meta["deletionTimestamp"])
    if kind == "Pod":
        _pod(out, obj, now)
    elif kind == "Deployment":
        _deployment(out, obj)
    elif kind == "Secret":
        _kv(out, "Type", obj.get("type"))
        out.append("Data")
        out.append("====")
        for k, v in sorted((obj.get("data") or {}).items()):
            out.append(f"{k}:  {len(base64.b64decode(v or ''))} bytes")
    elif kind == "ConfigMap":
        out.append("Data")
        out.append("====")
        for k, v in sorted((obj.get("data") or {}).items()):
            out.extend([f"{k}:", "----", str(v), ""])
    else:
        for section in ("spec", "status"):
            if obj.get(section):
                out.append(f"{section.capitalize()}:")
                _tree(out, obj[section], 1)
    out.append(events_section(events))
    return "\n".join(out)


def events_section(events: list[dict] | None, now: float | None = None) -> str:
    """kubectl describe's Events table (oldest first), `<none>` when there are none."""
    now = time.time() if now is None else now
    if not events:
        return "Events:  <none>"
    rows = sorted(events, key=lambda e: parse_time(e.get("lastTimestamp") or e.get(
        "eventTime") or e.get("firstTimestamp")) or 0)
    lines = ["Events:", "  Type     Reason     Age    From     Message",
             "  ----     ------     ----   ----     -------"]
    for e in rows:
        last = e.get("lastTimestamp") or e.get("eventTime")
        count = e.get("count", 1)
        when = age(last, now) if count <= 1 else \
            f"{age(last, now)} (x{count} over {age(e.get('firstTimestamp'), now)})"
        src = (e.get("source") or {}).get("component") or e.get("reportingComponent", "")
        lines.append(f"  {e.get('type', ''):<8} {e.get('reason', ''):<10} {when:<6} "
                     f"{src:<8} {e.get('message', '')}")
    return "\n".join(lines)
