"""The Deployment controller: one ReplicaSet per pod template (named
`<deployment>-<pod-template-hash>`), rolling updates within maxSurge / maxUnavailable,
Recreate, revisions with rollback reuse of a matching old ReplicaSet, history cleanup,
and the Available / Progressing conditions with the real reasons."""

from __future__ import annotations

import math
import time

import orjson

from kubetui.render.age import parse_time

from .controller import Controller, condition, controller_ref, owned_by, owner_ref, set_condition
from .defaults import default_pod_spec
from .meta import SAFE_ALPHABET, deep_copy, now_rfc3339
from .resources import BY_KIND
from .store import Change

DEPLOY = BY_KIND["Deployment"]
RS = BY_KIND["ReplicaSet"]
PODS = BY_KIND["Pod"]
HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
CHANGE_CAUSE = "kubernetes.io/change-cause"


def _prune(value):
    """Drop nulls, empty maps and empty lists, recursively (what Go's serializer adds)."""
    if isinstance(value, dict):
        out = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def canonical_template(template: dict) -> dict:
    """A pod template in the form two equal templates share: defaulted, without the
    hash label, without nulls and empty maps (kubectl's undo sends Go-serialized ones)."""
    t = deep_copy(template or {})
    meta = t.setdefault("metadata", {})
    meta.pop("creationTimestamp", None)
    (meta.get("labels") or {}).pop(HASH_LABEL, None)
    default_pod_spec(t.setdefault("spec", {}))
    return _prune(t)


