"""`:lint` (`:pulse`): the footguns the live lint finds, grouped by severity and rule,
as they come and go; `enter` jumps to the object, `c` its checklist, `d` describes it,
`y` shows the fix, `ctrl+y` copies it. (The glue the other screens use, the one live
lint of the connection, is in ui/live_lint.py.)"""

from __future__ import annotations

import logging

from rich.console import Group
from rich.syntax import Syntax
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from kubetui.diagnose import lint_report
from kubetui.diagnose.lint import RULES
from kubetui.diagnose.lint_rules import Finding
from kubetui.kube.kinds import KINDS as API_KINDS
from kubetui.ui.live_lint import live_lint, tick
from kubetui.ui.screens.acting import ActingScreen
from kubetui.ui.screens.base import KubetuiScreen
from kubetui.ui.widgets.resource_table import ResourceTable, Row
from kubetui.ui.widgets.scroll import VerticalScroll

from ..widgets.footer import Footer

log = logging.getLogger("kubetui.ui")
HEALTH = {"error": "error", "warning": "pending", "info": "done"}
CHECKLIST_KINDS = ("Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job",
                   "Service")


# -- the screens
def finding_text(f: Finding, fix: bool = False) -> Text:
    colour = {"error": "red", "warning": "yellow"}.get(f.severity, "blue")
    out = Text()
    out.append(f" {f.severity} ", f"bold reverse {colour}")
    out.append(f"  {f.rule}", "bold")
    out.append(f"  {f.where}" + (f"  (container {f.container})" if f.container else ""), "bold")
    out.append(f"\n {f.message}\n")
    for line in f.evidence:
        out.append(f"   {line}\n", "dim")
    out.append(" why: ", "bold")
    out.append(f"{f.reason}\n", "italic")
    if not fix:
        out.append(" y: the fix   ctrl+y: copy it   enter: go to it   c: checklist", "dim")
    out.rstrip()
    return out


class FixScreen(KubetuiScreen):
    """One finding in full and its fix as YAML."""

    BINDINGS = [
        Binding("escape,q,y", "app.pop_screen", "Back", id="fix.back"),
        Binding("ctrl+y,c", "copy", "Copy the fix", id="fix.copy"),
    ]

    def __init__(self, finding: Finding):
        super().__init__()
        self.finding = finding
        self.fix = finding.fix

    def compose(self) -> ComposeResult:
        f = self.finding
        yield Static(f" fix for {f.rule} on {f.where}", id="object-title")
        with VerticalScroll(id="object-body"):
            # (wrapped: at 80 columns the command to apply it was cut; `c` copies it whole)
            yield Static(Group(finding_text(f, fix=True), Text(""), Syntax(
                self.fix, "yaml", theme="ansi_dark", word_wrap=True,
                background_color="default")), id="object-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#object-body").focus()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.fix)
        self.notify(f"Copied the fix for {self.finding.where} (OSC 52)", timeout=3)


