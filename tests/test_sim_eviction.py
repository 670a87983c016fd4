"""The sim's disruption controller and `pods/eviction`, held to what the real API server
answers (pkg/registry/core/pod/storage/eviction.go): PDB status from the selector and
the pods' readiness, 201 Success, 429 with the budget's numbers, 404, 500 for two
budgets; and `kubectl drain` against it."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from conftest import raw, wait_until
from helpers import ready_pods, set_unschedulable, two_node_cluster


@pytest.fixture(scope="module")
def cluster():
    sim = two_node_cluster()
    yield sim
    sim.stop()


def pdb_status(sim, name: str = "web") -> dict:
    return sim.get("PodDisruptionBudget", "default", name).get("status") or {}


def evict(sim, name: str, ns: str = "default"):
    return raw(sim, "POST", f"/api/v1/namespaces/{ns}/pods/{name}/eviction", {
        "apiVersion": "policy/v1", "kind": "Eviction",
        "metadata": {"name": name, "namespace": ns}})


def test_pdb_status_is_computed_from_the_selector_and_readiness(cluster):
    st = wait_until(lambda: pdb_status(cluster).get("currentHealthy") == 3 and
                    pdb_status(cluster))
    assert (st["expectedPods"], st["desiredHealthy"], st["currentHealthy"],
            st["disruptionsAllowed"]) == (3, 2, 3, 1)
    cond = st["conditions"][0]
    assert (cond["type"], cond["status"], cond["reason"]) == (
        "DisruptionAllowed", "True", "SufficientPods")
    # maxUnavailable as a percentage of the deployment's scale
    cluster.create("PodDisruptionBudget", "default", {
        "metadata": {"name": "web-max"},
        "spec": {"maxUnavailable": "34%", "selector": {"matchLabels": {"app": "web"}}}})
    st = wait_until(lambda: "observedGeneration" in pdb_status(cluster, "web-max") and
                    pdb_status(cluster, "web-max"))
    # 34% of 3 rounds up to 2 unavailable: 1 must stay healthy
    assert (st["expectedPods"], st["desiredHealthy"], st["disruptionsAllowed"]) == (3, 1, 2)
    pod = ready_pods(cluster, "web")[0]["metadata"]["name"]
    code, body = evict(cluster, pod)  # two budgets match: the real 500
    assert code == 500
    assert body == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": "This pod has more than one PodDisruptionBudget, which the "
                               "eviction subresource does not support.", "code": 500}
    cluster.delete("PodDisruptionBudget", "default", "web-max")


def test_eviction_answers_201_then_429_with_the_budget_then_404(cluster):
    wait_until(lambda: pdb_status(cluster).get("disruptionsAllowed") == 1)
    for node in ("node-a", "node-b"):  # no replacement may become ready (on either)
        set_unschedulable(cluster, node, True)
    try:
        first, second = [p["metadata"]["name"] for p in ready_pods(cluster, "web")][:2]
        _, before = raw(cluster, "GET", "/apis/policy/v1/namespaces/default/"
                        "poddisruptionbudgets")
        code, body = evict(cluster, first)
        assert (code, body) == (201, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                      "status": "Success", "code": 201})
        assert cluster.get("Pod", "default", first)["metadata"].get("deletionTimestamp")
        # the eviction took the budget's one disruption at once, and put the pod among
        # the disrupted ones (the budget's next version, as a watch from before sees it:
        # the controller may already have counted the evicted pod out since)
        assert pdb_status(cluster)["disruptionsAllowed"] == 0
        _, stream = raw(cluster, "GET", "/apis/policy/v1/namespaces/default/"
                        "poddisruptionbudgets?watch=1&timeoutSeconds=1&resourceVersion="
                        + before["metadata"]["resourceVersion"])
        versions = [json.loads(line)["object"] for line in stream.splitlines()]
        budget = next(v["status"] for v in versions if v["metadata"]["name"] == "web")
        assert budget["disruptionsAllowed"] == 0 and first in budget["disruptedPods"], budget
        wait_until(lambda: pdb_status(cluster)["currentHealthy"] == 2)
        code, body = evict(cluster, second)
        assert code == 429
        assert body == {
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "Cannot evict pod as it would violate the pod's disruption budget.",
            "reason": "TooManyRequests",
            "details": {"causes": [{"reason": "DisruptionBudget", "message":
                                    "The disruption budget web needs 2 healthy pods and has "
                                    "2 currently"}]},
            "code": 429}
        assert cluster.get("Pod", "default", second)["metadata"].get("deletionTimestamp") \
            is None
        code, body = evict(cluster, "no-such-pod")
        assert (code, body["reason"], body["message"]) == (
            404, "NotFound", 'pods "no-such-pod" not found')
    finally:
        for node in ("node-a", "node-b"):
            set_unschedulable(cluster, node, False)
    wait_until(lambda: len(ready_pods(cluster, "web")) == 3, timeout=30)


def test_cordon_adds_the_unschedulable_taint_and_the_scheduler_keeps_off(cluster):
    set_unschedulable(cluster, "node-b", True)
    wait_until(lambda: any(t["key"] == "node.kubernetes.io/unschedulable" and
                           t["effect"] == "NoSchedule" for t in
                           cluster.get("Node", None, "node-b")["spec"].get("taints") or ()))
    set_unschedulable(cluster, "node-b", False)
    wait_until(lambda: not cluster.get("Node", None, "node-b")["spec"].get("taints"))


def test_kubectl_drain_against_the_sim(cluster, kubectl_bin, tmp_path):
    config = cluster.write_kubeconfig(str(tmp_path / "config"))
    wait_until(lambda: len(ready_pods(cluster, "web")) == 3, timeout=30)
    on_a = len(ready_pods(cluster, "web", "node-a"))
    assert on_a, "the web pods should start on node-a"
    proc = subprocess.run([kubectl_bin, "drain", "node-a", "--ignore-daemonsets",
                           "--timeout=90s"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "KUBECONFIG": config})
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "node/node-a cordoned" in proc.stdout + proc.stderr
    assert "evicted" in proc.stdout
    assert "node/node-a drained" in proc.stdout
    if on_a > 1:  # the budget held one back, and kubectl said so, then retried
        assert "Cannot evict pod as it would violate the pod's disruption budget." in \
            proc.stderr
    left = [p for p in cluster.list("Pod", "default") if p["spec"].get("nodeName") == "node-a"]
    assert {p["metadata"]["labels"]["app"] for p in left} == {"agent"}
    assert cluster.get("Node", None, "node-a")["spec"]["unschedulable"] is True
    subprocess.run([kubectl_bin, "uncordon", "node-a"], capture_output=True, timeout=60,
                   env={**os.environ, "KUBECONFIG": config}, check=True)
