"""Exec into simulated containers, judged by kubectl (websocket v5) and the official Python
client (v4/v5), including an interactive tty session driven through a pseudo-terminal."""

from __future__ import annotations

import os

import pytest
from conftest import PtyProcess, make_namespace, wait_until
from kubernetes.client import CoreV1Api
from kubernetes.stream import stream

NS = "exec-test"


@pytest.fixture(scope="module")
def target(sim):
    make_namespace(sim, NS)
    sim.create("ConfigMap", NS, {"metadata": {"name": "cfg"},
                                 "data": {"MODE": "blue", "app.conf": "listen 8080\n"}})
    sim.create("Secret", NS, {"metadata": {"name": "creds"},
                              "data": {"password": "aHVudGVyMg=="}})
    sim.create("Pod", NS, {"metadata": {"name": "box"}, "spec": {"containers": [{
        "name": "main", "image": "busybox:1.36", "command": ["sleep", "3600"],
        "env": [{"name": "GREETING", "value": "hello"},
                {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "cfg",
                                                                   "key": "MODE"}}},
                {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "creds",
                                                                    "key": "password"}}}],
        "volumeMounts": [{"name": "conf", "mountPath": "/etc/app"}]}, {
        "name": "side", "image": "registry.k8s.io/coredns/coredns:v1.11.3"}],
        "volumes": [{"name": "conf", "configMap": {"name": "cfg"}}]}})
    wait_until(lambda: all((s.get("state") or {}).get("running") for s in (
        sim.get("Pod", NS, "box").get("status") or {}).get("containerStatuses") or [{}]),
        timeout=30)
    return "box"


def test_kubectl_exec_exit_codes_and_output(target, kubectl):
    ok = kubectl("exec", target, "-c", "main", "-n", NS, "--", "hostname")
    assert ok.stdout == "box\n"
    bad = kubectl("exec", target, "-c", "main", "-n", NS, "--", "sh", "-c",
                  "echo to-out; echo to-err >&2; exit 7", check=False)
    assert bad.returncode == 7
    assert bad.stdout == "to-out\n" and "to-err" in bad.stderr


def test_env_and_files_come_from_the_pod_spec(target, kubectl):
    out = kubectl("exec", target, "-c", "main", "-n", NS, "--", "sh", "-c",
                  "echo $GREETING $MODE $PASSWORD; cat /etc/app/app.conf /etc/hostname").stdout
    assert out == "hello blue hunter2\nlisten 8080\nbox\n"


def test_stdin_is_passed_through(target, kubectl):
    out = kubectl("exec", "-i", target, "-c", "main", "-n", NS, "--", "sh",
                  input="echo one\nexit 4\necho never\n", check=False)
    assert out.returncode == 4 and out.stdout == "one\n"


def test_missing_shell_and_missing_command(target, kubectl, api):
    r = kubectl("exec", target, "-c", "side", "-n", NS, "--", "sh", check=False)
    # (kubectl may drop a stderr frame that comes before it has set up its stderr
    # stream, and says so: "Unknown stream id 2, discarding message", a client race
    # a busy machine shows; the Python client below reads every frame)
    assert r.returncode == 126 and ('exec: "sh": executable file not found' in r.stderr
                                    or "Unknown stream id 2" in r.stderr), r.stderr
    ws = stream(CoreV1Api(api).connect_get_namespaced_pod_exec, target, NS, container="side",
                command=["sh"], stdout=True, stderr=True, stdin=False, tty=False,
                _preload_content=False)
    ws.run_forever(timeout=10)
    assert ws.returncode == 126
    assert 'exec: "sh": executable file not found in $PATH' in ws.read_stderr()
    r = kubectl("exec", target, "-c", "main", "-n", NS, "--", "nosuchcmd", check=False)
    assert r.returncode == 127


def test_the_first_frame_says_the_streams_are_ready(target, api):
    """As the real server (the captured v5 exec): an empty frame on the lowest channel
    it writes, before anything else."""
    import websocket

    url = api.configuration.host.replace("http", "ws", 1) + (
        f"/api/v1/namespaces/{NS}/pods/{target}/exec?container=main&command=hostname"
        "&stdout=true&stderr=true")
    token = api.configuration.api_key.get("authorization") or \
        api.configuration.api_key.get("BearerToken")
    headers = [f"Authorization: {token}"] if token else []
    ws = websocket.create_connection(url, subprotocols=["v5.channel.k8s.io"],
                                     header=headers, timeout=10)
    try:
        frames = []
        while len(frames) < 3:
            frames.append(ws.recv())
    finally:
        ws.close()
    assert frames[0] == b"\x01"  # stdout, empty
    assert frames[1] == b"\x01box\n"


def test_multi_container_pod_needs_a_container(target, api):
    core = CoreV1Api(api)
    with pytest.raises(Exception) as info:
        stream(core.connect_get_namespaced_pod_exec, target, NS, command=["true"],
               stdout=True, stderr=True, stdin=False, tty=False)
    assert "a container name must be specified for pod box" in str(info.value)


def test_python_client_return_codes(target, api):
    core = CoreV1Api(api)
    for script, code in (("exit 0", 0), ("exit 3", 3), ("false", 1)):
        ws = stream(core.connect_get_namespaced_pod_exec, target, NS, container="main",
                    command=["sh", "-c", script], stdout=True, stderr=True, stdin=False,
                    tty=False, _preload_content=False)
        ws.run_forever(timeout=10)
        assert ws.returncode == code, script


def test_interactive_tty_session_through_a_pty(target, kubectl_bin, kubeconfig):
    term = PtyProcess([kubectl_bin, "exec", "-it", target, "-c", "main", "-n", NS, "--", "sh"],
                      {**os.environ, "KUBECONFIG": kubeconfig})
    try:
        assert term.read_until(b"/ # ")
        term.send(b"cd /etc/app; pwd\r")
        assert term.read_until(b"/etc/app # ") and b"/etc/app\r\n" in term.seen
        term.send(b"exit 5\r")
        assert term.exit_code() == 5
    finally:
        term.close()


def test_exec_refuses_spdy_with_a_clear_message(target, sim):
    import urllib.error
    import urllib.request
    req = urllib.request.Request(
        f"{sim.url}/api/v1/namespaces/{NS}/pods/{target}/exec?container=main&command=true",
        method="POST", headers={"Upgrade": "SPDY/3.1", "Connection": "Upgrade"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req, timeout=5)
    assert info.value.code == 400 and b"websocket" in info.value.read()


def test_exec_into_a_deployment_picks_one_of_its_pods(target, kubectl):
    out = kubectl("exec", "-n", "shop", "deploy/frontend", "--", "cat", "/etc/hostname").stdout
    assert out.startswith("frontend-")


def test_a_node_debug_pod_sees_the_node_root_under_host(sim, kubeconfig, kubectl):
    from kubetui.kube.client import KubeClient
    from kubetui.kube.config import load_kubeconfig
    from kubetui.kube.debug import NodeDebug

    client = KubeClient.connect(load_kubeconfig([kubeconfig]))
    debug = NodeDebug(client, "kubetui-worker", "default")
    name = debug.create()
    try:
        out = kubectl("exec", name, "-n", "default", "--", "cat", "/host/etc/hostname").stdout
        assert out.strip() == "kubetui-worker"
    finally:
        debug.remove()
        client.close()
