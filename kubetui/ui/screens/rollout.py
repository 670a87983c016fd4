"""The rollout cockpit of a Deployment, StatefulSet or DaemonSet, live from the informers:
bars for updated / ready / available against desired, kubectl's "Waiting for ..." line,
done / stuck with the reason, the conditions, the revisions that still have pods (new
first) with those pods, and the history with a diff between any two revisions. Keys
restart, undo (to the revision under the cursor), pause / resume and scale, each asking
first and refused in read-only mode."""

from __future__ import annotations

import time

from rich.console import Group
from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from kubetui.kube import rollout
from kubetui.kube.actions import ROLLABLE
from kubetui.kube.cluster import InformerGroup
from kubetui.render.age import age
from kubetui.render.bars import bar
from kubetui.render.pod import is_ready, summarize
from kubetui.render.printers import pod_selector
from kubetui.ui.screens.acting import ActingScreen
from kubetui.ui.widgets.scroll import VerticalScroll

from ..widgets.footer import Footer

STATE_STYLE = {"rolled out": "bold green", "progressing": "bold yellow",
               "paused": "bold cyan", "stuck": "bold red"}
OWNED = {"Deployment": "ReplicaSet", "StatefulSet": "ControllerRevision",
         "DaemonSet": "ControllerRevision"}


class DiffScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,d", "dismiss(None)", "Close", id="diff.close")]

    def __init__(self, title: str, diff: str):
        super().__init__()
        self.title_text, self.diff = title, diff

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="confirm-box") as box:
            box.border_title = self.title_text
            yield Static(Syntax(self.diff, "diff", theme="ansi_dark",
                                background_color="default"))


def status_panel(c: rollout.Cockpit, width: int = 40) -> Group:
    """The top of the cockpit: state, kubectl's line, the bars and the conditions."""
    st = c.status
    head = Text.assemble((f" {c.kind.lower()} {c.namespace}/{c.name}  ", "bold"),
                         (f"● {c.state}", STATE_STYLE[c.state]))
    if c.groups and c.groups[0].new:
        head.append(f"   revision {c.groups[0].revision}", style="dim")
    lines = [head, Text(f" {st.message}", style="italic")]
    if c.reason:
        lines.append(Text(f" stuck: {c.reason}", style="red"))
    for label, value in (("updated", st.updated), ("ready", st.ready),
                         ("available", st.available)):
        style = "green" if value >= st.desired else "yellow"
        lines.append(Text.assemble(f" {label:<10}", (bar(value, st.desired, width), style),
                                   f" {value}/{st.desired}"))
    conds = Text(" ")
    for cond in st.conditions:
        ok = cond.get("status") == "True"
        conds.append(f"{cond.get('type')}={cond.get('status')}",
                     "green" if ok else "red")
        if cond.get("reason"):
            conds.append(f" ({cond['reason']})", "dim")
        conds.append("   ")
    if st.conditions:
        lines.append(conds)
    return Group(*lines)


def groups_panel(c: rollout.Cockpit) -> Text:
    """Each revision that still has pods, new first, with its pods and their states."""
    out = Text()
    for g in c.groups:
        out.append(" NEW " if g.new else " OLD ", "bold reverse green" if g.new else "dim reverse")
        out.append(f" rev {g.revision}  {g.name}  {g.ready}/{g.desired} ready  ", "bold")
        out.append(", ".join(g.images) + "\n", "dim")
        now = time.time()
        for pod in sorted(g.pods, key=lambda p: p["metadata"]["name"]):
            phase = summarize(pod, now).status
            ok = is_ready(pod)
            style = "green" if ok else "red" if phase in rollout.FAILING_REASONS or "Err" in phase \
                else "yellow"
            out.append(f"    {'●' if ok else '◌'} ", style)
            out.append(f"{pod['metadata']['name']:<44}")
            out.append(f"{phase}\n", style)
    if not c.groups:
        out.append(" no revisions yet\n", "dim")
    return out


