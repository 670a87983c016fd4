"""The footgun rules: the seed's "Common footguns" and its "Gotcha" notes, each a pure
function from one object (and what the engine's view `v` lets it read: the pods of a
workload, a ServiceAccount, a ConfigMap's change time ...) to findings. Every finding
names the object, says what is wrong in one line, shows the fields and values it saw,
and carries the fix as a YAML snippet for that object (built on demand).

A rule's subject is where its finding is shown: a workload's pod template is checked
once on the workload (Deployment, StatefulSet, DaemonSet, CronJob, a Job no CronJob
owns), a pod only when no such workload controls it; what its pods do at run time
(OOM kills, restarts, start times) is read from the pods and told on the workload."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import yaml

from kubetui.render.age import human_duration, parse_time
from kubetui.render.describe import probe_text
from kubetui.render.events import count as event_count
from kubetui.render.metrics import top_memory
from kubetui.render.quantity import parse_quantity

ERROR, WARNING, INFO = "error", "warning", "info"
RANK = {ERROR: 0, WARNING: 1, INFO: 2}
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")
TEMPLATE_KINDS = (*WORKLOADS, "Pod")
RUNTIME_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "Pod")
# kinds whose pods a pod's controller reference resolves to (by name, no lookup)
POD_OWNERS = ("StatefulSet", "DaemonSet", "Job")


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: str  # error, warning, info
    kind: str
    namespace: str
    name: str
    message: str  # what is wrong, one line
    evidence: tuple[str, ...] = ()  # the fields and values it saw
    container: str = ""
    make_fix: Callable[[], str] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # pods of one workload, or bare pods alike, repeat the same words: one copy each
        object.__setattr__(self, "message", _shared(self.message))
        object.__setattr__(self, "evidence", _shared(self.evidence))

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name

    @property
    def where(self) -> str:
        return f"{self.kind} {self.key}"

    @property
    def fix(self) -> str:
        """The fix as YAML for this object (built when asked: most are never shown)."""
        return self.make_fix() if self.make_fix is not None else ""

    @property
    def reason(self) -> str:
        return RULES[self.rule].reason

    def as_dict(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "kind": self.kind,
                "namespace": self.namespace, "name": self.name, "message": self.message,
                "container": self.container, "evidence": list(self.evidence),
                "reason": self.reason, "fix": self.fix}


_SHARED: dict = {}


def _shared(value):
    if len(_SHARED) > 100_000:
        _SHARED.clear()
    return _SHARED.setdefault(value, value)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # the worst a finding of it can be
    title: str
    reason: str  # the seed's words, one line
    subjects: tuple[str, ...]  # the kinds its findings are about
    reads: tuple[str, ...]  # the kinds it reads (its subjects included)
    check: Callable[[str, dict, object], list[Finding]]
    app_only: bool = False  # skipped in the system namespaces (kube-system ...)


# -- reading objects
def key_of(ns: str | None, name: str) -> str:
    return f"{ns}/{name}" if ns else name


def meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def controller_ref(obj: dict) -> dict | None:
    refs = (obj.get("metadata") or {}).get("ownerReferences")
    if not refs:
        return None
    for r in refs:
        if r.get("controller"):
            return r
    return None


def pod_owner(pod: dict) -> tuple[str, str] | None:
    """The workload that controls a pod, by name: a ReplicaSet named `<deployment>-<hash>`
    is its Deployment's; a StatefulSet, DaemonSet or Job is itself. None for a pod no
    such workload controls (a bare pod, a standalone ReplicaSet's, an operator's)."""
    ref = controller_ref(pod)
    if ref is None:
        return None
    kind, name = ref.get("kind"), ref.get("name") or ""
    if kind == "ReplicaSet":
        h = (meta(pod).get("labels") or {}).get("pod-template-hash")
        if h and name.endswith("-" + h):
            return "Deployment", name[: -len(h) - 1]
        return None
    return (kind, name) if kind in POD_OWNERS else None


def owned_by_cronjob(obj: dict) -> bool:
    ref = controller_ref(obj)
    return ref is not None and ref.get("kind") == "CronJob"


def template_subject(kind: str, obj: dict) -> bool:
    """Is this object where its pod template's findings are shown?"""
    if kind == "Pod":
        return pod_owner(obj) is None
    if kind == "Job":
        return not owned_by_cronjob(obj)
    return kind in WORKLOADS


def pod_template(kind: str, obj: dict) -> tuple[dict, dict]:
    """(metadata, spec) of the pods an object makes (a pod's own)."""
    spec = obj.get("spec") or {}
    if kind == "Pod":
        return meta(obj), spec
    if kind == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    t = spec.get("template") or {}
    return t.get("metadata") or {}, t.get("spec") or {}


SPEC_PATH = {"Pod": ("spec",), "CronJob": ("spec", "jobTemplate", "spec", "template", "spec")}
META_PATH = {"Pod": ("metadata",),
             "CronJob": ("spec", "jobTemplate", "spec", "template", "metadata")}


def _containers(spec: dict, init: bool = True) -> list[dict]:
    out = list(spec.get("containers") or ())
    return [*(spec.get("initContainers") or ()), *out] if init else out


def is_ready(pod: dict) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or ())


def pod_started(pod: dict) -> float | None:
    """When the oldest of its running containers started (what it runs dates from)."""
    st = pod.get("status") or {}
    times = [parse_time(((cs.get("state") or {}).get("running") or {}).get("startedAt"))
             for cs in st.get("containerStatuses") or ()]
    times = [t for t in times if t]
    return min(times) if times else None


@lru_cache(maxsize=4096)
def _q(value) -> float | None:
    try:
        return parse_quantity(value)
    except (TypeError, ValueError):
        return None


_PROBES: dict[int, tuple[dict, str]] = {}


def _probe_text(probe: dict) -> str:
    """kubectl's probe text, once per probe object (slim pods share theirs)."""
    hit = _PROBES.get(id(probe))
    if hit is not None and hit[0] is probe:
        return hit[1]
    if len(_PROBES) > 4096:
        _PROBES.clear()
    text = probe_text(probe)
    _PROBES[id(probe)] = (probe, text)  # the probe is kept: its id stays its own
    return text


def _ago(t: float | None, now: float) -> str:
    return f"{human_duration(now - t)} ago" if t else "at an unknown time"


def _size(pvc: dict) -> str:
    st, spec = pvc.get("status") or {}, pvc.get("spec") or {}
    return ((st.get("capacity") or {}).get("storage") or
            ((spec.get("resources") or {}).get("requests") or {}).get("storage") or "?")


