"""The footgun rules (kubetui.diagnose.lint), each from objects: hand-written in the API's
shapes, and where it fits the real v1.36.2 server's (fixtures/real-k8s). Then the
incremental engine: a change re-checks only what reads it, and ends where a full pass
over the same objects ends; the config; the report formats."""

from __future__ import annotations

import copy
import json
import random

import pytest
import yaml
from real_k8s import load

from kubetui.diagnose import lint_report
from kubetui.diagnose.lint import RULES, LintConfig, Linter, lint
from kubetui.diagnose.lint_rules import delete_note, image_tag
from kubetui.render.age import parse_time

NOW = parse_time("2026-11-30T16:00:00Z")
T0 = "2026-11-30T15:00:00Z"


# -- objects in the API's shapes
def container(name="app", image="nginx:1.27", requests=None, limits=None, **more) -> dict:
    res = {}
    if requests is not None:
        res["requests"] = requests
    if limits is not None:
        res["limits"] = limits
    return {"name": name, "image": image, "resources": res, **more}


GOOD = container(requests={"cpu": "100m", "memory": "64Mi"}, limits={"memory": "128Mi"})


def deployment(name="web", ns="shop", containers=None, **spec_more) -> dict:
    template_spec = {"serviceAccountName": "web",
                     "containers": containers if containers is not None else [dict(GOOD)]}
    template_spec.update(spec_more.pop("template_spec", {}))
    return {"kind": "Deployment", "apiVersion": "apps/v1",
            "metadata": {"name": name, "namespace": ns, "uid": f"uid-{name}",
                         "creationTimestamp": T0},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name},
                                               **spec_more.pop("template_meta", {})},
                                  "spec": template_spec}, **spec_more}}


def pod_of(d: dict, suffix="abcde", statuses=None, ready=True, started=T0, **spec) -> dict:
    """A pod of a Deployment as its ReplicaSet makes it (owner `<name>-<hash>`)."""
    name, ns = d["metadata"]["name"], d["metadata"]["namespace"]
    t = d["spec"]["template"]
    return {"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": f"{name}-5d4f8b-{suffix}", "namespace": ns,
                         "labels": {**t["metadata"].get("labels", {}),
                                    "pod-template-hash": "5d4f8b"},
                         "ownerReferences": [{"kind": "ReplicaSet", "name": f"{name}-5d4f8b",
                                              "controller": True, "uid": "rs"}],
                         "creationTimestamp": started},
            "spec": {**copy.deepcopy(t["spec"]), **spec},
            "status": {"phase": "Running", "startTime": started,
                       "conditions": [{"type": "Ready", "status": "True" if ready else
                                       "False"}],
                       "containerStatuses": statuses if statuses is not None else [
                           {"name": c["name"], "ready": ready, "restartCount": 0,
                            "state": {"running": {"startedAt": started}}}
                           for c in t["spec"]["containers"]]}}


def bare_pod(name="solo", ns="shop", containers=None, **spec) -> dict:
    return {"kind": "Pod", "metadata": {"name": name, "namespace": ns, "labels": {"run": name},
                                        "creationTimestamp": T0},
            "spec": {"serviceAccountName": "solo",
                     "containers": containers if containers is not None else [dict(GOOD)],
                     **spec},
            "status": {"phase": "Running", "startTime": T0, "conditions": [
                {"type": "Ready", "status": "True"}]}}


def run(*objs, config=None, metrics=None, now=NOW):
    by_kind: dict[str, list] = {}
    for o in objs:
        by_kind.setdefault(o["kind"], []).append(o)
    return lint(by_kind, config, metrics, now=now)


def only(findings, rule):
    return [f for f in findings if f.rule == rule]


def real_rows(name: str) -> list[dict]:
    return [r["object"] for r in load(f"tables/{name}.table-includeObject.json")["rows"]]


REAL_KINDS = ("pods", "deployments", "statefulsets", "daemonsets", "jobs", "cronjobs",
              "services", "configmaps", "serviceaccounts", "persistentvolumeclaims",
              "horizontalpodautoscalers", "namespaces", "events")


@pytest.fixture(scope="module")
def real():
    """Every object the real server listed, by kind (pods from the cases too)."""
    out: dict[str, list] = {}
    for name in REAL_KINDS:
        for o in real_rows(name):
            out.setdefault(o["kind"], []).append(o)
    return out


@pytest.fixture(scope="module")
def real_findings(real):
    return lint(real, now=parse_time("2026-11-30T15:31:00Z"))


def of(findings, kind, key):
    return [f for f in findings if f.kind == kind and f.key == key]


def test_every_rule_the_issue_names_exists_in_the_seeds_order():
    assert list(RULES) == [
        "missing-requests", "tight-memory-limit", "liveness-probe",
        "readiness-without-liveness", "default-service-account", "nodeport", "stale-config",
        "namespace-stuck", "orphan-pvc", "hpa-without-requests", "database-deployment",
        "cronjob-overlap", "selector-no-pods", "sts-pvc-retained", "latest-tag"]
    for rule in RULES.values():
        assert rule.severity in ("error", "warning", "info") and rule.reason and rule.subjects


