"""A k9s user's day (issue 13): the header and the table at 80x24 and with long context
names, read-only mode that says so and offers no write, ..."""

from __future__ import annotations

from conftest import wait_for
from helpers import command, help_rows, poll_metrics, select

from kubetui.kube.config import load_kubeconfig
from kubetui.ui.app import KubetuiApp, Settings
from kubetui.ui.screens.exec import ExecScreen

ARN = "arn:aws:eks:eu-west-1:123456789012:cluster/production-payments"


def header_lines(app) -> list[str]:
    from kubetui.ui.widgets.header import ClusterHeader
    return str(app.browser.query_one(ClusterHeader).render()).splitlines()


async def test_at_80x24_the_view_line_and_restarts_and_age_stay(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert await wait_for(pilot, lambda: app.browser.table.row_count > 20)
        # rows show while the list is still "syncing": wait for the stream to be live
        assert await wait_for(pilot, lambda: "● live" in header_lines(app)[1])
        lines = header_lines(app)
        assert len(lines) == 2 and all(len(line) <= 80 for line in lines), lines
        assert lines[1].startswith(" pods(all)") and "● live" in lines[1], lines
        assert app.browser.table.visible_columns == [
            "NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
        await command(pilot, "deploy")
        assert await wait_for(pilot, lambda: header_lines(app)[1].startswith(" deployments"))


async def test_a_long_eks_context_name_leaves_the_view_line(sim, tmp_path):
    config = sim.write_kubeconfig(str(tmp_path / "eks"), context=ARN)
    app = KubetuiApp(load_kubeconfig([config]), Settings())
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            assert await wait_for(pilot, lambda: "● live" in header_lines(app)[1])
            top, view = header_lines(app)
            assert len(top) <= 160 and view.startswith(" pods(all)")
            assert "production-payments" in top  # the end of the ARN is what tells them apart
    finally:
        app.shutdown()


async def test_read_only_says_so_offers_no_write_and_refuses_shell_and_exec(make_app, notes):
    app = make_app(readonly=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "po", "^redis-")
        assert "READ-ONLY" in header_lines(app)[0]
        offered = {b.binding.action for b in app.screen.active_bindings.values()}
        assert "logs" in offered
        assert not offered & {"delete", "kill", "shell", "exec", "restart", "scale"}, offered
        for n, key in enumerate(("s", "x"), 1):
            await pilot.press(key)
            assert await wait_for(pilot, lambda n=n: sum(
                "read-only mode" in m for m in notes.messages()) == n), key
            assert not isinstance(app.screen, ExecScreen)
        refusals = [m for m, _ in notes.seen if "read-only mode" in m]
        assert len(refusals) == 2 and "exec is a write" in refusals[0], notes.seen


async def test_keys_typed_in_one_burst_after_colon_go_to_the_command_bar(make_app):
    """`:deploy<enter>` arriving at once (typed fast, pasted, sent by tmux): the letters
    reach the table before the bar has opened; they must not fire d (describe), p ..."""
    from textual import events
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: app.browser.table.row_count > 5)
        for key, char in [("colon", ":"), *((c, c) for c in "deploy"), ("enter", "\r")]:
            app.post_message(events.Key(key, char))
        assert await wait_for(pilot, lambda: app.browser.state.kind == "Deployment")
        assert app.screen is app.browser
        for key, char in [("slash", "/"), *((c, c) for c in "cart"), ("enter", "\r")]:
            app.post_message(events.Key(key, char))
        assert await wait_for(pilot, lambda: app.browser.state.filter == "cart")
        assert app.screen is app.browser
        # two commands in one burst: each goes where it belongs, in order
        burst = [("colon", ":"), ("c", "c"), ("m", "m"), ("enter", "\r"), ("slash", "/"),
                 *((c, c) for c in "shop"), ("enter", "\r")]
        for key, char in burst:
            app.post_message(events.Key(key, char))
        assert await wait_for(pilot, lambda: app.browser.state.kind == "ConfigMap"
                              and app.browser.state.filter == "shop")
        assert app.screen is app.browser


async def test_keys_the_table_holds_when_the_bar_opens_before_it_reads_them(make_app,
                                                                          monkeypatch):
    """The order a busy machine made (a pty test lost `cm<enter>` after `:`): the app hands
    the keys to the table, then opens the bar on the ':' that bubbled back up, all before
    the table reads them. The bar is then the screen's focus but has not yet handled its
    Focus event, and the keys must still reach it."""
    from textual import events

    from kubetui.ui.widgets.resource_table import ResourceTable
    app = make_app()
    seen = ResourceTable.on_key
    raced: list[str] = []

    def on_key(table, event):
        seen(table, event)
        if event.key == "colon" and not raced:
            # the rest of the burst reaches the app before ':' has bubbled back to it
            event.stop()
            raced.append(event.key)
            for key, char in [("c", "c"), ("m", "m"), ("enter", "\r")]:
                app.post_message(events.Key(key, char))
            app.post_message(event)  # then ':' itself, as its bubbling would bring it
    monkeypatch.setattr(ResourceTable, "on_key", on_key)
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: app.browser.table.row_count > 5)
        app.post_message(events.Key("colon", ":"))
        assert await wait_for(pilot, lambda: app.browser.state.kind == "ConfigMap"), \
            app.browser.query_one("#command-bar").value
        assert raced == ["colon"] and app.screen is app.browser


