"""kubectl (from PATH) is the judge of the simulated cluster."""

import os
import re
import signal
import subprocess
import threading
import time

from conftest import make_namespace, wait_until


def test_get_pods_all_namespaces(sim, kubectl):
    out = kubectl("get", "pods", "-A").stdout.splitlines()
    assert out[0].split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    rows = {tuple(line.split()[:2]): line.split() for line in out[1:]}
    assert ("kube-system", "etcd-kubetui-control-plane") in rows
    frontend = [r for (ns, name), r in rows.items() if ns == "shop" and name.startswith(
        "frontend-")]
    assert len(frontend) == 3
    assert all(r[2] == "1/1" and r[3] == "Running" for r in frontend)


def test_get_deployments_wide(sim, kubectl):
    out = kubectl("get", "deploy", "-n", "shop", "-o", "wide").stdout.splitlines()
    assert out[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS",
                              "IMAGES", "SELECTOR"]
    frontend = next(line.split() for line in out if line.startswith("frontend "))
    assert frontend[1:4] == ["3/3", "3", "3"]
    assert frontend[5:] == ["nginx", "nginx:1.27-alpine", "app=frontend"]


def test_get_yaml_and_short_names(sim, kubectl):
    out = kubectl("get", "po", "-n", "kube-system", "etcd-kubetui-control-plane", "-o",
                  "jsonpath={.spec.nodeName} {.status.phase}").stdout
    assert out == "kubetui-control-plane Running"
    assert "kubetui-worker2" in kubectl("get", "no").stdout


def test_get_watch_prints_events_as_they_happen(sim, kubectl_bin, kubeconfig):
    ns = make_namespace(sim, "kubectl-watch")
    proc = subprocess.Popen(
        [kubectl_bin, "get", "configmaps", "-n", ns, "-w", "--output-watch-events"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "KUBECONFIG": kubeconfig}, start_new_session=True)
    printed: list[str] = []
    reader = threading.Thread(target=lambda: printed.extend(proc.stdout), daemon=True)
    reader.start()

    def watching() -> bool:  # kubectl listed, and its watch of the namespace is open
        return any(w.namespace == ns and w.res.plural == "configmaps"
                   for w in list(sim.store.watchers))
    try:
        wait_until(lambda: watching() and any("kube-root-ca.crt" in p for p in printed))
        sim.create("ConfigMap", ns, {"metadata": {"name": "watched"}, "data": {"k": "v"}})
        sim.delete("ConfigMap", ns, "watched")
        wait_until(lambda: any(p.split()[:2] == ["DELETED", "watched"] for p in printed))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
        reader.join(10)
        err = proc.stderr.read()
    out = "".join(printed)
    lines = [line.split() for line in out.splitlines()]
    assert lines[0] == ["EVENT", "NAME", "DATA", "AGE"], (out, err)
    events = [(line[0], line[1]) for line in lines[1:]]
    assert ("ADDED", "kube-root-ca.crt") in events
    assert ("ADDED", "watched") in events and ("DELETED", "watched") in events


def deployment_yaml(name: str, replicas: int) -> str:
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n"
            f"  replicas: {replicas}\n  selector: {{matchLabels: {{app: {name}}}}}\n"
            f"  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n"
            f"      containers: [{{name: main, image: 'nginx:1.27'}}]\n")


def test_scale_deployment(sim, kubectl):
    ns = make_namespace(sim, "kubectl-scale")
    kubectl("apply", "-n", ns, "-f", "-", input=deployment_yaml("web", 1))
    assert "scaled" in kubectl("scale", "deployment/web", "--replicas=3", "-n", ns).stdout
    wait_until(lambda: kubectl("get", "deploy", "web", "-n", ns, "-o",
                               "jsonpath={.status.readyReplicas}").stdout == "3")
    assert len(kubectl("get", "pods", "-n", ns, "-l", "app=web", "-o", "name").stdout
               .split()) == 3


