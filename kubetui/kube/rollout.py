"""Rollouts the way kubectl does them: status (kubectl's status viewers, word for word),
history (revision, change-cause, images) and the revision an undo goes back to (kubectl's
algorithm over ReplicaSets, or ControllerRevisions for StatefulSets and DaemonSets).
Pure: it reads the objects it is given; `actions.py` fetches and writes."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable

import yaml

from kubetui.render.json_types import Obj
from kubetui.render.pod import is_ready

REVISION = "deployment.kubernetes.io/revision"
CHANGE_CAUSE = "kubernetes.io/change-cause"
HASH_LABEL = "pod-template-hash"
# Annotations a rollback must not copy from the ReplicaSet onto the Deployment.
SKIP_ON_ROLLBACK = {"kubectl.kubernetes.io/last-applied-configuration", REVISION,
                    "deployment.kubernetes.io/revision-history",
                    "deployment.kubernetes.io/desired-replicas",
                    "deployment.kubernetes.io/max-replicas",
                    "deprecated.deployment.rollback.to"}


@dataclass
class Status:
    done: bool
    message: str  # kubectl's line ("Waiting for deployment ..." or "... successfully rolled out")
    desired: int = 0
    updated: int = 0
    ready: int = 0
    available: int = 0
    failed: str = ""  # why the rollout is stuck (ProgressDeadlineExceeded), if it is
    conditions: list[Obj] = field(default_factory=list)


@dataclass
class Revision:
    number: int
    change_cause: str
    images: list[str]
    created: str
    name: str  # the ReplicaSet or ControllerRevision
    template: Obj


def _cond(status: Obj, ctype: str) -> Obj | None:
    return next((c for c in status.get("conditions") or () if c.get("type") == ctype), None)


def status(obj: Obj) -> Status:
    kind = obj.get("kind")
    if kind == "Deployment":
        return deployment_status(obj)
    if kind == "DaemonSet":
        return daemonset_status(obj)
    if kind == "StatefulSet":
        return statefulset_status(obj)
    raise ValueError(f"no rollout status for {kind}")


def deployment_status(d: Obj) -> Status:
    name, spec, st = d["metadata"]["name"], d.get("spec") or {}, d.get("status") or {}
    desired = spec.get("replicas", 1)
    out = Status(False, "", desired, st.get("updatedReplicas", 0), st.get("readyReplicas", 0),
                 st.get("availableReplicas", 0), conditions=list(st.get("conditions") or ()))
    if d["metadata"].get("generation", 0) > st.get("observedGeneration", 0):
        out.message = "Waiting for deployment spec update to be observed..."
        return out
    progressing = _cond(st, "Progressing")
    if progressing and progressing.get("reason") == "ProgressDeadlineExceeded":
        out.failed = f'deployment "{name}" exceeded its progress deadline'
        out.message = out.failed
        return out
    total = st.get("replicas", 0)
    if out.updated < desired:
        out.message = (f'Waiting for deployment "{name}" rollout to finish: {out.updated} out '
                       f"of {desired} new replicas have been updated...")
    elif total > out.updated:
        out.message = (f'Waiting for deployment "{name}" rollout to finish: '
                       f"{total - out.updated} old replicas are pending termination...")
    elif out.available < out.updated:
        out.message = (f'Waiting for deployment "{name}" rollout to finish: {out.available} '
                       f"of {out.updated} updated replicas are available...")
    else:
        out.done, out.message = True, f'deployment "{name}" successfully rolled out'
    return out


def daemonset_status(ds: Obj) -> Status:
    name, spec, st = ds["metadata"]["name"], ds.get("spec") or {}, ds.get("status") or {}
    desired = st.get("desiredNumberScheduled", 0)
    out = Status(False, "", desired, st.get("updatedNumberScheduled", 0),
                 st.get("numberReady", 0), st.get("numberAvailable", 0))
    if (spec.get("updateStrategy") or {}).get("type", "RollingUpdate") != "RollingUpdate":
        out.done = True
        out.message = "rollout status is only available for RollingUpdate strategy type"
        return out
    if ds["metadata"].get("generation", 0) > st.get("observedGeneration", 0):
        out.message = "Waiting for daemon set spec update to be observed..."
    elif out.updated < desired:
        out.message = (f'Waiting for daemon set "{name}" rollout to finish: {out.updated} out '
                       f"of {desired} new pods have been updated...")
    elif out.available < desired:
        out.message = (f'Waiting for daemon set "{name}" rollout to finish: {out.available} '
                       f"of {desired} updated pods are available...")
    else:
        out.done, out.message = True, f'daemon set "{name}" successfully rolled out'
    return out


def statefulset_status(sts: Obj) -> Status:
    spec, st = sts.get("spec") or {}, sts.get("status") or {}
    desired = spec.get("replicas", 1)
    out = Status(False, "", desired, st.get("updatedReplicas", 0), st.get("readyReplicas", 0),
                 st.get("availableReplicas", 0))
    strategy = spec.get("updateStrategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        out.done = True
        out.message = "rollout status is only available for RollingUpdate strategy type"
        return out
    observed = st.get("observedGeneration", 0)
    if not observed or sts["metadata"].get("generation", 0) > observed:
        out.message = "Waiting for statefulset spec update to be observed..."
        return out
    if out.ready < desired:
        out.message = f"Waiting for {desired - out.ready} pods to be ready..."
        return out
    partition = (strategy.get("rollingUpdate") or {}).get("partition")
    if partition is not None:
        if out.updated < desired - partition:
            out.message = (f"Waiting for partitioned roll out to finish: {out.updated} out of "
                           f"{desired - partition} new pods have been updated...")
        else:
            out.done = True
            out.message = (f"partitioned roll out complete: {out.updated} new pods have been "
                           "updated...")
        return out
    if st.get("updateRevision") != st.get("currentRevision"):
        out.message = (f"waiting for statefulset rolling update to complete {out.updated} pods "
                       f"at revision {st.get('updateRevision')}...")
    else:
        out.done = True
        out.message = (f"statefulset rolling update complete {st.get('currentReplicas', 0)} pods "
                       f"at revision {st.get('currentRevision')}...")
    return out


def _images(template: Obj) -> list[str]:
    return [c.get("image", "") for c in (template.get("spec") or {}).get("containers") or ()]


def history_from_replicasets(replicasets: list[Obj]) -> list[Revision]:
    out = []
    for rs in replicasets:
        ann = rs["metadata"].get("annotations") or {}
        if REVISION not in ann:
            continue
        template = (rs.get("spec") or {}).get("template") or {}
        out.append(Revision(int(ann[REVISION]), ann.get(CHANGE_CAUSE, ""), _images(template),
                            rs["metadata"].get("creationTimestamp", ""),
                            rs["metadata"]["name"], template))
    return sorted(out, key=lambda r: r.number)


def history_from_controller_revisions(revisions: list[Obj]) -> list[Revision]:
    out = []
    for cr in revisions:
        template = ((cr.get("data") or {}).get("spec") or {}).get("template") or {}
        template = {k: v for k, v in template.items() if k != "$patch"}
        ann = cr["metadata"].get("annotations") or {}
        out.append(Revision(int(cr.get("revision", 0)), ann.get(CHANGE_CAUSE, ""),
                            _images(template), cr["metadata"].get("creationTimestamp", ""),
                            cr["metadata"]["name"], template))
    return sorted(out, key=lambda r: r.number)


def pick_revision(history: list[Revision], to_revision: int = 0) -> Revision:
    """kubectl's choice: the given revision, or (0) the one before the newest."""
    if not history:
        raise LookupError("no rollout history found")
    if to_revision:
        for r in history:
            if r.number == to_revision:
                return r
        raise LookupError(f"unable to find specified revision {to_revision} in history")
    if len(history) < 2:
        raise LookupError("no revision to roll back to (only one in history)")
    return history[-2]