async def test_esc_and_an_empty_filter_clear_a_label_selector(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: app.browser.table.row_count > 20)
        await command(pilot, "po")
        from helpers import filter_by
        await filter_by(pilot, "-l app=redis")
        assert await wait_for(pilot, lambda: app.browser.table.row_count == 1)
        assert "-l app=redis" in header_lines(app)[1]
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: app.browser.table.row_count > 20)
        assert app.browser.state.label_selector is None
        assert "-l" not in header_lines(app)[1]
        await filter_by(pilot, "-l app=redis")
        assert await wait_for(pilot, lambda: app.browser.table.row_count == 1)
        await filter_by(pilot, "")
        assert await wait_for(pilot, lambda: app.browser.table.row_count > 20)


async def test_colon_q_quits(make_app):
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        assert await wait_for(pilot, lambda: app.browser.table.row_count > 5)
        await command(pilot, "q")
        assert await wait_for(pilot, lambda: not app.is_running)


async def test_namespaces_favourites_keep_their_numbers_and_show(make_app, notes):
    app = make_app(favorites=["shop"])
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: app.browser.table.row_count > 20)
        assert "<0>all* <1>shop" in header_lines(app)[0]
        await command(pilot, "ns")
        from helpers import filter_by
        await filter_by(pilot, "^shop$")
        await pilot.press("enter")  # drill into ns/shop
        assert await wait_for(pilot, lambda: "ns/shop" in header_lines(app)[1])
        await command(pilot, "ns payments")
        assert await wait_for(pilot, lambda: header_lines(app)[1].startswith(
            " pods(payments)"))
        assert "ns/shop" not in header_lines(app)[1]  # a new trail, no stale crumb
        assert "<1>shop <2>payments*" in header_lines(app)[0]
        await command(pilot, "ns monitoring")
        assert await wait_for(pilot, lambda: "<3>monitoring*" in header_lines(app)[0])
        await pilot.press("1")  # numbers stay where they were: 1 is still shop
        assert await wait_for(pilot, lambda: app.browser.active_namespace == "shop")
        assert "<1>shop* <2>payments <3>monitoring" in header_lines(app)[0]
        await pilot.press("7")
        assert await wait_for(pilot, lambda: any("no favourite namespace on 7" in m
                                                 for m, _ in notes.seen))


async def test_scaling_a_workload_an_hpa_manages_warns_first(make_app, sim):
    from kubetui.ui.screens.modals import PromptScreen
    hpa = next(h for h in sim.list("HorizontalPodAutoscaler", "shop"))
    target = hpa["spec"]["scaleTargetRef"]["name"]
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "deploy", f"^{target}$")
        await pilot.press("s")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        question = app.screen.question
        assert f"HorizontalPodAutoscaler {hpa['metadata']['name']} manages it" in question
        assert f"max {hpa['spec']['maxReplicas']}" in question
        await pilot.press("escape")
        await select(pilot, app, "deploy", "^cart$")  # no HPA: no warning
        await pilot.press("s")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        assert "HorizontalPodAutoscaler" not in app.screen.question