# -- 1 missing-requests
def test_missing_requests_names_each_container_and_what_it_lacks():
    d = deployment(containers=[container("app", requests={"cpu": "1"}),
                               container("proxy"), container("ok", limits={
                                   "cpu": "1", "memory": "1Gi"})])  # a limit is the request
    f, = only(run(d), "missing-requests")
    assert (f.kind, f.key, f.severity) == ("Deployment", "shop/web", "warning")
    assert "app (memory)" in f.message and "proxy (cpu, memory)" in f.message
    assert "ok" not in f.message
    fix = yaml.safe_load(f.fix)
    items = fix["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in items] == ["app", "proxy"]
    assert items[0]["resources"]["requests"] == {"memory": "128Mi"}
    assert "kubectl -n shop patch deployment web --type strategic" in f.fix


def test_requests_the_pod_sets_for_itself_cover_its_containers():
    """PodLevelResources: a pod template's own spec.resources (a limit alone is the
    request there too) covers what its containers leave out; what it does not set, each
    container still needs."""
    d = deployment(containers=[container("app"), container("proxy")])
    d["spec"]["template"]["spec"]["resources"] = {"limits": {"cpu": "2", "memory": "1Gi"}}
    assert only(run(d), "missing-requests") == []
    d["spec"]["template"]["spec"]["resources"] = {"requests": {"cpu": "1"}}
    f, = only(run(d), "missing-requests")
    assert "app (memory); proxy (memory)" in f.message


def test_requests_of_a_controlled_pod_are_told_on_its_workload_not_the_pod():
    d = deployment(containers=[container("app")])
    findings = only(run(d, pod_of(d)), "missing-requests")
    assert [(f.kind, f.name) for f in findings] == [("Deployment", "web")]


def test_missing_requests_suggests_what_the_pods_use_when_metrics_say():
    d = deployment(containers=[container("app")])
    p = pod_of(d)
    usage = {f"shop/{p['metadata']['name']}": {"containers": [
        {"name": "app", "usage": {"cpu": "230m", "memory": "100Mi"}}]}}
    f, = only(run(d, p, metrics=usage), "missing-requests")
    req = yaml.safe_load(f.fix)["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert req["requests"] == {"cpu": "280m", "memory": "128Mi"}


def test_missing_requests_on_real_objects(real_findings):
    assert of(only(real_findings, "missing-requests"), "Deployment", "payments/settlement")
    assert not of(only(real_findings, "missing-requests"), "Deployment", "payments/api")
    cron, = of(only(real_findings, "missing-requests"), "CronJob", "payments/report")
    assert "jobTemplate" in cron.fix  # the patch goes where a CronJob keeps its template


def test_app_rules_skip_the_system_namespaces_unless_configured():
    d = deployment(ns="kube-system", containers=[container("app")])
    assert not only(run(d), "missing-requests")
    config = LintConfig(system_namespaces=frozenset())
    assert only(run(d, config=config), "missing-requests")


# -- 2 tight-memory-limit
def test_oomkilled_pods_make_an_error_on_their_deployment():
    d = deployment(containers=[container("app", requests={"cpu": "1", "memory": "64Mi"},
                                         limits={"memory": "128Mi"})])
    killed = pod_of(d, statuses=[{"name": "app", "restartCount": 4, "state": {"waiting": {
        "reason": "CrashLoopBackOff"}}, "lastState": {"terminated": {
            "reason": "OOMKilled", "exitCode": 137}}}])
    fine = pod_of(d, suffix="fghij")
    f, = only(run(d, killed, fine), "tight-memory-limit")
    assert (f.kind, f.severity, f.container) == ("Deployment", "error", "app")
    assert "OOMKilled at its 128Mi memory limit" in f.message
    assert any("OOMKilled (exit 137), 4 restarts" in line for line in f.evidence)
    limits = yaml.safe_load(f.fix)["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert limits == {"limits": {"memory": "256Mi"}}


def test_usage_near_the_limit_is_a_warning():
    d = deployment(containers=[container("app", requests={"cpu": "1", "memory": "64Mi"},
                                         limits={"memory": "100Mi"})])
    p = pod_of(d)
    usage = {f"shop/{p['metadata']['name']}": {"containers": [
        {"name": "app", "usage": {"cpu": "10m", "memory": "95Mi"}}]}}
    f, = only(run(d, p, metrics=usage), "tight-memory-limit")
    assert f.severity == "warning" and "95% of its 100Mi" in f.message
    usage[f"shop/{p['metadata']['name']}"]["containers"][0]["usage"]["memory"] = "50Mi"
    assert not only(run(d, p, metrics=usage), "tight-memory-limit")


@pytest.mark.parametrize("near_found_by_the_reader", [False, True])
def test_live_usage_crossing_the_limit_shows_and_goes_and_moves_the_message(
        near_found_by_the_reader):
    """The live lint takes each metrics read (set_metrics): usage that comes near the
    limit makes the finding, moves its number while near, and ends it when it drops;
    (usage far from it, before and after a read, is not re-checked: a speed-up this
    guards the result of). The live feed finds the pods near their limit in its reading
    thread and hands them over: the same findings."""
    from kubetui.diagnose.lint_workloads import near_limit_pods
    d = deployment(containers=[container("app", requests={"cpu": "1", "memory": "64Mi"},
                                         limits={"memory": "100Mi"})])
    p = pod_of(d)
    key = f"shop/{p['metadata']['name']}"
    linter = Linter(clock=lambda: NOW)
    linter.reset("Deployment", {"shop/" + d["metadata"]["name"]: d})
    linter.reset("Pod", {key: p})

    def read(memory: str) -> list[str]:
        metrics = {key: {"containers": [
            {"name": "app", "usage": {"cpu": "10m", "memory": memory}}]}}
        linter.set_metrics(metrics, near_limit_pods(linter.objs["Pod"], metrics)
                           if near_found_by_the_reader else None)
        linter.flush()
        return [f.message for f in linter.findings() if f.rule == "tight-memory-limit"]
    assert read("20Mi") == []
    assert read("30Mi") == []
    assert read("95Mi") == ["app uses 95% of its 100Mi memory limit"]
    assert read("97Mi") == ["app uses 97% of its 100Mi memory limit"]
    assert read("40Mi") == []


def test_the_real_oomkilled_pod():
    pod = load("cases/oomkilled.pod.json")
    f, = only(run({**pod, "kind": "Pod"}), "tight-memory-limit")
    assert f.severity == "error" and "64Mi" in f.message


# -- 3 liveness-probe
HTTP = {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"}, "timeoutSeconds": 1,
        "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}


def test_liveness_on_the_readiness_endpoint_and_at_the_first_failure():
    live = {**HTTP, "failureThreshold": 1, "timeoutSeconds": 5}
    d = deployment(containers=[dict(GOOD, livenessProbe=live, readinessProbe=dict(HTTP))])
    f, = only(run(d), "liveness-probe")
    assert f.severity == "warning"
    assert "same endpoint as its readiness probe" in f.message
    assert "first failure (failureThreshold 1)" in f.message
    probe = yaml.safe_load(f.fix)["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]
    assert probe["tcpSocket"] == {"port": 8080} and probe["failureThreshold"] == 3


def test_a_one_second_liveness_timeout_is_worth_knowing():
    d = deployment(containers=[dict(GOOD, livenessProbe={
        "tcpSocket": {"port": 80}, "timeoutSeconds": 1, "failureThreshold": 3})])
    f, = only(run(d), "liveness-probe")
    assert f.severity == "info" and "allows 1s for an answer" in f.message


def liveness_event(pod: dict, name="app", count=6) -> dict:
    return {"kind": "Event", "metadata": {"name": f"{pod['metadata']['name']}.1",
                                          "namespace": pod["metadata"]["namespace"]},
            "involvedObject": {"kind": "Pod", "name": pod["metadata"]["name"],
                               "namespace": pod["metadata"]["namespace"],
                               "fieldPath": f"spec.containers{{{name}}}"},
            "reason": "Unhealthy", "type": "Warning", "count": count,
            "lastTimestamp": "2026-11-30T15:50:00Z",
            "message": "Liveness probe failed: Get \"http://10.0.0.1:9115/health\": dial tcp "
                       "10.0.0.1:9115: connect: connection refused"}


def test_restarts_after_failed_liveness_probes_are_an_error():
    d = deployment(containers=[dict(GOOD, livenessProbe={**HTTP, "timeoutSeconds": 3})])
    p = pod_of(d, statuses=[{"name": "app", "restartCount": 3, "ready": True,
                             "state": {"running": {"startedAt": T0}}}])
    assert not only(run(d, p), "liveness-probe")  # restarts alone: could be anything
    f, = only(run(d, p, liveness_event(p)), "liveness-probe")
    assert f.severity == "error" and "restarted app 3 times" in f.message
    assert any("Unhealthy (x6): Liveness probe failed" in line for line in f.evidence)


# -- 4 readiness-without-liveness
def test_readiness_without_liveness_on_the_real_frontend(real_findings):
    f, = of(only(real_findings, "readiness-without-liveness"), "Deployment", "shop/frontend")
    assert "nginx" in f.message
    probe = yaml.safe_load(f.fix)["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]
    assert probe["tcpSocket"] == {"port": 80}


# -- 5 default-service-account
def test_the_default_service_account_with_its_token():
    d = deployment(template_spec={"serviceAccountName": None})
    f, = only(run(d), "default-service-account")
    assert "default ServiceAccount" in f.message
    assert "kubectl -n shop create serviceaccount web" in f.fix
    spec = yaml.safe_load(f.fix.split("\n", 1)[1])["spec"]["template"]["spec"]
    assert spec == {"serviceAccountName": "web", "automountServiceAccountToken": False}


def test_no_token_no_finding_whether_the_pod_or_the_account_says_so():
    quiet = deployment(template_spec={"serviceAccountName": None,
                                      "automountServiceAccountToken": False})
    assert not only(run(quiet), "default-service-account")
    d = deployment(template_spec={"serviceAccountName": None})
    account = {"kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "shop"},
               "automountServiceAccountToken": False}
    assert not only(run(d, account), "default-service-account")


def test_default_service_account_on_real_objects(real_findings):
    found = only(real_findings, "default-service-account")
    assert of(found, "Deployment", "payments/settlement")
    assert not [f for f in found if f.namespace in ("kube-system", "kube-public")]


# -- 6 nodeport
def test_the_real_nodeport_service(real_findings):
    f, = of(only(real_findings, "nodeport"), "Service", "shop/cart")
    assert "port 30433" in f.message
    assert yaml.safe_load(f.fix.split("\n", 1)[1]) == {"spec": {"type": "ClusterIP"}}


def test_a_load_balancer_open_to_everyone():
    svc = {"kind": "Service", "metadata": {"name": "admin", "namespace": "shop"},
           "spec": {"type": "LoadBalancer", "selector": {"app": "x"}, "ports": [
               {"port": 80, "nodePort": 31000}]}}
    f, = only(run(svc), "nodeport")
    assert "open to every address" in f.message
    svc["spec"]["loadBalancerSourceRanges"] = ["10.0.0.0/8"]
    assert not only(run(svc), "nodeport")


# -- 7 stale-config
def config_map(name="web-config", created=T0, changes=()) -> dict:
    fields = [{"manager": "kubectl-client-side-apply", "operation": "Update", "time": created,
               "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:A": {}}}}]
    fields += [{"manager": who, "operation": "Update", "time": when, "fieldsType": "FieldsV1",
                "fieldsV1": f} for who, when, f in changes]
    return {"kind": "ConfigMap", "metadata": {"name": name, "namespace": "shop",
                                              "creationTimestamp": created,
                                              "managedFields": fields}, "data": {"A": "1"}}


def uses_config(**template_meta) -> dict:
    return deployment(containers=[dict(GOOD, envFrom=[{"configMapRef": {"name": "web-config"}}])],
                      template_meta=template_meta)


def test_a_config_changed_after_the_pods_started():
    d = uses_config()
    pod = pod_of(d, started="2026-11-30T15:10:00Z")
    later = ("kubectl-edit", "2026-11-30T15:20:00Z", {"f:data": {"f:A": {}}})
    f, = only(run(d, pod, config_map(changes=[later])), "stale-config")
    assert "these pods run the old config" in f.message
    assert any("changed 40m ago by kubectl-edit" in line for line in f.evidence)
    assert any(pod["metadata"]["name"] in line for line in f.evidence)
    assert "rollout restart deployment web" in f.fix and "checksum/config" in f.fix


def test_metadata_changes_and_checksummed_templates_are_not_stale():
    annotate = ("kubectl-annotate", "2026-11-30T15:20:00Z",
                {"f:metadata": {"f:annotations": {"f:bump": {}}}})
    d = uses_config()
    pod = pod_of(d, started="2026-11-30T15:10:00Z")
    assert not only(run(d, pod, config_map(changes=[annotate])), "stale-config")
    edit = ("kubectl-edit", "2026-11-30T15:20:00Z", {"f:data": {}})
    rolled = uses_config(annotations={"checksum/config": "abc"})
    assert not only(run(rolled, pod_of(rolled, started="2026-11-30T15:10:00Z"),
                        config_map(changes=[edit])), "stale-config")


def test_a_config_recreated_after_the_pods_started_is_stale_without_field_times():
    d = uses_config()
    cm = config_map(created="2026-11-30T15:30:00Z")
    del cm["metadata"]["managedFields"]  # as `kubectl get -o json` saves it
    assert only(run(d, pod_of(d, started="2026-11-30T15:10:00Z"), cm), "stale-config")


def test_the_real_shop_config_was_only_annotated_after_cart_started(real_findings):
    assert not only(real_findings, "stale-config")


# -- 8 namespace-stuck
def test_the_real_doomed_namespace_waits_on_a_finalizer(real):
    doomed, = [n for n in real["Namespace"] if n["metadata"]["name"] == "doomed"]
    hold, = [c for c in real["ConfigMap"] if c["metadata"]["namespace"] == "doomed"]
    f, = only(run(doomed, hold, now=parse_time("2026-11-30T15:31:35Z")), "namespace-stuck")
    assert (f.kind, f.key, f.severity) == ("Namespace", "doomed", "error")
    assert f.message == ("Terminating for 10m, waiting on finalizers golden.example.com/hold; "
                         "left: 1 configmaps")
    assert any(line.startswith("condition NamespaceFinalizersRemaining: Some content")
               for line in f.evidence)
    assert "ConfigMap doomed/hold: finalizers golden.example.com/hold" in f.evidence
    assert "kubectl -n doomed patch configmap hold --type merge" in f.fix
    assert yaml.safe_load(f.fix) == {"metadata": {"finalizers": None}}


def test_a_namespace_just_deleted_is_not_stuck_yet():
    ns = {"kind": "Namespace", "metadata": {"name": "gone", "deletionTimestamp":
                                            "2026-11-30T15:59:30Z"},
          "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Terminating"}}
    assert not only(run(ns), "namespace-stuck")
    assert only(run(ns, now=NOW + 120), "namespace-stuck")


# -- 9 orphan-pvc
def test_the_real_unmounted_claim(real_findings):
    f, = of(only(real_findings, "orphan-pvc"), "PersistentVolumeClaim", "shop/data")
    assert f.message.startswith("1Gi claim mounted by no pod")


def claim(name: str, labels=None) -> dict:
    return {"kind": "PersistentVolumeClaim", "metadata": {
        "name": name, "namespace": "shop", "creationTimestamp": T0, "labels": labels or {}},
        "spec": {"resources": {"requests": {"storage": "2Gi"}}}, "status": {"phase": "Bound"}}


def test_claims_a_pod_mounts_are_not_orphans_and_sts_leftovers_say_so():
    sts = {"kind": "StatefulSet", "metadata": {"name": "db", "namespace": "shop"},
           "spec": {"replicas": 1, "volumeClaimTemplates": [{"metadata": {"name": "data"}}],
                    "template": {"spec": {"containers": [dict(GOOD)]}}}}
    used = bare_pod(volumes=[{"name": "d", "persistentVolumeClaim": {"claimName": "data-db-0"}}])
    found = only(run(sts, used, claim("data-db-0"), claim("data-db-1"),
                     claim("cache-old-0", {"app": "old"})), "orphan-pvc")
    by_name = {f.name: f.message for f in found}
    assert set(by_name) == {"data-db-1", "cache-old-0"}
    assert "left by a scale-down of StatefulSet db (replicas 1)" in by_name["data-db-1"]
    assert "outlived its StatefulSet old" in by_name["cache-old-0"]


# -- 10 hpa-without-requests
def test_the_real_hpas_need_no_requests_or_have_them(real_findings):
    assert not only(real_findings, "hpa-without-requests")


def test_an_hpa_on_a_workload_without_requests_with_the_real_condition(real):
    web, = [h for h in real["HorizontalPodAutoscaler"] if h["metadata"]["name"] == "web"]
    target, = [d for d in real["Deployment"] if d["metadata"]["name"] == "web"
               and d["metadata"]["namespace"] == "rollout"]
    bare = copy.deepcopy(target)
    bare["spec"]["template"]["spec"]["containers"][0]["resources"] = {}
    f, = only(run(web, bare), "hpa-without-requests")
    assert f.severity == "error" and f.kind == "HorizontalPodAutoscaler"
    assert "scales Deployment web on cpu" in f.message
    assert "Deployment rollout/web container nginx: no cpu request" in f.evidence
    assert any("FailedGetResourceMetric: the HPA was unable to compute" in line
               for line in f.evidence)
    fix = yaml.safe_load(f.fix)["spec"]["template"]["spec"]["containers"][0]
    assert fix == {"name": "nginx", "resources": {"requests": {"cpu": "100m"}}}
    assert not only(run(web, target), "hpa-without-requests")


def test_the_controllers_missing_request_condition_is_enough():
    hpa = {"kind": "HorizontalPodAutoscaler", "metadata": {"name": "x", "namespace": "shop"},
           "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "elsewhere"}, "metrics": [
               {"type": "Resource", "resource": {"name": "cpu", "target": {
                   "type": "Utilization", "averageUtilization": 80}}}]},
           "status": {"conditions": [{"type": "ScalingActive", "status": "False",
                                      "reason": "FailedGetResourceMetric", "message":
                                      "the HPA was unable to compute the replica count: failed "
                                      "to get cpu utilization: missing request for cpu"}]}}
    assert only(run(hpa), "hpa-without-requests")
    # once the target is there with its request, the condition is only late news
    fixed = deployment("elsewhere")
    assert not only(run(hpa, fixed), "hpa-without-requests")


# -- 11 database-deployment
def test_a_database_as_a_deployment_and_its_statefulset():
    d = deployment("orders-db", containers=[dict(GOOD, image="postgres:16-alpine")],
                   template_spec={"volumes": [{"name": "data", "persistentVolumeClaim": {
                       "claimName": "orders-db-data"}}]})
    f, = only(run(d, claim("orders-db-data")), "database-deployment")
    assert f.message == "runs postgres as a Deployment"
    sts = yaml.safe_load(f.fix)
    assert sts["kind"] == "StatefulSet" and sts["metadata"]["name"] == "orders-db"
    assert sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"] == {
        "requests": {"storage": "2Gi"}}
    assert "volumes" not in sts["spec"]["template"]["spec"]


