"""An ephemeral debug container (as `kubectl debug -it POD --image=busybox:1.36
--target=CONTAINER`), offered when `s` finds no shell in the image (distroless) and on
`e` in the checklist (its step 5): it asks first, is refused in read-only mode, adds the
container through `pods/NAME/ephemeralcontainers`, waits until it runs and opens a shell
in it, which sees the target's processes and (under /proc/1/root) its files."""

from __future__ import annotations

import logging

from textual import work

from kubetui.kube.client import ApiError
from kubetui.kube.ephemeral import EphemeralDebug

log = logging.getLogger("kubetui.ui")


class DebugKeys:
    """Mixed into Acting: needs `app`, `notify`, `_refused`, `_confirm_then`, `_run_shell`."""

    def _offer_debug(self, pod: dict, target: str | None, why: str = "") -> None:
        meta = pod["metadata"]
        if self._refused(f"add a debug container to pod {meta['name']} (it patches "
                         "pods/ephemeralcontainers)"):
            return
        image = self.app.settings.debug_image
        aim = (f", targeting container {target} (it sees its processes, and its files "
               "under /proc/1/root)") if target else ""
        self._confirm_then(
            (f"{why}.\n" if why else "") +
            f"Add an ephemeral debug container ({image}) to pod {meta['namespace']}/"
            f"{meta['name']}{aim}, and open a shell in it? An ephemeral container cannot be "
            "removed: it stays in the pod until the pod is deleted.",
            lambda: self._debug_container(pod, target, image))

    @work(thread=True, group="shell", exit_on_error=False)
    def _debug_container(self, pod: dict, target: str | None, image: str) -> None:
        from kubetui.kube.exec import ExecSession

        meta = pod["metadata"]
        cluster = self.app.cluster
        debug = EphemeralDebug(cluster.client, meta["namespace"], meta["name"], target, image,
                               cluster.readonly)
        try:
            name = debug.add()
            self.app.call_from_thread(self.notify, f"debug container {name} added to "
                                      f"{meta['name']}; waiting for it to run ...", timeout=4)
            debug.wait_running()
            session = ExecSession(cluster.client, meta["namespace"], meta["name"], name,
                                  shells=("sh",))
            session.open()
        except (ApiError, TimeoutError) as exc:
            log.error("cannot debug %s/%s in a debug container", meta["namespace"],
                      meta["name"], exc_info=True)
            self.app.call_from_thread(self.notify, "cannot debug in an ephemeral container: "
                                      f"{getattr(exc, 'message', exc)}", severity="error")
            return
        self.app.call_from_thread(self._run_shell, session, meta)


__all__ = ["DebugKeys"]
