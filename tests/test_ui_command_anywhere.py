"""`:` works on every screen, as in k9s: from the logs, describe, YAML, the lint or the
architecture view it goes back to the browser with the command bar open, and what is
typed next is the command (it was ignored, and the letters typed next ran the log
screen's own keys: `c` cleared its lines, `o` asked for a container)."""

from __future__ import annotations

import pytest
from conftest import wait_for
from helpers import command, show
from textual.events import Key

from kubetui.ui.screens.arch import ArchScreen
from kubetui.ui.screens.lint import LintScreen
from kubetui.ui.screens.logs import LogScreen
from kubetui.ui.screens.object import ObjectScreen
from kubetui.ui.widgets.log_view import LogView


@pytest.mark.parametrize(("how", "screen"), [
    ("l", LogScreen), ("d", ObjectScreen), ("y", ObjectScreen), ("a", ArchScreen),
    (":lint", LintScreen)])
async def test_colon_on_any_screen_runs_a_command_in_the_browser(make_app, notes, how,
                                                                   screen):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        browser = app.browser
        assert await wait_for(pilot, lambda: browser.ready and browser.table.row_count > 20)
        await show(pilot, app, "pods", "^frontend-", 3)
        if how.startswith(":"):
            await command(pilot, how[1:])
        else:
            await pilot.press(how)
        assert await wait_for(pilot, lambda: isinstance(app.screen, screen))
        opened = app.screen
        if isinstance(opened, LogScreen):
            view = opened.query_one(LogView)
            assert await wait_for(pilot, lambda: view.lines)
        # all at once, as a terminal hands over `:deploy⏎` typed fast or pasted: the
        # keys after `:` are the command's
        for key, char in (("colon", ":"), *((c, c) for c in "deploy"), ("enter", "\r")):
            app.post_message(Key(key, char))
        assert await wait_for(pilot, lambda: app.screen is browser
                              and browser.state.kind == "Deployment"), \
            (app.screen, browser.state.kind)
        assert opened not in app.screen_stack
        if isinstance(opened, LogScreen):  # (`c` of "deploy" did not clear it on the way)
            assert view.lines
    assert notes.errors() == []


async def test_colon_typed_into_a_log_filter_is_the_filters(make_app, notes):
    """A screen's own input takes the `:` typed into it (a log filter on `a:b`)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        browser = app.browser
        assert await wait_for(pilot, lambda: browser.ready and browser.table.row_count > 20)
        await show(pilot, app, "pods", "^frontend-", 3)
        await pilot.press("l")
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogScreen))
        logs = app.screen
        await pilot.press("slash", *"GET:", "enter")
        view = logs.query_one(LogView)
        assert await wait_for(pilot, lambda: view.pattern is not None
                              and view.pattern.pattern.endswith("GET:"))
        assert app.screen is logs
    assert notes.errors() == []
