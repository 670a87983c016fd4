"""Everything about one broken target, read once, for `kubetui diagnose`, `kubetui
report` and the checklist's `b` and `t`: the checklist of its most troubled pod, the
timeline of the workload, describe, events, logs, the rollout history with its last
diff, the node. Works over a live cluster (KubeClient) or saved files (OfflineClient).
Secret values are read only to be masked wherever they would appear."""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, TypeVar, overload

from kubetui.diagnose import Checklist, build
from kubetui.diagnose import timeline as tl
from kubetui.render.json_types import Obj
from kubetui.render.printers import pod_selector

from . import rollout
from .client import ApiError, Reader
from .evidence import described, gather, owner_of, pick_pod
from .kinds import KINDS, Kind
from .kinds import kind as find_kind

log = logging.getLogger("kubetui.incident")
_T = TypeVar("_T")
MASK = "********"
_TOKENS = (re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),  # JWTs
           re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
           re.compile(r"(?i)((?:password|passwd|token|secret|api[_-]?key)\s*[=:]\s*)\S+"))


class CannotLook(Exception):
    """The target itself could not be read (exit code 2 of `kubetui diagnose`)."""


@dataclass
class Incident:
    kind: str  # Pod, Deployment, ...
    namespace: str
    name: str
    pod: str | None  # the pod the checklist looked at
    checklist: Checklist | None
    timeline: tl.Timeline
    describe: str = ""
    events: list[Obj] = field(default_factory=list)
    history: list[rollout.Revision] = field(default_factory=list)
    last_diff: str = ""
    node: Obj | None = None
    findings: list[str] = field(default_factory=list)  # the footgun lint's, when it ran
    secrets: list[str] = field(default_factory=list)  # values to mask, never shown

    @property
    def target(self) -> str:
        return f"{self.kind.lower()}/{self.name}"

    def mask(self, text: str) -> str:
        """Secret values the pod can see, and token-looking strings, masked."""
        for value in sorted(self.secrets, key=len, reverse=True):
            if len(value) >= 4:
                text = text.replace(value, MASK)
        for pattern in _TOKENS:
            text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + MASK, text)
        return text


def resolve(target: str) -> tuple[Kind, str]:
    """`pod/NAME`, `deploy/NAME`, `sts/NAME`, ... (a bare NAME is a pod)."""
    word, sep, name = target.partition("/")
    if not sep:
        return KINDS["Pod"], target
    try:
        return find_kind(word), name
    except KeyError:
        raise ValueError(f"unknown kind {word!r} in {target!r} (pod/NAME, deploy/NAME, "
                         "sts/NAME, ds/NAME, rs/NAME, job/NAME, svc/NAME)") from None


@overload
def _try(call: Callable[[], _T], default: None = None) -> _T | None: ...


@overload
def _try(call: Callable[[], _T], default: _T) -> _T: ...


def _try(call: Callable[[], _T], default: _T | None = None) -> _T | None:
    try:
        return call()
    except ApiError as exc:
        if exc.status != 404:
            log.error("incident: a read failed", exc_info=True)
        return default


def _config_names(pod: Obj) -> tuple[set[str], set[str]]:
    """The ConfigMaps and Secrets a pod reads (volumes, projections, env, envFrom)."""
    cms: set[str] = set()
    secrets: set[str] = set()
    spec = pod.get("spec") or {}
    for v in spec.get("volumes") or ():
        if "configMap" in v:
            cms.add(v["configMap"].get("name", ""))
        if "secret" in v:
            secrets.add(v["secret"].get("secretName", ""))
        for src in (v.get("projected") or {}).get("sources") or ():
            if "configMap" in src:
                cms.add(src["configMap"].get("name", ""))
            if "secret" in src:
                secrets.add(src["secret"].get("name", ""))
    for c in [*(spec.get("initContainers") or ()), *(spec.get("containers") or ())]:
        for src in c.get("envFrom") or ():
            if "configMapRef" in src:
                cms.add(src["configMapRef"].get("name", ""))
            if "secretRef" in src:
                secrets.add(src["secretRef"].get("name", ""))
        for e in c.get("env") or ():
            ref = e.get("valueFrom") or {}
            if "configMapKeyRef" in ref:
                cms.add(ref["configMapKeyRef"].get("name", ""))
            if "secretKeyRef" in ref:
                secrets.add(ref["secretKeyRef"].get("name", ""))
    return cms - {""}, secrets - {""}


