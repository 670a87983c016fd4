"""`s` on a pod opens a shell in the real terminal, driven here through a pseudo-terminal:
the app suspends, keys reach the container, `exit` brings the table back."""

from __future__ import annotations

import os
import sys

from conftest import PtyProcess


def test_shell_in_a_pod_through_a_pty(sim, kubeconfig):
    env = {**os.environ, "TERM": "xterm-256color",
           "XDG_STATE_HOME": "/tmp/kubetui-test-state"}
    term = PtyProcess([sys.executable, "-m", "kubetui", "--kubeconfig", kubeconfig], env)
    try:
        assert term.read_until(b"frontend-"), "the pods table never showed"
        term.send(b"/", 0.3)
        term.send(b"redis\r", 1.0)  # one pod: redis (alpine has sh, not bash)
        term.seen = b""
        term.send(b"s", 0.5)
        assert term.read_until(b"/ # "), term.seen[-500:]
        term.send(b"hostname\r")
        assert term.read_until(b"redis-"), term.seen[-500:]
        term.send(b"exit 4\r")
        assert term.read_until(b"ended (exit 4)"), term.seen[-800:]
        term.send(b"q", 1.0)
        assert term.exit_code() == 0
    finally:
        term.close()
