"""The resource browser in the real app against the sim: the command bar, drill-down and
back, filters, sort, namespaces, describe and YAML (Secrets masked), contexts, themes and
a key map override."""

from __future__ import annotations

import re

from conftest import FAST, wait_for, wait_until
from helpers import command, filter_by, names

from kubetui.kube.config import load_kubeconfig
from kubetui.sim import SimCluster
from kubetui.ui.app import KubetuiApp
from kubetui.ui.screens.browser import BrowserScreen
from kubetui.ui.screens.help import HelpScreen
from kubetui.ui.screens.object import ObjectScreen
from kubetui.ui.screens.pick import PickScreen


async def test_command_bar_switches_kind_and_drill_down_goes_back(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: "etcd-kubetui-control-plane" in names(app))
        await command(pilot, "deploy")
        assert await wait_for(pilot, lambda: "frontend" in names(app))
        table = app.browser.table
        assert table.columns[:3] == ("NAMESPACE", "NAME", "READY")
        await filter_by(pilot, "^frontend$")
        assert await wait_for(pilot, lambda: names(app) == ["frontend"])
        await pilot.press("enter")  # drill into the deployment's pods
        assert await wait_for(pilot, lambda: len(names(app)) == 3 and all(
            n.startswith("frontend-") for n in names(app)))
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        assert screen.state.label_selector == "app=frontend"
        assert "NAMESPACE" not in table.columns  # one namespace: no column for it
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: names(app) == ["frontend"])
        await pilot.press("escape")  # clears the filter
        assert await wait_for(pilot, lambda: len(names(app)) > 5)
        await pilot.press("q")


async def test_node_and_namespace_drill_down(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await command(pilot, "no")
        assert await wait_for(pilot, lambda: "kubetui-worker" in names(app))
        await filter_by(pilot, "control-plane")
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: "etcd-kubetui-control-plane" in names(app))
        assert all(not n.startswith("frontend") for n in names(app))
        await command(pilot, "ns")
        assert await wait_for(pilot, lambda: "payments" in names(app))
        await filter_by(pilot, "^payments$")
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: "ledger-db-0" in names(app))
        screen = app.screen
        assert screen.active_namespace == "payments" and screen.state.namespace == "payments"
        await command(pilot, "svc")  # new views open in the active namespace
        assert await wait_for(pilot, lambda: names(app) and set(names(app)) <= {
            "api", "ledger-db"})
        await pilot.press("0")
        assert await wait_for(pilot, lambda: "kubernetes" in names(app))


async def test_filters_inverse_fuzzy_and_label_selector(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: len(names(app)) > 20)
        await filter_by(pilot, "!kube-system")
        assert await wait_for(pilot, lambda: names(app) and not any(
            n.startswith("etcd") for n in names(app)))
        await filter_by(pilot, "-f frnt")

        def fuzzy_matches() -> set[str]:  # f, r, n, t in that order: the frontend pods,
            # and any other whose random suffix happens to hold them (a fraud-check-...)
            cached = (k.rsplit("/", 1)[-1] for k in app.browser.group.store.snapshot()[1])
            return {n for n in cached if re.search("f.*r.*n.*t", n)}
        assert await wait_for(pilot, lambda: any(n.startswith("frontend-") for n in names(
            app)) and set(names(app)) == fuzzy_matches())
        await filter_by(pilot, "-l app=redis")
        assert await wait_for(pilot, lambda: len(names(app)) == 1
                              and names(app)[0].startswith("redis-"))
        assert app.screen.group.selectors["label_selector"] == "app=redis"  # server side


async def test_sort_by_column_and_reverse(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: len(names(app)) > 20)
        await pilot.press("N")
        assert await wait_for(pilot, lambda: names(app) == sorted(names(app)))
        await pilot.press("N")
        assert await wait_for(pilot, lambda: names(app) == sorted(names(app), reverse=True))
        await pilot.press("T")  # restarts: a count sorts most first (as in k9s)
        table = app.browser.table
        i = table.columns.index("RESTARTS")

        def counts() -> list[int]:
            return [int(table.row(k)[0][i].split()[0]) for k in table.keys()]
        assert await wait_for(pilot, lambda: counts() == sorted(counts(), reverse=True))


async def test_describe_and_yaml_keep_secrets_masked_until_one_is_revealed(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await command(pilot, "secret")
        await filter_by(pilot, "payments-db")
        assert await wait_for(pilot, lambda: names(app) == ["payments-db"])
        await pilot.press("y")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ObjectScreen))
        screen = app.screen
        assert "demo-only-not-a-secret" not in screen.text() and "************" in screen.text()
        await pilot.press("x")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PickScreen))
        picker = app.screen
        await pilot.press("down", "enter")  # password, username: the second
        assert await wait_for(pilot, lambda: app.screen is screen)
        assert screen.revealed == "username" and "payments\n" in screen.text()
        assert "demo-only-not-a-secret" not in screen.text()
        assert picker is not screen
        await pilot.press("d")
        assert "Data" in screen.text() and "bytes" in screen.text()
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: isinstance(app.screen, BrowserScreen))


