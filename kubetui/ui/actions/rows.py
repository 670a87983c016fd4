"""The one-key actions on the browser's selected row, each asking first and refused in
read-only mode: `r` rollout restart, `u` rollout undo (pick a revision, see the
pod-template diff, confirm), `s` scale (workloads), ctrl+d delete, ctrl+k kill (delete a
pod at once); also logs, exec, the shell, the checklist and the rollout cockpit. With
rows marked, the writes act on every marked row (ui/actions/bulk.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kubetui.kube.actions import ROLLABLE
from kubetui.ui.actions.acting import APPLIES, SCALABLE, Actions
from kubetui.ui.actions.bulk import BulkActions
from kubetui.ui.actions.host import RowHost
from kubetui.ui.screens.pick import PickScreen

if TYPE_CHECKING:
    from kubetui.kube.rollout import Revision


class RowActions:
    """The browser's row keys: the host names the row and its kind, `actions` does the
    asking, refusing and calling, `bulk` takes over when rows are marked."""

    def __init__(self, host: RowHost, actions: Actions, bulk: BulkActions) -> None:
        self.host = host
        self.actions = actions
        self.bulk = bulk

    def applies(self, action: str) -> bool:
        """The footer shows an action key only where it applies to the kind shown."""
        kinds = APPLIES.get(action)
        return kinds is None or self.host.state.kind in kinds

    def target(self, kinds: tuple[str, ...] | None, verb: str) -> tuple[str, str, str] | None:
        """The selected row as (kind, namespace, name), or None after saying why not."""
        picked = self.host.selected()
        if picked is None:
            return None
        kind = self.host.state.kind
        if kinds is not None and kind not in kinds:
            self.host.notify(f"{verb} works on {', '.join(k.lower() + 's' for k in kinds)}",
                             severity="warning")
            return None
        if self.host.app.cluster is None:
            return None
        meta = picked[1]["metadata"]
        if self.actions.refused(f"{verb} {kind.lower()} {meta['name']}"):
            return None
        return kind, meta.get("namespace"), meta["name"]

    # -- the keys
    def restart(self) -> None:
        if self.bulk.run("restart"):  # rows are marked: act on them all
            return
        target = self.target(ROLLABLE, "restart")
        if target is None:
            return
        self.actions.confirm_restart(*target, watch=True)

    def rollout(self) -> None:
        """The rollout cockpit of the selected deployment, statefulset or daemonset."""
        picked = self.host.selected()
        kind = self.host.state.kind
        if picked is None or self.host.app.cluster is None or kind not in ROLLABLE:
            return
        meta = picked[1]["metadata"]
        self.actions.watch_roll(kind, meta["namespace"], meta["name"])

    def undo(self) -> None:
        target = self.target(ROLLABLE, "undo the rollout of")
        if target is not None:
            self.actions.in_thread(self._load_history, *target)

    def _load_history(self, kind: str, ns: str, name: str) -> None:
        actions = self.actions.client()
        if actions is None:
            return
        history = actions.history(kind, ns, name)
        current = actions.get(kind, ns, name)
        # the action's next question on the UI thread (no screen reacts to it)
        self.host.app.call_from_thread(self._pick_revision, kind, ns, name, history, current)

    def _pick_revision(self, kind: str, ns: str, name: str, history: list[Revision],
                       current: dict) -> None:
        if len(history) < 2:
            self.host.notify(f"{kind.lower()} {name} has no earlier revision to go back to",
                             severity="warning")
            return
        choices = [str(r.number) for r in reversed(history[:-1])]
        details = {str(r.number): f"{', '.join(r.images)}  {r.change_cause}".strip()
                   for r in history}
        by_number = {str(r.number): r for r in history}

        def picked(choice: str | None) -> None:
            if choice:
                self.actions.confirm_undo(kind, ns, name, current["spec"]["template"],
                                          by_number[choice], watch=True)

        self.host.app.push_screen(PickScreen(f"undo {name}: back to which revision?",
                                             choices, details), picked)

    def scale(self) -> None:
        if self.bulk.run("scale"):  # rows are marked: act on them all
            return
        target = self.target(SCALABLE, "scale")
        picked = self.host.selected()
        if target is None or picked is None:
            return
        kind, ns, name = target
        self.actions.ask_scale(kind, ns, name, (picked[1].get("spec") or {}).get("replicas", 1))

    def delete(self) -> None:
        if self.bulk.run("delete"):  # rows are marked: act on them all
            return
        target = self.target(None, "delete")
        picked = self.host.selected()
        actions = self.actions.client()
        if target is None or picked is None or actions is None:
            return
        kind, ns, name = target
        where = f"{ns}/{name}" if ns else name
        note = ""
        if kind == "StatefulSet":  # its claims stay (the lint's sts-pvc-retained)
            from kubetui.ui.live_lint import sts_delete_note
            note = sts_delete_note(self.host.app, picked[1])
        api_kind = self.host.kind_of(kind) or kind
        self.actions.confirm_then(
            f"Delete {kind.lower()} {where}?" + (" Its pods go too." if kind in (
                *ROLLABLE, "ReplicaSet", "Job", "CronJob") else "") +
            (f" Note: {note}." if note else ""),
            lambda: self.actions.act(f"Deleted {kind.lower()} {name}",
                                     lambda: actions.delete(api_kind, ns, name)))

    def logs(self, previous: bool = False) -> None:
        """A pod's logs, or every pod of a workload or service (later pods join)."""
        picked = self.host.selected()
        cluster = self.host.app.cluster
        if picked is None or cluster is None:
            return
        from kubetui.ui.navigation import drill_down
        from kubetui.ui.screens.logs import LogScreen

        state = self.host.state
        kind, obj = state.kind, picked[1]
        meta = obj["metadata"]
        if kind == "Pod":
            screen = LogScreen(cluster, meta["namespace"], [obj], title=meta["name"],
                               previous=previous)
        else:
            target = drill_down(kind, obj, state)
            if target is None or target.kind != "Pod" or not target.label_selector:
                self.host.notify(f"no logs for a {kind.lower()}", severity="warning")
                return
            screen = LogScreen(cluster, meta["namespace"], selector=target.label_selector,
                               title=f"{kind.lower()}/{meta['name']}", previous=previous)
        self.host.app.push_screen(screen)

    def exec(self) -> None:
        """One-shot commands in the pod, their output and exit codes in the TUI."""
        if not self.actions.refused("run commands in a pod (exec is a write)"):
            self._in_container("run commands in which container?", self._exec)

    def _exec(self, pod: dict, container: str | None) -> None:
        from kubetui.ui.screens.exec import ExecScreen
        self.host.app.push_screen(ExecScreen(self.host.app.cluster, pod, container))

    def _in_container(self, question: str,
                      then: Callable[[dict, str | None], None]) -> None:
        picked = self.host.selected()
        if picked is None or self.host.app.cluster is None or self.host.state.kind != "Pod":
            return
        pod = picked[1]
        containers = [c["name"] for c in (pod.get("spec") or {}).get("containers") or ()]
        if len(containers) > 1:
            self.host.app.push_screen(PickScreen(question, containers),
                                      lambda c: then(pod, c) if c else None)
        else:
            then(pod, containers[0] if containers else None)

    def shell(self) -> None:
        """An interactive shell in the pod (bash, else sh), in this terminal."""
        if not self.actions.refused("open a shell in a pod (exec is a write)"):
            self._in_container("shell in which container?", self.actions.shell)

    def checklist(self) -> None:
        """The debugging checklist of the pod, or of the workload's most troubled pod."""
        picked = self.host.selected()
        if picked is None or self.host.app.cluster is None:
            return
        kind, meta = self.host.state.kind, picked[1]["metadata"]
        if kind == "Pod":
            self.actions.open_checklist(meta["namespace"], meta["name"])
        else:
            self.actions.checklist_of(kind, meta["namespace"], meta["name"])

    def kill(self) -> None:
        if self.bulk.run("kill"):  # rows are marked: act on them all
            return
        target = self.target(("Pod",), "kill")
        actions = self.actions.client()
        if target is None or actions is None:
            return
        kind, ns, name = target
        self.actions.confirm_then(
            f"Kill pod {ns}/{name} now (no grace period)?",
            lambda: self.actions.act(f"Killed pod {name}",
                                     lambda: actions.delete("Pod", ns, name, force=True)))


__all__ = ["RowActions"]
