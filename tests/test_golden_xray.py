"""xray's ConfigMap / Secret trees from the real v1.36.2 cluster's pods, decoded the way
the informers decode them (kube.slim): a pod uses a ConfigMap or Secret through a
volume, a projected volume (every pod's kube-api-access: kube-root-ca.crt), envFrom,
configMapKeyRef / secretKeyRef or imagePullSecrets, and the slim pod still says so."""

from __future__ import annotations

import orjson
from real_k8s import load

from kubetui.kube.slim import decode_event, decode_list
from kubetui.render.xray import tree, uses

FULL = [r["object"] for r in load("tables/pods.table-includeObject.json")["rows"]]
CONFIGMAPS = [r["object"] for r in load("tables/configmaps.table-includeObject.json")["rows"]]
SECRETS = [r["object"] for r in load("tables/secrets.table-includeObject.json")["rows"]]


def slim(pods: list[dict]) -> list[dict]:
    items, _ = decode_list("Pod", orjson.dumps({"metadata": {}, "items": pods}))
    return items


def _referenced(pod: dict) -> set[tuple[str, str]]:
    """Every (kind, name) a pod's spec names, read from the full object."""
    spec, out = pod["spec"], set()
    for v in spec.get("volumes") or ():
        if "configMap" in v:
            out.add(("ConfigMap", v["configMap"]["name"]))
        if "secret" in v:
            out.add(("Secret", v["secret"]["secretName"]))
        for s in (v.get("projected") or {}).get("sources") or ():
            if "configMap" in s:
                out.add(("ConfigMap", s["configMap"]["name"]))
            if "secret" in s:
                out.add(("Secret", s["secret"]["name"]))
    for c in [*spec.get("initContainers", ()), *spec["containers"]]:
        for e in c.get("env") or ():
            ref = e.get("valueFrom") or {}
            if "configMapKeyRef" in ref:
                out.add(("ConfigMap", ref["configMapKeyRef"]["name"]))
            if "secretKeyRef" in ref:
                out.add(("Secret", ref["secretKeyRef"]["name"]))
        for e in c.get("envFrom") or ():
            if "configMapRef" in e:
                out.add(("ConfigMap", e["configMapRef"]["name"]))
            if "secretRef" in e:
                out.add(("Secret", e["secretRef"]["name"]))
    out |= {("Secret", s["name"]) for s in spec.get("imagePullSecrets") or ()}
    return out


def test_a_slim_pod_uses_what_the_full_pod_uses():
    names = {("ConfigMap", o["metadata"]["name"]) for o in CONFIGMAPS} | {
        ("Secret", o["metadata"]["name"]) for o in SECRETS}
    for full, small in zip(FULL, slim(FULL), strict=False):
        wanted = _referenced(full)
        assert wanted, full["metadata"]["name"]  # every real pod has its kube-api-access
        for kind, name in names | wanted:
            assert uses(small, kind, name) == ((kind, name) in wanted), (
                full["metadata"]["name"], kind, name)


def test_configmaps_and_secrets_count_the_pods_that_reference_them():
    pods = slim(FULL)
    trees = {(n.namespace, n.name): n for n in tree("ConfigMap", {
        "ConfigMap": CONFIGMAPS, "Pod": pods})}
    shop_pods = sorted(p["metadata"]["name"] for p in FULL
                       if p["metadata"]["namespace"] == "shop")
    env_users = sorted(p["metadata"]["name"] for p in FULL
                       if ("ConfigMap", "shop-config") in _referenced(p))
    assert env_users  # the cart pod: envFrom
    assert [c.name for c in trees[("shop", "shop-config")].children] == env_users
    root_ca = trees[("shop", "kube-root-ca.crt")]  # a projected source of every pod
    assert [c.name for c in root_ca.children] == shop_pods
    assert root_ca.detail == f"used by {len(shop_pods)} pod(s)"
    secrets = {(n.namespace, n.name): n for n in tree("Secret", {"Secret": SECRETS,
                                                                 "Pod": pods})}
    assert [c.name for c in secrets[("shop", "shop-db")].children] == sorted(
        p["metadata"]["name"] for p in FULL if ("Secret", "shop-db") in _referenced(p))


def test_a_watched_pod_keeps_its_references_too():
    cart = next(p for p in FULL if ("ConfigMap", "shop-config") in _referenced(p))
    _, small = decode_event("Pod", orjson.dumps({"type": "MODIFIED", "object": cart}))
    assert uses(small, "ConfigMap", "shop-config") and uses(small, "ConfigMap",
                                                            "kube-root-ca.crt")
    assert all("value" not in e for c in small["spec"]["containers"]
               for e in c.get("env") or ())  # references only, no values
