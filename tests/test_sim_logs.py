"""Container behaviours and logs, judged by kubectl and the official Python client."""

from __future__ import annotations

import re
import time

import pytest
from conftest import make_namespace, wait_until
from kubernetes.client import CoreV1Api

NS = "logs-test"
BEHAVIOR = "sim.kubetui.dev/behavior"


def pod(name: str, behavior: str = "", containers=None, **spec) -> dict:
    return {"metadata": {"name": name, "annotations": {BEHAVIOR: behavior} if behavior else {}},
            "spec": {"containers": containers or [{"name": "app", "image": "busybox:1.36"}],
                     **spec}}


@pytest.fixture(scope="module")
def pods(sim):
    make_namespace(sim, NS)
    sim.create("Pod", NS, pod("crasher", "crash exit=3 after=1s", [
        {"name": "app", "image": "busybox:1.36",
         "command": ["sh", "-c", "echo starting; sleep 1; exit 3"]}]))
    sim.create("Pod", NS, pod("oom", "oom after=1s"))
    sim.create("Pod", NS, pod("nopull", "pull fail",
                              [{"name": "app", "image": "nginx:no-such-tag"}]))
    sim.create("Pod", NS, pod("chatty", "logs rate=40"))
    sim.create("Pod", NS, pod("unready", "readiness fail", [
        {"name": "web", "image": "nginx:1.27",
         "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 2}}]))
    sim.create("Pod", NS, pod("two", containers=[{"name": "web", "image": "nginx:1.27"},
                                                 {"name": "sidecar", "image": "busybox:1.36"}]))
    sim.create("Pod", NS, pod("job", "crash exit=0 after=1s", restartPolicy="Never"))

    def state(name):
        p = sim.get("Pod", NS, name)
        return ((p.get("status") or {}).get("containerStatuses") or [{}])[0]

    wait_until(lambda: state("crasher").get("restartCount", 0) >= 2, timeout=30)
    wait_until(lambda: state("oom").get("lastState", {}).get("terminated"), timeout=30)
    wait_until(lambda: state("chatty").get("state", {}).get("running"), timeout=30)
    return state


def test_crash_loop_shows_in_kubectl_with_restarts_and_exit_code(pods, kubectl):
    out = wait_until(lambda: (o := kubectl("get", "pod", "crasher", "-n", NS).stdout)
                     and "CrashLoopBackOff" in o and o, timeout=30)
    assert re.search(r"crasher\s+0/1\s+CrashLoopBackOff\s+\d+ \(\d+s ago\)", out), out
    last = pods("crasher")["lastState"]["terminated"]
    assert last["exitCode"] == 3 and last["reason"] == "Error"
    events = kubectl("get", "events", "-n", NS, "--field-selector",
                     "involvedObject.name=crasher").stdout
    assert "Back-off restarting failed container app in pod crasher_" in events


def test_previous_logs_hold_the_crash_output(pods, kubectl):
    out = kubectl("logs", "crasher", "-n", NS, "-p").stdout
    assert "starting" in out
    assert "exit_code=3" in out.splitlines()[-1]


def test_oom_killed_is_exit_137(pods):
    last = pods("oom")["lastState"]["terminated"]
    assert (last["exitCode"], last["reason"]) == (137, "OOMKilled")


def test_image_pull_failure(pods, kubectl, sim):
    wait_until(lambda: "ImagePullBackOff" in kubectl("get", "pod", "nopull", "-n", NS).stdout,
               timeout=30)
    err = kubectl("logs", "nopull", "-n", NS, check=False).stderr
    assert 'container "app" in pod "nopull" is waiting to start: trying and failing to pull ' \
           "image" in err
    events = kubectl("get", "events", "-n", NS, "--field-selector",
                     "involvedObject.name=nopull").stdout
    assert 'Failed to pull image "nginx:no-such-tag"' in events


def test_failing_readiness_keeps_the_pod_unready_with_warnings(pods, kubectl):
    wait_until(lambda: "Readiness probe failed" in kubectl(
        "get", "events", "-n", NS, "--field-selector", "involvedObject.name=unready").stdout,
        timeout=30)
    out = kubectl("get", "pod", "unready", "-n", NS).stdout
    assert re.search(r"unready\s+0/1\s+Running", out), out


def test_a_completed_pod_with_restart_never_succeeds(pods, kubectl):
    wait_until(lambda: "Completed" in kubectl("get", "pod", "job", "-n", NS).stdout, timeout=30)


def test_logs_errors_have_the_real_messages(pods, kubectl):
    # kubectl picks the first container itself, as it does on a real cluster
    err = kubectl("logs", "two", "-n", NS).stderr
    assert 'Defaulted container "web" out of: web, sidecar' in err
    err = kubectl("logs", "two", "-c", "web", "-n", NS, "-p", check=False).stderr
    assert 'previous terminated container "web" in pod "two" not found' in err


def test_server_requires_a_container_for_multi_container_pods(pods, api):
    core = CoreV1Api(api)
    with pytest.raises(Exception) as info:
        core.read_namespaced_pod_log("two", NS)
    assert "a container name must be specified for pod two, choose one of: [web sidecar]" \
        in str(info.value.body)


def test_tail_timestamps_since_and_limit_bytes(pods, kubectl, api):
    lines = kubectl("logs", "chatty", "-n", NS, "--tail=3", "--timestamps").stdout.splitlines()
    assert len(lines) == 3
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z ", ln) for ln in lines)
    core = CoreV1Api(api)
    everything = core.read_namespaced_pod_log("chatty", NS)
    recent = core.read_namespaced_pod_log("chatty", NS, since_seconds=1)
    assert 0 < len(recent.splitlines()) < len(everything.splitlines())
    assert len(core.read_namespaced_pod_log("chatty", NS, limit_bytes=10)) == 10


def test_follow_streams_new_lines_until_closed(pods, api):
    core = CoreV1Api(api)
    resp = core.read_namespaced_pod_log("chatty", NS, follow=True, tail_lines=0,
                                        _preload_content=False,
                                        _request_timeout=(5, 15))  # a stall fails, not hangs
    got = b""
    end = time.monotonic() + 10
    try:
        for chunk in resp.stream(1024):
            got += chunk
            if got.count(b"\n") >= 5 or time.monotonic() > end:
                break
    finally:
        resp.close()
    assert got.count(b"\n") >= 5


def test_workload_and_selector_logs(sim, kubectl):
    out = kubectl("logs", "-n", "shop", "-l", "app=frontend", "--tail=1",
                  "--prefix").stdout.splitlines()
    assert len(out) == 3 and all(ln.startswith("[pod/frontend-") for ln in out)
    assert kubectl("logs", "-n", "shop", "deploy/frontend", "--tail=2").stdout.count("\n") == 2


def test_all_containers_and_follow_with_kubectl(pods, kubectl, kubectl_bin, kubeconfig):
    import os
    import subprocess

    out = kubectl("logs", "two", "-n", NS, "--all-containers", "--prefix", "--tail=1").stdout
    assert {ln.split("]")[0] for ln in out.splitlines()} == {
        "[pod/two/web", "[pod/two/sidecar"}
    proc = subprocess.Popen([kubectl_bin, "logs", "-f", "chatty", "-n", NS, "--tail=0"],
                            stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "KUBECONFIG": kubeconfig})
    import selectors
    lines: list[str] = []
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    try:  # five lines, or fail after 30 s (a stalled follow must not hang the suite)
        deadline = time.monotonic() + 30
        while len(lines) < 5 and time.monotonic() < deadline:
            if sel.select(timeout=1):
                lines.append(proc.stdout.readline())
    finally:
        proc.kill()
        proc.wait()
    assert len(lines) == 5 and all(ln.strip() for ln in lines), lines