MANIFEST = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: applied
spec:
  replicas: 2
  selector:
    matchLabels: {app: applied}
  template:
    metadata:
      labels: {app: applied}
    spec:
      containers:
        - name: app
          image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata:
  name: applied
spec:
  selector: {app: applied}
  ports:
    - port: 80
"""


def test_apply_creates_then_updates(sim, kubectl):
    ns = make_namespace(sim, "kubectl-apply")
    out = kubectl("apply", "-n", ns, "-f", "-", input=MANIFEST).stdout
    assert "deployment.apps/applied created" in out and "service/applied created" in out
    wait_until(lambda: kubectl("get", "deploy", "applied", "-n", ns, "-o",
                               "jsonpath={.status.availableReplicas}").stdout == "2")
    changed = MANIFEST.replace("replicas: 2", "replicas: 3")
    out = kubectl("apply", "-n", ns, "-f", "-", input=changed).stdout
    assert "deployment.apps/applied configured" in out
    assert "service/applied unchanged" in out
    wait_until(lambda: kubectl("get", "deploy", "applied", "-n", ns, "-o",
                               "jsonpath={.status.availableReplicas}").stdout == "3")
    svc = kubectl("get", "svc", "applied", "-n", ns).stdout.splitlines()[1].split()
    assert svc[1] == "ClusterIP" and svc[2].startswith("10.96.") and svc[4] == "80/TCP"


def test_delete_cascades_to_replicasets_and_pods(sim, kubectl):
    ns = make_namespace(sim, "kubectl-delete")
    kubectl("apply", "-n", ns, "-f", "-", input=deployment_yaml("gone", 2))
    wait_until(lambda: len(kubectl("get", "pods", "-n", ns, "-o", "name").stdout.split()) == 2)
    out = kubectl("delete", "deployment", "gone", "-n", ns, timeout=60).stdout
    assert 'deployment.apps "gone" deleted' in out
    wait_until(lambda: kubectl("get", "rs,pods", "-n", ns, "-o", "name").stdout.strip() == "")


def test_protobuf_bodies_get_a_clear_refusal(sim, kubectl):
    result = kubectl("create", "configmap", "pb", "-n", "shop", "--from-literal=a=b",
                     check=False)
    assert result.returncode != 0
    assert "kubectl apply -f" in result.stderr


def test_delete_pod_waits_for_graceful_termination(sim, kubectl):
    pod = kubectl("get", "pods", "-n", "shop", "-l", "app=cart", "-o", "name").stdout.split()[0]
    out = kubectl("delete", "-n", "shop", pod, timeout=60).stdout
    assert "deleted" in out
    gone = kubectl("get", "-n", "shop", pod, check=False)
    assert gone.returncode != 0 and "NotFound" in gone.stderr
    # the ReplicaSet replaces it
    wait_until(lambda: len(kubectl("get", "pods", "-n", "shop", "-l", "app=cart",
                                   "-o", "name").stdout.split()) == 2)


def test_demo_scenario_files_apply_cleanly_with_kubectl(sim, kubectl):
    from kubetui.sim.scenario import scenario_dir

    folder = scenario_dir("demo")
    proc = kubectl("apply", "-f", str(folder))
    out = proc.stdout
    assert "deployment.apps/frontend" in out and "namespace/payments" in out
    for kind in ("statefulset.apps/ledger-db", "daemonset.apps/node-exporter",
                 "cronjob.batch/nightly-report", "job.batch/db-migrate",
                 "persistentvolumeclaim/archive-data", "ingress.networking.k8s.io/storefront",
                 "horizontalpodautoscaler.autoscaling/frontend",
                 "poddisruptionbudget.policy/frontend", "networkpolicy.networking.k8s.io/",
                 "rolebinding.rbac.authorization.k8s.io/dev-view"):
        assert kind in out, kind
    assert "error" not in proc.stderr.lower()


def test_kind_demo_applies_the_same_files_to_a_three_node_cluster(capsys):
    from kubetui.kind_demo import KIND_CONFIG, main
    from kubetui.sim.scenario import scenario_dir

    assert main(["up", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"apply -f {scenario_dir('demo')}" in out and "kubetui --context kind-kubetui" in out
    assert KIND_CONFIG.count("role: worker") == 2 and KIND_CONFIG.count("control-plane") == 1
    assert main(["down", "--dry-run"]) == 0
    assert "kind delete cluster --name kubetui" in capsys.readouterr().out


def test_plain_apply_validates_through_openapi_v3(sim, kubectl):
    out = kubectl("apply", "-n", "shop", "-f", "-",
                  input="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: strict}\n"
                        "data: {a: b}\n").stdout
    assert "configmap/strict created" in out


def test_scheduler_events_are_events_k8s_io_style_and_print_as_kubectl(sim, api, kubectl):
    """The real scheduler writes through events.k8s.io: eventTime, action, reporting
    fields, count / firstTimestamp / lastTimestamp null, and `series` once it repeats.
    The official client reads them, kubectl prints their COUNT and `(x2 over ...)`."""
    from kubernetes.client import CoreV1Api

    ns = make_namespace(sim, "kubectl-sched-events")
    sim.create("Pod", ns, {"metadata": {"name": "huge"}, "spec": {"containers": [
        {"name": "app", "image": "nginx:1.27", "resources": {"requests": {"cpu": "900"}}}]}})
    first = wait_until(lambda: next((e for e in sim.list("Event", ns)
                                     if e["reason"] == "FailedScheduling"), None))
    assert first["eventTime"] and first["reportingComponent"] == "default-scheduler"
    assert first["action"] == "Scheduling" and first["source"] == {}
    assert first["firstTimestamp"] is None and first["lastTimestamp"] is None
    assert "count" not in first and "series" not in first
    pod = sim.get("Pod", ns, "huge")
    time.sleep(1.1)  # the scheduler tries again: the same event becomes a series
    sim.call(lambda: sim.recorder.emit(pod, "Warning", "FailedScheduling", first["message"],
                                       "default-scheduler", series=True))
    [ev] = CoreV1Api(api).list_namespaced_event(ns, field_selector="reason=FailedScheduling").items
    assert ev.series.count >= 2 and ev.count is None and ev.event_time is not None
    assert ev.series.last_observed_time > ev.event_time
    wide = kubectl("get", "events", "-n", ns, "-o", "wide").stdout.splitlines()
    assert wide[0].split()[-4:] == ["FIRST", "SEEN", "COUNT", "NAME"]
    row = next(line.split() for line in wide if ev.metadata.name in line)
    assert row[-1] == ev.metadata.name and int(row[-2]) >= 2  # COUNT, from the series
    assert "default-scheduler," in row  # SOURCE: reportingComponent, reportingInstance
    described = kubectl("describe", "pod", "-n", ns, "huge").stdout
    line = next(ln for ln in described.splitlines() if "FailedScheduling" in ln)
    assert re.search(r"\(x\d+ over \d", line) and "default-scheduler" in line


def _before_events(text: str, kind: str) -> list[str]:
    """A describe text up to its Events; a node's with its Lease's RenewTime and its
    pods' ages blanked (the kubelet renews, and the pods age, between the two reads)."""
    lines, pods = [], False
    for line in text.split("\nEvents:")[0].splitlines():
        if kind == "Node" and line.startswith("  RenewTime:"):
            line = "  RenewTime: (a time)"
        if line and not line.startswith(" "):
            pods = line.startswith("Non-terminated Pods:")
        elif kind == "Node" and pods and not line.lstrip().startswith(("Namespace", "---")):
            line = line.rsplit(None, 1)[0]
        lines.append(line)
    return lines


