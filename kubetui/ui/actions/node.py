"""Node keys on the browser, k9s's own (kubetui's `c`, `u` and `r` mean checklist, undo
and restart on other kinds, never on nodes): `c` cordon, `u` uncordon, `r` drain. Each
asks first and is refused in read-only mode. The drain asks once, naming the pods it
will evict, those it skips (DaemonSet, mirror) and those kubectl would refuse without
--force or --delete-emptydir-data, then shows its progress (ui/screens/drain.py)."""

from __future__ import annotations

import logging

from textual.binding import Binding

from kubetui.kube.drain import DrainPod
from kubetui.ui.actions.rows import RowActions
from kubetui.ui.screens.modals import ConfirmScreen

log = logging.getLogger("kubetui.ui")

NODE_BINDINGS = [
    Binding("c", "cordon", "Cordon", id="action.cordon"),
    Binding("u", "uncordon", "Uncordon", id="action.uncordon"),
    Binding("r", "drain", "Drain", id="action.drain"),
]


class NodeActions:
    """The browser's node keys, on the selected row (`rows` finds and checks it)."""

    def __init__(self, rows: RowActions) -> None:
        self.rows = rows
        self.actions = rows.actions

    def cordon(self, cordon: bool = True) -> None:
        verb = "cordon" if cordon else "uncordon"
        target = self.rows.target(("Node",), verb)
        actions = self.actions.client()
        if target is None or actions is None:
            return
        _, _, name = target
        self.actions.confirm_then(
            f"{verb.capitalize()} node {name}? " + (
                "No new pod will be scheduled on it." if cordon else
                "New pods may be scheduled on it again."),
            lambda: self.actions.act(f"{verb.capitalize()}ed node {name}",
                                     lambda: actions.cordon(name, cordon)))

    def uncordon(self) -> None:
        self.cordon(False)

    def drain(self) -> None:
        target = self.rows.target(("Node",), "drain")
        if target is not None:
            self.actions.in_thread(self._plan_drain, target[2])

    def _plan_drain(self, node: str) -> None:
        from kubetui.kube.drain import plan
        app = self.actions.app
        if app.cluster is None:
            return
        pods = plan(app.cluster.client, node)
        app.call_from_thread(self._confirm_drain, node, pods)  # the action's next question

    def _confirm_drain(self, node: str, pods: list[DrainPod]) -> None:
        from kubetui.kube.drain import warnings
        from kubetui.ui.screens.drain import DrainScreen
        evict = [p for p in pods if not p.skip]
        skipped = [p for p in pods if p.skip]
        lines = [f"Evict ({len(evict)}):", *(f"  {p.key}  {p.owner or '(no controller)'}"
                                            for p in evict)]
        if skipped:
            lines += [f"Skip ({len(skipped)}):", *(f"  {p.key}  {p.skip}" for p in skipped)]
        warned = warnings(pods)
        if warned:
            lines = [*(f"WARNING: {w}" for w in warned), "", *lines]
        question = (f"Drain node {node}? It is cordoned first, then {len(evict)} pod(s) are "
                    "evicted (PodDisruptionBudgets are respected).")
        if warned:
            question += " Some pods need your consent: see the warnings."
        app = self.actions.app
        app.push_screen(ConfirmScreen(question, "\n".join(lines)), lambda ok: (
            app.push_screen(DrainScreen(app.cluster, node, pods)) if ok else None))