def test_redis_is_a_database_only_with_a_volume():
    cache = deployment("redis", containers=[dict(GOOD, image="redis:7.4-alpine")])
    assert not only(run(cache), "database-deployment")
    kept = deployment("redis", containers=[dict(GOOD, image="docker.io/library/redis:7")],
                      template_spec={"volumes": [{"name": "d", "persistentVolumeClaim": {
                          "claimName": "r"}}]})
    assert only(run(kept), "database-deployment")


# -- cronjob-overlap
def cronjob(policy=None, active=()) -> dict:
    spec = {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {
        "restartPolicy": "OnFailure", "containers": [dict(GOOD)]}}}}}
    if policy:
        spec["concurrencyPolicy"] = policy
    return {"kind": "CronJob", "metadata": {"name": "reindex", "namespace": "shop"},
            "spec": spec, "status": {"active": [{"kind": "Job", "name": n} for n in active]}}


def job(name: str, start: str, end: str | None) -> dict:
    return {"kind": "Job", "metadata": {"name": name, "namespace": "shop", "ownerReferences": [
        {"kind": "CronJob", "name": "reindex", "controller": True}]},
        "spec": {"template": {"spec": {"containers": [dict(GOOD)]}}},
        "status": {"startTime": start, **({"completionTime": end} if end else {})}}


