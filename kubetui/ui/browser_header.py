"""The browser's header: the context, the view's trail and scope, the stream's health,
the marks and the live lint's count; painted only when what it shows changed."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from humanize import naturaltime

from kubetui.ui.widgets.header import ClusterHeader

if TYPE_CHECKING:
    from kubetui.ui.screens.browser import BrowserScreen


class BrowserHeader:
    """What the browser's header last showed, and the live lint's flag it shows."""

    def __init__(self, screen: BrowserScreen) -> None:
        self.screen = screen
        self.inputs: tuple = ()  # what the last paint showed
        self.lint_flag: tuple | None = None  # (header text, worst severity) of the rows
        self.lint_seen: tuple = ()

    def stale(self) -> None:
        """Paint again at the next look (what it shows changed unseen)."""
        self.inputs = ()

    def lint_tick(self) -> None:
        """The live lint's findings: a marker on each row with some, a count in the
        header (ui/screens/lint.py does the work). The app calls it on each look."""
        from kubetui.ui.live_lint import lint_marks
        screen = self.screen
        if screen.app.screen is not screen:
            return
        marks, flag, version = lint_marks(screen.app, screen.state.kind,
                                          screen.state.namespace, screen.group)
        seen = (version, screen.state.kind, screen.state.namespace, marks is None)
        if seen != self.lint_seen:
            self.lint_seen, self.lint_flag = seen, flag
            screen.table.set_marks(marks)
            self.paint()

    def paint(self) -> None:
        """Show what changed since the last paint (nothing, most looks)."""
        screen = self.screen
        app = screen.app
        ctx = app.context_info
        health = screen.group.health if screen.group else None
        detail = ""
        if health is not None:
            if health.state in ("syncing", "relisting") and health.listed:
                detail = f"{screen.plural()} {health.listed:,}" + (
                    f" / {health.total:,}" if health.total else "")
            elif health.message:
                wait = max(0.0, health.next_try - time.time())
                detail = f"{health.message} (retry in {wait:.0f}s)" if wait else health.message
            if health.state != "live" and health.live_until:
                detail += f"; stale since {naturaltime(time.time() - health.live_until)}"
        inputs = (ctx, app.server_version, health, detail, len(screen.stack), screen.state,
                  screen.table.row_count, screen.wide, self.lint_flag,
                  len(screen.marks.of(screen.bulk.view_id())))
        if inputs == self.inputs:
            return
        self.inputs = inputs
        crumbs = [s.crumb or s.title for s in screen.stack] + [screen.state.crumb or
                                                             screen.state.title]
        view_text = " > ".join(crumbs[-4:])
        if screen.state.crumb:
            view_text += f"  {screen.state.title}"
        extras = []
        if screen.state.filter:
            extras.append(f"/{screen.state.filter}")
        if screen.state.label_selector and not screen.state.crumb:
            extras.append(f"-l {screen.state.label_selector}")
        state = screen.state
        if state.sort_column:
            extras.append(f"sort {state.sort_column}{'↓' if state.sort_reverse else '↑'}")
        if screen.wide:
            extras.append("wide")
        marked = len(screen.marks.of(screen.bulk.view_id()))
        if marked:
            extras.append(f"{marked} marked")
        screen.query_one(ClusterHeader).show(
            context=ctx.name if ctx else "-", cluster=ctx.cluster if ctx else "-",
            user=ctx.user if ctx else "-", server=ctx.server if ctx else "-",
            version=app.server_version, view=view_text, scope=" ".join(extras),
            count=screen.table.row_count, health=health.state if health else "connecting",
            detail=detail, badge="READ-ONLY" if app.settings.readonly else "",
            favorites=screen.favorites, namespace=screen.active_namespace, lint=self.lint_flag)


__all__ = ["BrowserHeader"]