async def test_help_is_grouped_and_lists_every_key_of_the_screen(make_app):
    from kubetui.ui.screens.help import HelpScreen
    from kubetui.ui.screens.logs import LogScreen
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "po", "^redis-")
        await pilot.press("question_mark")
        assert await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        groups = dict(app.screen.groups)
        assert list(groups) == ["Navigation", "View", "Actions", "Global"]
        navigation = dict((what, keys) for keys, what in groups["Navigation"])
        assert navigation["Up"] == "↑ k" and navigation["Down"] == "↓ j"
        assert "g" in navigation["Top"] and "G" in navigation["Bottom"]
        assert ("d", "Describe") in groups["View"] and ("l", "Logs") in groups["Actions"]
        await pilot.press("escape")
        await pilot.press("l")
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogScreen))
        await pilot.press("question_mark")  # every screen has its help
        assert await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert any(what.lower().startswith("follow") for _, what in app.screen.rows)


async def test_restarts_sort_biggest_first(make_app, sim):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: app.browser.table.row_count > 20)
        wait = [p for p in sim.list("Pod") if any(
            cs.get("restartCount", 0) for cs in p.get("status", {}).get("containerStatuses")
            or ())]
        assert wait, "the demo has crash-looping pods"
        await pilot.press("T")
        table = app.browser.table
        column = table.columns.index("RESTARTS")

        def counts() -> list[int]:
            return [int(table.row(k)[0][column].split()[0]) for k in table.keys()]
        assert await wait_for(pilot, lambda: counts()[0] > 0 and counts() == sorted(
            counts(), reverse=True))
        await pilot.press("T")
        assert await wait_for(pilot, lambda: counts() == sorted(counts()))


async def test_logs_filter_as_you_type_and_say_timestamps(make_app):
    from kubetui.ui.screens.logs import LogScreen
    from kubetui.ui.widgets.log_view import LogView
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "po", "^log-shipper-")
        await pilot.press("l")
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogScreen))
        view = app.screen.query_one(LogView)
        assert await wait_for(pilot, lambda: view.visible_count > 20)
        await pilot.press("slash", *"GET")  # no enter: the filter applies as it is typed
        assert await wait_for(pilot, lambda: view.pattern is not None
                              and view.pattern.pattern == "GET")
        assert all("GET" in line for line in view.visible_text())
        await pilot.press("escape", "t")
        assert await wait_for(pilot, lambda: "timestamps" in app.screen._title)


def test_a_workloads_backlog_is_merged_by_time():
    from kubetui.ui.screens.logs import by_time
    batch = [("a", "2026-11-30T10:00:01Z", "a1"), ("a", "2026-11-30T10:00:03Z", "a3"),
             ("a", "", "── container a restarted ──"),
             ("b", "2026-11-30T10:00:02Z", "b2"), ("b", "2026-11-30T10:00:04Z", "b4")]
    assert [t for _, _, t in by_time(batch)] == ["a1", "b2", "a3",
                                                 "── container a restarted ──", "b4"]


async def test_pods_and_nodes_show_usage_when_metrics_are_served(make_app, sim):
    app = make_app()
    async with app.run_test(size=(200, 48)) as pilot:
        table = app.browser.table
        assert await wait_for(pilot, lambda: "CPU" in table.columns, tries=400)
        assert table.columns[-4:] == ("CPU", "MEM", "%CPU/R", "%MEM/L")
        i = table.columns.index("CPU")

        def usage() -> list[str]:
            return [table.row(k)[0][i] for k in table.keys()]
        assert await wait_for(pilot, lambda: any(c.endswith("m") and c != "0m"
                                                 for c in usage()))
        await pilot.press("C")  # shift-C: busiest first
        def cores() -> list[int]:
            return [int(c[:-1]) if c.endswith("m") else -1 for c in usage()]
        assert await wait_for(pilot, lambda: cores() == sorted(cores(), reverse=True))
        await command(pilot, "no")
        assert await wait_for(pilot, lambda: table.columns[-4:] == (
            "CPU", "MEM", "%CPU", "%MEM"))
        j = table.columns.index("%CPU")
        assert await wait_for(pilot, lambda: all(table.row(k)[0][j].endswith("%")
                                                 for k in table.keys()))


