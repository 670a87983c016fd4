"""What a real v1.36 API server says when a node's kubelet cannot be reached, or its
scheduler is down (tests/fixtures/real-k8s/kubelet/, discovery/), the sim says too, and
kubetui shows: the server's own words in a notification or on the screen, an ERROR with
its traceback in the log, never a crash, a hang or "no problem"."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from conftest import raw, wait_for, wait_until
from helpers import output, select

from kubetui.diagnose import build
from kubetui.kube.client import ApiError, KubeClient
from kubetui.kube.config import load_kubeconfig
from kubetui.kube.evidence import gather
from kubetui.kube.exec import ExecSession, exec_once
from kubetui.kube.logs import LogStream
from kubetui.render import architecture
from kubetui.sim.kubelet_link import ANNOTATION
from kubetui.ui.screens.exec import ExecScreen

REAL = Path(__file__).parent / "fixtures" / "real-k8s"
PROBLEM = "demo.kubetui.dev/problem"


def real(path: str) -> dict:
    return json.loads((REAL / path).read_text())


@pytest.fixture
def client(kubeconfig):
    return KubeClient.connect(load_kubeconfig([kubeconfig]))


def running_pod(sim, prefix: str) -> dict:
    return next(p for p in sim.list("Pod", "shop") if p["metadata"]["name"].startswith(prefix)
                and (p.get("status") or {}).get("phase") == "Running")


def node_ip(sim, node: str) -> str:
    return next(a["address"] for a in sim.get("Node", None, node)["status"]["addresses"]
                if a["type"] == "InternalIP")


@pytest.fixture
def unreachable(sim, kubectl):
    """Break a node's kubelet (`refused` or `stalled`) for one test, then mend it."""
    broken = []

    def breaks(node: str, how: str = "refused") -> None:
        kubectl("annotate", "node", node, f"{ANNOTATION}={how}", "--overwrite")
        broken.append(node)
    yield breaks
    for node in broken:
        kubectl("annotate", "node", node, f"{ANNOTATION}-")


def fill(template: str, **values: str) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def exec_template() -> str:
    """The real server's channel-3 message, with what is particular to that capture
    made into placeholders."""
    frames = real("kubelet/worker-1.exec-websocket-v5.json")["frames"]
    status = next(f["payload_json"] for f in frames if f.get("channel") == 3)
    assert status["reason"] == "InternalError" and status["code"] == 500
    return (status["message"].replace("127.0.0.1", "{ip}")
            .replace("cases/restarted-5m-ago/app", "{target}")
            .replace("command=sh&command=-c&command=echo+hi", "{command}"))


def test_exec_to_an_unreachable_kubelet_says_what_the_real_server_says(sim, client,
                                                                       unreachable):
    pod = running_pod(sim, "redis-")
    node, name = pod["spec"]["nodeName"], pod["metadata"]["name"]
    unreachable(node)
    target = f"shop/{name}/{pod['spec']['containers'][0]['name']}"
    with pytest.raises(ApiError) as raised:
        exec_once(client, "shop", name, ["sh", "-c", "echo hi"], timeout=10)
    assert raised.value.status == 500 and raised.value.reason == "InternalError"
    assert raised.value.message == fill(exec_template(), ip=node_ip(sim, node), target=target,
                                        command="command=sh&command=-c&command=echo+hi")
    # the interactive shell: the same words, no WebSocketConnectionClosedException
    with pytest.raises(ApiError) as raised:
        ExecSession(client, "shop", name).open()
    assert raised.value.message.startswith("Internal error occurred: error sending request: ")
    assert "connect: connection refused" in raised.value.message


def test_kubectl_against_the_sim_prints_what_it_printed_against_the_real_server(
        sim, kubectl, unreachable):
    pod = running_pod(sim, "redis-")
    node, name = pod["spec"]["nodeName"], pod["metadata"]["name"]
    container = pod["spec"]["containers"][0]["name"]
    unreachable(node)
    ip = node_ip(sim, node)
    out = kubectl("exec", "-n", "shop", name, "--", "echo", "hi", check=False)
    golden = (REAL / "kubelet" / "worker-1.kubectl-exec.txt").read_text().split(
        "# --- stderr ---\n", 1)[1].strip()
    expected = (golden.replace("127.0.0.1", ip).replace("cases/restarted-5m-ago/app",
                                                        f"shop/{name}/{container}"))
    assert out.returncode == 1 and out.stderr.strip() == expected
    logs = kubectl("logs", "-n", "shop", name, check=False)
    golden = (REAL / "kubelet" / "worker-1.kubectl-logs.txt").read_text().split(
        "# --- stderr ---\n", 1)[1].strip()
    assert logs.returncode == 1
    assert logs.stderr.strip() == golden.replace("127.0.0.1", ip).replace(
        "cases/restarted-5m-ago/app", f"shop/{name}/{container}")


