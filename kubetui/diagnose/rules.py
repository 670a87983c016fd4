"""The rules that name what is wrong with a pod, most likely cause first. Each reads the
pod (spec and status), its events, and where it helps the last lines of the previous
container's logs and the PersistentVolumeClaims it mounts; each finding carries its
evidence (the lines a person would point at) and what to do about it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from kubetui.render.describe import probe_text
from kubetui.render.events import count as event_count
from kubetui.render.events import last_seen
from kubetui.render.json_types import Obj

from . import exitcodes, scheduling

PULL_REASONS = ("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull")
CONFIG_REASONS = ("CreateContainerConfigError", "CreateContainerError")


@dataclass
class Finding:
    rule: str  # unschedulable, not-scheduled, gated, not-started, unbound-pvc, image-pull,
    #            config-error, oom, liveness, crashloop, readiness, not-ready, terminating
    cause: str  # one sentence: what is wrong
    evidence: list[str] = field(default_factory=list)
    fix: str = ""  # what to do about it
    container: str = ""


# -- reading the pod
def container_statuses(pod: Obj) -> list[Obj]:
    st = pod.get("status") or {}
    return [*(st.get("initContainerStatuses") or ()), *(st.get("containerStatuses") or ())]


def _spec(pod: Obj, name: str) -> Obj:
    spec = pod.get("spec") or {}
    return next((c for c in [*(spec.get("initContainers") or ()),
                             *(spec.get("containers") or ())] if c.get("name") == name), {})


def _condition(pod: Obj, ctype: str) -> Obj:
    return next((c for c in (pod.get("status") or {}).get("conditions") or ()
                 if c.get("type") == ctype), {})


def _events(events: Iterable[Obj] | None, *reasons: str, text: str = "") -> list[Obj]:
    out = [e for e in events or () if (not reasons or e.get("reason") in reasons)
           and text.lower() in (e.get("message") or "").lower()]
    return sorted(out, key=event_time, reverse=True)


def event_time(e: Obj) -> str:
    return last_seen(e) or (e.get("metadata") or {}).get("creationTimestamp") or ""


def event_line(e: Obj) -> str:
    count = event_count(e)
    return (f"event {e.get('type', '')} {e.get('reason', '')}"
            f"{f' (x{count})' if count > 1 else ''}: {e.get('message', '')}")


# -- the rules, each returning a finding or None
def config_error(pod: Obj, events: list[Obj], **_: object) -> Finding | None:
    for cs in container_statuses(pod):
        waiting = (cs.get("state") or {}).get("waiting") or {}
        if waiting.get("reason") not in CONFIG_REASONS:
            continue
        message = waiting.get("message", "")
        m = re.search(r"couldn't find key (\S+) in (ConfigMap|Secret) (\S+)", message)
        if m:
            cause = f"the {m.group(2)} {m.group(3)} has no key {m.group(1)}"
            fix = (f"add the key {m.group(1)} to {m.group(2)} {m.group(3)}, or mark the "
                   "reference optional")
        else:
            m = re.search(r'(configmap|secret) "([^"]+)" not found', message, re.I)
            kind = {"configmap": "ConfigMap", "secret": "Secret"}.get(
                (m.group(1) if m else "").lower(), "")
            cause = (f"the {kind} {m.group(2)} does not exist" if m else
                     f"the container cannot be created: {message}")
            fix = f"create the {kind} {m.group(2)} in {pod['metadata'].get('namespace')}" \
                if m else "fix the container's configuration"
        evidence = [f"container {cs['name']}: {waiting['reason']}: {message}"]
        evidence += [event_line(e) for e in _events(events, "Failed")[:2]]
        return Finding("config-error", f"CreateContainerConfigError: {cause}", evidence, fix,
                       cs["name"])
    return None


def image_pull(pod: Obj, events: list[Obj], **_: object) -> Finding | None:
    for cs in container_statuses(pod):
        waiting = (cs.get("state") or {}).get("waiting") or {}
        if waiting.get("reason") not in PULL_REASONS:
            continue
        image = _spec(pod, cs["name"]).get("image") or cs.get("image", "")
        failed = _events(events, "Failed", text="failed to pull")
        detail = (failed[0].get("message", "") if failed else waiting.get("message", ""))
        low = detail.lower()
        secrets = [s.get("name") for s in (pod.get("spec") or {}).get("imagePullSecrets") or ()]
        if any(w in low for w in ("not found", "manifest unknown", "does not exist")):
            name, _sep, tag = image.rpartition(":") if ":" in image.rsplit("/", 1)[-1] else \
                (image, "", "latest")
            why = f"the image {image} does not exist (no tag {tag!r} for {name})"
            fix = "fix the image name or tag in the pod template"
        elif any(w in low for w in ("unauthorized", "authentication required", "denied",
                                    "forbidden")):
            why = (f"the registry refused to pull {image} (credentials): imagePullSecrets "
                   + (", ".join(secrets) if secrets else "none set"))
            fix = "add or fix an imagePullSecret with access to the registry"
        elif any(w in low for w in ("no such host", "timeout", "connection refused",
                                    "i/o timeout")):
            why = f"the registry of {image} cannot be reached from the node"
            fix = "check the registry address and the node's network / proxy"
        elif waiting["reason"] == "InvalidImageName":
            why = f"{image!r} is not a valid image reference"
            fix = "fix the image reference"
        else:
            why = f"the image {image} cannot be pulled"
            fix = "check the image name, tag and pull secrets"
        evidence = [f"container {cs['name']}: {waiting['reason']}: {waiting.get('message', '')}"]
        evidence += [event_line(e) for e in failed[:2]]
        return Finding("image-pull", f"{waiting['reason']}: {why}", evidence, fix, cs["name"])
    return None


def _pending(pod: Obj) -> bool:
    return (pod.get("status") or {}).get("phase") == "Pending" and not (
        pod.get("metadata") or {}).get("deletionTimestamp")


def gated(pod: Obj, events: list[Obj], **_: object) -> Finding | None:
    gates = [g.get("name", "") for g in (pod.get("spec") or {}).get("schedulingGates") or ()]
    if not _pending(pod) or not gates or (pod.get("spec") or {}).get("nodeName"):
        return None
    cond = _condition(pod, "PodScheduled")
    return Finding("gated", "Pending: held back by scheduling gates " + ", ".join(gates),
                   [f"spec.schedulingGates: {', '.join(gates)}"] +
                   ([f"PodScheduled={cond.get('status')} ({cond.get('reason', '')}): "
                     f"{cond.get('message', '')}"] if cond else []),
                   "the controller that added a gate removes it when its condition is met; "
                   "remove it by hand only if that controller is gone")


def not_scheduled(pod: Obj, events: list[Obj], **_: object) -> Finding | None:
    """Pending with no word from any scheduler: no PodScheduled condition and no
    FailedScheduling event. A scheduler that looked would have written one of them."""
    spec = pod.get("spec") or {}
    if not _pending(pod) or spec.get("nodeName") or spec.get("schedulingGates"):
        return None
    if _condition(pod, "PodScheduled") or _events(events, "FailedScheduling"):
        return None
    scheduler = spec.get("schedulerName") or "default-scheduler"
    created = (pod.get("metadata") or {}).get("creationTimestamp", "?")
    return Finding("not-scheduled", f"Pending: no scheduler has looked at it yet (is "
                   f"{scheduler} running?)",
                   ["no PodScheduled condition and no FailedScheduling event",
                    f"spec.schedulerName: {scheduler}", f"created {created}"],
                   f"check the scheduler: kubectl get pods -n kube-system -l "
                   f"component=kube-scheduler, and its leader election; a pod that names a "
                   f"scheduler that does not run ({scheduler}) waits for ever")


def not_started(pod: Obj, events: list[Obj],
                nodes: list[Obj] | None = None, **_: object) -> Finding | None:
    """Bound to a node whose kubelet has not reported on it: no container status at all."""
    node_name = (pod.get("spec") or {}).get("nodeName")
    st = pod.get("status") or {}
    started = st.get("conditions") and any(
        c.get("type") in ("Initialized", "PodReadyToStartContainers")
        for c in st["conditions"])
    if not _pending(pod) or not node_name or container_statuses(pod) or started:
        return None
    evidence = [f"spec.nodeName: {node_name}; no container status, no kubelet condition"]
    node = next((n for n in nodes or () if n["metadata"]["name"] == node_name), None)
    ready = _condition(node, "Ready") if node else {}
    if ready:
        evidence.append(f"node {node_name}: Ready={ready.get('status')}"
                        + (f" ({ready.get('reason')}: {ready.get('message', '')})"
                           if ready.get("status") != "True" else ""))
    return Finding("not-started", f"Pending on node {node_name}: its kubelet has not "
                   "reported on the pod yet", evidence,
                   f"check the kubelet on {node_name} (kubectl describe node {node_name}; "
                   "its logs: journalctl -u kubelet)")


def _taints_of(nodes: list[Obj] | None) -> list[str]:
    out = []
    for n in nodes or ():
        taints = [f"{t.get('key')}" + (f"={t['value']}" if t.get("value") else "") +
                  f":{t.get('effect')}" for t in (n.get("spec") or {}).get("taints") or ()]
        if taints:
            out.append(f"node {n['metadata']['name']} taints: {', '.join(taints)}")
    return out


def unschedulable(pod: Obj, events: list[Obj], pvcs: dict[str, Obj] | None = None,
                  nodes: list[Obj] | None = None, **_: object) -> Finding | None:
    cond = _condition(pod, "PodScheduled")
    if not _pending(pod) or cond.get("status") != "False" or cond.get(
            "reason") == "SchedulingGated":
        return None
    failed = _events(events, "FailedScheduling")
    message = failed[0].get("message", "") if failed else cond.get("message", "")
    parsed = scheduling.parse(message)
    evidence = [event_line(failed[0])] if failed else [f"PodScheduled=False: {message}"]
    if parsed.missing_pvc:
        return Finding("unbound-pvc", f"Pending: its PersistentVolumeClaim "
                       f"{parsed.missing_pvc} does not exist", evidence,
                       f"create the claim {parsed.missing_pvc}, or fix the claim name in the "
                       "pod's volumes")
    if parsed.unbound_pvc:
        claims = [v["persistentVolumeClaim"]["claimName"] for v in
                  (pod.get("spec") or {}).get("volumes") or () if "persistentVolumeClaim" in v]
        details = []
        for name in claims:
            pvc = (pvcs or {}).get(name)
            if pvc is None:
                details.append(f"PersistentVolumeClaim {name}: "
                               f"{'not found' if pvcs is not None else 'not looked up'}")
                continue
            phase = (pvc.get("status") or {}).get("phase", "Pending")
            sc = (pvc.get("spec") or {}).get("storageClassName") or "(default)"
            details.append(f"PersistentVolumeClaim {name}: {phase}, storageClassName {sc}")
        cause = ("Pending: its PersistentVolumeClaim " + ", ".join(claims) +
                 " is not bound" if claims else "Pending: a PersistentVolumeClaim is not bound")
        return Finding("unbound-pvc", cause, evidence + details,
                       "check the claim's storage class and provisioner "
                       "(kubectl describe pvc); a class that does not exist never binds")
    words = parsed.words()
    fit = f"0/{parsed.nodes} nodes fit" if parsed.nodes is not None else "no node fits"
    requests = []
    for c in (pod.get("spec") or {}).get("containers") or ():
        req = (c.get("resources") or {}).get("requests") or {}
        if req:
            requests.append(f"container {c['name']} requests " +
                            ", ".join(f"{k}={v}" for k, v in sorted(req.items())))
    selector = (pod.get("spec") or {}).get("nodeSelector")
    if selector:
        requests.append("nodeSelector " + ", ".join(f"{k}={v}" for k, v in selector.items()))
    if any("untolerated taint" in r for _, r in parsed.reasons):
        tolerations = [f"{t.get('key', '*')}:{t.get('effect', '*')}" for t in
                       (pod.get("spec") or {}).get("tolerations") or ()]
        requests += _taints_of(nodes) + ["tolerations: " + (", ".join(tolerations) or "none")]
    return Finding("unschedulable", f"Pending, unschedulable ({fit}): " + "; ".join(words),
                   evidence + requests,
                   "lower the requests, add capacity, or fix the tolerations / selector")


def _last_terminated(cs: Obj) -> Obj:
    state = cs.get("state") or {}
    return state.get("terminated") or (cs.get("lastState") or {}).get("terminated") or {}


def _memory_limit(pod: Obj, name: str) -> str:
    limit: str = ((_spec(pod, name).get("resources") or {}).get("limits") or {}).get("memory",
                                                                                    "")
    return limit


def oom(pod: Obj, events: list[Obj], **_: object) -> Finding | None:
    for cs in container_statuses(pod):
        term = _last_terminated(cs)
        if term.get("reason") != "OOMKilled":
            continue
        limit = _memory_limit(pod, cs["name"])
        evidence = [f"container {cs['name']}: last terminated OOMKilled, exit code "
                    f"{term.get('exitCode', 137)} at {term.get('finishedAt', '?')}",
                    f"restarts: {cs.get('restartCount', 0)}",
                    f"memory limit: {limit or 'none (the node ran out of memory)'}"]
        return Finding("oom", f"OOMKilled: container {cs['name']} went over its memory limit"
                       + (f" of {limit}" if limit else ""), evidence,
                       "raise resources.limits.memory (and requests) or reduce the "
                       "process's memory use", cs["name"])
    return None


def liveness(pod: Obj, events: list[Obj], **_: object) -> Finding | None:
    killed = _events(events, "Killing", text="liveness")
    unhealthy = _events(events, "Unhealthy", text="liveness probe failed")
    if not killed and not unhealthy:
        return None
    name = next((cs["name"] for cs in container_statuses(pod)
                 if cs["name"] in (killed[0].get("message", "") if killed else "")), None) \
        or next((c["name"] for c in (pod.get("spec") or {}).get("containers") or ()
                 if c.get("livenessProbe")), "")
    cs = next((c for c in container_statuses(pod) if c["name"] == name), {})
    term = _last_terminated(cs)
    evidence = [event_line(e) for e in (unhealthy[:1] + killed[:1])]
    evidence.append(f"livenessProbe: {probe_text(_spec(pod, name).get('livenessProbe'))}")
    if term:
        evidence.append(f"last exit code {term.get('exitCode')}: "
                        f"{exitcodes.explain(term.get('exitCode'), term.get('reason', ''))}")
    evidence.append(f"restarts: {cs.get('restartCount', 0)}")
    return Finding("liveness", f"the liveness probe of container {name} fails, so the kubelet "
                   "keeps restarting it", evidence,
                   "make the probe's port / path match what the app serves, or give it more "
                   "time (initialDelaySeconds, failureThreshold)", name)


def crashloop(pod: Obj, events: list[Obj],
              previous_logs: list[str] | str | None = None, **_: object) -> Finding | None:
    for cs in container_statuses(pod):
        waiting = (cs.get("state") or {}).get("waiting") or {}
        term = _last_terminated(cs)
        crashing = waiting.get("reason") == "CrashLoopBackOff" or (
            term and term.get("exitCode", 0) != 0 and cs.get("restartCount", 0) > 0)
        if not crashing:
            continue
        code = term.get("exitCode")
        evidence = [f"container {cs['name']}: {waiting.get('reason') or 'restarting'}, "
                    f"restarts: {cs.get('restartCount', 0)}"]
        if term:
            evidence.append(f"last exit code {code} ({term.get('reason', '')}): "
                            f"{exitcodes.explain(code, term.get('reason', ''))}")
        if isinstance(previous_logs, str):  # the fetch failed: unknown, not empty
            evidence.append(f"the previous container's logs could not be read: "
                            f"{previous_logs}")
            previous_logs = None
        lines = [ln for ln in (previous_logs or ()) if ln.strip()][-5:]
        if lines:
            evidence.append("last lines of the previous container:")
            evidence += [f"  {ln}" for ln in lines]
        elif previous_logs is not None:
            evidence.append("the previous container wrote no logs")
        command = _spec(pod, cs["name"]).get("command") or []
        args = _spec(pod, cs["name"]).get("args") or []
        if command or args:
            line = " ".join([*command, *args])
            evidence.append("command: " + (line if len(line) <= 160 else
                                           line[:80] + " … " + line[-76:]))
        cause = f"CrashLoopBackOff: container {cs['name']} keeps exiting"
        if code is not None:
            cause += f" with code {code} ({exitcodes.short(code, term.get('reason', ''))})"
        return Finding("crashloop", cause, evidence,
                       "read the previous container's logs (p) for why it exits; check the "
                       "command, args, env and mounted config", cs["name"])
    return None


def readiness(pod: Obj, events: list[Obj], **_: object) -> Finding | None:
    if _condition(pod, "Ready").get("status") != "False":
        return None
    for cs in (pod.get("status") or {}).get("containerStatuses") or ():
        if cs.get("ready") or not (cs.get("state") or {}).get("running"):
            continue
        probe = _spec(pod, cs["name"]).get("readinessProbe")
        failed = _events(events, "Unhealthy", text="readiness probe failed")
        evidence = [event_line(e) for e in failed[:1]]
        evidence.append(f"readinessProbe: {probe_text(probe)}")
        evidence.append(f"container {cs['name']} is running since "
                        f"{cs['state']['running'].get('startedAt', '?')} but not ready")
        if not _spec(pod, cs["name"]).get("livenessProbe"):
            evidence.append("no livenessProbe: it is never restarted, and never gets traffic")
        cause = (f"the readiness probe of container {cs['name']} fails: the pod gets no "
                 "traffic from its Services") if failed else \
            f"container {cs['name']} is running but not ready yet"
        return Finding("readiness" if failed else "not-ready", cause, evidence,
                       "make the probe match what the app serves (port, path), or fix "
                       "what the app waits for", cs["name"])
    return None


def terminating(pod: Obj, events: list[Obj], **_: object) -> Finding | None:
    meta = pod.get("metadata") or {}
    if not meta.get("deletionTimestamp"):
        return None
    finalizers = meta.get("finalizers") or []
    return Finding("terminating", "the pod is being deleted" + (
        f" and waits on finalizers: {', '.join(finalizers)}" if finalizers else ""),
        [f"deletionTimestamp {meta['deletionTimestamp']}",
         f"grace period {meta.get('deletionGracePeriodSeconds', 30)}s"],
        "a finalizer's controller must finish; remove it only if that controller is gone")


def node_lost(pod: Obj, events: list[Obj], **_: object) -> Finding | None:
    """The node stopped reporting: the pod's status is the last the kubelet wrote."""
    st = pod.get("status") or {}
    if st.get("reason") != "NodeLost" and st.get("phase") != "Unknown":
        return None
    node = (pod.get("spec") or {}).get("nodeName", "?")
    return Finding("node-lost", f"the node {node} stopped reporting: the pod's state is "
                   "unknown", [f"phase {st.get('phase')}, reason {st.get('reason', '')}: "
                               f"{st.get('message', '')}"],
                   f"check node {node} (kubectl describe node {node}); its pods are replaced "
                   "elsewhere only when the node is deleted or they are force-deleted")


