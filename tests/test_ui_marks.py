"""Marks and bulk actions: space marks rows, ctrl+space clears them; delete, kill,
restart and scale act on every marked row after one confirmation listing them, and
say per object what happened, failures in the server's words."""

from __future__ import annotations

from conftest import make_namespace, wait_for, wait_until
from helpers import bare_pod, help_rows, names, running, show

from kubetui.ui.screens.modals import ConfirmScreen, PromptScreen


def marked(app) -> list[str]:
    return [k.rsplit("/", 1)[-1] for k in app.browser.marked()]


async def test_mark_three_pods_and_delete_them_with_one_confirmation(make_app, sim, notes):
    ns = make_namespace(sim, "marks")
    for n in range(4):
        sim.create("Pod", ns, bare_pod(f"doomed-{n}"))
    wait_until(lambda: all(running(sim, ns, f"doomed-{n}") for n in range(4)), timeout=30)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await show(pilot, app, "po", "^doomed-", 4)
        await pilot.press("space", "space", "space")  # each moves down a row, as k9s
        assert marked(app) == ["doomed-0", "doomed-1", "doomed-2"]
        header = app.browser.query_one("#header")
        assert await wait_for(pilot, lambda: "3 marked" in str(header.render()))
        # marks survive re-sorting, and space again unmarks
        await pilot.press("N")
        await pilot.press("N")
        assert marked(app) == ["doomed-0", "doomed-1", "doomed-2"]
        await pilot.press("ctrl+d")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        listing = app.screen.detail
        assert all(f"{ns}/doomed-{n}" in listing for n in range(3))
        assert "doomed-3" not in listing
        await pilot.press("y")
        wait_until(lambda: all(sim.get("Pod", ns, f"doomed-{n}") is None for n in range(3)),
                   timeout=60)
        assert sim.get("Pod", ns, "doomed-3") is not None
        assert await wait_for(pilot, lambda: notes.said("Deleted 3 of 3 pods"))
        assert notes.errors() == []
        assert await wait_for(pilot, lambda: names(app) == ["doomed-3"], tries=400)
        assert marked(app) == []


async def test_a_failure_is_named_with_the_servers_message(make_app, sim, notes):
    notes.expect('pods "kill-1" not found')
    ns = make_namespace(sim, "marks-fail")
    for n in range(3):
        sim.create("Pod", ns, bare_pod(f"kill-{n}"))
    wait_until(lambda: all(running(sim, ns, f"kill-{n}") for n in range(3)), timeout=30)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await show(pilot, app, "po", "^kill-", 3)
        await pilot.press("space", "space", "space")
        await pilot.press("ctrl+k")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Kill 3 pods" in app.screen.question
        sim.delete("Pod", ns, "kill-1", gracePeriodSeconds=0)  # gone before the yes
        assert sim.get("Pod", ns, "kill-1") is None
        notes.expect(r'kill-1: pods "kill-1" not found')
        await pilot.press("y")
        assert await wait_for(pilot, lambda: notes.errors(), tries=400)
        assert notes.errors() == ['Failed:\nkill-1: pods "kill-1" not found']
        assert notes.said("Killed 2 of 3 pods: kill-0, kill-2")
        wait_until(lambda: sim.get("Pod", ns, "kill-0") is None and
                   sim.get("Pod", ns, "kill-2") is None, timeout=30)


async def test_a_deleted_row_drops_its_mark_and_ctrl_space_clears(make_app, sim):
    ns = make_namespace(sim, "marks-drop")
    for n in range(3):
        sim.create("Pod", ns, bare_pod(f"drop-{n}"))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await show(pilot, app, "po", "^drop-", 3)
        await pilot.press("space", "space")
        assert marked(app) == ["drop-0", "drop-1"]
        sim.delete("Pod", ns, "drop-0", gracePeriodSeconds=0)
        assert await wait_for(pilot, lambda: marked(app) == ["drop-1"])
        await pilot.press("ctrl+space")
        assert marked(app) == []


async def test_scale_and_restart_marked_deployments(make_app, sim, notes):
    from conftest import deployment
    ns = make_namespace(sim, "marks-deploy")
    for name in ("one", "two"):
        sim.create("Deployment", ns, deployment(name, replicas=1))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("colon", *"ns marks-deploy", "enter")
        await show(pilot, app, "deploy", "^(one|two)$", 2)
        await pilot.press("space", "space", "s")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press("backspace", "3", "enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Scale 2 deployments to 3" in app.screen.question
        await pilot.press("y")
        wait_until(lambda: all(sim.get("Deployment", ns, n)["spec"]["replicas"] == 3
                               for n in ("one", "two")), timeout=30)
        assert await wait_for(pilot, lambda: notes.said("Scaled 2 of 2 deployments"))
        await pilot.press("g", "space", "space", "r")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        wait_until(lambda: all("kubectl.kubernetes.io/restartedAt" in (sim.get(
            "Deployment", ns, n)["spec"]["template"]["metadata"].get("annotations") or {})
            for n in ("one", "two")), timeout=30)
        assert notes.errors() == []


async def test_read_only_refuses_bulk_writes(make_app, sim, notes):
    ns = make_namespace(sim, "marks-ro")
    for n in range(2):
        sim.create("Pod", ns, bare_pod(f"ro-{n}"))
    app = make_app(readonly=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await show(pilot, app, "po", "^ro-", 2)
        await pilot.press("space", "space")  # marking is reading: allowed
        assert marked(app) == ["ro-0", "ro-1"]
        for key in ("ctrl+d", "ctrl+k"):
            await pilot.press(key)
            assert await wait_for(pilot, lambda: notes.said("refusing to"))
            assert not isinstance(app.screen, ConfirmScreen)
            notes.seen.clear()
    assert sim.get("Pod", ns, "ro-0") and sim.get("Pod", ns, "ro-1")


async def test_help_lists_mark_clear_and_edit(make_app, sim):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: len(names(app)) > 5)
        rows = await help_rows(pilot, app)
        assert rows["Mark"] == "space" and rows["Clear marks"].startswith("^space")
        assert rows["Edit"] == "e"
        assert "Cordon" not in rows and "Trigger now" not in rows  # other kinds' keys