async def test_describe_pod_has_events(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await filter_by(pilot, "settlement")
        assert await wait_for(pilot, lambda: len(names(app)) == 1)
        await pilot.press("d")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ObjectScreen))
        text = app.screen.text()
        assert "Controlled By:  ReplicaSet/settlement-" in text  # aligned as kubectl does
        assert "Events:" in text and "Scheduled" in text


async def test_unknown_command_is_a_notification_not_a_crash(make_app, notes):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await command(pilot, "nosuchkind")
        assert await wait_for(pilot, lambda: notes.said(
            "unknown command or kind: nosuchkind (ctrl+a lists every kind and alias)"))
        assert isinstance(app.screen, BrowserScreen)


async def test_key_map_override_and_help(make_app):
    app = make_app(keymap={"browser.describe": "D"})
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: len(names(app)) > 5)
        await pilot.press("d", "question_mark")  # keys are handled in order: when help
        assert await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))  # shows,
        assert not any(isinstance(s, ObjectScreen) for s in app.screen_stack)  # d was done
        assert ("D", "Describe") in app.screen.rows
        await pilot.press("escape")
        await pilot.press("D")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ObjectScreen))


async def test_theme_switch_at_runtime(make_app, notes):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        assert app.theme == "k9s"
        await command(pilot, "theme kubetui-light")
        assert await wait_for(pilot, lambda: app.theme == "kubetui-light")
        await command(pilot, "theme nope")
        assert await wait_for(pilot, lambda: notes.said("no theme 'nope'"))
        assert app.theme == "kubetui-light"


async def test_context_switch_between_two_clusters(tmp_path):
    a = SimCluster("demo", speed=FAST, name="alpha").start()
    b = SimCluster(None, speed=FAST, name="beta").start()
    try:
        b.create("Namespace", None, {"metadata": {"name": "only-in-beta"}})
        b.create("Pod", "only-in-beta", {"metadata": {"name": "beta-pod"}, "spec": {
            "containers": [{"name": "c", "image": "busybox:1.36"}]}})
        kc = load_kubeconfig([a.write_kubeconfig(str(tmp_path / "a")),
                              b.write_kubeconfig(str(tmp_path / "b"))])
        app = KubetuiApp(kc)
        async with app.run_test(size=(160, 48)) as pilot:
            assert await wait_for(pilot, lambda: "etcd-kubetui-control-plane" in names(app))
            old = app.cluster
            await command(pilot, "ctx")
            assert await wait_for(pilot, lambda: isinstance(app.screen, PickScreen))
            picker = app.screen
            assert await wait_for(pilot, lambda: "nodes" in picker.details.get("beta", ""))
            assert str(tmp_path / "b") in picker.details["beta"]
            await pilot.press("down", "enter")
            assert await wait_for(pilot, lambda: names(app) == ["beta-pod"])
            assert app.context_info.name == "beta"
            # the old session stops in the background, all of its watch threads
            assert await wait_for(pilot, lambda: old.threads_alive == 0)
            await pilot.press("q")
        app.shutdown()
    finally:
        a.stop()
        b.stop()


async def test_command_palette_offers_kinds_and_themes(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: len(names(app)) > 5)
        await pilot.press("ctrl+p")
        await pilot.press(*"show deploy")
        assert await wait_for(pilot, lambda: any(  # the palette found what was typed
            "deploy" in str(o.prompt) for o in app.screen.query("CommandList").first()
            .options if o.prompt is not None) if app.screen.query("CommandList") else False)
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: "frontend" in names(app))
        assert app.browser.state.kind == "Deployment"


async def test_several_namespaces_at_once(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: len(names(app)) > 5)
        await command(pilot, "ns shop,monitoring")
        table = app.browser.table

        def namespaces():
            return {k.split("/")[0] for k in table.keys()}

        assert await wait_for(pilot, lambda: namespaces() == {"shop", "monitoring"})
        assert table.columns[0] == "NAMESPACE"
        assert len(app.browser.group.informers) == 2


