"""The Linter's indexes, kept one change at a time: which pods each workload controls,
who mounts each claim, which subjects read each ConfigMap and Secret, which pods each
Service selects, which HPAs scale each workload, which Jobs each CronJob made, which
liveness events each pod has. Each kind's handler takes one change (old and new object)
and marks, through the Linter's `mark` and `mark_runtime`, the subjects whose rules must
run again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from kubetui.render.json_types import Obj

from .lint_rules import (
    config_refs,
    is_ready,
    meta,
    pod_owner,
    selector_matches,
    sts_claim,
    template_subject,
)
from .lint_signatures import (
    bare_pod_moved,
    claims_of,
    liveness_container,
    pod_signature,
    split_key,
)

RUNTIME_RULES = frozenset(("tight-memory-limit", "liveness-probe", "stale-config"))
ALL = None  # every rule of a subject
K = TypeVar("K")
V = TypeVar("V")


class Handler(Protocol):
    def __call__(self, kind: str, key: str, ns: str, name: str, old: Obj | None,
                 new: Obj | None) -> None: ...


class Mark(Protocol):
    def __call__(self, kind: str, key: str, rule: str | None) -> None: ...


class MarkRuntime(Protocol):
    def __call__(self, pod_key: str, owner: tuple[str, str] | None, *rules: str) -> None: ...


def relink(target: dict[K, V], back: dict[V, set[K]], key: K, before: V | None,
           after: V | None) -> None:
    """`key` now points at `after` (None: nothing), no longer at `before`: the forward
    map and the reverse index of sets follow."""
    if before is not None:
        back.get(before, set()).discard(key)
    if after is not None:
        back.setdefault(after, set()).add(key)
        target[key] = after
    else:
        target.pop(key, None)


def _closed(*args: Any, **kwargs: Any) -> None:
    """What a closed index marks with: nothing (see `LintIndex.clear`)."""


class LintIndex:
    """The indexes over the Linter's objects (`objs`, `by_ns`: the Linter's own dicts,
    shared, not copied); `handlers[kind]` takes one change of that kind."""

    def __init__(self, objs: dict[str, dict[str, Obj]], by_ns: dict[str, dict[str, set[str]]],
                 clock: Callable[[], float], mark: Mark, mark_runtime: MarkRuntime) -> None:
        self.objs, self.by_ns, self.clock = objs, by_ns, clock
        self.mark, self.mark_runtime = mark, mark_runtime
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
        self.observed: dict[tuple[str, str], float] = {}  # config changes seen, no field times
        self.handlers: dict[str, Handler] = {
            "Pod": self._pod, "Service": self._service, "ConfigMap": self._config,
            "Secret": self._config, "ServiceAccount": self._account,
            "PersistentVolumeClaim": self._claim, "HorizontalPodAutoscaler": self._hpa,
            "Namespace": self._namespace, "Event": self._event,
            **{k: self._workload for k in ("Deployment", "StatefulSet", "DaemonSet", "Job",
                                           "CronJob")}}

    def clear(self) -> None:
        """Empty its own indexes, and the handlers that tie it to its Linter (see
        `Linter.close`, which empties the objects it shares)."""
        for value in vars(self).values():
            if isinstance(value, (dict, set)) and value is not self.objs \
                    and value is not self.by_ns:
                value.clear()
        self.mark, self.mark_runtime = _closed, _closed  # (its Linter's bound methods)

    def _track_configs(self, kind: str, key: str, obj: Obj | None) -> None:
        """Which ConfigMaps and Secrets a subject's pods read (for stale-config)."""
        ns = split_key(key)[0]
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
                self.mark_runtime(key, before, *RUNTIME_RULES)
            if new is not None and owner is not None:
                self.owned.setdefault((owner[0], ns, owner[1]), set()).add(key)
                self.mark_runtime(key, owner, *RUNTIME_RULES)
        elif owner is not None and pod_signature(old) != pod_signature(new):
            self.mark_runtime(key, owner, *RUNTIME_RULES)
        # a pod's spec barely changes (most of it is immutable): what reads only the
        # spec need not run again when its status or an annotation moved
        same_spec = (had and owner == before and old is not None and new is not None
                     and old.get("spec") == new.get("spec"))
        if owner is None and (new is not None or before is None):
            if not same_spec or bare_pod_moved(old, new):
                self.mark("Pod", key, ALL)  # a bare pod is its own subject
        elif owner is not None and had and before is None:
            self.mark("Pod", key, ALL)  # it was, and is no more: drop its findings
        if not same_spec:
            self._track_configs("Pod", key, new)
        # the claims it mounts (orphan-pvc)
        before_claims = self.pod_claims.get(key, ())
        claims = before_claims if same_spec else claims_of(new) if new is not None else ()
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
                self.mark("PersistentVolumeClaim", f"{ns}/{c}", "orphan-pvc")
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
                self.mark("Service", skey, "selector-no-pods")
            elif now and new is not None and is_ready(old or {}) != is_ready(new):
                self.mark("Service", skey, "selector-no-pods")
            elif not members and relabelled:
                self.mark("Service", skey, "selector-no-pods")  # a near miss may have moved

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
        self.mark(kind, key, ALL)
        self._track_configs(kind, key, new)
        for hpa in self.hpas.get((kind, ns, name), ()):
            self.mark("HorizontalPodAutoscaler", hpa, "hpa-without-requests")
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
                self.mark("CronJob", f"{ns}/{cj}", "cronjob-overlap")
        if kind == "StatefulSet":
            for pvc in self.by_ns["PersistentVolumeClaim"].get(ns, ()):
                if any(o is not None and sts_claim(split_key(pvc)[1], o) is not None
                       for o in (old, new)):
                    self.mark("PersistentVolumeClaim", pvc, "orphan-pvc")

    def _service(self, kind: str, key: str, ns: str, name: str, old: Obj | None,
            new: Obj | None) -> None:
        self.mark("Service", key, ALL)
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
            self.mark(*subject, "stale-config")

    def _account(self, kind: str, key: str, ns: str, name: str, old: Obj | None,
            new: Obj | None) -> None:
        if name != "default":
            return
        if (old or {}).get("automountServiceAccountToken") == (new or {}).get(
                "automountServiceAccountToken"):
            return
        for kind in ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"):
            for k in self.by_ns[kind].get(ns, ()):
                self.mark(kind, k, "default-service-account")

    def _claim(self, kind: str, key: str, ns: str, name: str, old: Obj | None,
            new: Obj | None) -> None:
        self.mark("PersistentVolumeClaim", key, ALL)
        for sts in self.by_ns["StatefulSet"].get(ns, ()):
            if sts_claim(name, self.objs["StatefulSet"][sts]) is not None:
                self.mark("StatefulSet", sts, "sts-pvc-retained")
        for dep in self.by_ns["Deployment"].get(ns, ()):
            if name in claims_of({"spec": ((self.objs["Deployment"][dep].get("spec") or {})
                                         .get("template") or {}).get("spec") or {}}):
                self.mark("Deployment", dep, "database-deployment")

    def _hpa(self, kind: str, key: str, ns: str, name: str, old: Obj | None,
            new: Obj | None) -> None:
        self.mark("HorizontalPodAutoscaler", key, ALL)
        before = self.hpa_target.get(key)
        ref = ((new or {}).get("spec") or {}).get("scaleTargetRef") or {}
        after = (ref.get("kind", ""), ns, ref.get("name", "")) if new is not None else None
        if before != after:
            relink(self.hpa_target, self.hpas, key, before, after)

    def _namespace(self, kind: str, key: str, ns: str, name: str, old: Obj | None,
            new: Obj | None) -> None:
        self.mark("Namespace", key, ALL)

    def _event(self, kind: str, key: str, ns: str, name: str, old: Obj | None,
            new: Obj | None) -> None:
        before = self.event_pod.get(key)
        obj = new if new is not None else old  # set() never passes two Nones
        io = (obj or {}).get("involvedObject") or {}
        after = (io.get("namespace") or ns, io.get("name", "")) if (
            new is not None and io.get("kind") == "Pod" and
            liveness_container(new) is not None) else None
        if before != after:
            relink(self.event_pod, self.pod_events, key, before, after)
        for target in {before, after}:
            if target is None:
                continue
            pod_key = f"{target[0]}/{target[1]}"
            pod = self.objs["Pod"].get(pod_key)
            if pod is not None:
                self.mark_runtime(pod_key, pod_owner(pod), "liveness-probe")


__all__ = ["ALL", "RUNTIME_RULES", "Handler", "LintIndex"]
