"""`KubetuiScreen`: the base of kubetui's screens, whose `app` is typed as kubetui's app
(the type checker then knows `cluster`, `settings`, `forwards` ...). Screens that act on
objects derive from `ActingScreen` (screens/acting.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.binding import Binding
from textual.screen import Screen

if TYPE_CHECKING:
    from kubetui.ui.app import KubetuiApp


class KubetuiScreen(Screen[Any]):
    # `:` from any screen, as in k9s: back to the browser, its command bar open (a key
    # an input on the screen takes, e.g. a filter being typed, is that input's)
    BINDINGS = [Binding("colon", "command", "Command", show=False, id="screen.command")]

    async def action_command(self) -> None:
        """Close the screens over the browser, then open its command bar. (Awaited in
        the app's handling of the key, so the keys typed next reach the bar, not a
        screen on its way out: `c` cleared a log screen's lines.)"""
        app = self.app
        browser = app.browser
        while app.screen is not browser and browser in app.screen_stack:
            await app.pop_screen()
        if app.screen is browser:
            await browser.action_command()

    @property
    def app(self) -> KubetuiApp:  # type: ignore[override]  # narrower: kubetui's app
        return cast("KubetuiApp", super().app)