def test_overlapping_runs_now_or_in_the_history():
    f, = only(run(cronjob(active=("reindex-1", "reindex-2"))), "cronjob-overlap")
    assert "2 runs at once" in f.message and "concurrencyPolicy Allow" in f.message
    assert yaml.safe_load(f.fix.split("\n", 2)[2])["spec"]["concurrencyPolicy"] == "Forbid"
    history = [job("reindex-1", "2026-11-30T15:00:00Z", "2026-11-30T15:01:40Z"),
               job("reindex-2", "2026-11-30T15:01:00Z", "2026-11-30T15:02:40Z")]
    f, = only(run(cronjob(), *history), "cronjob-overlap")
    assert "overlapped (reindex-1 and reindex-2)" in f.message
    assert not only(run(cronjob("Forbid"), *history), "cronjob-overlap")


def test_the_real_cronjobs_never_overlapped(real_findings):
    assert not only(real_findings, "cronjob-overlap")


# -- selector-no-pods
def test_a_selector_whose_labels_drifted():
    d = deployment("checkout", template_meta={"labels": {"app": "checkout",
                                                         "tier": "frontend"}})
    d["spec"]["selector"]["matchLabels"] = {"app": "checkout", "tier": "frontend"}
    svc = {"kind": "Service", "metadata": {"name": "checkout", "namespace": "shop"},
           "spec": {"selector": {"app": "checkout", "tier": "web"}}}
    f, = only(run(d, pod_of(d), svc), "selector-no-pods")
    assert f.severity == "error" and "no pod matches (labels drifted)" in f.message
    assert any("has tier=frontend" in line for line in f.evidence)
    assert yaml.safe_load(f.fix.split("\n", 2)[2])["spec"]["selector"] == {
        "app": "checkout", "tier": "frontend"}


