"""Shared fixtures: a simulated cluster per test module, a kubeconfig for it, the
official Python client, and kubectl from PATH."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time

import pytest
from kubernetes.client import ApiClient
from kubernetes.config.kube_config import new_client_from_config

from kubetui.sim import SimCluster

FAST = 20.0  # simulated seconds per real second in tests


PROBLEM = "demo.kubetui.dev/problem"  # the demo's deliberately broken workloads


def settled(cluster: SimCluster) -> bool:
    """Every workload has its pods, and every pod that is not one of the demo's problems
    (or a finished batch pod) is Running and Ready."""
    for d in cluster.list("Deployment") + cluster.list("StatefulSet"):
        if (d.get("status") or {}).get("replicas", 0) != d["spec"]["replicas"]:
            return False
    for ds in cluster.list("DaemonSet"):
        st = ds.get("status") or {}
        if not st.get("desiredNumberScheduled") or st.get("numberReady") != st[
                "desiredNumberScheduled"]:
            return False
    for p in cluster.list("Pod"):
        if (p["metadata"].get("labels") or {}).get(PROBLEM):
            continue
        if (p.get("status") or {}).get("phase") == "Succeeded":
            continue
        if not any(c["type"] == "Ready" and c["status"] == "True"
                   for c in (p.get("status") or {}).get("conditions", [])):
            return False
    return True


@pytest.fixture(autouse=True)
def private_state(tmp_path, monkeypatch):
    """What kubetui remembers (the last theme) goes to a folder of each test's own, never
    the user's ~/.local/state, and no test starts in a theme another one picked."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


class Notes:
    """Every notification the apps of one test showed (through the public `notify`), to
    assert on. An error notification fails the test unless the test said it expects it
    (`notes.expect(pattern)`): a worker that crashed, or an API call that failed, shows
    as one, so a UI test cannot pass over a failure it did not look for."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []  # (message, severity)
        self.expected: list[re.Pattern] = []

    def expect(self, *patterns: str) -> None:
        self.expected += [re.compile(p) for p in patterns]

    def messages(self, severity: str | None = None) -> list[str]:
        return [m for m, sev in self.seen if severity is None or sev == severity]

    def errors(self) -> list[str]:
        return self.messages("error")

    def said(self, text: str, severity: str | None = None) -> bool:
        return any(text in m and severity in (None, sev) for m, sev in self.seen)

    def unexpected(self) -> list[str]:
        return [m for m in self.errors() if not any(p.search(m) for p in self.expected)]


@pytest.fixture(autouse=True)
def notes(monkeypatch):
    """Records every app's notifications (see `Notes`); fails the test on an error
    notification it did not expect."""
    from kubetui.ui.app import KubetuiApp

    record = Notes()
    show = KubetuiApp.notify

    def notify(self, message, *args, **kw):
        record.seen.append((str(message), kw.get("severity", "information")))
        return show(self, message, *args, **kw)

    monkeypatch.setattr(KubetuiApp, "notify", notify)
    yield record
    unexpected = record.unexpected()
    if unexpected:
        pytest.fail("unexpected error notifications: " + " | ".join(unexpected[:5]))


@pytest.fixture(scope="module")
def sim():
    cluster = SimCluster("demo", speed=FAST).start()
    cluster.wait_for(lambda: settled(cluster), timeout=30)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def kubeconfig(sim, tmp_path_factory) -> str:
    return sim.write_kubeconfig(str(tmp_path_factory.mktemp("kc") / "config"))


@pytest.fixture(scope="module")
def api(kubeconfig) -> ApiClient:
    client = new_client_from_config(config_file=kubeconfig, persist_config=False)
    yield client
    client.close()


def wait_until(predicate, timeout: float = 15.0, interval: float = 0.05):
    """Poll until predicate() is truthy; fail the test with a message otherwise."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            pytest.fail(f"condition not met within {timeout}s")
        time.sleep(interval)


@pytest.fixture(scope="session")
def kubectl_bin() -> str:
    path = shutil.which("kubectl")
    if path is None:
        pytest.fail("kubectl is not on PATH: these tests need it (CI machines have it)")
    return path


