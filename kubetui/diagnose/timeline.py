"""What happened to a workload and its pods, in time order, from what the cluster already
holds: revisions (ReplicaSets or ControllerRevisions: created, change-cause, images),
scaling and HPA decisions, pod creations, container starts and the runs that ended
(exit codes, OOM kills), probe failures, scheduling failures, evictions, the condition
changes of the nodes the pods run on, updates of the ConfigMaps and Secrets they use
(managedFields times), and kubetui's own actions. The first bad entry is marked, with
what came just before it: "what changed before it broke?".

Pure: objects in, entries out (tested from the real v1.36 captures and the demo)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ParamSpec

from kubetui.render import events as ev
from kubetui.render.age import parse_time
from kubetui.render.json_types import Obj

BAD_REASONS = {"FailedScheduling", "BackOff", "Unhealthy", "Failed", "FailedMount",
               "FailedCreate", "Evicted", "OOMKilling", "FailedGetResourceMetric",
               "ProgressDeadlineExceeded", "NodeNotReady", "FailedAttachVolume"}
_P = ParamSpec("_P")

RANK = {"kubetui": 0, "config": 1, "rollout": 2, "scale": 3, "pod": 4, "scheduling": 5,
        "container": 6, "probe": 7, "event": 8, "node": 9}
SCALE_REASONS = {"ScalingReplicaSet", "SuccessfulRescale", "SuccessfulCreate",
                 "SuccessfulDelete"}


@dataclass
class Entry:
    time: float  # POSIX seconds
    source: str  # rollout, scale, pod, container, probe, scheduling, event, node,
    #              config, kubetui
    subject: str  # "pod/api-7c9f-x2kq9", "deployment/api", "node/worker-1"
    text: str
    bad: bool = False
    first_bad: bool = False  # the first thing that went wrong
    before_first_bad: bool = False  # what came just before it
    count: int = 1


@dataclass
class Timeline:
    entries: list[Entry] = field(default_factory=list)

    @property
    def first_bad(self) -> Entry | None:
        return next((e for e in self.entries if e.first_bad), None)

    @property
    def cause_candidate(self) -> Entry | None:
        """The last change (not an event) before the first bad entry: a rollout, a config
        update, a scale, a node change, an action."""
        return next((e for e in self.entries if e.before_first_bad), None)


def _t(text: str | None) -> float:
    return parse_time(text) or 0.0


def _images(template: Obj) -> list[str]:
    return [c.get("image", "") for c in (template.get("spec") or {}).get("containers") or ()]


def _revisions(owned: list[Obj], kind: str) -> list[Entry]:
    """One entry per revision, with what changed from the one before."""
    revs = []
    for obj in owned:
        meta = obj.get("metadata") or {}
        ann = meta.get("annotations") or {}
        if obj.get("kind") == "ControllerRevision" or "revision" in obj:
            number = int(obj.get("revision") or 0)
            template = ((obj.get("data") or {}).get("spec") or {}).get("template") or {}
        else:
            number = int(ann.get("deployment.kubernetes.io/revision") or 0)
            template = (obj.get("spec") or {}).get("template") or {}
        revs.append((number, meta, ann, template))
    revs.sort(key=lambda r: r[0])
    out, before = [], None
    for number, meta, ann, template in revs:
        images = _images(template)
        text = f"revision {number}: {meta.get('name', '')}"
        if before is None:
            text += f" ({', '.join(images)})"
        elif images != before:
            text += f": image {', '.join(before)} -> {', '.join(images)}"
        else:
            text += ": the pod template changed (same images)"
        cause = ann.get("kubernetes.io/change-cause")
        if cause:
            text += f"; change-cause: {cause}"
        out.append(Entry(_t(meta.get("creationTimestamp")), "rollout",
                         f"{kind.lower()}/{meta.get('name', '')}", text))
        before = images
    return out


def _pod_entries(pod: Obj) -> list[Entry]:
    meta, st = pod.get("metadata") or {}, pod.get("status") or {}
    who = f"pod/{meta.get('name', '')}"
    out = [Entry(_t(meta.get("creationTimestamp")), "pod", who, "created")]
    if meta.get("deletionTimestamp"):
        out.append(Entry(_t(meta["deletionTimestamp"]), "pod", who, "deletion requested"))
    if st.get("reason") == "Evicted":
        out.append(Entry(_t(st.get("startTime")) or _t(meta.get("creationTimestamp")), "pod",
                         who, f"evicted: {st.get('message', '').strip()}", bad=True))
    for cs in [*(st.get("initContainerStatuses") or ()), *(st.get("containerStatuses") or ())]:
        name = cs.get("name", "")
        running = (cs.get("state") or {}).get("running")
        if running and running.get("startedAt"):
            out.append(Entry(_t(running["startedAt"]), "container", who,
                             f"container {name} started"
                             + (f" (restart {cs.get('restartCount')})"
                                if cs.get("restartCount") else "")))
        for term in ((cs.get("lastState") or {}).get("terminated"),
                     (cs.get("state") or {}).get("terminated")):
            if not term:
                continue
            code, reason = term.get("exitCode"), term.get("reason") or ""
            bad = code not in (0, None) or reason == "OOMKilled"
            out.append(Entry(_t(term.get("finishedAt")), "container", who,
                             f"container {name} ended: exit {code}"
                             + (f" ({reason})" if reason else ""), bad=bad))
        waiting = (cs.get("state") or {}).get("waiting") or {}
        if waiting.get("reason") in ("ImagePullBackOff", "ErrImagePull",
                                     "CreateContainerConfigError", "CrashLoopBackOff"):
            when = _t(((cs.get("lastState") or {}).get("terminated") or {}).get(
                "finishedAt")) or _t(st.get("startTime")) or _t(meta.get("creationTimestamp"))
            out.append(Entry(when, "container", who, f"container {name} waiting: "
                             f"{waiting['reason']}", bad=True))
    return out


def _event_entries(events: list[Obj], subjects: set[str],
                   pod_prefixes: tuple[str, ...] = ()) -> list[Entry]:
    """Events about the subjects, and about pods named after the workload's revisions
    (pods that are gone leave their events behind)."""
    out = []
    for e in events:
        inv = e.get("involvedObject") or e.get("regarding") or {}
        subject = f"{(inv.get('kind') or '').lower()}/{inv.get('name', '')}"
        if subject not in subjects and not (
                inv.get("kind") == "Pod" and pod_prefixes and
                (inv.get("name") or "").startswith(pod_prefixes)):
            continue
        reason = e.get("reason", "")
        source = ("scheduling" if reason in ("FailedScheduling", "Scheduled") else
                  "probe" if reason in ("Unhealthy", "Killing") and "probe" in (
                      e.get("message") or e.get("note") or "") else
                  "scale" if reason in SCALE_REASONS else "event")
        bad = e.get("type") == "Warning" or reason in BAD_REASONS
        out.append(Entry(ev.last_seen_time(e), source, subject,
                         f"{reason}: {(e.get('message') or e.get('note') or '').strip()}",
                         bad=bad, count=ev.count(e)))
    return out


def _condition_entries(workload: Obj) -> list[Entry]:
    """A workload's own verdicts: a Deployment past its progress deadline, a replica
    failure; the time each turned."""
    out = []
    who = f"{workload.get('kind', '').lower()}/{workload['metadata']['name']}"
    for cond in (workload.get("status") or {}).get("conditions") or ():
        ctype, status, reason = cond.get("type"), cond.get("status"), cond.get("reason", "")
        # (Available=False is every new workload's first state: a consequence, not news)
        bad = (ctype == "Progressing" and reason == "ProgressDeadlineExceeded") or (
            ctype == "ReplicaFailure" and status == "True")
        if bad:
            out.append(Entry(_t(cond.get("lastTransitionTime")), "rollout", who,
                             f"{ctype}={status} ({reason}): {cond.get('message', '')}",
                             bad=True))
    return out


def _node_entries(nodes: list[Obj], since: float) -> list[Entry]:
    """The nodes' condition changes: an unhealthy one, or a recovery after `since` (a
    node that was always fine says nothing)."""
    out = []
    for node in nodes:
        name = (node.get("metadata") or {}).get("name", "")
        for cond in (node.get("status") or {}).get("conditions") or ():
            ctype, status = cond.get("type"), cond.get("status")
            healthy = (status == "True") if ctype == "Ready" else (status == "False")
            if healthy and not (ctype == "Ready" and _t(cond.get("lastTransitionTime")) >
                                since):
                continue
            out.append(Entry(_t(cond.get("lastTransitionTime")), "node", f"node/{name}",
                             f"{ctype}={status}" + (f" ({cond.get('reason')})"
                                                    if cond.get("reason") else ""),
                             bad=not healthy))
    return out


def _config_entries(configs: list[Obj]) -> list[Entry]:
    """A ConfigMap's or Secret's last write, from its managedFields (never its data)."""
    out = []
    for obj in configs:
        meta = obj.get("metadata") or {}
        times = [_t(m.get("time")) for m in meta.get("managedFields") or ()]
        created = _t(meta.get("creationTimestamp"))
        kind = (obj.get("kind") or "ConfigMap").lower()
        out.append(Entry(created, "config", f"{kind}/{meta.get('name', '')}", "created"))
        latest = max(times, default=0.0)
        if latest > created + 1:
            out.append(Entry(latest, "config", f"{kind}/{meta.get('name', '')}",
                             "updated (the pods that read it at start keep the old data)"))
    return out


def _readable(obj: object) -> bool:
    if not isinstance(obj, dict):
        return False
    meta = obj.get("metadata") or {}
    return isinstance(meta, Mapping) and isinstance(meta.get("name", ""), str) and all(
        isinstance(obj.get(k) or {}, Mapping) for k in ("spec", "status", "involvedObject"))


def _safely(fn: Callable[_P, list[Entry]], *args: _P.args, **kwargs: _P.kwargs) -> list[Entry]:
    """One object's entries; none for a malformed one (it must not hide the others)."""
    try:
        return fn(*args, **kwargs)
    except Exception:  # noqa: BLE001 - a malformed object must not hide the others
        return []


