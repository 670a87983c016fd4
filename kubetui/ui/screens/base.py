"""`KubetuiScreen`: the base of kubetui's screens, whose `app` is typed as kubetui's app
(the type checker then knows `cluster`, `settings`, `forwards` ...). Screens that act on
objects derive from `ActingScreen` (screens/acting.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from kubetui.ui.app import KubetuiApp


class KubetuiScreen(Screen[Any]):
    @property
    def app(self) -> KubetuiApp:  # type: ignore[override]  # narrower: kubetui's app
        return cast("KubetuiApp", super().app)
