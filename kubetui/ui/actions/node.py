"""Node keys on the browser, k9s's own (kubetui's `c`, `u` and `r` mean checklist, undo
and restart on other kinds, never on nodes): `c` cordon, `u` uncordon, `r` drain. Each
asks first and is refused in read-only mode. The drain asks once, naming the pods it
will evict, those it skips (DaemonSet, mirror) and those kubectl would refuse without
--force or --delete-emptydir-data, then shows its progress (ui/screens/drain.py)."""

from __future__ import annotations

import logging

from textual import work
from textual.binding import Binding

from kubetui.ui.screens.modals import ConfirmScreen

log = logging.getLogger("kubetui.ui")

NODE_BINDINGS = [
    Binding("c", "cordon", "Cordon", id="action.cordon"),
    Binding("u", "uncordon", "Uncordon", id="action.uncordon"),
    Binding("r", "drain", "Drain", id="action.drain"),
]


class NodeKeys:
    """Mixed into the browser screen: needs `_target`, `_actions`, `_act`, `app`."""

    def action_cordon(self, cordon: bool = True) -> None:
        verb = "cordon" if cordon else "uncordon"
        target = self._target(("Node",), verb)
        if target is None:
            return
        _, _, name = target
        actions = self._actions()
        self._confirm_then(
            f"{verb.capitalize()} node {name}? " + (
                "No new pod will be scheduled on it." if cordon else
                "New pods may be scheduled on it again."),
            lambda: self._act(f"{verb.capitalize()}ed node {name}",
                              lambda: actions.cordon(name, cordon)))

    def action_uncordon(self) -> None:
        self.action_cordon(False)

    def action_drain(self) -> None:
        target = self._target(("Node",), "drain")
        if target is not None:
            self._plan_drain(target[2])

    @work(thread=True, group="action", exit_on_error=False)
    def _plan_drain(self, node: str) -> None:
        from kubetui.kube.drain import plan
        pods = plan(self.app.cluster.client, node)
        self.app.call_from_thread(self._confirm_drain, node, pods)

    def _confirm_drain(self, node: str, pods) -> None:
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
        self.app.push_screen(ConfirmScreen(question, "\n".join(lines)), lambda ok: (
            self.app.push_screen(DrainScreen(self.app.cluster, node, pods)) if ok else None))
