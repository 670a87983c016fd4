"""`d` on a node against a running cluster: kubetui reads the node's Lease and its
non-terminated pods (kubectl's field selector) and agrees with `kubectl describe node` on
the Lease holder, every pod row's requests and limits and the Allocated resources; the
sim's kubelets keep their Leases as real ones do; a pod list or a Lease that cannot be
read (403 by RBAC, 500) is said in the server's words and logged at ERROR, and the rest
of the describe is still drawn."""

from __future__ import annotations

import logging
import re

import pytest
from conftest import FAST, make_namespace, raw, wait_for, wait_until
from helpers import bare_pod, command, filter_by, names
from real_k8s import load

from kubetui.kube.client import KubeClient
from kubetui.kube.config import load_kubeconfig
from kubetui.kube.evidence import LEASES, NODE_PODS, described
from kubetui.render.age import parse_time
from kubetui.sim import SimCluster
from kubetui.ui.screens.object import ObjectScreen

RBAC = "rbac.authorization.k8s.io"


def sections(text: str) -> dict[str, list[str]]:
    """What the two describes must agree on: the Lease lines (RenewTime by form: the
    kubelet renews between the two reads), the pod rows without their Age, and the
    Allocated resources lines."""
    lines = text.split("\nEvents:")[0].split("\n")
    out: dict[str, list[str]] = {"lease": [], "pods": [], "allocated": []}
    part = None
    for line in lines:
        if line.startswith("Lease:"):
            part = "lease"
        elif line.startswith("Non-terminated Pods:"):
            part = "pods"
        elif line.startswith("Allocated resources:"):
            part = "allocated"
        elif line and not line.startswith(" "):
            part = None
        if part == "lease" and line.startswith("  RenewTime:"):
            line = re.sub(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}$", "(time)", line)
        if part == "pods" and line.startswith("  ") and not line.lstrip().startswith(
                ("Namespace", "---")):
            line = line.rsplit(None, 1)[0]  # the Age: the pods age between the two reads
        if part:
            out[part].append(line)
    return out


@pytest.fixture(scope="module")
def client(kubeconfig):
    c = KubeClient.connect(load_kubeconfig([kubeconfig]))
    yield c
    c.close()


