"""Opening a shell tries each shell in turn (bash, then sh), up to about a second each:
that must happen off the UI thread, which stays live meanwhile, and the session it
opens is handed back to the UI thread to take the terminal."""

from __future__ import annotations

import threading

from conftest import wait_for
from helpers import filter_by, names

from kubetui.kube.exec import ExecSession


async def test_the_shell_opens_off_the_ui_thread(make_app, sim, monkeypatch, notes):
    notes.expect("^cannot hand the terminal to the shell")
    opened: list[str] = []
    release = threading.Event()
    real_open = ExecSession.open

    def slow_open(session, *args, **kwargs):
        opened.append(threading.current_thread().name)
        release.wait(20)  # as slow as a container without bash
        return real_open(session, *args, **kwargs)

    monkeypatch.setattr(ExecSession, "open", slow_open)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await filter_by(pilot, "^redis-")
        assert await wait_for(pilot, lambda: len(names(app)) == 1)
        await pilot.press("s")
        assert await wait_for(pilot, lambda: opened)
        assert opened[0] != threading.main_thread().name
        # the UI is live while the shell opens: a key still works
        await pilot.press("slash")
        assert await wait_for(pilot, lambda: app.browser.query_one("#command-bar").display)
        await pilot.press("escape")
        release.set()
        # the open session reaches the UI thread, which tries to hand it the terminal
        # (a test has none to hand over: that is the one error expected)
        assert await wait_for(pilot, lambda: notes.errors(), tries=400)
        errors = notes.errors()
        assert len(errors) == 1 and "cannot hand the terminal" in errors[0], errors
