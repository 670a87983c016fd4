"""One container's life inside a simulated pod: start, probes, exit, restart with the
kubelet's crash-loop back-off, image pull failures. The kubelet (`kubelet.py`) owns the
pod; this module owns what happens to each container, as `behavior.py` describes it."""

from __future__ import annotations

from .behavior import Behavior
from .behavior import parse as parse_behavior
from .images import digest, full_image, image_id
from .meta import now_rfc3339
from .resources import BY_KIND

BACKOFF_START, BACKOFF_MAX = 10.0, 300.0  # the kubelet's crash-loop back-off, seconds
UNHEALTHY_EVERY = 10.0
CONFIG_RETRY = 10.0  # the kubelet's next sync of a pod whose config is missing
CONFIGMAPS, SECRETS = BY_KIND["ConfigMap"], BY_KIND["Secret"]


class Containers:
    def __init__(self, kubelet):
        self.k = kubelet
        self.sim = kubelet.sim

    # -- helpers
    def _current(self, key, uid, name: str, restarts: int):
        """The pod and the container's status, if it is still the same run."""
        pod = self.k._pod(key, uid)
        if pod is None:
            return None, None
        for cs in pod["status"].get("containerStatuses") or ():
            if cs["name"] == name and cs.get("restartCount", 0) == restarts:
                return pod, cs
        return None, None

    @staticmethod
    def _spec(pod: dict, name: str) -> dict:
        return next(c for c in pod["spec"]["containers"] if c["name"] == name)

    @staticmethod
    def _key(pod: dict):
        meta = pod["metadata"]
        return (meta["namespace"], meta["name"]), meta["uid"]

    # -- start
    def start(self, pod: dict, c: dict, cs: dict, b: Behavior, now: str) -> None:
        """Mark the container running (in `cs`, written by the caller) and plan its run."""
        key, uid = self._key(pod)
        name, restarts = c["name"], cs.get("restartCount", 0)
        cs.update({
            "image": full_image(c["image"]), "imageID": image_id(c["image"]),
            "containerID": "containerd://" + digest(f"{uid}{name}{restarts}"),
            "started": True, "ready": False, "state": {"running": {"startedAt": now}},
        })
        self.k._emit(pod, "Normal", "Created", f"Created container: {name}", name)
        self.k._emit(pod, "Normal", "Started", f"Started container {name}", name)
        self.k.logs.start(pod, c, b.log_rate)
        probe = c.get("readinessProbe")
        if b.readiness_fails and probe is not None:
            delay = probe.get("initialDelaySeconds", 0) + probe.get("periodSeconds", 10)
            self.sim.after(delay, lambda: self._unready(key, uid, name, restarts))
        else:
            delay = probe.get("initialDelaySeconds", 0) + 1 if probe else 0
            if b.ready_after is not None:
                delay = max(delay, b.ready_after)
            if delay:
                self.sim.after(delay, lambda: self._ready(key, uid, name, restarts))
            else:
                cs["ready"] = True
        exit_plan = b.exits_after
        if exit_plan is not None:
            seconds, code, reason = exit_plan
            self.sim.after(seconds, lambda: self.exit(key, uid, name, restarts, code, reason))
        if b.liveness_fails_after is not None:
            self.sim.after(b.liveness_fails_after,
                           lambda: self._liveness_failed(key, uid, name, restarts))

    def _ready(self, key, uid, name: str, restarts: int) -> None:
        pod, cs = self._current(key, uid, name, restarts)
        if pod is None or not (cs.get("state") or {}).get("running"):
            return
        cs["ready"] = True
        self.k._set_readiness(pod, now_rfc3339())
        self.k._write_status(pod)

    def _unready(self, key, uid, name: str, restarts: int) -> None:
        pod, cs = self._current(key, uid, name, restarts)
        if pod is None or not (cs.get("state") or {}).get("running"):
            return
        probe = self._spec(pod, name).get("readinessProbe") or {}
        self.k._emit(pod, "Warning", "Unhealthy",
                     f"Readiness probe failed: {_probe_failure(probe, pod)}", name)
        self.sim.after(UNHEALTHY_EVERY, lambda: self._unready(key, uid, name, restarts))

    def _liveness_failed(self, key, uid, name: str, restarts: int) -> None:
        pod, cs = self._current(key, uid, name, restarts)
        if pod is None or not (cs.get("state") or {}).get("running"):
            return
        probe = self._spec(pod, name).get("livenessProbe") or {"httpGet": {"port": 8080,
                                                                           "path": "/healthz"}}
        for _ in range(probe.get("failureThreshold", 3)):
            self.k._emit(pod, "Warning", "Unhealthy",
                         f"Liveness probe failed: {_probe_failure(probe, pod)}", name)
        self.k._emit(pod, "Normal", "Killing",
                     f"Container {name} failed liveness probe, will be restarted", name)
        self.exit(key, uid, name, restarts, 143, "Error", stopped=True)

    # -- exit and restart
    def exit(self, key, uid, name: str, restarts: int, code: int, reason: str,
             stopped: bool = False) -> None:
        pod, cs = self._current(key, uid, name, restarts)
        if pod is None or not (cs.get("state") or {}).get("running"):
            return
        now = now_rfc3339()
        terminated = {"exitCode": code, "reason": reason,
                      "startedAt": cs["state"]["running"]["startedAt"], "finishedAt": now,
                      "containerID": cs.get("containerID", "")}
        cs.update({"ready": False, "started": False, "state": {"terminated": terminated}})
        self.k.logs.end(pod, name, code, "Stopped" if stopped else reason)
        policy = pod["spec"].get("restartPolicy", "Always")
        restart = policy == "Always" or (policy == "OnFailure" and code != 0)
        if not restart:
            self._maybe_finish(pod, now)
        self.k._set_readiness(pod, now)
        self.k._write_status(pod)
        if restart:
            delay = 1.0 if restarts == 0 else min(BACKOFF_START * 2 ** (restarts - 1),
                                                   BACKOFF_MAX)
            if restarts > 0:
                self.sim.after(1.0, lambda: self._back_off(key, uid, name, restarts, delay))
            self.sim.after(delay, lambda: self._restart(key, uid, name, restarts))

    def _back_off(self, key, uid, name: str, restarts: int, delay: float) -> None:
        pod, cs = self._current(key, uid, name, restarts)
        if pod is None or not (cs.get("state") or {}).get("terminated"):
            return
        who = f"{key[1]}_{key[0]}({uid})"
        cs["lastState"] = {"terminated": cs["state"]["terminated"]}
        cs["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message":
                                   f"back-off {_go_duration(delay)} restarting failed "
                                   f"container={name} pod={who}"}}
        self.k._emit(pod, "Warning", "BackOff",
                     f"Back-off restarting failed container {name} in pod {who}", name)
        self.k._write_status(pod)

    def _restart(self, key, uid, name: str, restarts: int) -> None:
        pod, cs = self._current(key, uid, name, restarts)
        if pod is None or (cs.get("state") or {}).get("running"):
            return
        state = cs["state"]
        cs["lastState"] = {"terminated": state["terminated"]} if "terminated" in state \
            else cs.get("lastState") or {}
        cs["restartCount"] = restarts + 1
        c = self._spec(pod, name)
        self.k._emit(pod, "Normal", "Pulled", f'Container image "{c["image"]}" already '
                     "present on machine", name)
        self.start(pod, c, cs, parse_behavior(pod)[name], now_rfc3339())
        self.k._set_readiness(pod, now_rfc3339())
        self.k._write_status(pod)

    @staticmethod
    def _maybe_finish(pod: dict, now: str) -> None:
        statuses = pod["status"].get("containerStatuses") or ()
        done = [cs["state"]["terminated"] for cs in statuses if "terminated" in cs["state"]]
        if len(done) == len(statuses):
            ok = all(t["exitCode"] == 0 for t in done)
            pod["status"]["phase"] = "Succeeded" if ok else "Failed"

    # -- config errors (a missing ConfigMap or Secret, or a key missing from one)
    def config_failed(self, pod: dict, c: dict, cs: dict, message: str) -> None:
        cs["state"] = {"waiting": {"reason": "CreateContainerConfigError", "message": message}}
        self.k._emit(pod, "Warning", "Failed", f"Error: {message}", c["name"])
        key, uid = self._key(pod)
        self.sim.after(CONFIG_RETRY, lambda: self._retry_config(key, uid, c["name"]))

    def _retry_config(self, key, uid, name: str) -> None:
        pod, cs = self._current(key, uid, name, 0)
        if pod is None or ((cs.get("state") or {}).get("waiting") or {}).get(
                "reason") != "CreateContainerConfigError":
            return
        c = self._spec(pod, name)
        message = config_error(self.k.store, pod, c)
        if message:
            changed = message != cs["state"]["waiting"].get("message")
            self.config_failed(pod, c, cs, message)
            if changed:
                self.k._write_status(pod)
            return
        self.start(pod, c, cs, parse_behavior(pod)[name], now_rfc3339())
        pod["status"]["phase"] = "Running"
        self.k._set_readiness(pod, now_rfc3339())
        self.k._write_status(pod)

    # -- image pulls
    def pull_failed(self, pod: dict, c: dict, cs: dict) -> None:
        image, name = c["image"], c["name"]
        ref = full_image(image)
        why = (f'failed to pull and unpack image "{ref}": failed to resolve reference '
               f'"{ref}": {ref}: not found')
        message = f'Failed to pull image "{image}": rpc error: code = NotFound desc = {why}'
        cs["state"] = {"waiting": {"reason": "ErrImagePull", "message": message}}
        self.k._emit(pod, "Warning", "Failed", message, name)
        self.k._emit(pod, "Warning", "Failed", "Error: ErrImagePull", name)
        key, uid = self._key(pod)
        self.sim.after(2.0, lambda: self._pull_back_off(key, uid, name))

    def _pull_back_off(self, key, uid, name: str) -> None:
        pod, cs = self._current(key, uid, name, 0)
        if pod is None:
            return
        image = self._spec(pod, name)["image"]
        cs["state"] = {"waiting": {"reason": "ImagePullBackOff",
                                   "message": f'Back-off pulling image "{image}"'}}
        self.k._emit(pod, "Normal", "BackOff", f'Back-off pulling image "{image}"', name)
        self.k._emit(pod, "Warning", "Failed", "Error: ImagePullBackOff", name)
        self.k._write_status(pod)