def test_a_selector_with_pods_none_ready():
    d = deployment()
    svc = {"kind": "Service", "metadata": {"name": "web", "namespace": "shop"},
           "spec": {"selector": {"app": "web"}}}
    f, = only(run(d, pod_of(d, ready=False), svc), "selector-no-pods")
    assert f.severity == "warning" and "none Ready" in f.message
    assert not only(run(d, pod_of(d), svc), "selector-no-pods")


def test_the_real_services_all_select_pods(real_findings):
    assert not only(real_findings, "selector-no-pods")


# -- sts-pvc-retained
def test_a_statefulset_whose_deletion_leaves_its_claims():
    sts = {"kind": "StatefulSet", "metadata": {"name": "db", "namespace": "shop"},
           "spec": {"replicas": 2, "volumeClaimTemplates": [{"metadata": {"name": "data"}}],
                    "template": {"spec": {"containers": [dict(GOOD)]}}}}
    f, = only(run(sts, claim("data-db-0"), claim("data-db-1")), "sts-pvc-retained")
    assert f.severity == "info"
    assert f.message == "deleting it leaves 2 claims behind (data-db-0, data-db-1)"
    assert delete_note(sts, []) == "deleting it leaves its claims behind (whenDeleted: Retain)"
    sts["spec"]["persistentVolumeClaimRetentionPolicy"] = {"whenDeleted": "Delete"}
    assert not only(run(sts), "sts-pvc-retained") and delete_note(sts, []) == ""


