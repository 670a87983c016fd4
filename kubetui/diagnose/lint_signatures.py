"""What a change to an object means to the lint's indexes: the key's parts, the claims a
pod mounts, what the runtime rules read of a pod (its signature), whether a bare pod
moved in what its rules read, and which container a liveness event is about. Each is a
small pure function of the objects (the Linter's indexes decide from them what to check
again)."""

from __future__ import annotations

from kubetui.render.json_types import Obj

from .lint_rules import meta
from .lint_stale_config import reload_annotations

PodSignature = tuple[tuple[object, ...], ...]  # what the runtime rules read of a pod


def split_key(key: str) -> tuple[str, str]:
    ns, _, name = key.rpartition("/")
    return ns, name


def claims_of(pod: Obj) -> tuple[str, ...]:
    return tuple(v["persistentVolumeClaim"].get("claimName", "")
                 for v in (pod.get("spec") or {}).get("volumes") or ()
                 if v.get("persistentVolumeClaim"))


def pod_signature(pod: Obj | None) -> PodSignature:
    """What the runtime rules read of a pod: a change here re-checks its workload."""
    if pod is None:
        return ()
    out = []
    for cs in (pod.get("status") or {}).get("containerStatuses") or ():
        last = ((cs.get("lastState") or {}).get("terminated") or {}).get("reason")
        cur = ((cs.get("state") or {}).get("terminated") or {}).get("reason")
        out.append((cs.get("name"), cs.get("restartCount", 0), last, cur,
                    ((cs.get("state") or {}).get("running") or {}).get("startedAt")))
    return tuple(out)


def bare_pod_moved(old: Obj | None, new: Obj | None) -> bool:
    """Whether a bare pod whose spec stayed changed in what its rules read besides the
    spec: labels, deletion, the annotations that say its configs reload, and the
    container states the runtime rules read. (Status and annotation updates are most of
    a busy cluster's pod events; each had re-run every rule.)"""
    if old is None or new is None:
        return True
    m_old, m_new = meta(old), meta(new)
    return (m_old.get("labels") != m_new.get("labels")
            or m_old.get("deletionTimestamp") != m_new.get("deletionTimestamp")
            or reload_annotations(m_old) != reload_annotations(m_new)
            or pod_signature(old) != pod_signature(new))


def liveness_container(event: Obj) -> str | None:
    """The container a kubelet's `Liveness probe failed` event is about (None: not one)."""
    if event.get("reason") != "Unhealthy" or not (event.get("message") or "").startswith(
            "Liveness probe failed"):
        return None
    path = (event.get("involvedObject") or {}).get("fieldPath") or ""
    return path[len("spec.containers{"):-1] if path.startswith("spec.containers{") else ""


__all__ = ["PodSignature", "bare_pod_moved", "claims_of", "liveness_container",
           "pod_signature", "split_key"]
