"""An ephemeral debug container (as `kubectl debug -it POD --image=busybox:1.36
--target=CONTAINER`), offered when `s` finds no shell in the image (distroless) and on
`e` in the checklist (its step 5): it asks first, is refused in read-only mode, adds the
container through `pods/NAME/ephemeralcontainers`, waits until it runs and opens a shell
in it, which sees the target's processes and (under /proc/1/root) its files."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kubetui.kube.client import ApiError
from kubetui.kube.ephemeral import EphemeralDebug

if TYPE_CHECKING:
    from kubetui.ui.actions.acting import Actions

log = logging.getLogger("kubetui.ui")


class DebugContainers:
    """Part of a screen's `Actions`: the offer, the container, the shell in it."""

    def __init__(self, actions: Actions) -> None:
        self.actions = actions

    def offer(self, pod: dict, target: str | None, why: str = "") -> None:
        meta = pod["metadata"]
        actions = self.actions
        if actions.refused(f"add a debug container to pod {meta['name']} (it patches "
                         "pods/ephemeralcontainers)"):
            return
        image = actions.app.settings.debug_image
        aim = (f", targeting container {target} (it sees its processes, and its files "
               "under /proc/1/root)") if target else ""
        actions.confirm_then(
            (f"{why}.\n" if why else "") +
            f"Add an ephemeral debug container ({image}) to pod {meta['namespace']}/"
            f"{meta['name']}{aim}, and open a shell in it? An ephemeral container cannot be "
            "removed: it stays in the pod until the pod is deleted.",
            lambda: actions.in_thread(self._debug_container, pod, target, image,
                                      group="shell"))

    def _debug_container(self, pod: dict, target: str | None, image: str) -> None:
        from kubetui.kube.exec import ExecSession

        meta = pod["metadata"]
        app = self.actions.app
        cluster = app.cluster
        if cluster is None:
            return
        debug = EphemeralDebug(cluster.client, meta["namespace"], meta["name"], target, image,
                               cluster.readonly)
        try:
            name = debug.add()
            self.actions.say(f"debug container {name} added to {meta['name']}; waiting for "
                             "it to run ...", timeout=4)
            debug.wait_running()
            session = ExecSession(cluster.client, meta["namespace"], meta["name"], name,
                                  shells=("sh",))
            session.open()
        except (ApiError, TimeoutError) as exc:
            log.error("cannot debug %s/%s in a debug container", meta["namespace"],
                      meta["name"], exc_info=True)
            self.actions.say("cannot debug in an ephemeral container: "
                             f"{getattr(exc, 'message', exc)}", severity="error")
            return
        self.actions.shell_opened(session, meta)


__all__ = ["DebugContainers"]
