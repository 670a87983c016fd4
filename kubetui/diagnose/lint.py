"""Footgun lint: the rules of `lint_rules` run over a cluster's objects, once (`lint`,
for the command line and saved files) or incrementally (`Linter`, fed from informers).

`Linter.set(kind, key, obj)` takes one change. It keeps small indexes (which pods each
workload controls, who mounts each claim, which subjects read each ConfigMap, which
pods each Service selects ...) and from the old and the new object works out which
subjects need which rules again; `flush()` runs only those. A pod whose annotations
changed re-checks nothing of its workload; a pod that was OOM-killed re-checks the
memory rule of its Deployment. The objects are the caller's (an informer's store):
held by reference, never copied.

Configuration (`[lint]` in config.toml, see `LintConfig.from_table`) turns rules off,
everywhere or per namespace; rules about app pods skip the system namespaces."""

from __future__ import annotations

import builtins
import gc
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from kubetui.render.json_types import Obj
from kubetui.render.metrics import Reading

from .lint_rules import (
    ERROR,
    INFO,
    RANK,
    RULES,
    WARNING,
    Finding,
    Rule,
    config_changed,
    config_refs,
    is_ready,
    meta,
    pod_owner,
    quantity_or_none,
    selector_matches,
    sts_claim,
    template_subject,
)
from .lint_workloads import near_limit, reload_annotations

SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")
KINDS = ("Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service",
         "ConfigMap", "Secret", "ServiceAccount", "PersistentVolumeClaim",
         "HorizontalPodAutoscaler", "Namespace", "Event")
SUBJECT_RULES: dict[str, tuple[Rule, ...]] = {
    k: tuple(r for r in RULES.values() if k in r.subjects) for k in KINDS}
RUNTIME_RULES = frozenset(("tight-memory-limit", "liveness-probe", "stale-config"))
ALL = None  # every rule of a subject
PodSignature = tuple[tuple[object, ...], ...]  # what the runtime rules read of a pod


class _Handler(Protocol):
    def __call__(self, kind: str, key: str, ns: str, name: str, old: Obj | None,
                 new: Obj | None) -> None: ...


@dataclass(frozen=True)
class LintConfig:
    disabled: frozenset[str] = frozenset()
    namespaces: dict[str, frozenset[str]] = field(default_factory=dict)  # ns -> disabled
    system_namespaces: frozenset[str] = frozenset(SYSTEM_NAMESPACES)
    live: bool = True  # the app checks as it watches (markers, :lint)

    def enabled(self, rule: str, namespace: str = "") -> bool:
        if rule in self.disabled:
            return False
        off = self.namespaces.get(namespace)
        if off is not None and (rule in off or "*" in off):
            return False
        return not (RULES[rule].app_only and namespace in self.system_namespaces)

    def rules(self) -> list[Rule]:
        """The rules on somewhere (what needs reading)."""
        return [r for r in RULES.values() if r.id not in self.disabled]

    @classmethod
    def from_table(cls, table: object) -> tuple["LintConfig", list[str]]:
        """The `[lint]` table of config.toml:

            [lint]
            disabled = ["latest-tag"]            # rule ids, everywhere
            system_namespaces = ["kube-system"]  # app-pod rules skip these
            live = true                          # check in the app as it watches

            [lint.namespaces.legacy]
            disabled = ["nodeport"]              # or ["*"]: nothing in legacy

        Returns the config and what was wrong with the table (each ignored)."""
        problems: list[str] = []
        if not table:
            return cls(), problems
        if not isinstance(table, dict):
            return cls(), ["[lint] should be a table; ignored"]

        def ids(value: object, where: str) -> frozenset[str]:
            if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
                problems.append(f"{where} should be a list of rule ids; ignored")
                return frozenset()
            unknown = [x for x in value if x not in RULES and x != "*"]
            if unknown:
                problems.append(f"{where}: no rule {', '.join(map(repr, unknown))} "
                                f"(rules: {', '.join(RULES)})")
            return frozenset(x for x in value if x in RULES or x == "*")

        disabled = ids(table.get("disabled", []), "[lint] disabled")
        per_ns: dict[str, frozenset[str]] = {}
        namespaces = table.get("namespaces", {})
        if not isinstance(namespaces, dict):
            problems.append("[lint.namespaces] should be tables of namespaces; ignored")
            namespaces = {}
        for ns, sub in namespaces.items():
            if not isinstance(sub, dict):
                problems.append(f"[lint.namespaces.{ns}] should be a table; ignored")
                continue
            per_ns[str(ns)] = ids(sub.get("disabled", []), f"[lint.namespaces.{ns}] disabled")
        system = table.get("system_namespaces", list(SYSTEM_NAMESPACES))
        if not isinstance(system, list):
            problems.append("[lint] system_namespaces should be a list; ignored")
            system = list(SYSTEM_NAMESPACES)
        live = table.get("live", True)
        if not isinstance(live, bool):
            problems.append("[lint] live should be true or false; ignored")
            live = True
        for key in set(table) - {"disabled", "namespaces", "system_namespaces", "live"}:
            problems.append(f"[lint] has no setting {key!r}; ignored")
        return cls("*" in disabled and frozenset(RULES) or disabled, per_ns,
                   frozenset(map(str, system)), live), problems

    def reads(self) -> set[str]:
        """The kinds the enabled rules read."""
        return {k for r in self.rules() for k in r.reads}