def test_kubetui_and_kubectl_agree_on_every_nodes_lease_pods_and_allocated_resources(
        sim, kubectl, client):
    for node in sim.list("Node"):
        name = node["metadata"]["name"]
        on_node = [p for p in sim.list("Pod") if p["spec"].get("nodeName") == name and
                   (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
        for _ in range(5):  # a pod may come or go between the two reads
            theirs = sections(kubectl("describe", "node", name).stdout)
            ours = sections(described(client, "Node", None, name)[1])
            if ours == theirs:
                break
        assert ours == theirs, name
        assert ours["lease"][:2] == ["Lease:", f"  HolderIdentity:  {name}"]
        assert len(ours["pods"]) == 3 + len(on_node) and len(on_node) > 0
        assert f"({len(on_node)} in total)" in ours["pods"][0]
        assert [line.split()[0] for line in ours["allocated"][4:]] == [
            "cpu", "memory", "ephemeral-storage", "hugepages-2Mi"]


def test_a_nodes_events_are_its_kubelets_and_the_node_controllers_as_kubectl_lists(
        sim, kubectl, client):
    """A kubelet's events name its node by the node's name as uid, the node controller's
    by the node's uid; kubectl describe asks for both. kubetui asked by uid only, so a
    node's describe missed what its kubelet said (the sim's nodes now say both)."""
    def reasons(text: str) -> list[str]:
        events = text.split("\nEvents:", 1)[1].splitlines()[3:]
        return sorted(line.split()[1] for line in events if line.strip())

    name = sim.list("Node")[0]["metadata"]["name"]
    ours = described(client, "Node", None, name)[1]
    assert "Starting kubelet." in ours  # the kubelet's (uid: the node's name)
    assert f"Registered Node {name} in Controller" in ours  # the controller's (its uid)
    assert reasons(ours) == reasons(kubectl("describe", "node", name).stdout)


def test_the_kubelets_keep_a_lease_per_node_renewed_and_kubectl_lists_them(sim, kubectl):
    nodes = {n["metadata"]["name"]: n for n in sim.list("Node")}
    leases = {x["metadata"]["name"]: x for x in sim.list("Lease", "kube-node-lease")}
    assert set(leases) == set(nodes)
    for name, lease in leases.items():
        assert lease["spec"]["holderIdentity"] == name
        assert lease["spec"]["leaseDurationSeconds"] == 40
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z",
                            lease["spec"]["renewTime"])
        assert "acquireTime" not in lease["spec"]
        assert lease["metadata"]["ownerReferences"] == [{
            "apiVersion": "v1", "kind": "Node", "name": name,
            "uid": nodes[name]["metadata"]["uid"]}]
    name, first = next(iter(leases.items()))
    renewed = wait_until(lambda: (x := sim.get("Lease", "kube-node-lease", name)) and
                         x["spec"]["renewTime"] != first["spec"]["renewTime"] and x,
                         timeout=30)
    gap = parse_time(renewed["spec"]["renewTime"]) - parse_time(first["spec"]["renewTime"])
    assert 0 < gap * FAST < 60  # every 10 simulated seconds, give or take a busy machine
    text = kubectl("get", "leases", "-n", "kube-node-lease").stdout.splitlines()
    assert text[0].split() == ["NAME", "HOLDER", "AGE"]
    assert sorted(line.split()[:2] for line in text[1:]) == sorted([n, n] for n in nodes)
    resources = kubectl("api-resources", "--api-group=coordination.k8s.io").stdout
    assert re.search(r"^leases\s+coordination\.k8s\.io/v1\s+true\s+Lease$", resources, re.M)


def test_leases_are_discovered_as_the_real_server_serves_them(sim):
    real = load("discovery/apis.aggregated-v2.json")
    [group] = [g for g in real["items"] if g["metadata"]["name"] == "coordination.k8s.io"]
    [theirs] = [r for v in group["versions"] if v["version"] == "v1"
                for r in v["resources"] if r["resource"] == "leases"]
    status, mine = raw(sim, "GET", "/apis/coordination.k8s.io/v1")
    assert status == 200
    [ours] = [r for r in mine["resources"] if r["name"] == "leases"]
    assert (ours["kind"], ours["namespaced"], ours["singularName"], sorted(ours["verbs"])) == (
        "Lease", theirs["scope"] == "Namespaced", theirs["singularResource"],
        sorted(theirs["verbs"]))
    assert "shortNames" not in ours and "shortNames" not in theirs
    [listed] = [g for g in raw(sim, "GET", "/apis")[1]["groups"]
                if g["name"] == "coordination.k8s.io"]
    [real_group] = [g for g in load("discovery/apis.json")["groups"]
                    if g["name"] == "coordination.k8s.io"]
    assert listed == real_group


def test_a_nodes_lease_goes_with_the_node():
    sim = SimCluster(None, speed=FAST).start()
    try:
        sim.create("Node", None, {"metadata": {"name": "gone-soon"}})
        wait_until(lambda: sim.get("Lease", "kube-node-lease", "gone-soon"), timeout=20)
        sim.delete("Node", None, "gone-soon")
        wait_until(lambda: sim.get("Lease", "kube-node-lease", "gone-soon") is None,
                   timeout=20)
    finally:
        sim.stop()


def test_the_pods_field_selector_is_served_as_the_real_server_does(sim, api):
    from kubernetes.client import CoreV1Api
    ns = make_namespace(sim, "node-pods")
    node = sim.list("Node")[-1]["metadata"]["name"]
    once = {"restartPolicy": "Never", "nodeName": node}
    sim.create("Pod", ns, bare_pod("runs", nodeName=node))
    sim.create("Pod", ns, bare_pod("done", "busybox:1.36", **once))
    failed = bare_pod("failed", "busybox:1.36", **once)
    failed["metadata"]["annotations"] = {"sim.kubetui.dev/behavior": "crash exit=1 after=1s"}
    sim.create("Pod", ns, failed)

    def phase(name):
        return (sim.get("Pod", ns, name).get("status") or {}).get("phase")
    wait_until(lambda: (phase("runs"), phase("done"), phase("failed")) == (
        "Running", "Succeeded", "Failed"), timeout=30)
    listed = CoreV1Api(api).list_pod_for_all_namespaces(
        field_selector=NODE_PODS.format(node=node)).items
    got = sorted((p.metadata.namespace, p.metadata.name) for p in listed)
    want = sorted((p["metadata"]["namespace"], p["metadata"]["name"]) for p in sim.list("Pod")
                  if p["spec"].get("nodeName") == node and
                  (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed"))
    assert got == want and (ns, "runs") in got
    assert (ns, "done") not in got and (ns, "failed") not in got


def _user_config(sim, tmp_path, user: str, rules: list[dict]) -> str:
    sim.create("ClusterRole", None, {"metadata": {"name": user}, "rules": rules})
    sim.create("ClusterRoleBinding", None, {
        "metadata": {"name": user},
        "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": user},
        "subjects": [{"apiGroup": RBAC, "kind": "User", "name": user}]})
    return sim.write_kubeconfig(str(tmp_path / user), user=user)


NODES = {"apiGroups": [""], "resources": ["nodes", "events"], "verbs": ["get", "list"]}
PODS = {"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}
LEASE = {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["get"]}


def _errors(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "kubetui.evidence" and
            r.levelno == logging.ERROR and r.exc_info]


def _described_as(sim, tmp_path, caplog, user: str, rules: list[dict]) -> tuple[str, str]:
    """(a node's name, its describe) as a user with only `rules`."""
    config = _user_config(sim, tmp_path, user, rules)
    node = sim.list("Node")[0]["metadata"]["name"]
    c = KubeClient.connect(load_kubeconfig([config]))
    try:
        with caplog.at_level(logging.ERROR, "kubetui.evidence"):
            return node, described(c, "Node", None, node)[1]
    finally:
        c.close()


def test_pods_the_user_may_not_list_are_said_in_the_servers_words(sim, tmp_path, caplog):
    node, text = _described_as(sim, tmp_path, caplog, "node-reader", [NODES, LEASE])
    lines = text.split("\n")
    said = ('could not list the pods on this node: pods is forbidden: User "node-reader" '
            'cannot list resource "pods" in API group "" at the cluster scope')
    assert any(line.startswith("Non-terminated Pods:") and line.endswith(said)
               for line in lines), text
    assert any(line.startswith("Allocated resources:") and "unknown" in line for line in lines)
    assert "in total)" not in text and "CPU Requests" not in text
    assert f"  HolderIdentity:  {node}" in lines  # the lease it may read, it shows
    assert [r.getMessage() for r in _errors(caplog)] == [f"cannot list the pods on node {node}"]


def test_a_lease_the_user_may_not_read_is_said_as_kubectl_says_it(sim, tmp_path, caplog):
    node, text = _described_as(sim, tmp_path, caplog, "pod-reader", [NODES, PODS])
    assert (f'Lease:              Failed to get lease: leases.coordination.k8s.io "{node}" '
            'is forbidden: User "pod-reader" cannot get resource "leases" in API group '
            '"coordination.k8s.io" in the namespace "kube-node-lease"') in text.split("\n")
    assert "in total)" in text  # the pods it may list, it shows
    assert [r.getMessage() for r in _errors(caplog)] == [
        f"cannot read the lease of node {node}"]


@pytest.mark.parametrize("path, said", [
    ("/api/v1/pods", "Non-terminated Pods:          could not list the pods on this node: "
                     "Internal error occurred: injected fault"),
    (None, "Lease:              Failed to get lease: Internal error occurred: injected "
           "fault")])
def test_a_failing_read_shows_the_servers_words_and_the_rest_of_the_describe(
        sim, client, caplog, path, said):
    node = sim.list("Node")[0]["metadata"]["name"]
    before = sim.faults.injected
    sim.faults.errors(1, 500, path=path or f"{LEASES}/{node}")
    with caplog.at_level(logging.ERROR, "kubetui.evidence"):
        text = described(client, "Node", None, node)[1]
    assert sim.faults.injected == before + 1  # the fault fired, on that read only
    assert said in text.split("\n")
    assert "System Info:" in text and "Conditions:" in text
    assert len(_errors(caplog)) == 1


async def test_d_on_a_node_shows_its_lease_pods_and_allocated_resources(make_app, sim):
    node = sim.list("Node")[0]["metadata"]["name"]
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await command(pilot, "no")
        await filter_by(pilot, f"^{node}$")
        assert await wait_for(pilot, lambda: names(app) == [node])
        await pilot.press("d")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ObjectScreen))
        text = app.screen.text()
        assert f"  HolderIdentity:  {node}" in text.split("\n")
        assert "Non-terminated Pods:" in text and "Allocated resources:" in text
        lines = text.split("\n")
        cpu = next(line for line in lines if line.startswith("  cpu ") and "%)" in line)
        assert re.fullmatch(r"  cpu\s+\d+m? \(\d+%\)\s+\d+m? \(\d+%\)", cpu)


def test_a_pod_list_that_never_ends_is_said_not_followed_for_ever(caplog):
    """The node's pods are read page by page; a server that answers the same continue
    token again would have been asked for ever: it is now a read that failed."""
    from kubetui.kube.client import ApiError

    asked: list[str] = []

    class Looping:
        def get_json(self, path, query=None, timeout=30):
            if path == "/api/v1/nodes/n1":
                return {"kind": "Node", "metadata": {"name": "n1", "uid": "u1"},
                        "status": {"allocatable": {"cpu": "1", "memory": "1Gi"}}}
            if path == "/api/v1/pods":
                asked.append((query or {}).get("continue") or "")
                return {"items": [], "metadata": {"continue": "same"}}
            if "leases" in path:
                raise ApiError(404, "NotFound", 'leases "n1" not found')
            return {"items": []}  # events

    with caplog.at_level(logging.ERROR, "kubetui.evidence"):
        text = described(Looping(), "Node", None, "n1")[1]
    assert asked == ["", "same"]  # the fault fired: the second page named the first's
    assert "could not list the pods on this node: ValueError: the server gave the same " \
           "continue token twice" in text
    assert _errors(caplog)