def build(workload: Obj | None, owned: list[Obj], pods: list[Obj],
          events: list[Obj], nodes: Sequence[Obj] = (), configs: Sequence[Obj] = (),
          actions: Sequence[tuple[float, str, str]] = ()) -> Timeline:
    """`owned`: the workload's ReplicaSets or ControllerRevisions; `events`: the
    namespace's (only those about the workload, its revisions and pods are kept);
    `nodes`: the nodes the pods run on; `configs`: the ConfigMaps and Secrets they use;
    `actions`: (time, subject, what) done through kubetui."""
    owned, pods, events, nodes, configs = ([o for o in objs if _readable(o)] for objs in (
        owned, pods, events, nodes, configs))
    if workload is not None and not (_readable(workload) and isinstance(
            (workload.get("metadata") or {}).get("name"), str) and isinstance(
            workload.get("kind", ""), str)):
        workload = None  # without a name there is nothing to follow
    entries: list[Entry] = []
    subjects = {f"pod/{(p.get('metadata') or {}).get('name', '')}" for p in pods}
    if workload is not None:
        kind = workload.get("kind", "Deployment")
        subjects.add(f"{kind.lower()}/{workload['metadata']['name']}")
        subjects |= {f"replicaset/{(o.get('metadata') or {}).get('name', '')}" for o in owned}
        hpa_target = workload["metadata"]["name"]
        subjects |= {f"horizontalpodautoscaler/{(e.get('involvedObject') or {}).get('name')}"
                     for e in events if (e.get("involvedObject") or {}).get("kind") ==
                     "HorizontalPodAutoscaler" and hpa_target in (e.get("message") or "")}
        entries += _safely(_revisions, owned, "ReplicaSet" if kind == "Deployment"
                           else "ControllerRevision")
        entries += _safely(_condition_entries, workload)
    for pod in pods:
        entries += _safely(_pod_entries, pod)
    prefixes = tuple(f"{(o.get('metadata') or {}).get('name', '')}-" for o in owned
                     if o.get("kind") != "ControllerRevision")
    if workload is not None and workload.get("kind") in ("StatefulSet", "DaemonSet"):
        prefixes += (f"{workload['metadata']['name']}-",)
    entries += _safely(_event_entries, events, subjects, prefixes)
    # a waiting container's time is a guess; its pod's warning events say it exactly
    told = {e.subject for e in entries if e.bad and e.source in ("event", "probe")}
    entries = [e for e in entries if not (e.source == "container" and "waiting:" in e.text
                                          and e.subject in told)]
    try:
        since = min((_t((p.get("metadata") or {}).get("creationTimestamp")) for p in pods),
                    default=0.0)
    except Exception:  # noqa: BLE001 - a creation time that is not one
        since = 0.0
    entries += _safely(_node_entries, nodes, since)
    entries += _safely(_config_entries, configs)
    names = {sub.split("/", 1)[1] for sub in subjects}  # actions about these objects only
    entries += [Entry(t, "kubetui", subject, what) for t, subject, what in actions
                if any(re.search(rf"\b{re.escape(n)}\b", what) for n in names if n)]
    entries = [e for e in entries if e.time]
    # timestamps are often whole seconds: within one, causes before effects
    entries.sort(key=lambda e: (e.time, RANK.get(e.source, 9), e.bad))
    first = next((i for i, e in enumerate(entries) if e.bad), None)
    if first is not None:
        entries[first].first_bad = True
        earlier = list(reversed(entries[:first]))  # a change someone made beats a scale
        before = next((e for e in earlier if e.source in ("rollout", "config", "node",
                                                          "kubetui")), None) or \
            next((e for e in earlier if e.source == "scale"), None)
        if before is not None:
            before.before_first_bad = True
    return Timeline(entries)


__all__ = ["Entry", "Timeline", "build"]
