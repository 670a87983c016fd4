"""Snapshot tests of the table and the help at a fixed size, in the default and the light
theme, from fixed rows (live data would differ every run). Update after a deliberate
change with `pytest tests/test_snapshots.py --snapshot-update` and look at the SVGs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from kubetui.render.age import parse_time
from kubetui.render.views import view
from kubetui.ui import themes
from kubetui.ui.screens.help import HelpScreen
from kubetui.ui.widgets.header import ClusterHeader
from kubetui.ui.widgets.resource_table import ResourceTable

FIXTURES = json.loads((Path(__file__).parent / "fixtures" / "pods.json").read_text())
NOW = parse_time(FIXTURES["now"])
CSS = Path(__file__).resolve().parent.parent / "kubetui" / "ui" / "kubetui.tcss"


class ThemedApp(themes.ReadableThemes, App):
    """kubetui's CSS and themes. (No on_mount here: Textual runs every class's handler
    in the MRO, so each app below has exactly one.)"""

    CSS_PATH = str(CSS)

    def __init__(self, theme: str, help_rows=None):
        super().__init__()
        self.wanted_theme, self.help_rows = theme, help_rows

    def use_theme(self) -> None:
        for theme in themes.discover()[0]:
            self.register_theme(theme)
        self.theme = self.wanted_theme


def real_deployments() -> list[dict]:
    """Deployments as a real v1.36.2 server sent them (tests/fixtures/real-k8s)."""
    table = json.loads((Path(__file__).parent / "fixtures" / "real-k8s" / "tables" /
                        "deployments.table-includeObject.json").read_text())
    return [r["object"] for r in table["rows"]]


class TableApp(ThemedApp):
    kind = "Pod"

    def compose(self) -> ComposeResult:
        yield ClusterHeader()
        yield ResourceTable(view(self.kind).headers(True, False))

    def on_mount(self) -> None:
        self.use_theme()
        row = view(self.kind).rows_fn(True, False)
        if self.kind == "Pod":
            rows = {f"demo/{c['name']}": row(c["pod"], NOW) for c in FIXTURES["cases"]}
        else:
            objs = real_deployments()
            now = max(parse_time(o["metadata"]["creationTimestamp"]) for o in objs) + 3600
            rows = {f"{o['metadata']['namespace']}/{o['metadata']['name']}": row(o, now)
                    for o in objs}
        table = self.query_one(ResourceTable)
        table.apply(rows, sorted(rows), set(rows), True, {})
        table.focus()
        self.query_one(ClusterHeader).show(
            context="kind-demo", cluster="kind-demo", user="admin", server="https://demo:6443",
            version="v1.36.2", view=f"{view(self.kind).kind.lower()}s(all)", scope="",
            count=len(rows), health="live", detail="", favorites=["shop", "payments"])
        if self.help_rows:
            self.push_screen(HelpScreen(self.help_rows))


@pytest.mark.parametrize("theme", ["k9s", "kubetui-light"])
def test_pods_table(snap_compare, theme):
    assert snap_compare(TableApp(theme), terminal_size=(140, 30), press=["j", "j"])


def test_help(snap_compare):
    groups = [("Navigation", [("↑ k", "Up"), ("↓ j", "Down"), ("esc", "Back")]),
              ("View", [(":", "Command"), ("/", "Filter"), ("⏎", "Open"), ("d", "Describe"),
                        ("y", "YAML"), ("^w", "Wide")]),
              ("Global", [("?", "Help")])]
    assert snap_compare(TableApp("k9s", groups), terminal_size=(140, 30))


PROBLEMS = json.loads((Path(__file__).parent / "fixtures" / "problems.json").read_text())


class ArchApp(ThemedApp):
    """The architecture view of the demo's nodes and problem pods, fixed in time."""

    def compose(self) -> ComposeResult:
        from kubetui.ui.screens.arch import ArchView
        yield ArchView()

    def on_mount(self) -> None:
        from kubetui.render import architecture
        from kubetui.ui.screens.arch import ArchView
        self.use_theme()
        pods = [c["pod"] for k, c in sorted(PROBLEMS.items()) if k != "nodes"]
        readyz = "[+]ping ok\n[+]etcd ok\nreadyz check passed\n"
        view = self.query_one(ArchView)
        view.show(architecture.build(PROBLEMS["nodes"], pods, readyz, now=NOW))
        view.focus()


class ChecklistApp(ThemedApp):
    def compose(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        from kubetui.diagnose import Evidence
        from kubetui.ui.screens.checklist import ChecklistScreen
        self.use_theme()
        case = PROBLEMS["crashloop"]
        pod = case["pod"]
        node = next(n for n in PROBLEMS["nodes"]
                    if n["metadata"]["name"] == pod["spec"]["nodeName"])
        evidence = Evidence(pod, case["events"], case["events"],
                            logs={"settlement": ["starting settlement run"]},
                            previous_logs={"settlement": ["starting settlement run",
                                                          "fatal: cannot reach the ledger",
                                                          "exit_code=3"]},
                            owner="Deployment payments/settlement", node=node,
                            metrics_error="metrics.k8s.io is not served: metrics-server is "
                                          "not installed, so there is no kubectl top either")
        self.push_screen(ChecklistScreen(None, pod["metadata"]["namespace"],
                                         pod["metadata"]["name"], evidence=evidence))


@pytest.mark.parametrize("theme", ["k9s", "kubetui-light"])
def test_architecture_view(snap_compare, theme):
    assert snap_compare(ArchApp(theme), terminal_size=(160, 40), press=["right", "right"])


def test_checklist(snap_compare):
    assert snap_compare(ChecklistApp("k9s"), terminal_size=(160, 60))


class DeploymentsApp(TableApp):
    kind = "Deployment"


class LogsApp(ThemedApp):
    """A workload's logs: two pods' lines, merged by time, one of them long."""

    def compose(self) -> ComposeResult:
        from kubetui.ui.widgets.log_view import LogView
        yield LogView()

    def on_mount(self) -> None:
        from kubetui.ui.widgets.log_view import LogView
        self.use_theme()
        view = self.query_one(LogView)
        lines = []
        for i in range(40):
            pod = "api-7c9f56df75-x2kq9" if i % 3 else "api-7c9f56df75-m8w4z"
            lines.append((pod, f"2026-11-30T15:16:{i:02d}Z",
                          f'10.244.1.{i} - - "GET /v1/orders/{1000 + i} HTTP/1.1" 200 '
                          f'{512 + i * 7} "-" "curl/8.5" rt={i / 100:.2f}'
                          + (" retrying the ledger after a timeout" if i % 7 == 0 else "")))
        view.add(lines)
        view.focus()


@pytest.mark.parametrize("app", [TableApp, DeploymentsApp, LogsApp, ArchApp],
                         ids=["pods", "deployments", "logs", "architecture"])
def test_at_80x24(snap_compare, app):
    """The views a k9s user opens most, in an 80x24 terminal: nothing that matters is
    pushed off (the header's view line, RESTARTS and AGE, the newest log line)."""
    assert snap_compare(app("k9s"), terminal_size=(80, 24),
                        press=["G"] if app is LogsApp else [])  # logs: the newest lines


def test_checklist_at_80x24(snap_compare):
    assert snap_compare(ChecklistApp("k9s"), terminal_size=(80, 24))

