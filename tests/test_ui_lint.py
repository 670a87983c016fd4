"""The live lint in the app, on the demo: `:lint` lists every footgun of the seed the demo
plants, grouped by severity and rule, and keeps up with the cluster; enter goes to the
object, y shows the fix, ctrl+y copies it, c opens the checklist; tables mark the rows
with findings and the header counts them; describe and the checklist list them; a
StatefulSet's delete says which claims stay.

This module runs its own demo at 1.5x: the demo's CronJob runs for 100 simulated
seconds every wall-clock minute, so its runs overlap only when that is over a minute."""

from __future__ import annotations

import pytest
from conftest import wait_for, wait_until
from helpers import command, select

from kubetui.diagnose.lint import RULES
from kubetui.sim import SimCluster
from kubetui.ui.screens.checklist import ChecklistScreen
from kubetui.ui.screens.lint import FixScreen, LintScreen
from kubetui.ui.screens.modals import ConfirmScreen
from kubetui.ui.screens.object import ObjectScreen

SPEED = 1.5


@pytest.fixture(scope="module")
def sim():
    cluster = SimCluster("demo", speed=SPEED).start()
    yield cluster
    cluster.stop()


def rules_shown(app) -> set[str]:
    screen = app.screen
    return {f.rule for f in screen.findings} if isinstance(screen, LintScreen) else set()


async def open_lint(pilot, app, wanted: set[str], tries: int = 1200) -> LintScreen:
    await command(pilot, "lint")
    assert await wait_for(pilot, lambda: isinstance(app.screen, LintScreen))
    assert await wait_for(pilot, lambda: rules_shown(app) >= wanted, tries=tries), \
        wanted - rules_shown(app)
    return app.screen


async def move_to(pilot, screen: LintScreen, rule: str, kind: str, key: str):
    """The cursor onto one finding, with the keys a person would press."""
    table = screen.table
    target = next(k for k, f in screen.by_key.items()
                  if (f.rule, f.kind, f.key) == (rule, kind, key))
    await pilot.press("home")
    for _ in range(table.keys().index(target)):
        await pilot.press("down")
    assert table.cursor_key == target
    return screen.by_key[target]


QUICK = {"missing-requests", "tight-memory-limit", "database-deployment", "nodeport",
         "selector-no-pods", "hpa-without-requests", "latest-tag", "orphan-pvc",
         "readiness-without-liveness", "default-service-account", "sts-pvc-retained"}


async def test_lint_groups_findings_and_y_ctrl_y_enter_act_on_one(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_lint(pilot, app, QUICK)
        order = screen.table.keys()
        heads = [k for k in order if k.startswith("#")]
        severities = [h[1:].split("/")[0] for h in heads]
        assert severities == sorted(severities, key=["error", "warning", "info"].index)
        assert "#error/selector-no-pods" in heads and "#info/sts-pvc-retained" in heads
        head = None  # each finding sits under its own rule's row
        for key in order:
            if key.startswith("#"):
                head = key
            else:
                f = screen.by_key[key]
                assert head == f"#{f.severity}/{f.rule}", (head, key)
        f = await move_to(pilot, screen, "database-deployment", "Deployment",
                          "legacy/orders-db")
        detail = str(screen.query_one("#lint-detail").render())
        assert "runs postgres as a Deployment" in detail and "why:" in detail
        await pilot.press("y")
        assert await wait_for(pilot, lambda: isinstance(app.screen, FixScreen))
        assert "kind: StatefulSet" in app.screen.fix and "volumeClaimTemplates" in \
            app.screen.fix
        await pilot.press("ctrl+y")
        assert app.clipboard == f.fix
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: app.screen is screen)
        await move_to(pilot, screen, "selector-no-pods", "Service", "legacy/checkout")
        await pilot.press("ctrl+y")
        assert "tier: frontend" in app.clipboard
        await pilot.press("enter")  # to the object, the cursor on it
        browser = app.browser
        assert await wait_for(pilot, lambda: app.screen is browser
                              and browser.state.kind == "Service"
                              and browser.table.cursor_key == "legacy/checkout")
        assert await wait_for(pilot, lambda: browser.table.marks is not None
                              and browser.table.marks("legacy/checkout") == "error")


