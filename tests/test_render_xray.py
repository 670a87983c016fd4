"""The xray trees from small objects: owners to pods to containers, services through
endpoint slices, the pods that use a ConfigMap or Secret, an HPA's target."""

from kubetui.render.xray import tree, uses


def meta(name, ns="shop", uid=None, owner=None, labels=None):
    m = {"name": name, "namespace": ns, "uid": uid or f"uid-{name}", "labels": labels or {}}
    if owner:
        m["ownerReferences"] = [{"uid": f"uid-{owner}", "controller": True}]
    return m


def pod(name, owner=None, labels=None, ready=True, spec=None):
    return {"metadata": meta(name, owner=owner, labels=labels),
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}], **(spec or {})},
            "status": {"phase": "Running",
                       "conditions": [{"type": "Ready", "status": str(ready)}],
                       "containerStatuses": [{"name": "web", "ready": ready,
                                              "state": {"running": {}} if ready else
                                              {"waiting": {"reason": "CrashLoopBackOff"}}}]}}


def test_deployment_to_replicasets_to_pods_to_containers():
    objects = {
        "Deployment": [{"metadata": meta("web"), "spec": {"replicas": 2},
                        "status": {"readyReplicas": 1, "replicas": 2, "updatedReplicas": 2,
                                   "availableReplicas": 1}}],
        "ReplicaSet": [{"metadata": meta("web-1", owner="web"), "spec": {"replicas": 2},
                        "status": {"readyReplicas": 1}},
                       {"metadata": meta("web-0", owner="web"), "spec": {"replicas": 0}}],
        "Pod": [pod("web-1-a", owner="web-1"), pod("web-1-b", owner="web-1", ready=False)],
    }
    [root] = tree("Deployment", objects)
    assert root.health == "pending" and "ready 1/2" in root.detail
    [rs] = root.children  # the old, empty ReplicaSet is left out
    assert rs.name == "web-1" and [p.name for p in rs.children] == ["web-1-a", "web-1-b"]
    bad = rs.children[1]
    assert bad.health == "error" and bad.children[0].kind == "Container"
    assert bad.children[0].health == "error" and "CrashLoopBackOff" in bad.children[0].detail


def test_service_through_endpoint_slices_to_pods():
    objects = {
        "Service": [{"metadata": meta("web"), "spec": {"selector": {"app": "web"},
                                                       "clusterIP": "10.0.0.1"}}],
        "EndpointSlice": [{"metadata": meta("web-abc", labels={
            "kubernetes.io/service-name": "web"}), "endpoints": [
            {"addresses": ["10.1.0.5"], "conditions": {"ready": True},
             "targetRef": {"kind": "Pod", "name": "web-a"}},
            {"addresses": ["10.1.0.6"], "conditions": {"ready": False},
             "targetRef": {"kind": "Pod", "name": "web-b"}}]}],
        "Pod": [pod("web-a", labels={"app": "web"}), pod("web-b", labels={"app": "web"},
                                                         ready=False)],
    }
    [svc] = tree("Service", objects)
    [eps] = svc.children
    assert (eps.kind, eps.health, eps.detail) == ("EndpointSlice", "pending",
                                                  "1/2 endpoints ready")
    assert [p.name for p in eps.children] == ["web-a", "web-b"]
    assert eps.children[0].detail.endswith("10.1.0.5")


def test_configmap_and_secret_users():
    users = pod("a", spec={"volumes": [{"name": "c", "configMap": {"name": "conf"}}],
                           "containers": [{"name": "web", "env": [{"name": "P", "valueFrom": {
                               "secretKeyRef": {"name": "db", "key": "password"}}}]}]})
    other = pod("b", spec={"containers": [{"name": "web", "envFrom": [
        {"configMapRef": {"name": "conf"}}]}]})
    none = pod("c")
    assert uses(users, "ConfigMap", "conf") and uses(users, "Secret", "db")
    assert uses(other, "ConfigMap", "conf") and not uses(other, "Secret", "db")
    objects = {"ConfigMap": [{"metadata": meta("conf"), "data": {"a": "1"}}],
               "Pod": [users, other, none]}
    [cm] = tree("ConfigMap", objects)
    assert [p.name for p in cm.children] == ["a", "b"] and cm.detail == "used by 2 pod(s)"


def test_hpa_points_at_its_target_or_says_it_is_missing():
    hpa = {"metadata": meta("web"), "spec": {"scaleTargetRef": {"kind": "Deployment",
                                                                 "name": "web"}}}
    [root] = tree("HorizontalPodAutoscaler", {"HorizontalPodAutoscaler": [hpa],
                                              "Deployment": []})
    assert [(c.kind, c.name, c.health, c.detail) for c in root.children] == [
        ("Deployment", "web", "error", "target not found")]


def test_statefulset_pods_with_their_claims():
    objects = {
        "StatefulSet": [{"metadata": meta("db"), "spec": {"replicas": 1},
                         "status": {"readyReplicas": 1}}],
        "Pod": [pod("db-0", owner="db", spec={"volumes": [
            {"name": "data", "persistentVolumeClaim": {"claimName": "data-db-0"}}]})],
        "PersistentVolumeClaim": [],
    }
    [sts] = tree("StatefulSet", objects)
    [p] = sts.children
    assert [(c.kind, c.name, c.health) for c in p.children] == [
        ("Container", "web", "ok"), ("PersistentVolumeClaim", "data-db-0", "error")]
