"""The real terminal bridged to an exec session (no kubectl needed): raw mode, keys to
the container, its output to the screen, window size changes as resize messages. The
app is suspended meanwhile and comes back when the shell exits."""

from __future__ import annotations

import os
import select
import shutil
import signal
import sys
import termios
import tty

from kubetui.kube.exec import ExecSession


def bridge(session: ExecSession, stdin=None, stdout=None) -> int | None:
    """Run until the shell exits; its exit code (None if unknown). ApiError when the
    exec itself failed (the server's Status, e.g. the kubelet could not be reached)."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    fd_in, fd_out = stdin.fileno(), stdout.fileno()
    old = termios.tcgetattr(fd_in) if os.isatty(fd_in) else None
    resized = [True]

    def on_winch(*_):
        resized[0] = True

    previous_handler = signal.signal(signal.SIGWINCH, on_winch)
    try:
        if old is not None:
            tty.setraw(fd_in)
        ws_sock = session.socket
        while session.is_open:
            if resized[0]:
                resized[0] = False
                size = shutil.get_terminal_size()
                session.resize(size.columns, size.lines)
            ready, _, _ = select.select([fd_in, ws_sock], [], [], 0.2)
            if fd_in in ready:
                data = os.read(fd_in, 4096)
                if not data:
                    break
                session.write(data)
            out = session.read(timeout=0 if ws_sock not in ready else 0.01)
            if out:
                os.write(fd_out, out)
        out = session.read(timeout=0)
        if out:
            os.write(fd_out, out)
    finally:
        if old is not None:
            termios.tcsetattr(fd_in, termios.TCSADRAIN, old)
        signal.signal(signal.SIGWINCH, previous_handler)
        session.close()
    return session.returncode