async def test_a_metrics_answer_that_is_not_a_metrics_list_is_said_once_and_unknown(
        make_app, sim, notes):
    """metrics.k8s.io answers 200 with something that is not a metrics list (a broken
    metrics adapter): the user is told once, not at every 15-s poll, and the usage
    columns stay, each cell unknown, instead of vanishing as if nothing were wrong."""
    from aiohttp import web

    from kubetui.ui.metrics_poll import NOT_A_LIST

    sent = []

    async def not_a_list(request):
        if request.path.startswith("/apis/metrics.k8s.io/v1beta1/") and request.path.endswith(
                ("/pods", "/nodes")):
            sent.append(request.path)
            return web.json_response({"kind": "PodMetricsList", "items": 5})
        return None
    app = make_app()
    async with app.run_test(size=(200, 48)) as pilot:
        table = app.browser.table
        assert await wait_for(pilot, lambda: "CPU" in table.columns, tries=400)
        sim.request_hooks.append(not_a_list)
        try:
            await poll_metrics(pilot, app)
            assert await wait_for(pilot, lambda: notes.said(NOT_A_LIST))
            assert len(sent) >= 3  # the fault fired at every poll
            assert notes.messages().count(NOT_A_LIST) == 1  # said once, not at every poll
            assert table.columns[-4:] == ("CPU", "MEM", "%CPU/R", "%MEM/L")
            i = table.columns.index("CPU")
            assert await wait_for(pilot, lambda: table.row_count and all(
                table.row(k)[0][i:] == ("<unknown>",) * 4 for k in table.keys()))
            await command(pilot, "no")  # nodes: the same, without a second word
            assert await wait_for(pilot, lambda: table.columns[-4:] == (
                "CPU", "MEM", "%CPU", "%MEM") and table.row_count and all(
                table.row(k)[0][-1] == "<unknown>" for k in table.keys()))
            assert notes.messages().count(NOT_A_LIST) == 1
        finally:
            sim.request_hooks.remove(not_a_list)
        await command(pilot, "po")  # it answers again: the usage comes back
        assert await wait_for(pilot, lambda: "CPU" in table.columns and any(
            table.row(k)[0][table.columns.index("CPU")].endswith("m") for k in table.keys()))


async def test_usage_is_read_once_the_view_is_listed_not_beside_its_first_list(make_app, sim):
    """The first metrics read waits for the view's first list (read beside it, 4.3 MB
    of PodMetrics at 10,000 pods made the list slower and rebuilt every row), then comes
    at once, not at the 15-s interval."""
    import asyncio

    release, order = asyncio.Event(), []

    async def hold_the_pods_list(request):
        if request.path.startswith("/apis/metrics.k8s.io/v1beta1/") and \
                request.path.endswith(("/pods", "/nodes")):  # (not the group's discovery)
            order.append("metrics")
        elif request.path == "/api/v1/pods" and "watch" not in request.query:
            order.append("list")
            await release.wait()
        return None
    sim.request_hooks.insert(0, hold_the_pods_list)
    try:
        # (the live lint reads pod metrics too, and starts after 5 s even with the list
        # held, so it is off here)
        app = make_app(lint={"live": False})
        async with app.run_test(size=(200, 48)) as pilot:
            assert await wait_for(pilot, lambda: "list" in order
                                  and app.browser.group is not None)
            # the view is shown on its session and its list is under way: no read yet
            assert not any(w.group == "metrics" for w in app.browser.workers)
            assert "metrics" not in order
            sim.loop.call_soon_threadsafe(release.set)
            table = app.browser.table
            assert await wait_for(pilot, lambda: "CPU" in table.columns)
            assert order.index("metrics") > order.index("list")
    finally:
        sim.request_hooks.remove(hold_the_pods_list)


async def test_usage_shows_at_start_not_after_the_first_interval(make_app, sim, monkeypatch):
    """The first view is shown before the connection is made: usage is read once it is
    (a user waited METRICS_EVERY, 15 s, for the CPU column). With the interval out of
    reach, only that first read can bring the columns."""
    import threading

    from kubetui.ui import app as app_module
    from kubetui.ui.screens import browser
    monkeypatch.setattr(browser, "METRICS_EVERY", 3600.0)
    gate, connect = threading.Event(), app_module.Cluster

    def held(*args, **kw):  # the connection is made once the first view is on screen
        assert gate.wait(60), "the test never let the connection go"
        return connect(*args, **kw)

    monkeypatch.setattr(app_module, "Cluster", held)
    app = make_app()
    async with app.run_test(size=(200, 48)) as pilot:
        table = app.browser.table
        assert await wait_for(pilot, lambda: app.browser.is_mounted
                              and table.empty_message == "Connecting…")
        gate.set()
        assert await wait_for(pilot, lambda: "CPU" in table.columns)
        assert table.columns[-4:] == ("CPU", "MEM", "%CPU/R", "%MEM/L")