async def test_custom_resources_through_the_table_api(make_app, sim):
    sim.create("CustomResourceDefinition", None, {
        "metadata": {"name": "gadgets.ui.kubetui.dev"},
        "spec": {"group": "ui.kubetui.dev", "scope": "Namespaced",
                 "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget",
                           "shortNames": ["gdg"]},
                 "versions": [{"name": "v1", "served": True, "storage": True,
                               "additionalPrinterColumns": [
                                   {"name": "Color", "type": "string",
                                    "jsonPath": ".spec.color"}]}]}})
    # the CRD controller establishes it
    sim.wait_for(lambda: sim.store.registry.lookup("ui.kubetui.dev", "v1", "gadgets"))
    for name, color in (("g1", "teal"), ("widget-b", "red")):
        sim.call(lambda n=name, c=color: sim.api.create(sim.store.registry.lookup(
            "ui.kubetui.dev", "v1", "gadgets"), "shop", {
            "apiVersion": "ui.kubetui.dev/v1", "kind": "Gadget", "metadata": {"name": n},
            "spec": {"color": c}}))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: "Gadget" in app.extra_kinds)
        await command(pilot, "gadgets widget-b")  # a filter, as `:deploy api` takes one
        assert await wait_for(pilot, lambda: names(app) == ["widget-b"])
        assert app.browser.state.filter == "widget-b"
        await command(pilot, "gdg g1")
        assert await wait_for(pilot, lambda: names(app) == ["g1"])
        table = app.browser.table
        assert table.columns == ("NAMESPACE", "NAME", "COLOR")
        assert table.row("shop/g1")[0] == ("shop", "g1", "teal")
        await pilot.press("y")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ObjectScreen))
        assert "color: teal" in app.screen.text()


async def test_describing_a_kind_discovery_no_longer_finds_says_so_in_kubectls_words(
        make_app, sim, notes):
    """A reconnect's discovery that misses a group (here it answers 503) while its kind
    is shown: `d` and `y` on a row say what kubectl says of a kind the server does not
    list, instead of a KeyError from the describing thread."""
    import asyncio
    import threading

    from aiohttp import web

    group = "/apis/dd.kubetui.dev/v1"
    sim.create("CustomResourceDefinition", None, {
        "metadata": {"name": "doodads.dd.kubetui.dev"},
        "spec": {"group": "dd.kubetui.dev", "scope": "Namespaced",
                 "names": {"plural": "doodads", "singular": "doodad", "kind": "Doodad"},
                 "versions": [{"name": "v1", "served": True, "storage": True}]}})
    sim.wait_for(lambda: sim.store.registry.lookup("dd.kubetui.dev", "v1", "doodads"))
    sim.call(lambda: sim.api.create(sim.store.registry.lookup(
        "dd.kubetui.dev", "v1", "doodads"), "shop", {
        "apiVersion": "dd.kubetui.dev/v1", "kind": "Doodad", "metadata": {"name": "d1"}}))
    held, release = [], threading.Event()

    async def discovery_fails(request):
        if request.path == group:  # (the group's discovery only, not its objects)
            held.append(request.path)
            await asyncio.get_running_loop().run_in_executor(None, release.wait, 30)
            return web.json_response({"kind": "Status", "apiVersion": "v1", "status":
                                      "Failure", "message": "service unavailable",
                                      "reason": "ServiceUnavailable", "code": 503},
                                     status=503)
        return None
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: "Doodad" in app.extra_kinds)
        sim.request_hooks.append(discovery_fails)
        try:
            await command(pilot, f"ctx {app.context_info.name}")  # connect again
            assert await wait_for(pilot, lambda: held, tries=200)  # discovery is waiting
            await command(pilot, "doodads")  # (known from the last discovery)
            assert await wait_for(pilot, lambda: names(app) == ["d1"])
            release.set()
            assert await wait_for(pilot, lambda: "Doodad" not in app.extra_kinds, tries=200)
        finally:
            release.set()
            sim.request_hooks.remove(discovery_fails)
        for key in ("d", "y"):
            await pilot.press(key)
            assert await wait_for(pilot, lambda: notes.said(
                'the server doesn\'t have a resource type "doodads"'))
            notes.seen.clear()
        assert not isinstance(app.screen, ObjectScreen) and not notes.errors()


async def test_a_discovered_kind_is_titled_by_its_plural_and_scope(make_app, sim):
    """A kind found through discovery is named as the server names it (not kind + "s")
    and a cluster-scoped one is not shown as "(all)" namespaces."""
    sim.create("CustomResourceDefinition", None, {
        "metadata": {"name": "policies.ui.kubetui.dev"},
        "spec": {"group": "ui.kubetui.dev", "scope": "Cluster",
                 "names": {"plural": "policies", "singular": "policy", "kind": "Policy"},
                 "versions": [{"name": "v1", "served": True, "storage": True}]}})
    wait_until(lambda: any(  # the CRD controller establishes it
        c["type"] == "Established" and c["status"] == "True" for c in (sim.get(
            "CustomResourceDefinition", None, "policies.ui.kubetui.dev").get("status") or {})
        .get("conditions", [])))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: "Policy" in app.extra_kinds)
        await command(pilot, "policies")
        assert await wait_for(pilot, lambda: app.browser.state.kind == "Policy")
        assert app.browser.state.title == "policies(cluster)"