def strip_hash(template: Obj) -> Obj:
    labels = dict((template.get("metadata") or {}).get("labels") or {})
    labels.pop(HASH_LABEL, None)
    return {**template, "metadata": {**(template.get("metadata") or {}), "labels": labels}}


def rollback_annotations(deployment: Obj, rs: Obj) -> Obj:
    """The Deployment's annotations after a rollback: its own, with the ReplicaSet's
    (change-cause and friends) copied over, as kubectl does."""
    out = dict(deployment["metadata"].get("annotations") or {})
    for k, v in (rs["metadata"].get("annotations") or {}).items():
        if k not in SKIP_ON_ROLLBACK:
            out[k] = v
    return out


# -- the cockpit: what a live rollout view shows, from the objects the informers hold
@dataclass
class RevisionGroup:
    revision: int
    name: str  # the ReplicaSet, or the ControllerRevision
    new: bool  # the revision being rolled out to
    desired: int
    ready: int
    images: list[str]
    pods: list[Obj]


@dataclass
class Cockpit:
    kind: str
    namespace: str
    name: str
    status: Status
    state: str  # "rolled out", "progressing", "paused" or "stuck"
    reason: str  # for "stuck": why, with the evidence
    paused: bool
    groups: list[RevisionGroup]  # new first, then older ones that still have pods
    history: list[Revision]


