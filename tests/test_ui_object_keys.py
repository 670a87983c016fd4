"""Describe and YAML offer a key only where it works: "Reveal a secret value" on a
Secret, "Port-forward" on what can be forwarded (a pod's describe offered the first,
an Event's the second, and pressing them only said they do not apply)."""

from __future__ import annotations

import pytest
from conftest import wait_for
from helpers import command, filter_by
from textual.widgets._footer import FooterKey

from kubetui.ui.screens.object import ObjectScreen


@pytest.mark.parametrize(("kind", "pattern", "offered", "not_offered"), [
    ("pods", "^frontend-", {"Port-forward"}, {"Reveal a secret value"}),
    ("secrets", "^payments-db$", {"Reveal a secret value"}, {"Port-forward"}),
    ("ev", "frontend", set(), {"Reveal a secret value", "Port-forward"}),
])
async def test_describe_offers_the_keys_that_work_on_its_kind(make_app, notes, kind, pattern,
                                                              offered, not_offered):
    app = make_app()
    async with app.run_test(size=(200, 48)) as pilot:
        browser = app.browser
        assert await wait_for(pilot, lambda: browser.ready and browser.table.row_count > 5)
        await command(pilot, kind)
        await filter_by(pilot, pattern)
        assert await wait_for(pilot, lambda: browser.table.row_count >= 1
                              and browser.state.filter == pattern)
        await pilot.press("d")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ObjectScreen))
        screen = app.screen

        def keys() -> set[str]:
            return {k.description for k in screen.query(FooterKey)}

        assert await wait_for(pilot, lambda: "Describe" in keys() and offered <= keys()), \
            keys()
        assert not keys() & not_offered, keys()
        for key, description in (("x", "Reveal a secret value"), ("F", "Port-forward")):
            if description in not_offered:  # the key does nothing either
                await pilot.press(key)
                await pilot.pause()
                assert app.screen is screen
    assert not notes.said("Only a Secret has values")
    assert not notes.said("port-forward works on")
    assert notes.errors() == []


async def test_describe_and_yaml_scroll_with_j_k_g_and_shift_g(make_app, notes):
    """As k9s (and the tables here): j k a line, G the end, g the top."""
    from helpers import select
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        browser = app.browser
        assert await wait_for(pilot, lambda: browser.ready and browser.table.row_count > 5)
        await select(pilot, app, "pods", "^redis-")
        for key in ("d", "y"):
            await pilot.press(key)
            assert await wait_for(pilot, lambda: isinstance(app.screen, ObjectScreen))
            body = app.screen.query_one("#object-body")
            assert await wait_for(pilot, lambda body=body: body.max_scroll_y > 10)
            await pilot.press("G")
            assert await wait_for(pilot, lambda body=body: body.scroll_y == body.max_scroll_y)
            await pilot.press("g")
            assert await wait_for(pilot, lambda body=body: body.scroll_y == 0)
            await pilot.press("j", "j", "j", "k")
            assert await wait_for(pilot, lambda body=body: body.scroll_y == 2)
            await pilot.press("escape")
            assert await wait_for(pilot, lambda: app.screen is browser)
    assert notes.errors() == []
