"""The logs view: a workload's pods in one view (later pods join), previous logs after a
crash, filters, the bounded buffer, harmless control sequences, saving."""

from __future__ import annotations

import pytest
from conftest import wait_for
from helpers import command, filter_by, names

from kubetui.kube.config import load_kubeconfig
from kubetui.kube.log_buffer import BLOCK
from kubetui.ui.app import KubetuiApp, Settings
from kubetui.ui.screens.logs import LogScreen
from kubetui.ui.screens.pick import PickScreen
from kubetui.ui.widgets.log_view import LogView, harmless


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
        await pilot.press("slash", *["backspace"] * len("zzz-no-such-line"), "enter")
        assert await wait_for(pilot, lambda: view.visible_count > 0)  # the filter is gone
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
            yield LogView(max_lines=4096)

    async with One().run_test(size=(80, 20)) as pilot:
        view = pilot.app.query_one(LogView)
        view.set_filter("even")
        for start in range(0, 5000, 500):
            view.add([("", "", f"line {i} {'even' if i % 2 == 0 else 'odd'}")
                      for i in range(start, start + 500)])
        held = len(view.lines)
        assert 4096 - BLOCK <= held <= 4096 and view.dropped + held == 5000
        first = view.dropped
        assert view.visible_count == len(range(first + first % 2, 5000, 2))
        assert view.visible_text()[0] == f"line {first} even"
        assert view.visible_text()[-1] == "line 4998 even"
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


def two_container_pod(sim, ns: str) -> dict:
    from conftest import make_namespace, wait_until

    make_namespace(sim, ns)
    sim.create("Pod", ns, {"metadata": {"name": "pair", "annotations": {
        "sim.kubetui.dev/behavior": "crash exit=2 after=1s container=a; "
                                    "logs rate=20 container=b"}},
        "spec": {"containers": [{"name": "a", "image": "busybox:1.36"},
                                {"name": "b", "image": "busybox:1.36"}]}})
    wait_until(lambda: any((cs.get("state") or {}).get("running") for cs in (
        sim.get("Pod", ns, "pair").get("status") or {}).get("containerStatuses") or ()))
    return sim.get("Pod", ns, "pair")


async def test_container_picker_restarts_and_since_presets(app, sim):
    pod = two_container_pod(sim, "logs-pair")
    async with app.run_test(size=(160, 48)) as pilot:
        app.push_screen(LogScreen(app.cluster, "logs-pair", [pod], title="pair"))
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogScreen)
                              and app.screen.query(LogView))
        screen, view = app.screen, app.screen.query_one(LogView)
        assert await wait_for(pilot, lambda: prefixes(view) == {"pair/a", "pair/b"}, tries=400)
        # a crashing container is followed into its next instance, and the view says so
        assert await wait_for(pilot, lambda: any("container a restarted" in t
                                                 for _, _, t in view.lines), tries=800)
        # o: only container b (no prefix needed any more)
        await pilot.press("o")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PickScreen))
        assert app.screen.choices == ["all containers", "a", "b"]
        await pilot.press("down", "down", "enter")
        assert await wait_for(pilot, lambda: app.screen is screen and screen.container == "b")
        assert await wait_for(pilot, lambda: len(view.lines) > 5, tries=400)
        assert set(screen.streams) == {"pair/b"} and prefixes(view) == {""}
        # 1: the last minute only, said in the title
        await pilot.press("1")
        assert await wait_for(pilot, lambda: "since 1m" in str(
            screen.query_one("#logs-title").render()))
        assert screen.streams["pair/b"].since_seconds == 60


async def test_search_moves_between_matches_and_wrap_keeps_the_newest_line_whole():
    from textual.app import App

    class One(App):
        def compose(self):
            yield LogView()

    async with One().run_test(size=(40, 10)) as pilot:
        view = pilot.app.query_one(LogView)
        view.add([("", "", f"line {i}" + (" ERROR disk full" if i % 10 == 0 else ""))
                  for i in range(100)])
        await pilot.pause()
        assert view.set_search("error") == ""
        assert view.current == 90  # the newest match first
        assert view.next_match(backwards=True) and view.current == 80
        assert view.next_match() and view.current == 90
        assert not view.next_match()  # nothing newer
        await pilot.pause()
        shown = [view.render_line(y).text for y in range(10)]
        assert any("line 90 ERROR" in row for row in shown)  # scrolled into view
        view.set_search("")
        view.follow = True
        view.add([("", "", "x" * 100)])  # 100 cells on a 40-cell screen
        view.toggle_wrap()
        await pilot.pause()
        rows = [view.render_line(y).text.rstrip() for y in range(10)]
        assert rows[-3:] == ["x" * 40, "x" * 40, "x" * 20]
        assert rows[-4] == "line 99"


async def test_logs_of_a_label_selector_across_namespaces(app):
    async with app.run_test(size=(160, 48)) as pilot:
        await command(pilot, "logs -l tier=api")  # shop's search and recommender pods
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogScreen)
                              and app.screen.query(LogView))
        view = app.screen.query_one(LogView)
        assert await wait_for(pilot, lambda: {p.split("-")[0] for p in prefixes(view)}
                              >= {"search", "recommender"}, tries=400), prefixes(view)


