"""The debugging checklist of a pod (or of a workload's most troubled pod): the most
likely cause on top with its evidence and what to do, then the seven steps, each with a
verdict (ok / problem / unknown) and what it saw. The steps that act are one key away:
s shell, x a command, e an ephemeral debug container, n a debug pod on the node, l / p
logs, o the owner's rollout."""

from __future__ import annotations

import logging

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from kubetui.diagnose import Checklist
from kubetui.diagnose.checklist import OK, PROBLEM, Evidence, headline
from kubetui.kube.debug import NodeDebug
from kubetui.kube.evidence import gather
from kubetui.ui.screens.acting import ActingScreen
from kubetui.ui.widgets.scroll import VerticalScroll

from ..widgets.footer import Footer

log = logging.getLogger("kubetui.ui")

MARK = {OK: ("✔", "green"), PROBLEM: ("✖", "red"), "unknown": ("?", "yellow")}


def summary_text(c: Checklist, lint: list | tuple = ()) -> Text:
    out = Text()
    cause = c.cause
    if cause is None:
        unsure = any(s.verdict != OK for s in c.steps)
        out.append(" no cause found" if unsure else " no problem found",
                   "bold yellow" if unsure else "bold green")
        out.append(f": {headline(c)}")
        _footguns(out, lint)
        return out
    out.append(" most likely cause  ", "bold reverse red")
    out.append(f" {cause.cause}\n", "bold")
    for line in cause.evidence:
        out.append(f"   {line}\n", "dim" if line.startswith("  ") else "")
    if cause.fix:
        out.append("   what to do: ", "bold")
        out.append(cause.fix + "\n")
    if len(c.findings) > 1:
        out.append("   also: " + "; ".join(f.cause for f in c.findings[1:]) + "\n", "yellow")
    out.rstrip()
    _footguns(out, lint)
    return out


def _footguns(out: Text, lint) -> None:
    """The lint's findings on the pod and its workload (`:lint`, y, shows each fix)."""
    if not lint:
        return
    out.append(f"\n footguns ({len(lint)}, :lint shows the fixes):", "bold")
    for f in lint:
        out.append(f"\n   {f.severity} {f.rule}", "red" if f.severity == "error" else
                   "yellow" if f.severity == "warning" else "dim")
        out.append(f" ({f.kind} {f.name}): {f.message}")


def logs_side_by_side(step, evidence) -> Group:
    """Step 2 with each container's current and previous logs in two columns."""
    head = Text.assemble((f"{step.summary}\n", "bold"), (f"({step.command})", "dim"))
    grid = Table.grid(expand=True, padding=(0, 2))
    grid.add_column(ratio=1)
    grid.add_column(ratio=1)
    for container in sorted(set(evidence.logs) | set(evidence.previous_logs)):
        cells = []
        for which, source in (("current", evidence.logs), ("previous", evidence.previous_logs)):
            lines = source.get(container)
            text = Text()
            text.append(f"{container}, {which}\n", "bold underline")
            if isinstance(lines, list):
                text.append("\n".join(lines[-8:]) or "(no output)",
                            "" if which == "current" else "yellow")
            else:
                text.append(lines or "(no previous container)", "dim")
            cells.append(text)
        grid.add_row(*cells)
    return Group(head, grid)


def step_text(step) -> Text:
    out = Text()
    out.append(f"{step.summary}\n", "bold")
    out.append(f"({step.command})\n", "dim")
    for line in step.evidence:
        style = "red" if ("Warning" in line or "Error" in line or "error" in line) else ""
        out.append(line + "\n", style)
    out.rstrip()
    return out


