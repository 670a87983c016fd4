"""The action API against the sim, each cross-checked with kubectl: rollout restart, undo,
status and history, pause, scale, delete, cordon; the read-only flag; log streams that
resume without duplicates; one-shot and interactive exec."""

from __future__ import annotations

import re
import time

import pytest
import yaml
from conftest import deployment, make_namespace, wait_until

from kubetui.kube.actions import Actions, ReadOnly
from kubetui.kube.client import ApiError, KubeClient
from kubetui.kube.config import load_kubeconfig
from kubetui.kube.exec import ExecSession, exec_once
from kubetui.kube.logs import ENDED, LogStream

NS = "actions-test"


@pytest.fixture(scope="module")
def client(sim, kubeconfig):
    c = KubeClient.connect(load_kubeconfig([kubeconfig]))
    yield c
    c.close()


@pytest.fixture(scope="module")
def web(sim, kubectl, client):
    make_namespace(sim, NS)
    kubectl("apply", "-n", NS, "-f", "-", input=yaml.safe_dump(deployment("web", 2)))
    kubectl("rollout", "status", "deploy/web", "-n", NS, "--timeout=60s")
    return Actions(client)


def wait_rolled(actions: Actions, name: str = "web"):
    return wait_until(lambda: (s := actions.status("Deployment", NS, name)).done and s,
                      timeout=60)


def test_status_says_what_kubectl_says(web, kubectl):
    status = wait_rolled(web)
    out = kubectl("rollout", "status", "deploy/web", "-n", NS).stdout.strip()
    assert out == status.message == 'deployment "web" successfully rolled out'
    assert (status.desired, status.updated, status.available) == (2, 2, 2)


def test_restart_makes_a_new_replicaset(web, kubectl):
    before = kubectl("get", "rs", "-n", NS, "-o", "name").stdout.split()
    web.restart("Deployment", NS, "web")
    wait_rolled(web)
    after = kubectl("get", "rs", "-n", NS, "-o", "name").stdout.split()
    assert len(after) == len(before) + 1
    history = kubectl("rollout", "history", "deploy/web", "-n", NS).stdout
    assert re.search(r"^2\s", history, re.M)
    assert [r.number for r in web.history("Deployment", NS, "web")] == [1, 2]


def test_undo_goes_back_and_kubectl_agrees(web, kubectl):
    kubectl("set", "image", "deploy/web", "main=nginx:1.28", "-n", NS)
    wait_rolled(web)
    revisions = web.history("Deployment", NS, "web")
    assert revisions[-1].images == ["nginx:1.28"]
    target = web.undo("Deployment", NS, "web")
    assert target.number == revisions[-2].number
    wait_rolled(web)
    image = kubectl("get", "deploy", "web", "-n", NS, "-o",
                    "jsonpath={.spec.template.spec.containers[0].image}").stdout
    assert image == "nginx:1.27"
    history = kubectl("rollout", "history", "deploy/web", "-n", NS).stdout
    numbers = [int(n) for n in re.findall(r"^(\d+)\s", history, re.M)]
    assert numbers[-1] == revisions[-1].number + 1 and target.number not in numbers
    with pytest.raises(ApiError, match="unable to find specified revision 99"):
        web.undo("Deployment", NS, "web", to_revision=99)


def test_undo_of_a_paused_deployment_is_refused(web, kubectl):
    web.pause(NS, "web")
    assert kubectl("get", "deploy", "web", "-n", NS, "-o",
                   "jsonpath={.spec.paused}").stdout == "true"
    with pytest.raises(ApiError, match="cannot rollback a paused deployment"):
        web.undo("Deployment", NS, "web")
    web.pause(NS, "web", paused=False)


def test_scale_and_delete(web, kubectl, sim):
    web.scale("Deployment", NS, "web", 4)
    wait_until(lambda: "4/4" in kubectl("get", "deploy", "web", "-n", NS).stdout, timeout=60)
    pod = sim.list("Pod", NS)[0]["metadata"]["name"]
    web.delete("Pod", NS, pod, force=True)
    wait_until(lambda: kubectl("get", "pod", pod, "-n", NS, check=False).returncode != 0)