def _fnv32a(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def template_hash(template: dict, collision_count: int = 0) -> str:
    """Like controller.ComputeHash: fnv32a of the template, SafeEncodeString'd."""
    data = orjson.dumps(canonical_template(template), option=orjson.OPT_SORT_KEYS)
    digits = str(_fnv32a(data + str(collision_count).encode() if collision_count else data))
    return "".join(SAFE_ALPHABET[ord(c) % len(SAFE_ALPHABET)] for c in digits)


def _resolve(value, total: int, round_up: bool) -> int:
    if isinstance(value, str) and value.endswith("%"):
        exact = float(value[:-1]) * total / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    return int(value or 0)


def fenceposts(d: dict) -> tuple[int, int]:
    replicas = d["spec"].get("replicas", 1)
    ru = (d["spec"].get("strategy") or {}).get("rollingUpdate") or {}
    surge = _resolve(ru.get("maxSurge", "25%"), replicas, True)
    unavailable = _resolve(ru.get("maxUnavailable", "25%"), replicas, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def revision(obj: dict) -> int:
    try:
        return int((obj["metadata"].get("annotations") or {}).get(REVISION, "0"))
    except ValueError:
        return 0


def _replicas(rs: dict) -> int:
    return rs["spec"].get("replicas", 0)


def _available(rs: dict) -> int:
    return (rs.get("status") or {}).get("availableReplicas", 0)


class DeploymentController(Controller):
    resync_seconds = 5.0

    def __init__(self, sim):
        super().__init__(sim)
        self.store.listeners.append(self.on_change)
        self.sim.defer(self._resync, self.resync_seconds)

    def _resync(self) -> None:
        for d in self.store.list(DEPLOY):
            self.enqueue((d["metadata"]["namespace"], d["metadata"]["name"]))
        self.sim.defer(self._resync, self.resync_seconds)

    def on_change(self, change: Change) -> None:
        if change.res is DEPLOY:
            meta = change.obj["metadata"]
            self.enqueue((meta["namespace"], meta["name"]))
        elif change.res is RS:
            ref = controller_ref(change.obj)
            if ref and ref.get("kind") == "Deployment":
                self.enqueue((change.obj["metadata"]["namespace"], ref["name"]))

    def replica_sets(self, d: dict) -> list[dict]:
        uid = d["metadata"]["uid"]
        out = []
        for kind, ns, name in self.api.owners.dependents(uid):
            if kind == "ReplicaSet":
                rs = self.store.get(RS, ns, name)
                if rs is not None and owned_by(rs, uid):
                    out.append(rs)
        return out

    # --------------------------------------------------------------- reconcile
    def sync(self, key) -> None:
        ns, name = key
        d = self.store.get(DEPLOY, ns, name)
        if d is None or d["metadata"].get("deletionTimestamp"):
            return
        all_rs = self.replica_sets(d)
        want = canonical_template(d["spec"]["template"])
        new_rs = next((rs for rs in all_rs
                       if canonical_template(rs["spec"]["template"]) == want), None)
        old = [rs for rs in all_rs if rs is not new_rs]
        paused = d["spec"].get("paused", False)
        created = reused = False
        if not paused:
            max_old = max((revision(rs) for rs in old), default=0)
            if new_rs is None:
                new_rs = self._create_rs(d, max_old + 1)
                created = True
            elif revision(new_rs) <= max_old:
                new_rs = self._bump_revision(new_rs, max_old + 1)
                reused = True
            d = self._stamp_revision(d, new_rs)
            if (d["spec"].get("strategy") or {}).get("type") == "Recreate":
                self._recreate(d, new_rs, old)
            else:
                self._rolling(d, new_rs, old)
            self._cleanup(d, old)
        self._update_status(d, new_rs, old, created, reused, paused)

    def _create_rs(self, d: dict, rev: int) -> dict:
        template = deep_copy(d["spec"]["template"])
        h = template_hash(template, (d.get("status") or {}).get("collisionCount", 0))
        template.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = h
        selector = deep_copy(d["spec"]["selector"])
        selector.setdefault("matchLabels", {})[HASH_LABEL] = h
        annotations = {k: v for k, v in (d["metadata"].get("annotations") or {}).items()
                       if k not in (REVISION, "kubectl.kubernetes.io/last-applied-configuration")}
        surge, _ = fenceposts(d)
        annotations.update({
            REVISION: str(rev),
            DESIRED: str(d["spec"].get("replicas", 1)),
            MAX_REPLICAS: str(d["spec"].get("replicas", 1) + surge),
        })
        labels = dict(template["metadata"]["labels"])
        rs = {
            "metadata": {
                "name": f"{d['metadata']['name']}-{h}",
                "labels": labels,
                "annotations": annotations,
                "ownerReferences": [owner_ref(d)],
            },
            "spec": {"replicas": 0, "minReadySeconds": d["spec"].get("minReadySeconds", 0),
                     "selector": selector, "template": template},
        }
        return self.api.create(RS, d["metadata"]["namespace"], rs)

    def _bump_revision(self, rs: dict, rev: int) -> dict:
        rs = deep_copy(rs)
        ann = rs["metadata"].setdefault("annotations", {})
        old = ann.get(REVISION)
        if old:
            history = [h for h in ann.get(REVISION_HISTORY, "").split(",") if h]
            ann[REVISION_HISTORY] = ",".join(history + [old])
        ann[REVISION] = str(rev)
        return self.api.update(RS, rs["metadata"]["namespace"], rs["metadata"]["name"], rs)

    def _stamp_revision(self, d: dict, new_rs: dict) -> dict:
        rev = str(revision(new_rs))
        ann = d["metadata"].get("annotations") or {}
        if ann.get(REVISION) == rev:
            return d
        d = deep_copy(d)
        d["metadata"].setdefault("annotations", {})[REVISION] = rev
        cause = (new_rs["metadata"].get("annotations") or {}).get(CHANGE_CAUSE)
        if cause and CHANGE_CAUSE not in d["metadata"]["annotations"]:
            d["metadata"]["annotations"][CHANGE_CAUSE] = cause
        return self.api.update(DEPLOY, d["metadata"]["namespace"], d["metadata"]["name"], d)

    def _scale(self, d: dict, rs: dict, replicas: int) -> dict:
        before = _replicas(rs)
        if before == replicas:
            return rs
        rs = deep_copy(rs)
        rs["spec"]["replicas"] = replicas
        surge, _ = fenceposts(d)
        ann = rs["metadata"].setdefault("annotations", {})
        ann[DESIRED] = str(d["spec"].get("replicas", 1))
        ann[MAX_REPLICAS] = str(d["spec"].get("replicas", 1) + surge)
        rs = self.api.update(RS, rs["metadata"]["namespace"], rs["metadata"]["name"], rs)
        direction = "up" if replicas > before else "down"
        self.recorder.emit(d, "Normal", "ScalingReplicaSet",
                           f"Scaled {direction} replica set {rs['metadata']['name']} to "
                           f"{replicas} from {before}", "deployment-controller")
        return rs

    def _recreate(self, d: dict, new_rs: dict, old: list[dict]) -> None:
        for rs in old:
            if _replicas(rs):
                self._scale(d, rs, 0)
        if any((rs.get("status") or {}).get("replicas", 0) for rs in old):
            return
        self._scale(d, new_rs, d["spec"].get("replicas", 1))

    def _rolling(self, d: dict, new_rs: dict, old: list[dict]) -> None:
        replicas = d["spec"].get("replicas", 1)
        surge, unavailable = fenceposts(d)
        active_old = [rs for rs in old if _replicas(rs)]
        if not active_old:
            # No rollout in progress: the new ReplicaSet simply follows spec.replicas.
            self._scale(d, new_rs, replicas)
            return
        if _replicas(new_rs) > replicas:
            new_rs = self._scale(d, new_rs, replicas)
        total = _replicas(new_rs) + sum(_replicas(rs) for rs in old)
        room = replicas + surge - total
        if room > 0 and _replicas(new_rs) < replicas:
            new_rs = self._scale(d, new_rs, min(replicas, _replicas(new_rs) + room))
        # Scale old ReplicaSets down as far as availability allows.
        min_available = replicas - unavailable
        all_pods = _replicas(new_rs) + sum(_replicas(rs) for rs in old)
        new_unavailable = _replicas(new_rs) - _available(new_rs)
        budget = all_pods - min_available - new_unavailable
        if budget <= 0:
            return
        oldest_first = sorted(active_old, key=lambda rs: (
            parse_time(rs["metadata"].get("creationTimestamp")) or 0, rs["metadata"]["name"]))
        # First drop old pods that are not available anyway.
        for rs in oldest_first:
            if budget <= 0:
                break
            unhealthy = _replicas(rs) - _available(rs)
            cut = min(unhealthy, budget)
            if cut > 0:
                self._scale(d, rs, _replicas(rs) - cut)
                budget -= cut
        available = _available(new_rs) + sum(_available(rs) for rs in old)
        budget = min(budget, available - min_available)
        for rs in oldest_first:
            current = self.store.get(RS, rs["metadata"]["namespace"], rs["metadata"]["name"])
            if budget <= 0 or current is None:
                break
            cut = min(_replicas(current), budget)
            if cut > 0:
                self._scale(d, current, _replicas(current) - cut)
                budget -= cut

    def _cleanup(self, d: dict, old: list[dict]) -> None:
        limit = d["spec"].get("revisionHistoryLimit", 10)
        idle = [rs for rs in old if not _replicas(rs) and not (rs.get("status") or {}).get(
            "replicas") and not rs["metadata"].get("deletionTimestamp")]
        idle.sort(key=revision)
        for rs in idle[: max(0, len(idle) - limit)]:
            self.api.delete(RS, rs["metadata"]["namespace"], rs["metadata"]["name"])

    # ------------------------------------------------------------------ status
    def _update_status(self, d: dict, new_rs: dict | None, old: list[dict], created: bool,
                       reused: bool, paused: bool) -> None:
        d = self.store.get(DEPLOY, d["metadata"]["namespace"], d["metadata"]["name"]) or d
        if new_rs is not None:
            new_rs = self.store.get(RS, new_rs["metadata"]["namespace"],
                                    new_rs["metadata"]["name"]) or new_rs
        old = [self.store.get(RS, rs["metadata"]["namespace"], rs["metadata"]["name"]) or rs
               for rs in old]
        all_rs = ([new_rs] if new_rs else []) + old
        replicas = d["spec"].get("replicas", 1)
        _, unavailable = fenceposts(d)

        def total(field: str) -> int:
            return sum((rs.get("status") or {}).get(field, 0) for rs in all_rs)

        available = total("availableReplicas")
        status = deep_copy(d.get("status") or {})
        status.update({
            "observedGeneration": d["metadata"].get("generation", 1),
            "replicas": total("replicas"),
            "updatedReplicas": (new_rs.get("status") or {}).get("replicas", 0) if new_rs else 0,
            "readyReplicas": total("readyReplicas"),
            "availableReplicas": available,
            "unavailableReplicas": max(replicas - available, 0),
        })
        for k in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas",
                  "unavailableReplicas"):
            if not status[k]:
                del status[k]
        now = now_rfc3339()
        if available >= replicas - unavailable:
            set_condition(status, "Available", "True", "MinimumReplicasAvailable",
                          "Deployment has minimum availability.", now, True)
        else:
            set_condition(status, "Available", "False", "MinimumReplicasUnavailable",
                          "Deployment does not have minimum availability.", now, True)
        rs_name = new_rs["metadata"]["name"] if new_rs else ""
        complete = (new_rs is not None and status.get("updatedReplicas", 0) == replicas
                    and status.get("replicas", 0) == replicas and available == replicas
                    and _replicas(new_rs) == replicas)
        progressing = condition(status, "Progressing")
        if paused:
            set_condition(status, "Progressing", "Unknown", "DeploymentPaused",
                          "Deployment is paused", now, True)
        elif complete:
            set_condition(status, "Progressing", "True", "NewReplicaSetAvailable",
                          f'ReplicaSet "{rs_name}" has successfully progressed.', now, True)
        elif created:
            set_condition(status, "Progressing", "True", "NewReplicaSetCreated",
                          f'Created new replica set "{rs_name}"', now, True)
        elif reused:
            set_condition(status, "Progressing", "True", "FoundNewReplicaSet",
                          f'Found new replica set "{rs_name}"', now, True)
        elif new_rs is not None:
            self._progress_or_deadline(d, status, progressing, rs_name, now)
        if status != (d.get("status") or {}):
            new = deep_copy(d)
            new["status"] = status
            self.api.update(DEPLOY, d["metadata"]["namespace"], d["metadata"]["name"], new,
                            "status")

    def _progress_or_deadline(self, d: dict, status: dict, progressing: dict | None,
                              rs_name: str, now: str) -> None:
        deadline = d["spec"].get("progressDeadlineSeconds", 600)
        before = (d.get("status") or {})
        moved = any(status.get(k, 0) != before.get(k, 0) for k in (
            "updatedReplicas", "readyReplicas", "availableReplicas", "replicas"))
        if progressing and progressing.get("reason") == "ProgressDeadlineExceeded" and not moved:
            return
        last = parse_time((progressing or {}).get("lastUpdateTime")) or time.time()
        if not moved and progressing and time.time() - last > deadline * self.sim.time_scale:
            set_condition(status, "Progressing", "False", "ProgressDeadlineExceeded",
                          f'ReplicaSet "{rs_name}" has timed out progressing.', now, True)
        elif moved or progressing is None or progressing.get("reason") in (
                "NewReplicaSetAvailable", "ProgressDeadlineExceeded"):
            set_condition(status, "Progressing", "True", "ReplicaSetUpdated",
                          f'ReplicaSet "{rs_name}" is progressing.', now, True)
            # set_condition keeps lastUpdateTime when nothing else changed; a move refreshes it
            progressing = condition(status, "Progressing")
            if moved and progressing is not None:
                progressing["lastUpdateTime"] = now
