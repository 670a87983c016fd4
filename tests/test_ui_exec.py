"""One-shot exec inside the TUI: `x` on a pod, a command, its stdout, stderr and exit
code on screen; earlier commands come back with up."""

from __future__ import annotations

from conftest import wait_for
from helpers import output, select

from kubetui.ui.screens.exec import CommandInput, ExecScreen


async def run(pilot, app, command: str, until: str) -> None:
    field = app.screen.query_one(CommandInput)
    field.value = command
    await pilot.press("enter")
    assert await wait_for(pilot, lambda: until in output(app), tries=400), output(app)


async def test_one_shot_commands_show_output_stderr_and_exit_codes(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "po", "^redis-")
        await pilot.press("x")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ExecScreen))
        await run(pilot, app, "echo hello from $HOSTNAME; echo oops >&2; exit 3", "exit 3")
        text = output(app)
        assert "$ echo hello from" in text and "hello from redis-" in text and "oops" in text
        await run(pilot, app, "nosuchtool --help", "exit 127 (command not found)")
        await run(pilot, app, "cat /etc/hostname", "exit 0")
        # history: up brings back the earlier commands, newest first
        await pilot.press("up")
        assert app.screen.query_one(CommandInput).value == "cat /etc/hostname"
        await pilot.press("up")
        assert app.screen.query_one(CommandInput).value == "nosuchtool --help"
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: not isinstance(app.screen, ExecScreen))


async def test_a_container_without_a_shell_runs_the_bare_command(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "po", "^kube-apiserver-")
        await pilot.press("x")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ExecScreen))
        await run(pilot, app, "ls /", "exit")
        assert "exit 0" in output(app) and "etc" in output(app), output(app)