def config_error(store, pod: dict, c: dict) -> str | None:
    """What keeps the kubelet from building the container's env, as it words it."""
    ns = pod["metadata"]["namespace"]

    def data(kind: str, name: str) -> dict | None:
        obj = store.get(CONFIGMAPS if kind == "ConfigMap" else SECRETS, ns, name)
        return None if obj is None else (obj.get("data") or {})

    for src in c.get("envFrom") or ():
        for field, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
            ref = src.get(field)
            if ref and not ref.get("optional") and data(kind, ref.get("name", "")) is None:
                return f'{kind.lower()} "{ref.get("name")}" not found'
    for e in c.get("env") or ():
        for field, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
            ref = (e.get("valueFrom") or {}).get(field)
            if not ref or ref.get("optional"):
                continue
            values = data(kind, ref.get("name", ""))
            if values is None:
                return f'{kind.lower()} "{ref.get("name")}" not found'
            if ref.get("key") not in values:
                return f"couldn't find key {ref.get('key')} in {kind} {ns}/{ref.get('name')}"
    return None


def _probe_failure(probe: dict, pod: dict) -> str:
    ip = (pod.get("status") or {}).get("podIP", "10.244.0.1")
    if "httpGet" in probe:
        h = probe["httpGet"]
        return (f'Get "http://{ip}:{h.get("port", 80)}{h.get("path", "/")}": dial tcp '
                f'{ip}:{h.get("port", 80)}: connect: connection refused')
    if "tcpSocket" in probe:
        return f'dial tcp {ip}:{probe["tcpSocket"].get("port")}: connect: connection refused'
    if "exec" in probe:
        return "command " + repr(" ".join(probe["exec"].get("command") or [])) + \
            " exited with 1"
    return "HTTP probe failed with statuscode: 500"


def _go_duration(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60}m{s % 60}s" if s >= 60 else f"{s}s"
