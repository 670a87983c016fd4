"""Every kind's row, from hand-written objects, with the cells kubectl prints for them
(checked against kubectl 1.32's printers) and the health colour the table gives it."""

from __future__ import annotations

import pytest

from kubetui.render.age import parse_time
from kubetui.render.printers import TABLES
from kubetui.render.views import view

NOW = parse_time("2026-11-26T12:00:00Z")
T0 = "2026-11-26T11:00:00Z"  # an hour before NOW


def meta(name: str, ns: str | None = "shop", **extra) -> dict:
    out = {"name": name, "creationTimestamp": T0, **extra}
    if ns:
        out["namespace"] = ns
    return out


CASES = [
    ("Deployment", {"metadata": meta("web"), "spec": {"replicas": 3, "selector": {
        "matchLabels": {"app": "web"}}, "template": {"spec": {"containers": [
            {"name": "nginx", "image": "nginx:1.27"}]}}},
        "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}},
     ("shop", "web", "2/3", "3", "2", "60m"), "pending"),
    ("StatefulSet", {"metadata": meta("db"), "spec": {"replicas": 2},
                     "status": {"readyReplicas": 2}}, ("shop", "db", "2/2", "60m"), "ok"),
    ("DaemonSet", {"metadata": meta("agent"), "spec": {"template": {"spec": {
        "nodeSelector": {"kubernetes.io/os": "linux"}}}},
        "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 0,
                   "updatedNumberScheduled": 3, "numberAvailable": 0}},
     ("shop", "agent", "3", "3", "0", "3", "0", "kubernetes.io/os=linux", "60m"), "error"),
    ("Job", {"metadata": meta("migrate"), "spec": {"completions": 1},
             "status": {"succeeded": 1, "startTime": "2026-11-26T11:00:00Z",
                        "completionTime": "2026-11-26T11:00:42Z",
                        "conditions": [{"type": "Complete", "status": "True"}]}},
     ("shop", "migrate", "Complete", "1/1", "42s", "60m"), "done"),
    ("CronJob", {"metadata": meta("report"), "spec": {"schedule": "*/5 * * * *"},
                 "status": {"lastScheduleTime": "2026-11-26T11:55:00Z"}},
     ("shop", "report", "*/5 * * * *", "<none>", "False", "0", "5m", "60m"), "ok"),
    ("Service", {"metadata": meta("front"), "spec": {
        "type": "NodePort", "clusterIP": "10.96.4.2", "selector": {"app": "web"},
        "ports": [{"port": 80, "protocol": "TCP"},
                  {"port": 443, "nodePort": 30443, "protocol": "TCP"}]}},
     ("shop", "front", "NodePort", "10.96.4.2", "<none>", "80/TCP,443:30443/TCP", "60m"),
     "ok"),
    ("Ingress", {"metadata": meta("site"), "spec": {"ingressClassName": "nginx", "rules": [
        {"host": "a.example"}, {"host": "b.example"}], "tls": [{"hosts": ["a.example"]}]},
                 "status": {"loadBalancer": {"ingress": [{"ip": "172.18.0.5"}]}}},
     ("shop", "site", "nginx", "a.example,b.example", "172.18.0.5", "80, 443", "60m"), "ok"),
    ("ConfigMap", {"metadata": meta("cfg"), "data": {"a": "1", "b": "2"}},
     ("shop", "cfg", "2", "60m"), "ok"),
    ("Secret", {"metadata": meta("tls"), "type": "kubernetes.io/tls",
                "data": {"tls.crt": "eA==", "tls.key": "eA=="}},
     ("shop", "tls", "kubernetes.io/tls", "2", "60m"), "ok"),
    ("PersistentVolumeClaim", {"metadata": meta("data"), "spec": {
        "storageClassName": "standard", "volumeName": "pvc-1"},
        "status": {"phase": "Bound", "capacity": {"storage": "1Gi"},
                   "accessModes": ["ReadWriteOnce"]}},
     ("shop", "data", "Bound", "pvc-1", "1Gi", "RWO", "standard", "<unset>", "60m"), "ok"),
    ("PersistentVolumeClaim", {"metadata": meta("stuck"), "spec": {
        "storageClassName": "fast-ssd"}, "status": {"phase": "Pending"}},
     ("shop", "stuck", "Pending", "", "", "", "fast-ssd", "<unset>", "60m"), "pending"),
    ("PersistentVolume", {"metadata": meta("pvc-1", None), "spec": {
        "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
        "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "standard",
        "claimRef": {"namespace": "shop", "name": "data"}}, "status": {"phase": "Bound"}},
     ("pvc-1", "1Gi", "RWO", "Delete", "Bound", "shop/data", "standard", "<unset>", "", "60m"),
     "ok"),
    ("StorageClass", {"metadata": meta("standard", None, annotations={
        "storageclass.kubernetes.io/is-default-class": "true"}),
        "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete",
        "volumeBindingMode": "WaitForFirstConsumer"},
     ("standard (default)", "rancher.io/local-path", "Delete", "WaitForFirstConsumer",
      "false", "60m"), "ok"),
    ("Node", {"metadata": meta("w1", None, labels={"node-role.kubernetes.io/worker": ""}),
              "spec": {"unschedulable": True},
              "status": {"conditions": [{"type": "Ready", "status": "True"}],
                         "nodeInfo": {"kubeletVersion": "v1.32.2"}}},
     ("w1", "Ready,SchedulingDisabled", "worker", "60m", "v1.32.2"), "pending"),
    ("Node", {"metadata": meta("w2", None), "status": {"conditions": [
        {"type": "Ready", "status": "False"}], "nodeInfo": {"kubeletVersion": "v1.32.2"}}},
     ("w2", "NotReady", "<none>", "60m", "v1.32.2"), "error"),
    ("Namespace", {"metadata": meta("shop", None), "status": {"phase": "Terminating"}},
     ("shop", "Terminating", "60m"), "pending"),
    ("HorizontalPodAutoscaler", {"metadata": meta("web"), "spec": {
        "scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 2,
        "maxReplicas": 6, "metrics": [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]},
        "status": {"currentReplicas": 3, "currentMetrics": [{"type": "Resource", "resource": {
            "name": "cpu", "current": {"averageUtilization": 37}}}]}},
     ("shop", "web", "Deployment/web", "cpu: 37%/80%", "2", "6", "3", "60m"), "ok"),
    ("NetworkPolicy", {"metadata": meta("allow"), "spec": {"podSelector": {
        "matchLabels": {"app": "cart"}}}}, ("shop", "allow", "app=cart", "60m"), "ok"),
    ("RoleBinding", {"metadata": meta("dev"), "roleRef": {"kind": "ClusterRole",
                                                          "name": "view"},
                     "subjects": [{"kind": "User", "name": "dev"}]},
     ("shop", "dev", "ClusterRole/view", "60m"), "ok"),
    ("ClusterRole", {"metadata": meta("view", None)}, ("view", T0), "ok"),
    ("EndpointSlice", {"metadata": meta("web-abc"), "addressType": "IPv4",
                       "ports": [{"port": 8080}], "endpoints": [
                           {"addresses": [f"10.0.0.{i}"]} for i in range(1, 6)]},
     ("shop", "web-abc", "IPv4", "8080", "10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...", "60m"),
     "ok"),
    ("Event", {"metadata": meta("x.1"), "type": "Warning", "reason": "BackOff",
               "involvedObject": {"kind": "Pod", "name": "web-1"},
               "lastTimestamp": "2026-11-26T11:59:30Z", "message": "Back-off restarting"},
     ("shop", "30s", "Warning", "BackOff", "pod/web-1", "Back-off restarting"), "error"),
]


