"""ctrl+a and `:aliases`: every command alias and kind short name (a CRD's too, found by
discovery), filtered with `/`; Enter shows the kind; `:pf` is among the commands."""

from __future__ import annotations

from conftest import wait_for
from helpers import command, names

from kubetui.kube.kinds import KINDS
from kubetui.ui.navigation import ALIASES
from kubetui.ui.screens.aliases import AliasesScreen
from kubetui.ui.screens.portforward import PortForwardScreen


def crd(sim) -> None:
    sim.create("CustomResourceDefinition", None, {
        "metadata": {"name": "widgets.alias.kubetui.dev"},
        "spec": {"group": "alias.kubetui.dev", "scope": "Namespaced",
                 "names": {"plural": "widgets", "singular": "widget", "kind": "Widget",
                           "shortNames": ["wdg"]},
                 "versions": [{"name": "v1", "served": True, "storage": True}]}})
    sim.wait_for(lambda: sim.store.registry.lookup("alias.kubetui.dev", "v1", "widgets"))


def shown(screen) -> dict[str, tuple[str, ...]]:
    return {screen.table.row(k)[0][0]: screen.table.row(k)[0] for k in screen.table.keys()}


async def test_ctrl_a_lists_every_alias_and_slash_filters(make_app, sim, notes):
    crd(sim)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: "Widget" in app.extra_kinds and names(app))
        await pilot.press("ctrl+a")
        assert await wait_for(pilot, lambda: isinstance(app.screen, AliasesScreen))
        screen = app.screen
        rows = shown(screen)
        for k in KINDS.values():  # every kind with all its words
            assert all(w in rows[k.plural][1].split(", ") for w in (*k.short, k.plural)), (
                k, rows[k.plural], app.extra_kinds)
        for alias, kind in ALIASES.items():
            plural = next(k.plural for k in KINDS.values() if k.kind == kind)
            assert alias in rows[plural][1].split(", ")
        assert rows["pods"] == ("pods", "po, pod, pods", "core/v1")
        assert rows["widgets"] == ("widgets", "wdg, widget, widgets", "alias.kubetui.dev/v1")
        assert rows[":pf"][1] == "pf, portforward, portforwards"
        assert rows[":aliases"][1] == "aliases, alias, a"
        # / filters as it is typed; Enter keeps it; Escape clears it, then goes back
        await pilot.press("slash", *"deploy")
        assert await wait_for(pilot, lambda: set(shown(screen)) == {"deployments"})
        await pilot.press("enter")
        assert screen.filter == "deploy" and set(shown(screen)) == {"deployments"}
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: len(shown(screen)) == len(rows))
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: app.screen is app.browser)
        # :aliases opens it too; Enter on a kind shows that kind
        await command(pilot, "aliases")
        assert await wait_for(pilot, lambda: isinstance(app.screen, AliasesScreen))
        await pilot.press("slash", *"wdg", "enter", "enter")
        assert await wait_for(pilot, lambda: app.screen is app.browser
                              and app.browser.state.kind == "Widget")
        await command(pilot, "pf")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PortForwardScreen))
        assert app.screen.table.row_count == 0
        assert "No port-forwards" in app.screen.table.empty_message
    assert notes.errors() == []


async def test_the_help_names_the_new_keys_where_they_work(make_app, api):
    """? on the pods, in :pf, :aliases and the checklist lists shift-f, ctrl+a, ctrl+d
    and e, as bound."""
    from helpers import select
    from kubernetes.client import CoreV1Api

    from kubetui.ui.screens.checklist import ChecklistScreen
    from kubetui.ui.screens.help import HelpScreen

    pod = sorted(p.metadata.name for p in CoreV1Api(api).list_namespaced_pod(
        "shop", label_selector="app=redis").items if p.status.phase == "Running")[0]
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "po", f"^{pod}$")

        async def help_rows() -> list:
            await pilot.press("question_mark")
            assert await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
            rows, footers.text = app.screen.rows, app.screen.footer
            await pilot.press("escape")
            return rows

        class footers:
            text = ""
        rows = await help_rows()
        assert ("F", "Port-forward") in rows and ("^a", "Aliases") in rows
        assert ":pf  port-forwards" in footers.text and ":aliases  every alias" in footers.text
        await command(pilot, "pf")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PortForwardScreen))
        assert ("^d", "Stop forward") in await help_rows()
        await pilot.press("escape")
        await pilot.press("ctrl+a")
        assert await wait_for(pilot, lambda: isinstance(app.screen, AliasesScreen))
        assert ("/", "Filter") in await help_rows()
        await pilot.press("escape")
        await pilot.press("c")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ChecklistScreen))
        assert ("e", "Debug container") in await help_rows()
