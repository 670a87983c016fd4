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
from kubetui.ui.header import ClusterHeader
from kubetui.ui.resource_table import ResourceTable
from kubetui.ui.screens import HelpScreen

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


class TableApp(ThemedApp):
    def compose(self) -> ComposeResult:
        yield ClusterHeader()
        yield ResourceTable(view("Pod").headers(True, False))

    def on_mount(self) -> None:
        self.use_theme()
        row = view("Pod").rows_fn(True, False)
        rows = {f"demo/{c['name']}": row(c["pod"], NOW) for c in FIXTURES["cases"]}
        table = self.query_one(ResourceTable)
        table.apply(rows, sorted(rows), set(rows), True, {})
        table.focus()
        self.query_one(ClusterHeader).show(
            context="kind-demo", cluster="kind-demo", user="admin", server="https://demo:6443",
            version="v1.32.2", view="pods(all)", scope="", count=len(rows), health="live",
            detail="")
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
        from kubetui.ui.arch_screen import ArchView
        yield ArchView()

    def on_mount(self) -> None:
        from kubetui.render import architecture
        from kubetui.ui.arch_screen import ArchView
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
        from kubetui.ui.checklist_screen import ChecklistScreen
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
