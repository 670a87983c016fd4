"""A checklist and an incident as text: plain (`kubetui diagnose`), markdown (the
incident bundle a person hands over) and JSON (for scripts). Takes what kube/incident
gathered (duck-typed: render is a leaf); every piece of cluster text goes through the
incident's `mask` first."""

from __future__ import annotations

import time
from collections.abc import Callable

from .json_types import Any, Obj

VERDICT_MARK = {"ok": "✔", "problem": "✖", "unknown": "?"}


def _when(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) if t else "?"


def checklist_json(target: str, namespace: str, pod: str | None, checklist: Any) -> Obj:
    cause = checklist.cause if checklist is not None else None
    return {
        "target": target, "namespace": namespace, "pod": pod,
        "cause": None if cause is None else {
            "rule": cause.rule, "cause": cause.cause, "evidence": cause.evidence,
            "fix": cause.fix, "container": cause.container},
        "also": [f.cause for f in (checklist.findings[1:] if checklist else [])],
        "steps": [{"number": s.number, "name": s.title, "verdict": s.verdict,
                   "summary": s.summary, "evidence": s.evidence, "command": s.command}
                  for s in (checklist.steps if checklist else [])],
    }


def checklist_text(target: str, namespace: str, pod: str | None, checklist: Any,
                   headline: str = "") -> str:
    lines = [f"{target} in {namespace}" + (f" (pod {pod})" if pod and pod not in target
                                             else "")]
    cause = checklist.cause if checklist is not None else None
    if cause is not None:
        lines += [f"most likely cause: {cause.cause}",
                  *(f"  {e}" for e in cause.evidence)]
        if cause.fix:
            lines.append(f"what to do: {cause.fix}")
    else:
        lines.append(f"no cause found: {headline}" if headline else "no cause found")
    for s in checklist.steps if checklist else ():
        lines.append(f"{s.number} {s.title:<9} {VERDICT_MARK.get(s.verdict, '?')} "
                     f"{s.verdict:<8} {s.summary}")
    return "\n".join(lines) + "\n"


def _fence(text: str) -> str:
    body = text.rstrip("\n").replace("```", "`​``")
    return f"```\n{body}\n```\n"


def timeline_lines(timeline: Any, mask: Callable[[str], str] = lambda s: s) -> list[str]:
    out = []
    for e in timeline.entries:
        mark = ("FIRST BAD " if e.first_bad else "just before " if e.before_first_bad
                else "")
        count = f" (x{e.count})" if e.count > 1 else ""
        out.append(f"{_when(e.time)}  {mark}{e.subject}: {mask(e.text)}{count}")
    return out


def incident_markdown(incident: Any, commands: list[str]) -> str:
    """The bundle: cause, checklist, timeline, describe, events, logs, history with the
    last diff, node, lint findings, and how to see each part again with kubectl."""
    m = incident.mask
    c = incident.checklist
    out = [f"# Incident report: {incident.target} in {incident.namespace or 'the cluster'}",
           "", f"Written by kubetui on {_when(time.time())} UTC. Secret values and tokens "
           "are masked.", ""]
    cause = c.cause if c is not None else None
    out += ["## Most likely cause", ""]
    if cause is not None:
        out += [f"**{m(cause.cause)}**", "", *(f"- {m(e)}" for e in cause.evidence), ""]
        if cause.fix:
            out += [f"What to do: {cause.fix}", ""]
        out += [f"Also: {m(f.cause)}" for f in c.findings[1:]] + ([""] if c.findings[1:]
                                                                    else [])
    else:
        out += ["No rule names a cause.", ""]
    if c is not None:
        out += ["## Checklist" + (f" (pod {incident.pod})" if incident.pod else ""), "",
                "| step | verdict | what it saw |", "|---|---|---|"]
        out += [f"| {s.number} {s.title} | {s.verdict} | {m(s.summary).replace('|', '/')} |"
                for s in c.steps]
        out.append("")
        for s in c.steps:
            if s.evidence:
                out += [f"### {s.number} {s.title}", "", _fence(m("\n".join(s.evidence)))]
    out += ["## Timeline", ""]
    first = incident.timeline.first_bad
    if first is not None:
        before = incident.timeline.cause_candidate
        out += [f"First bad: {first.subject}: {m(first.text)}" +
                (f"; just before: {before.subject}: {m(before.text)}" if before else ""), ""]
    out += [_fence("\n".join(timeline_lines(incident.timeline, m)) or "(nothing recorded)")]
    if incident.describe:
        out += ["## Describe", "", _fence(m(incident.describe))]
    warnings = [e for e in incident.events if e.get("type") == "Warning"]
    if warnings:
        out += ["## Warning events in the namespace", "",
                _fence("\n".join(f"{e.get('reason', '')}: {m(e.get('message') or '')}"
                                 for e in warnings[:30]))]
    if incident.history:
        out += ["## Rollout history", "", "| revision | change-cause | images |",
                "|---|---|---|"]
        out += [f"| {r.number} | {r.change_cause or '<none>'} | {', '.join(r.images)} |"
                for r in incident.history]
        out.append("")
        if incident.last_diff:
            out += ["Last change:", "", _fence(m(incident.last_diff))]
    if incident.node is not None:
        conds = (incident.node.get("status") or {}).get("conditions") or ()
        out += [f"## Node {incident.node['metadata']['name']}", "",
                *(f"- {x.get('type')}={x.get('status')} {x.get('reason', '')}" for x in conds),
                ""]
    out += ["## Footgun lint", ""]
    out += [f"- {m(f)}" for f in incident.findings] or ["(no findings for these objects)"]
    out += ["", "## See it again with kubectl", "", _fence("\n".join(commands))]
    return "\n".join(out)


__all__ = ["checklist_json", "checklist_text", "incident_markdown", "timeline_lines"]


def commands_for(incident: Any) -> list[str]:
    """The kubectl commands that show each part of a report again."""
    ns = f" -n {incident.namespace}" if incident.namespace else ""
    pod = incident.pod
    out = [f"kubectl describe {incident.kind.lower()} {incident.name}{ns}"]
    if pod:
        out += [f"kubectl describe pod {pod}{ns}", f"kubectl logs {pod}{ns} --all-containers",
                f"kubectl logs {pod}{ns} --all-containers -p",
                f"kubectl get events{ns} --field-selector involvedObject.name={pod}"]
    if incident.history:
        out.append(f"kubectl rollout history {incident.kind.lower()}/{incident.name}{ns}")
    if incident.node is not None:
        out.append(f"kubectl describe node {incident.node['metadata']['name']}")
    return out