class ChecklistScreen(ActingScreen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="checklist.back"),
        Binding("r", "refresh", "Refresh", id="checklist.refresh"),
        Binding("s", "shell", "Shell", id="checklist.shell"),
        Binding("x", "exec", "Command", id="checklist.exec"),
        Binding("l", "logs", "Logs", id="checklist.logs"),
        Binding("p", "previous_logs", "Previous logs", id="checklist.previous"),
        Binding("e", "debug_container", "Debug container", id="checklist.debug_container"),
        Binding("n", "node_debug", "Node debug", id="checklist.node_debug"),
        Binding("o", "rollout", "Rollout", id="checklist.rollout"),
        Binding("t", "timeline", "Timeline", id="checklist.timeline"),
        Binding("b", "bundle", "Report", id="checklist.bundle"),
    ]

    def __init__(self, cluster, namespace: str, pod: str, debug_image: str = "busybox:1.36",
                 evidence=None):
        super().__init__()
        self.cluster, self.ns, self.pod_name = cluster, namespace, pod
        self.debug_image = debug_image
        self.checklist: Checklist | None = None
        self.evidence: Evidence | None = None
        self._given = evidence  # evidence gathered already (snapshots, tests): no fetching

    def compose(self) -> ComposeResult:
        yield Static(Text(f" checklist {self.ns}/{self.pod_name}: gathering the evidence ...",
                          "bold"), id="checklist-title")
        with VerticalScroll(id="checklist-body"):
            yield Static(id="checklist-summary")
            for n, title in enumerate(("describe", "logs", "events", "rollout", "exec",
                                       "node", "top"), 1):
                pane = Static(id=f"step-{n}", classes="step")
                pane.border_title = f"{n} {title}"
                yield pane
        yield Footer()

    def on_mount(self) -> None:
        if self._given is not None:
            from kubetui.diagnose import build
            self._show(self._given, build(self._given))
        else:
            self.action_refresh()

    def action_refresh(self) -> None:
        self._gather()

    @work(thread=True, exclusive=True, group="checklist", exit_on_error=False)
    def _gather(self) -> None:
        from kubetui.diagnose import build
        evidence = gather(self.cluster.client, self.ns, self.pod_name)
        checklist = build(evidence)
        self.post_message(self.Gathered(evidence, checklist))

    class Gathered(Message):
        """A worker read the pod's evidence and built its checklist."""

        def __init__(self, evidence: Evidence, checklist: Checklist) -> None:
            super().__init__()
            self.evidence, self.checklist = evidence, checklist

    def on_checklist_screen_gathered(self, message: Gathered) -> None:
        self._show(message.evidence, message.checklist)

    def _show(self, evidence: Evidence, checklist: Checklist) -> None:
        self.evidence, self.checklist = evidence, checklist
        problems = checklist.verdicts().count(PROBLEM)
        title = Text.assemble((f" checklist {self.ns}/{self.pod_name}", "bold"),
                              f"  {problems} of 7 steps show a problem" if problems else
                              "  all steps ok or unknown",
                              (f"   owner: {evidence.owner}" if evidence.owner else "", "dim"))
        self.query_one("#checklist-title", Static).update(title)
        from kubetui.ui.live_lint import findings_of
        summary = self.query_one("#checklist-summary", Static)
        summary.update(summary_text(checklist, findings_of(self.app, "Pod", evidence.pod)))
        summary.set_class(checklist.cause is not None, "problem")
        for step in checklist.steps:
            pane = self.query_one(f"#step-{step.number}", Static)
            mark, colour = MARK[step.verdict]
            pane.border_title = f"{step.number} {step.title}  [{colour}]{mark} {step.verdict}[/]"
            for verdict in MARK:
                pane.set_class(step.verdict == verdict, f"verdict-{verdict}")
            both = step.number == 2 and evidence.previous_logs
            pane.update(logs_side_by_side(step, evidence) if both else step_text(step))

    # -- the steps that act
    def _pod(self) -> dict | None:
        return self.evidence.pod if self.evidence is not None else None

    def _containers(self) -> list[str]:
        pod = self._pod() or {}
        return [c["name"] for c in (pod.get("spec") or {}).get("containers") or ()]

    def action_shell(self) -> None:
        pod = self._pod()
        if pod is not None and not self.actions.refused("open a shell in a pod (exec is a write)"):
            self.actions.shell(pod, self._containers()[0] if self._containers() else None)

    def action_debug_container(self) -> None:
        """Step 5 without a shell in the image: an ephemeral debug container beside it."""
        pod = self._pod()
        if pod is not None:
            self.actions.debug.offer(pod, self._containers()[0] if self._containers() else None)

    def action_exec(self) -> None:
        from kubetui.ui.screens.exec import ExecScreen
        pod = self._pod()
        if pod is not None and not self.actions.refused("run commands in a pod (exec is a write)"):
            self.app.push_screen(ExecScreen(self.cluster, pod,
                                            self._containers()[0] if self._containers()
                                            else None))

    def action_logs(self, previous: bool = False) -> None:
        from kubetui.ui.screens.logs import LogScreen
        pod = self._pod()
        if pod is not None:
            self.app.push_screen(LogScreen(self.cluster, self.ns, [pod], title=self.pod_name,
                                           previous=previous))

    def action_previous_logs(self) -> None:
        self.action_logs(previous=True)

    def action_rollout(self) -> None:
        owner = self.evidence.owner if self.evidence else ""
        kind, _, where = owner.partition(" ")
        if kind not in ("Deployment", "StatefulSet", "DaemonSet"):
            self.notify("the pod belongs to no deployment, stateful set or daemon set",
                        severity="warning")
            return
        self.actions.watch_roll(kind, self.ns, where.split("/")[-1])

    def _target(self) -> str:
        """What the timeline and the report are about: the pod's workload, else the pod."""
        owner = getattr(self.evidence, "owner", "") if self.evidence is not None else ""
        kind, _, where = owner.partition(" ")
        if kind in ("Deployment", "StatefulSet", "DaemonSet"):
            return f"{kind.lower()}/{where.split('/')[-1]}"
        return f"pod/{self.pod_name}"

    def action_timeline(self) -> None:
        from kubetui.ui.screens.timeline import TimelineScreen
        self.app.push_screen(TimelineScreen(self.cluster, self._target(), self.ns))

    def action_bundle(self) -> None:
        self.notify("writing the incident report ...", timeout=2)
        self._write_bundle(self._target())

    @work(thread=True, group="bundle", exit_on_error=False)
    def _write_bundle(self, target: str) -> None:
        """An incident report (markdown) in ~/kubetui-reports/, secrets masked."""
        from datetime import datetime
        from pathlib import Path

        from kubetui.kube.incident import gather_incident
        from kubetui.render.report import commands_for, incident_markdown
        incident = gather_incident(self.cluster.client, target, self.ns,
                                   list(getattr(self.app, "actions_log", ())))
        folder = Path.home() / "kubetui-reports"
        folder.mkdir(exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = folder / f"{self.ns}_{target.replace('/', '_')}-{stamp}.md"
        path.write_text(incident_markdown(incident, commands_for(incident)), encoding="utf-8")
        self.notify(f"Report written to {path}", timeout=6)  # notify is thread-safe

    def action_node_debug(self) -> None:
        pod = self._pod()
        node = ((pod or {}).get("spec") or {}).get("nodeName")
        if not node:
            self.notify("the pod is on no node yet", severity="warning")
            return
        if self.actions.refused(f"start a debug pod on node {node}"):
            return
        self.actions.confirm_then(
            f"Start a debug pod on node {node}? It runs {self.debug_image} in the host's "
            "network, PID and IPC namespaces with the host's filesystem at /host, opens a "
            "shell in it, and is deleted when the shell ends.",
            lambda: self._node_debug(node))

    @work(thread=True, group="node-debug", exit_on_error=False)
    def _node_debug(self, node: str) -> None:
        debug = NodeDebug(self.cluster.client, node, self.cluster.context.namespace or "default",
                          self.debug_image)
        # (notify is thread-safe: it posts the app a message)
        self.notify(f"starting a debug pod on {node} ...", timeout=3)
        name = debug.create()
        self.notify(f"debug pod {name} runs on {node}", timeout=4)
        try:
            from kubetui.kube.client import ApiError
            from kubetui.kube.exec import ExecSession
            session = ExecSession(self.cluster.client, debug.namespace, name, "debugger",
                                  shells=("sh",))
            try:
                session.open()  # (here, not on the UI thread: it can take a second)
            except ApiError as exc:
                self.notify(f"cannot open a shell in the debug pod: {exc.message}",
                            severity="error")
            else:  # waits for the shell to end: the pod is removed after it, not before
                self.app.call_from_thread(self._debug_shell, session)
        finally:
            debug.remove()
            self.notify(f"debug pod {name} removed", timeout=4)

    def _debug_shell(self, session) -> None:
        from kubetui.kube.client import ApiError
        from kubetui.ui.terminal import bridge

        try:
            with self.app.suspend():
                bridge(session)
        except ApiError as exc:
            log.error("no shell in the debug pod", exc_info=True)
            self.notify(f"cannot open a shell in the debug pod: {exc.message}",
                        severity="error")
        except Exception as exc:  # no terminal to hand over (tests, some hosts)
            log.exception("cannot hand the terminal to the debug shell")
            session.close()
            self.notify(f"cannot hand the terminal to the debug shell: {exc}",
                        severity="error")


__all__ = ["ChecklistScreen", "summary_text"]
