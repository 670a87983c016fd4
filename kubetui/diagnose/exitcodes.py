"""Container exit codes in words: 128+N is signal N; the common ones have their usual
story (137 is SIGKILL: the OOM killer, or a kill after the grace period)."""

from __future__ import annotations

import signal

KNOWN = {
    0: "exited successfully (under restartPolicy Always a container that ends is restarted "
       "anyway: a long-running process must not exit)",
    1: "the application exited with an error (see its last log lines)",
    2: "the application or shell reported a usage error (bad arguments or flags)",
    126: "the command was found but could not be executed (permissions, a wrong "
         "architecture, or not a binary)",
    127: "command not found: the command or args name a binary that is not in the image",
    128: "an invalid exit code was returned",
    134: "SIGABRT (128+6): the process aborted itself (an assertion, a failed abort())",
    137: "SIGKILL (128+9): killed by the kernel's OOM killer, or by the kubelet after the "
         "termination grace period",
    139: "SIGSEGV (128+11): the process crashed on a memory access (a segfault)",
    143: "SIGTERM (128+15): asked to stop (a failed liveness probe, a deletion or a rollout) "
         "and it did",
    255: "exit status 255 (often exit(-1)): the application gave up with an error",
}
SIGNALS = range(129, 160)  # 128 + a POSIX signal number (1-31); above is not a signal


def explain(code: int | None, reason: str = "") -> str:
    """`code` (and the kubelet's `reason`, such as OOMKilled) in one line."""
    if code is None:
        return "no exit code"
    if code == 137 and reason == "OOMKilled":
        return ("SIGKILL (128+9) from the kernel's OOM killer: the container went over its "
                "memory limit (OOMKilled)")
    if code in KNOWN:
        return KNOWN[code]
    if code in SIGNALS:
        try:
            name = signal.Signals(code - 128).name
        except ValueError:
            name = f"signal {code - 128}"
        return f"killed by {name} (128+{code - 128})"
    return f"the application exited with code {code} (its own meaning: see its logs)"


SHORT = {0: "success", 1: "an application error", 2: "a usage error", 126: "not executable",
         127: "command not found", 134: "SIGABRT", 137: "SIGKILL", 139: "SIGSEGV",
         143: "SIGTERM", 255: "exit -1 / 255"}


def short(code: int | None, reason: str = "") -> str:
    """A few words for a cause line: "SIGKILL, OOMKilled", "command not found"."""
    if code is None:
        return "no exit code"
    if code == 137 and reason == "OOMKilled":
        return "SIGKILL, OOMKilled"
    if code in SHORT:
        return SHORT[code]
    if code in SIGNALS:
        return explain(code).split(" (")[0].removeprefix("killed by ")
    return "the application's own code; see its logs"


__all__ = ["explain", "short"]
