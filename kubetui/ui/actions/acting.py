"""One-key actions on the selected object, each asking first and refused in read-only
mode: `r` rollout restart, `u` rollout undo (pick a revision, see the pod-template diff,
confirm), `s` scale (workloads), ctrl+d delete, ctrl+k kill (delete a pod at once).
The calls run in thread workers; results and errors come back as notifications."""

from __future__ import annotations

import logging
import time

from textual import work
from textual.binding import Binding

from kubetui.kube.actions import ROLLABLE, Actions
from kubetui.kube.forwards import FORWARDABLE
from kubetui.kube.rollout import template_diff
from kubetui.ui.actions.debug import DebugKeys
from kubetui.ui.screens.modals import ConfirmScreen, PromptScreen
from kubetui.ui.screens.pick import PickScreen

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


class Acting(DebugKeys):
    """Writes that ask first and report back: needs `app` and `notify`."""

    @property
    def active_bindings(self):
        """The keys in force, less the writes in read-only mode: the footer does not offer
        them (pressed anyway, each says it is refused)."""
        bindings = super().active_bindings  # type: ignore[misc]
        cluster = self.app.cluster
        if cluster is None or not cluster.readonly:
            return bindings
        return {key: b for key, b in bindings.items() if b.binding.action not in WRITES}

    def _actions(self) -> Actions | None:
        cluster = self.app.cluster
        return Actions(cluster.client, cluster.readonly) if cluster is not None else None

    @work(thread=True, group="action", exit_on_error=False)
    def _checklist_of(self, kind: str, ns: str, name: str) -> None:
        """The checklist of a workload's most troubled pod (any screen that acts)."""
        from kubetui.kube.evidence import pick_pod
        pod = pick_pod(self.app.cluster.client, kind, ns, name)
        if pod is None:
            self.app.call_from_thread(self.notify, f"{kind.lower()} {name} has no pods",
                                      severity="warning")
        else:
            self.app.call_from_thread(self._open_checklist, ns, pod)

    def _open_checklist(self, ns: str, pod: str) -> None:
        self.app.open_checklist(ns, pod)

    def _confirm_then(self, question: str, run, detail: str = "", diff: bool = False):
        self.app.push_screen(ConfirmScreen(question, detail, diff),
                             lambda ok: run() if ok else None)

    @work(thread=True, group="action", exit_on_error=False)
    def _act(self, done: str, call) -> None:
        call()
        # what kubetui did goes on the timelines (see diagnose/timeline)
        self.app.actions_log.append((time.time(), "kubetui", done))
        self.app.call_from_thread(self.notify, done, timeout=5)

    def _refused(self, what: str) -> bool:
        """In read-only mode, say no before anything is asked or sent."""
        cluster = self.app.cluster
        if cluster is not None and cluster.readonly:
            self.notify(f"read-only mode (--readonly): refusing to {what}", severity="warning")
            return True
        return False

    def _watch_roll(self, kind: str, ns: str, name: str) -> None:
        """The rollout cockpit: after a restart or an undo, it shows the rollout happen."""
        self.app.open_rollout(kind, ns, name)

    def _confirm_restart(self, kind: str, ns: str, name: str, watch: bool = False) -> None:
        actions = self._actions()

        def run() -> None:
            self._act(f"Restarting {kind.lower()} {name}", lambda: actions.restart(kind, ns, name))
            if watch:
                self._watch_roll(kind, ns, name)

        self._confirm_then(
            f"Restart {kind.lower()} {ns}/{name}? Every pod is replaced, a few at a time.", run)

    def _confirm_undo(self, kind: str, ns: str, name: str, template: dict, rev,
                      watch: bool = False) -> None:
        """Roll back to `rev` after showing the pod-template diff from `template`."""
        actions = self._actions()
        diff = template_diff(template, rev.template, ("current", f"revision {rev.number}"))

        def run() -> None:
            self._act(f"Rolled {name} back to revision {rev.number}",
                      lambda: actions.undo(kind, ns, name, rev.number))
            if watch:
                self._watch_roll(kind, ns, name)

        self._confirm_then(f"Roll {kind.lower()} {ns}/{name} back to revision {rev.number}?",
                           run, diff, diff=True)

    @work(thread=True, group="shell", exit_on_error=False)
    def _shell(self, pod: dict, container: str | None) -> None:
        """Open the shell in a thread (open() tries bash, then sh, up to about a second
        each), then hand the session to the UI thread to take the terminal."""
        from kubetui.kube.client import ApiError
        from kubetui.kube.exec import ExecSession, NoShell

        meta = pod["metadata"]
        session = ExecSession(self.app.cluster.client, meta["namespace"], meta["name"],
                              container)
        try:
            session.open()
        except NoShell as exc:  # distroless: offer what kubectl debug does
            log.error("no shell in %s/%s", meta["namespace"], meta["name"], exc_info=True)
            self.app.call_from_thread(self._offer_debug, pod, container or _first(pod),
                                      f"The image has no shell ({exc.message})")
            return
        except ApiError as exc:
            log.error("cannot open a shell in %s/%s", meta["namespace"], meta["name"],
                      exc_info=True)
            self.app.call_from_thread(self.notify, f"cannot open a shell: {exc.message}",
                                      severity="error")
            return
        except Exception as exc:  # the boundary: whatever broke, say it and stay up
            log.exception("cannot open a shell in %s/%s", meta["namespace"], meta["name"])
            self.app.call_from_thread(self.notify, f"cannot open a shell: "
                                      f"{type(exc).__name__}: {exc}", severity="error")
            return
        self.app.call_from_thread(self._run_shell, session, meta)

    def _run_shell(self, session, meta: dict) -> None:
        from kubetui.kube.client import ApiError
        from kubetui.ui.terminal import bridge

        try:
            with self.app.suspend():
                code = bridge(session)
        except ApiError as exc:  # the exec failed after it opened: the server says why
            log.exception("the shell in %s/%s failed", meta["namespace"], meta["name"])
            self.notify(f"the shell failed: {exc.message}", severity="error")
            return
        except Exception as exc:  # no terminal to hand over (tests, some hosts)
            log.exception("cannot hand the terminal to the shell")
            session.close()
            self.notify(f"cannot hand the terminal to the shell: {exc}", severity="error")
            return
        self.notify(f"shell in {meta['name']} ended" + (f" (exit {code})" if code else ""),
                    timeout=4)

    @work(thread=True, group="action", exit_on_error=False)
    def _ask_scale(self, kind: str, ns: str, name: str, current: int) -> None:
        """Scale to a number the user types (0 asks again), warned first when an HPA
        manages the workload and will undo it."""
        from kubetui.kube.actions import managing_hpa
        try:
            hpa = managing_hpa(self.app.cluster.client, kind, ns, name)
            warning = "" if hpa is None else (
                f"HorizontalPodAutoscaler {hpa['metadata']['name']} manages it (min "
                f"{(hpa.get('spec') or {}).get('minReplicas', 1)}, max "
                f"{(hpa.get('spec') or {}).get('maxReplicas', '?')}): it will set the "
                "replicas back at its next sync. Change the HPA instead.")
        except Exception as exc:  # the warning is a courtesy: say it could not look
            log.error("cannot look for an HPA of %s/%s", ns, name, exc_info=True)
            warning = f"(could not check for an HPA: {getattr(exc, 'message', exc)})"
        self.app.call_from_thread(self._prompt_scale, kind, ns, name, current, warning)

    def _prompt_scale(self, kind: str, ns: str, name: str, current: int,
                      warning: str) -> None:
        actions = self._actions()

        def answered(value: str | None) -> None:
            if not value:
                return
            replicas = int(value)
            run = lambda: self._act(f"Scaled {name} to {replicas}",  # noqa: E731
                                    lambda: actions.scale(kind, ns, name, replicas))
            if replicas == 0:
                self._confirm_then(f"Scale {kind.lower()} {ns}/{name} to 0? Every pod stops.",
                                   run)
            else:
                run()

        question = f"Scale {kind.lower()} {name} to how many replicas?"
        self.app.push_screen(PromptScreen(question + (f"\n{warning}" if warning else ""),
                                          str(current), restrict=r"\d*"), answered)

    def _describe_in_thread(self, kind, namespace: str | None, name: str,
                            mode: str = "describe") -> None:
        """Fetch an object and its events, then show it (call from a thread worker)."""
        from kubetui.kube.evidence import described
        from kubetui.ui.screens.object import ObjectScreen

        obj, text = described(self.app.cluster.client, kind, namespace, name)

        def show() -> None:  # the live lint's findings end it (read on the UI's thread)
            from kubetui.ui.live_lint import describe_section
            self.app.push_screen(ObjectScreen(obj, text + describe_section(self.app, kind, obj),
                                              mode))
        self.app.call_from_thread(show)

    def on_worker_state_changed(self, event) -> None:
        """A screen's failed worker (a forbidden patch, a conflict) is reported like the
        app's own: as a notification quoting the API, never a traceback. (The message
        does not bubble, so each screen that starts workers hands it on.)"""
        self.app.on_worker_state_changed(event)


