"""The kubelet of every simulated node: it moves bound pods through ContainerCreating,
Running and Ready with the real container statuses, conditions and events, and finishes
graceful deletion. Container behaviours (crash loops, OOM, probes) grow here."""

from __future__ import annotations

import ipaddress
import random

from .behavior import parse as parse_behavior
from .containers import Containers, config_error
from .controller import set_condition
from .images import digest as _digest
from .meta import deep_copy, now_rfc3339
from .resources import BY_KIND
from .store import DELETED, Change

PODS = BY_KIND["Pod"]
NODES = BY_KIND["Node"]


class Kubelet:
    start_delay = 0.4  # bound -> ContainerCreating
    pull_seconds = (0.8, 2.0)  # ContainerCreating -> Running
    stop_seconds = 1.0  # deletionTimestamp -> gone (capped by the grace period)

    def __init__(self, sim):
        self.sim = sim
        self.api = sim.api
        self.store = sim.store
        self.recorder = sim.recorder
        self.rng = random.Random(sim.seed)
        self.started: dict[tuple[str, str], str] = {}
        self.stopping: set[str] = set()
        self._next_ip: dict[str, int] = {}
        self.logs = sim.logs
        self.containers = Containers(self)
        self.store.listeners.append(self.on_change)

    def on_change(self, change: Change) -> None:
        if change.res is not PODS:
            return
        pod = change.obj
        meta = pod["metadata"]
        key, uid = (meta["namespace"], meta["name"]), meta["uid"]
        if change.type == DELETED:
            self.started.pop(key, None)
            self.stopping.discard(uid)
            self.logs.forget(*key)
            return
        if not pod["spec"].get("nodeName"):
            return
        if meta.get("deletionTimestamp"):
            if uid not in self.stopping:
                self.stopping.add(uid)
                self.sim.defer(lambda: self._stop(key, uid))
        elif self.started.get(key) != uid:
            self.started[key] = uid
            self.sim.after(self.start_delay, lambda: self._create(key, uid))

    def _pod(self, key, uid) -> dict | None:
        pod = self.store.get(PODS, *key)
        if pod is None or pod["metadata"]["uid"] != uid or pod["metadata"].get(
                "deletionTimestamp"):
            return None
        return deep_copy(pod)

    def _write_status(self, pod: dict) -> dict:
        meta = pod["metadata"]
        return self.api.update(PODS, meta["namespace"], meta["name"], pod, "status",
                               manager="kubelet")

    def _pod_ip(self, node_name: str) -> str:
        node = self.store.get(NODES, None, node_name)
        cidr = ((node or {}).get("spec") or {}).get("podCIDR") or "10.244.0.0/24"
        n = self._next_ip.get(node_name, 2)
        self._next_ip[node_name] = n + 1 if n < 250 else 2
        return str(ipaddress.ip_network(cidr, strict=False).network_address + n)

    def _host_ip(self, node_name: str) -> str:
        node = self.store.get(NODES, None, node_name) or {}
        for a in (node.get("status") or {}).get("addresses") or ():
            if a.get("type") == "InternalIP":
                return a["address"]
        return "172.18.0.2"

    def _emit(self, pod: dict, etype: str, reason: str, message: str, container: str | None):
        path = f"spec.containers{{{container}}}" if container else None
        self.recorder.emit(pod, etype, reason, message, "kubelet", pod["spec"]["nodeName"],
                           path)

    # -- the lifecycle
    def _create(self, key, uid) -> None:
        pod = self._pod(key, uid)
        if pod is None:
            return
        now = now_rfc3339()
        spec, status = pod["spec"], pod.setdefault("status", {})
        host_ip = self._host_ip(spec["nodeName"])
        status.update({"phase": "Pending", "hostIP": host_ip, "hostIPs": [{"ip": host_ip}],
                       "startTime": now})
        names = [c["name"] for c in spec["containers"]]
        set_condition(status, "PodReadyToStartContainers", "False", "", "", now)
        set_condition(status, "Initialized", "True", "", "", now)
        not_ready = f"containers with unready status: [{' '.join(names)}]"
        set_condition(status, "Ready", "False", "ContainersNotReady", not_ready, now)
        set_condition(status, "ContainersReady", "False", "ContainersNotReady", not_ready, now)
        status["containerStatuses"] = [{
            "name": c["name"], "image": c["image"], "imageID": "", "ready": False,
            "restartCount": 0, "started": False,
            "state": {"waiting": {"reason": "ContainerCreating"}},
            "lastState": {},
        } for c in spec["containers"]]
        self._write_status(pod)
        for c in spec["containers"]:
            if c.get("imagePullPolicy") == "IfNotPresent" and self.rng.random() < 0.5:
                self._emit(pod, "Normal", "Pulled", f'Container image "{c["image"]}" already '
                           "present on machine", c["name"])
            else:
                self._emit(pod, "Normal", "Pulling", f'Pulling image "{c["image"]}"', c["name"])
        self.sim.after(self.rng.uniform(*self.pull_seconds), lambda: self._run(key, uid))

    def _run(self, key, uid) -> None:
        pod = self._pod(key, uid)
        if pod is None:
            return
        now = now_rfc3339()
        spec, status = pod["spec"], pod["status"]
        behaviors = parse_behavior(pod)
        config = {c["name"]: config_error(self.store, pod, c) for c in spec["containers"]}
        pulls = [c for c in spec["containers"] if not behaviors[c["name"]].pull_fails
                 and not config[c["name"]]]
        if pulls:
            ip = status.get("hostIP") if spec.get("hostNetwork") else self._pod_ip(
                spec["nodeName"])
            status.update({"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}]})
        set_condition(status, "PodReadyToStartContainers", "True", "", "", now)
        for c, cs in zip(spec["containers"], status["containerStatuses"], strict=False):
            if behaviors[c["name"]].pull_fails:
                self.containers.pull_failed(pod, c, cs)
                continue
            if config[c["name"]]:
                self.containers.config_failed(pod, c, cs, config[c["name"]])
                continue
            if c.get("imagePullPolicy") != "IfNotPresent":
                size = int(_digest(c["image"])[:6], 16) * 64
                self._emit(pod, "Normal", "Pulled", f'Successfully pulled image "{c["image"]}" '
                           f"in 1.2s (1.2s including waiting). Image size: {size} bytes.",
                           c["name"])
            self.containers.start(pod, c, cs, behaviors[c["name"]], now)
        self._set_readiness(pod, now)
        self._write_status(pod)

    @staticmethod
    def _set_readiness(pod: dict, now: str) -> None:
        status = pod["status"]
        unready = [cs["name"] for cs in status.get("containerStatuses") or ()
                   if not cs.get("ready")]
        if unready:
            msg = f"containers with unready status: [{' '.join(unready)}]"
            set_condition(status, "ContainersReady", "False", "ContainersNotReady", msg, now)
            set_condition(status, "Ready", "False", "ContainersNotReady", msg, now)
        else:
            for ctype in ("ContainersReady", "Ready"):
                set_condition(status, ctype, "True", "", "", now)

    def _stop(self, key, uid) -> None:
        pod = self.store.get(PODS, *key)
        if pod is None or pod["metadata"]["uid"] != uid:
            return
        for cs in (pod.get("status") or {}).get("containerStatuses") or ():
            if cs.get("state", {}).get("running"):
                self._emit(pod, "Normal", "Killing", f"Stopping container {cs['name']}",
                           cs["name"])
                self.logs.end(pod, cs["name"], 0, "Stopped")
        grace = pod["metadata"].get("deletionGracePeriodSeconds", 30)
        delay = min(self.stop_seconds, float(grace))
        self.sim.after(delay, lambda: self._finish(key, uid))

    def _finish(self, key, uid) -> None:
        pod = self.store.get(PODS, *key)
        if pod is not None and pod["metadata"]["uid"] == uid:
            self.api.finish_pod_deletion(*key)
