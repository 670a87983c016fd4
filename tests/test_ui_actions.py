"""One-key actions from the browser, end to end: the test presses the key and confirms,
the sim's state changes, kubectl agrees; read-only refuses without asking."""

from __future__ import annotations

from conftest import wait_for, wait_until
from helpers import names, select

from kubetui.ui.screens.modals import ConfirmScreen, PromptScreen
from kubetui.ui.screens.pick import PickScreen
from kubetui.ui.screens.rollout import DiffScreen, RolloutScreen


def replicasets(kubectl, ns: str, app_label: str) -> set[str]:
    return set(kubectl("get", "rs", "-n", ns, "-l", f"app={app_label}", "-o",
                       "name").stdout.split())


def cockpit_state(app) -> str:
    screen = app.screen
    return screen.model.state if isinstance(screen, RolloutScreen) and screen.model else ""


async def test_restart_opens_the_cockpit_which_watches_it_roll_and_undoes(make_app, kubectl):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "deploy", "^cart$")
        before = replicasets(kubectl, "shop", "cart")
        await pilot.press("r")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        assert await wait_for(pilot, lambda: isinstance(app.screen, RolloutScreen))
        wait_until(lambda: len(replicasets(kubectl, "shop", "cart") - before) == 1, timeout=30)
        # the cockpit follows the rollout to its end: the new ReplicaSet has the pods
        assert await wait_for(pilot, lambda: cockpit_state(app) == "rolled out"
                              and app.screen.model.groups[0].revision == 2
                              and len(app.screen.model.groups[0].pods) == 2, tries=600)
        assert app.screen.model.status.message == 'deployment "cart" successfully rolled out'
        # the old ReplicaSet's pods go once they have terminated
        assert await wait_for(pilot, lambda: [g.new for g in app.screen.model.groups] == [True],
                              tries=600)
        # d: the current template against the revision under the cursor (revision 1)
        await pilot.press("down", "d")
        assert await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen))
        assert "restartedAt" in app.screen.diff
        await pilot.press("escape")
        # u on revision 1: the diff, a confirmation, then the rollback
        await pilot.press("u")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "kubectl.kubernetes.io/restartedAt" in app.screen.detail
        await pilot.press("y")
        wait_until(lambda: "restartedAt" not in kubectl(
            "get", "deploy", "cart", "-n", "shop", "-o",
            "jsonpath={.spec.template.metadata.annotations}").stdout, timeout=30)
        assert "3 " in kubectl("rollout", "history", "deploy/cart", "-n", "shop").stdout
        assert await wait_for(pilot, lambda: isinstance(app.screen, RolloutScreen)
                              and app.screen.model.groups[0].revision == 3, tries=600)
        # p pauses, p again resumes
        await pilot.press("p")
        wait_until(lambda: kubectl("get", "deploy", "cart", "-n", "shop", "-o",
                                   "jsonpath={.spec.paused}").stdout == "true", timeout=15)
        assert await wait_for(pilot, lambda: cockpit_state(app) == "paused", tries=400)
        await pilot.press("p")
        wait_until(lambda: kubectl("get", "deploy", "cart", "-n", "shop", "-o",
                                   "jsonpath={.spec.paused}").stdout != "true", timeout=15)


async def test_undo_from_the_browser_picks_a_revision(make_app, kubectl):
    kubectl("rollout", "restart", "deploy/api", "-n", "payments")
    wait_until(lambda: "successfully rolled out" in kubectl(
        "rollout", "status", "deploy/api", "-n", "payments", "--timeout=30s").stdout,
        timeout=40)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "deploy", "^api$")
        await pilot.press("u")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PickScreen))
        await pilot.press("enter")  # the newest earlier revision
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "kubectl.kubernetes.io/restartedAt" in app.screen.detail  # the diff
        await pilot.press("y")
        assert await wait_for(pilot, lambda: isinstance(app.screen, RolloutScreen))
        wait_until(lambda: "restartedAt" not in kubectl(
            "get", "deploy", "api", "-n", "payments", "-o",
            "jsonpath={.spec.template.metadata.annotations}").stdout, timeout=30)


async def test_scale_asks_for_a_number_and_zero_asks_again(make_app, kubectl, notes):
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
        assert await wait_for(pilot, lambda: app.screen is app.browser)
        assert kubectl("get", "deploy", "redis", "-n", "shop", "-o",
                       "jsonpath={.spec.replicas}").stdout == "2"
        await pilot.press("s")  # Enter on no number: said, and nothing happens
        assert await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press("backspace", "enter")
        assert await wait_for(pilot, lambda: notes.said("No number given: redis not scaled",
                                                        "warning"))
        assert app.screen is app.browser
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
        assert await wait_for(pilot, lambda: app.screen is app.browser)
        assert kubectl("get", "pod", pod, "-n", "payments", check=False).returncode == 0
        await pilot.press("ctrl+k")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        wait_until(lambda: kubectl("get", "pod", pod, "-n", "payments",
                                   check=False).returncode != 0, timeout=30)


