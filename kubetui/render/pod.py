"""Pods as kubectl prints them: READY, STATUS, RESTARTS exactly as `printPod` in
k8s.io/kubernetes/pkg/printers/internalversion/printers.go (1.32) computes them."""

from __future__ import annotations

from dataclasses import dataclass

from .age import age, human_duration, parse_time
from .json_types import Obj

NODE_UNREACHABLE_REASON = "NodeLost"

# Health verdicts used to colour rows; the UI maps them to theme variables.
OK, PENDING, ERROR, DONE = "ok", "pending", "error", "done"

_PENDING_REASONS = {
    "Pending", "ContainerCreating", "PodInitializing", "Terminating", "NotReady",
    "SchedulingGated", "Unknown",
}
_DONE_REASONS = {"Completed", "Succeeded"}


@dataclass(frozen=True, slots=True)
class PodSummary:
    ready: str
    status: str
    restarts: str
    health: str


def _is_restartable_init(spec_by_name: Obj, name: str) -> bool:
    return bool(spec_by_name.get(name, {}).get("restartPolicy") == "Always")


def _has_condition(pod: Obj, ctype: str) -> bool:
    for cond in (pod.get("status") or {}).get("conditions") or ():
        if cond.get("type") == ctype and cond.get("status") == "True":
            return True
    return False


def is_ready(pod: Obj) -> bool:
    """The pod's Ready condition is True."""
    return _has_condition(pod, "Ready")


def summarize(pod: Obj, now: float) -> PodSummary:
    """kubectl's READY / STATUS / RESTARTS for one pod, plus a health verdict."""
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    meta = pod.get("metadata") or {}
    init_specs = spec.get("initContainers") or []
    init_by_name = {c.get("name"): c for c in init_specs}

    restarts = 0
    restartable_init_restarts = 0
    total = len(spec.get("containers") or [])
    ready_count = 0
    last_restart = 0.0

    reason = status.get("phase") or ""
    if status.get("reason"):
        reason = status["reason"]

    for cond in status.get("conditions") or ():
        if cond.get("type") == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    for c in init_specs:
        if c.get("restartPolicy") == "Always":
            total += 1

    initializing = False
    init_statuses = status.get("initContainerStatuses") or []
    for i, cs in enumerate(init_statuses):
        restarts += cs.get("restartCount", 0)
        last_restart = max(last_restart, _last_termination(cs))
        state = cs.get("state") or {}
        terminated = state.get("terminated")
        waiting = state.get("waiting")
        restartable = _is_restartable_init(init_by_name, cs.get("name"))
        if restartable:
            restartable_init_restarts += cs.get("restartCount", 0)
            if cs.get("started") and cs.get("ready"):
                ready_count += 1
        if terminated is not None and terminated.get("exitCode", 0) == 0:
            continue
        if restartable and cs.get("started"):
            continue
        if terminated is not None:
            if terminated.get("reason"):
                reason = "Init:" + terminated["reason"]
            elif terminated.get("signal"):
                reason = f"Init:Signal:{terminated['signal']}"
            else:
                reason = f"Init:ExitCode:{terminated.get('exitCode', 0)}"
            initializing = True
        elif (waiting is not None and waiting.get("reason")
              and waiting["reason"] != "PodInitializing"):
            reason = "Init:" + waiting["reason"]
            initializing = True
        else:
            reason = f"Init:{i}/{len(init_specs)}"
            initializing = True
        break

    if not initializing or _has_condition(pod, "Initialized"):
        restarts = restartable_init_restarts
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += cs.get("restartCount", 0)
            last_restart = max(last_restart, _last_termination(cs))
            state = cs.get("state") or {}
            waiting = state.get("waiting")
            terminated = state.get("terminated")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None and terminated.get("reason"):
                reason = terminated["reason"]
            elif terminated is not None:
                if terminated.get("signal"):
                    reason = f"Signal:{terminated['signal']}"
                else:
                    reason = f"ExitCode:{terminated.get('exitCode', 0)}"
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready_count += 1
        if reason == "Completed" and has_running:
            reason = "Running" if is_ready(pod) else "NotReady"

    phase = status.get("phase")
    if meta.get("deletionTimestamp") and status.get("reason") == NODE_UNREACHABLE_REASON:
        reason = "Unknown"
    elif meta.get("deletionTimestamp") and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"

    restarts_text = str(restarts)
    if restarts and last_restart:
        restarts_text = f"{restarts} ({human_duration(now - last_restart)} ago)"

    return PodSummary(
        ready=f"{ready_count}/{total}",
        status=reason,
        restarts=restarts_text,
        health=_health(reason, ready_count, total),
    )


def _last_termination(cs: Obj) -> float:
    term = (cs.get("lastState") or {}).get("terminated") or {}
    return parse_time(term.get("finishedAt")) or 0.0


def _health(reason: str, ready: int, total: int) -> str:
    if reason == "Running":
        return OK if ready == total else PENDING
    if reason in _DONE_REASONS:
        return DONE
    if reason in _PENDING_REASONS or reason.startswith("Init:") and reason[5:6].isdigit():
        return PENDING
    return ERROR


POD_COLUMNS = ("NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE")


def pod_row(pod: Obj, now: float) -> tuple[tuple[str, ...], str]:
    """The pods table row (kubectl `get pods -A -o wide` columns) and its health."""
    meta = pod.get("metadata") or {}
    status = pod.get("status") or {}
    s = summarize(pod, now)
    cells = (
        meta.get("namespace", ""),
        meta.get("name", ""),
        s.ready,
        s.status,
        s.restarts,
        age(meta.get("creationTimestamp"), now),
        status.get("podIP") or "<none>",
        (pod.get("spec") or {}).get("nodeName") or "<none>",
    )
    return cells, s.health