def _same_describe(kubectl, kubeconfig, objects: list[tuple[str, dict]]) -> None:
    """kubetui's describe text against kubectl describe's, on the same objects: equal up
    to the Events section (whose ages move on between the two reads)."""
    from kubetui.kube.client import KubeClient
    from kubetui.kube.config import load_kubeconfig
    from kubetui.kube.evidence import described

    client = KubeClient.connect(load_kubeconfig([kubeconfig]))
    try:
        for kind, obj in objects:
            ns, name = obj["metadata"].get("namespace"), obj["metadata"]["name"]
            for _ in range(5):  # a crash-looping pod may change between the two reads
                theirs = kubectl("describe", kind.lower(), name,
                                 *(["-n", ns] if ns else [])).stdout
                # kubectl 1.32 prints an empty "Kube-Proxy Version:" (1.31+ kubelets no
                # longer set it); 1.36's describe, the real one in the evidence, does not
                theirs = re.sub(r"(?m)^  Kube-Proxy Version:\s*\n", "", theirs)
                ours = described(client, kind, ns, name)[1]
                if _before_events(ours, kind) == _before_events(theirs, kind):
                    break
            assert _before_events(ours, kind) == _before_events(theirs, kind), (kind, ns, name)
    finally:
        client.close()


def test_describe_is_kubectls_for_every_demo_pod_deployment_and_node(sim, kubectl, kubeconfig):
    _same_describe(kubectl, kubeconfig, [("Pod", p) for p in sim.list("Pod")] + [
        ("Deployment", d) for d in sim.list("Deployment")] + [
        ("Node", n) for n in sim.list("Node")])


