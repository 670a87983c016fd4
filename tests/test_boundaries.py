"""No code path turns an exception into silence: each user action whose kube/ call fails
with an exception nobody planned for (a RuntimeError, injected into the client call the
action goes through) shows the failure on screen, logs an ERROR with the traceback, and
leaves the app running."""

from __future__ import annotations

import logging

import kubernetes.stream
import pytest
from conftest import wait_for
from helpers import output, select

from kubetui.kube.client import KubeClient
from kubetui.ui.screens.exec import ExecScreen
from kubetui.ui.screens.logs import LogScreen
from kubetui.ui.screens.modals import ConfirmScreen
from kubetui.ui.widgets.log_view import LogView

INJECTED = "injected failure"


class Fault:
    """Make one client call raise RuntimeError for paths that contain `needle`; counts
    how often it fired, so a test can show that the fault was hit."""

    def __init__(self, monkeypatch, method: str, needle: str):
        self.fired = 0
        real = getattr(KubeClient, method)

        def failing(client, *args, **kwargs):
            path = args[0] if method != "send_json" and method != "request" else args[1]
            if needle in str(path):
                self.fired += 1
                raise RuntimeError(INJECTED)
            return real(client, *args, **kwargs)
        monkeypatch.setattr(KubeClient, method, failing)


def traced_errors(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info
            and isinstance(r.exc_info[1], RuntimeError) and INJECTED in str(r.exc_info[1])]


ACTIONS = {  # key, kind, row, (client method, path part)
    "describe": ("d", "po", "^redis-", ("get_json", "/pods/redis-")),
    "checklist": ("c", "po", "^redis-", ("get_json", "/pods/redis-")),
    "yaml": ("y", "po", "^redis-", ("get_json", "/pods/redis-")),
    "restart": ("r", "deploy", "^cart$", ("send_json", "/deployments/cart")),
    "logs": ("l", "po", "^redis-", ("stream", "/log")),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
async def test_an_unexpected_failure_is_shown_and_logged(action, make_app, monkeypatch,
                                                        caplog, notes):
    key, kind, row, (method, needle) = ACTIONS[action]
    notes.expect(INJECTED)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, kind, row)
        fault = Fault(monkeypatch, method, needle)
        with caplog.at_level(logging.ERROR):
            await pilot.press(key)
            if action == "restart":
                assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
                await pilot.press("y")
            if action == "logs":
                assert await wait_for(pilot, lambda: isinstance(app.screen, LogScreen))
                view = app.screen.query_one(LogView)

                def shown() -> str:
                    return "\n".join(view.visible_text())
                assert await wait_for(pilot, lambda: f"(log stream stopped: RuntimeError: "
                                                     f"{INJECTED})" in shown(), tries=400)
            else:
                assert await wait_for(pilot, lambda: any(INJECTED in m for m in
                                                         notes.errors()), tries=400), notes.seen
            assert await wait_for(pilot, lambda: traced_errors(caplog), tries=200)
        assert fault.fired
        assert app.is_running


@pytest.mark.parametrize("key", ["x", "s"])
async def test_an_unexpected_exec_failure_is_shown_and_logged(key, make_app, monkeypatch,
                                                             caplog, notes):
    fired = []

    def failing(*args, **kwargs):
        fired.append(args)
        raise RuntimeError(INJECTED)
    notes.expect(INJECTED)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "po", "^redis-")
        # (kube/exec.py imports the official client's helper when an exec starts)
        monkeypatch.setattr(kubernetes.stream, "stream", failing)
        with caplog.at_level(logging.ERROR):
            await pilot.press(key)
            if key == "x":
                assert await wait_for(pilot, lambda: isinstance(app.screen, ExecScreen))
                screen = app.screen
                screen.query_one("#exec-input").value = "echo hi"
                await pilot.press("enter")
                assert await wait_for(pilot, lambda: not screen.running, tries=400)
                shown = output(app)
                assert f"cannot run it: {INJECTED}" in shown, shown
            else:
                assert await wait_for(pilot, lambda: any(INJECTED in m for m in
                                                         notes.errors()), tries=400)
            assert await wait_for(pilot, lambda: traced_errors(caplog), tries=200)
        assert fired and app.is_running