def evicted(pod: Obj, events: list[Obj], **_: object) -> Finding | None:
    st = pod.get("status") or {}
    if st.get("reason") != "Evicted":
        return None
    return Finding("evicted", f"Evicted by the kubelet: {st.get('message', '').strip()}",
                   [f"phase {st.get('phase')}, reason Evicted"],
                   "set requests and limits that match the use (memory, ephemeral "
                   "storage); the controller makes a new pod, delete this one")


def failed(pod: Obj, events: list[Obj], **_: object) -> Finding | None:
    """A pod that has ended badly: a container that exited non-zero for good."""
    st = pod.get("status") or {}
    if st.get("phase") != "Failed":
        return None
    for cs in container_statuses(pod):
        term = (cs.get("state") or {}).get("terminated") or {}
        code = term.get("exitCode")
        if not code:
            continue
        reason = term.get("reason", "") or (f"Signal:{term['signal']}" if term.get("signal")
                                            else "")
        return Finding("failed", f"Failed: container {cs['name']} exited with code {code} "
                       f"({exitcodes.short(code, reason)})",
                       [f"container {cs['name']}: terminated, exit code {code}"
                        + (f" ({reason})" if reason else ""),
                        f"{exitcodes.explain(code, reason)}",
                        f"restartPolicy {(pod.get('spec') or {}).get('restartPolicy')}: it "
                        "is not restarted"],
                       "read its logs (l) for why it exited", cs["name"])
    return Finding("failed", f"Failed: {st.get('reason') or 'the pod failed'}"
                   + (f": {st['message']}" if st.get("message") else ""), [],
                   "read the pod's events and logs")


