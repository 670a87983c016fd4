"""The scheduler's FailedScheduling message, parsed:

    0/3 nodes are available: 2 Insufficient cpu, 1 node(s) had untolerated taint
    {node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: ...

becomes the number of nodes and, per reason, how many nodes it ruled out, in words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HEAD = re.compile(r"(\d+)/(\d+) nodes are available:?\s*(.*)", re.S)
_COUNTED = re.compile(r"^(\d+)\s+(.*)$")


@dataclass
class Scheduling:
    nodes: int | None  # how many nodes the scheduler looked at
    reasons: list[tuple[int | None, str]] = field(default_factory=list)  # (nodes, raw reason)
    unbound_pvc: bool = False

    def words(self) -> list[str]:
        """Each reason as a sentence a person would say."""
        return [say(n, r) for n, r in self.reasons]


def parse(message: str) -> Scheduling:
    text = message.split(" preemption:", 1)[0].strip()
    m = _HEAD.match(text)
    if not m:
        return Scheduling(None, [(None, text.rstrip("."))] if text else [],
                          "unbound" in text and "PersistentVolumeClaim" in text)
    out = Scheduling(int(m.group(2)))
    for part in _split(m.group(3).rstrip(".")):
        counted = _COUNTED.match(part)
        out.reasons.append((int(counted.group(1)), counted.group(2)) if counted
                           else (None, part))
        if "unbound" in part and "PersistentVolumeClaim" in part:
            out.unbound_pvc = True
    return out


def _split(text: str) -> list[str]:
    """Split on commas outside braces (a taint `{key: value}` holds none, but be safe)."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += ch == "{"
        depth -= ch == "}"
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def say(nodes: int | None, reason: str) -> str:
    on = "" if nodes is None else f" on {nodes} node{'s' if nodes != 1 else ''}"
    low = reason.lower()
    if low.startswith("insufficient "):
        resource = reason.split(" ", 1)[1]
        resource = {"cpu": "CPU", "memory": "memory"}.get(resource, resource)
        return f"not enough free {resource} (requests){on}"
    if "untolerated taint" in low:
        taint = reason[reason.find("{") + 1:reason.rfind("}")].split(":")[0].strip() \
            if "{" in reason else ""
        return f"a taint the pod does not tolerate{on}" + (f" ({taint})" if taint else "")
    if "didn't match pod's node affinity/selector" in low or "node affinity" in low:
        return f"the pod's nodeSelector / node affinity matches no label{on}"
    if "unbound" in low and "persistentvolumeclaim" in low:
        return "a PersistentVolumeClaim it mounts is not bound to a volume"
    if "unschedulable" in low:
        return f"cordoned (unschedulable){on}"
    if "too many pods" in low:
        return f"the pod limit is reached{on}"
    if "didn't have free ports" in low:
        return f"the requested host port is taken{on}"
    if "volume node affinity conflict" in low:
        return f"its volume lives in another zone or node{on}"
    if "anti-affinity" in low or "affinity rules" in low:
        return f"pod affinity / anti-affinity rules rule it out{on}"
    if "topology spread" in low:
        return f"topology spread constraints rule it out{on}"
    return reason + on


__all__ = ["Scheduling", "parse", "say"]