async def test_a_filter_over_many_lines_runs_aside_and_misses_nothing_that_comes_meanwhile():
    from textual.app import App

    from kubetui.ui.widgets.log_view import ASYNC_FILTER_LINES

    class One(App):
        def compose(self):
            yield LogView()

    async with One().run_test(size=(80, 20)) as pilot:
        view = pilot.app.query_one(LogView)
        total = ASYNC_FILTER_LINES + 20_000
        view.add([("", "", f"line {i} {'hit' if i % 1000 == 0 else 'miss'}")
                  for i in range(total)])
        view.set_filter("hit")
        assert view.filtering  # the screen is not held up
        view.add([("", "", f"late {i} hit") for i in range(3)])  # arrives meanwhile
        assert await wait_for(pilot, lambda: not view.filtering, tries=400)
        texts = view.visible_text()
        assert len(texts) == total // 1000 + 3
        assert texts[0] == "line 0 hit" and texts[-3:] == ["late 0 hit", "late 1 hit",
                                                           "late 2 hit"]
        view.add([("", "", "after hit"), ("", "", "after miss")])
        assert view.visible_text()[-1] == "after hit"


def title(screen) -> str:
    return str(screen.query_one("#logs-title").render())


async def test_previous_logs_of_a_deployment_read_the_last_run_of_each_pod(app, sim):
    """`p` on a Deployment: its log screen starts with no pods of its own, so the previous
    runs are read once the pod list is in; a pod that has no previous run says so in the
    server's words, as its line, instead of the screen waiting on with nothing."""
    from conftest import wait_until

    wait_until(lambda: any(p["metadata"]["name"].startswith("settlement-") and (
        p["status"].get("containerStatuses") or [{}])[0].get("lastState", {}).get("terminated")
        for p in sim.list("Pod", "payments")), timeout=30)
    async with app.run_test(size=(160, 48)) as pilot:
        await command(pilot, "deploy")
        await filter_by(pilot, "^settlement$")
        assert await wait_for(pilot, lambda: names(app) == ["settlement"])
        await pilot.press("p")
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogScreen)
                              and app.screen.query(LogView))
        view = app.screen.query_one(LogView)
        assert await wait_for(pilot, lambda: any("exit_code=3" in t for _, _, t in view.lines),
                              tries=400), title(app.screen)
        assert all(p.startswith("settlement-") for p in prefixes(view))
        assert "starting settlement run" in [t for _, _, t in view.lines]

        app.push_screen(LogScreen(app.cluster, "shop", selector="app=redis",
                                  title="deployment/redis", previous=True))
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogScreen)
                              and app.screen.title_text == "deployment/redis"
                              and app.screen.query(LogView))
        screen, view = app.screen, app.screen.query_one(LogView)
        assert await wait_for(pilot, lambda: "1 error" in title(screen)), title(screen)
        [(prefix, _, text)] = list(view.lines)
        assert prefix.startswith("redis-")
        assert 'previous terminated container "redis"' in text and "not found" in text

        app.push_screen(LogScreen(app.cluster, "shop", selector="app=no-such-app",
                                  title="deployment/gone", previous=True))
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogScreen)
                              and app.screen.title_text == "deployment/gone"
                              and app.screen.query(LogView))
        screen = app.screen
        assert await wait_for(pilot, lambda: "no pods match" in title(screen)), title(screen)


async def test_previous_logs_do_not_claim_to_follow(app, sim):
    """Previous logs are a finished container's: nothing to follow, and the header and the
    keys do not say otherwise."""
    [pod] = [p for p in sim.list("Pod", "shop") if p["metadata"]["name"].startswith("redis-")]
    async with app.run_test(size=(160, 48)) as pilot:
        app.push_screen(LogScreen(app.cluster, "shop", [pod], title=pod["metadata"]["name"],
                                  previous=True))
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogScreen)
                              and app.screen.query(LogView))
        screen = app.screen
        assert await wait_for(pilot, lambda: "1 error" in title(screen)), title(screen)
        assert "follow" not in title(screen)
        assert "logs.follow" not in {b.binding.id for b in app.active_bindings.values()}
        await pilot.press("f")
        await pilot.press("w")  # a key after it, to see that f was handled
        assert await wait_for(pilot, lambda: "wrap" in title(screen))
        assert "follow" not in title(screen) and "paused" not in title(screen)


async def test_escape_clears_the_filter_before_it_leaves(app):
    """As k9s: the first Escape clears the filter (then a search), the next one leaves."""
    async with app.run_test(size=(160, 48)) as pilot:
        await filter_by(pilot, "log-shipper")
        assert await wait_for(pilot, lambda: len(names(app)) == 1)
        await pilot.press("l")
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogScreen))
        screen, view = app.screen, app.screen.query_one(LogView)
        assert await wait_for(pilot, lambda: len(view.lines) > 5)
        await pilot.press("slash", *"zzz-no-such-line", "enter")
        assert await wait_for(pilot, lambda: view.pattern is not None and "filter" in title(
            screen))
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: view.pattern is None and "filter" not in title(
            screen))
        assert app.screen is screen and view.visible_count > 0
        await pilot.press("s", *"shipped", "enter")  # a search too: Escape ends it first
        assert await wait_for(pilot, lambda: view.search is not None)
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: view.search is None)
        assert app.screen is screen
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: not isinstance(app.screen, LogScreen))


async def test_the_header_in_80_columns_keeps_the_follow_state_in_view(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await filter_by(pilot, "log-shipper")
        assert await wait_for(pilot, lambda: len(names(app)) == 1)
        await pilot.press("l")
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogScreen))
        screen = app.screen
        await pilot.press("slash", *"shipped", "enter", "f")
        assert await wait_for(pilot, lambda: "filter shipped" in title(screen)
                              and "paused" in title(screen)), title(screen)
        assert "paused" in title(screen)[:80], title(screen)
