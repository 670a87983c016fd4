"""`pods/{name}/ephemeralcontainers` (GET, PUT, PATCH), as the real API server serves it:
only spec.ephemeralContainers may change through it (everything else in the body is
ignored); an existing ephemeral container may be neither changed nor removed (422
Invalid, FieldValueForbidden); a new one needs a unique name, an image, a target that
exists, and no ports, probes or resources. The kubelet part starts each new ephemeral
container (events, status.ephemeralContainerStatuses), and `debug_container` is what a
shell in one sees: its own image's root, the target's processes (a shared PID namespace)
and the target's filesystem under /proc/1/root."""

from __future__ import annotations

import orjson
from aiohttp import web

from .behavior import missing_image
from .images import digest, full_image, image_id
from .json_body import json_response
from .meta import ApiError, conflict, deep_copy, details, now_rfc3339
from .patch import apply_patch
from .resources import BY_KIND
from .shell import Container
from .store import DELETED, Change

PODS = BY_KIND["Pod"]
SPEC = "spec.ephemeralContainers"
FORBIDDEN_FIELDS = ("ports", "livenessProbe", "readinessProbe", "startupProbe",
                    "lifecycle", "resources")
START_SECONDS = 1.0  # created -> running (the image is pulled meanwhile)


def _invalid(pod_name: str, errors: list[tuple[str, str, str]]) -> ApiError:
    """(field, reason, message) as the real server's 422 Invalid Status."""
    texts = [f"{f}: {m}" for f, _, m in errors]
    message = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    body = details(PODS, pod_name, "Pod")
    body["causes"] = [{"reason": r, "message": m, "field": f} for f, r, m in errors]
    return ApiError(422, "Invalid", f'Pod "{pod_name}" is invalid: {message}', body)


def _field_diff(old: dict, new: dict) -> str:
    keys = sorted(set(old) | set(new))
    return "".join(f"  {k}: {orjson.dumps(old.get(k)).decode()} -> "
                   f"{orjson.dumps(new.get(k)).decode()}\n"
                   for k in keys if old.get(k) != new.get(k))


def validate(pod: dict, wanted: list) -> None:
    name = pod["metadata"]["name"]
    errors: list[tuple[str, str, str]] = []
    if not isinstance(wanted, list) or not all(isinstance(c, dict) for c in wanted):
        raise ApiError(400, "BadRequest", f"{SPEC} must be a list of containers")
    old = {c["name"]: c for c in pod["spec"].get("ephemeralContainers") or ()}
    new = {c.get("name"): c for c in wanted}
    for ec_name, ec in old.items():
        if ec_name not in new:
            errors.append((SPEC, "FieldValueForbidden",
                           f'Forbidden: existing ephemeral containers "{ec_name}" may not be '
                           "removed\n"))
        elif with_defaults(new[ec_name]) != ec:
            errors.append((SPEC, "FieldValueForbidden",
                           f'Forbidden: existing ephemeral containers "{ec_name}" may not be '
                           f"changed\n{_field_diff(ec, with_defaults(new[ec_name]))}"))
    taken = {c["name"] for c in pod["spec"].get("containers") or ()} | {
        c["name"] for c in pod["spec"].get("initContainers") or ()}
    targets = {c["name"] for c in pod["spec"].get("containers") or ()}
    seen: set[str] = set()
    for i, ec in enumerate(wanted):
        at = f"{SPEC}[{i}]"
        n = ec.get("name")
        if n in old:
            seen.add(n)
            continue
        if not n:
            errors.append((f"{at}.name", "FieldValueRequired", "Required value"))
        elif n in taken or n in seen:
            errors.append((f"{at}.name", "FieldValueDuplicate", f'Duplicate value: "{n}"'))
        seen.add(n or "")
        if not ec.get("image"):
            errors.append((f"{at}.image", "FieldValueRequired", "Required value"))
        target = ec.get("targetContainerName")
        if target and target not in targets:
            errors.append((f"{at}.targetContainerName", "FieldValueNotFound",
                           f'Not found: "{target}"'))
        for key in FORBIDDEN_FIELDS:
            if ec.get(key):
                errors.append((f"{at}.{key}", "FieldValueForbidden",
                               "Forbidden: cannot be set for an Ephemeral Container"))
    if errors:
        raise _invalid(name, errors)


