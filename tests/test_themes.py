"""Every theme `:theme` offers is readable (WCAG 2 contrast): text 4.5:1 against its
background, the rows' health colours 3:1, the cursor row and the panels' text 4.5:1.
kubetui derives its colours from a theme that does not set them (Textual's built-in
light themes used to get dark-theme rows: contrast 1.1-1.6)."""

from __future__ import annotations

import pytest

from kubetui.ui import themes
from kubetui.ui.app import KubetuiApp, Settings


@pytest.fixture(scope="module")
def offered(tmp_path_factory, kubeconfig):
    from kubetui.kube.config import load_kubeconfig
    return load_kubeconfig([kubeconfig])


async def test_every_offered_theme_is_readable(offered):
    app = KubetuiApp(offered, Settings())
    checked = []
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            names = sorted(app.available_themes)
            assert "textual-light" in names and "solarized-light" in names
            assert not set(names) & set(themes.UNVOUCHED)
            for name in names:
                app.theme = name
                await pilot.pause()
                v = app.get_css_variables()
                bg = v["background"]
                pairs = {"foreground": (v["foreground"], bg, 4.5),
                         "table header": (v["kt-header"], bg, 4.5),
                         "cursor row": (bg, v["kt-cursor"], 4.5),
                         "panel text": (v["kt-panel-text"], v["panel"], 4.5)}
                for health in ("ok", "pending", "error", "done"):
                    pairs[health] = (v[f"kt-status-{health}"], bg, 3.0)
                for what, (fg, back, ratio) in pairs.items():
                    assert themes.contrast(fg, back) >= ratio, (name, what, fg, back)
                assert len({v[f"kt-status-{h}"] for h in ("ok", "pending", "error")}) == 3
                checked.append(name)
    finally:
        app.shutdown()
    assert len(checked) >= 20


def test_readable_moves_a_colour_only_as_far_as_needed():
    assert themes.readable("#ffffff", "#000000", 4.5) == "#ffffff"
    moved = themes.readable("#a0c4e8", "#fdf6e3", 3.0)  # the old rows on solarized-light
    assert themes.contrast("#a0c4e8", "#fdf6e3") < 2
    assert 3.0 <= themes.contrast(moved, "#fdf6e3") < 4.0


async def test_theme_completes_and_the_choice_is_remembered(offered):
    from conftest import wait_for

    from kubetui.ui.widgets.command_bar import CommandBar
    app = KubetuiApp(offered, Settings())
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.press("colon", *"theme sola")
            bar = app.browser.query_one(CommandBar)
            await pilot.press("tab")  # completes to a full name
            assert await wait_for(pilot, lambda: bar.value.startswith("theme solarized-"))
            await pilot.press("enter")
            assert await wait_for(pilot, lambda: app.theme.startswith("solarized-"))
            picked = app.theme
    finally:
        app.shutdown()
    again = KubetuiApp(offered, Settings())
    try:
        async with again.run_test(size=(120, 30)) as pilot:
            assert await wait_for(pilot, lambda: again.theme == picked)
    finally:
        again.shutdown()