async def test_events_open_newest_first_with_series_counted(make_app, sim):
    from kubetui.render import events as ev
    app = make_app()
    async with app.run_test(size=(200, 48)) as pilot:
        assert await wait_for(pilot, lambda: app.browser.table.row_count > 5)
        await command(pilot, "ev")
        table = app.browser.table
        assert await wait_for(pilot, lambda: table.row_count > 10)
        assert app.browser.state.sort_column == "LAST SEEN"
        by_key = {f"{e['metadata']['namespace']}/{e['metadata']['name']}": e
                  for e in sim.list("Event")}

        def times() -> list[float]:
            return [ev.last_seen_time(by_key[k]) for k in table.keys() if k in by_key]
        assert await wait_for(pilot, lambda: times() and times() == sorted(times(),
                                                                           reverse=True))
        await pilot.press("A")  # A sorts by last seen too (an event's age): oldest first
        assert await wait_for(pilot, lambda: app.browser.state.sort_reverse)


async def test_the_context_picker_marks_the_one_in_use_and_what_a_later_file_shadows(
        sim, tmp_path):
    from kubetui.ui.screens.pick import PickScreen
    first = sim.write_kubeconfig(str(tmp_path / "a.yaml"), context="prod")
    second = sim.write_kubeconfig(str(tmp_path / "b.yaml"), context="prod")  # same names
    other = sim.write_kubeconfig(str(tmp_path / "c.yaml"), context="staging")
    app = KubetuiApp(load_kubeconfig([first, second, other]), Settings())
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            assert await wait_for(pilot, lambda: app.browser.table.row_count > 5)
            await command(pilot, "ctx")
            assert await wait_for(pilot, lambda: isinstance(app.screen, PickScreen))
            prod, staging = app.screen.label("prod"), app.screen.label("staging")
            assert "● in use" in prod and "● in use" not in staging
            assert f'shadows context "prod" in {second}' in prod
            assert f'cluster "prod" in {second}' in prod
            assert "shadows" not in staging
    finally:
        app.shutdown()


def test_sim_kubeconfigs_get_names_of_their_own(tmp_path):
    import subprocess
    import sys
    path = tmp_path / "sim.kubeconfig"
    proc = subprocess.Popen([sys.executable, "-m", "kubetui", "sim", "--scenario", "none",
                             "--write-kubeconfig", str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        for line in proc.stdout:
            if "kubeconfig written" in line:
                break
        kc = load_kubeconfig([str(path)])
        port = kc.context().server.rsplit(":", 1)[-1]
        assert kc.current_context == f"kubetui-sim-{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


async def test_j_lands_on_the_owner_even_on_a_first_visit(make_app, sim):
    """The owner's kind was never shown before: its rows arrive after the jump. The
    cursor must land on the owner, never on whichever row came first."""
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "po", "^settlement-")
        pod = app.browser.selected()[1]
        rs = pod["metadata"]["ownerReferences"][0]["name"]
        await pilot.press("J")
        assert await wait_for(pilot, lambda: app.browser.state.kind == "ReplicaSet")
        # until the row is there, nothing is selected: an action cannot aim elsewhere
        picked = app.browser.selected()
        assert picked is None or picked[0] == f"payments/{rs}"
        assert await wait_for(pilot, lambda: app.browser.table.cursor_key == f"payments/{rs}")
        await pilot.press("J")
        assert await wait_for(pilot, lambda: app.browser.table.cursor_key ==
                              "payments/settlement")
        assert app.browser.selected()[0] == "payments/settlement"


async def test_a_table_lands_on_the_aimed_row_when_it_arrives_late():
    """The race behind `J` landing on the wrong object: the view's first rows do not
    hold the target yet. The cursor waits for it (nothing selected meanwhile)."""
    from textual.app import App

    from kubetui.ui.widgets.resource_table import ResourceTable

    class One(App):
        def compose(self):
            yield ResourceTable(("NAME",))

    app = One()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(ResourceTable)
        table.aim("ns/target")
        first = {"ns/api": (("api",), "ok"), "ns/cart": (("cart",), "ok")}
        table.apply(first, sorted(first), set(first), True, {})
        await pilot.pause()
        assert table.cursor_key is None  # not on api: the user did not choose it
        later = {**first, "ns/target": (("target",), "ok")}
        table.apply(later, sorted(later), {"ns/target"}, False, {})
        await pilot.pause()
        assert table.cursor_key == "ns/target" and table.cursor == 2
        await pilot.press("up")  # the user moves: their choice from now on
        assert table.cursor_key == "ns/cart"


async def test_at_80x24_the_contexts_picker_fits_the_screen(make_app, notes):
    """The pickers (contexts, a Secret's keys, containers) were 90 columns wide: at 80
    their right border and the end of each line were off the screen."""
    from kubetui.ui.screens.pick import PickScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert await wait_for(pilot, lambda: app.browser.table.row_count > 5)
        await command(pilot, "ctx")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PickScreen))
        picker = app.screen.query_one("#pick-list")
        assert await wait_for(pilot, lambda: picker.region.width > 0)
        assert picker.region.x >= 0 and picker.region.right <= 80, picker.region
        await pilot.press("escape")
    assert notes.errors() == []