def with_defaults(ec: dict) -> dict:
    out = dict(ec)
    out.setdefault("terminationMessagePath", "/dev/termination-log")
    out.setdefault("terminationMessagePolicy", "File")
    tag = out.get("image", "").rsplit("/", 1)[-1].partition(":")[2]
    out.setdefault("imagePullPolicy", "Always" if tag in ("", "latest") else "IfNotPresent")
    return out


class EphemeralContainers:
    def __init__(self, sim):
        self.sim = sim
        self.starting: set[tuple[str, str]] = set()  # (pod uid, container)
        sim.subresource_handlers[(PODS.key, "ephemeralcontainers")] = self.handle
        sim.store.listeners.append(self.on_change)

    # -- the API
    async def handle(self, request: web.Request, route) -> web.Response:
        store, api = self.sim.store, self.sim.api
        pod = store.must_get(PODS, route.namespace, route.name)
        if request.method == "GET":
            return json_response(pod)
        if request.method not in ("PUT", "PATCH"):
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method "
                                                    "on the requested resource")
        try:
            body = orjson.loads(await request.read() or b"null")
        except orjson.JSONDecodeError as exc:
            raise ApiError(400, "BadRequest", f"error decoding the body: {exc}") from None
        if request.method == "PUT":
            if not isinstance(body, dict):
                raise ApiError(400, "BadRequest", "the body of the request must be an object")
            rv = (body.get("metadata") or {}).get("resourceVersion")
            if rv and rv != pod["metadata"]["resourceVersion"]:
                raise conflict(PODS, route.name)
            wanted = (body.get("spec") or {}).get("ephemeralContainers") or []
        else:
            patched = apply_patch(deep_copy(pod), request.headers.get("Content-Type", ""),
                                  body)
            wanted = ((patched or {}).get("spec") or {}).get("ephemeralContainers") or []
        validate(pod, wanted)
        obj = deep_copy(pod)
        obj["spec"]["ephemeralContainers"] = [with_defaults(c) for c in wanted]
        if not obj["spec"]["ephemeralContainers"]:
            del obj["spec"]["ephemeralContainers"]
        if obj == pod:
            return json_response(pod)
        manager = request.query.get("fieldManager") or "kubectl-debug"
        return json_response(api.update(PODS, route.namespace, route.name, obj,
                                        manager=manager))

    # -- the kubelet's part
    def on_change(self, change: Change) -> None:
        if change.res is not PODS or change.type == DELETED:
            return
        pod = change.obj
        meta, spec = pod["metadata"], pod.get("spec") or {}
        if not spec.get("nodeName") or meta.get("deletionTimestamp"):
            return
        known = {s["name"] for s in (pod.get("status") or {}).get(
            "ephemeralContainerStatuses") or ()}
        for ec in spec.get("ephemeralContainers") or ():
            key = (meta["uid"], ec["name"])
            if ec["name"] in known or key in self.starting:
                continue
            self.starting.add(key)
            where = (meta["namespace"], meta["name"], meta["uid"], ec["name"])
            self.sim.defer(lambda w=where: self._created(*w))

    def _current(self, ns: str, name: str, uid: str) -> dict | None:
        pod = self.sim.store.get(PODS, ns, name)
        if pod is None or pod["metadata"]["uid"] != uid:
            return None
        return deep_copy(pod)

    def _spec(self, pod: dict, ec_name: str) -> dict:
        return next(c for c in pod["spec"]["ephemeralContainers"] if c["name"] == ec_name)

    def _set_status(self, pod: dict, cs: dict) -> None:
        st = pod.setdefault("status", {})
        others = [s for s in st.get("ephemeralContainerStatuses") or ()
                  if s["name"] != cs["name"]]
        st["ephemeralContainerStatuses"] = [*others, cs]
        meta = pod["metadata"]
        self.sim.api.update(PODS, meta["namespace"], meta["name"], pod, "status",
                            manager="kubelet")

    def _emit(self, pod: dict, etype: str, reason: str, message: str, ec_name: str) -> None:
        self.sim.recorder.emit(pod, etype, reason, message, "kubelet",
                               pod["spec"]["nodeName"], f"spec.ephemeralContainers{{{ec_name}}}")

    def _created(self, ns: str, name: str, uid: str, ec_name: str) -> None:
        pod = self._current(ns, name, uid)
        if pod is None:
            return
        ec = self._spec(pod, ec_name)
        self._emit(pod, "Normal", "Pulling", f'Pulling image "{ec["image"]}"', ec_name)
        self._set_status(pod, {"name": ec_name, "image": ec["image"], "imageID": "",
                               "ready": False, "restartCount": 0,
                               "state": {"waiting": {"reason": "ContainerCreating"}},
                               "lastState": {}})
        self.sim.after(START_SECONDS, lambda: self._started(ns, name, uid, ec_name))

    def _started(self, ns: str, name: str, uid: str, ec_name: str) -> None:
        pod = self._current(ns, name, uid)
        if pod is None:
            return
        ec = self._spec(pod, ec_name)
        image = ec["image"]
        if missing_image(image):
            ref = full_image(image)
            message = (f'Failed to pull image "{image}": rpc error: code = NotFound desc = '
                       f'failed to pull and unpack image "{ref}": failed to resolve reference '
                       f'"{ref}": {ref}: not found')
            self._emit(pod, "Warning", "Failed", message, ec_name)
            self._emit(pod, "Warning", "Failed", "Error: ErrImagePull", ec_name)
            self._set_status(pod, {"name": ec_name, "image": image, "imageID": "",
                                   "ready": False, "restartCount": 0, "lastState": {},
                                   "state": {"waiting": {"reason": "ErrImagePull",
                                                         "message": message}}})
            return
        now = now_rfc3339()
        self._emit(pod, "Normal", "Pulled", f'Successfully pulled image "{image}" in 1.1s '
                   "(1.1s including waiting).", ec_name)
        self._emit(pod, "Normal", "Created", f"Created container: {ec_name}", ec_name)
        self._emit(pod, "Normal", "Started", f"Started container {ec_name}", ec_name)
        self._set_status(pod, {
            "name": ec_name, "image": full_image(image), "imageID": image_id(image),
            "containerID": "containerd://" + digest(f"{uid}{ec_name}"), "ready": False,
            "restartCount": 0, "lastState": {}, "state": {"running": {"startedAt": now}}})


def debug_container(pod: dict, ec: dict, target: Container | None,
                    shells: tuple[str, ...]) -> Container:
    """What a shell in an ephemeral container sees: its own root, and with a target the
    target's processes and its root under /proc/1/root."""
    meta = pod["metadata"]
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "HOSTNAME": meta["name"], "HOME": "/root", "TERM": "xterm"}
    env.update({e["name"]: str(e.get("value", "")) for e in ec.get("env") or ()})
    files = {"/etc/hostname": meta["name"] + "\n",
             "/etc/os-release": 'NAME="BusyBox"\nID=busybox\n'}
    processes: tuple[str, ...] = ("sh",)
    if target is not None:
        files.update({f"/proc/1/root{path}": text for path, text in target.files.items()})
        processes = (target.command, "sh")
    return Container(meta["name"], env, files, "sh", shells, processes=processes)


__all__ = ["EphemeralContainers", "debug_container", "validate", "with_defaults"]