def test_cordon_and_uncordon(web, kubectl):
    web.cordon("kubetui-worker2")
    assert "SchedulingDisabled" in kubectl("get", "node", "kubetui-worker2").stdout
    web.cordon("kubetui-worker2", False)
    assert "SchedulingDisabled" not in kubectl("get", "node", "kubetui-worker2").stdout


def test_statefulset_and_daemonset_rollouts(client, kubectl):
    actions = Actions(client)
    actions.restart("DaemonSet", "monitoring", "node-exporter")
    wait_until(lambda: actions.status("DaemonSet", "monitoring", "node-exporter").done,
               timeout=60)
    assert len(actions.history("DaemonSet", "monitoring", "node-exporter")) >= 2
    status = actions.status("StatefulSet", "payments", "ledger-db")
    out = kubectl("rollout", "status", "sts/ledger-db", "-n", "payments",
                  "--timeout=30s").stdout.strip()
    wait_until(lambda: actions.status("StatefulSet", "payments", "ledger-db").done)
    assert out.splitlines()[-1] == actions.status("StatefulSet", "payments",
                                                  "ledger-db").message
    assert status.desired == 2


def test_read_only_refuses_every_write(client, kubectl):
    ro = Actions(client, readonly=True)
    before = kubectl("get", "deploy", "frontend", "-n", "shop", "-o", "yaml").stdout
    for attempt in (lambda: ro.restart("Deployment", "shop", "frontend"),
                    lambda: ro.undo("Deployment", "shop", "frontend"),
                    lambda: ro.scale("Deployment", "shop", "frontend", 0),
                    lambda: ro.delete("Deployment", "shop", "frontend"),
                    lambda: ro.pause("shop", "frontend"),
                    lambda: ro.cordon("kubetui-worker")):
        with pytest.raises(ReadOnly, match="read-only mode"):
            attempt()
    assert kubectl("get", "deploy", "frontend", "-n", "shop", "-o", "yaml").stdout == before
    assert ro.status("Deployment", "shop", "frontend").desired == 3  # reads still work


def pod_of(sim, ns: str, prefix: str) -> str:
    return wait_until(lambda: next((p["metadata"]["name"] for p in sim.list("Pod", ns)
                                    if p["metadata"]["name"].startswith(prefix)
                                    and (p["status"].get("containerStatuses") or [{}])[0]
                                    .get("state", {}).get("running")), None), timeout=30)


def test_log_follow_survives_a_dropped_stream_without_duplicates(sim, client):
    pod = pod_of(sim, "monitoring", "log-shipper")
    stream = LogStream(client, "monitoring", pod, follow=True, tail=5)
    lines = []
    dropped = False
    for line in stream:
        lines.append(line)
        if len(lines) == 30 and not dropped:
            sim.faults.down(0.5)  # cuts the stream; the server is back shortly
            dropped = True
        if len(lines) >= 120:
            stream.cancel()
    assert stream.reconnects >= 1
    keys = [(ln.stamp, ln.text) for ln in lines]
    assert len(keys) == len(set(keys)), "a line came twice"
    assert [ln.stamp for ln in lines] == sorted(ln.stamp for ln in lines)


def test_previous_logs_of_a_crashed_container(sim, client):
    pod = wait_until(lambda: next((p["metadata"]["name"] for p in sim.list("Pod", "payments")
                                   if p["metadata"]["name"].startswith("settlement-")
                                   and (p["status"].get("containerStatuses") or [{}])[0]
                                   .get("lastState", {}).get("terminated")), None), timeout=30)
    stream = LogStream(client, "payments", pod, previous=True)
    text = [ln.text for ln in stream]
    assert stream.state == ENDED
    assert text[0] == "starting settlement run" and "exit_code=3" in text[-1]
    with pytest.raises(ApiError, match="previous terminated container"):
        list(LogStream(client, "shop", pod_of(sim, "shop", "redis-"), previous=True))


def test_exec_once_returns_output_and_exit_codes(sim, client):
    pod = pod_of(sim, "shop", "frontend-")
    result = exec_once(client, "shop", pod, ["sh", "-c", "echo out; echo err >&2; exit 5"])
    assert (result.stdout, result.stderr, result.code) == ("out\n", "err\n", 5)
    assert exec_once(client, "shop", pod, ["cat"], stdin="piped\n").stdout == "piped\n"
    with pytest.raises(ApiError, match='pods "nope" not found'):
        exec_once(client, "shop", "nope", ["true"])