def gather_incident(client: Reader, target: str, namespace: str,
                    actions: Sequence[tuple[float, str, str]] = ()) -> Incident:
    """Read the target and what the report needs; CannotLook when the target or its
    pod cannot be read at all."""
    k, name = resolve(target)
    ns = namespace if k.namespaced else ""
    try:
        obj = client.get_json(k.path(ns or None, name))
        pod_name = name if k.kind == "Pod" else pick_pod(client, k.kind, ns, name)
    except ApiError as exc:
        raise CannotLook(f"cannot read {k.kind.lower()}/{name} in {ns}: {exc.message}") \
            from exc
    except Exception as exc:  # unreachable, refused, a broken dump: say it, exit 2
        raise CannotLook(f"cannot read {k.kind.lower()}/{name}: {exc}") from exc
    incident = Incident(k.kind, ns, name, pod_name, None, tl.Timeline())
    pods: list[Obj] = []
    workload = obj if k.kind != "Pod" else None
    if pod_name:
        try:
            ev = gather(client, ns, pod_name)
        except ApiError as exc:
            raise CannotLook(f"cannot read pod {pod_name}: {exc.message}") from exc
        incident.checklist = build(ev)
        incident.node = ev.node
        incident.events = ev.namespace_events
        incident.describe = _try(lambda: described(client, "Pod", ns, pod_name)[1], "")
        if workload is None:
            owner = owner_of(client, ev.pod)
            workload = owner if owner is not None and owner.get("kind") in (
                "Deployment", "StatefulSet", "DaemonSet") else None
        pods = [ev.pod]
    if workload is not None:
        workload = {**workload, "kind": workload.get("kind") or k.kind}
        selector = pod_selector(workload)
        if selector:
            pods = _try(lambda: client.get_json(KINDS["Pod"].path(ns), {
                "labelSelector": selector}).get("items") or [], pods) or pods
        owned_kind = "ReplicaSet" if workload["kind"] == "Deployment" else \
            "ControllerRevision"
        uid = workload["metadata"].get("uid")
        listed: list[Obj] = _try(lambda: client.get_json(KINDS[owned_kind].path(ns)).get(
            "items") or [], [])
        owned = [o for o in listed if any(r.get("uid") == uid for r in (
                 o["metadata"].get("ownerReferences") or ()))]
        incident.history = (rollout.history_from_replicasets(owned)
                            if owned_kind == "ReplicaSet" else
                            rollout.history_from_controller_revisions(owned))
        if len(incident.history) >= 2:
            incident.last_diff = rollout.template_diff(
                incident.history[-2].template, incident.history[-1].template,
                (f"revision {incident.history[-2].number}",
                 f"revision {incident.history[-1].number}"))
    else:
        owned = []
    nodes = {p["spec"].get("nodeName") for p in pods if (p.get("spec") or {}).get("nodeName")}
    node_objs = [n for n in (_try(partial(client.get_json, KINDS["Node"].path(None, n)))
                             for n in sorted(nodes)) if n]
    cms, secret_names = set(), set()
    for p in pods:
        a, b = _config_names(p)
        cms |= a
        secret_names |= b
    configs = [c for c in (_try(partial(client.get_json, KINDS["ConfigMap"].path(ns, n)))
                           for n in sorted(cms)) if c]
    for n in sorted(secret_names):
        secret = _try(partial(client.get_json, KINDS["Secret"].path(ns, n)))
        if secret is None:
            continue
        for value in (secret.get("data") or {}).values():
            try:
                incident.secrets.append(base64.b64decode(value).decode("utf-8", "replace"))
            except (ValueError, TypeError):
                continue
        secret = {**secret, "data": {}, "stringData": {}}  # the timeline needs no values
        configs.append({**secret, "kind": "Secret"})
    configs = [{**c, "kind": c.get("kind") or "ConfigMap"} for c in configs]
    incident.timeline = tl.build(workload, owned, pods, incident.events, node_objs, configs,
                                 actions)
    incident.findings = _lint_findings(workload, pods, configs, incident.events)
    return incident


def _lint_findings(workload: Obj | None, pods: list[Obj], configs: list[Obj],
                   events: list[Obj]) -> list[str]:
    """The footgun lint's findings about these objects (the report's lint section)."""
    from kubetui.diagnose.lint import lint
    objects: dict[str, list[Obj]] = {"Pod": pods, "Event": events}
    if workload is not None:
        objects[workload.get("kind", "Deployment")] = [workload]
    for c in configs:
        objects.setdefault(c.get("kind", "ConfigMap"), []).append(c)
    try:
        found = lint(objects)
    except Exception:  # the report goes on without its lint section's content
        log.error("incident: the lint failed", exc_info=True)
        return ["(the footgun lint could not run on these objects)"]
    names = {(p.get("metadata") or {}).get("name") for p in pods}
    if workload is not None:
        names.add(workload["metadata"]["name"])
    return sorted({f"{f.severity} {f.rule}: {f.kind.lower()}/{f.name}: {f.message}"
                   for f in found if f.name in names})


__all__ = ["CannotLook", "Incident", "MASK", "gather_incident", "resolve"]