class RolloutScreen(ActingScreen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="rollout.back"),
        Binding("t", "timeline", "Timeline", id="rollout.timeline"),
        Binding("r", "restart", "Restart", id="rollout.restart"),
        Binding("u", "undo", "Undo to revision", id="rollout.undo"),
        Binding("p", "pause", "Pause/resume", id="rollout.pause"),
        Binding("s", "scale", "Scale", id="rollout.scale"),
        Binding("space", "mark", "Mark revision", id="rollout.mark"),
        Binding("d", "diff", "Diff", id="rollout.diff"),
        Binding("l", "logs", "Logs", id="rollout.logs"),
    ]

    def __init__(self, cluster, kind: str, namespace: str, name: str):
        super().__init__()
        if kind not in ROLLABLE:
            raise ValueError(f"no rollout for {kind}")
        self.cluster, self.kind, self.ns, self.target = cluster, kind, namespace, name
        self.model: rollout.Cockpit | None = None
        self.marked: int | None = None
        self._groups: list = []
        self._pods: InformerGroup | None = None
        self._seen: tuple = ()

    def compose(self) -> ComposeResult:
        yield Static(id="rollout-status")
        with VerticalScroll(id="rollout-groups"):
            yield Static(id="rollout-pods")
        table: DataTable[str] = DataTable(id="rollout-history", cursor_type="row",
                                          zebra_stripes=True)
        table.border_title = "history  (space: mark, d: diff marked/current against cursor)"
        yield table
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("", "REVISION", "CHANGE-CAUSE", "IMAGES", "AGE")
        self._own = self.cluster.watch(self.kind, self.ns)
        self._owned = self.cluster.watch(OWNED[self.kind], self.ns)
        self._groups = [self._own, self._owned]
        self.refresh_model()
        table.focus()
        self.set_interval(0.25, self.refresh_model)

    def on_unmount(self) -> None:
        for group in self._groups:
            self.cluster.release(group)

    def _object(self) -> dict | None:
        return self._own.store.get(f"{self.ns}/{self.target}")

    def refresh_model(self) -> None:
        obj = self._object()
        if obj is None:
            message = "waiting for the cache..." if not self._own.synced else "it is gone"
            self.query_one("#rollout-status", Static).update(
                Text(f" {self.kind.lower()} {self.ns}/{self.target}: {message}"))
            return
        if self._pods is None:
            selector = pod_selector(obj)
            self._pods = self.cluster.watch("Pod", self.ns, selector or None)
            self._groups.append(self._pods)
        seen = (id(obj), self._owned.store.version, self._pods.store.version, self.size)
        if seen == self._seen:
            return
        self._seen = seen
        owned = list(self._owned.store.snapshot()[1].values())
        pods = list(self._pods.store.snapshot()[1].values())
        self.model = rollout.cockpit({**obj, "kind": self.kind}, owned, pods)
        width = max(10, min(60, self.size.width - 30))
        self.query_one("#rollout-status", Static).update(status_panel(self.model, width))
        self.query_one("#rollout-pods", Static).update(groups_panel(self.model))
        self._fill_history()

    def _fill_history(self) -> None:
        table = self.query_one(DataTable)
        if self.model is None:
            return
        current = self.model.groups[0].revision if self.model.groups and \
            self.model.groups[0].new else None
        now = time.time()
        rows = [(("*" if r.number == self.marked else "") +
                 ("←" if r.number == current else ""), str(r.number),
                 r.change_cause or "<none>", ", ".join(r.images), age(r.created, now))
                for r in reversed(self.model.history)]
        keep = table.cursor_row
        table.clear()
        for row in rows:
            table.add_row(*row, key=row[1])
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1), animate=False)

    def _cursor_revision(self) -> rollout.Revision | None:
        table = self.query_one(DataTable)
        if self.model is None or not self.model.history or table.row_count == 0:
            return None
        number = int(table.get_row_at(table.cursor_row)[1])
        return next(r for r in self.model.history if r.number == number)

    # -- keys
    def _refuse(self, verb: str) -> bool:
        return self.actions.refused(f"{verb} {self.kind.lower()} {self.target}")

    def action_timeline(self) -> None:
        from kubetui.ui.screens.timeline import TimelineScreen
        self.app.push_screen(TimelineScreen(self.cluster, f"{self.kind.lower()}/{self.target}",
                                            self.ns))

    def action_restart(self) -> None:
        if not self._refuse("restart"):
            self.actions.confirm_restart(self.kind, self.ns, self.target)

    def action_undo(self) -> None:
        if self._refuse("undo the rollout of") or self.model is None:
            return
        if not self._owned.synced:  # "no earlier revision" would be a guess
            self.notify("the rollout history is still loading; try again in a moment",
                        severity="warning", timeout=3)
            return
        history = self.model.history
        target = self._cursor_revision()
        current = self.model.groups[0] if self.model.groups and self.model.groups[0].new \
            else None
        if target is None or (current and target.number == current.revision):
            if len(history) < 2:
                self.notify(f"{self.target} has no earlier revision to go back to",
                            severity="warning")
                return
            target = history[-2]
        obj = self._object()
        if obj is not None:
            self.actions.confirm_undo(self.kind, self.ns, self.target,
                                      obj["spec"]["template"], target)

    def action_pause(self) -> None:
        if self.kind != "Deployment":
            self.notify("only deployments can be paused", severity="warning")
            return
        paused = bool(self.model and self.model.paused)
        verb = "resume" if paused else "pause"
        if self._refuse(verb):
            return
        actions, ns, name = self.actions.client(), self.ns, self.target
        self.actions.act(f"{verb.capitalize()}d the rollout of {name}",
                         lambda: actions.pause(ns, name, not paused) if actions else None)

    def action_scale(self) -> None:
        if self.kind == "DaemonSet":
            self.notify("a daemon set runs one pod per node; it has no scale",
                        severity="warning")
            return
        if self._refuse("scale"):
            return
        obj = self._object() or {}
        self.actions.ask_scale(self.kind, self.ns, self.target,
                        (obj.get("spec") or {}).get("replicas", 1))

    def action_mark(self) -> None:
        rev = self._cursor_revision()
        if rev is not None:
            self.marked = None if self.marked == rev.number else rev.number
            self._fill_history()

    def action_diff(self) -> None:
        """The marked revision (or the current template) against the one under the cursor."""
        target = self._cursor_revision()
        obj = self._object()
        if target is None or obj is None or self.model is None:
            return
        marked = next((r for r in self.model.history if r.number == self.marked), None)
        if marked is not None:
            base, base_name = marked.template, f"revision {marked.number}"
        else:
            base, base_name = obj["spec"]["template"], "current"
        self.app.push_screen(DiffScreen(
            f"{base_name} → revision {target.number}",
            rollout.template_diff(base, target.template,
                                  (base_name, f"revision {target.number}"))))

    def action_logs(self) -> None:
        from kubetui.ui.screens.logs import LogScreen

        obj = self._object()
        if obj is None or self._pods is None:
            return
        selector = pod_selector(obj)
        self.app.push_screen(LogScreen(self.cluster, self.ns, selector=selector,
                                       title=f"{self.kind.lower()}/{self.target}"))


__all__ = ["RolloutScreen", "status_panel", "groups_panel"]