class ActionKeys(Acting):
    """Mixed into the browser screen: needs `selected()`, `state`, `app`, `notify`."""

    def check_action(self, action: str, parameters) -> bool | None:
        """The footer shows an action key only where it applies to the kind shown."""
        kinds = APPLIES.get(action)
        if kinds is None:
            return True
        return self.state.kind in kinds

    def _target(self, kinds: tuple[str, ...] | None, verb: str):
        picked = self.selected()
        if picked is None:
            return None
        kind = self.state.kind
        if kinds is not None and kind not in kinds:
            self.notify(f"{verb} works on {', '.join(k.lower() + 's' for k in kinds)}",
                        severity="warning")
            return None
        cluster = self.app.cluster
        if cluster is None:
            return None
        meta = picked[1]["metadata"]
        if self._refused(f"{verb} {kind.lower()} {meta['name']}"):
            return None
        return kind, meta.get("namespace"), meta["name"]

    # -- the keys
    def action_restart(self) -> None:
        if self.bulk("restart"):  # rows are marked: act on them all (ui/actions/bulk.py)
            return
        target = self._target(ROLLABLE, "restart")
        if target is None:
            return
        self._confirm_restart(*target, watch=True)

    def action_rollout(self) -> None:
        """The rollout cockpit of the selected deployment, statefulset or daemonset."""
        picked = self.selected()
        if picked is None or self.app.cluster is None or self.state.kind not in ROLLABLE:
            return
        meta = picked[1]["metadata"]
        self._watch_roll(self.state.kind, meta["namespace"], meta["name"])

    def action_undo(self) -> None:
        target = self._target(ROLLABLE, "undo the rollout of")
        if target is not None:
            self._load_history(*target)

    @work(thread=True, group="action", exit_on_error=False)
    def _load_history(self, kind: str, ns: str, name: str) -> None:
        actions = self._actions()
        history = actions.history(kind, ns, name)
        current = actions.get(kind, ns, name)
        self.app.call_from_thread(self._pick_revision, kind, ns, name, history, current)

    def _pick_revision(self, kind, ns, name, history, current) -> None:
        if len(history) < 2:
            self.notify(f"{kind.lower()} {name} has no earlier revision to go back to",
                        severity="warning")
            return
        choices = [str(r.number) for r in reversed(history[:-1])]
        details = {str(r.number): f"{', '.join(r.images)}  {r.change_cause}".strip()
                   for r in history}
        by_number = {str(r.number): r for r in history}

        def picked(choice: str | None) -> None:
            if choice:
                self._confirm_undo(kind, ns, name, current["spec"]["template"],
                                   by_number[choice], watch=True)

        self.app.push_screen(PickScreen(f"undo {name}: back to which revision?", choices,
                                        details), picked)

    def action_scale(self) -> None:
        if self.bulk("scale"):  # rows are marked: act on them all (ui/actions/bulk.py)
            return
        target = self._target(SCALABLE, "scale")
        if target is None:
            return
        kind, ns, name = target
        self._ask_scale(kind, ns, name, (self.selected()[1].get("spec") or {}).get("replicas", 1))

    def action_delete(self) -> None:
        if self.bulk("delete"):  # rows are marked: act on them all (ui/actions/bulk.py)
            return
        target = self._target(None, "delete")
        if target is None:
            return
        kind, ns, name = target
        actions = self._actions()
        where = f"{ns}/{name}" if ns else name
        note = ""
        if kind == "StatefulSet":  # its claims stay (the lint's sts-pvc-retained)
            from kubetui.ui.live_lint import sts_delete_note
            note = sts_delete_note(self.app, self.selected()[1])
        self._confirm_then(
            f"Delete {kind.lower()} {where}?" + (" Its pods go too." if kind in (
                *ROLLABLE, "ReplicaSet", "Job", "CronJob") else "") +
            (f" Note: {note}." if note else ""),
            lambda: self._act(f"Deleted {kind.lower()} {name}",
                              lambda: actions.delete(self._kind_of(kind), ns, name)))

    def action_logs(self, previous: bool = False) -> None:
        """A pod's logs, or every pod of a workload or service (later pods join)."""
        picked = self.selected()
        cluster = self.app.cluster
        if picked is None or cluster is None:
            return
        from kubetui.ui.navigation import drill_down
        from kubetui.ui.screens.logs import LogScreen

        kind, obj = self.state.kind, picked[1]
        meta = obj["metadata"]
        if kind == "Pod":
            screen = LogScreen(cluster, meta["namespace"], [obj], title=meta["name"],
                               previous=previous)
        else:
            target = drill_down(kind, obj, self.state)
            if target is None or target.kind != "Pod" or not target.label_selector:
                self.notify(f"no logs for a {kind.lower()}", severity="warning")
                return
            screen = LogScreen(cluster, meta["namespace"], selector=target.label_selector,
                               title=f"{kind.lower()}/{meta['name']}", previous=previous)
        self.app.push_screen(screen)

    def action_previous_logs(self) -> None:
        self.action_logs(previous=True)

    def action_exec(self) -> None:
        """One-shot commands in the pod, their output and exit codes in the TUI."""
        if not self._refused("run commands in a pod (exec is a write)"):
            self._in_container("run commands in which container?", self._exec)

    def _exec(self, pod: dict, container: str | None) -> None:
        from kubetui.ui.screens.exec import ExecScreen
        self.app.push_screen(ExecScreen(self.app.cluster, pod, container))

    def _in_container(self, question: str, then) -> None:
        picked = self.selected()
        if picked is None or self.app.cluster is None or self.state.kind != "Pod":
            return
        pod = picked[1]
        containers = [c["name"] for c in (pod.get("spec") or {}).get("containers") or ()]
        if len(containers) > 1:
            self.app.push_screen(PickScreen(question, containers),
                                 lambda c: then(pod, c) if c else None)
        else:
            then(pod, containers[0] if containers else None)

    def action_shell(self) -> None:
        """An interactive shell in the pod (bash, else sh), in this terminal."""
        if not self._refused("open a shell in a pod (exec is a write)"):
            self._in_container("shell in which container?", self._shell)

    def action_checklist(self) -> None:
        """The debugging checklist of the pod, or of the workload's most troubled pod."""
        picked = self.selected()
        if picked is None or self.app.cluster is None:
            return
        kind, meta = self.state.kind, picked[1]["metadata"]
        if kind == "Pod":
            self._open_checklist(meta["namespace"], meta["name"])
        else:
            self._checklist_of(kind, meta["namespace"], meta["name"])

    def action_kill(self) -> None:
        if self.bulk("kill"):  # rows are marked: act on them all (ui/actions/bulk.py)
            return
        target = self._target(("Pod",), "kill")
        if target is None:
            return
        kind, ns, name = target
        actions = self._actions()
        self._confirm_then(
            f"Kill pod {ns}/{name} now (no grace period)?",
            lambda: self._act(f"Killed pod {name}",
                              lambda: actions.delete("Pod", ns, name, force=True)))
