"""Footgun lint: the rules of `lint_rules` run over a cluster's objects, once (`lint`,
for the command line and saved files) or incrementally (`Linter`, fed from informers).

`Linter.set(kind, key, obj)` takes one change. Its indexes (`lint_index.LintIndex`: which
pods each workload controls, who mounts each claim, which subjects read each ConfigMap,
which pods each Service selects ...) work out from the old and the new object which
subjects need which rules again; `flush()` runs only those. A pod whose annotations
changed re-checks nothing of its workload; a pod that was OOM-killed re-checks the
memory rule of its Deployment. The objects are the caller's (an informer's store):
held by reference, never copied.

Configuration (`[lint]` in config.toml, see `lint_config.LintConfig`) turns rules off,
everywhere or per namespace; rules about app pods skip the system namespaces."""

from __future__ import annotations

import builtins
import gc
import time
from collections.abc import Callable, Iterator, Mapping

from kubetui.render.json_types import Obj
from kubetui.render.metrics import Reading

from .lint_config import SYSTEM_NAMESPACES, LintConfig
from .lint_index import ALL, LintIndex
from .lint_rules import (
    ERROR,
    INFO,
    RANK,
    RULES,
    WARNING,
    Finding,
    Rule,
    config_changed,
    meta,
    pod_owner,
    quantity_or_none,
)
from .lint_signatures import liveness_container, split_key
from .lint_workloads import near_limit_pods

KINDS = ("Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service",
         "ConfigMap", "Secret", "ServiceAccount", "PersistentVolumeClaim",
         "HorizontalPodAutoscaler", "Namespace", "Event")
SUBJECT_RULES: dict[str, tuple[Rule, ...]] = {
    k: tuple(r for r in RULES.values() if k in r.subjects) for k in KINDS}


