"""The simulated cluster in a process of its own, so that what a benchmark measures in
this process (time, memory, CPU) is the client's alone, as it is for kubectl."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence


class SimProcess:
    def __init__(self, pods: int, scenario: str = "none", churn: float = 0,
                 faults: Sequence[str] = ()):
        self.folder = tempfile.mkdtemp(prefix="kubetui-bench-")
        self.kubeconfig = os.path.join(self.folder, "kubeconfig")
        cmd = [sys.executable, "-m", "kubetui", "sim", "--scenario", scenario,
               "--write-kubeconfig", self.kubeconfig, "--pods", str(pods)]
        if churn:
            cmd += ["--churn", str(churn)]
        for fault in faults:
            cmd += ["--fault", fault]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.log: list[str] = []
        out = self.proc.stdout
        assert out is not None  # (stdout=PIPE)
        for line in out:
            self.log.append(line.rstrip())
            if line.startswith("Press Ctrl-C"):
                break
        else:
            raise RuntimeError("the simulated cluster did not start:\n" + "\n".join(self.log))
        import threading  # keep reading what it says (the faults it ran), or it blocks

        def read() -> None:
            for line in out:
                self.log.append(line.rstrip())
        threading.Thread(target=read, daemon=True, name="sim stdout").start()

    @property
    def server(self) -> str:
        """Its URL, as it said when it started."""
        return next(line.split(" on ", 1)[1] for line in self.log
                    if line.startswith("Simulated cluster listening on "))

    def set_churn(self, rate: float) -> None:
        """Update `rate` bulk pods a second from now on (0: stop)."""
        import urllib.request
        req = urllib.request.Request(f"{self.server}/kubetui-sim/churn?rate={rate}",
                                     method="POST")
        urllib.request.urlopen(req, timeout=10).read()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        import shutil
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "SimProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