# -- latest-tag
@pytest.mark.parametrize("image,tag", [("nginx", ""), ("nginx:latest", "latest"),
                                       ("registry:5000/team/app", ""), ("nginx:1.27", "1.27"),
                                       ("nginx@sha256:abc", None)])
def test_image_tags(image, tag):
    assert image_tag(image) == tag


def test_latest_pins_to_the_digest_that_runs():
    d = deployment(containers=[dict(GOOD, image="requarks/wiki")])
    p = pod_of(d, statuses=[{"name": "app", "ready": True, "restartCount": 0,
                             "imageID": "docker.io/requarks/wiki@sha256:0123",
                             "state": {"running": {"startedAt": T0}}}])
    f, = only(run(d, p), "latest-tag")
    assert "requarks/wiki" in f.message
    spec = yaml.safe_load(f.fix)["spec"]["template"]["spec"]
    assert spec["containers"] == [{"name": "app", "image": "requarks/wiki@sha256:0123"}]


# -- the engine
def test_a_change_rechecks_only_the_rules_that_read_it():
    d = deployment(containers=[container("app", limits={"memory": "64Mi"})])
    p = pod_of(d)
    linter = Linter(clock=lambda: NOW)
    linter.set("Deployment", "shop/web", d)
    linter.set("Pod", f"shop/{p['metadata']['name']}", p)
    linter.flush()
    key = f"shop/{p['metadata']['name']}"
    churned = copy.deepcopy(p)
    churned["metadata"]["annotations"] = {"kubetui.dev/churned-at": "1"}
    linter.set("Pod", key, churned)
    assert linter._dirty == {}  # nothing any rule reads changed
    killed = copy.deepcopy(churned)
    killed["status"]["containerStatuses"][0]["lastState"] = {
        "terminated": {"reason": "OOMKilled", "exitCode": 137}}
    linter.set("Pod", key, killed)
    assert linter._dirty == {("Deployment", "shop/web"): {
        "tight-memory-limit", "liveness-probe", "stale-config"}}
    assert linter.flush()
    assert [f.rule for f in linter.of("Pod", key) if f.kind == "Deployment"].count(
        "tight-memory-limit") == 1


