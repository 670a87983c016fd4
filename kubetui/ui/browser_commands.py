"""The browser's `:` commands: what each parsed command does (a view, a namespace, a
context, a theme, a screen to open), and an unknown word looked up among the kinds the
cluster serves (discovery) before it is refused in the parser's words. The screens that
keys open too (`a` the architecture, ctrl+a the aliases) open here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubetui.kube.discovery import find as discovery_find
from kubetui.ui.navigation import ViewState, parse_command

if TYPE_CHECKING:
    from kubetui.ui.screens.browser import BrowserScreen


class BrowserCommands:
    """The `:` commands of a browser screen."""

    def __init__(self, screen: BrowserScreen) -> None:
        self.screen = screen

    def run(self, text: str) -> None:
        """Run what was typed in the `:` bar (or picked in the palette)."""
        screen, app = self.screen, self.screen.app
        cmd = parse_command(text)
        if cmd.action == "view":  # a new trail, as in k9s: drill-downs make the crumbs
            screen.stack.clear()
            screen.show(ViewState(cmd.kind or "", screen.active_namespace,
                                  filter=cmd.argument or ""), push=False)
        elif cmd.action == "ns":
            screen.set_namespace(cmd.argument)
        elif cmd.action == "ctx":
            app.pick_context(cmd.argument)
        elif cmd.action == "theme":
            app.pick_theme(cmd.argument)
        elif cmd.action == "help":
            screen.action_help()
        elif cmd.action == "arch":
            self.arch(cmd.argument)
        elif cmd.action == "xray":
            self.xray(cmd.kind or "")
        elif cmd.action == "aliases":
            self.aliases()
        elif cmd.action == "pf":
            from kubetui.ui.screens.portforward import PortForwardScreen
            app.push_screen(PortForwardScreen())
        elif cmd.action == "fleet":
            from kubetui.ui.screens.fleet import open_fleet
            open_fleet(app, cmd.argument)
        elif cmd.action == "lint":
            from kubetui.ui.screens.lint import LintScreen
            app.push_screen(LintScreen())
        elif cmd.action == "logs" and app.cluster is not None:
            from kubetui.ui.screens.logs import (
                LogScreen,  # every pod the selector matches, later ones too
            )
            app.push_screen(LogScreen(app.cluster, screen.active_namespace or "",
                                      selector=cmd.argument, title=f"-l {cmd.argument}"))
        elif cmd.action == "timeline" and app.cluster is not None:
            from kubetui.ui.screens.timeline import TimelineScreen
            app.push_screen(TimelineScreen(app.cluster, cmd.argument or "",
                                           screen.active_namespace or "default"))
        elif cmd.action == "apply" and app.cluster is not None:
            screen.editing.apply_manifests(cmd.argument or "")
        elif cmd.action == "quit":
            app.call_later(app.action_quit_app)  # a coroutine: run it, not call it
        else:
            words = text.strip().lstrip(":").split()
            found = discovery_find(words[0] if words else "",
                                   getattr(app, "extra_kinds", {}))
            if found is None:
                screen.notify(cmd.error, severity="warning")
                return
            screen.stack.clear()  # `:gadgets widget-b` filters as `:deploy api` does
            screen.show(ViewState(found.kind, screen.active_namespace, found=found,
                                  filter=" ".join(words[1:])), push=False)


    def aliases(self) -> None:
        """Every command alias and kind short name (:aliases), as k9s's ctrl+a."""
        from kubetui.ui.screens.aliases import AliasesScreen
        self.screen.app.push_screen(AliasesScreen())

    def arch(self, namespace: str | None = None) -> None:
        """The architecture view, of the namespace in view (`:arch NS`, or all)."""
        from kubetui.ui.screens.arch import ArchScreen
        app = self.screen.app
        if app.cluster is not None:
            app.push_screen(ArchScreen(app.cluster, namespace or self.screen.active_namespace))

    def xray(self, kind: str) -> None:
        """The x-ray of a kind's objects (:xray KIND), in the namespace in view."""
        from kubetui.ui.screens.xray import XrayScreen
        app = self.screen.app
        if app.cluster is not None:
            app.push_screen(XrayScreen(app.cluster, kind, self.screen.active_namespace))


__all__ = ["BrowserCommands"]