def test_logs_from_an_unreachable_kubelet_are_an_error_with_the_real_status(sim, client,
                                                                           unreachable):
    pod = running_pod(sim, "redis-")
    unreachable(pod["spec"]["nodeName"])
    with pytest.raises(ApiError) as raised:
        list(LogStream(client, "shop", pod["metadata"]["name"], None, tail=10))
    golden = real("kubelet/worker-1.log-get.json")
    assert raised.value.status == golden["status"] == 500
    assert raised.value.reason == golden["body"].get("reason", "") == ""  # none, as real
    assert raised.value.message.startswith('Get "https://')
    assert raised.value.message.endswith(": connect: connection refused")
    status, body = raw(sim, "GET", f"/api/v1/namespaces/shop/pods/{pod['metadata']['name']}"
                                   "/log")
    assert status == 500 and set(body) == set(golden["body"])  # the same Status shape


def test_a_crash_loop_on_an_unreachable_node_is_unknown_not_empty(sim, client, unreachable):
    pod = next(p for p in sim.list("Pod", "payments")
               if (p["metadata"].get("labels") or {}).get(PROBLEM)
               and p["metadata"]["name"].startswith("settlement-"))
    wait_until(lambda: any(cs.get("restartCount", 0) for cs in sim.get(
        "Pod", "payments", pod["metadata"]["name"])["status"].get("containerStatuses") or ()))
    unreachable(pod["spec"]["nodeName"])
    c = build(gather(client, "payments", pod["metadata"]["name"]))
    assert c.cause.rule == "crashloop"
    assert not any("wrote no logs" in e for e in c.cause.evidence), c.cause.evidence
    assert any("could not be read" in e and "connection refused" in e
               for e in c.cause.evidence), c.cause.evidence
    assert c.steps[1].verdict == "unknown", c.steps[1]
    assert "no previous container" not in c.steps[1].summary


def test_with_the_scheduler_down_a_new_pod_is_not_no_problem(sim, client, kubectl):
    sim.set_component("kube-scheduler", False)
    try:
        kubectl("run", "unseen", "-n", "shop", "--image=nginx:1.27")
        pod = wait_until(lambda: sim.get("Pod", "shop", "unseen"))
        c = build(gather(client, "shop", "unseen"))
        assert c.cause is not None and c.cause.rule == "not-scheduled", c.cause
        assert "no scheduler has looked at it" in c.cause.cause
        assert not pod["spec"].get("nodeName")
        # componentstatuses say it, as a real API server does, and so does the model
        statuses = client.get_json("/api/v1/componentstatuses")["items"]
        scheduler = next(s for s in statuses if s["metadata"]["name"] == "scheduler")
        assert scheduler["conditions"][0]["status"] == "False"
        assert "connect: connection refused" in scheduler["conditions"][0]["error"]
        printed = kubectl("get", "cs").stdout
        assert "scheduler            Unhealthy" in printed, printed
        nodes = client.get_json("/api/v1/nodes")["items"]
        model = architecture.build(nodes, [], None, statuses, server_version="v1.36.2")
        state = next(x for x in model.control_plane if x.name == "kube-scheduler")
        assert state.state == "failing" and "connection refused" in state.detail
        assert not model.managed
    finally:
        sim.set_component("kube-scheduler", True)
    wait_until(lambda: sim.get("Pod", "shop", "unseen")["spec"].get("nodeName"))
    kubectl("delete", "pod", "-n", "shop", "unseen", "--wait=false")


async def test_x_and_s_on_a_pod_whose_kubelet_is_unreachable(make_app, sim, unreachable,
                                                             caplog, notes):
    pod = running_pod(sim, "redis-")
    unreachable(pod["spec"]["nodeName"])
    notes.expect("^cannot open a shell: Internal error occurred: error sending request")
    app = make_app()
    with caplog.at_level(logging.ERROR):
        async with app.run_test(size=(160, 48)) as pilot:
            await select(pilot, app, "po", "^redis-")
            await pilot.press("x")
            assert await wait_for(pilot, lambda: isinstance(app.screen, ExecScreen))
            screen = app.screen
            screen.query_one("#exec-input").value = "echo hi"
            await pilot.press("enter")
            assert await wait_for(pilot, lambda: not screen.running, tries=400)
            shown = output(app)
            assert "cannot run it: Internal error occurred: error sending request" in shown
            await pilot.press("escape")
            assert await wait_for(pilot, lambda: app.screen is app.browser)
            await pilot.press("s")
            assert await wait_for(pilot, lambda: notes.errors(), tries=400)
            assert notes.errors()[-1].startswith("cannot open a shell: Internal error "
                                                 "occurred: error sending request")
            assert app.is_running and app.screen is app.browser
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any("exec" in r.getMessage() and r.exc_info for r in errors), errors
    assert any("shell" in r.getMessage() and r.exc_info for r in errors), errors


def test_a_stalled_kubelet_ends_in_a_message_not_a_hang(sim, client, unreachable):
    """A kubelet that accepts and never answers: the real v5 stream upgrades, sends one
    empty frame and then nothing. kubetui gives up with words, after its own deadline."""
    pod = running_pod(sim, "redis-")
    unreachable(pod["spec"]["nodeName"], "stalled")
    with pytest.raises(TimeoutError) as raised:
        exec_once(client, "shop", pod["metadata"]["name"], ["true"], timeout=1)
    assert "no answer within 1s" in str(raised.value)
    session = ExecSession(client, "shop", pod["metadata"]["name"])
    session.answer_seconds = 1.0
    with pytest.raises(ApiError) as raised:
        session.open()
    assert raised.value.status == 504 and "printed nothing in 1s" in raised.value.message
