"""Shared helpers of the Pilot tests of marks, nodes, cron jobs and edit: driving the
browser and hearing what the app says."""

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


async def show(pilot, app, kind: str, pattern: str, count: int) -> None:
    """`:kind`, then `/pattern`, until `count` rows show."""
    await command(pilot, kind)
    await filter_by(pilot, pattern)
    assert await wait_for(pilot, lambda: len(names(app)) == count), names(app)


class Notes:
    """Every notification the app shows (through the public notify), to assert on."""

    def __init__(self, app):
        self.seen: list[tuple[str, str]] = []
        shown = app.notify

        def notify(message, *args, **kw):
            self.seen.append((str(message), kw.get("severity", "information")))
            return shown(message, *args, **kw)
        app.notify = notify

    def errors(self) -> list[str]:
        return [m for m, severity in self.seen if severity == "error"]

    def said(self, part: str) -> bool:
        return any(part in m for m, _ in self.seen)


def bare_pod(name: str, image: str = "nginx:1.27", **spec) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {
        "app": name}}, "spec": {"containers": [{"name": "main", "image": image}], **spec}}


def running(sim, ns: str, name: str) -> bool:
    pod = sim.get("Pod", ns, name)
    return pod is not None and (pod.get("status") or {}).get("phase") == "Running"
