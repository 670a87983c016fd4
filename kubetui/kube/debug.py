"""A node debug pod, as `kubectl debug node/NAME -it --image=busybox` makes it: pinned to
the node, in the host's network, PID and IPC namespaces, the host's root filesystem at
/host, tolerating every taint; labelled so it can always be found and removed."""

from __future__ import annotations

import secrets
import time

from kubetui.render.json_types import Obj

from .actions import ReadOnly
from .client import ApiError, KubeClient
from .kinds import KINDS

LABEL = "kubetui.dev/node-debug"
DEFAULT_IMAGE = "busybox:1.36"


def debug_pod(node: str, image: str = DEFAULT_IMAGE) -> Obj:
    name = f"node-debugger-{node}-{secrets.token_hex(3)}"[:63]
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": {LABEL: node}},
        "spec": {
            "nodeName": node, "hostNetwork": True, "hostPID": True, "hostIPC": True,
            "restartPolicy": "Never", "terminationGracePeriodSeconds": 0,
            "tolerations": [{"operator": "Exists"}],
            "containers": [{"name": "debugger", "image": image, "stdin": True, "tty": True,
                            "command": ["sh", "-c", "sleep 3600"],
                            "volumeMounts": [{"name": "host-root", "mountPath": "/host"}]}],
            "volumes": [{"name": "host-root", "hostPath": {"path": "/"}}],
        },
    }


class NodeDebug:
    def __init__(self, client: KubeClient, node: str, namespace: str = "default",
                 image: str = DEFAULT_IMAGE, readonly: bool = False):
        self.client, self.node, self.namespace = client, node, namespace
        self.image, self.readonly = image, readonly
        self.name = ""

    def create(self, wait: float = 60) -> str:
        """Create the pod and wait until it runs; its name."""
        if self.readonly:
            raise ReadOnly(f"read-only mode (--readonly): refusing to start a debug pod on "
                           f"node {self.node}")
        body = debug_pod(self.node, self.image)
        created = self.client.send_json("POST", KINDS["Pod"].path(self.namespace), body)
        self.name = created["metadata"]["name"]
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            pod = self.client.get_json(KINDS["Pod"].path(self.namespace, self.name))
            st = pod.get("status") or {}
            if st.get("phase") == "Running":
                return self.name
            for cs in st.get("containerStatuses") or ():
                waiting = (cs.get("state") or {}).get("waiting") or {}
                if waiting.get("reason") in ("ErrImagePull", "ImagePullBackOff"):
                    self.remove()
                    raise ApiError(500, waiting["reason"], f"the debug image {self.image} "
                                   f"cannot be pulled: {waiting.get('message', '')}")
            time.sleep(0.2)
        self.remove()
        raise TimeoutError(f"the debug pod did not start on {self.node} within {wait:.0f}s")

    def remove(self) -> None:
        if not self.name:
            return
        try:
            self.client.send_json("DELETE", KINDS["Pod"].path(self.namespace, self.name),
                                  {"gracePeriodSeconds": 0})
        except ApiError as exc:
            if exc.status != 404:
                raise


__all__ = ["DEFAULT_IMAGE", "LABEL", "NodeDebug", "debug_pod"]
