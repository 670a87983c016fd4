"""What the footgun rules share: the finding and rule types, how an object is read
(a pod's controlling workload by name, a workload's pod template, readiness, start
times, quantities) and how a fix is written (a strategic-merge patch with the command
that applies it). The rules are in `lint_workloads` (what a pod template says and what
its pods do) and `lint_rules` (Services, namespaces, claims, HPAs, CronJobs, and the
registry)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol, TypeVar

import yaml

from kubetui.render.age import human_duration, parse_time
from kubetui.render.describe import probe_text
from kubetui.render.json_types import Obj
from kubetui.render.one_copy import OneCopy
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
    # who holds it once stored (`kept_by`), and writes its fix again when asked
    source: Refixer | None = field(default=None, compare=False, repr=False)

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
        if self.make_fix is not None:
            return self.make_fix()
        return self.source.fix_of(self) if self.source is not None else ""

    def kept_by(self, source: Refixer) -> None:
        """Stored by `source` (a Linter): the rule's fix closure is let go, and `source`
        writes the fix from the subject as it is when the fix is asked for. Kept, the
        closures and what they captured held 165 MB at 100,000 bare pods."""
        if self.make_fix is not None:
            object.__setattr__(self, "make_fix", None)
            object.__setattr__(self, "source", source)

    @property
    def reason(self) -> str:
        return REASONS[self.rule]

    def as_dict(self) -> Obj:
        return {"rule": self.rule, "severity": self.severity, "kind": self.kind,
                "namespace": self.namespace, "name": self.name, "message": self.message,
                "container": self.container, "evidence": list(self.evidence),
                "reason": self.reason, "fix": self.fix}


class Refixer(Protocol):
    """What writes a stored finding's fix again (lint.Linter)."""

    def fix_of(self, finding: Finding) -> str: ...


# a value -> its one copy (the same type as the value); cleared at 20,000 values (at
# 100,000, what single findings said once, usage figures, crept for an hour first)
_SHARED: dict[Hashable, Any] = {}
_H = TypeVar("_H", bound=Hashable)


def _shared(value: _H) -> _H:
    if len(_SHARED) > 20_000:
        _SHARED.clear()
    one: _H = _SHARED.setdefault(value, value)
    return one


class LintView(Protocol):
    """What a rule reads of the other objects (lint.Linter is one)."""

    now: float

    def get(self, kind: str, ns: str, name: str) -> Obj | None: ...
    def in_ns(self, kind: str, ns: str) -> list[Obj]: ...
    def pods_of(self, kind: str, ns: str, name: str) -> list[Obj]: ...
    def claim_users(self, ns: str, claim: str) -> set[str]: ...
    def members(self, ns: str, name: str) -> list[Obj]: ...
    def jobs_of(self, ns: str, cronjob: str) -> list[Obj]: ...
    def liveness_events(self, ns: str, pod: str, container: str) -> list[Obj]: ...
    def usage(self, kind: str, ns: str, name: str,
              container: str) -> tuple[float, float] | None: ...
    def image_id(self, kind: str, ns: str, name: str, container: str) -> str | None: ...
    def config_changed(self, kind: str, ns: str, name: str) -> tuple[float | None, str]: ...
    def deleting_in(self, ns: str) -> list[tuple[str, Obj]]: ...


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # the worst a finding of it can be
    title: str
    reason: str  # the seed's words, one line
    subjects: tuple[str, ...]  # the kinds its findings are about
    reads: tuple[str, ...]  # the kinds it reads (its subjects included)
    check: Callable[[str, Obj, LintView], list[Finding]]
    app_only: bool = False  # skipped in the system namespaces (kube-system ...)

    def __post_init__(self) -> None:
        REASONS[self.id] = self.reason


# every rule's reason by its id, filled as the rules are made (lint_rules), so a finding
# can say why without this module importing the rules that import it
REASONS: dict[str, str] = {}


# -- reading objects
def key_of(ns: str | None, name: str) -> str:
    return f"{ns}/{name}" if ns else name


def meta(obj: Obj) -> Obj:
    return obj.get("metadata") or {}


def controller_ref(obj: Obj) -> Obj | None:
    refs = (obj.get("metadata") or {}).get("ownerReferences")
    if not refs:
        return None
    for r in refs:
        if r.get("controller"):
            ref: Obj = r
            return ref
    return None


def pod_owner(pod: Obj) -> tuple[str, str] | None:
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


def owned_by_cronjob(obj: Obj) -> bool:
    ref = controller_ref(obj)
    return ref is not None and ref.get("kind") == "CronJob"


def template_subject(kind: str, obj: Obj) -> bool:
    """Is this object where its pod template's findings are shown?"""
    if kind == "Pod":
        return pod_owner(obj) is None
    if kind == "Job":
        return not owned_by_cronjob(obj)
    return kind in WORKLOADS


