"""Strings from the server never drive the terminal: ESC, CSI, OSC 52 (clipboard), OSC 0
(title) and BEL planted in an annotation, an event message and a ConfigMap's data reach
the real terminal (a pty, read back through a terminal emulator) only as harmless text,
in describe, the events table and YAML."""

from __future__ import annotations

import os
import select
import sys
import time

import pyte
import pytest
from conftest import PtyProcess

PLANT = ("\x1b]52;c;cGxhbnRlZA==\x07PLANTED-OSC \x1b[31mPLANTED-CSI\x1b[0m "
         "\x07PLANTED-BEL \x1b]0;pwned-title\x07PLANTED-TITLE")
NEVER = [b"\x1b]52;c;cGxhbnRlZA==", b"\x1b]0;pwned-title", b"\x1b[31mPLANTED",
         b"\x07PLANTED-BEL"]


def plant(sim) -> None:
    sim.create("Namespace", None, {"metadata": {"name": "evil"}})
    sim.create("ConfigMap", "evil", {"metadata": {"name": "evil-cm"}, "data": {
        "k": PLANT, "long": "LONG-" + "x" * 100 + "-END-OF-LONG"}})
    pod = sim.create("Pod", "evil", {
        "metadata": {"name": "evil-pod", "annotations": {"note": PLANT}},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}})
    sim.create("Event", "evil", {
        "metadata": {"name": "evil-pod.1"}, "type": "Warning", "reason": "Planted",
        "message": PLANT, "count": 1, "firstTimestamp": "2026-11-30T10:00:00Z",
        "lastTimestamp": "2026-11-30T10:00:00Z",
        "involvedObject": {"kind": "Pod", "namespace": "evil", "name": "evil-pod",
                           "uid": pod["metadata"]["uid"]}})


@pytest.fixture(scope="module")
def evil(sim):
    """The namespace with every planted field, once for the module's tests."""
    plant(sim)


class Terminal:
    """The pty's output, kept raw and drawn by a VT emulator."""

    def __init__(self, term: PtyProcess, cols: int, rows: int):
        self.term, self.raw = term, b""
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for_line(self, row: int, text: str, timeout: float = 30) -> bool:
        """Until the screen's `row` reads `text`."""
        return self._wait(lambda: self.screen.display[row].rstrip() == text.rstrip(), timeout)

    def wait_for(self, *needles: str, timeout: float = 30) -> bool:
        return self._wait(lambda: all(n in self.text() for n in needles), timeout)

    def _wait(self, done, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if done():
                return True
            ready, _, _ = select.select([self.term.fd], [], [], 0.1)
            if ready:
                try:
                    data = os.read(self.term.fd, 65536)
                except OSError:
                    break
                self.raw += data
                self.stream.feed(data)
        return done()


def launch(kubeconfig: str, state: str, cols: int, rows: int) -> tuple[PtyProcess, Terminal]:
    """kubetui on a pty of that size, in the evil namespace, its pods live."""
    env = {**os.environ, "TERM": "xterm-256color", "XDG_STATE_HOME": state}
    term = PtyProcess([sys.executable, "-m", "kubetui", "--kubeconfig", kubeconfig,
                       "-n", "evil"], env, cols=cols, rows=rows)
    screen = Terminal(term, cols, rows)
    if not screen.wait_for("evil-pod", "● live"):
        term.close()
        pytest.fail(f"the pods never showed live:\n{screen.text()}")
    return term, screen


def yaml_of_the_configmap(term: PtyProcess, screen: Terminal) -> None:
    term.send(b":cm\r")
    assert screen.wait_for("configmaps(evil)", "evil-cm"), screen.text()
    term.send(b"/evil-cm\r")
    assert screen.wait_for("/evil-cm [1]"), screen.text()
    term.send(b"y")  # YAML: the data


def leave(term: PtyProcess, screen: Terminal, view: str) -> None:
    """q back to `view`, then :q: the program exits cleanly."""
    term.send(b"q")
    assert screen.wait_for(view), screen.text()
    term.send(b":q\r")
    assert term.exit_code() == 0


def test_planted_control_sequences_reach_the_terminal_as_text(evil, kubeconfig, tmp_path):
    term, screen = launch(kubeconfig, str(tmp_path), 200, 50)
    try:
        term.send(b"d")  # describe: the annotation (and the pod's events)
        assert screen.wait_for("note:", "PLANTED-CSI"), screen.text()
        term.send(b"q")
        assert screen.wait_for("pods(evil)"), screen.text()
        term.send(b":ev\r")  # the events view: the message
        assert screen.wait_for("events(evil)", "PLANTED-OSC"), screen.text()
        yaml_of_the_configmap(term, screen)
        assert screen.wait_for("PLANTED-TITLE"), screen.text()
        for raw in NEVER:  # the sequences themselves never reached the terminal
            assert raw not in screen.raw, raw
        assert "pwned-title" not in (screen.screen.title or "")
        leave(term, screen, "configmaps(evil)")
    finally:
        term.close()


def test_at_80_columns_a_long_yaml_line_scrolls_sideways_or_wraps(evil, kubeconfig, tmp_path):
    """A value wider than the screen was cut at the edge with no way to read its end:
    right scrolls to it, w wraps it onto the next lines (still harmless text). (A value
    with spaces is folded at 80 columns, as kubectl folds it; one without cannot be.)"""
    term, screen = launch(kubeconfig, str(tmp_path), 80, 24)
    try:
        yaml_of_the_configmap(term, screen)
        assert screen.wait_for("PLANTED-BEL", "PLANTED-TITLE", "LONG-xxx"), screen.text()
        assert "END-OF-LONG" not in screen.text()  # past the edge
        term.send(b"\x1b[C" * 30)  # thirty rights at once, as a held key sends them
        assert screen.wait_for("END-OF-LONG"), screen.text()
        term.send(b"w")
        assert screen.wait_for("metadata:", "LONG-xxx", "END-OF-LONG"), screen.text()
        for raw in NEVER:
            assert raw not in screen.raw, raw
        term.send(b"q")
        assert screen.wait_for("configmaps(evil)")
        # describe of the pod, taller than the screen: ten downs at once move ten lines
        # (Textual's animated scroll took three of them)
        term.send(b":po\r")
        assert screen.wait_for("pods(evil)", "evil-pod"), screen.text()
        term.send(b"d")
        assert screen.wait_for("Containers:"), screen.text()
        lines = screen.text().splitlines()
        term.send(b"\x1b[B" * 10)
        assert screen.wait_for(lines[11].rstrip()) and screen.wait_for_line(1, lines[11]), \
            screen.text()
        leave(term, screen, "pods(evil)")
    finally:
        term.close()
