"""`s` on a pod opens a shell in the real terminal, driven here through a pseudo-terminal:
the app suspends, keys reach the container, `exit` brings the table back."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time


def test_shell_in_a_pod_through_a_pty(sim, kubeconfig):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update({"TERM": "xterm-256color", "COLUMNS": "140", "LINES": "40",
                           "XDG_STATE_HOME": "/tmp/kubetui-test-state"})
        os.execv(sys.executable, [sys.executable, "-m", "kubetui", "--kubeconfig", kubeconfig])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
    seen = b""

    def read_until(needle: bytes, timeout: float = 20) -> bool:
        nonlocal seen
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if needle in seen:
                return True
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    return needle in seen
        return needle in seen

    def send(data: bytes, pause: float = 0.3) -> None:
        os.write(fd, data)
        time.sleep(pause)

    try:
        assert read_until(b"frontend-"), "the pods table never showed"
        send(b"/")
        send(b"redis\r", 1.0)  # one pod: redis (alpine has sh, not bash)
        seen = b""
        send(b"s", 0.5)
        assert read_until(b"/ # "), seen[-500:]
        send(b"hostname\r")
        assert read_until(b"redis-"), seen[-500:]
        send(b"exit 4\r")
        assert read_until(b"ended (exit 4)"), seen[-800:]
        send(b"q", 1.0)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.close(fd)
