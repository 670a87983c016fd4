"""Start-up: `kubetui --version` and `--help` (which must import neither Textual nor the
kubernetes client), what they import (`python -X importtime`), and `kubetui --demo`
from launch to its first frame on a pseudo-terminal (the header drawn)."""

from __future__ import annotations

import os
import re
import select
import statistics
import subprocess
import sys
import time

from .report import goal_line, machine, write_json

GOALS = {"version_s": 0.15, "help_s": 0.15, "demo_first_frame_s": 1.5}
ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b.")


def _run(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kubetui", *args], capture_output=True, check=True)
    return time.perf_counter() - started


def imports(args: list[str]) -> dict:
    """What `kubetui ARGS` imports: the cumulative microseconds of the top-level
    packages, and whether Textual or the kubernetes client is among them."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "kubetui", *args],
                          capture_output=True, text=True, check=True)
    top: dict[str, int] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (p.strip() for p in line[len("import time:"):].split("|"))
        if not cumulative.isdigit():
            continue
        root = name.split(".")[0]
        if not name.startswith(" ") and "." not in name:
            top[root] = max(top.get(root, 0), int(cumulative))
    slowest = sorted(top.items(), key=lambda kv: -kv[1])[:6]
    return {"modules": len(top), "textual": "textual" in top,
            "kubernetes": "kubernetes" in top,
            "slowest_ms": {k: round(v / 1000, 1) for k, v in slowest}}


def demo_first_frame(timeout: float = 30.0) -> float:
    """Seconds from launching `kubetui --demo` on a 160x48 pseudo-terminal to its
    header on the screen; it is quit with `q` afterwards."""
    import fcntl
    import pty
    import struct
    import termios

    env = dict(os.environ, TERM="xterm-256color", COLUMNS="160", LINES="48")
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child
        os.execvpe(sys.executable, [sys.executable, "-m", "kubetui", "--demo"], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
    seen = b""
    first = None
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([fd], [], [], 0.02)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
                if b"ctx" in ESCAPES.sub(b"", seen):
                    first = time.perf_counter() - started
                    break
        os.write(fd, b"q")
        end = time.monotonic() + 15
        while time.monotonic() < end:
            if os.waitpid(pid, os.WNOHANG)[0]:
                pid = 0
                break
            select.select([fd], [], [], 0.1)
            try:
                os.read(fd, 65536)
            except OSError:
                pass
    finally:
        if pid:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        os.close(fd)
    if first is None:
        raise SystemExit(f"kubetui --demo drew no header within {timeout:.0f}s")
    return first


def run(runs: int, json_path: str | None) -> int:
    result: dict = {"runs": runs}
    for what, args in (("version", ["--version"]), ("help", ["--help"])):
        times = [_run(args) for _ in range(runs)]
        result[f"{what}_s"] = round(statistics.median(times), 3)
        result[f"{what}_imports"] = imports(args)
    frames = [demo_first_frame() for _ in range(runs)]
    result["demo_first_frame_s"] = round(statistics.median(frames), 3)
    result["demo_first_frame_runs_s"] = [round(f, 3) for f in frames]
    result["demo_imports"] = imports(["--demo", "--help"])  # (what it imports to parse)
    result["machine"] = machine()
    report(result)
    write_json(json_path, result)
    return 0


def report(r: dict) -> None:
    print(f"\nStart-up, median of {r['runs']} ({r['machine']})")
    for what in ("version", "help"):
        i = r[f"{what}_imports"]
        clean = not i["textual"] and not i["kubernetes"]
        goal_line(f"kubetui --{what}", f"{r[what + '_s']:.2f}s",
                  f"<= {GOALS[what + '_s']}s", r[what + "_s"] <= GOALS[what + "_s"])
        print(f"    imports Textual: {'yes' if i['textual'] else 'no'}, the kubernetes "
              f"client: {'yes' if i['kubernetes'] else 'no'}"
              f"{'' if clean else '  MISSED'}; slowest: "
              + ", ".join(f"{k} {v} ms" for k, v in i["slowest_ms"].items()))
    goal_line("kubetui --demo: first frame", f"{r['demo_first_frame_s']:.2f}s",
              f"<= {GOALS['demo_first_frame_s']}s",
              r["demo_first_frame_s"] <= GOALS["demo_first_frame_s"])
