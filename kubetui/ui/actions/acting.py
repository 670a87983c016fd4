"""The actions every screen that acts owns (`Actions`, composed, not mixed in): writes
that ask first and are refused in read-only mode, the shell, scale, describe, the
checklist and the rollout cockpit of an object. The calls run in the host screen's thread
workers; results and errors come back as notifications. The keys of the browser's rows
that use them are in ui/actions/rows.py; `ACTION_BINDINGS`, `APPLIES` and `WRITES` say
which key does what, where."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.message import Message

from kubetui.kube.actions import ROLLABLE
from kubetui.kube.actions import Actions as KubeActions
from kubetui.kube.forwards import FORWARDABLE
from kubetui.kube.rollout import Revision, template_diff
from kubetui.ui.actions.debug import DebugContainers
from kubetui.ui.actions.host import Host
from kubetui.ui.screens.modals import ConfirmScreen, PromptScreen

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from kubetui.kube.cluster import Cluster
    from kubetui.kube.exec import ExecSession
    from kubetui.kube.kinds import Kind
    from kubetui.ui.app import KubetuiApp

log = logging.getLogger("kubetui.ui")

SCALABLE = ("Deployment", "StatefulSet", "ReplicaSet")

ACTION_BINDINGS = [
    Binding("l", "logs", "Logs", id="action.logs"),
    Binding("p", "previous_logs", "Previous logs", id="action.previous_logs"),
    Binding("r", "restart", "Restart", id="action.restart"),
    Binding("o", "rollout", "Rollout", id="action.rollout"),
    Binding("u", "undo", "Undo rollout", id="action.undo"),
    Binding("s", "shell", "Shell", id="action.shell"),  # k9s: s is a shell on pods,
    Binding("s", "scale", "Scale", id="action.scale"),  # and scale on workloads
    Binding("x", "exec", "Exec command", id="action.exec"),
    Binding("c", "checklist", "Checklist", id="action.checklist"),
    Binding("F", "port_forward", "Port-forward", id="action.port_forward"),
    Binding("ctrl+d", "delete", "Delete", id="action.delete"),
    Binding("ctrl+k", "kill", "Kill", show=False, id="action.kill"),
]


LOGGABLE = ("Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Service")
APPLIES = {"restart": ROLLABLE, "rollout": ROLLABLE, "undo": ROLLABLE, "scale": SCALABLE,
           "shell": ("Pod",), "port_forward": FORWARDABLE,
           "logs": LOGGABLE, "previous_logs": LOGGABLE, "kill": ("Pod",), "exec": ("Pod",),
           "checklist": ("Pod", *ROLLABLE, "ReplicaSet", "Job", "Service"),
           "cordon": ("Node",), "uncordon": ("Node",), "drain": ("Node",),
           "trigger": ("CronJob",), "suspend": ("CronJob",)}


# what a key does that writes to the cluster (pods/exec is a write in RBAC terms):
# refused in read-only mode, and not offered in the footer there
# (a port-forward changes no object, but RBAC counts it as create on pods/portforward)
WRITES = frozenset({"restart", "undo", "scale", "delete", "kill", "shell", "exec", "pause",
                    "node_debug", "port_forward", "debug_container", "cordon", "uncordon",
                    "drain", "trigger", "suspend", "edit"})


def _first(pod: dict) -> str | None:
    containers = (pod.get("spec") or {}).get("containers") or ()
    return containers[0]["name"] if containers else None


class Actions:
    """The actions a screen that acts owns: writes that ask first (ConfirmScreen), are
    refused in read-only mode and report back, the shell, the checklist and the rollout
    cockpit of an object, describe. Calls run in the host's thread workers (they end with
    the screen); results come back as notifications."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.debug = DebugContainers(self)

    @property
    def app(self) -> KubetuiApp:
        return self.host.app

    def notify(self, message: str, *, severity: SeverityLevel = "information",
               timeout: float | None = None) -> None:
        self.host.notify(message, severity=severity, timeout=timeout)

    def say(self, message: str, *, severity: SeverityLevel = "information",
            timeout: float | None = None) -> None:
        """A notification from a worker's thread (Textual's notify is thread-safe: it posts
        the app a message)."""
        self.host.notify(message, severity=severity, timeout=timeout)

    # -- what the workers tell the host screen (ActingScreen hands each back to its actions)
    class ShellOpened(Message):
        """A worker opened a shell in a pod: the terminal is to be handed to it."""

        def __init__(self, session: ExecSession, meta: dict) -> None:
            super().__init__()
            self.session, self.meta = session, meta

    class PodPicked(Message):
        """A worker picked the pod whose checklist to open (a workload's most troubled)."""

        def __init__(self, ns: str, pod: str) -> None:
            super().__init__()
            self.ns, self.pod = ns, pod

    class Described(Message):
        """A worker read an object and its describe text."""

        def __init__(self, kind: Kind | str | None, obj: dict, text: str, mode: str) -> None:
            super().__init__()
            self.kind, self.obj, self.text, self.mode = kind, obj, text, mode

    def shell_opened(self, session: ExecSession, meta: dict) -> None:
        """From a worker: the shell is open; the host hands it the terminal (a shell nobody
        will take, its screen gone, is closed)."""
        if not self.host.post_message(self.ShellOpened(session, meta)):
            log.info("the shell in %s/%s opened after its screen closed", meta["namespace"],
                     meta["name"])
            session.close()

    def in_thread(self, fn: Callable[..., object], *args: Any, group: str = "action",
                  exclusive: bool = False) -> None:
        """Run `fn(*args)` in a thread worker of the host (a failure is reported by the
        app's worker handler, never a traceback)."""
        self.host.run_worker(partial(fn, *args), name=fn.__name__, group=group, thread=True,
                             exclusive=exclusive, exit_on_error=False)

    def client(self) -> KubeActions | None:
        cluster = self.app.cluster
        return KubeActions(cluster.client, cluster.readonly) if cluster is not None else None

    def writes_hidden(self) -> bool:
        """In read-only mode the footer does not offer the writes."""
        cluster = self.app.cluster
        return cluster is not None and cluster.readonly

    def refused(self, what: str) -> bool:
        """In read-only mode, say no before anything is asked or sent."""
        cluster = self.app.cluster
        if cluster is not None and cluster.readonly:
            self.notify(f"read-only mode (--readonly): refusing to {what}", severity="warning")
            return True
        return False

    def confirm_then(self, question: str, run: Callable[[], object], detail: str = "",
                     diff: bool = False) -> None:
        self.app.push_screen(ConfirmScreen(question, detail, diff),
                             lambda ok: run() if ok else None)

    def act(self, done: str, call: Callable[[], object]) -> None:
        """Make the call in a worker; say `done` when it returns."""
        self.in_thread(self._act, done, call)

    def _act(self, done: str, call: Callable[[], object]) -> None:
        call()
        # what kubetui did goes on the timelines (see diagnose/timeline)
        self.app.actions_log.append((time.time(), "kubetui", done))
        self.say(done, timeout=5)

    # -- the screens the actions open (through the app: see KubetuiApp.open_checklist)
    def open_checklist(self, ns: str, pod: str) -> None:
        self.app.open_checklist(ns, pod)

    def checklist_of(self, kind: str, ns: str, name: str) -> None:
        """The checklist of a workload's most troubled pod (found in a worker)."""
        self.in_thread(self._checklist_of, kind, ns, name)

    def _checklist_of(self, kind: str, ns: str, name: str) -> None:
        from kubetui.kube.evidence import pick_pod
        pod = pick_pod(self._cluster().client, kind, ns, name)
        if pod is None:
            self.say(f"{kind.lower()} {name} has no pods", severity="warning")
        else:
            self.host.post_message(self.PodPicked(ns, pod))

    def watch_roll(self, kind: str, ns: str, name: str) -> None:
        """The rollout cockpit: after a restart or an undo, it shows the rollout happen."""
        self.app.open_rollout(kind, ns, name)

    def _cluster(self) -> Cluster:
        cluster = self.app.cluster
        if cluster is None:  # the keys are not offered before the app is connected
            raise RuntimeError("not connected to a cluster")
        return cluster

    # -- rollouts
    def confirm_restart(self, kind: str, ns: str, name: str, watch: bool = False) -> None:
        actions = self.client()

        def run() -> None:
            self.act(f"Restarting {kind.lower()} {name}",
                     lambda: actions.restart(kind, ns, name) if actions else None)
            if watch:
                self.watch_roll(kind, ns, name)

        self.confirm_then(
            f"Restart {kind.lower()} {ns}/{name}? Every pod is replaced, a few at a time.", run)

    def confirm_undo(self, kind: str, ns: str, name: str, template: dict, rev: Revision,
                     watch: bool = False) -> None:
        """Roll back to `rev` after showing the pod-template diff from `template`."""
        actions = self.client()
        diff = template_diff(template, rev.template, ("current", f"revision {rev.number}"))

        def run() -> None:
            self.act(f"Rolled {name} back to revision {rev.number}",
                     lambda: actions.undo(kind, ns, name, rev.number) if actions else None)
            if watch:
                self.watch_roll(kind, ns, name)

        self.confirm_then(f"Roll {kind.lower()} {ns}/{name} back to revision {rev.number}?",
                          run, diff, diff=True)

    # -- the shell
    def shell(self, pod: dict, container: str | None) -> None:
        """Open the shell in a thread (open() tries bash, then sh, up to about a second
        each), then hand the session to the UI thread to take the terminal."""
        self.in_thread(self._shell, pod, container, group="shell")

    def _shell(self, pod: dict, container: str | None) -> None:
        from kubetui.kube.client import ApiError
        from kubetui.kube.exec import ExecSession, NoShell

        meta = pod["metadata"]
        session = ExecSession(self._cluster().client, meta["namespace"], meta["name"],
                              container)
        try:
            session.open()
        except NoShell as exc:  # distroless: offer what kubectl debug does
            log.error("no shell in %s/%s", meta["namespace"], meta["name"], exc_info=True)
            # the action's next question on the UI thread (no screen reacts to it)
            self.app.call_from_thread(self.debug.offer, pod, container or _first(pod),
                                      f"The image has no shell ({exc.message})")
            return
        except ApiError as exc:
            log.error("cannot open a shell in %s/%s", meta["namespace"], meta["name"],
                      exc_info=True)
            self.say(f"cannot open a shell: {exc.message}", severity="error")
            return
        except Exception as exc:  # noqa: BLE001 - worker boundary: say it and stay up
            log.exception("cannot open a shell in %s/%s", meta["namespace"], meta["name"])
            self.say(f"cannot open a shell: {type(exc).__name__}: {exc}", severity="error")
            return
        self.shell_opened(session, meta)

    def run_shell(self, session: ExecSession, meta: dict) -> None:
        from kubetui.kube.client import ApiError
        from kubetui.ui import terminal

        try:
            with self.app.suspend():
                code = terminal.bridge(session)
        except ApiError as exc:  # the exec failed after it opened: the server says why
            log.exception("the shell in %s/%s failed", meta["namespace"], meta["name"])
            self.notify(f"the shell failed: {exc.message}", severity="error")
            return
        except Exception as exc:  # noqa: BLE001 - no terminal to hand over (tests, hosts)
            log.exception("cannot hand the terminal to the shell")
            session.close()
            self.notify(f"cannot hand the terminal to the shell: {exc}", severity="error")
            return
        self.notify(f"shell in {meta['name']} ended" + (f" (exit {code})" if code else ""),
                    timeout=4)

    # -- scale
    def ask_scale(self, kind: str, ns: str, name: str, current: int) -> None:
        """Scale to a number the user types (0 asks again), warned first when an HPA
        manages the workload and will undo it."""
        self.in_thread(self._ask_scale, kind, ns, name, current)

    def _ask_scale(self, kind: str, ns: str, name: str, current: int) -> None:
        from kubetui.kube.actions import managing_hpa
        try:
            hpa = managing_hpa(self._cluster().client, kind, ns, name)
            warning = "" if hpa is None else (
                f"HorizontalPodAutoscaler {hpa['metadata']['name']} manages it (min "
                f"{(hpa.get('spec') or {}).get('minReplicas', 1)}, max "
                f"{(hpa.get('spec') or {}).get('maxReplicas', '?')}): it will set the "
                "replicas back at its next sync. Change the HPA instead.")
        except Exception as exc:  # noqa: BLE001 - the warning is a courtesy: say it could not look
            log.error("cannot look for an HPA of %s/%s", ns, name, exc_info=True)
            warning = f"(could not check for an HPA: {getattr(exc, 'message', exc)})"
        # the action's next question on the UI thread (no screen reacts to it)
        self.app.call_from_thread(self._prompt_scale, kind, ns, name, current, warning)

    def _prompt_scale(self, kind: str, ns: str, name: str, current: int,
                      warning: str) -> None:
        actions = self.client()

        def answered(value: str | None) -> None:
            if value == "":  # (Enter on an empty prompt closed it without a word)
                self.app.notify(f"No number given: {name} not scaled", severity="warning",
                                timeout=4)
                return
            if value is None or actions is None:  # escape: cancelled
                return
            replicas = int(value)

            def run() -> None:
                self.act(f"Scaled {name} to {replicas}",
                         lambda: actions.scale(kind, ns, name, replicas))

            if replicas == 0:
                self.confirm_then(f"Scale {kind.lower()} {ns}/{name} to 0? Every pod stops.",
                                  run)
            else:
                run()

        question = f"Scale {kind.lower()} {name} to how many replicas?"
        self.app.push_screen(PromptScreen(question + (f"\n{warning}" if warning else ""),
                                          str(current), restrict=r"\d*"), answered)

    # -- describe
    def describe_in_thread(self, kind: Kind | str, namespace: str | None, name: str,
                           mode: str = "describe") -> None:
        """Fetch an object and its events, then show it (call from a thread worker)."""
        from kubetui.kube.evidence import described

        obj, text = described(self._cluster().client, kind, namespace, name)
        self.host.post_message(self.Described(kind, obj, text, mode))

    def show_described(self, kind: Kind | str | None, obj: dict, text: str, mode: str) -> None:
        """The describe screen; the live lint's findings end it (read on the UI's thread)."""
        from kubetui.ui.live_lint import describe_section
        from kubetui.ui.screens.object import ObjectScreen
        self.app.push_screen(ObjectScreen(obj, text + describe_section(self.app, kind, obj),
                                          mode))