def _split(key: str) -> tuple[str, str]:
    ns, _, name = key.rpartition("/")
    return ns, name


def _claims(pod: Obj) -> tuple[str, ...]:
    return tuple(v["persistentVolumeClaim"].get("claimName", "")
                 for v in (pod.get("spec") or {}).get("volumes") or ()
                 if v.get("persistentVolumeClaim"))


def _pod_signature(pod: Obj | None) -> PodSignature:
    """What the runtime rules read of a pod: a change here re-checks its workload."""
    if pod is None:
        return ()
    out = []
    for cs in (pod.get("status") or {}).get("containerStatuses") or ():
        last = ((cs.get("lastState") or {}).get("terminated") or {}).get("reason")
        cur = ((cs.get("state") or {}).get("terminated") or {}).get("reason")
        out.append((cs.get("name"), cs.get("restartCount", 0), last, cur,
                    ((cs.get("state") or {}).get("running") or {}).get("startedAt")))
    return tuple(out)


def _bare_pod_moved(old: Obj | None, new: Obj | None) -> bool:
    """Whether a bare pod whose spec stayed changed in what its rules read besides the
    spec: labels, deletion, the annotations that say its configs reload, and the
    container states the runtime rules read. (Status and annotation updates are most of
    a busy cluster's pod events; each had re-run every rule.)"""
    if old is None or new is None:
        return True
    m_old, m_new = meta(old), meta(new)
    return (m_old.get("labels") != m_new.get("labels")
            or m_old.get("deletionTimestamp") != m_new.get("deletionTimestamp")
            or reload_annotations(m_old) != reload_annotations(m_new)
            or _pod_signature(old) != _pod_signature(new))


def _liveness_container(event: Obj) -> str | None:
    """The container a kubelet's `Liveness probe failed` event is about (None: not one)."""
    if event.get("reason") != "Unhealthy" or not (event.get("message") or "").startswith(
            "Liveness probe failed"):
        return None
    path = (event.get("involvedObject") or {}).get("fieldPath") or ""
    return path[len("spec.containers{"):-1] if path.startswith("spec.containers{") else ""