# -- the fix snippets
def dump(doc) -> str:
    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, width=100)


def nest(path: tuple[str, ...], leaf) -> dict:
    for part in reversed(path):
        leaf = {part: leaf}
    return leaf


def _plural(kind: str) -> str:
    return {"Deployment": "deployment", "StatefulSet": "statefulset", "DaemonSet": "daemonset",
            "Job": "job", "CronJob": "cronjob", "Pod": "pod", "Service": "service",
            "HorizontalPodAutoscaler": "hpa", "PersistentVolumeClaim": "pvc",
            "Namespace": "namespace"}.get(kind, kind.lower())


def patch_fix(kind: str, ns: str, name: str, doc: dict, note: str = "") -> str:
    """A strategic-merge patch for an object, with the command that applies it."""
    where = f"-n {ns} " if ns else ""
    head = [f"# {note}"] if note else []
    if kind == "Pod":
        head.append("# a pod's spec cannot be patched: change what creates it, then "
                    "recreate it with:")
    else:
        head.append(f"# kubectl {where}patch {_plural(kind)} {name} --type strategic "
                    "--patch-file fix.yaml")
    return "\n".join(head) + "\n" + dump(doc)


def spec_patch(kind: str, leaf: dict) -> dict:
    return nest(SPEC_PATH.get(kind, ("spec", "template", "spec")), leaf)


def meta_patch(kind: str, leaf: dict) -> dict:
    return nest(META_PATH.get(kind, ("spec", "template", "metadata")), leaf)