def test_interactive_session_falls_back_from_bash_to_sh(sim, client):
    pod = pod_of(sim, "shop", "frontend-")  # nginx:alpine has no bash
    session = ExecSession(client, "shop", pod).open(cols=120, rows=40)
    try:
        assert session.shell == "sh"
        screen = b""
        end = time.monotonic() + 5
        while b"# " not in screen and time.monotonic() < end:
            screen += session.read(0.1)
        session.resize(100, 30)
        session.write("echo $HOSTNAME\r")
        while pod.encode() + b"\r\n" not in screen and time.monotonic() < end + 5:
            screen += session.read(0.1)
        assert pod.encode() in screen
        session.write("exit 3\r")
        wait_until(lambda: (session.read(0.1) or True) and session.returncode is not None)
        assert session.returncode == 3
    finally:
        session.close()


def test_describe_deployment_lists_its_replica_sets_as_kubectl(web, client, kubectl):
    from kubetui.kube.evidence import described

    _, text = described(client, "Deployment", NS, "web")
    theirs = kubectl("describe", "deployment", "web", "-n", NS).stdout
    # everything before the events (whose ages move on between the two reads)
    assert text.split("\nEvents:")[0] == theirs.split("\nEvents:")[0]
    assert re.search(r"^NewReplicaSet:   web-\w+ \(\d+/\d+ replicas created\)$", text, re.M)


def test_exec_after_the_token_rotated_reloads_credentials_and_runs(sim, client):
    """A request that meets a 401 reloads the kubeconfig and asks again; an exec opened
    its websocket with whatever ApiClient it found (one a reload could close under it),
    and a rotated token failed it with 401. It now holds the client's ApiClient while it
    opens, and a 401 reloads once and opens again."""
    pod = pod_of(sim, "shop", "frontend-")
    before = client.reloads
    sim.faults.rotate_token()  # the old token now answers 401
    result = exec_once(client, "shop", pod, ["sh", "-c", "echo after"])
    assert (result.stdout, result.code) == ("after\n", 0)
    assert client.reloads == before + 1  # the 401 fired, and one reload answered it


def test_apply_finds_a_custom_resources_kind_through_discovery(sim, client):
    """`:apply` knew only kubetui's built-in kinds and refused every custom resource
    ("'Gizmo' is not a kind kubetui knows"). A manifest's kind is now found by its
    apiVersion through the server's discovery, as kubectl's REST mapping does; a kind
    the server does not serve is refused in kubectl's words."""
    from kubetui.kube.edit import apply, plan_apply

    sim.create("CustomResourceDefinition", None, {
        "metadata": {"name": "gizmos.apply.kubetui.dev"},
        "spec": {"group": "apply.kubetui.dev", "scope": "Namespaced",
                 "names": {"plural": "gizmos", "singular": "gizmo", "kind": "Gizmo"},
                 "versions": [{"name": "v1", "served": True, "storage": True}]}})
    sim.wait_for(lambda: sim.store.registry.lookup("apply.kubetui.dev", "v1", "gizmos"))
    gizmo = {"apiVersion": "apply.kubetui.dev/v1", "kind": "Gizmo",
             "metadata": {"name": "g1"}, "spec": {"size": 3}}
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "gizmo-settings"},
          "data": {"mode": "fast"}}
    planned = plan_apply(client, [gizmo, cm], "shop")
    assert [p.label for p in planned] == ["gizmo shop/g1", "configmap shop/gizmo-settings"]
    assert planned[0].live is None and planned[0].result["spec"] == {"size": 3}
    for p in planned:
        apply(client, p)
    found = client.get_json("/apis/apply.kubetui.dev/v1/namespaces/shop/gizmos/g1")
    assert found["spec"] == {"size": 3}
    with pytest.raises(ValueError, match='no matches for kind "Gadget" in version '
                                         '"apply.kubetui.dev/v1"'):
        plan_apply(client, [{**gizmo, "kind": "Gadget"}], "shop")
    with pytest.raises(ValueError, match='no matches for kind "Gizmo" in version '
                                         '"nowhere.kubetui.dev/v1"'):
        plan_apply(client, [{**gizmo, "apiVersion": "nowhere.kubetui.dev/v1"}], "shop")