def test_a_stored_finding_writes_its_fix_from_its_subject_as_it_is_now():
    """The Linter keeps no fix closure per finding (at 100,000 bare pods they held
    165 MB): the fix is written when asked, from the object the cache holds then."""
    linter = Linter(clock=lambda: NOW)
    linter.set("Deployment", "shop/web", deployment(containers=[container("app")]))
    linter.flush()
    f, = only(linter.findings(), "missing-requests")
    assert f.make_fix is None and f.source is linter
    assert [c["name"] for c in yaml.safe_load(f.fix)["spec"]["template"]["spec"][
        "containers"]] == ["app"]
    # the same finding still stands after a second container came: its fix names both
    linter.set("Deployment", "shop/web", deployment(containers=[container("app"),
                                                                container("sidecar")]))
    linter.flush()
    assert [c["name"] for c in yaml.safe_load(f.fix)["spec"]["template"]["spec"][
        "containers"]] == ["app", "sidecar"]
    # what was fixed meanwhile, or deleted, says so instead of an empty fix
    linter.set("Deployment", "shop/web", deployment())
    assert f.fix.startswith("# Deployment shop/web has changed since: missing-requests")
    linter.set("Deployment", "shop/web", None)
    assert f.fix == "# Deployment shop/web is gone: there is nothing to fix\n"


def test_a_bare_pod_rechecks_only_when_what_its_rules_read_changed():
    """A bare pod is its own subject (every rule); its status and annotations move far
    more often than anything its rules read, and each move had re-run them all."""
    solo = bare_pod(containers=[dict(GOOD, envFrom=[{"configMapRef": {"name": "web-config"}}])])
    solo["status"]["containerStatuses"] = [{"name": "app", "ready": True, "restartCount": 0,
                                            "state": {"running": {"startedAt": T0}}}]
    edit = ("kubectl-edit", "2026-11-30T15:20:00Z", {"f:data": {"f:A": {}}})
    linter = Linter(clock=lambda: NOW)
    linter.set("ConfigMap", "shop/web-config", config_map(changes=[edit]))
    linter.set("Pod", "shop/solo", solo)
    linter.flush()
    assert "stale-config" in [f.rule for f in linter.of("Pod", "shop/solo")]
    churned = copy.deepcopy(solo)
    churned["metadata"]["annotations"] = {"kubetui.dev/churned-at": "1"}
    churned["status"]["podIP"] = "10.0.0.9"
    linter.set("Pod", "shop/solo", churned)
    assert linter._dirty == {}  # nothing any rule reads changed
    reloaded = copy.deepcopy(churned)
    reloaded["metadata"]["annotations"]["reloader.stakater.com/auto"] = "true"
    linter.set("Pod", "shop/solo", reloaded)
    assert linter.flush()
    assert "stale-config" not in [f.rule for f in linter.of("Pod", "shop/solo")]
    killed = copy.deepcopy(reloaded)
    killed["status"]["containerStatuses"][0].update(restartCount=1, lastState={
        "terminated": {"reason": "OOMKilled", "exitCode": 137}})
    linter.set("Pod", "shop/solo", killed)
    assert linter.flush()
    assert "tight-memory-limit" in [f.rule for f in linter.of("Pod", "shop/solo")]


def test_incremental_changes_end_where_a_full_pass_ends():
    """Random adds, changes and deletes, one at a time, then the same objects at once."""
    rng = random.Random(7)
    pool = []
    for i in range(6):
        d = deployment(f"app{i}", containers=[container(
            "c", image=rng.choice(["nginx", "nginx:1.27"]),
            requests=rng.choice([None, {"cpu": "1", "memory": "1Gi"}]),
            limits={"memory": "64Mi"})], template_spec={
            "serviceAccountName": rng.choice([None, "x"]),
            "volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": f"c{i % 3}"}}]})
        pool.append(("Deployment", f"shop/app{i}", d))
        for j in range(3):
            killed = rng.random() < 0.3
            p = pod_of(d, suffix=f"p{j}", ready=rng.random() < 0.7, statuses=[{
                "name": "c", "restartCount": 1, "ready": True,
                "state": {"running": {"startedAt": T0}},
                "lastState": {"terminated": {"reason": "OOMKilled"}} if killed else {}}])
            pool.append(("Pod", f"shop/{p['metadata']['name']}", p))
        pool.append(("Service", f"shop/s{i}", {
            "kind": "Service", "metadata": {"name": f"s{i}", "namespace": "shop"},
            "spec": {"type": rng.choice(["ClusterIP", "NodePort"]),
                     "selector": {"app": rng.choice([f"app{i}", "nothing"])}}}))
    for i in range(3):
        pool.append(("PersistentVolumeClaim", f"shop/c{i}", claim(f"c{i}")))
    pool.append(("ConfigMap", "shop/web-config", config_map(changes=[(
        "kubectl-edit", "2026-11-30T15:20:00Z", {"f:data": {"f:A": {}}})])))
    for i in range(2):  # bare pods: their annotations, labels and restarts move
        for variant in range(4):
            p = bare_pod(f"solo{i}", containers=[container(
                "c", limits={"memory": "64Mi"},
                envFrom=[{"configMapRef": {"name": "web-config"}}])])
            p["metadata"]["annotations"] = rng.choice([
                {}, {"checksum/config": "x"}, {"kubetui.dev/churned-at": str(variant)}])
            p["metadata"]["labels"]["app"] = rng.choice([f"app{i}", "other"])
            p["status"]["containerStatuses"] = [{
                "name": "c", "ready": True, "restartCount": variant % 2,
                "state": {"running": {"startedAt": T0}},
                "lastState": {"terminated": {"reason": "OOMKilled"}} if variant % 2 else {}}]
            pool.append(("Pod", f"shop/solo{i}", p))
    linter = Linter(clock=lambda: NOW)
    state: dict[tuple, dict] = {}
    for _ in range(400):
        kind, key, obj = rng.choice(pool)
        if (kind, key) in state and rng.random() < 0.3:
            linter.set(kind, key, None)
            del state[(kind, key)]
        else:
            obj = copy.deepcopy(obj)
            obj["metadata"]["resourceVersion"] = str(rng.random())
            linter.set(kind, key, obj)
            state[(kind, key)] = obj
        if rng.random() < 0.2:
            linter.flush()
    linter.flush()
    objects: dict[str, list] = {}
    for (kind, _), obj in state.items():
        objects.setdefault(kind, []).append(obj)
    full = lint(objects, now=NOW)
    assert [(f.rule, f.kind, f.key, f.message) for f in linter.findings()] == [
        (f.rule, f.kind, f.key, f.message) for f in full]
    assert full  # the pool makes some