CONTROLLER_HASH = "controller-revision-hash"
FAILING_REASONS = {"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull",
                   "CreateContainerConfigError", "InvalidImageName", "CreateContainerError",
                   "RunContainerError"}


def _owned_by(obj: Obj, items: Iterable[Obj]) -> list[Obj]:
    uid = obj["metadata"].get("uid")
    return [o for o in items if any(r.get("uid") == uid and r.get("controller", True)
                                    for r in o["metadata"].get("ownerReferences") or ())]


def _failing(pods: list[Obj]) -> str:
    """Why new pods are not coming up, if a container says so."""
    for pod in pods:
        st = pod.get("status") or {}
        for cs in st.get("containerStatuses") or ():
            waiting = (cs.get("state") or {}).get("waiting") or {}
            if waiting.get("reason") in FAILING_REASONS:
                return (f"new pod {pod['metadata']['name']}: {waiting['reason']}"
                        + (f" ({waiting['message']})" if waiting.get("message") else ""))
        for cond in st.get("conditions") or ():
            if cond.get("type") == "PodScheduled" and cond.get("status") == "False":
                return f"new pod {pod['metadata']['name']} unschedulable: {cond.get('message', '')}"
    return ""


def cockpit(obj: Obj, owned: list[Obj], pods: list[Obj]) -> Cockpit:
    """`owned` is every ReplicaSet (for a Deployment) or ControllerRevision (StatefulSet,
    DaemonSet) of the namespace; `pods` the pods matching the workload's selector."""
    kind, meta = obj.get("kind", ""), obj["metadata"]
    st = status(obj)
    mine = _owned_by(obj, owned)
    pods = _owned_by_any(mine if kind == "Deployment" else [obj], pods)
    groups: list[RevisionGroup] = []
    if kind == "Deployment":
        history = history_from_replicasets(mine)
        current = (meta.get("annotations") or {}).get(REVISION)
        for rs in mine:
            rev = int((rs["metadata"].get("annotations") or {}).get(REVISION, 0))
            label = (rs["metadata"].get("labels") or {}).get(HASH_LABEL)
            members = [p for p in pods if (p["metadata"].get("labels") or {}).get(HASH_LABEL)
                       == label]
            new = str(rev) == current
            if new or members or (rs.get("spec") or {}).get("replicas"):
                groups.append(RevisionGroup(
                    rev, rs["metadata"]["name"], new, (rs.get("spec") or {}).get("replicas", 0),
                    (rs.get("status") or {}).get("readyReplicas", 0),
                    _images((rs.get("spec") or {}).get("template") or {}), members))
    else:
        history = history_from_controller_revisions(mine)
        update = (obj.get("status") or {}).get("updateRevision") or (
            history[-1].name if history else "")
        for revision in history:
            members = [p for p in pods if _revision_of(p, meta["name"]) == revision.name]
            new = revision.name == update
            if new or members:
                groups.append(RevisionGroup(revision.number, revision.name, new,
                                            st.desired if new else len(members),
                                            sum(1 for p in members if is_ready(p)),
                                            revision.images, members))
    groups.sort(key=lambda g: (not g.new, -g.revision))
    paused = bool((obj.get("spec") or {}).get("paused"))
    reason = st.failed
    if not st.done and not reason:
        reason = _failing([p for g in groups if g.new for p in g.pods])
    state = ("stuck" if reason and not st.done else "paused" if paused else
             "rolled out" if st.done else "progressing")
    return Cockpit(kind, meta.get("namespace", ""), meta["name"], st, state, reason, paused,
                   groups, history)


def _owned_by_any(owners: list[Obj], pods: list[Obj]) -> list[Obj]:
    uids = {o["metadata"].get("uid") for o in owners}
    return [p for p in pods if any(r.get("uid") in uids
                                   for r in p["metadata"].get("ownerReferences") or ())]


def _revision_of(pod: Obj, owner: str) -> str:
    """The ControllerRevision a StatefulSet or DaemonSet pod belongs to (its label holds
    the revision's name for a StatefulSet, only the hash for a DaemonSet)."""
    value = (pod["metadata"].get("labels") or {}).get(CONTROLLER_HASH, "")
    return value if value.startswith(owner + "-") else f"{owner}-{value}"


def template_diff(current: Obj, target: Obj, names: tuple[str, str]) -> str:
    """The pod-template change between two revisions, as a unified diff of YAML."""
    def text(t: Obj) -> list[str]:
        return yaml.safe_dump(strip_hash(t), sort_keys=True).splitlines(keepends=True)
    return "".join(difflib.unified_diff(text(current), text(target), *names)) or \
        "(the pod templates are the same)\n"
