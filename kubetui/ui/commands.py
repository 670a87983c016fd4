"""The command palette (ctrl+p) offers what the `:` bar does: every kind, the context
and namespace pickers, the themes, and the browser's keys by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from kubetui.kube.kinds import KINDS

if TYPE_CHECKING:
    from kubetui.ui.app import KubetuiApp


class KubetuiCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = cast("KubetuiApp", self.app)
        browser = getattr(app, "_browser", None)
        out: list[tuple[str, Callable[[], object], str]] = []
        if browser is not None:
            for kind in sorted(KINDS.values(), key=lambda k: k.plural):
                out.append((f"Show {kind.plural}", partial(browser.run_command, kind.plural),
                            f":{kind.short[0] if kind.short else kind.plural}"))
            out += [("Switch context", partial(app.pick_context, None), ":ctx"),
                    ("Show namespaces", partial(browser.run_command, "ns"), ":ns"),
                    ("All namespaces", partial(browser.action_namespace, 0), "0"),
                    ("Describe the selected object", browser.action_describe, "d"),
                    ("YAML of the selected object", browser.action_yaml, "y"),
                    ("Toggle wide columns", browser.action_wide, "ctrl+w"),
                    ("Filter the rows", browser.action_filter, "/"),
                    ("Footgun lint: findings by severity and rule",
                     partial(browser.run_command, "lint"), ":lint"),
                    ("Port-forwards", partial(browser.run_command, "pf"), ":pf"),
                    ("Fleet: every context of every kubeconfig file, live",
                     partial(browser.run_command, "fleet"), ":fleet"),
                    ("Aliases: every command and kind short name",
                     partial(browser.run_command, "aliases"), ":aliases  ctrl+a")]
        for name in sorted(app.available_themes):
            out.append((f"Theme: {name}", partial(app.pick_theme, name), f":theme {name}"))
        return out

    async def discover(self) -> Hits:
        for text, command, help_text in self._commands()[:12]:
            yield DiscoveryHit(text, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, help=help_text)
