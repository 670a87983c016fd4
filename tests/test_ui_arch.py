"""The architecture view, xray and jump-to-owner against the demo cluster: the user sees
the whole cluster, picks the crash-looping pod from it, and its checklist names the
cause; xray shows a deployment down to its containers; J climbs pod -> rs -> deploy."""

from __future__ import annotations

from conftest import wait_for, wait_until
from helpers import command, select

from kubetui.render.arch_layout import CELL
from kubetui.ui.screens.arch import ArchScreen, ArchView
from kubetui.ui.screens.checklist import ChecklistScreen
from kubetui.ui.screens.object import ObjectScreen
from kubetui.ui.screens.xray import XrayScreen


def crashing(sim) -> str:
    wait_until(lambda: any(p["metadata"]["name"].startswith("settlement-") and (
        p["status"].get("containerStatuses") or [{}])[0].get("restartCount", 0) > 0
        for p in sim.list("Pod", "payments")), timeout=60)
    return next(p["metadata"]["name"] for p in sim.list("Pod", "payments")
                if p["metadata"]["name"].startswith("settlement-"))


async def test_arch_view_to_the_crash_looping_pod_to_its_cause(make_app, sim):
    name = crashing(sim)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("a")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ArchScreen)
                              and app.screen.query_one(ArchView).model is not None
                              and len(app.screen.query_one(ArchView).model.nodes) == 3,
                              tries=400)
        view = app.screen.query_one(ArchView)
        model = view.model
        assert [c.name for c in model.control_plane][:4] == [
            "kube-apiserver", "etcd", "kube-scheduler", "kube-controller-manager"]
        assert all(c.state == "ok" for c in model.control_plane[:4])
        assert {n.kube_proxy for n in model.nodes} == {"ready"}
        assert len(model.unscheduled) == 2  # the unschedulable and the unbound-PVC pods
        # every pod of the cluster is a cell; walk the cursor to the crash-looping one
        assert await wait_for(pilot, lambda: any(c.name == name for c in view.model.cells()))
        await pilot.press("home")
        for _ in range(300):  # arrows until the cursor is on it (cells shift as pods come)
            if view.selected.name == name:
                break
            target = next(i for i, (_, _, c) in enumerate(view.layout_.cells) if c.name == name)
            await pilot.press("right" if target > view.cursor else "left")
        # (between two crashes it runs for a moment, and then it is Running and ready, as
        # kubectl says too: its cell turns red again with the next crash)
        assert await wait_for(pilot, lambda: view.selected.name == name
                              and view.selected.health == "error", tries=400)
        row, col, _ = view.layout_.cells[view.cursor]
        assert "".join(t for t, _ in view.layout_.rows[row])[col] == CELL
        assert name in str(app.screen.query_one("#arch-selected").render())
        await pilot.press("d")  # describe the pod under the cursor
        assert await wait_for(pilot, lambda: isinstance(app.screen, ObjectScreen)
                              and app.screen.obj["metadata"]["name"] == name)
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ArchScreen))
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ChecklistScreen)
                              and app.screen.checklist is not None, tries=400)
        assert app.screen.checklist.cause.rule == "crashloop"
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ArchScreen))
        await pilot.press("z")  # compact: the same cells, smaller boxes
        assert await wait_for(pilot, lambda: view.compact and len(view.layout_.cells) ==
                              len(view.model.cells()))
        assert view.selected.name == name  # the cursor stayed on its pod


async def test_arch_namespace_filter(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await command(pilot, "arch shop")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ArchScreen)
                              and app.screen.query_one(ArchView).model is not None
                              and app.screen.query_one(ArchView).model.pod_count > 0,
                              tries=400)
        cells = app.screen.query_one(ArchView).model.cells()
        assert {c.namespace for c in cells} == {"shop"}


async def test_xray_deployment_down_to_containers(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await command(pilot, "xray deploy")
        assert await wait_for(pilot, lambda: isinstance(app.screen, XrayScreen)
                              and any(r.name == "frontend" and r.children
                                      and r.children[0].children
                                      for r in app.screen.roots), tries=400)
        front = next(r for r in app.screen.roots if r.name == "frontend")
        [rs] = front.children
        assert rs.kind == "ReplicaSet" and len(rs.children) == 3
        assert all(p.kind == "Pod" and p.children[0].kind == "Container" for p in rs.children)
        fraud = next(r for r in app.screen.roots if r.name == "fraud-check")
        assert fraud.health == "error"
        tree = app.screen.query_one("#xray")
        labels = [str(n.label) for n in tree.root.children]
        assert any("fraud-check" in label for label in labels)
        # a root with trouble opens by itself; a healthy one stays closed
        opened = {n.data.name: n.is_expanded for n in tree.root.children}
        assert opened["fraud-check"] and not opened["frontend"]
        tree.move_cursor(next(n for n in tree.root.children if n.data.name == "frontend"))
        await pilot.press("d")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ObjectScreen)
                              and app.screen.obj["kind"] == "Deployment")


async def test_xray_configmap_users_and_unknown_kinds(make_app, notes):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await command(pilot, "xray nosuchkind")
        assert await wait_for(pilot, lambda: notes.said("unknown kind for xray"))
        assert not isinstance(app.screen, XrayScreen)
        await command(pilot, "xray cm")
        assert await wait_for(pilot, lambda: isinstance(app.screen, XrayScreen)
                              and any(r.children for r in app.screen.roots), tries=400)
        used = [r for r in app.screen.roots if r.children]
        assert all(c.kind == "Pod" for r in used for c in r.children)


async def test_J_climbs_from_a_pod_to_its_deployment_and_escape_comes_back(make_app, sim,
                                                                          notes):
    pod = next(p["metadata"]["name"] for p in sim.list("Pod", "shop")
               if p["metadata"]["name"].startswith("cart-"))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "po", f"^{pod}$")
        await pilot.press("J")
        assert await wait_for(pilot, lambda: app.browser.state.kind == "ReplicaSet"
                              and (app.browser.selected() or ("", {}))[0].startswith(
                                  "shop/cart-"))
        await pilot.press("J")
        assert await wait_for(pilot, lambda: app.browser.state.kind == "Deployment"
                              and (app.browser.selected() or ("", {}))[0] == "shop/cart")
        await pilot.press("J")  # a deployment has no owner: said, nothing moves
        assert await wait_for(pilot, lambda: notes.said("has no owner"))
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: app.browser.state.kind == "ReplicaSet")