class Linter:
    """The findings of a set of objects, kept up to date one change at a time."""

    def __init__(self, config: LintConfig | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.config = config or LintConfig()
        self.clock = clock
        self.now = clock()
        self.objs: dict[str, dict[str, Obj]] = {k: {} for k in KINDS}
        self.by_ns: dict[str, dict[str, set[str]]] = {k: {} for k in KINDS}
        self.pod_owner: dict[str, tuple[str, str] | None] = {}
        self._owners: dict[tuple[str, str], tuple[str, str]] = {}
        self.owned: dict[tuple[str, str, str], set[str]] = {}  # workload -> pod keys
        self.pod_claims: dict[str, tuple[str, ...]] = {}
        self.claims: dict[tuple[str, str], set[str]] = {}  # (ns, claim) -> pod keys
        # subject -> the (kind, name) of the configs it reads
        self.uses: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
        self.users: dict[tuple[str, str, str], set[tuple[str, str]]] = {}  # config -> subjects
        self.hpa_target: dict[str, tuple[str, str, str]] = {}
        self.hpas: dict[tuple[str, str, str], set[str]] = {}  # workload -> hpa keys
        self.job_cronjob: dict[str, str] = {}
        self.cronjob_jobs: dict[tuple[str, str], set[str]] = {}
        self.event_pod: dict[str, tuple[str, str]] = {}
        self.pod_events: dict[tuple[str, str], set[str]] = {}
        self.selected: dict[str, set[str]] = {}  # service key -> pod keys it selects
        self.pod_services: dict[str, tuple[str, ...]] = {}  # pod key -> its Services
        # (ns, label, value) of one item of each Service's selector -> those services:
        # a pod is matched against the services that could select it, not all of them
        self.svc_index: dict[tuple[str, str, str], set[str]] = {}
        self.pod_metrics: Mapping[str, Reading] = {}  # pod key -> PodMetrics
        self.observed: dict[tuple[str, str], float] = {}  # config changes seen, no field times
        self.found: dict[tuple[str, str], dict[str, tuple[Finding, ...]]] = {}
        self.version = 0  # bumped when any finding changes
        self._flagged: dict[tuple[str, str | None], tuple[int, str | None]] = {}  # this version's
        self._flagged_version: int | None = None  # the version _flagged counted
        self._dirty: dict[tuple[str, str], set[str] | None] = {}
        self._handlers: dict[str, _Handler] = {
            "Pod": self._pod, "Service": self._service, "ConfigMap": self._config,
            "Secret": self._config, "ServiceAccount": self._account,
            "PersistentVolumeClaim": self._claim, "HorizontalPodAutoscaler": self._hpa,
            "Namespace": self._namespace, "Event": self._event,
            **{k: self._workload for k in ("Deployment", "StatefulSet", "DaemonSet", "Job",
                                           "CronJob")}}

    # -- taking changes
    def set(self, kind: str, key: str, obj: Obj | None) -> None:
        """One object added, changed (a new dict: objects are never changed in place) or
        deleted (None)."""
        objs = self.objs[kind]
        old = objs.get(key)
        if obj is None and old is None:
            return
        ns, name = _split(key)
        if obj is None:
            del objs[key]
            keys = self.by_ns[kind].get(ns)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self.by_ns[kind][ns]
        else:
            if old is obj:
                return
            objs[key] = obj
            if old is None:
                self.by_ns[kind].setdefault(ns, set()).add(key)
        self._handlers[kind](kind, key, ns, name, old, obj)
        if ns and kind != "Namespace":
            namespace = self.objs["Namespace"].get(ns)
            if namespace is not None and meta(namespace).get("deletionTimestamp"):
                self._mark("Namespace", ns, "namespace-stuck")

    def reset(self, kind: str, items: dict[str, Obj]) -> None:
        """Every object of a kind, anew (a relist; the collector held off, as in flush)."""
        paused = len(items) >= 1000 and gc.isenabled()
        if paused:
            gc.disable()
        try:
            for key in [k for k in self.objs[kind] if k not in items]:
                self.set(kind, key, None)
            for key, obj in items.items():
                self.set(kind, key, obj)
        finally:
            if paused:
                gc.enable()

    def set_metrics(self, metrics: Mapping[str, Reading] | None) -> None:
        """PodMetrics by pod key (None: metrics.k8s.io is not served)."""
        metrics = metrics or {}
        old = self.pod_metrics
        for key in set(old) | set(metrics):
            was, now = old.get(key), metrics.get(key)
            if (was or {}).get("containers") == (now or {}).get("containers"):
                continue
            pod = self.objs["Pod"].get(key)
            # usage moves one rule, and only for a container near its limit before or
            # after (usage drifts on every pod every read: 10,000 re-checks a minute, on
            # the UI's thread, were 0.24 s each time)
            if pod is not None and (near_limit(pod, was) or near_limit(pod, now)):
                self._mark_runtime(key, pod_owner(pod), "tight-memory-limit")
        self.pod_metrics = metrics

    def tick(self) -> None:
        """What time alone changes: namespaces Terminating long enough to be stuck."""
        for key, ns in self.objs["Namespace"].items():
            if meta(ns).get("deletionTimestamp"):
                self._mark("Namespace", key, "namespace-stuck")

    def flush(self) -> bool:
        """Run the rules the changes call for; True when a finding changed. A big pass
        (a first sync) holds the garbage collector off: what it builds is acyclic, and
        collections would scan the whole cache again and again meanwhile."""
        if len(self._dirty) < 1000 or not gc.isenabled():
            return self._flush()
        gc.disable()
        try:
            return self._flush()
        finally:
            gc.enable()

    def _flush(self) -> bool:
        self.now = self.clock()
        dirty, self._dirty = self._dirty, {}
        changed = False
        for (kind, key), rules in dirty.items():
            obj = self.objs[kind].get(key)
            ns = key if kind == "Namespace" else _split(key)[0]
            before = self.found.get((kind, key))
            now = dict(before) if before else {}
            for rule in SUBJECT_RULES[kind]:
                if rules is not ALL and rule.id not in rules:
                    continue
                out = tuple(rule.check(kind, obj, self)) if (
                    obj is not None and self.config.enabled(rule.id, ns)) else ()
                if out:
                    now[rule.id] = out
                else:
                    now.pop(rule.id, None)
            if now != (before or {}):
                changed = True
                if now:
                    self.found[(kind, key)] = now
                else:
                    self.found.pop((kind, key), None)
        if changed:
            self.version += 1
        return changed

    def recheck_all(self) -> bool:
        """Every rule on every subject (after the config changed)."""
        for kind, rules in SUBJECT_RULES.items():
            if rules:
                for key in self.objs[kind]:
                    self._dirty[(kind, key)] = ALL
        return self.flush()

    # -- reading findings
    def findings(self) -> list[Finding]:
        out = [f for per in self.found.values() for fs in per.values() for f in fs]
        out.sort(key=lambda f: (RANK[f.severity], f.rule, f.namespace, f.name, f.container))
        return out

    def of(self, kind: str, key: str, owner: bool = True) -> list[Finding]:
        """An object's findings; a pod's include its workload's (`owner`)."""
        out = [f for fs in (self.found.get((kind, key)) or {}).values() for f in fs]
        if owner and kind == "Pod":
            pod = self.objs["Pod"].get(key)
            o = pod_owner(pod) if pod is not None else None
            if o is not None:
                ns = _split(key)[0]
                out += [f for fs in (self.found.get((o[0], f"{ns}/{o[1]}")) or {}).values()
                        for f in fs]
        return sorted(out, key=lambda f: (RANK[f.severity], f.rule))

    def severity_of(self, kind: str, key: str) -> str | None:
        """The worst finding on an object (a pod: its own or its workload's)."""
        worst = None
        for per in self._per(kind, key):
            for fs in per.values():
                for f in fs:
                    if worst is None or RANK[f.severity] < RANK[worst]:
                        worst = f.severity
        return worst

    def _per(self, kind: str, key: str) -> Iterator[dict[str, tuple[Finding, ...]]]:
        own = self.found.get((kind, key))
        if own:
            yield own
        if kind == "Pod" and self.found:
            o = self.pod_owner.get(key)
            if o is not None:
                up = self.found.get((o[0], f"{_split(key)[0]}/{o[1]}"))
                if up:
                    yield up

    def flagged(self, kind: str, namespace: str | None = None) -> tuple[int, str | None]:
        """(how many objects of a kind have findings, the worst), in a namespace (None:
        all; `a,b`: those); a pod counts when its workload has some. Counted once per
        version of the findings."""
        memo = self._flagged
        if self._flagged_version != self.version:
            memo.clear()
            self._flagged_version = self.version
        hit = memo.get((kind, namespace))
        if hit is None:
            hit = memo[(kind, namespace)] = self._count(kind, namespace)
        return hit

    def _count(self, kind: str, namespace: str | None) -> tuple[int, str | None]:
        wanted = None if namespace is None else set(namespace.split(","))
        marks: dict[str, str] = {}
        for (k, key), per in self.found.items():
            ns = _split(key)[0]
            if wanted is not None and ns not in wanted:
                continue
            worst = min((f.severity for fs in per.values() for f in fs), key=RANK.__getitem__)
            if k == kind:
                marks[key] = min(marks.get(key, worst), worst, key=RANK.__getitem__)
            elif kind == "Pod":
                for pod in self.owned.get((k, ns, _split(key)[1]), ()):
                    marks[pod] = min(marks.get(pod, worst), worst, key=RANK.__getitem__)
        return len(marks), min(marks.values(), key=RANK.__getitem__) if marks else None

    # -- the view the rules read through
    def get(self, kind: str, ns: str, name: str) -> Obj | None:
        objs = self.objs.get(kind)
        return None if objs is None else objs.get(f"{ns}/{name}" if ns else name)

    def in_ns(self, kind: str, ns: str) -> list[Obj]:
        objs = self.objs[kind]
        return [objs[k] for k in self.by_ns[kind].get(ns, ())]

    def pods_of(self, kind: str, ns: str, name: str) -> list[Obj]:
        pods = self.objs["Pod"]
        return [pods[k] for k in sorted(self.owned.get((kind, ns, name), ())) if k in pods]

    def claim_users(self, ns: str, claim: str) -> builtins.set[str]:
        return self.claims.get((ns, claim), set())

    def members(self, ns: str, name: str) -> list[Obj]:
        """The pods a Service selects."""
        pods = self.objs["Pod"]
        return [pods[k] for k in sorted(self.selected.get(f"{ns}/{name}", ())) if k in pods]

    def jobs_of(self, ns: str, cronjob: str) -> list[Obj]:
        jobs = self.objs["Job"]
        return [jobs[k] for k in self.cronjob_jobs.get((ns, cronjob), ()) if k in jobs]

    def liveness_events(self, ns: str, pod: str, container: str) -> list[Obj]:
        events = self.objs["Event"]
        out = []
        for k in self.pod_events.get((ns, pod), ()):
            e = events.get(k)
            if e is not None and _liveness_container(e) in (container, ""):
                out.append(e)
        return out

    def usage(self, kind: str, ns: str, name: str,
              container: str) -> tuple[float, float] | None:
        """(cpu cores, memory bytes) a container uses: the most of any of its pods."""
        if not self.pod_metrics:
            return None
        keys = [f"{ns}/{name}"] if kind == "Pod" else sorted(self.owned.get((kind, ns, name),
                                                                         ()))
        best = None
        for k in keys:
            pm = self.pod_metrics.get(k)
            for c in (pm or {}).get("containers") or ():
                if c.get("name") != container:
                    continue
                u = c.get("usage") or {}
                cpu, mem = quantity_or_none(u.get("cpu", 0)), quantity_or_none(u.get("memory", 0))
                if cpu is None or mem is None:
                    continue
                best = (cpu, mem) if best is None else (max(best[0], cpu), max(best[1], mem))
        return best

    def image_id(self, kind: str, ns: str, name: str, container: str) -> str | None:
        pods = [self.objs["Pod"].get(f"{ns}/{name}")] if kind == "Pod" else \
            self.pods_of(kind, ns, name)
        for p in pods:
            for cs in ((p or {}).get("status") or {}).get("containerStatuses") or ():
                if cs.get("name") == container and "@" in (cs.get("imageID") or ""):
                    image: str = cs["imageID"]
                    return image
        return None

    def config_changed(self, kind: str, ns: str, name: str) -> tuple[float | None, str]:
        obj = self.get(kind, ns, name)
        if obj is None:
            return None, ""
        t, who = config_changed(obj)
        seen = self.observed.get((kind, f"{ns}/{name}"))
        if seen is not None and (t is None or seen > t):
            return seen, "a change kubetui saw"
        return t, who

    def deleting_in(self, ns: str) -> list[tuple[str, Obj]]:
        out = []
        for kind in KINDS:
            if kind in ("Namespace", "Event"):
                continue
            for o in self.in_ns(kind, ns):
                m = meta(o)
                if m.get("deletionTimestamp") and m.get("finalizers"):
                    out.append((kind, o))
        return sorted(out, key=lambda ko: (ko[0], meta(ko[1]).get("name", "")))

    # -- what a change touches
    def _mark(self, kind: str, key: str, rule: str | None) -> None:
        if rule is ALL:
            self._dirty[(kind, key)] = ALL
            return
        rules = self._dirty.get((kind, key), set())
        if rules is not ALL:
            rules.add(rule)
            self._dirty[(kind, key)] = rules

    def _mark_runtime(self, pod_key: str, owner: tuple[str, str] | None, *rules: str) -> None:
        if owner is None:
            for r in rules:
                self._mark("Pod", pod_key, r)
        else:
            key = f"{_split(pod_key)[0]}/{owner[1]}"
            for r in rules:
                self._mark(owner[0], key, r)

    def _track_configs(self, kind: str, key: str, obj: Obj | None) -> None:
        """Which ConfigMaps and Secrets a subject's pods read (for stale-config)."""
        ns = _split(key)[0]
        refs = () if obj is None or not template_subject(kind, obj) else tuple(
            (k, n) for k, n, _ in config_refs(
                (obj.get("spec") or {}) if kind == "Pod" else
                ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}))
        old = self.uses.get((kind, key), ())
        if refs == old:
            return
        for k, n in old:
            users = self.users.get((k, ns, n))
            if users is not None:
                users.discard((kind, key))
        for k, n in refs:
            self.users.setdefault((k, ns, n), set()).add((kind, key))
        if refs:
            self.uses[(kind, key)] = refs
        else:
            self.uses.pop((kind, key), None)

    def _pod(self, kind: str, key: str, ns: str, name: str, old: Obj | None,
            new: Obj | None) -> None:
        had = key in self.pod_owner
        before = self.pod_owner.get(key)
        owner = pod_owner(new) if new is not None else None
        if owner is not None:  # one tuple per workload, not per pod
            owner = self._owners.setdefault(owner, owner)
        if new is None:
            self.pod_owner.pop(key, None)
        else:
            self.pod_owner[key] = owner
        if owner != before or new is None or not had:
            if had and before is not None:
                pods = self.owned.get((before[0], ns, before[1]))
                if pods is not None:
                    pods.discard(key)
                    if not pods:
                        del self.owned[(before[0], ns, before[1])]
                self._mark_runtime(key, before, *RUNTIME_RULES)
            if new is not None and owner is not None:
                self.owned.setdefault((owner[0], ns, owner[1]), set()).add(key)
                self._mark_runtime(key, owner, *RUNTIME_RULES)
        elif owner is not None and _pod_signature(old) != _pod_signature(new):
            self._mark_runtime(key, owner, *RUNTIME_RULES)
        # a pod's spec barely changes (most of it is immutable): what reads only the
        # spec need not run again when its status or an annotation moved
        same_spec = (had and owner == before and old is not None and new is not None
                     and old.get("spec") == new.get("spec"))
        if owner is None and (new is not None or before is None):
            if not same_spec or _bare_pod_moved(old, new):
                self._mark("Pod", key, ALL)  # a bare pod is its own subject
        elif owner is not None and had and before is None:
            self._mark("Pod", key, ALL)  # it was, and is no more: drop its findings
        if not same_spec:
            self._track_configs("Pod", key, new)
        # the claims it mounts (orphan-pvc)
        before_claims = self.pod_claims.get(key, ())
        claims = before_claims if same_spec else _claims(new) if new is not None else ()
        if claims != before_claims:
            for c in before_claims:
                users = self.claims.get((ns, c))
                if users is not None:
                    users.discard(key)
                    if not users:
                        del self.claims[(ns, c)]
            for c in claims:
                self.claims.setdefault((ns, c), set()).add(key)
            if claims:
                self.pod_claims[key] = claims
            else:
                self.pod_claims.pop(key, None)
            for c in set(before_claims) ^ set(claims):
                self._mark("PersistentVolumeClaim", f"{ns}/{c}", "orphan-pvc")
        # the Services that select it (selector-no-pods)
        if not self.svc_index and key not in self.pod_services:
            return
        services = self.objs["Service"]
        labels = (meta(new).get("labels") or {}) if new is not None else {}
        index = self.svc_index
        candidates = set(self.pod_services.get(key, ()))
        for k, val in labels.items():
            found = index.get((ns, k, val))
            if found:
                candidates |= found
        relabelled = old is None or new is None or meta(old).get("labels") != labels
        for skey in candidates:
            service = services.get(skey)
            selector = ((service or {}).get("spec") or {}).get("selector")
            if not selector:
                continue
            members = self.selected.setdefault(skey, set())
            was = key in members
            now = new is not None and not meta(new).get("deletionTimestamp") and \
                selector_matches(selector, labels)
            if was != now:
                self._member(skey, key, now)
                self._mark("Service", skey, "selector-no-pods")
            elif now and new is not None and is_ready(old or {}) != is_ready(new):
                self._mark("Service", skey, "selector-no-pods")
            elif not members and relabelled:
                self._mark("Service", skey, "selector-no-pods")  # a near miss may have moved

    def _member(self, service: str, pod: str, member: bool) -> None:
        members = self.selected.setdefault(service, set())
        theirs = self.pod_services.get(pod, ())  # a tuple: most pods have one Service
        if member:
            members.add(pod)
            if service not in theirs:
                self.pod_services[pod] = (*theirs, service)
        else:
            members.discard(pod)
            rest = tuple(s for s in theirs if s != service)
            if rest:
                self.pod_services[pod] = rest
            else:
                self.pod_services.pop(pod, None)

    def _workload(self, kind: str, key: str, ns: str, name: str, old: Obj | None,
            new: Obj | None) -> None:
        self._mark(kind, key, ALL)
        self._track_configs(kind, key, new)
        for hpa in self.hpas.get((kind, ns, name), ()):
            self._mark("HorizontalPodAutoscaler", hpa, "hpa-without-requests")
        if kind == "Job":
            before = self.job_cronjob.get(key)
            ref = next((r for r in meta(new).get("ownerReferences") or ()
                        if r.get("controller") and r.get("kind") == "CronJob"), None) \
                if new is not None else None
            after = ref.get("name") if ref else None
            if before != after:
                if before is not None:
                    self.cronjob_jobs.get((ns, before), set()).discard(key)
                if after is not None:
                    self.cronjob_jobs.setdefault((ns, after), set()).add(key)
                    self.job_cronjob[key] = after
                else:
                    self.job_cronjob.pop(key, None)
            for cj in {before, after} - {None}:
                self._mark("CronJob", f"{ns}/{cj}", "cronjob-overlap")
        if kind == "StatefulSet":
            for pvc in self.by_ns["PersistentVolumeClaim"].get(ns, ()):
                if any(o is not None and sts_claim(_split(pvc)[1], o) is not None
                       for o in (old, new)):
                    self._mark("PersistentVolumeClaim", pvc, "orphan-pvc")

    def _service(self, kind: str, key: str, ns: str, name: str, old: Obj | None,
            new: Obj | None) -> None:
        self._mark("Service", key, ALL)
        selector = ((new or {}).get("spec") or {}).get("selector") or {}
        before = ((old or {}).get("spec") or {}).get("selector") or {}
        if new is not None and old is not None and before == selector:
            return
        if before:
            entry = (ns, *min(before.items()))
            self.svc_index.get(entry, set()).discard(key)
            if not self.svc_index.get(entry, True):
                del self.svc_index[entry]
        for pod in list(self.selected.get(key, ())):
            self._member(key, pod, False)
        self.selected.pop(key, None)
        if new is None or not selector:
            return
        self.svc_index.setdefault((ns, *min(selector.items())), set()).add(key)
        pods = self.objs["Pod"]
        self.selected[key] = set()
        for k in self.by_ns["Pod"].get(ns, ()):
            member = pods[k]
            if not meta(member).get("deletionTimestamp") and selector_matches(
                    selector, meta(member).get("labels")):
                self._member(key, k, True)

    def _config(self, kind: str, key: str, ns: str, name: str, old: Obj | None,
            new: Obj | None) -> None:
        if old is not None and new is not None and meta(old).get("resourceVersion") != \
                meta(new).get("resourceVersion") and not meta(new).get("managedFields"):
            self.observed[(kind, key)] = self.clock()  # no field times: what was seen
        if new is None:
            self.observed.pop((kind, key), None)
        for subject in self.users.get((kind, ns, name), ()):
            self._mark(*subject, "stale-config")

    def _account(self, kind: str, key: str, ns: str, name: str, old: Obj | None,
            new: Obj | None) -> None:
        if name != "default":
            return
        if (old or {}).get("automountServiceAccountToken") == (new or {}).get(
                "automountServiceAccountToken"):
            return
        for kind in ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"):
            for k in self.by_ns[kind].get(ns, ()):
                self._mark(kind, k, "default-service-account")

    def _claim(self, kind: str, key: str, ns: str, name: str, old: Obj | None,
            new: Obj | None) -> None:
        self._mark("PersistentVolumeClaim", key, ALL)
        for sts in self.by_ns["StatefulSet"].get(ns, ()):
            if sts_claim(name, self.objs["StatefulSet"][sts]) is not None:
                self._mark("StatefulSet", sts, "sts-pvc-retained")
        for dep in self.by_ns["Deployment"].get(ns, ()):
            if name in _claims({"spec": ((self.objs["Deployment"][dep].get("spec") or {})
                                         .get("template") or {}).get("spec") or {}}):
                self._mark("Deployment", dep, "database-deployment")

    def _hpa(self, kind: str, key: str, ns: str, name: str, old: Obj | None,
            new: Obj | None) -> None:
        self._mark("HorizontalPodAutoscaler", key, ALL)
        before = self.hpa_target.get(key)
        ref = ((new or {}).get("spec") or {}).get("scaleTargetRef") or {}
        after = (ref.get("kind", ""), ns, ref.get("name", "")) if new is not None else None
        if before != after:
            if before is not None:
                self.hpas.get(before, set()).discard(key)
            if after is not None:
                self.hpas.setdefault(after, set()).add(key)
                self.hpa_target[key] = after
            else:
                self.hpa_target.pop(key, None)

    def _namespace(self, kind: str, key: str, ns: str, name: str, old: Obj | None,
            new: Obj | None) -> None:
        self._mark("Namespace", key, ALL)

    def _event(self, kind: str, key: str, ns: str, name: str, old: Obj | None,
            new: Obj | None) -> None:
        before = self.event_pod.get(key)
        obj = new if new is not None else old  # set() never passes two Nones
        io = (obj or {}).get("involvedObject") or {}
        after = (io.get("namespace") or ns, io.get("name", "")) if (
            new is not None and io.get("kind") == "Pod" and
            _liveness_container(new) is not None) else None
        if before != after:
            if before is not None:
                self.pod_events.get(before, set()).discard(key)
            if after is not None:
                self.pod_events.setdefault(after, set()).add(key)
                self.event_pod[key] = after
            else:
                self.event_pod.pop(key, None)
        for target in {before, after}:
            if target is None:
                continue
            pod_key = f"{target[0]}/{target[1]}"
            pod = self.objs["Pod"].get(pod_key)
            if pod is not None:
                self._mark_runtime(pod_key, pod_owner(pod), "liveness-probe")


def lint(objects: dict[str, list[Obj]], config: LintConfig | None = None,
         metrics: dict[str, Obj] | None = None, now: float | None = None) -> list[Finding]:
    """The findings of a set of objects by kind (what `kubectl get -o json` lists), at
    `now` (default: the time). `metrics`: PodMetrics by `namespace/name`."""
    linter = Linter(config, clock=(lambda: now) if now is not None else time.time)
    for kind in KINDS:  # pods before what selects them, as a relist would have it
        items = {}
        for obj in objects.get(kind) or ():
            m = meta(obj)
            ns = "" if kind == "Namespace" else m.get("namespace", "")
            items[f"{ns}/{m.get('name', '')}" if ns else m.get("name", "")] = obj
        linter.reset(kind, items)
    linter.set_metrics(metrics)
    linter.flush()
    return linter.findings()


__all__ = ["ERROR", "Finding", "INFO", "KINDS", "LintConfig", "Linter", "RANK", "RULES",
           "SYSTEM_NAMESPACES", "WARNING", "lint"]