def readiness_gates(pod: Obj, events: list[Obj], **_: object) -> Finding | None:
    ready = _condition(pod, "Ready")
    if ready.get("status") != "False" or ready.get("reason") != "ReadinessGatesNotReady":
        return None
    waiting = [g.get("conditionType", "") for g in (pod.get("spec") or {}).get(
        "readinessGates") or () if _condition(pod, g.get("conditionType", "")).get(
        "status") != "True"]
    return Finding("readiness-gates", "not Ready: readiness gate " + ", ".join(waiting) +
                   " is not True (its containers are ready)",
                   [f"condition {g}: {_condition(pod, g).get('status', 'not set')}"
                    for g in waiting],
                   "the controller that owns the gate (a load balancer, a feature-flag "
                   "syncer ...) sets it; check that controller")


def ended_container(pod: Obj, events: list[Obj], **_: object) -> Finding | None:
    """A regular container that ran to completion in a pod that keeps running: the pod
    is never Ready again (restartPolicy OnFailure / Never does not restart exit 0)."""
    if (pod.get("status") or {}).get("phase") != "Running":
        return None
    for cs in (pod.get("status") or {}).get("containerStatuses") or ():
        term = (cs.get("state") or {}).get("terminated") or {}
        if term and term.get("exitCode") == 0:
            return Finding("not-ready", f"container {cs['name']} has exited (code 0), so the "
                           "pod is never Ready again",
                           [f"container {cs['name']}: terminated, {term.get('reason', '')}",
                            f"restartPolicy {(pod.get('spec') or {}).get('restartPolicy')}"],
                           "a one-off step belongs in an initContainer (or a Job), not beside "
                           "the serving container", cs["name"])
    return None


