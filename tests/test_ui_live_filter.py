"""`/` filters the rows as it is typed, as k9s's does (it waited for Enter): Escape puts
back what was in force, Enter keeps it; a label selector (sent to the server) waits for
Enter."""

from __future__ import annotations

from conftest import wait_for


async def test_slash_filters_as_it_is_typed_and_escape_puts_it_back(make_app, notes):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        browser, table = app.browser, app.browser.table
        assert await wait_for(pilot, lambda: browser.ready and table.row_count > 20)
        every = table.row_count
        await pilot.press("slash", *"^frontend-")  # no Enter
        assert await wait_for(pilot, lambda: browser.state.filter == "^frontend-"
                              and table.row_count == 3), (browser.state.filter, table.row_count)
        await pilot.press("escape")  # never entered: what was in force (nothing) is back
        assert await wait_for(pilot, lambda: not browser.state.filter
                              and table.row_count >= every - 2)
        await pilot.press("slash", *"^redis-", "enter")
        assert await wait_for(pilot, lambda: table.row_count == 1
                              and browser.state.filter == "^redis-")
        # a label selector is a request to the server: it waits for Enter
        await pilot.press("slash", "ctrl+u", *"-l app=frontend")
        assert await wait_for(pilot, lambda: not browser.live_filter.pending)  # (passed)
        # (a pause after the "-" alone may have filtered by it: a regex like any)
        assert browser.state.label_selector is None
        assert not browser.state.filter.startswith("-l")
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: browser.state.label_selector == "app=frontend"
                              and table.row_count == 3)
    assert notes.errors() == []