# -- config
def test_rules_turned_off_everywhere_and_per_namespace():
    d = deployment(containers=[container("app", image="nginx")])
    config, problems = LintConfig.from_table({
        "disabled": ["latest-tag"], "namespaces": {"shop": {"disabled": ["missing-requests"]},
                                                   "quiet": {"disabled": ["*"]}}})
    assert problems == []
    rules = {f.rule for f in run(d, config=config)}
    assert "latest-tag" not in rules and "missing-requests" not in rules
    quiet = deployment(ns="quiet", containers=[container("app", image="nginx")])
    assert run(quiet, config=config) == []
    assert {f.rule for f in run(d)} >= {"latest-tag", "missing-requests"}


def test_a_broken_lint_table_is_reported_and_ignored():
    config, problems = LintConfig.from_table({"disabled": ["latest", 3], "live": "yes",
                                              "colour": 1})
    assert config == LintConfig()
    assert any("should be a list of rule ids" in p for p in problems)
    assert any("live should be true or false" in p for p in problems)
    assert any("no setting 'colour'" in p for p in problems)
    _, problems = LintConfig.from_table({"disabled": ["latest"]})
    assert problems and "no rule 'latest'" in problems[0] and "latest-tag" in problems[0]


# -- reports
def test_json_has_what_a_pipeline_reads(real_findings):
    rows = json.loads(lint_report.as_json(real_findings))
    assert len(rows) == len(real_findings)
    for row in rows:
        assert {"rule", "severity", "kind", "namespace", "name", "message", "fix"} <= set(row)
        assert row["fix"]


def test_text_and_markdown_group_by_severity_then_rule(real_findings):
    out = lint_report.text(real_findings)
    assert out.index("✖ error namespace-stuck") < out.index("▲ warning default-service-account")
    assert out.rstrip().endswith(lint_report.summary(real_findings))
    md = lint_report.markdown(real_findings)
    assert "### error" in md and "| `nodeport` | Service `shop/cart` |" in md
    assert "```yaml" in md


def test_the_describe_section_lists_the_findings():
    d = deployment(containers=[container("app", image="nginx")])
    text = lint_report.section(run(d))
    assert text.startswith("\nLint (kubetui") and "missing-requests" in text
    assert lint_report.section([]) == ""


def test_slim_pods_lint_as_the_full_ones_do():
    """The live lint reads the informers' slim pods: they keep what every rule reads."""
    import orjson

    from kubetui.kube.slim import decode_list
    from kubetui.sim.bulk import bulk_pod

    pods = [bulk_pod(i, "node-a", T0) for i in range(3)]
    pods.append({**load("cases/oomkilled.pod.json"), "kind": "Pod"})
    pods.append({**load("cases/running-not-ready.pod.json"), "kind": "Pod"})
    pods[0]["spec"]["containers"][0]["livenessProbe"] = dict(HTTP, failureThreshold=1)
    pods[1]["spec"]["automountServiceAccountToken"] = False
    pods[2]["spec"]["containers"][1]["image"] = "envoyproxy/envoy"
    pods[2]["status"]["containerStatuses"][1]["imageID"] = "docker.io/envoyproxy/envoy@sha256:9"
    slim, _ = decode_list("Pod", orjson.dumps({"metadata": {}, "items": pods}))
    for p in slim:
        p["kind"] = "Pod"

    def seen(findings):
        return [(f.rule, f.key, f.message, f.evidence, f.fix) for f in findings]

    full = run(*pods)
    assert {f.rule for f in full} >= {"missing-requests", "readiness-without-liveness",
                                      "default-service-account", "liveness-probe",
                                      "tight-memory-limit", "latest-tag"}
    assert seen(run(*slim)) == seen(full)
    probes = {id(p["spec"]["containers"][0]["readinessProbe"]) for p in slim[1:3]}
    assert len(probes) == 1  # shared, not one copy per pod
