"""What `e` and `:apply` need from the sim, held to the real server's answers in
fixtures/real-k8s/errors: dryRun=All stores nothing, a stale resourceVersion is a 409
Conflict in the real words, a bad field a 422 Invalid with the field as a cause, and
server-side apply creates or merges under its field manager."""

from __future__ import annotations

from conftest import deployment, make_namespace, raw
from real_k8s import load

DEPLOYS = "/apis/apps/v1/namespaces/{ns}/deployments"


def test_dry_run_on_create_update_and_patch_stores_nothing(sim):
    ns = make_namespace(sim, "dry")
    path = DEPLOYS.format(ns=ns)
    code, body = raw(sim, "POST", path + "?dryRun=All", deployment("ghost"))
    assert code == 201 and body["metadata"]["name"] == "ghost" and body["metadata"]["uid"]
    assert sim.get("Deployment", ns, "ghost") is None
    sim.create("Deployment", ns, deployment("real", replicas=2))
    live = sim.get("Deployment", ns, "real")
    edited = {**live, "spec": {**live["spec"], "replicas": 5}}
    code, body = raw(sim, "PUT", f"{path}/real?dryRun=All", edited)
    assert code == 200 and body["spec"]["replicas"] == 5
    code, body = raw(sim, "PATCH", f"{path}/real?dryRun=All", {"spec": {"replicas": 7}},
                     content_type="application/merge-patch+json")
    assert code == 200 and body["spec"]["replicas"] == 7
    assert sim.get("Deployment", ns, "real")["spec"]["replicas"] == 2


def test_stale_resource_version_is_the_real_409(sim):
    ns = make_namespace(sim, "stale")
    sim.create("ConfigMap", ns, {"metadata": {"name": "exists"}, "data": {"a": "1"}})
    old = sim.get("ConfigMap", ns, "exists")
    raw(sim, "PATCH", f"/api/v1/namespaces/{ns}/configmaps/exists", {"data": {"a": "2"}},
        content_type="application/merge-patch+json")
    code, body = raw(sim, "PUT", f"/api/v1/namespaces/{ns}/configmaps/exists?dryRun=All",
                     {**old, "data": {"a": "3"}})
    real = load("errors/409-conflict-stale-resourceversion.json")["body"]
    assert code == real["code"] == 409
    assert body == real  # the real one's object was also a configmap named "exists"


def test_a_bad_field_is_the_real_422_with_its_cause(sim):
    ns = make_namespace(sim, "invalid")
    code, body = raw(sim, "POST", DEPLOYS.format(ns=ns), deployment("bad", replicas=-1))
    real = load("errors/422-invalid-field-values.json")["body"]
    assert code == 422
    assert (body["reason"], body["details"]["kind"], body["details"]["group"]) == (
        real["reason"], real["details"]["kind"], real["details"]["group"])
    assert body["message"].startswith('Deployment.apps "bad" is invalid: spec.replicas: '
                                      "Invalid value: -1: must be greater than or equal to 0")
    replicas_cause = next(c for c in real["details"]["causes"] if c["field"] == "spec.replicas")
    assert body["details"]["causes"] == [replicas_cause]


def test_server_side_apply_creates_then_merges_under_its_manager(sim):
    ns = make_namespace(sim, "ssa")
    path = f"/api/v1/namespaces/{ns}/configmaps/settings?fieldManager=kubetui"
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
          "data": {"mode": "fast"}}
    code, _ = raw(sim, "PATCH", path + "&dryRun=All", cm,
                  content_type="application/apply-patch+yaml")
    assert code == 201 and sim.get("ConfigMap", ns, "settings") is None
    code, _ = raw(sim, "PATCH", path, cm, content_type="application/apply-patch+yaml")
    assert code == 201
    code, body = raw(sim, "PATCH", path, {**cm, "data": {"mode": "slow", "level": "2"}},
                     content_type="application/apply-patch+yaml")
    assert code == 200 and body["data"] == {"mode": "slow", "level": "2"}
    stored = sim.get("ConfigMap", ns, "settings")
    assert {m["manager"] for m in stored["metadata"]["managedFields"]} == {"kubetui"}
