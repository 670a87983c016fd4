"""The logs view: a workload's pods in one view (later pods join), previous logs after a
crash, filters, the bounded buffer, harmless control sequences, saving."""

from __future__ import annotations

import pytest

from kubetui.kube.config import load_kubeconfig
from kubetui.ui.app import KubetuiApp, Settings
from kubetui.ui.log_screen import LogScreen
from kubetui.ui.log_view import LogView, harmless
from test_ui_browser import command, filter_by, names, wait_for


@pytest.fixture
def app(kubeconfig):
    a = KubetuiApp(load_kubeconfig([kubeconfig]), Settings())
    yield a
    a.shutdown()


def prefixes(view: LogView) -> set[str]:
    return {p for p, _, _ in view.lines}


async def test_workload_logs_follow_every_pod_and_pick_up_new_ones(app, sim):
    async with app.run_test(size=(160, 48)) as pilot:
        await command(pilot, "deploy")
        await filter_by(pilot, "^cart$")
        assert await wait_for(pilot, lambda: names(app) == ["cart"])
        await pilot.press("l")
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogScreen))
        view = app.screen.query_one(LogView)
        assert await wait_for(pilot, lambda: len(prefixes(view)) == 2)
        sim.call(lambda: sim.api.set_scale(sim.resource("Deployment"), "shop", "cart",
                                           {"spec": {"replicas": 3}}))
        assert await wait_for(pilot, lambda: len(prefixes(view)) == 3, tries=400)
        assert all(p.startswith("cart-") for p in prefixes(view))
        await pilot.press("slash", *"zzz-no-such-line", "enter")
        assert await wait_for(pilot, lambda: view.visible_count == 0)
        await pilot.press("slash", "backspace" * 16, "enter")
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: not isinstance(app.screen, LogScreen))


async def test_previous_logs_of_a_crashing_pod(app, sim):
    from conftest import wait_until

    wait_until(lambda: any(p["metadata"]["name"].startswith("settlement-") and (
        p["status"].get("containerStatuses") or [{}])[0].get("lastState", {}).get("terminated")
        for p in sim.list("Pod", "payments")), timeout=30)
    async with app.run_test(size=(160, 48)) as pilot:
        await filter_by(pilot, "settlement")
        assert await wait_for(pilot, lambda: len(names(app)) == 1)
        await pilot.press("p")
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogScreen))
        view = app.screen.query_one(LogView)
        assert await wait_for(pilot, lambda: any("exit_code=3" in t for _, _, t in view.lines),
                              tries=400)
        assert [t for _, _, t in view.lines][0] == "starting settlement run"
        assert "previous logs" in str(app.screen.query_one("#logs-title").render())


def test_control_sequences_are_shown_not_executed():
    assert harmless("\x1b[2J\x1b[31mred\x07") == "^[[2J^[[31mred^G"
    assert harmless("tab\tstays") == "tab\tstays"


async def test_ring_buffer_bounds_lines_and_filters_keep_working():
    from textual.app import App

    class One(App):
        def compose(self):
            yield LogView(max_lines=1000)

    async with One().run_test(size=(80, 20)) as pilot:
        view = pilot.app.query_one(LogView)
        view.set_filter("even")
        for start in range(0, 5000, 500):
            view.add([("", "", f"line {i} {'even' if i % 2 == 0 else 'odd'}")
                      for i in range(start, start + 500)])
        assert len(view.lines) == 1000 and view.dropped == 4000
        assert view.visible_count == 500
        assert view.visible_text()[0] == "line 4000 even"
        view.clear()
        assert view.visible_count == 0


async def test_save_writes_the_visible_lines(app, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    async with app.run_test(size=(160, 48)) as pilot:
        await filter_by(pilot, "log-shipper")
        assert await wait_for(pilot, lambda: len(names(app)) == 1)
        await pilot.press("l")
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogScreen))
        view = app.screen.query_one(LogView)
        assert await wait_for(pilot, lambda: len(view.lines) > 20)
        await pilot.press("ctrl+s")
        assert await wait_for(pilot, lambda: list((tmp_path / "kubetui-logs").glob("*.log")))
        files = list((tmp_path / "kubetui-logs").glob("*.log"))
        assert "shipped batch" in files[0].read_text()
