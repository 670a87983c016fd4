"""The header says which namespace is in force, however it was chosen: Enter on a
namespace in `:ns` scoped every view to it while the header still read `<0>all`."""

from __future__ import annotations

from conftest import wait_for
from helpers import command, select

from kubetui.ui.widgets.header import favorites_line


def header_text(app) -> str:
    from kubetui.ui.widgets.header import ClusterHeader
    return str(app.browser.query_one(ClusterHeader).render())


async def test_enter_on_a_namespace_marks_it_in_force_in_the_header(make_app, notes):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        browser = app.browser
        assert await wait_for(pilot, lambda: browser.ready and browser.table.row_count > 20)
        assert "<0>all*" in header_text(app)
        await select(pilot, app, "ns", "^shop$")
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: browser.state.namespace == "shop")
        await command(pilot, "deploy")
        assert await wait_for(pilot, lambda: browser.state.kind == "Deployment")
        assert await wait_for(pilot, lambda: "shop*" in header_text(app)), header_text(app)
        assert "<0>all*" not in header_text(app)
        await pilot.press("0")  # and it is a favourite now: 0 and back by its number
        assert await wait_for(pilot, lambda: browser.state.namespace is None)
        slot = header_text(app).split(">shop")[0].rsplit("<", 1)[1]
        await pilot.press(slot)
        assert await wait_for(pilot, lambda: browser.state.namespace == "shop")
    assert notes.errors() == []


def test_a_namespace_in_force_beyond_nine_favourites_is_still_shown():
    nine = [f"ns{i}" for i in range(1, 10)]
    assert favorites_line(nine, "ns3").startswith("<0>all <1>ns1 <2>ns2 <3>ns3* ")
    line = favorites_line(nine, "tenth")
    assert line.endswith("<9>ns9 tenth*") and "<0>all*" not in line
    assert favorites_line([], None) == "<0>all*"
