"""The port-forwards kubetui runs: what can be forwarded (a pod's declared ports, a
workload's template ports, a service's ports mapped to their targetPort), which ready pod
a service or workload forwards to, and the manager that starts forwards, watches their
pods (a pod that goes away ends a pod's forward; a service's or workload's forward moves
to another ready pod, and says so) and stops them all on quit."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable

from kubetui.render.json_types import Obj
from kubetui.render.printers import pod_selector

from .client import ApiError, KubeClient
from .kinds import KINDS
from .portforward import Forward, free_port

log = logging.getLogger("kubetui.kube")
FORWARDABLE = ("Pod", "Service", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")
SHORT = {"Service": "svc", "Deployment": "deploy", "StatefulSet": "sts", "DaemonSet": "ds",
         "ReplicaSet": "rs"}
CHECK_EVERY = 1.0  # seconds between looks at the forwarded pods


@dataclass(frozen=True)
class PortChoice:
    label: str  # "80/http (nginx)", "svc 80 -> http"
    port: int  # the port asked for: a container port, or a service's port
    target: int | str  # what to reach in the pod: a number, or a container port's name


def _containers(kind: str, obj: Obj) -> list[Obj]:
    spec = obj.get("spec") or {}
    if kind != "Pod":
        spec = ((spec.get("template") or {}).get("spec")) or {}
    return list(spec.get("containers") or ())


def port_choices(kind: str, obj: Obj) -> list[PortChoice]:
    """The TCP ports to offer: every container's declared ports, or a service's."""
    out: list[PortChoice] = []
    if kind == "Service":
        for p in (obj.get("spec") or {}).get("ports") or ():
            if p.get("protocol", "TCP") != "TCP" or "port" not in p:
                continue
            target = p.get("targetPort", p["port"])
            name = f"/{p['name']}" if p.get("name") else ""
            out.append(PortChoice(f"{p['port']}{name} -> {target}", int(p["port"]), target))
        return out
    for c in _containers(kind, obj):
        for p in c.get("ports") or ():
            if p.get("protocol", "TCP") != "TCP" or "containerPort" not in p:
                continue
            name = f"/{p['name']}" if p.get("name") else ""
            out.append(PortChoice(f"{p['containerPort']}{name} ({c['name']})",
                                  int(p["containerPort"]), int(p["containerPort"])))
    return out


def resolve_port(pod: Obj, target: int | str) -> int | None:
    """A targetPort in a pod: a number as it is, a name looked up in its containers."""
    if isinstance(target, int) or str(target).isdigit():
        return int(target)
    for c in _containers("Pod", pod):
        for p in c.get("ports") or ():
            if p.get("name") == target:
                return int(p["containerPort"])
    return None


def is_ready(pod: Obj) -> bool:
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    st = pod.get("status") or {}
    return st.get("phase") == "Running" and any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in st.get("conditions") or ())


def ready_pod(client: KubeClient, kind: str, namespace: str, name: str,
              avoid: str = "") -> Obj | None:
    """A ready pod behind a service or workload (by name order; `avoid` only if it is
    the one left)."""
    obj = client.get_json(KINDS[kind].path(namespace, name))
    selector = pod_selector(obj)
    if not selector:
        return None
    pods = client.get_json(KINDS["Pod"].path(namespace), {"labelSelector": selector}).get(
        "items") or []
    ready = sorted((p for p in pods if is_ready(p)), key=lambda p: (
        p["metadata"]["name"] == avoid, p["metadata"]["name"]))
    return ready[0] if ready else None


Note = Callable[[str, str], None]  # (message, severity)


class ForwardManager:
    """Every forward of this kubetui, and a thread that watches their pods."""

    def __init__(self, note: Note | None = None, every: float = CHECK_EVERY):
        self.forwards: list[Forward] = []
        self.note = note or (lambda message, severity: None)
        self.every = every
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._kinds: dict[int, tuple[str, str]] = {}  # id(forward) -> (kind, name)

    def start(self, client: KubeClient, kind: str, namespace: str, name: str,
              choice: PortChoice, local_port: int, pod: Obj | None = None) -> Forward:
        """Forward 127.0.0.1:local_port to the object's port (a service or workload: to
        one of its ready pods). ApiError if there is no pod to go to; OSError if the
        local port cannot be bound."""
        if kind != "Pod" and pod is None:
            pod = ready_pod(client, kind, namespace, name)
            if pod is None:
                raise ApiError(503, "ServiceUnavailable",
                               f"{kind.lower()} {namespace}/{name} has no ready pod to "
                               "forward to")
        if pod is None:
            pod = client.get_json(KINDS["Pod"].path(namespace, name))
        if (pod.get("status") or {}).get("phase") != "Running":
            raise ApiError(400, "BadRequest", "unable to forward port because pod is not "
                           f"running. Current status={(pod.get('status') or {}).get('phase')}")
        remote = resolve_port(pod, choice.target)
        if remote is None:
            raise ApiError(400, "BadRequest", f"pod {pod['metadata']['name']} has no port "
                                              f"named {choice.target}")
        fwd = Forward(client, namespace, pod["metadata"]["name"], remote, local_port,
                      via="" if kind == "Pod" else f"{SHORT.get(kind, kind.lower())}/{name}",
                      target_port=choice.target, pod_uid=pod["metadata"].get("uid", ""))
        fwd.start()
        with self._lock:
            self.forwards.append(fwd)
            self._kinds[id(fwd)] = (kind, name)
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._watch, name="pf-watch",
                                                daemon=True)
                self._thread.start()
        return fwd

    def live(self) -> list[Forward]:
        return [f for f in self.forwards if f.live]

    def stop(self, fwd: Forward) -> None:
        fwd.stop()

    def stop_client(self, client: KubeClient) -> int:
        """Stop the live forwards made through `client` (a session that closes); how
        many."""
        gone = [f for f in self.live() if f.client is client]
        for fwd in gone:
            fwd.stop("stopped", "its context's session closed (context switched)")
        return len(gone)

    def stop_all(self) -> None:
        self._stop.set()
        for fwd in list(self.forwards):
            fwd.stop()

    # -- the watch
    def _watch(self) -> None:
        while not self._stop.wait(self.every):
            forwards = self.live()
            if not forwards:
                continue
            for fwd in forwards:
                try:
                    self.check(fwd)
                except Exception:  # one look failed: the next one tries again
                    log.exception("cannot check the pod of port-forward %s", fwd.local)

    def check(self, fwd: Forward) -> None:
        """Is the forward's pod still there (and, behind a service, ready)?"""
        kind, name = self._kinds.get(id(fwd), ("Pod", fwd.pod))
        try:
            pod = fwd.client.get_json(KINDS["Pod"].path(fwd.namespace, fwd.pod))
        except ApiError as exc:
            if exc.status != 404:
                raise
            pod = None
        same = pod is not None and (not fwd.pod_uid or
                                    pod["metadata"].get("uid") == fwd.pod_uid)
        if kind == "Pod":
            if not same:
                fwd.stop("ended", f"pod {fwd.namespace}/{fwd.pod} is gone")
                self.note(f"pod {fwd.namespace}/{fwd.pod} is gone: port-forward {fwd.local} "
                          "ended", "warning")
            return
        if same and pod is not None and is_ready(pod) and fwd.state == "listening":
            return
        old = fwd.pod
        new = ready_pod(fwd.client, kind, fwd.namespace, name, avoid=old if same else "")
        if new is None or (same and new["metadata"]["name"] == old):
            if fwd.state != "waiting" and not (same and pod is not None and is_ready(pod)):
                fwd.state, fwd.last_error = "waiting", f"pod {old} went away and no other " \
                    f"pod of {fwd.via} is ready"
                self.note(f"port-forward {fwd.local}: {fwd.last_error}", "warning")
            return
        port = resolve_port(new, fwd.target_port if fwd.target_port is not None
                            else fwd.remote_port)
        if port is None:
            return
        fwd.retarget(new["metadata"]["name"], port, new["metadata"].get("uid", ""))
        self.note(f"port-forward {fwd.local} ({fwd.via}): pod {old} went away, now "
                  f"forwarding to pod {new['metadata']['name']}:{port}", "information")


__all__ = ["FORWARDABLE", "ForwardManager", "PortChoice", "free_port", "is_ready",
           "port_choices", "ready_pod", "resolve_port"]
