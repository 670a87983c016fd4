"""An ephemeral debug container, as `kubectl debug -it POD --image=IMAGE
--target=CONTAINER` adds one: a strategic-merge PATCH of the pod's `ephemeralcontainers`
subresource with a container named `debugger-xxxxx` (stdin, tty, targetContainerName so
it shares the target's process namespace), then a wait until its status says running.
The shell is then opened in it (kube.exec). An ephemeral container cannot be removed: it
stays in the pod's spec until the pod goes."""

from __future__ import annotations

import random
import time
from collections.abc import Set

from kubetui.render.json_types import Obj

from .actions import ReadOnly
from .client import ApiError, KubeClient
from .kinds import KINDS

ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery/pkg/util/rand, as kubectl
STRATEGIC = "application/strategic-merge-patch+json"
PULL_FAILED = ("ErrImagePull", "ImagePullBackOff", "InvalidImageName")


def debugger_name(taken: Set[str] = frozenset()) -> str:
    while True:
        name = "debugger-" + "".join(random.choice(ALPHABET) for _ in range(5))
        if name not in taken:
            return name


def debug_container(name: str, image: str, target: str | None) -> Obj:
    ec = {"name": name, "image": image, "imagePullPolicy": "IfNotPresent", "stdin": True,
          "tty": True, "terminationMessagePolicy": "File"}
    if target:
        ec["targetContainerName"] = target
    return ec


def status_of(pod: Obj, name: str) -> Obj:
    return next((s for s in (pod.get("status") or {}).get("ephemeralContainerStatuses") or ()
                 if s.get("name") == name), {})


class EphemeralDebug:
    def __init__(self, client: KubeClient, namespace: str, pod: str, target: str | None,
                 image: str, readonly: bool = False):
        self.client, self.namespace, self.pod = client, namespace, pod
        self.target, self.image, self.readonly = target, image, readonly
        self.name = ""

    def add(self) -> str:
        """Add the debug container to the pod; its name. ApiError with the server's words
        (404 for a missing pod, 422 for an invalid container)."""
        if self.readonly:
            raise ReadOnly(f"read-only mode (--readonly): refusing to add a debug container "
                           f"to pod {self.pod}")
        path = KINDS["Pod"].path(self.namespace, self.pod, "ephemeralcontainers")
        pod = self.client.get_json(KINDS["Pod"].path(self.namespace, self.pod))
        spec = pod.get("spec") or {}
        taken = {c["name"] for key in ("containers", "initContainers", "ephemeralContainers")
                 for c in spec.get(key) or ()}
        self.name = debugger_name(taken)
        body = {"spec": {"ephemeralContainers": [
            debug_container(self.name, self.image, self.target)]}}
        try:
            self.client.send_json("PATCH", path, body, content_type=STRATEGIC)
        except ApiError as exc:
            if exc.status == 404 and "not found" not in exc.message:
                raise ApiError(404, exc.reason, "ephemeral containers are disabled for this "
                               f"cluster (error from server: {exc.message!r})") from exc
            raise
        return self.name

    def wait_running(self, wait: float = 60) -> None:
        """Until the container runs; ApiError if its image cannot be pulled or it ended,
        TimeoutError after `wait` seconds."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            pod = self.client.get_json(KINDS["Pod"].path(self.namespace, self.pod))
            state = status_of(pod, self.name).get("state") or {}
            if "running" in state:
                return
            waiting = state.get("waiting") or {}
            if waiting.get("reason") in PULL_FAILED:
                raise ApiError(500, waiting["reason"], f"the debug image {self.image} cannot "
                               f"be pulled: {waiting.get('message', '')}")
            if "terminated" in state:
                raise ApiError(500, "Terminated", f"the debug container {self.name} ended: "
                               f"{state['terminated'].get('reason', '')}")
            time.sleep(0.2)
        raise TimeoutError(f"the debug container {self.name} did not start within "
                           f"{wait:.0f}s")


__all__ = ["EphemeralDebug", "debug_container", "debugger_name", "status_of"]