def _cpu_text(cores: float) -> str:
    milli = max(10, -(-round(cores * 1000) // 10) * 10)
    return f"{milli}m"


def _mem_text(n: float) -> str:
    mi = max(16, -(-int(n) // (16 * 2**20)) * 16)
    return f"{mi // 1024}Gi" if mi % 1024 == 0 else f"{mi}Mi"


# -- 1 missing-requests
def missing_requests(kind: str, obj: dict, v) -> list[Finding]:
    if not template_subject(kind, obj):
        return []
    m, spec = meta(obj), pod_template(kind, obj)[1]
    lacking: list[tuple[str, list[str]]] = []
    for c in _containers(spec):
        res = c.get("resources") or {}
        have = {**(res.get("limits") or {}), **(res.get("requests") or {})}  # a limit alone
        gone = [r for r in ("cpu", "memory") if r not in have]  # is the request
        if gone:
            lacking.append((c.get("name", ""), gone))
    if not lacking:
        return []
    ns, name = m.get("namespace", ""), m.get("name", "")
    evidence = tuple(f"container {c}: resources.requests has no {' and no '.join(g)}"
                     for c, g in lacking)
    what = "; ".join(f"{c} ({', '.join(g)})" for c, g in lacking)

    def fix() -> str:
        items = []
        for c, gone in lacking:
            used = v.usage(kind, ns, name, c)
            req = {}
            for r in gone:
                if used is not None:
                    req[r] = _cpu_text(used[0] * 1.2) if r == "cpu" else _mem_text(used[1] * 1.2)
                else:
                    req[r] = "100m" if r == "cpu" else "128Mi"
            items.append({"name": c, "resources": {"requests": req}})
        note = ("requests from what its pods use now (kubectl top), plus a fifth" if any(
            v.usage(kind, ns, name, c) for c, _ in lacking) else
            "starting values: set them from what it uses (kubectl top pod)")
        return patch_fix(kind, ns, name, spec_patch(kind, {"containers": items}), note)

    return [Finding("missing-requests", WARNING, kind, ns, name,
                    f"no resource requests: {what}", evidence, make_fix=fix)]


# -- 2 tight-memory-limit
def tight_memory_limit(kind: str, obj: dict, v) -> list[Finding]:
    if kind not in RUNTIME_KINDS or (kind == "Pod" and pod_owner(obj) is not None):
        return []
    m, spec = meta(obj), pod_template(kind, obj)[1]
    ns, name = m.get("namespace", ""), m.get("name", "")
    pods = [obj] if kind == "Pod" else v.pods_of(kind, ns, name)
    out = []
    for c in _containers(spec, init=False):
        cname = c.get("name", "")
        limit_text = ((c.get("resources") or {}).get("limits") or {}).get("memory")
        limit = _q(limit_text)
        if not limit:
            continue
        killed, near = [], []
        for p in pods:
            for cs in (p.get("status") or {}).get("containerStatuses") or ():
                if cs.get("name") != cname:
                    continue
                last = ((cs.get("lastState") or {}).get("terminated") or {}).get("reason")
                now_ = ((cs.get("state") or {}).get("terminated") or {}).get("reason")
                if "OOMKilled" in (last, now_):
                    killed.append(f"pod {meta(p).get('name')}: OOMKilled (exit 137), "
                                  f"{cs.get('restartCount', 0)} restarts")
            used = v.usage("Pod", meta(p).get("namespace", ""), meta(p).get("name", ""), cname)
            if used is not None and used[1] >= 0.9 * limit:
                near.append((used[1], meta(p).get("name", "")))
        if not killed and not near:
            continue
        top = max((u for u, _ in near), default=0.0)
        evidence = (f"container {cname}: resources.limits.memory = {limit_text}",
                    *killed[:5], *(f"pod {p}: uses {top_memory(u)} of {limit_text} "
                                   f"({u / limit:.0%})" for u, p in sorted(near)[-3:]))
        if killed:
            severity, message = ERROR, (f"{cname} was OOMKilled at its {limit_text} memory "
                                        f"limit ({len(killed)} pod{'s' if len(killed) > 1 else ''})")
        else:
            severity, message = WARNING, (f"{cname} uses {top / limit:.0%} of its "
                                          f"{limit_text} memory limit")

        def fix(cname=cname, limit=limit, top=top, limit_text=limit_text) -> str:
            wanted = _mem_text(max(2 * limit, 1.5 * top))
            doc = spec_patch(kind, {"containers": [{"name": cname, "resources": {
                "limits": {"memory": wanted}}}]})
            return patch_fix(kind, ns, name, doc, f"was {limit_text}: give it room, then "
                             "watch kubectl top (a JVM also needs -Xmx below the limit)")

        out.append(Finding("tight-memory-limit", severity, kind, ns, name, message, evidence,
                           cname, make_fix=fix))
    return out


# -- 3 liveness-probe
HANDLERS = ("httpGet", "tcpSocket", "exec", "grpc")


def _handler(probe: dict) -> tuple:
    return tuple((h, repr(probe.get(h))) for h in HANDLERS if probe.get(h) is not None)


def _probe_port(probe: dict):
    for h in ("httpGet", "tcpSocket", "grpc"):
        if probe.get(h):
            return probe[h].get("port")
    return None


def liveness_probe(kind: str, obj: dict, v) -> list[Finding]:
    template = template_subject(kind, obj)
    runtime = kind in RUNTIME_KINDS and not (kind == "Pod" and pod_owner(obj) is not None)
    if not template and not runtime:
        return []
    m, spec = meta(obj), pod_template(kind, obj)[1]
    ns, name = m.get("namespace", ""), m.get("name", "")
    pods = ([obj] if kind == "Pod" else v.pods_of(kind, ns, name)) if runtime else []
    out = []
    for c in _containers(spec, init=False):
        live = c.get("livenessProbe")
        if not live:
            continue
        cname, ready = c.get("name", ""), c.get("readinessProbe")
        problems: list[tuple[str, str, str]] = []  # (severity, message, evidence)
        restarts, failures = 0, []
        for p in pods:
            events = v.liveness_events(meta(p).get("namespace", ""), meta(p).get("name", ""),
                                       cname)
            if not events:
                continue
            cs = next((s for s in (p.get("status") or {}).get("containerStatuses") or ()
                       if s.get("name") == cname), {})
            if cs.get("restartCount", 0):
                restarts += cs["restartCount"]
                failures.extend(events)
        if restarts:
            newest = max(failures, key=lambda e: e.get("lastTimestamp") or "")
            n = sum(event_count(e) for e in failures)
            problems.append((ERROR, f"its liveness probe restarted {cname} {restarts} "
                             f"time{'s' if restarts > 1 else ''}",
                             f"event Unhealthy (x{n}): {newest.get('message', '')}"))
        if template:
            if ready and _handler(live) == _handler(ready):
                problems.append((WARNING, f"{cname}'s liveness probe asks the same endpoint "
                                 "as its readiness probe",
                                 f"readiness {_probe_text(ready)}"))
            if live.get("failureThreshold") == 1:
                problems.append((WARNING, f"{cname}'s liveness probe restarts it at the "
                                 "first failure (failureThreshold 1)", ""))
            if live.get("timeoutSeconds", 1) <= 1:
                problems.append((INFO, f"{cname}'s liveness probe gives up after "
                                 f"{live.get('timeoutSeconds', 1)}s: a slow answer under "
                                 "load is a failure", ""))
        if not problems:
            continue
        problems.sort(key=lambda p: RANK[p[0]])
        evidence = (f"container {cname}: liveness {_probe_text(live)}",
                    *(e for _, _, e in problems if e))
        message = "; ".join(dict.fromkeys(msg for _, msg, _ in problems))

        def fix(cname=cname, live=live, ready=ready) -> str:
            probe = {k: live[k] for k in HANDLERS if k in live}
            if ready and _handler(live) == _handler(ready) and _probe_port(live) is not None:
                probe = {"tcpSocket": {"port": _probe_port(live)}}
            probe.update({"periodSeconds": max(live.get("periodSeconds", 10), 10),
                          "timeoutSeconds": max(live.get("timeoutSeconds", 1), 3),
                          "failureThreshold": max(live.get("failureThreshold", 3), 3)})
            doc = spec_patch(kind, {"containers": [{"name": cname, "livenessProbe": probe}]})
            return patch_fix(kind, ns, name, doc, "liveness: cheap and independent of "
                             "other services (a tcp check of its own port), patient")

        out.append(Finding("liveness-probe", problems[0][0], kind, ns, name, message,
                           evidence, cname, make_fix=fix))
    return out


# -- 4 readiness-without-liveness
def readiness_without_liveness(kind: str, obj: dict, v) -> list[Finding]:
    if not template_subject(kind, obj):
        return []
    m, spec = meta(obj), pod_template(kind, obj)[1]
    lacking = [c for c in _containers(spec, init=False)
               if c.get("readinessProbe") and not c.get("livenessProbe")]
    if not lacking:
        return []
    ns, name = m.get("namespace", ""), m.get("name", "")
    names = ", ".join(c.get("name", "") for c in lacking)
    evidence = tuple(f"container {c.get('name')}: readiness {_probe_text(c['readinessProbe'])}"
                     f", no livenessProbe" for c in lacking)

    def fix() -> str:
        items = []
        for c in lacking:
            port = _probe_port(c["readinessProbe"])
            probe = ({"tcpSocket": {"port": port}} if port is not None else
                     {k: c["readinessProbe"][k] for k in HANDLERS if k in c["readinessProbe"]})
            items.append({"name": c.get("name", ""), "livenessProbe": {
                **probe, "initialDelaySeconds": 10, "periodSeconds": 10, "timeoutSeconds": 3,
                "failureThreshold": 3}})
        return patch_fix(kind, ns, name, spec_patch(kind, {"containers": items}),
                         "liveness: is the process alive at all (not: are its dependencies)")

    return [Finding("readiness-without-liveness", WARNING, kind, ns, name,
                    f"readiness probe without a liveness probe: {names}", evidence,
                    make_fix=fix)]


# -- 5 default-service-account
def default_service_account(kind: str, obj: dict, v) -> list[Finding]:
    if not template_subject(kind, obj):
        return []
    m, spec = meta(obj), pod_template(kind, obj)[1]
    account = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    if account != "default":
        return []
    ns, name = m.get("namespace", ""), m.get("name", "")
    automount = spec.get("automountServiceAccountToken")
    sa = v.get("ServiceAccount", ns, "default")
    from_sa = (sa or {}).get("automountServiceAccountToken")
    if automount is False or (automount is None and from_sa is False):
        return []
    evidence = (f"serviceAccountName: {spec.get('serviceAccountName') or '(unset: default)'}",
                "automountServiceAccountToken: " + (
                    "true" if automount else "(unset: the token is mounted)"),
                f"ServiceAccount {ns}/default: automountServiceAccountToken "
                f"{'unset' if from_sa is None else str(from_sa).lower()}")

    def fix() -> str:
        doc = spec_patch(kind, {"serviceAccountName": name,
                                "automountServiceAccountToken": False})
        return (f"# kubectl -n {ns} create serviceaccount {name}\n" +
                patch_fix(kind, ns, name, doc, "its own account, no token unless it calls "
                          "the Kubernetes API (then bind it a Role for just that)"))

    return [Finding("default-service-account", WARNING, kind, ns, name,
                    "runs as the default ServiceAccount, its API token mounted", evidence,
                    make_fix=fix)]


# -- 6 nodeport
def nodeport(kind: str, obj: dict, v) -> list[Finding]:
    m, spec = meta(obj), obj.get("spec") or {}
    ns, name = m.get("namespace", ""), m.get("name", "")
    kind_ = spec.get("type", "ClusterIP")
    ports = [p.get("nodePort") for p in spec.get("ports") or () if p.get("nodePort")]
    if kind_ == "NodePort":
        evidence = (f"type: NodePort, nodePort {', '.join(map(str, ports)) or '(allocated)'}",)

        def fix() -> str:
            return patch_fix(kind, ns, name, {"spec": {"type": "ClusterIP"}},
                             "reach it through an Ingress (or a LoadBalancer with "
                             "loadBalancerSourceRanges)")

        return [Finding("nodeport", WARNING, kind, ns, name,
                        f"NodePort: open on every node at port "
                        f"{', '.join(map(str, ports)) or '(allocated)'}", evidence,
                        make_fix=fix)]
    annotations = m.get("annotations") or {}
    if kind_ == "LoadBalancer" and not spec.get("loadBalancerSourceRanges") and not \
            annotations.get("service.beta.kubernetes.io/load-balancer-source-ranges"):
        evidence = ("type: LoadBalancer", "loadBalancerSourceRanges: (unset: 0.0.0.0/0)")

        def fix() -> str:
            return patch_fix(kind, ns, name, {"spec": {"loadBalancerSourceRanges": [
                "203.0.113.0/24"]}}, "the addresses that may reach it (example range)")

        return [Finding("nodeport", WARNING, kind, ns, name,
                        "LoadBalancer open to every address (no loadBalancerSourceRanges)",
                        evidence, make_fix=fix)]
    return []


# -- 7 stale-config
SKIP_CONFIGS = ("kube-root-ca.crt", "openshift-service-ca.crt")
DATA_FIELDS = ("f:data", "f:binaryData", "f:stringData")
RELOADERS = ("reloader.stakater.com/auto", "configmap.reloader.stakater.com/reload",
             "secret.reloader.stakater.com/reload", "reloader.stakater.com/search")


def config_refs(spec: dict) -> list[tuple[str, str, str]]:
    """(kind, name, how) of every ConfigMap and Secret a pod spec reads, but the
    cluster's own CA bundles and service account token volumes."""
    out = []
    for c in _containers(spec):
        for e in c.get("env") or ():
            src = e.get("valueFrom") or {}
            for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                if src.get(key):
                    out.append((kind, src[key].get("name", ""), "env"))
        for e in c.get("envFrom") or ():
            for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                if e.get(key):
                    out.append((kind, e[key].get("name", ""), "envFrom"))
    for vol in spec.get("volumes") or ():
        if vol.get("configMap"):
            out.append(("ConfigMap", vol["configMap"].get("name", ""), "volume"))
        if vol.get("secret"):
            out.append(("Secret", vol["secret"].get("secretName") or
                        vol["secret"].get("name", ""), "volume"))
        for src in (vol.get("projected") or {}).get("sources") or ():
            for key, kind in (("configMap", "ConfigMap"), ("secret", "Secret")):
                if src.get(key):
                    out.append((kind, src[key].get("name", ""), "volume"))
    return [r for r in dict.fromkeys(out) if r[1] and r[1] not in SKIP_CONFIGS]


def config_changed(obj: dict) -> tuple[float | None, str]:
    """When a ConfigMap's or Secret's data last changed, and by whom: the newest of its
    managedFields entries that own data (or, without field sets, any), else its
    creation. (None: unknown.)"""
    best, who = None, ""
    for mf in meta(obj).get("managedFields") or ():
        if mf.get("subresource"):
            continue
        fields = mf.get("fieldsV1")
        if fields and not any(k in fields for k in DATA_FIELDS):
            continue
        t = parse_time(mf.get("time"))
        if t is not None and (best is None or t > best):
            best, who = t, mf.get("manager", "")
    created = parse_time(meta(obj).get("creationTimestamp"))
    if best is None or (created is not None and created > best):
        return created, "created"
    return best, who


def stale_config(kind: str, obj: dict, v) -> list[Finding]:
    if kind not in ("Deployment", "StatefulSet", "DaemonSet", "Pod") or \
            not template_subject(kind, obj):
        return []
    m = meta(obj)
    tmeta, spec = pod_template(kind, obj)
    refs = config_refs(spec)
    if not refs:
        return []
    annotations = {**(m.get("annotations") or {}), **(tmeta.get("annotations") or {})}
    if any("checksum" in k for k in annotations) or any(k in annotations for k in RELOADERS):
        return []
    ns, name = m.get("namespace", ""), m.get("name", "")
    pods = [obj] if kind == "Pod" else v.pods_of(kind, ns, name)
    started = [(t, meta(p).get("name", "")) for p in pods if (t := pod_started(p))]
    if not started:
        return []
    stale_refs, old_pods = [], set()
    for ckind, cname, how in refs:
        cfg = v.get(ckind, ns, cname)
        if cfg is None:
            continue
        changed, who = v.config_changed(ckind, ns, cname)
        if changed is None:
            continue
        before = [p for t, p in started if t < changed]  # stamps are in seconds: a
        # pod started in the second the config changed may have read either
        if before:
            stale_refs.append((ckind, cname, how, changed, who))
            old_pods.update(before)
    if not stale_refs:
        return []
    now = v.now
    evidence = tuple(
        f"{ck} {ns}/{cn} ({how}) changed {_ago(t, now)}" + (f" by {who}" if who and who !=
                                                             "created" else "") +
        (" (created after the pods)" if who == "created" else "")
        for ck, cn, how, t, who in stale_refs) + (
        f"pods started before it: {', '.join(sorted(old_pods)[:5])}"
        f"{' ...' if len(old_pods) > 5 else ''}",)
    files_only = all(how == "volume" for _, _, how, _, _ in stale_refs)
    names = ", ".join(f"{ck} {cn}" for ck, cn, *_ in stale_refs)
    message = (f"{names} changed after {len(old_pods)} of its pods started: "
               + ("they may still read the old files" if files_only else
                  "these pods run the old config"))

    def fix() -> str:
        digest = "<sha256 of the config's data>"
        doc = meta_patch(kind, {"annotations": {"checksum/config": digest}})
        if kind == "Pod":
            return patch_fix(kind, ns, name, doc, "recreate the pod to read the new config")
        where = f"-n {ns} "
        return (f"# now: kubectl {where}rollout restart {_plural(kind)} {name}\n"
                "# from now on, roll on every change: a checksum of the config in the "
                "template\n# (helm: {{ include (print $.Template.BasePath \"/configmap.yaml\")"
                " . | sha256sum }}), or the Stakater Reloader annotation\n" +
                patch_fix(kind, ns, name, doc))

    return [Finding("stale-config", WARNING, kind, ns, name, message, evidence,
                    make_fix=fix)]


# -- 8 namespace-stuck
STUCK_AFTER = 60.0  # seconds Terminating before "stuck" without the conditions saying so
STUCK_CONDITIONS = ("NamespaceFinalizersRemaining", "NamespaceContentRemaining",
                    "NamespaceDeletionDiscoveryFailure", "NamespaceDeletionContentFailure",
                    "NamespaceDeletionGroupVersionParsingFailure")


def namespace_stuck(kind: str, obj: dict, v) -> list[Finding]:
    m = meta(obj)
    deleted = parse_time(m.get("deletionTimestamp"))
    if deleted is None:
        return []
    name, now = m.get("name", ""), v.now
    conds = {c.get("type"): c for c in (obj.get("status") or {}).get("conditions") or ()
             if c.get("status") == "True" and c.get("type") in STUCK_CONDITIONS}
    if not conds and now - deleted < STUCK_AFTER:
        return []
    holders = v.deleting_in(name)
    finalizers = re.findall(r"([\w./-]+) in \d+ resource instances",
                            (conds.get("NamespaceFinalizersRemaining") or {}).get("message", ""))
    finalizers += [f for _, o in holders for f in meta(o).get("finalizers") or ()]
    finalizers = list(dict.fromkeys(finalizers))
    remaining = re.findall(r"(\S+?)\.\S* has (\d+) resource instances",
                           (conds.get("NamespaceContentRemaining") or {}).get("message", ""))
    what = (f"waiting on finalizers {', '.join(finalizers)}" if finalizers else
            "waiting on " + ", ".join(c for c in conds) if conds else
            "content left, still being deleted")
    message = (f"Terminating for {human_duration(now - deleted)}, {what}" +
               (f"; left: {', '.join(f'{n} {r}' for r, n in remaining)}" if remaining else ""))
    evidence = (f"deletionTimestamp: {m.get('deletionTimestamp')}",
                *(f"condition {t}: {c.get('message', '')}" for t, c in conds.items()),
                *(f"{k} {key_of(meta(o).get('namespace'), meta(o).get('name', ''))}: "
                  f"finalizers {', '.join(meta(o).get('finalizers') or ())}"
                  for k, o in holders[:10]),
                f"spec.finalizers: {', '.join((obj.get('spec') or {}).get('finalizers') or ()) or '-'}")

    def fix() -> str:
        lines = ["# first make sure what the finalizers wait for is gone (or can never "
                 "come back),", "# then let go of each object that still holds the "
                 "namespace:"]
        for k, o in holders:
            lines.append(f"# kubectl -n {name} patch {_plural(k)} {meta(o).get('name')} "
                         "--type merge -p '{\"metadata\":{\"finalizers\":null}}'")
        if not holders:
            lines.append(f"# kubectl api-resources --verbs=list --namespaced -o name | "
                         f"xargs -n1 kubectl get -n {name} --ignore-not-found "
                         "--show-kind  # what is left")
        lines.append("# the merge patch for each of them:")
        return "\n".join(lines) + "\n" + dump({"metadata": {"finalizers": None}})

    return [Finding("namespace-stuck", ERROR, kind, "", name, message, evidence,
                    make_fix=fix)]


# -- 9 orphan-pvc
def sts_claim(pvc_name: str, sts: dict) -> int | None:
    """The ordinal, if the claim is one of this StatefulSet's volumeClaimTemplates'."""
    sname = meta(sts).get("name", "")
    for tpl in (sts.get("spec") or {}).get("volumeClaimTemplates") or ():
        prefix = f"{meta(tpl).get('name', '')}-{sname}-"
        rest = pvc_name[len(prefix):]
        if pvc_name.startswith(prefix) and rest.isdigit():
            return int(rest)
    return None


def orphan_pvc(kind: str, obj: dict, v) -> list[Finding]:
    m = meta(obj)
    if m.get("deletionTimestamp"):
        return []
    ns, name = m.get("namespace", ""), m.get("name", "")
    if v.claim_users(ns, name):
        return []
    now = v.now
    created = parse_time(m.get("creationTimestamp"))
    size, phase = _size(obj), (obj.get("status") or {}).get("phase", "Pending")
    evidence = [f"status.phase: {phase}" + (f", volume {(obj.get('spec') or {}).get('volumeName')}"
                                            if (obj.get("spec") or {}).get("volumeName") else ""),
                f"size {size}, created {_ago(created, now)}", "mounted by: no pod"]
    owner, why = None, "mounted by no pod"
    for sts in v.in_ns("StatefulSet", ns):
        ordinal = sts_claim(name, sts)
        if ordinal is None:
            continue
        owner = meta(sts).get("name", "")
        replicas = (sts.get("spec") or {}).get("replicas", 1)
        if ordinal >= replicas:
            why = f"left by a scale-down of StatefulSet {owner} (replicas {replicas})"
        else:
            why = f"its pod {owner}-{ordinal} is not there"
        break
    else:
        app = (m.get("labels") or {}).get("app")
        if app and re.fullmatch(rf".+-{re.escape(app)}-\d+", name):
            why = f"outlived its StatefulSet {app} (none of that name is left)"
    if why != "mounted by no pod":
        evidence.append(why)

    def fix() -> str:
        lines = ["# nothing mounts it: check what it holds, then delete it (its volume goes "
                 "too if the", "# storage class reclaims with Delete), or say in an "
                 "annotation why it stays:",
                 f"# kubectl -n {ns} delete pvc {name}"]
        if owner:
            lines.append(f"# and have StatefulSet {owner} clean up after itself:")
            return "\n".join(lines) + "\n" + dump({"spec": {
                "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete",
                                                         "whenScaled": "Delete"}}})
        return "\n".join(lines) + "\n" + dump({"metadata": {"annotations": {
            "kubetui.dev/kept-because": "<why it stays>"}}})

    return [Finding("orphan-pvc", WARNING, kind, ns, name,
                    f"{size} claim {why}, {human_duration(now - created) if created else '?'} "
                    "old", tuple(evidence), make_fix=fix)]


# -- 10 hpa-without-requests
def hpa_without_requests(kind: str, obj: dict, v) -> list[Finding]:
    m, spec = meta(obj), obj.get("spec") or {}
    ns, name = m.get("namespace", ""), m.get("name", "")
    wants: list[tuple[str, str]] = []  # (resource, container or "")
    for metric in spec.get("metrics") or ():
        t = metric.get("type")
        src = metric.get("resource") if t == "Resource" else \
            metric.get("containerResource") if t == "ContainerResource" else None
        if src and (src.get("target") or {}).get("type") == "Utilization":
            wants.append((src.get("name", ""), src.get("container", "")))
    cond = next((c for c in (obj.get("status") or {}).get("conditions") or ()
                 if c.get("type") == "ScalingActive" and c.get("status") == "False"
                 and c.get("reason") == "FailedGetResourceMetric"), None)
    ref = spec.get("scaleTargetRef") or {}
    target = v.get(ref.get("kind", ""), ns, ref.get("name", "")) if ref.get("kind") in (
        "Deployment", "StatefulSet", "ReplicaSet") else None
    lacking: list[tuple[str, str]] = []
    if target is not None:
        tspec = pod_template(ref["kind"], target)[1]
        for resource, only in wants:
            for c in _containers(tspec, init=False):
                if only and c.get("name") != only:
                    continue
                res = c.get("resources") or {}
                if resource not in (res.get("requests") or {}) and \
                        resource not in (res.get("limits") or {}):
                    lacking.append((c.get("name", ""), resource))
    # the controller's own word counts when the target cannot be read here; when it can,
    # its template is the truth (the condition lags until the controller's next sync)
    said = cond is not None and "missing request" in cond.get("message", "") and target is None
    if not lacking and not said:
        return []
    tkind, tname = ref.get("kind", ""), ref.get("name", "")
    resources = sorted({r for _, r in lacking} or set(re.findall(
        r"missing request for (\w+)", cond.get("message", "") if cond else "")))
    message = (f"scales {tkind} {tname} on {' and '.join(resources) or 'utilization'} "
               "as a share of requests it does not set: no metric, no scaling")
    evidence = (*(f"metric: {r} Utilization" + (f" (container {c})" if c else "")
                  for r, c in wants),
                *(f"{tkind} {ns}/{tname} container {c}: no {r} request" for c, r in lacking),
                *([f"condition ScalingActive=False FailedGetResourceMetric: "
                   f"{cond.get('message', '')}"] if cond else []))

    def fix() -> str:
        by_container: dict[str, dict] = {}
        for c, r in lacking:
            by_container.setdefault(c, {})[r] = "100m" if r == "cpu" else "128Mi"
        doc = spec_patch(tkind, {"containers": [{"name": c, "resources": {"requests": req}}
                                                for c, req in by_container.items()]})
        return patch_fix(tkind, ns, tname, doc, f"HPA {name} scales on utilization: a "
                         "percentage of these requests (set them from kubectl top)")

    return [Finding("hpa-without-requests", ERROR, kind, ns, name, message, evidence,
                    make_fix=fix)]


# -- 11 database-deployment
DATABASES = ("postgres", "postgresql", "mysql", "mariadb", "mongo", "mongodb", "cassandra",
             "couchdb", "cockroach", "cockroachdb", "clickhouse", "clickhouse-server",
             "neo4j", "influxdb", "timescaledb", "elasticsearch", "opensearch", "mssql-server",
             "percona", "percona-server", "scylla", "arangodb", "yugabyte")
STATEFUL_WITH_VOLUME = ("redis", "redis-stack", "valkey", "keydb", "rabbitmq", "kafka",
                        "zookeeper", "etcd", "nats", "minio")


def image_name(image: str) -> str:
    """`docker.io/bitnami/postgresql:16@sha256:..` -> `postgresql`."""
    last = image.split("@")[0].rsplit("/", 1)[-1]
    return last.split(":")[0].lower()


def database_deployment(kind: str, obj: dict, v) -> list[Finding]:
    m, spec = meta(obj), pod_template(kind, obj)[1]
    ns, name = m.get("namespace", ""), m.get("name", "")
    claims = [vol for vol in spec.get("volumes") or () if vol.get("persistentVolumeClaim")]
    found = None
    for c in _containers(spec, init=False):
        base = image_name(c.get("image", ""))
        if base in DATABASES or (base in STATEFUL_WITH_VOLUME and claims):
            found = c
            break
    if found is None:
        return []
    dspec = obj.get("spec") or {}
    evidence = (f"container {found.get('name')}: image {found.get('image')}",
                *(f"volume {vol.get('name')}: persistentVolumeClaim "
                  f"{vol['persistentVolumeClaim'].get('claimName')}" for vol in claims),
                f"replicas {dspec.get('replicas', 1)}, strategy "
                f"{(dspec.get('strategy') or {}).get('type', 'RollingUpdate')}")

    def fix() -> str:
        template = dict((obj.get("spec") or {}).get("template") or {})
        tspec = dict(template.get("spec") or {})
        templates = []
        keep = []
        for vol in tspec.get("volumes") or ():
            pvc = vol.get("persistentVolumeClaim")
            if not pvc:
                keep.append(vol)
                continue
            claim = v.get("PersistentVolumeClaim", ns, pvc.get("claimName", "")) or {}
            cspec = claim.get("spec") or {}
            templates.append({"metadata": {"name": vol.get("name")}, "spec": {
                "accessModes": cspec.get("accessModes") or ["ReadWriteOnce"],
                **({"storageClassName": cspec["storageClassName"]}
                   if cspec.get("storageClassName") else {}),
                "resources": {"requests": {"storage": _size(claim) if claim else "10Gi"}}}})
        if keep:
            tspec["volumes"] = keep
        else:
            tspec.pop("volumes", None)
        template["spec"] = tspec
        sts = {"apiVersion": "apps/v1", "kind": "StatefulSet",
               "metadata": {"name": name, "namespace": ns},
               "spec": {"serviceName": name, "replicas": 1,
                        "selector": dspec.get("selector") or {}, "template": template,
                        **({"volumeClaimTemplates": templates} if templates else {})}}
        return ("# a Deployment can run two of it on one volume (a rollout starts the new pod "
                "before\n# the old one stops): a StatefulSet gives one pod its own claim, "
                "in order.\n# Better still, a managed database outside the cluster. Move "
                "the data before switching:\n" + dump(sts))

    return [Finding("database-deployment", WARNING, kind, ns, name,
                    f"runs {image_name(found.get('image', ''))} as a Deployment", evidence,
                    make_fix=fix)]


# -- cronjob-overlap (a gotcha)
def _job_span(job: dict, now: float) -> tuple[float, float] | None:
    st = job.get("status") or {}
    start = parse_time(st.get("startTime")) or parse_time(meta(job).get("creationTimestamp"))
    if start is None:
        return None
    end = parse_time(st.get("completionTime"))
    if end is None:
        done = [parse_time(c.get("lastTransitionTime")) for c in st.get("conditions") or ()
                if c.get("type") in ("Complete", "Failed") and c.get("status") == "True"]
        end = next((t for t in done if t), None)
    return start, end if end is not None else now


def cronjob_overlap(kind: str, obj: dict, v) -> list[Finding]:
    m, spec = meta(obj), obj.get("spec") or {}
    policy = spec.get("concurrencyPolicy") or "Allow"
    if policy != "Allow":
        return []
    ns, name, now = m.get("namespace", ""), m.get("name", ""), v.now
    active = [a.get("name", "") for a in (obj.get("status") or {}).get("active") or ()]
    spans = sorted((s, meta(j).get("name", "")) for j in v.jobs_of(ns, name)
                   if (s := _job_span(j, now)))
    overlaps = [(a, b) for (sa, a), (sb, b) in zip(spans, spans[1:]) if sb[0] < sa[1] - 1]
    if len(active) < 2 and not overlaps:
        return []
    evidence = (f"schedule {spec.get('schedule', '?')}, concurrencyPolicy "
                f"{spec.get('concurrencyPolicy') or '(unset: Allow)'}",
                *([f"running now: {', '.join(active)}"] if active else []),
                *(f"job {b} started before job {a} ended" for a, b in overlaps[-3:]))
    message = (f"{len(active)} runs at once ({', '.join(active[:3])})" if len(active) >= 2
               else f"runs overlapped ({overlaps[-1][0]} and {overlaps[-1][1]})")

    def fix() -> str:
        return patch_fix(kind, ns, name, {"spec": {
            "concurrencyPolicy": "Forbid", "jobTemplate": {"spec": {
                "activeDeadlineSeconds": 3300}}}},
            "one run at a time (Replace stops the old one instead); a run may not "
            "outlast the schedule (example: under an hour)")

    return [Finding("cronjob-overlap", WARNING, kind, ns, name,
                    f"concurrencyPolicy Allow and its {message}", evidence, make_fix=fix)]


# -- selector-no-pods
def selector_matches(selector: dict, labels: dict | None) -> bool:
    labels = labels or {}
    return all(labels.get(k) == v for k, v in selector.items())


def selector_no_pods(kind: str, obj: dict, v) -> list[Finding]:
    m, spec = meta(obj), obj.get("spec") or {}
    selector = spec.get("selector") or {}
    if not selector or spec.get("type") == "ExternalName":
        return []
    ns, name = m.get("namespace", ""), m.get("name", "")
    members = v.members(ns, name)
    wanted = ",".join(f"{k}={val}" for k, val in selector.items())
    if members:
        ready = [p for p in members if is_ready(p)]
        if ready:
            return []
        evidence = (f"selector {wanted}", f"{len(members)} pods match, 0 Ready: "
                    + ", ".join(meta(p).get("name", "") for p in members[:5]))
        return [Finding("selector-no-pods", WARNING, kind, ns, name,
                        f"selects {len(members)} pods, none Ready: no endpoints", evidence,
                        make_fix=lambda: "# nothing to change here: look at why its pods "
                        "are not Ready (c opens the checklist)\n" + dump(
                            {"spec": {"selector": dict(selector)}}))]
    near = []  # pods that carry all but one of the labels: the labels drifted
    for p in v.in_ns("Pod", ns):
        labels = meta(p).get("labels") or {}
        off = [k for k, val in selector.items() if labels.get(k) != val]
        if len(off) == 1 and len(selector) > 1:
            near.append((p, off[0], labels.get(off[0])))
    evidence = (f"selector {wanted}", "no pod in the namespace has these labels",
                *(f"pod {meta(p).get('name')} has {k}={got if got is not None else '(none)'}"
                  for p, k, got in near[:5]))
    drift = {}
    for _, k, got in near:
        if got is not None:
            drift.setdefault(k, got)

    def fix() -> str:
        if drift:
            return patch_fix(kind, ns, name, {"spec": {"selector": {**selector, **drift}}},
                             "select what the pods carry now (or put the label back on "
                             "the pods' template)")
        return ("# no pod is even close: check the workload that should serve it\n"
                + dump({"spec": {"selector": dict(selector)}}))

    return [Finding("selector-no-pods", ERROR, kind, ns, name,
                    f"selects {wanted}: no pod matches" + (" (labels drifted)" if near
                                                           else ""), evidence, make_fix=fix)]


# -- sts-pvc-retained
def retained_claims(sts: dict, pvcs) -> list[dict]:
    return sorted((p for p in pvcs if sts_claim(meta(p).get("name", ""), sts) is not None),
                  key=lambda p: meta(p).get("name", ""))


def sts_pvc_retained(kind: str, obj: dict, v) -> list[Finding]:
    m, spec = meta(obj), obj.get("spec") or {}
    templates = spec.get("volumeClaimTemplates") or ()
    policy = spec.get("persistentVolumeClaimRetentionPolicy") or {}
    if not templates or policy.get("whenDeleted", "Retain") == "Delete":
        return []
    ns, name = m.get("namespace", ""), m.get("name", "")
    claims = retained_claims(obj, v.in_ns("PersistentVolumeClaim", ns))
    note = delete_note(obj, claims)
    evidence = (f"volumeClaimTemplates: {', '.join(meta(t).get('name', '') for t in templates)}",
                f"persistentVolumeClaimRetentionPolicy.whenDeleted: "
                f"{policy.get('whenDeleted') or '(unset: Retain)'}",
                *(f"claim {meta(p).get('name')}: {_size(p)}" for p in claims[:5]))
    return [Finding("sts-pvc-retained", INFO, kind, ns, name, note, evidence,
                    make_fix=lambda: patch_fix(kind, ns, name, {"spec": {
                        "persistentVolumeClaimRetentionPolicy": {
                            "whenDeleted": "Delete", "whenScaled": "Retain"}}},
                        "delete the claims with it (keep Retain, and write the cleanup "
                        "down, if the data must outlive it)"))]


def delete_note(sts: dict, claims: list[dict]) -> str:
    """What deleting a StatefulSet leaves behind (said before a delete, too)."""
    spec = sts.get("spec") or {}
    if not spec.get("volumeClaimTemplates") or (
            spec.get("persistentVolumeClaimRetentionPolicy") or {}).get(
            "whenDeleted", "Retain") == "Delete":
        return ""
    if not claims:
        return "deleting it leaves its claims behind (whenDeleted: Retain)"
    names = ", ".join(meta(p).get("name", "") for p in claims[:4])
    return (f"deleting it leaves {len(claims)} claim{'s' if len(claims) > 1 else ''} behind "
            f"({names}{', ...' if len(claims) > 4 else ''})")


# -- latest-tag
def image_tag(image: str) -> str | None:
    """The tag of an image reference; None when pinned by digest."""
    if "@" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else ""


def latest_tag(kind: str, obj: dict, v) -> list[Finding]:
    if not template_subject(kind, obj):
        return []
    m, spec = meta(obj), pod_template(kind, obj)[1]
    bad = [c for c in _containers(spec) if image_tag(c.get("image", "")) in ("", "latest")]
    if not bad:
        return []
    ns, name = m.get("namespace", ""), m.get("name", "")
    evidence = tuple(f"container {c.get('name')}: image {c.get('image')}"
                     + ("" if image_tag(c.get("image", "")) else " (no tag: latest)")
                     for c in bad)

    def fix() -> str:
        items = []
        for c in bad:
            digest = v.image_id(kind, ns, name, c.get("name", ""))
            base = c.get("image", "").rsplit(":", 1)[0] if image_tag(c.get("image", "")) \
                else c.get("image", "")
            items.append({"name": c.get("name", ""),
                          "image": f"{base}@{digest.split('@', 1)[1]}" if digest and "@" in
                          digest else f"{base}:<version>"})
        return patch_fix(kind, ns, name, spec_patch(kind, {"containers": items}),
                         "pin the image (the digest is what runs now, where kubetui saw it)")

    images = ", ".join(c.get("image", "") for c in bad)
    return [Finding("latest-tag", WARNING, kind, ns, name,
                    f"unpinned image{'s' if len(bad) > 1 else ''}: {images}", evidence,
                    make_fix=fix)]


RULES: dict[str, Rule] = {r.id: r for r in (
    Rule("missing-requests", WARNING, "Missing resources.requests",
         "Without requests, the scheduler packs Pods onto nodes and OOM-kills them under "
         "load.", TEMPLATE_KINDS, (*TEMPLATE_KINDS,), missing_requests, app_only=True),
    Rule("tight-memory-limit", ERROR, "Overly tight limits.memory",
         "OOMKilled loops. JVMs are famously hard to right-size.", RUNTIME_KINDS,
         (*RUNTIME_KINDS,), tight_memory_limit),
    Rule("liveness-probe", ERROR, "Wrong liveness probe",
         "A heavy /live endpoint causes cascading restarts under load. Keep liveness cheap "
         "and independent of external deps.", TEMPLATE_KINDS, (*TEMPLATE_KINDS, "Event"),
         liveness_probe),
    Rule("readiness-without-liveness", WARNING, "Readiness without liveness",
         "Pod never gets traffic but also never restarts. Both probes serve different "
         "roles.", TEMPLATE_KINDS, (*TEMPLATE_KINDS,), readiness_without_liveness,
         app_only=True),
    Rule("default-service-account", WARNING, "Default ServiceAccount used by app Pods",
         "Grants cluster-wide read access by default in some distributions. Use explicit "
         "ServiceAccounts.", TEMPLATE_KINDS, (*TEMPLATE_KINDS, "ServiceAccount"),
         default_service_account, app_only=True),
    Rule("nodeport", WARNING, "NodePort exposed to the internet",
         "Doesn't go through a load balancer; bypasses most ingress features.",
         ("Service",), ("Service",), nodeport),
    Rule("stale-config", WARNING, "ConfigMap update that doesn't restart pods",
         "Pods don't automatically roll on ConfigMap changes. Use a checksum annotation on "
         "the Deployment template.", ("Deployment", "StatefulSet", "DaemonSet", "Pod"),
         ("Deployment", "StatefulSet", "DaemonSet", "Pod", "ConfigMap", "Secret"),
         stale_config),
    Rule("namespace-stuck", ERROR, "Namespace deletion stuck on finalizers",
         "Manually patch the finalizer to null or the namespace hangs forever.",
         ("Namespace",), ("Namespace", "ConfigMap", "Secret", "PersistentVolumeClaim", "Pod",
                          "Service", *WORKLOADS), namespace_stuck),
    Rule("orphan-pvc", WARNING, "PVCs that survive unintentionally",
         "Delete the StatefulSet and the PVCs remain. Document cleanup or use a delete "
         "policy.", ("PersistentVolumeClaim",), ("PersistentVolumeClaim", "Pod",
                                                  "StatefulSet"), orphan_pvc),
    Rule("hpa-without-requests", ERROR, "HPA on deployments without requests",
         "HPA computes utilization as a percentage of requests; no requests = no metric = "
         "no scaling.", ("HorizontalPodAutoscaler",),
         ("HorizontalPodAutoscaler", "Deployment", "StatefulSet"), hpa_without_requests),
    Rule("database-deployment", WARNING, "Running a database as a Deployment",
         "Use a StatefulSet, or better, a managed database outside the cluster.",
         ("Deployment",), ("Deployment", "PersistentVolumeClaim"), database_deployment),
    Rule("cronjob-overlap", WARNING, "CronJob runs that pile up",
         "CronJobs can skip or pile up if the previous run hasn't finished. Set "
         "concurrencyPolicy: Forbid unless overlap is safe.", ("CronJob",),
         ("CronJob", "Job"), cronjob_overlap),
    Rule("selector-no-pods", ERROR, "Service selecting no (ready) pod",
         "Services select Pods by label match: a footgun if your labels drift.",
         ("Service",), ("Service", "Pod"), selector_no_pods),
    Rule("sts-pvc-retained", INFO, "StatefulSet claims that deletion leaves behind",
         "The PVC survives Pod deletion. Deleting the StatefulSet does not delete the "
         "PVCs. Clean them up manually.", ("StatefulSet",),
         ("StatefulSet", "PersistentVolumeClaim"), sts_pvc_retained),
    Rule("latest-tag", WARNING, ":latest or untagged images",
         "Pods are cattle, not pets: a replacement may pull another image than its "
         "siblings run, and a rollback has no version to go back to.", TEMPLATE_KINDS, (*TEMPLATE_KINDS,),
         latest_tag, app_only=True),
)}

__all__ = ["ERROR", "Finding", "INFO", "RANK", "RULES", "Rule", "WARNING", "config_changed",
           "config_refs", "delete_note", "pod_owner", "retained_claims", "template_subject"]
