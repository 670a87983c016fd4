"""One-shot commands in a pod's container, inside the TUI: type a command, see its stdout,
its stderr (in red) and its exit code; earlier commands stay on screen and come back with
up / down. Commands run through `sh -c` (pipes and `&&` work); a container without a
shell runs the words as they are, as `kubectl exec -- cmd args` would."""

from __future__ import annotations

import logging
import shlex
import time

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, RichLog, Static

from kubetui.kube.client import ApiError
from kubetui.kube.exec import ExecResult, exec_once
from kubetui.render.safe import harmless
from kubetui.ui.screens.base import KubetuiScreen

from ..widgets.footer import Footer

log = logging.getLogger("kubetui.ui")

EXIT_MEANING = {126: "not executable", 127: "command not found", 137: "killed (SIGKILL)",
                143: "terminated (SIGTERM)"}


class CommandInput(Input):
    BINDINGS = [Binding("up", "history(-1)", "Previous", show=False, id="exec.previous"),
                Binding("down", "history(1)", "Next", show=False, id="exec.next")]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.history: list[str] = []
        self._at = 0

    def remember(self, command: str) -> None:
        if not self.history or self.history[-1] != command:
            self.history.append(command)
        self._at = len(self.history)

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        self._at = max(0, min(len(self.history), self._at + step))
        self.value = self.history[self._at] if self._at < len(self.history) else ""
        self.cursor_position = len(self.value)


def run_command(client, namespace: str, pod: str, container: str | None,
                command: str, timeout: float = 60) -> ExecResult:
    """`command` through the container's sh; the bare words if it has none."""
    result = exec_once(client, namespace, pod, ["sh", "-c", command], container,
                       timeout=timeout)
    if result.code == 126 and not result.stdout:  # no sh in the image (distroless)
        return exec_once(client, namespace, pod, shlex.split(command), container,
                         timeout=timeout)
    return result


PLACEHOLDER = "a command, e.g. cat /etc/resolv.conf  (up/down: history)"


class ExecScreen(KubetuiScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="exec.back"),
                Binding("ctrl+l", "clear", "Clear", id="exec.clear")]

    def __init__(self, cluster, pod: dict, container: str | None = None):
        super().__init__()
        self.cluster, self.pod, self.container = cluster, pod, container
        self.running = False
        self.timeout = 60.0  # seconds without an answer before a command is given up

    def compose(self) -> ComposeResult:
        meta = self.pod["metadata"]
        where = f"{meta['namespace']}/{meta['name']}" + (
            f" ({self.container})" if self.container else "")
        yield Static(Text.assemble((" exec ", "bold reverse"), f" {where}  ",
                                   ("one-shot commands; s in the browser opens a shell",
                                    "dim")), id="exec-title")
        yield RichLog(id="exec-output", wrap=True, markup=False, highlight=False,
                      min_width=20)  # wrap to the screen (its default, 78, cuts at 80 cols)
        yield CommandInput(placeholder=PLACEHOLDER, id="exec-input")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(CommandInput).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        command = event.value.strip()
        if not command or self.running:
            return
        field = self.query_one(CommandInput)
        field.remember(command)
        field.value = ""
        self.query_one(RichLog).write(Text(f"$ {command}", style="bold"))
        field.placeholder = (f"running {command[:40]!r} ... (no answer in {self.timeout:.0f}s "
                             "ends it; esc leaves)")
        self.running = True
        self._run(command)

    @work(thread=True, group="exec", exit_on_error=False)
    def _run(self, command: str) -> None:
        meta = self.pod["metadata"]
        started = time.monotonic()
        try:
            result = run_command(self.cluster.client, meta["namespace"], meta["name"],
                                 self.container, command, self.timeout)
            error = ""
        except ApiError as exc:
            log.error("exec %r in %s/%s failed", command, meta["namespace"], meta["name"],
                      exc_info=True)
            result, error = None, exc.message
        except Exception as exc:  # the boundary: whatever failed, the screen must end
            log.exception("exec %r in %s/%s failed", command, meta["namespace"], meta["name"])
            result, error = None, str(exc) or type(exc).__name__
        took = time.monotonic() - started
        self.post_message(self.Finished(result, error, took))

    class Finished(Message):
        """A command ended: its result, or the error that ended it, and how long."""

        def __init__(self, result: ExecResult | None, error: str, took: float) -> None:
            super().__init__()
            self.result, self.error, self.took = result, error, took

    def on_exec_screen_finished(self, message: Finished) -> None:
        self._show(message.result, message.error, message.took)

    def _show(self, result: ExecResult | None, error: str, took: float) -> None:
        self.running = False
        self.query_one(CommandInput).placeholder = PLACEHOLDER
        out = self.query_one(RichLog)
        if result is None:
            out.write(Text(f"cannot run it: {error}", style="bold red"))
            return
        if result.stdout:
            out.write(Text(harmless(result.stdout.rstrip("\n"))))
        if result.stderr:
            out.write(Text(harmless(result.stderr.rstrip("\n")), style="red"))
        meaning = EXIT_MEANING.get(result.code, "")
        out.write(Text(f"exit {result.code}" + (f" ({meaning})" if meaning else "")
                       + f" · {took * 1000:.0f} ms\n",
                       style="green" if result.code == 0 else "bold red"))

    def action_clear(self) -> None:
        self.query_one(RichLog).clear()


__all__ = ["ExecScreen", "run_command"]