class Linter:
    """The findings of a set of objects, kept up to date one change at a time."""

    def __init__(self, config: LintConfig | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.config = config or LintConfig()
        self.clock = clock
        self.now = clock()
        self.objs: dict[str, dict[str, Obj]] = {k: {} for k in KINDS}
        self.by_ns: dict[str, dict[str, set[str]]] = {k: {} for k in KINDS}
        self.pod_metrics: Mapping[str, Reading] = {}  # pod key -> PodMetrics
        self.near: builtins.set[str] = set()  # pods near their memory limit (set_metrics)
        # (kind, key) -> its findings, rule by rule (one flat tuple: at 100,000 bare pods
        # a dict of tuples per subject held 30 MB more)
        self.found: dict[tuple[str, str], tuple[Finding, ...]] = {}
        self.version = 0  # bumped when any finding changes
        self.closed = False  # (see close)
        self._flagged: dict[tuple[str, str | None], tuple[int, str | None]] = {}  # this version's
        self._flagged_version: int | None = None  # the version _flagged counted
        self._dirty: dict[tuple[str, str], set[str] | None] = {}
        self.index = LintIndex(self.objs, self.by_ns, clock, self.mark, self.mark_runtime)
        self._handlers = self.index.handlers

    # -- taking changes
    def set(self, kind: str, key: str, obj: Obj | None) -> None:
        """One object added, changed (a new dict: objects are never changed in place) or
        deleted (None)."""
        objs = self.objs[kind]
        old = objs.get(key)
        if obj is None and old is None:
            return
        ns, name = split_key(key)
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
                self.mark("Namespace", ns, "namespace-stuck")

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

    def close(self) -> None:
        """Let go of every object and finding now (the live lint of a session that
        ended). The linter, its index and its findings refer to one another, so as
        garbage they wait for a full collection, and the app keeps the heap frozen
        (ui/lifetime.py): a switched-away session's lint, every object of its cluster
        and their findings, stayed beside the new session's until the next heap reset
        (0.37M blocks at 10,000 pods), and each switch could set a new high-water mark.
        Emptied here, reference counting frees it at once. Unusable afterwards (a
        finding kept from it says so when asked for its fix)."""
        self.closed = True
        for objs in self.objs.values():
            objs.clear()
        for names in self.by_ns.values():
            names.clear()
        self.found.clear()
        self._flagged.clear()
        self._dirty.clear()
        self.near, self.pod_metrics = set(), {}
        self.index.clear()

    def set_metrics(self, metrics: Mapping[str, Reading] | None,
                    near: builtins.set[str] | None = None) -> None:
        """PodMetrics by pod key (None: metrics.k8s.io is not served). `near`: the pods
        near their memory limit under these metrics, if the caller found them already
        (kube/lint_feed.py does, in its reading thread: every pod is looked at, 0.5-1.6 s
        at 100,000 pods, which had been on the UI's thread every minute)."""
        metrics = metrics or {}
        pods = self.objs["Pod"]
        if near is None:
            near = near_limit_pods(pods, metrics)
        # usage moves one rule, and only for a pod near its limit before or after (usage
        # drifts on every pod every read: 10,000 re-checks a minute were 0.24 s each time)
        for key in self.near | near:
            pod = pods.get(key)
            if pod is not None:
                self.mark_runtime(key, pod_owner(pod), "tight-memory-limit")
        self.near, self.pod_metrics = near, metrics

    def tick(self) -> None:
        """What time alone changes: namespaces Terminating long enough to be stuck."""
        for key, ns in self.objs["Namespace"].items():
            if meta(ns).get("deletionTimestamp"):
                self.mark("Namespace", key, "namespace-stuck")

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
            ns = key if kind == "Namespace" else split_key(key)[0]
            before = by_rule(self.found.get((kind, key), ()))
            now = dict(before)
            for rule in SUBJECT_RULES[kind]:
                if rules is not ALL and rule.id not in rules:
                    continue
                out = tuple(rule.check(kind, obj, self)) if (
                    obj is not None and self.config.enabled(rule.id, ns)) else ()
                if out:
                    for f in out:
                        f.kept_by(self)
                    now[rule.id] = out
                else:
                    now.pop(rule.id, None)
            if now != before:
                changed = True
                if now:
                    self.found[(kind, key)] = tuple(f for fs in now.values() for f in fs)
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
    def fix_of(self, finding: Finding) -> str:
        """A stored finding's fix, written now: its rule runs again on its subject as the
        cache holds it (the findings keep no fix of their own: see Finding.kept_by)."""
        if self.closed:  # (not "gone": nobody looks any more)
            return (f"# {finding.where}: this lint ended with its session (the context "
                    "was switched); its fix is in the new session's lint\n")
        obj = self.objs.get(finding.kind, {}).get(finding.key)
        rule = RULES.get(finding.rule)
        if obj is None or rule is None:
            return f"# {finding.where} is gone: there is nothing to fix\n"
        for again in rule.check(finding.kind, obj, self):
            if again.container == finding.container and again.make_fix is not None:
                return again.make_fix()
        return (f"# {finding.where} has changed since: {finding.rule} no longer finds "
                "this on it\n")

    def findings(self) -> list[Finding]:
        out = [f for per in self.found.values() for f in per]
        out.sort(key=lambda f: (RANK[f.severity], f.rule, f.namespace, f.name, f.container))
        return out

    def of(self, kind: str, key: str, owner: bool = True) -> list[Finding]:
        """An object's findings; a pod's include its workload's (`owner`)."""
        out = list(self.found.get((kind, key), ()))
        if owner and kind == "Pod":
            pod = self.objs["Pod"].get(key)
            o = pod_owner(pod) if pod is not None else None
            if o is not None:
                ns = split_key(key)[0]
                out += self.found.get((o[0], f"{ns}/{o[1]}"), ())
        return sorted(out, key=lambda f: (RANK[f.severity], f.rule))

    def severity_of(self, kind: str, key: str) -> str | None:
        """The worst finding on an object (a pod: its own or its workload's)."""
        worst = None
        for per in self._per(kind, key):
            for f in per:
                if worst is None or RANK[f.severity] < RANK[worst]:
                    worst = f.severity
        return worst

    def _per(self, kind: str, key: str) -> Iterator[tuple[Finding, ...]]:
        own = self.found.get((kind, key))
        if own:
            yield own
        if kind == "Pod" and self.found:
            o = self.index.pod_owner.get(key)
            if o is not None:
                up = self.found.get((o[0], f"{split_key(key)[0]}/{o[1]}"))
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
            ns = split_key(key)[0]
            if wanted is not None and ns not in wanted:
                continue
            worst = min((f.severity for f in per), key=RANK.__getitem__)
            if k == kind:
                marks[key] = min(marks.get(key, worst), worst, key=RANK.__getitem__)
            elif kind == "Pod":
                for pod in self.index.owned.get((k, ns, split_key(key)[1]), ()):
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
        return [pods[k] for k in sorted(self.index.owned.get((kind, ns, name), ())) if k in pods]

    def claim_users(self, ns: str, claim: str) -> builtins.set[str]:
        return self.index.claims.get((ns, claim), set())

    def members(self, ns: str, name: str) -> list[Obj]:
        """The pods a Service selects."""
        pods = self.objs["Pod"]
        return [pods[k] for k in sorted(self.index.selected.get(f"{ns}/{name}", ())) if k in pods]

    def jobs_of(self, ns: str, cronjob: str) -> list[Obj]:
        jobs = self.objs["Job"]
        return [jobs[k] for k in self.index.cronjob_jobs.get((ns, cronjob), ()) if k in jobs]

    def liveness_events(self, ns: str, pod: str, container: str) -> list[Obj]:
        events = self.objs["Event"]
        out = []
        for k in self.index.pod_events.get((ns, pod), ()):
            e = events.get(k)
            if e is not None and liveness_container(e) in (container, ""):
                out.append(e)
        return out

    def usage(self, kind: str, ns: str, name: str,
              container: str) -> tuple[float, float] | None:
        """(cpu cores, memory bytes) a container uses: the most of any of its pods."""
        if not self.pod_metrics:
            return None
        keys = [f"{ns}/{name}"] if kind == "Pod" else \
            sorted(self.index.owned.get((kind, ns, name), ()))
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
        seen = self.index.observed.get((kind, f"{ns}/{name}"))
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
    def mark(self, kind: str, key: str, rule: str | None) -> None:
        if rule is ALL:
            self._dirty[(kind, key)] = ALL
            return
        rules = self._dirty.get((kind, key), set())
        if rules is not ALL:
            rules.add(rule)
            self._dirty[(kind, key)] = rules

    def mark_runtime(self, pod_key: str, owner: tuple[str, str] | None, *rules: str) -> None:
        if owner is None:
            for r in rules:
                self.mark("Pod", pod_key, r)
        else:
            key = f"{split_key(pod_key)[0]}/{owner[1]}"
            for r in rules:
                self.mark(owner[0], key, r)


def by_rule(findings: tuple[Finding, ...]) -> dict[str, tuple[Finding, ...]]:
    """A subject's findings by rule (in the order they were found)."""
    out: dict[str, tuple[Finding, ...]] = {}
    for f in findings:
        out[f.rule] = (*out.get(f.rule, ()), f)
    return out


def lint(objects: dict[str, list[Obj]], config: LintConfig | None = None,
         metrics: Mapping[str, Reading] | None = None, now: float | None = None
         ) -> list[Finding]:
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