async def test_wide_shows_every_column_and_what_does_not_fit_scrolls(make_app, notes):
    """^w (kubectl -o wide) added NOMINATED NODE and READINESS GATES, the first columns
    dropped when the screen is narrow, with IP: at 160 columns with usage shown it
    seemed to add nothing."""
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.browser.table
        assert await wait_for(pilot, lambda: app.browser.ready and table.row_count > 20)
        assert "NOMINATED NODE" not in table.visible_columns
        await pilot.press("ctrl+w")
        assert await wait_for(pilot, lambda: "NOMINATED NODE" in table.columns)
        assert await wait_for(pilot, lambda: table.visible_columns == list(table.columns))
        assert {"IP", "NODE", "NOMINATED NODE", "READINESS GATES"} <= set(
            table.visible_columns)
        assert table.virtual_size.width > table.size.width  # (the rest scrolls sideways)
        name = dict(zip(table.columns, table._widths, strict=False))["NAME"]
        assert dict((table.columns[i], w) for i, w in table._fitted())["NAME"] >= min(24, name)
        await pilot.press("ctrl+w")  # and back: what fits
        assert await wait_for(pilot, lambda: "NOMINATED NODE" not in table.columns)
        assert table.virtual_size.width <= table.size.width
    assert notes.errors() == []


async def test_escape_that_clears_the_filter_keeps_the_cursor_on_its_row(make_app, notes):
    from helpers import filter_by
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        browser, table = app.browser, app.browser.table
        assert await wait_for(pilot, lambda: browser.ready and table.row_count > 20)
        await filter_by(pilot, "^frontend-")
        assert await wait_for(pilot, lambda: table.row_count == 3)
        await pilot.press("down", "down")
        assert await wait_for(pilot, lambda: table.cursor_key == table.keys()[2])
        on = table.cursor_key
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: table.row_count > 20 and not browser.state.filter)
        assert await wait_for(pilot, lambda: table.cursor_key == on), (table.cursor_key, on)
        assert table.keys().index(on) == table.cursor > 2
    assert notes.errors() == []


async def test_the_footer_leaves_the_palette_to_the_help(make_app, notes):
    """"^p palette" sat at the footer's right, over the keys that ran under it (a stray
    letter in the last column at 80 columns); ctrl+p still opens it, and the help says so."""
    from textual.widgets._footer import FooterKey
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert await wait_for(pilot, lambda: app.browser.table.row_count > 5)
        assert await wait_for(pilot, lambda: len(app.browser.query(FooterKey)) > 3)
        assert not [k for k in app.browser.query(FooterKey) if k.has_class("-command-palette")]
        rows = await help_rows(pilot, app)
        assert any("palette" in what.lower() for what in rows), rows
    assert notes.errors() == []