class LintScreen(ActingScreen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="lint.back"),
        Binding("enter", "jump", "Go to", id="lint.jump"),
        Binding("c", "checklist", "Checklist", id="lint.checklist"),
        Binding("d", "describe", "Describe", id="lint.describe"),
        Binding("y", "fix", "Fix", id="lint.fix"),
        Binding("ctrl+y", "copy_fix", "Copy fix", id="lint.copy_fix"),
    ]
    COLUMNS = ("SEVERITY", "RULE", "KIND", "OBJECT", "FINDING")

    def __init__(self):
        super().__init__()
        self.by_key: dict[str, Finding] = {}
        self.findings: list[Finding] = []
        self._seen: tuple = ()

    def compose(self) -> ComposeResult:
        yield Static(Text(" lint: looking ...", "bold"), id="lint-title")
        yield ResourceTable(self.COLUMNS, id="lint-table")
        yield Static(id="lint-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(ResourceTable)
        table.empty_message = "Looking for footguns ..."
        table.focus()
        self.set_interval(0.5, self.rebuild)
        self.rebuild()

    @property
    def table(self) -> ResourceTable:
        return self.query_one(ResourceTable)

    def rebuild(self) -> None:
        live = tick(self.app)
        if live is None:
            self.query_one("#lint-title", Static).update(Text(
                " lint is off ([lint] live = false in the config); `kubetui lint` still "
                "runs it", "bold yellow"))
            return
        linter = live.linter
        unread = live.unread()
        seen = (linter.version, live.settled, tuple(unread.items()))
        if seen == self._seen:
            return
        self._seen = seen
        # not before every kind is in: partial lists make false findings for a moment
        self.findings = linter.findings() if live.settled else []
        rows: dict[str, Row] = {}
        order: list[str] = []
        self.by_key = {}
        for severity, rules in lint_report.grouped(self.findings):
            for rule, fs in rules:
                head = f"#{severity}/{rule}"
                rows[head] = ((severity.upper(), f"{rule} ({len(fs)})", "", "",
                               RULES[rule].reason), HEALTH[severity])
                order.append(head)
                for f in fs:
                    key = f"{rule}|{f.kind}|{f.key}|{f.container}"
                    rows[key] = (("", f"  {MARKS[f.severity]}", f.kind, f.key, f.message),
                                 HEALTH[f.severity])
                    order.append(key)
                    self.by_key[key] = f
        table = self.table
        if table.cursor_key is None and len(order) > 1:
            table.cursor_key = order[1]
        table.empty_message = "No footguns found" if live.settled else \
            "Looking for footguns ..."
        table.apply(rows, order, set(rows), True)
        counts = lint_report.counts(self.findings)
        title = Text.assemble(
            (" lint ", "bold reverse"),
            f"  {len(self.findings)} findings: ",
            (f"{counts['error']} errors", "bold red"), ", ",
            (f"{counts['warning']} warnings", "bold yellow"), f", {counts['info']} info",
            ("   (reading the cluster ...)" if not live.settled else "", "dim"),
            (("   could not read " + "; ".join(f"{k}: {v}" for k, v in unread.items()))
             if unread else "", "bold red"),
            ("   metrics: none" if live.metrics_served is False else "", "dim"))
        self.query_one("#lint-title", Static).update(title)
        self._show_selected()

    def on_resource_table_cursor_moved(self, _message) -> None:
        self._show_selected()

    def selected(self) -> Finding | None:
        return self.by_key.get(self.table.cursor_key or "")

    def _show_selected(self) -> None:
        f = self.selected()
        detail = self.query_one("#lint-detail", Static)
        if f is None:
            key = self.table.cursor_key or ""
            rule = key.split("/", 1)[1] if key.startswith("#") else ""
            detail.update(Text(f" {RULES[rule].title}: {RULES[rule].reason}" if rule in RULES
                               else "", "italic"))
            return
        detail.update(finding_text(f))

    def _pick(self) -> Finding | None:
        f = self.selected()
        if f is None:
            self.notify("pick a finding (the rows under a rule)", severity="warning",
                        timeout=3)
        return f

    # -- keys
    def action_fix(self) -> None:
        f = self._pick()
        if f is not None:
            self.app.push_screen(FixScreen(f))

    def action_copy_fix(self) -> None:
        f = self._pick()
        if f is not None:
            self.app.copy_to_clipboard(f.fix)
            self.notify(f"Copied the fix for {f.where} (OSC 52)", timeout=3)

    def action_jump(self) -> None:
        """The object's table, the cursor on it (esc there goes back along the trail)."""
        from kubetui.ui.navigation import ViewState

        f = self._pick()
        if f is None:
            return
        browser = self.app.browser
        self.app.pop_screen()
        namespaced = API_KINDS[f.kind].namespaced
        browser.show(ViewState(f.kind, f.namespace if namespaced else None,
                               cursor_key=f.key))

    def action_describe(self) -> None:
        f = self._pick()
        if f is not None and self.app.cluster is not None:
            self._describe(f.kind, f.namespace or None, f.name)

    @work(thread=True, exclusive=True, group="lint-describe", exit_on_error=False)
    def _describe(self, kind: str, namespace: str | None, name: str) -> None:
        self.actions.describe_in_thread(kind, namespace, name)

    def action_checklist(self) -> None:
        f = self._pick()
        if f is None or self.app.cluster is None:
            return
        kind, name = f.kind, f.name
        if kind == "HorizontalPodAutoscaler":  # its target's pods
            live = live_lint(self.app)
            hpa = (live.linter.get(kind, f.namespace, name) if live else None) or {}
            ref = (hpa.get("spec") or {}).get("scaleTargetRef") or {}
            kind, name = ref.get("kind", ""), ref.get("name", "")
        if kind == "Pod":
            self.actions.open_checklist(f.namespace, name)
        elif kind in CHECKLIST_KINDS:
            self.actions.checklist_of(kind, f.namespace, name)
        else:
            self.notify(f"a checklist is about pods: a {kind.lower()} has none (d "
                        "describes it)", severity="warning", timeout=4)


MARKS = lint_report.MARK

__all__ = ["FixScreen", "LintScreen"]