@pytest.fixture(scope="module")
def kubectl(kubectl_bin, kubeconfig):
    def run(*args: str, timeout: float = 60, check: bool = True, input: str | None = None):
        env = {**os.environ, "KUBECONFIG": kubeconfig}
        proc = subprocess.run([kubectl_bin, *args], capture_output=True, text=True,
                              timeout=timeout, env=env, input=input)
        if check and proc.returncode != 0:
            pytest.fail(f"kubectl {' '.join(args)} failed ({proc.returncode}):\n"
                        f"{proc.stderr}\n{proc.stdout}")
        return proc

    return run


def make_namespace(sim: SimCluster, name: str) -> str:
    sim.create("Namespace", None, {"metadata": {"name": name}})
    return name


def deployment(name: str, replicas: int = 2, image: str = "nginx:1.27", **spec) -> dict:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "main", "image": image}]}},
                 **spec},
    }


def raw(sim: SimCluster, method: str, path: str, body=None, content_type: str = "application/json",
        accept: str = "application/json", timeout: float = 10):
    """One plain HTTP request to the sim: (status, parsed JSON or text)."""
    import json
    import urllib.error
    import urllib.request

    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(sim.url + path, data=data, method=method,
                                 headers={"Content-Type": content_type, "Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, payload = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, payload = err.code, err.read()
    try:
        return status, json.loads(payload)
    except ValueError:
        return status, payload.decode()


async def wait_for(pilot, predicate, tries: int = 200):
    """In a Pilot test: pause until predicate() is truthy; False once both `tries` pauses
    have passed and a deadline of at least 30 s (a busy machine is slow, not wrong)."""
    deadline = time.monotonic() + max(30.0, tries * 0.15)
    n = 0
    while n < tries or time.monotonic() < deadline:
        if predicate():
            return True
        await pilot.pause(0.05)
        n += 1
    return False


@pytest.fixture
def make_app(kubeconfig):
    """KubetuiApp factories on the module's sim; every app is shut down afterwards."""
    from kubetui.kube.config import load_kubeconfig
    from kubetui.ui.app import KubetuiApp, Settings

    apps = []

    def make(config: str | None = None, **settings):
        app = KubetuiApp(load_kubeconfig([config or kubeconfig]), Settings(**settings))
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.shutdown()


class PtyProcess:
    """A program on a pseudo-terminal, for tests that drive something interactive."""

    def __init__(self, argv: list[str], env: dict, cols: int = 140, rows: int = 40):
        import fcntl
        import pty
        import struct
        import termios

        # the pty's size is the terminal's, as in a real one: COLUMNS and LINES would
        # override it (pytest-xdist's workers have COLUMNS=80 LINES=24 in their env)
        env = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: its terminal has its size before the program starts
            # (set from the parent, it raced the program's start: on a busy machine the
            # app read the pty's 80x24 first, and the SIGWINCH came before its handler)
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.execvpe(argv[0], argv, env)
        self.seen = b""

    def read_until(self, needle: bytes, timeout: float = 20) -> bool:
        import select

        end = time.monotonic() + timeout
        while needle not in self.seen and time.monotonic() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    self.seen += os.read(self.fd, 65536)
                except OSError:
                    break
        return needle in self.seen

    def send(self, data: bytes, pause: float = 0.0) -> None:
        os.write(self.fd, data)
        if pause:
            time.sleep(pause)

    def exit_code(self, timeout: float = 30) -> int:
        """The program's exit code; it fails (kills it) rather than wait forever."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.pid = 0
                return os.waitstatus_to_exitcode(status)
            self.read_until(b"\x00", timeout=0.1)  # keep the pty drained meanwhile
        self.close()
        pytest.fail(f"the program did not exit within {timeout:.0f}s")

    def close(self) -> None:
        if self.pid:
            try:
                os.kill(self.pid, 9)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        if self.fd >= 0:  # once: exit_code closes before it fails, the test's finally again
            os.close(self.fd)
            self.fd = -1
