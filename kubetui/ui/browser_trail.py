"""Where the browser's navigation keys take it: into a row (enter), back along the trail
or out of a filter (esc), to an object's owner (J), to another namespace (`:ns`, the
favourites 0-9). Each shows a view through the screen's `show`."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from kubetui.ui.navigation import ViewState, drill_down, owner_view

if TYPE_CHECKING:
    from kubetui.ui.screens.browser import BrowserScreen


class BrowserTrail:
    """The browser's navigation: the trail of views and the namespaces."""

    def __init__(self, screen: BrowserScreen) -> None:
        self.screen = screen

    def owner(self) -> None:
        """Jump to the selected object's owner (J again climbs further); Escape returns."""
        screen = self.screen
        picked = screen.selected()
        if picked is None:
            return
        target = owner_view(picked[1])
        if target is None:
            screen.notify(f"{picked[1]['metadata']['name']} has no owner", timeout=3)
            return
        screen.show(target)

    def set_namespace(self, namespace: str | None) -> None:
        """Another namespace: a new trail (as in k9s), the kind in view kept; the
        namespace joins the favourites at the end (their numbers never move)."""
        screen = self.screen
        self._into(namespace)
        k = screen.kind_of(screen.state.kind)
        kind = "Pod" if (k is not None and not k.namespaced) or screen.state.crumb else \
            screen.state.kind
        screen.stack.clear()
        screen.show(ViewState(kind, namespace), push=False)

    def _into(self, namespace: str | None) -> None:
        """The namespace in force now; it joins the favourites at the end (their
        numbers never move), and the header says so."""
        screen = self.screen
        screen.active_namespace = namespace
        if namespace and "," not in namespace and namespace not in screen.favorites and \
                len(screen.favorites) < 9:
            screen.favorites.append(namespace)
        screen.header.stale()  # the favourites line changed

    def favourite(self, slot: int) -> None:
        """A favourite namespace by its number (0: all namespaces)."""
        screen = self.screen
        if slot == 0:
            self.set_namespace(None)
        elif slot <= len(screen.favorites):
            self.set_namespace(screen.favorites[slot - 1])
        else:
            screen.notify(f"no favourite namespace on {slot}: " + (", ".join(
                f"{i} {ns}" for i, ns in enumerate(screen.favorites, 1)) or "none yet") +
                " (they come from the config's favorites, then the namespaces you visit)",
                severity="warning", timeout=5)

    def open(self) -> None:
        """Into the selected row (a workload's pods, a namespace's ...); a row with nothing
        inside is described."""
        screen = self.screen
        picked = screen.selected()
        if picked is None:
            return
        target = drill_down(screen.state.kind, picked[1], screen.state)
        if target is None:
            screen.action_describe()
            return
        if screen.state.kind == "Namespace":  # (the header said "all" on)
            self._into(target.namespace)
        screen.show(target)

    def back(self) -> None:
        """esc: first the filter in force, whatever its kind (a drill-down's own selector
        is the view itself: esc leaves it), then back along the trail."""
        screen = self.screen
        if screen.state.filter or (screen.state.label_selector and not screen.state.crumb):
            state = screen.state
            # (the cursor stays on the row it was on: it went to the first row)
            screen.show(replace(state, filter="", label_selector=None
                                if not state.crumb else state.label_selector,
                                cursor_key=screen.table.cursor_key), push=False)
        elif screen.stack:
            previous = screen.stack.pop()
            screen.show(previous, push=False)


__all__ = ["BrowserTrail"]