@pytest.mark.parametrize("kind,obj,cells,health", CASES,
                         ids=[f"{c[0]}-{c[1]['metadata']['name']}" for c in CASES])
def test_rows_match_kubectl(kind, obj, cells, health):
    v = view(kind)
    row, got_health = v.rows_fn(all_namespaces=True, wide=False)(obj, NOW)
    headers = v.headers(True, False)
    assert len(row) == len(headers)
    assert row == cells
    assert got_health == health


def test_every_built_in_kind_has_a_view_with_kubectl_columns():
    for kind in TABLES:
        v = view(kind)
        narrow, wide = v.headers(True, False), v.headers(True, True)
        assert set(narrow) <= set(wide)
        # kubectl's events table names the object, not the event, unless -o wide
        assert ("NAME" in narrow) if kind != "Event" else ("NAME" in wide)


def test_namespace_column_only_across_namespaces():
    v = view("Deployment")
    assert v.headers(True, False)[0] == "NAMESPACE"
    assert "NAMESPACE" not in v.headers(False, False)
    assert "NAMESPACE" not in view("Node").headers(True, False)


def test_wide_adds_kubectls_wide_columns():
    assert view("Deployment").headers(False, True)[-3:] == ("CONTAINERS", "IMAGES", "SELECTOR")
