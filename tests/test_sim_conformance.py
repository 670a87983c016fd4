"""kubectl conformance of the simulated cluster: describe, rollouts, set image, server-side
apply, top, workloads beyond Deployments, CRDs, and RBAC over TLS. kubectl is the judge."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import yaml
from conftest import FAST, deployment, make_namespace, wait_until

from kubetui.sim import SimCluster


def rs_names(kubectl, ns: str, app: str) -> set[str]:
    return set(kubectl("get", "rs", "-n", ns, "-l", f"app={app}", "-o", "name").stdout.split())


def images(kubectl, ns: str, name: str) -> str:
    return kubectl("get", "deploy", name, "-n", ns, "-o",
                   "jsonpath={.spec.template.spec.containers[0].image}").stdout


@pytest.fixture(scope="module")
def rollout_ns(sim, kubectl):
    ns = make_namespace(sim, "conformance-rollout")
    kubectl("apply", "-n", ns, "-f", "-", input=yaml.safe_dump(deployment("web", 3)))
    kubectl("rollout", "status", "deploy/web", "-n", ns, "--timeout=60s")
    return ns


def test_describe_pod_shows_last_state_and_events(sim, kubectl):
    pod = wait_until(lambda: next((p["metadata"]["name"] for p in sim.list("Pod", "payments")
                                   if p["metadata"]["name"].startswith("settlement-")
                                   and (p["status"].get("containerStatuses") or [{}])[0]
                                   .get("lastState", {}).get("terminated")), None), timeout=30)
    out = kubectl("describe", "pod", pod, "-n", "payments").stdout
    assert re.search(r"Last State:\s+Terminated", out) and re.search(r"Exit Code:\s+3", out)
    assert "Back-off restarting failed container settlement" in out


def test_describe_deployment(sim, kubectl):
    out = kubectl("describe", "deploy", "frontend", "-n", "shop").stdout
    assert re.search(r"Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available", out), out
    assert re.search(r"NewReplicaSet:\s+frontend-\w+ \(3/3 replicas created\)", out)


def test_set_image_rolls_out_and_undo_reuses_the_old_replicaset(rollout_ns, kubectl):
    ns = rollout_ns
    before = rs_names(kubectl, ns, "web")
    kubectl("set", "image", "deploy/web", "main=nginx:1.28", "-n", ns)
    out = kubectl("rollout", "status", "deploy/web", "-n", ns, "--timeout=60s").stdout
    assert 'deployment "web" successfully rolled out' in out
    assert len(rs_names(kubectl, ns, "web")) == len(before) + 1
    history = kubectl("rollout", "history", "deploy/web", "-n", ns).stdout
    assert re.search(r"^1\s", history, re.M) and re.search(r"^2\s", history, re.M)
    kubectl("rollout", "undo", "deploy/web", "-n", ns, "--to-revision=1")
    kubectl("rollout", "status", "deploy/web", "-n", ns, "--timeout=60s")
    assert images(kubectl, ns, "web") == "nginx:1.27"
    assert len(rs_names(kubectl, ns, "web")) == len(before) + 1  # reused, not a third
    history = kubectl("rollout", "history", "deploy/web", "-n", ns).stdout
    assert re.search(r"^3\s", history, re.M) and not re.search(r"^1\s", history, re.M)


def test_rollout_restart_makes_a_new_replicaset(rollout_ns, kubectl):
    ns = rollout_ns
    before = rs_names(kubectl, ns, "web")
    kubectl("rollout", "restart", "deploy/web", "-n", ns)
    kubectl("rollout", "status", "deploy/web", "-n", ns, "--timeout=60s")
    assert len(rs_names(kubectl, ns, "web") - before) == 1
    template = json.loads(kubectl("get", "deploy/web", "-n", ns, "-o", "json").stdout)
    assert "kubectl.kubernetes.io/restartedAt" in template["spec"]["template"]["metadata"][
        "annotations"]


def test_pause_holds_changes_until_resume(rollout_ns, kubectl):
    ns = rollout_ns
    kubectl("rollout", "pause", "deploy/web", "-n", ns)
    before = rs_names(kubectl, ns, "web")
    kubectl("set", "image", "deploy/web", "main=nginx:1.29", "-n", ns)
    assert rs_names(kubectl, ns, "web") == before
    kubectl("rollout", "resume", "deploy/web", "-n", ns)
    kubectl("rollout", "status", "deploy/web", "-n", ns, "--timeout=60s")
    assert len(rs_names(kubectl, ns, "web") - before) == 1


def test_server_side_apply_creates_and_updates(sim, kubectl):
    ns = make_namespace(sim, "conformance-ssa")
    doc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa}\ndata: {a: '1'}\n"
    assert "serverside-applied" in kubectl("apply", "--server-side", "-n", ns, "-f", "-",
                                           input=doc).stdout
    kubectl("apply", "--server-side", "-n", ns, "-f", "-", input=doc.replace("'1'", "'2'"))
    assert kubectl("get", "cm", "ssa", "-n", ns, "-o", "jsonpath={.data.a}").stdout == "2"


def test_delete_with_orphan_cascade_keeps_the_replicaset(sim, kubectl):
    ns = make_namespace(sim, "conformance-orphan")
    kubectl("apply", "-n", ns, "-f", "-", input=yaml.safe_dump(deployment("keep", 1)))
    wait_until(lambda: rs_names(kubectl, ns, "keep"))
    kubectl("delete", "deploy", "keep", "-n", ns, "--cascade=orphan")
    rs = wait_until(lambda: rs_names(kubectl, ns, "keep"))
    owners = kubectl("get", *rs, "-n", ns, "-o", "jsonpath={.metadata.ownerReferences}").stdout
    assert owners == ""


def test_top_pods_and_nodes(sim, kubectl):
    pods = kubectl("top", "pods", "-n", "shop").stdout
    assert re.search(r"frontend-\S+\s+\d+m\s+\d+Mi", pods), pods
    nodes = kubectl("top", "nodes").stdout
    assert re.search(r"kubetui-worker\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%", nodes), nodes


def test_statefulset_pods_are_ordered_with_bound_claims(sim, kubectl):
    wait_until(lambda: "2/2" in kubectl("get", "sts", "ledger-db", "-n", "payments").stdout,
               timeout=30)
    pods = {p["metadata"]["name"]: p for p in sim.list("Pod", "payments")}
    assert pods["ledger-db-0"]["metadata"]["creationTimestamp"] <= \
        pods["ledger-db-1"]["metadata"]["creationTimestamp"]
    claims = kubectl("get", "pvc", "-n", "payments", "-o", "wide").stdout
    assert re.search(r"data-ledger-db-0\s+Bound\s+pvc-", claims)
    assert re.search(r"archive-data\s+Pending", claims)  # its class does not exist
    events = kubectl("get", "events", "-n", "payments", "--field-selector",
                     "involvedObject.name=ledger-db").stdout
    assert "create Pod ledger-db-0 in StatefulSet ledger-db successful" in events


def test_daemonset_runs_one_pod_per_node_and_rolls(sim, kubectl):
    nodes = len(sim.list("Node"))
    ds = kubectl("get", "ds", "node-exporter", "-n", "monitoring").stdout
    assert re.search(rf"node-exporter\s+{nodes}\s+{nodes}\s+{nodes}", ds), ds
    on = {p["spec"]["nodeName"] for p in sim.list("Pod", "monitoring")
          if p["metadata"]["name"].startswith("node-exporter-")}
    assert len(on) == nodes
    kubectl("rollout", "restart", "ds/node-exporter", "-n", "monitoring")
    out = kubectl("rollout", "status", "ds/node-exporter", "-n", "monitoring",
                  "--timeout=60s").stdout
    assert 'daemon set "node-exporter" successfully rolled out' in out
    assert "2" in kubectl("rollout", "history", "ds/node-exporter", "-n", "monitoring").stdout


def test_job_completes_and_a_due_cronjob_fires(sim, kubectl):
    wait_until(lambda: "Complete" in kubectl("get", "job", "db-migrate", "-n",
                                             "payments").stdout, timeout=30)
    ns = make_namespace(sim, "conformance-cron")
    kubectl("apply", "-n", ns, "-f", "-", input=yaml.safe_dump({
        "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick"},
        "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {
            "restartPolicy": "Never", "containers": [{"name": "t", "image": "busybox:1.36",
                                                      "command": ["date"]}]}}}}}}))
    # pretend it last ran two minutes ago: the controller finds a run due now
    kubectl("patch", "cronjob", "tick", "-n", ns, "--subresource=status", "--type=merge",
            "-p", json.dumps({"status": {"lastScheduleTime": "2020-01-01T00:00:00Z"}}))
    job = wait_until(lambda: kubectl("get", "jobs", "-n", ns, "-o", "name").stdout.strip(),
                     timeout=30)
    assert job.startswith("job.batch/tick-")
    wait_until(lambda: "Complete" in kubectl("get", job, "-n", ns).stdout, timeout=30)


def test_endpoints_follow_ready_pods(sim, kubectl):
    ns = make_namespace(sim, "conformance-ep")
    kubectl("apply", "-n", ns, "-f", "-", input=yaml.safe_dump(deployment("svc", 3)))
    kubectl("apply", "-n", ns, "-f", "-", input=yaml.safe_dump({
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"},
        "spec": {"selector": {"app": "svc"}, "ports": [{"port": 80}]}}))

    def addresses() -> int:
        out = kubectl("get", "endpointslices", "-n", ns, "-l", "kubernetes.io/service-name=svc",
                      "-o", "json").stdout
        return sum(1 for s in json.loads(out)["items"] for e in s.get("endpoints") or ()
                   if e["conditions"]["ready"])

    wait_until(lambda: addresses() == 3, timeout=30)
    kubectl("scale", "deploy/svc", "--replicas=1", "-n", ns)
    wait_until(lambda: addresses() == 1, timeout=30)
    assert re.search(r"svc\s+10\.244\.\d+\.\d+:80\s", kubectl("get", "ep", "svc", "-n",
                                                              ns).stdout)


def test_crd_serves_a_new_kind_with_printer_columns(sim, kubectl):
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.conformance.kubetui.dev"},
           "spec": {"group": "conformance.kubetui.dev", "scope": "Namespaced",
                    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget",
                              "shortNames": ["wdg"]},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {
                                      "type": "object",
                                      "x-kubernetes-preserve-unknown-fields": True}},
                                  "additionalPrinterColumns": [
                                      {"name": "Size", "type": "integer",
                                       "jsonPath": ".spec.size"}]}]}}
    kubectl("apply", "-f", "-", input=yaml.safe_dump(crd))
    wait_until(lambda: "Established" in kubectl("get", "crd", "widgets.conformance.kubetui.dev",
                                                "-o", "yaml").stdout)
    kubectl("apply", "-n", "default", "-f", "-", input=yaml.safe_dump({
        "apiVersion": "conformance.kubetui.dev/v1", "kind": "Widget",
        "metadata": {"name": "w1"}, "spec": {"size": 7}}))
    out = kubectl("get", "wdg", "-n", "default").stdout
    assert re.search(r"NAME\s+SIZE\s*\nw1\s+7", out), out
    kubectl("delete", "crd", "widgets.conformance.kubetui.dev")
    gone = kubectl("get", "widgets.conformance.kubetui.dev", "-n", "default", check=False)
    assert gone.returncode != 0


@pytest.fixture(scope="module")
def tls_sim(tmp_path_factory):
    cluster = SimCluster("demo", speed=FAST, tls=True).start()
    folder = tmp_path_factory.mktemp("tls")
    admin = cluster.write_kubeconfig(str(folder / "admin"))
    dev = cluster.write_kubeconfig(str(folder / "dev"), context="dev", user="dev")
    yield cluster, admin, dev
    cluster.stop()


def run(kubectl_bin: str, config: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([kubectl_bin, "--kubeconfig", config, *args], capture_output=True,
                          text=True, timeout=60)


def test_rbac_over_tls_forbids_with_the_real_message(tls_sim, kubectl_bin):
    sim, admin, dev = tls_sim
    assert sim.url.startswith("https://")
    assert run(kubectl_bin, admin, "get", "nodes").returncode == 0
    denied = run(kubectl_bin, dev, "get", "pods", "-A")
    assert denied.returncode != 0
    assert ('pods is forbidden: User "dev" cannot list resource "pods" in API group "" at the '
            "cluster scope") in denied.stderr
    assert run(kubectl_bin, dev, "get", "pods", "-n", "shop").returncode == 0  # dev-view
    denied = run(kubectl_bin, dev, "delete", "deploy", "cart", "-n", "shop")
    assert 'deployments.apps "cart" is forbidden: User "dev" cannot delete resource ' \
           '"deployments" in API group "apps" in the namespace "shop"' in denied.stderr


def test_auth_can_i_and_whoami(tls_sim, kubectl_bin):
    _, admin, dev = tls_sim
    assert run(kubectl_bin, dev, "auth", "can-i", "list", "pods", "-n", "shop").stdout == "yes\n"
    assert run(kubectl_bin, dev, "auth", "can-i", "list", "pods", "-n", "payments").stdout \
        == "no\n"
    assert run(kubectl_bin, admin, "auth", "can-i", "delete", "nodes").stdout == "yes\n"
    assert "dev" in run(kubectl_bin, dev, "auth", "whoami").stdout


def test_tls_rejects_a_wrong_token_with_401(tls_sim, kubectl_bin, tmp_path):
    _, admin, _ = tls_sim
    broken = tmp_path / "broken"
    broken.write_text(open(admin).read().replace("token: ", "token: wrong-"))
    out = run(kubectl_bin, str(broken), "get", "pods")
    assert out.returncode != 0 and "Unauthorized" in out.stderr
