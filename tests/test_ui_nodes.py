"""Nodes from the browser: `c` cordon, `u` uncordon, `r` drain through the Eviction API
(progress per pod, the pod a PodDisruptionBudget blocks shown with the API's 429
message, retried until a replacement is ready elsewhere), each checked through the API;
read-only mode refuses them all."""

from __future__ import annotations

import re

import pytest
from conftest import wait_for, wait_until
from helpers import bare_pod, help_rows, ready_pods, show, two_node_cluster

from kubetui.kube import drain as d
from kubetui.ui.screens.drain import DrainScreen
from kubetui.ui.screens.modals import ConfirmScreen


@pytest.fixture(scope="module")
def cluster():
    sim = two_node_cluster()
    yield sim
    sim.stop()


@pytest.fixture
def app_on(cluster, tmp_path):
    from kubetui.kube.config import load_kubeconfig
    from kubetui.ui.app import KubetuiApp, Settings
    config = cluster.write_kubeconfig(str(tmp_path / "config"))
    apps = []

    def make(**settings):
        app = KubetuiApp(load_kubeconfig([config]), Settings(**settings))
        apps.append(app)
        return app
    yield make
    for app in apps:
        app.shutdown()


def unschedulable(sim, node: str) -> bool:
    return bool(sim.get("Node", None, node)["spec"].get("unschedulable"))


async def test_cordon_then_uncordon(app_on, cluster, notes):
    app = app_on()
    async with app.run_test(size=(160, 48)) as pilot:
        await show(pilot, app, "no", "^node-b$", 1)
        rows = await help_rows(pilot, app)
        assert (rows["Cordon"], rows["Uncordon"], rows["Drain"]) == ("c", "u", "r")
        assert "Checklist" not in rows and "Restart" not in rows
        await pilot.press("c")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        wait_until(lambda: unschedulable(cluster, "node-b"))
        assert await wait_for(pilot, lambda: notes.said("Cordoned node node-b"))
        await pilot.press("u")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        wait_until(lambda: not unschedulable(cluster, "node-b"))
        assert notes.errors() == []


async def test_drain_respects_the_budget_and_ends_with_daemonset_pods(app_on, cluster, notes,
                                                                       monkeypatch):
    # a refused eviction is tried again after 1 s here, not kubectl's 5 s: the budget
    # refuses each pod until the last one's replacement is ready (two or three waits)
    monkeypatch.setattr(d, "RETRY_SECONDS", 1.0)
    wait_until(lambda: len(ready_pods(cluster, "web", "node-a")) == 3, timeout=30)
    app = app_on()
    async with app.run_test(size=(160, 48)) as pilot:
        await show(pilot, app, "no", "^node-a$", 1)
        await pilot.press("r")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        detail = app.screen.detail
        assert "Evict (3)" in detail and "DaemonSet-managed" in detail
        assert "WARNING" not in detail
        await pilot.press("y")
        assert await wait_for(pilot, lambda: isinstance(app.screen, DrainScreen))
        screen = app.screen
        wait_until(lambda: unschedulable(cluster, "node-a"))
        # the budget (minAvailable 2 of 3) lets one go; the next is blocked with the
        # API's words until the first one's replacement is ready on node-b
        assert await wait_for(pilot, lambda: any(
            p.state == d.BLOCKED for p in screen.drain.pods), tries=400)
        blocked = next(p for p in screen.drain.pods if p.state == d.BLOCKED)
        # (right after an eviction the budget may still count the evicted pod: 3)
        assert re.fullmatch(
            r"Cannot evict pod as it would violate the pod's disruption budget\. The "
            r"disruption budget web needs 2 healthy pods and has [23] currently",
            blocked.message), blocked.message
        assert any("violate the pod's disruption budget" in m for _, _, _, m in screen.rows())
        assert await wait_for(pilot, lambda: screen.drain.state == "drained", tries=1200)
        assert all(p.state == d.GONE for p in screen.drain.to_evict)
        assert blocked.tries >= 2  # it was retried
        left = [p for p in cluster.list("Pod", "default")
                if p["spec"].get("nodeName") == "node-a"]
        assert {p["metadata"]["labels"]["app"] for p in left} == {"agent"}
        assert unschedulable(cluster, "node-a")
        wait_until(lambda: len(ready_pods(cluster, "web", "node-b")) == 3, timeout=30)
        assert notes.errors() == []
        await pilot.press("escape")


async def test_drain_names_unmanaged_and_emptydir_pods_and_cancel(app_on, cluster):
    cluster.create("Pod", "default", bare_pod("loner", nodeName="node-b"))
    cluster.create("Pod", "default", bare_pod("scratch", nodeName="node-b", volumes=[
        {"name": "tmp", "emptyDir": {}}]))
    app = app_on()
    async with app.run_test(size=(160, 48)) as pilot:
        await show(pilot, app, "no", "^node-b$", 1)
        await pilot.press("r")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        detail = app.screen.detail
        assert "WARNING: not managed by a controller" in detail
        assert "default/loner" in detail.split("\n")[0]
        assert "--delete-emptydir-data" in detail and "default/scratch" in detail
        await pilot.press("n")  # no: nothing happens
        assert await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert not unschedulable(cluster, "node-b")
        assert cluster.get("Pod", "default", "loner") is not None


async def test_a_long_drain_question_fits_a_80x24_terminal_with_its_keys(app_on, cluster):
    """At 80 columns the confirm box (100 wide) had its right edge off the screen; its
    list of pods now scrolls inside a box that fits, and y / n stay in sight."""
    names = [f"many-{i:02d}" for i in range(30)]
    for name in names:
        cluster.create("Pod", "default", bare_pod(name, nodeName="node-b"))
    app = app_on()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await show(pilot, app, "no", "^node-b$", 1)
            await pilot.press("r")
            assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.pause()
            box = app.screen.query_one("#confirm-box").region
            assert box.x >= 0 and box.right <= 80 and box.y >= 0 and box.bottom <= 24
            keys = next(w for w in app.screen.query("Static")
                        if "y: yes" in str(w.render()))
            assert keys.region.height == 1 and box.contains_region(keys.region)
            await pilot.press("n")
            assert await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
    finally:
        for name in names:
            cluster.delete("Pod", "default", name)


async def test_read_only_refuses_node_writes(app_on, cluster, notes):
    app = app_on(readonly=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await show(pilot, app, "no", "^node-b$", 1)
        for key in ("c", "u", "r"):
            notes.seen.clear()
            await pilot.press(key)
            assert await wait_for(pilot, lambda: notes.said("read-only mode"))
            assert not isinstance(app.screen, ConfirmScreen)
    assert not unschedulable(cluster, "node-b")


def test_finished_pods_need_no_consent():
    """kubectl drain lets a Succeeded or Failed pod go without --force or
    --delete-emptydir-data: so does the confirmation."""
    pods = [d.DrainPod("ns", "done", "u1", "", emptydir=True, finished=True),
            d.DrainPod("ns", "loner", "u2", "")]
    assert d.warnings(pods) == ["not managed by a controller, they will not come back "
                                "(kubectl's --force): ns/loner"]