async def test_read_only_refuses_every_action_without_asking(make_app, kubectl, notes):
    app = make_app(readonly=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "deploy", "^frontend$")
        before = kubectl("get", "deploy", "frontend", "-n", "shop", "-o", "yaml").stdout
        def refusals() -> int:
            return sum(1 for m in notes.messages() if "read-only mode" in m)
        for n, key in enumerate(("r", "u", "s", "ctrl+d"), 1):
            await pilot.press(key)
            assert await wait_for(pilot, lambda n=n: refusals() == n), key
            assert not isinstance(app.screen, (ConfirmScreen, PromptScreen, PickScreen))
        await pilot.press("o")  # the cockpit opens (reading is fine) but writes nothing
        assert await wait_for(pilot, lambda: isinstance(app.screen, RolloutScreen))
        for n, key in enumerate(("r", "u", "p", "s"), 5):
            await pilot.press(key)
            assert await wait_for(pilot, lambda n=n: refusals() == n), key
            assert not isinstance(app.screen, (ConfirmScreen, PromptScreen))
        assert kubectl("get", "deploy", "frontend", "-n", "shop", "-o", "yaml").stdout == before


async def test_api_errors_become_notifications_quoting_the_api(make_app, sim, tmp_path, kubectl,
                                                               notes):
    notes.expect('is forbidden: User "dev" cannot patch', "cannot rollback a paused deployment")
    viewer = sim.write_kubeconfig(str(tmp_path / "dev"), context="dev", user="dev",
                                  namespace="shop")
    app = make_app(config=viewer)
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "deploy", "^frontend$")  # dev may look, not touch
        await pilot.press("r")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        assert await wait_for(pilot, lambda: any(
            'deployments.apps "frontend" is forbidden: User "dev" cannot patch resource '
            '"deployments"' in m for m in notes.errors()), tries=300), notes.errors()
    # a refused undo: kubectl's rule, no rollback of a paused deployment
    kubectl("rollout", "restart", "deploy/redis", "-n", "shop")
    wait_until(lambda: "successfully rolled out" in kubectl(
        "rollout", "status", "deploy/redis", "-n", "shop", "--timeout=30s").stdout, timeout=40)
    kubectl("rollout", "pause", "deploy/redis", "-n", "shop")
    admin = make_app()
    try:
        async with admin.run_test(size=(160, 48)) as pilot:
            await select(pilot, admin, "deploy", "^redis$")
            await pilot.press("o")
            assert await wait_for(pilot, lambda: cockpit_state(admin) == "paused"
                                  and len(admin.screen.model.history) >= 2, tries=300)
            await pilot.press("u")
            assert await wait_for(pilot, lambda: isinstance(admin.screen, ConfirmScreen))
            await pilot.press("y")
            assert await wait_for(pilot, lambda: any(
                "you cannot rollback a paused deployment; resume it first" in m
                for m in notes.errors()), tries=300), notes.errors()
            assert isinstance(admin.screen, RolloutScreen)  # still there, nothing lost
    finally:
        kubectl("rollout", "resume", "deploy/redis", "-n", "shop")


async def test_a_rollout_to_a_missing_image_shows_stuck_with_the_pull_error(make_app, kubectl,
                                                                           sim):
    from conftest import deployment, make_namespace

    make_namespace(sim, "stuck-demo")
    sim.create("Deployment", "stuck-demo", deployment("web", replicas=2))
    wait_until(lambda: "successfully rolled out" in kubectl(
        "rollout", "status", "deploy/web", "-n", "stuck-demo", "--timeout=30s").stdout,
        timeout=40)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "deploy", "^web$")
        await pilot.press("o")
        assert await wait_for(pilot, lambda: cockpit_state(app) == "rolled out", tries=300)
        kubectl("set", "image", "deploy/web", "main=nginx:does-not-exist", "-n", "stuck-demo")
        assert await wait_for(pilot, lambda: cockpit_state(app) == "stuck", tries=600)
        model = app.screen.model
        assert "ImagePullBackOff" in model.reason or "ErrImagePull" in model.reason
        assert model.groups[0].new and model.groups[0].images == ["nginx:does-not-exist"]
        assert any(not g.new and g.ready == 2 for g in model.groups)  # the old ones serve on
