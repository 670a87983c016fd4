"""The seven-step debugging checklist for one pod, as data: each step has a verdict (ok,
problem, unknown), a one-line summary and its evidence; a summary on top names the most
likely cause (`rules.diagnose`). What the steps read is gathered elsewhere (`Evidence`);
this module only judges it.

    1. describe: the events section first, warnings first
    2. logs: the current and the previous container
    3. events: of the pod, and the namespace's recent warnings, by lastTimestamp
    4. rollout status of the owning workload
    5. exec: a shell, one key
    6. node: its conditions; a debug pod on it, one key
    7. top: usage from metrics.k8s.io against requests and limits"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol

from humanize import naturalsize

from kubetui.render.json_types import Obj
from kubetui.render.metrics import top_cpu
from kubetui.render.quantity import parse_quantity

from .rules import Finding, container_statuses, diagnose, event_line, event_time

OK, PROBLEM, UNKNOWN = "ok", "problem", "unknown"


class RolloutStatus(Protocol):
    """What the rollout step reads of the owner's rollout (kube.rollout.Status has it;
    diagnose/ does not import kube/, so the shape is written down here)."""

    done: bool
    message: str
    desired: int
    updated: int
    ready: int
    available: int
    failed: str


@dataclass
class Evidence:
    pod: Obj
    events: list[Obj] = field(default_factory=list)  # the pod's
    namespace_events: list[Obj] = field(default_factory=list)  # recent, of the namespace
    logs: dict[str, list[str] | str] = field(default_factory=dict)  # container -> lines / error
    previous_logs: dict[str, list[str] | str] = field(default_factory=dict)
    owner: str = ""  # "Deployment shop/frontend" (the workload the pod belongs to)
    rollout: RolloutStatus | None = None  # kube.rollout.Status of the owner
    node: Obj | None = None
    pvcs: dict[str, Obj] | None = None
    metrics: Obj | None = None  # the pod's PodMetrics
    node_metrics: Obj | None = None
    metrics_error: str = ""  # why there are no metrics ("" while they are there)
    nodes: list[Obj] | None = None  # every node, read for a pod no node took
    unread: dict[str, str] = field(default_factory=dict)  # "events" etc. -> why not read


@dataclass
class Step:
    number: int
    title: str
    command: str  # the kubectl command this step stands for
    verdict: str
    summary: str
    evidence: list[str] = field(default_factory=list)
    key: str = ""  # the key that acts on this step (shell, node debug)


@dataclass
class Checklist:
    namespace: str
    name: str
    findings: list[Finding]
    steps: list[Step]

    state: str = ""  # "Running, 1/1 ready" as kubectl would put it

    @property
    def cause(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    def verdicts(self) -> list[str]:
        return [s.verdict for s in self.steps]


def build(ev: Evidence) -> Checklist:
    pod = ev.pod
    meta = pod.get("metadata") if isinstance(pod, dict) else None
    findings = diagnose(pod, ev.events, _previous(ev), ev.pvcs, ev.nodes)
    plan: tuple[tuple[str, Callable[[Evidence], Step]], ...] = (
        ("describe", partial(_describe, findings=findings)), ("logs", _logs),
        ("events", _events_step), ("rollout", _rollout), ("exec", _exec), ("node", _node),
        ("top", _top))
    steps = [_guarded(n, title, step, ev) for n, (title, step) in enumerate(plan, 1)]
    try:
        state = _state(pod)
    except Exception:  # noqa: BLE001 - a malformed pod: its steps say what could not be read
        state = "malformed"
    meta = meta if isinstance(meta, Mapping) else {}
    return Checklist(str(meta.get("namespace") or ""), str(meta.get("name") or "?"),
                     findings, steps, state)


def _guarded(number: int, title: str, step: Callable[[Evidence], Step], ev: Evidence) -> Step:
    """A step that cannot read a malformed object is unknown, with why."""
    try:
        return step(ev)
    except Exception as exc:  # noqa: BLE001 - any step's failure is an unknown, said
        return Step(number, title, "", UNKNOWN, f"could not read the object: "
                    f"{type(exc).__name__}: {exc}"[:160])


def _state(pod: Obj) -> str:
    st = pod.get("status") or {}
    containers = (pod.get("spec") or {}).get("containers") or ()
    ready = sum(1 for cs in st.get("containerStatuses") or () if cs.get("ready"))
    return f"{st.get('phase') or 'of unknown phase'}, {ready}/{len(containers)} ready"


def _previous(ev: Evidence) -> list[str] | str | None:
    """The previous containers' lines for the rules: None when none were read, the error
    when every read failed (unknown is not empty)."""
    read = [v for v in ev.previous_logs.values() if isinstance(v, list)]
    if read:
        return [ln for v in read for ln in v]
    errors = [v for v in ev.previous_logs.values() if isinstance(v, str)]
    return errors[0] if errors else None


def headline(c: Checklist) -> str:
    """The line on top when no rule names a cause: what the pod is, and what the steps
    could not see (never "fine" for what was not looked at)."""
    unknown = [s.title for s in c.steps if s.verdict == UNKNOWN]
    problems = [s.title for s in c.steps if s.verdict == PROBLEM]
    out = f"{c.namespace}/{c.name} is {c.state}"
    if problems:
        out += f"; the {', '.join(problems)} step{'s' if len(problems) > 1 else ''} found "
        out += "something"
    if unknown:
        out += f"; could not tell: {', '.join(unknown)}"
    return out


# -- the steps
def _describe(ev: Evidence, findings: list[Finding]) -> Step:
    pod, name = ev.pod, ev.pod["metadata"]["name"]
    warnings = [e for e in ev.events if e.get("type") == "Warning"]
    st = pod.get("status") or {}
    newest_first = sorted(ev.events, key=event_time, reverse=True)
    lines = [event_line(e) for e in sorted(  # warnings first (a stable sort keeps the order)
        newest_first, key=lambda e: e.get("type") != "Warning")][:8]
    lines.append(f"phase {st.get('phase', '?')}" +
                 (f", {st['reason']}: {st.get('message', '')}" if st.get("reason") else ""))
    for cs in container_statuses(pod):
        state = cs.get("state") or {}
        which = next(iter(state), "unknown")
        detail = state.get(which) or {}
        lines.append(f"container {cs['name']}: {which}"
                     + (f" ({detail.get('reason')})" if detail.get("reason") else "")
                     + f", ready={cs.get('ready', False)}, restarts={cs.get('restartCount', 0)}")
    bad = bool(warnings) or bool(findings)
    if "events" in ev.unread:
        summary = f"events could not be read ({ev.unread['events']})"
    else:
        summary = (f"{len(warnings)} warning event{'s' if len(warnings) != 1 else ''}"
                   if warnings else "no warning events")
    summary += f"; {findings[0].rule}" if findings else ""
    verdict = PROBLEM if bad else UNKNOWN if "events" in ev.unread else OK
    return Step(1, "describe", f"kubectl describe pod {name}", verdict, summary, lines)


def _logs(ev: Evidence) -> Step:
    name = ev.pod["metadata"]["name"]
    lines, verdict, notes = [], OK, []
    for container in sorted(set(ev.logs) | set(ev.previous_logs)):
        current, before = ev.logs.get(container), ev.previous_logs.get(container)
        if isinstance(current, list):
            lines.append(f"── {container}, current (last {min(len(current), 5)} lines)")
            lines += [f"  {ln}" for ln in current[-5:]] or ["  (no output)"]
        elif current:
            lines.append(f"── {container}, current: could not read: {current}")
            verdict = UNKNOWN if verdict == OK else verdict
            notes.append(f"{container}'s logs could not be read")
        if isinstance(before, list):
            lines.append(f"── {container}, previous container (last {min(len(before), 5)} lines)")
            lines += [f"  {ln}" for ln in before[-5:]] or ["  (no output)"]
            verdict = PROBLEM
            notes.append(f"{container} crashed before")
        elif before:
            lines.append(f"── {container}, previous container: could not read: {before}")
            verdict = UNKNOWN if verdict == OK else verdict
            notes.append(f"{container} ran before; its previous logs could not be read")
    if not lines:
        verdict = UNKNOWN
        notes.append("no container has started" if not container_statuses(ev.pod) or not any(
            (cs.get("state") or {}).get("running") or (cs.get("state") or {}).get("terminated")
            or (cs.get("lastState") or {}).get("terminated") for cs in container_statuses(ev.pod))
            else "no logs read")
    summary = "; ".join(notes) or "the current logs, no previous container"
    return Step(2, "logs", f"kubectl logs {name} [-p]", verdict, summary, lines)


def _events_step(ev: Evidence) -> Step:
    ns = ev.pod["metadata"].get("namespace", "")
    warnings = sorted((e for e in ev.namespace_events if e.get("type") == "Warning"),
                      key=event_time, reverse=True)
    mine = [e for e in ev.events if e.get("type") == "Warning"]
    lines = [f"{event_time(e)[11:19]}  {(e.get('involvedObject') or {}).get('kind', '')}/"
             f"{(e.get('involvedObject') or {}).get('name', '')}  {e.get('reason', '')}: "
             f"{e.get('message', '')}" for e in warnings[:10]]
    summary = (f"{len(mine)} warning(s) about this pod, {len(warnings)} in namespace {ns}"
               if warnings or mine else f"no warnings in namespace {ns}")
    command = "kubectl get events --sort-by=.lastTimestamp"
    unread = [f"{what} could not be read: {why}" for what, why in ev.unread.items()
              if what in ("events", "namespace events")]
    if unread and not mine:
        return Step(3, "events", command, UNKNOWN, "; ".join(unread), lines)
    return Step(3, "events", command, PROBLEM if mine else OK,
                "; ".join([summary, *unread]), lines or ["(no warning events)"])


def _rollout(ev: Evidence) -> Step:
    if not ev.owner:
        return Step(4, "rollout", "kubectl rollout status", UNKNOWN,
                    "the pod belongs to no workload with a rollout", [])
    st = ev.rollout
    if st is None:
        return Step(4, "rollout", "kubectl rollout status", UNKNOWN,
                    f"owned by {ev.owner}, which has no rollout status", [])
    kind, _, name = ev.owner.partition(" ")
    command = f"kubectl rollout status {kind.lower()}/{name.split('/')[-1]}"
    lines = [st.message,
             f"desired {st.desired}, updated {st.updated}, ready {st.ready}, "
             f"available {st.available}"]
    if st.failed:
        return Step(4, "rollout", command, PROBLEM, f"{ev.owner}: stuck: {st.failed}", lines)
    if st.done:
        return Step(4, "rollout", command, OK, f"{ev.owner}: rolled out", lines)
    return Step(4, "rollout", command, PROBLEM if st.ready < st.desired else UNKNOWN,
                f"{ev.owner}: not complete ({st.ready}/{st.desired} ready)", lines)


def _exec(ev: Evidence) -> Step:
    name = ev.pod["metadata"]["name"]
    running = [cs["name"] for cs in (ev.pod.get("status") or {}).get("containerStatuses") or ()
               if (cs.get("state") or {}).get("running")]
    if running:
        return Step(5, "exec", f"kubectl exec -it {name} -- sh", OK,
                    f"running: {', '.join(running)}; press s for a shell, x for a command, "
                    "e for an ephemeral debug container (distroless images)",
                    [], key="s")
    return Step(5, "exec", f"kubectl exec -it {name} -- sh", UNKNOWN,
                "no container is running: nothing to exec into", [], key="s")


def _node(ev: Evidence) -> Step:
    node_name = (ev.pod.get("spec") or {}).get("nodeName")
    command = f"kubectl debug node/{node_name or '<node>'} -it --image=busybox"
    if not node_name:
        return Step(6, "node", command, UNKNOWN, "not on a node yet (not scheduled)", [])
    if ev.node is None:
        return Step(6, "node", command, UNKNOWN, f"node {node_name} could not be read", [],
                    key="n")
    lines, bad = [], []
    for cond in (ev.node.get("status") or {}).get("conditions") or ():
        ctype, status = cond.get("type"), cond.get("status")
        healthy = (status == "True") if ctype == "Ready" else (status == "False")
        lines.append(f"{ctype}={status}" + (f" ({cond.get('reason')})" if cond.get("reason")
                                             else ""))
        if not healthy:
            bad.append(f"{ctype}={status}")
    taints = [f"{t.get('key')}:{t.get('effect')}" for t in
              (ev.node.get("spec") or {}).get("taints") or ()]
    if taints:
        lines.append("taints: " + ", ".join(taints))
    if (ev.node.get("spec") or {}).get("unschedulable"):
        lines.append("cordoned (unschedulable)")
    lines.append("press n for a debug pod on the node (host namespaces, removed afterwards)")
    summary = f"node {node_name}: " + (", ".join(bad) if bad else "Ready, no pressure")
    return Step(6, "node", command, PROBLEM if bad else OK, summary, lines, key="n")


def _memory(n: float) -> str:
    """Memory as people read it (117.7 MiB); CPU stays in kubectl top's millicores,
    the unit requests and limits are written in."""
    return naturalsize(n, binary=True)


def _top(ev: Evidence) -> Step:
    name = ev.pod["metadata"]["name"]
    command = f"kubectl top pod {name}"
    if ev.metrics is None:
        return Step(7, "top", command, UNKNOWN,
                    ev.metrics_error or "no metrics for this pod (not running?)", [])
    lines, verdict = [], OK
    for c in ev.metrics.get("containers") or ():
        usage = c.get("usage") or {}
        spec: Obj = next((s for s in (ev.pod.get("spec") or {}).get("containers") or ()
                           if s["name"] == c["name"]), {})
        limits = (spec.get("resources") or {}).get("limits") or {}
        requests = (spec.get("resources") or {}).get("requests") or {}
        cpu, mem = usage.get("cpu", "0"), usage.get("memory", "0")
        line = (f"{c['name']}: cpu {top_cpu(parse_quantity(cpu))}, memory "
                f"{_memory(parse_quantity(mem))}")
        if limits.get("memory"):
            share = parse_quantity(mem) / parse_quantity(limits["memory"])
            line += f" ({share:.0%} of its {limits['memory']} limit)"
            if share >= 0.9:
                verdict = PROBLEM
        if not requests:
            line += "; no requests set (the scheduler packs it blindly)"
        lines.append(line)
    if ev.node_metrics:
        usage = ev.node_metrics.get("usage") or {}
        cpu, mem = (top_cpu(parse_quantity(usage["cpu"])) if "cpu" in usage else "?",
                    _memory(parse_quantity(usage["memory"])) if "memory" in usage else "?")
        lines.append(f"node: cpu {cpu}, memory {mem}")
    summary = "memory near its limit" if verdict == PROBLEM else "usage within limits"
    return Step(7, "top", command, verdict, summary, lines)


__all__ = ["Checklist", "Evidence", "Step", "build", "headline", "OK", "PROBLEM",
           "UNKNOWN"]