def test_describe_is_kubectls_for_every_env_volume_and_toleration_form(sim, kubectl,
                                                                        kubeconfig):
    ns = make_namespace(sim, "kubectl-describe-forms")
    pod = sim.create("Pod", ns, {"metadata": {"name": "forms", "labels": {"app": "x"}},
                                 "spec": {"containers": [{
        "name": "a", "image": "nginx:1.27", "command": ["sh", "-c"], "args": ["sleep 1\nexit"],
        "ports": [{"containerPort": 80}, {"containerPort": 443, "hostPort": 8443}],
        "envFrom": [{"configMapRef": {"name": "cfg"}},
                    {"prefix": "DB_", "secretRef": {"name": "db", "optional": True}}],
        "env": [{"name": "MULTI", "value": "one\ntwo"},
                {"name": "LIM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory"}}},
                {"name": "REQ", "valueFrom": {"resourceFieldRef": {"resource": "requests.cpu",
                                                                   "divisor": "1m"}}},
                {"name": "APP", "valueFrom": {"fieldRef": {
                    "fieldPath": "metadata.labels['app']"}}},
                {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                {"name": "ME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                {"name": "K", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "k",
                                                                "optional": True}}},
                {"name": "P", "valueFrom": {"secretKeyRef": {"name": "db", "key": "p"}}}],
        "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}, "limits": {"cpu": "1"}},
        "livenessProbe": {"exec": {"command": ["cat", "/tmp/ok"]}},
        "readinessProbe": {"tcpSocket": {"port": 80}, "initialDelaySeconds": 3},
        "volumeMounts": [{"name": "c", "mountPath": "/etc/c", "subPath": "x"},
                         {"name": "e", "mountPath": "/a", "readOnly": True}]}],
        "volumes": [{"name": "c", "configMap": {"name": "cfg"}},
                    {"name": "e", "emptyDir": {"sizeLimit": "1Gi"}},
                    {"name": "h", "hostPath": {"path": "/tmp", "type": "Directory"}},
                    {"name": "d", "downwardAPI": {"items": [
                        {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}},
                    {"name": "s", "secret": {"secretName": "db", "optional": True}},
                    {"name": "p", "persistentVolumeClaim": {"claimName": "data"}}],
        # (projected volumes: kubectl 1.32 prints their sources unlike 1.36; the real
        # server's pods in test_golden_describe.py check them)
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "tolerations": [{"operator": "Exists"}, {"key": "k", "operator": "Equal",
                                                 "value": "v", "effect": "NoSchedule"}],
        "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone",
                                       "whenUnsatisfiable": "ScheduleAnyway",
                                       "labelSelector": {"matchLabels": {"app": "x"}}}]}})
    _same_describe(kubectl, kubeconfig, [("Pod", pod)])
