"""The scheduler's FailedScheduling message, parsed. The v1.36 scheduler writes

    0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint(s).
    no new claims to deallocate, preemption: 0/3 nodes are available: 3 Preemption is
    not helpful for scheduling.

    0/3 nodes are available: persistentvolumeclaim "data" not found. not found

(older ones named the taint, `{node-role.kubernetes.io/control-plane: }`, and had no
claims sentence). The first sentence is the reasons; what follows (dynamic resource
claims, preemption) is about what could be done, not why. Each reason becomes how many
nodes it ruled out and, in `words()`, a sentence a person would say."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

_HEAD = re.compile(r"\s*(\d+)/(\d+) nodes are available:?\s*(.*)", re.S)
_COUNTED = re.compile(r"^(\d+)\s+(.*)$")
_MISSING_CLAIM = re.compile(r'persistentvolumeclaim "([^"]+)" not found', re.I)


@dataclass
class Scheduling:
    nodes: int | None  # how many nodes the scheduler looked at
    reasons: list[tuple[int | None, str]] = field(default_factory=list)  # (nodes, raw reason)
    unbound_pvc: bool = False
    missing_pvc: str = ""  # the claim the pod names that does not exist

    def words(self) -> list[str]:
        """Each reason as a sentence a person would say."""
        return [say(n, r) for n, r in self.reasons]


def parse(message: str) -> Scheduling:
    m = _HEAD.match(message or "")
    if not m:
        text = _first_sentence(message or "")
        out = Scheduling(None, [(None, text)] if text else [])
    else:
        out = Scheduling(int(m.group(2)))
        for part in _split(_first_sentence(m.group(3))):
            counted = _COUNTED.match(part)
            out.reasons.append((int(counted.group(1)), counted.group(2)) if counted
                               else (None, part))
    for _, reason in out.reasons:
        low = reason.lower()
        if "unbound" in low and "persistentvolumeclaim" in low:
            out.unbound_pvc = True
        missing = _MISSING_CLAIM.search(reason)
        if missing:
            out.missing_pvc = missing.group(1)
    return out


def _outside_braces(text: str) -> Iterator[tuple[int, str, int]]:
    """(index, character, depth) for each character; a taint `{key: value}` may hold
    dots and commas that are not separators."""
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "{"
        yield i, ch, depth
        depth -= ch == "}"


def _first_sentence(text: str) -> str:
    """Up to the first ". " (or the final ".") outside braces."""
    text = text.strip()
    for i, ch, depth in _outside_braces(text):
        if ch == "." and depth == 0 and (i + 1 == len(text) or text[i + 1] == " "):
            return text[:i].strip()
    return text


def _split(text: str) -> list[str]:
    """Split on commas outside braces."""
    parts, start = [], 0
    for i, ch, depth in _outside_braces(text):
        if ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]


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
    missing = _MISSING_CLAIM.search(reason)
    if missing:
        return f"the PersistentVolumeClaim {missing.group(1)} it mounts does not exist"
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
        extra = (" (the nodes lack the topology key's label)" if "missing required label" in low
                 else "")
        return f"topology spread constraints rule it out{on}{extra}"
    return reason + on


__all__ = ["Scheduling", "parse", "say"]
