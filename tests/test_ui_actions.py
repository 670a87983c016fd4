"""One-key actions from the browser, end to end: the test presses the key and confirms,
the sim's state changes, kubectl agrees; read-only refuses without asking."""

from __future__ import annotations

from conftest import wait_until
from kubetui.ui.modals import ConfirmScreen, PromptScreen
from kubetui.ui.screens import PickScreen
from test_ui_browser import command, filter_by, names, wait_for


async def select(pilot, app, kind: str, pattern: str) -> None:
    await command(pilot, kind)
    await filter_by(pilot, pattern)
    assert await wait_for(pilot, lambda: len(names(app)) == 1)


def replicasets(kubectl, ns: str, app_label: str) -> set[str]:
    return set(kubectl("get", "rs", "-n", ns, "-l", f"app={app_label}", "-o",
                       "name").stdout.split())


async def test_restart_then_undo_with_the_template_diff(make_app, kubectl):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "deploy", "^cart$")
        before = replicasets(kubectl, "shop", "cart")
        await pilot.press("r")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        wait_until(lambda: len(replicasets(kubectl, "shop", "cart") - before) == 1, timeout=30)
        wait_until(lambda: 'successfully rolled out' in kubectl(
            "rollout", "status", "deploy/cart", "-n", "shop", "--timeout=30s").stdout)
        await pilot.press("u")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PickScreen))
        await pilot.press("enter")  # the newest earlier revision
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "kubectl.kubernetes.io/restartedAt" in app.screen.detail  # the diff
        await pilot.press("y")
        wait_until(lambda: "restartedAt" not in kubectl(
            "get", "deploy", "cart", "-n", "shop", "-o",
            "jsonpath={.spec.template.metadata.annotations}").stdout, timeout=30)
        history = kubectl("rollout", "history", "deploy/cart", "-n", "shop").stdout
        assert "3 " in history  # the old template came back as revision 3


async def test_scale_asks_for_a_number_and_zero_asks_again(make_app, kubectl):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "deploy", "^redis$")
        await pilot.press("s")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press("backspace", "2", "enter")
        wait_until(lambda: kubectl("get", "deploy", "redis", "-n", "shop", "-o",
                                   "jsonpath={.spec.replicas}").stdout == "2", timeout=30)
        await pilot.press("s")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press("backspace", "0", "enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # no: nothing happens
        await pilot.pause(0.5)
        assert kubectl("get", "deploy", "redis", "-n", "shop", "-o",
                       "jsonpath={.spec.replicas}").stdout == "2"


async def test_delete_asks_first_and_kill_is_immediate(make_app, kubectl, sim):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "po", "^ledger-worker-")
        pod = names(app)[0]
        await pilot.press("ctrl+d")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert kubectl("get", "pod", pod, "-n", "payments", check=False).returncode == 0
        await pilot.press("ctrl+k")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        wait_until(lambda: kubectl("get", "pod", pod, "-n", "payments",
                                   check=False).returncode != 0, timeout=30)


async def test_read_only_refuses_every_action_without_asking(make_app, kubectl):
    app = make_app(readonly=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "deploy", "^frontend$")
        before = kubectl("get", "deploy", "frontend", "-n", "shop", "-o", "yaml").stdout
        for key in ("r", "u", "s", "ctrl+d"):
            await pilot.press(key)
            await pilot.pause(0.2)
            assert not isinstance(app.screen, (ConfirmScreen, PromptScreen, PickScreen))
        refusals = [n.message for n in app._notifications if "read-only mode" in n.message]
        assert len(refusals) == 4
        assert kubectl("get", "deploy", "frontend", "-n", "shop", "-o", "yaml").stdout == before