def pod_template(kind: str, obj: Obj) -> tuple[Obj, Obj]:
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


def all_containers(spec: Obj, init: bool = True) -> list[Obj]:
    out = list(spec.get("containers") or ())
    return [*(spec.get("initContainers") or ()), *out] if init else out


def is_ready(pod: Obj) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or ())


def pod_started(pod: Obj) -> float | None:
    """When the oldest of its running containers started (what it runs dates from)."""
    st = pod.get("status") or {}
    times = [parse_time(((cs.get("state") or {}).get("running") or {}).get("startedAt"))
             for cs in st.get("containerStatuses") or ()]
    known = [t for t in times if t]
    return min(known) if known else None


@lru_cache(maxsize=4096)
def quantity_or_none(value: object) -> float | None:
    try:
        return parse_quantity(value)
    except (TypeError, ValueError):
        return None


# id of a probe -> (the probe, its text); a probe is held while it is in the table (so
# its id stays its own), and what no pod uses is forgotten in two generations
_PROBES: OneCopy[int, tuple[Obj, str]] = OneCopy(2_000)


def cached_probe_text(probe: Obj) -> str:
    """kubectl's probe text, once per probe object (slim pods share theirs)."""
    hit = _PROBES.get(id(probe))
    if hit is not None and hit[0] is probe:
        return hit[1]
    text = probe_text(probe)
    _PROBES.add(id(probe), (probe, text))
    return text


def ago_text(t: float | None, now: float) -> str:
    return f"{human_duration(now - t)} ago" if t else "at an unknown time"


def claim_size(pvc: Obj) -> str:
    st, spec = pvc.get("status") or {}, pvc.get("spec") or {}
    return ((st.get("capacity") or {}).get("storage") or
            ((spec.get("resources") or {}).get("requests") or {}).get("storage") or "?")


# -- the fix snippets
def dump(doc: object) -> str:
    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, width=100)


def nest(path: tuple[str, ...], leaf: Obj) -> Obj:
    for part in reversed(path):
        leaf = {part: leaf}
    return leaf


def kind_word(kind: str) -> str:
    return {"Deployment": "deployment", "StatefulSet": "statefulset", "DaemonSet": "daemonset",
            "Job": "job", "CronJob": "cronjob", "Pod": "pod", "Service": "service",
            "HorizontalPodAutoscaler": "hpa", "PersistentVolumeClaim": "pvc",
            "Namespace": "namespace"}.get(kind, kind.lower())


def patch_fix(kind: str, ns: str, name: str, doc: Obj, note: str = "") -> str:
    """A strategic-merge patch for an object, with the command that applies it."""
    where = f"-n {ns} " if ns else ""
    head = [f"# {note}"] if note else []
    if kind == "Pod":
        head.append("# a pod's spec cannot be patched: change what creates it, then "
                    "recreate it with:")
    else:
        head.append(f"# kubectl {where}patch {kind_word(kind)} {name} --type strategic "
                    "--patch-file fix.yaml")
    return "\n".join(head) + "\n" + dump(doc)


def spec_patch(kind: str, leaf: Obj) -> Obj:
    return nest(SPEC_PATH.get(kind, ("spec", "template", "spec")), leaf)


def meta_patch(kind: str, leaf: Obj) -> Obj:
    return nest(META_PATH.get(kind, ("spec", "template", "metadata")), leaf)


def cpu_request_text(cores: float) -> str:
    milli = max(10, -(-round(cores * 1000) // 10) * 10)
    return f"{milli}m"


def memory_request_text(n: float) -> str:
    mi = max(16, -(-int(n) // (16 * 2**20)) * 16)
    return f"{mi // 1024}Gi" if mi % 1024 == 0 else f"{mi}Mi"


# -- 9 orphan-pvc
def sts_claim(pvc_name: str, sts: Obj) -> int | None:
    """The ordinal, if the claim is one of this StatefulSet's volumeClaimTemplates'."""
    sname = meta(sts).get("name", "")
    for tpl in (sts.get("spec") or {}).get("volumeClaimTemplates") or ():
        prefix = f"{meta(tpl).get('name', '')}-{sname}-"
        rest = pvc_name[len(prefix):]
        if pvc_name.startswith(prefix) and rest.isdigit():
            return int(rest)
    return None


# -- selector-no-pods
def selector_matches(selector: Obj, labels: Obj | None) -> bool:
    labels = labels or {}
    return all(labels.get(k) == v for k, v in selector.items())


# -- latest-tag
def image_tag(image: str) -> str | None:
    """The tag of an image reference; None when pinned by digest."""
    if "@" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else ""


def image_name(image: str) -> str:
    """`docker.io/bitnami/postgresql:16@sha256:..` -> `postgresql`."""
    last = image.split("@")[0].rsplit("/", 1)[-1]
    return last.split(":")[0].lower()