async def test_tables_mark_rows_and_the_header_counts_them(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await command(pilot, "deploy")
        browser = app.browser
        table = browser.table
        assert await wait_for(pilot, lambda: table.marks is not None
                              and table.marks("shop/recommender") == "error", tries=600)
        assert table.marks("legacy/orders-db") == "warning"
        assert table.marks("payments/api") is None  # requests, its own account, a tag
        header = str(browser.query_one("#header").render())
        assert "with findings" in header
        count = int(header.split("⚑ ")[1].split()[0])
        assert count == sum(1 for k in table.keys() if table.marks(k))
        row = table.render_line(1 + table.keys().index("shop/recommender") -
                                int(table.scroll_offset.y))
        assert row.text.startswith("✖ ")
        await command(pilot, "po")  # a pod shows its workload's findings
        assert await wait_for(pilot, lambda: any(
            k.startswith("shop/recommender-") and table.marks(k) == "error"
            for k in table.keys()))


async def test_describe_and_the_checklist_list_an_objects_findings(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "deploy", "^orders-db$")
        browser = app.browser
        assert await wait_for(pilot, lambda: browser.table.marks is not None and
                              browser.table.marks("legacy/orders-db"), tries=600)
        await pilot.press("d")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ObjectScreen))
        text = app.screen.describe_text
        assert "Lint (kubetui" in text and "database-deployment" in text
        await pilot.press("escape")
        await select(pilot, app, "po", "^orders-db-")
        await pilot.press("c")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ChecklistScreen)
                              and app.screen.checklist is not None, tries=400)
        summary = str(app.screen.query_one("#checklist-summary").render())
        assert "footguns" in summary and "database-deployment" in summary


async def test_deleting_a_statefulset_says_which_claims_stay(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "sts", "^ledger-db$")
        await pilot.press("ctrl+d")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "leaves 2 claims behind (data-ledger-db-0, data-ledger-db-1)" in \
            app.screen.question
        await pilot.press("n")


def test_the_demo_settles_with_its_footguns(sim):
    """The footguns are latent: every legacy workload runs."""
    wait_until(lambda: all((d.get("status") or {}).get("readyReplicas") == d["spec"]["replicas"]
                           for d in sim.list("Deployment", "legacy")), timeout=90)


async def test_the_config_turns_the_live_lint_off_and_a_broken_table_is_said(make_app, notes):
    off = make_app(lint={"live": False})
    async with off.run_test(size=(160, 48)) as pilot:
        await command(pilot, "deploy")
        assert await wait_for(pilot, lambda: off.browser.table.row_count > 10)
        await pilot.pause(1.5)  # three lint ticks
        assert off.browser.table.marks is None and off.browser.header.lint_flag is None
        await command(pilot, "lint")
        assert await wait_for(pilot, lambda: isinstance(off.screen, LintScreen))
        assert await wait_for(pilot, lambda: "lint is off" in str(
            off.screen.query_one("#lint-title").render()))
    broken = make_app(lint={"disabled": ["latest", "nodeport"]})
    async with broken.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: notes.said("no rule 'latest'"), tries=400)
        screen = await open_lint(pilot, broken, {"missing-requests", "selector-no-pods"})
        assert "nodeport" not in {f.rule for f in screen.findings}


# (last in the module: its CronJob overlap comes only at the second wall-clock minute
# after the sim starts, and the tests above run meanwhile instead of before)
async def test_every_footgun_the_demo_plants_shows_and_goes_when_fixed(make_app, kubectl):
    """All fifteen, including the CronJob whose runs overlap (from its second minute)
    and the config change of the demo's later/ step; then a fix made with kubectl's
    patch clears its finding live."""
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_lint(pilot, app, set(RULES), tries=4000)
        f = await move_to(pilot, screen, "nodeport", "Service", "monitoring/grafana")
        assert f.message == "NodePort: open on every node at port 30300"
        kubectl("patch", "service", "grafana", "-n", "monitoring", "-p",
                '{"spec":{"type":"ClusterIP"}}')
        assert await wait_for(pilot, lambda: not [
            g for g in screen.findings if (g.rule, g.key) == ("nodeport", "monitoring/grafana")])


async def test_at_80_columns_the_fix_screen_wraps_the_command_that_applies_it(make_app):
    """The fix's first line, the kubectl command that applies it, was cut at the edge
    (`--patch-f`); the screen wraps it now, and `c` still copies the fix whole."""
    from kubetui.ui.screens.lint import FixScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lint(pilot, app, {"liveness-probe"})
        finding = next(f for f in screen.by_key.values() if f.rule == "liveness-probe"
                       and "--patch-file fix.yaml" in f.fix)
        await move_to(pilot, screen, finding.rule, finding.kind, finding.key)
        await pilot.press("y")
        assert await wait_for(pilot, lambda: isinstance(app.screen, FixScreen))
        text = app.screen.query_one("#object-text")
        assert await wait_for(pilot, lambda: text.region.width > 0)
        lines = [strip.text for strip in text.render_lines(text.region.reset_offset)]
        words = " ".join(" ".join(lines).split())
        assert "--patch-file fix.yaml" in words, lines
        assert all(len(line.rstrip()) <= 80 for line in lines)