class PodRule(Protocol):
    __name__: str

    def __call__(self, pod: Obj, events: list[Obj], *, previous_logs: list[str] | str | None,
                 pvcs: dict[str, Obj] | None, nodes: list[Obj] | None) -> Finding | None: ...


RULES: tuple[PodRule, ...] = (
    node_lost, evicted, config_error, image_pull, gated, not_scheduled, unschedulable,
    not_started, oom, liveness, crashloop, failed, readiness, readiness_gates,
    ended_container, terminating)


def diagnose(pod: Obj, events: list[Obj] | None = None,
             previous_logs: list[str] | str | None = None,
             pvcs: dict[str, Obj] | None = None,
             nodes: list[Obj] | None = None) -> list[Finding]:
    """Every rule that fires, the most likely cause first. `previous_logs`: the previous
    containers' last lines, None when not read, or the error that kept them from being
    read. `pvcs` maps claim names to PersistentVolumeClaims (None: not looked up);
    `nodes`, when read, name the taints a pending pod does not tolerate."""
    out = []
    events = [e for e in events or () if isinstance(e, dict)]
    for rule in RULES:
        try:
            found = rule(pod, events, previous_logs=previous_logs, pvcs=pvcs, nodes=nodes)
        except Exception as exc:  # noqa: BLE001 - a malformed object: say so, never crash the checklist
            found = Finding("malformed", f"the object is malformed: {rule.__name__} could "
                            f"not read it ({type(exc).__name__}: {exc})"[:200])
            out.append(found)
            break
        if found is not None:
            out.append(found)
    return out


__all__ = ["Finding", "diagnose", "probe_text"]
