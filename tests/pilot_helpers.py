"""Helpers for Pilot tests of the port-forward, debug-container and aliases features:
typing a command, filtering, the rows shown, selecting one row, and catching every
notification through the public `notify`."""

from __future__ import annotations

from conftest import wait_for


async def command(pilot, text: str) -> None:
    await pilot.press("colon")
    await pilot.press(*text)
    await pilot.press("enter")


async def filter_by(pilot, text: str) -> None:
    await pilot.press("slash")
    await pilot.press(*text)
    await pilot.press("enter")


def names(app) -> list[str]:
    browser = getattr(app, "_browser", None)
    if browser is None or not browser._ready:
        return []
    return [k.rsplit("/", 1)[-1] for k in browser.table.keys()]


async def select(pilot, app, kind: str, pattern: str) -> None:
    """Show `kind` filtered by `pattern`, and wait until exactly one row is left."""
    await command(pilot, kind)
    await filter_by(pilot, pattern)
    assert await wait_for(pilot, lambda: len(names(app)) == 1), names(app)


class Notes:
    """Every notification the app shows (the public notify), to assert on."""

    def __init__(self, app):
        self.seen: list[tuple[str, str]] = []
        show = app.notify

        def notify(message, *args, **kw):
            self.seen.append((str(message), kw.get("severity", "information")))
            return show(message, *args, **kw)
        app.notify = notify

    def errors(self) -> list[str]:
        return [m for m, severity in self.seen if severity == "error"]

    def said(self, text: str, severity: str | None = None) -> bool:
        return any(text in m and (severity is None or s == severity) for m, s in self.seen)
